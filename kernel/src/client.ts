/**
 * A small Jupyter client over ZeroMQ (the `zeromq` package tslab brings): writes a connection
 * file with free ports, starts a kernel from a kernelspec-style argv, signs and sends requests,
 * and collects each request's reply and IOPub messages. The kernel tests and `npm run bench --
 * kernel` drive the real kernel process with it; it is not used by the kernel itself.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as Zmq from "zeromq";

const require = createRequire(import.meta.url);
/** zeromq as tslab resolves it (it is tslab's dependency, not ours). */
function loadZmq(): typeof Zmq {
  const fromTslab = createRequire(require.resolve("tslab/package.json"));
  return fromTslab("zeromq") as typeof Zmq;
}

export interface ConnectionInfo {
  transport: "tcp";
  ip: string;
  key: string;
  signature_scheme: "hmac-sha256";
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  kernel_name: string;
}

export interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded Jupyter message. */
export interface Message<C = Record<string, unknown>> {
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: C;
  channel: "shell" | "control" | "iopub";
  /** When the client decoded it (`performance.now()`). */
  receivedAt: number;
}

export type Content = Record<string, unknown>;

/** Ports the OS reports free right now (each from a listen on port 0). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<import("node:net").Server>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as import("node:net").AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** A connection file with free ports and a fresh key, in `dir`. */
export async function writeConnectionFile(dir: string, kernelName = "convlab"): Promise<{ file: string; info: ConnectionInfo }> {
  const [shell, iopub, stdin, control, hb] = await freePorts(5);
  const info: ConnectionInfo = {
    transport: "tcp",
    ip: "127.0.0.1",
    key: randomBytes(16).toString("hex"),
    signature_scheme: "hmac-sha256",
    shell_port: shell!,
    iopub_port: iopub!,
    stdin_port: stdin!,
    control_port: control!,
    hb_port: hb!,
    kernel_name: kernelName,
  };
  const file = join(dir, `kernel-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(info));
  return { file, info };
}

const DELIM = "<IDS|MSG>";

interface Waiter {
  msgId: string;
  reply?: Message;
  idle: boolean;
  iopub: Message[];
  resolve: () => void;
}

export interface StartOptions {
  /** The kernel command; "{connection_file}" is replaced as in a kernelspec. */
  argv: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Milliseconds to wait for the first kernel_info_reply (default 60 000). */
  timeoutMs?: number;
}

/** The reply and the IOPub messages (status and execute_input left out) of one request. */
export interface Exchange {
  reply: Message;
  iopub: Message[];
}

export class KernelClient {
  readonly session = randomUUID();
  /** Everything the kernel wrote to its own stdout/stderr (outside cells). */
  log = "";
  /** IOPub messages whose parent is not a request of ours, or that came after its idle. */
  readonly stray: Message[] = [];
  private waiters = new Map<string, Waiter>();
  private closed = false;
  private exited: Promise<number | null>;

  private constructor(
    readonly info: ConnectionInfo,
    readonly proc: ChildProcess,
    private readonly dir: string,
    private readonly shell: Zmq.Dealer,
    private readonly control: Zmq.Dealer,
    private readonly iopub: Zmq.Subscriber,
  ) {
    this.exited = new Promise((resolve) => proc.once("exit", (code) => resolve(code)));
    proc.stdout?.on("data", (d: Buffer) => (this.log += d.toString()));
    proc.stderr?.on("data", (d: Buffer) => (this.log += d.toString()));
    void this.readLoop(shell, "shell");
    void this.readLoop(control, "control");
    void this.readLoop(iopub, "iopub");
  }

  /** Starts a kernel and waits until it answers kernel_info with IOPub connected. */
  static async start(opts: StartOptions): Promise<KernelClient> {
    const zmq = loadZmq();
    const dir = mkdtempSync(join(tmpdir(), "convlab-client-"));
    const { file, info } = await writeConnectionFile(dir);
    const argv = opts.argv.map((a) => a.replace("{connection_file}", file));
    const proc = spawn(argv[0]!, argv.slice(1), { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    const url = (port: number) => `tcp://${info.ip}:${port}`;
    const shell = new zmq.Dealer({ linger: 0 });
    const control = new zmq.Dealer({ linger: 0 });
    const iopub = new zmq.Subscriber({ linger: 0 });
    shell.connect(url(info.shell_port));
    control.connect(url(info.control_port));
    iopub.connect(url(info.iopub_port));
    iopub.subscribe();
    const client = new KernelClient(info, proc, dir, shell, control, iopub);
    await client.waitForReady(opts.timeoutMs ?? 60_000);
    return client;
  }

  /** The process is gone (exit code, or null when killed by a signal). */
  get exitCode(): Promise<number | null> {
    return this.exited;
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  private async waitForReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // IOPub is a PUB/SUB pair: messages published before the subscription took effect are lost,
    // so ask again when a reply came without its IOPub status (as jupyter_client does).
    while (Date.now() < deadline) {
      const id = this.send("kernel_info_request", {});
      const w = this.waiters.get(id)!;
      const done = this.wait(id, deadline - Date.now()).then(() => true, () => false);
      while (!w.reply && this.alive && Date.now() < deadline) await Promise.race([done, sleep(50)]);
      if (!this.alive) throw new Error(`kernel exited during start-up:\n${this.log}`);
      if (await Promise.race([done, sleep(200).then(() => false)])) return;
      this.waiters.delete(id);
    }
    throw new Error(`kernel did not answer kernel_info within ${timeoutMs} ms:\n${this.log}`);
  }

  /** Signs and sends a message; returns its msg_id (see `wait`). */
  send(msgType: string, content: Content, opts: { channel?: "shell" | "control"; metadata?: Content; msgId?: string } = {}): string {
    const header: Header = {
      msg_id: opts.msgId ?? randomUUID(),
      msg_type: msgType,
      session: this.session,
      username: "convlab-test",
      date: new Date().toISOString(),
      version: "5.3",
    };
    const parts = [JSON.stringify(header), "{}", JSON.stringify(opts.metadata ?? {}), JSON.stringify(content)];
    this.waiters.set(header.msg_id, { msgId: header.msg_id, idle: false, iopub: [], resolve: () => {} });
    void this.sendFrames(opts.channel ?? "shell", [DELIM, this.sign(parts), ...parts]);
    return header.msg_id;
  }

  /** Sends raw frames (for malformed-message tests). */
  async sendFrames(channel: "shell" | "control", frames: (string | Buffer)[]): Promise<void> {
    await (channel === "shell" ? this.shell : this.control).send(frames);
  }

  sign(parts: string[]): string {
    const h = createHmac("sha256", this.info.key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  /**
   * Resolves when the request `msgId` has its reply and its IOPub "idle" status. With
   * `noReply`, messages without a reply (comm_msg, comm_open) resolve on idle alone.
   */
  wait(msgId: string, timeoutMs = 60_000, opts: { noReply?: boolean } = {}): Promise<Exchange> {
    const w = this.waiters.get(msgId);
    if (!w) return Promise.reject(new Error(`no request ${msgId}`));
    const done = () => w.idle && (opts.noReply || w.reply !== undefined);
    return new Promise<Exchange>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(msgId);
        reject(new Error(`no ${opts.noReply ? "idle" : "reply + idle"} for ${msgId} within ${timeoutMs} ms (kernel alive: ${this.alive})\n${this.log.slice(-2000)}`));
      }, timeoutMs);
      timer.unref();
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(msgId);
        resolve({ reply: w.reply!, iopub: w.iopub });
      };
      if (done()) finish();
      else w.resolve = () => done() && finish();
    });
  }

  /** Sends a request and waits for its reply and idle status. */
  async request(msgType: string, content: Content, opts: { channel?: "shell" | "control"; timeoutMs?: number; noReply?: boolean } = {}): Promise<Exchange> {
    const id = this.send(msgType, content, { channel: opts.channel });
    return this.wait(id, opts.timeoutMs, { noReply: opts.noReply });
  }

  /** Runs a cell: the execute_reply and the cell's IOPub outputs (stream, display_data, execute_result, error ...). */
  async execute(code: string, opts: { silent?: boolean; stopOnError?: boolean; timeoutMs?: number } = {}): Promise<Exchange> {
    return this.request(
      "execute_request",
      { code, silent: opts.silent ?? false, store_history: !opts.silent, user_expressions: {}, allow_stdin: false, stop_on_error: opts.stopOnError ?? true },
      { timeoutMs: opts.timeoutMs },
    );
  }

  /** Sends an execute_request without waiting (see `wait`). */
  submit(code: string, opts: { stopOnError?: boolean } = {}): string {
    return this.send("execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: opts.stopOnError ?? true });
  }

  /** SIGINT to the kernel process, as Jupyter does for interrupt_mode "signal". */
  interrupt(): void {
    this.proc.kill("SIGINT");
  }

  private async readLoop(sock: Zmq.Dealer | Zmq.Subscriber, channel: "shell" | "control" | "iopub"): Promise<void> {
    try {
      for await (const frames of sock) {
        const msg = this.decode(frames, channel);
        if (msg) this.dispatch(msg);
      }
    } catch (e) {
      if (!this.closed) this.log += `\n[client] ${channel} read failed: ${String(e)}`;
    }
  }

  private decode(frames: Buffer[], channel: Message["channel"]): Message | undefined {
    const i = frames.findIndex((f) => f.toString() === DELIM);
    if (i < 0) return undefined;
    const parts = frames.slice(i + 2, i + 6).map((f) => f.toString());
    if (this.sign(parts) !== frames[i + 1]!.toString()) {
      this.log += `\n[client] bad signature on ${channel}`;
      return undefined;
    }
    const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p)) as [Header, Partial<Header>, Content, Content];
    return { header, parent_header: parent, metadata, content, channel, receivedAt: performance.now() };
  }

  private dispatch(msg: Message): void {
    const w = msg.parent_header.msg_id ? this.waiters.get(msg.parent_header.msg_id) : undefined;
    if (!w) {
      this.stray.push(msg);
      return;
    }
    if (msg.channel === "iopub") {
      if (msg.header.msg_type === "status") {
        if (msg.content.execution_state === "idle") w.idle = true;
      } else if (msg.header.msg_type !== "execute_input") w.iopub.push(msg);
    } else w.reply = msg;
    w.resolve();
  }

  /** shutdown_request, then waits for the process to exit (kills it after `graceMs`). */
  async shutdown(graceMs = 5000): Promise<void> {
    if (this.alive) {
      this.send("shutdown_request", { restart: false }, { channel: "control" });
      const exited = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
      if (!exited) this.proc.kill("SIGKILL");
    }
    this.close();
  }

  /** Kills the process (if alive) and closes the sockets and the temp folder. */
  close(): void {
    if (this.alive) this.proc.kill("SIGKILL");
    if (this.closed) return;
    this.closed = true;
    for (const s of [this.shell, this.control, this.iopub]) s.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The text/plain of a list of outputs (stream text and text/plain of results, joined). */
export function textOf(iopub: Message[]): string {
  return iopub
    .map((m) => {
      const c = m.content as { text?: string; data?: Record<string, unknown> };
      if (m.header.msg_type === "stream") return c.text ?? "";
      return typeof c.data?.["text/plain"] === "string" ? (c.data["text/plain"] as string) : "";
    })
    .join("");
}
