/**
 * The kernel's ZeroMQ server: tslab's `ZmqServer` (its message parsing and `close`) with our own
 * sockets and sends — every message leaves through its socket's ordered `SendQueue`, IOPub
 * through `Output` (stream text coalesced, a per-cell limit; see output.ts) — and a dispatch
 * that knows more message types: comms, interrupt_request, history_request, a correct
 * comm_info_reply, and a reply with status "error" (never a crash) for malformed or unknown
 * requests.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as Zmq from "zeromq";
import type { ConvlabHandler } from "./handler.js";
import { encode, Output, outputOptions, SendQueue, type OutputOptions } from "./output.js";
import { tslab, wireMessageClass, type DisplayData, type ExecuteRequest, type WireMessage } from "./tslab.js";

const { jupyter } = tslab();
const require = createRequire(import.meta.url);

type Socket = Parameters<InstanceType<typeof jupyter.ZmqServer>["handleShellMessage"]>[0];

export class ConvlabServer extends jupyter.ZmqServer {
  private readonly wire = wireMessageClass(jupyter);
  /** IOPub (set up by `init`). */
  output!: Output;
  private queues = new Map<unknown, SendQueue>();

  constructor(
    readonly kernel: ConvlabHandler,
    configPath: string,
    private readonly log: (msg: string) => void,
    /** Called after a shutdown_request was answered. */
    private readonly onShutdown: () => void,
    private readonly outputOpts: OutputOptions = outputOptions(),
  ) {
    super(kernel, configPath);
  }

  /**
   * Binds the sockets (as tslab does, but with no high-water mark and a zero send timeout, so
   * ZeroMQ never drops a message and a send never waits; see output.ts) and serves them.
   */
  override async init(): Promise<void> {
    const info = JSON.parse(readFileSync(this.configPath, "utf-8")) as typeof this.connInfo;
    this.connInfo = info;
    const zmq = createRequire(require.resolve("tslab/package.json"))("zeromq") as typeof Zmq;
    const sendOpts = { sendHighWaterMark: 0, sendTimeout: 0, linger: 1000 };
    this.iopub = new zmq.Publisher(sendOpts);
    this.shell = new zmq.Router(sendOpts);
    this.control = new zmq.Router(sendOpts);
    this.stdin = new zmq.Router(sendOpts);
    this.hb = new zmq.Reply();
    const iopub = new SendQueue(this.iopub, this.log, "iopub");
    this.queues.set(this.shell, new SendQueue(this.shell, this.log, "shell"));
    this.queues.set(this.control, new SendQueue(this.control, this.log, "control"));
    const hb = new SendQueue(this.hb, this.log, "heartbeat");
    this.output = new Output(iopub, info.key, this.outputOpts);
    const url = (port: number) => `${info.transport}://${info.ip}:${port}`;
    await Promise.all([
      this.iopub.bind(url(info.iopub_port)),
      this.shell.bind(url(info.shell_port)),
      this.control.bind(url(info.control_port)),
      this.stdin.bind(url(info.stdin_port)),
      this.hb.bind(url(info.hb_port)),
    ]);
    // The read loops start once every socket is bound (a read while its socket binds is refused
    // with "Socket is blocked by a bind or unbind operation", which ended tslab's loop for good),
    // and a loop that fails is started again while its socket is open.
    const serve = async (sock: Zmq.Router | Zmq.Reply, onFrames: (frames: Buffer[]) => void) => {
      while (!sock.closed) {
        try {
          for await (const frames of sock) onFrames(frames);
          return;
        } catch (e) {
          if (sock.closed) return;
          this.log(`reading a socket failed, reading on: ${e instanceof Error ? e.message : String(e)}`);
          await new Promise((r) => setTimeout(r, 10));
        }
      }
    };
    void serve(this.shell, (frames) => void this.handleShellMessage(this.shell, ...frames));
    void serve(this.control, (frames) => void this.handleShellMessage(this.control, ...frames));
    void serve(this.hb, (frames) => hb.send(frames));
  }

  override publishStatus(status: string, parent: WireMessage): void {
    this.output.publish(parent, "status", { execution_state: status });
  }

  /** Publishes on IOPub with `parent` as the parent header. */
  publisher(parent: WireMessage): (msgType: string, content: Record<string, unknown>) => void {
    return (msgType, content) => {
      try {
        this.output.publish(parent, msgType, content);
      } catch (e) {
        this.log(`could not publish ${msgType}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
  }

  private reply(sock: Socket, parent: WireMessage, msgType: string, content: () => object): void {
    let body: object;
    try {
      body = content();
    } catch (e) {
      this.log(`${parent.header.msg_type} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      body = { status: "error", ename: e instanceof Error ? e.name : "Error", evalue: e instanceof Error ? e.message : String(e), traceback: [] };
    }
    let frames: (Buffer | string)[];
    try {
      frames = encode(this.connInfo.key, parent, msgType, body);
    } catch (e) {
      this.log(`${msgType} could not be encoded: ${e instanceof Error ? e.message : String(e)}`);
      frames = encode(this.connInfo.key, parent, msgType, { status: "error", ename: "SerializationError", evalue: String(e), traceback: [] });
    }
    const queue = this.queues.get(sock);
    if (queue) queue.send(frames);
    else void sock.send(frames).catch((e: unknown) => this.log(`could not send ${msgType}: ${String(e)}`));
  }

  override async handleShellMessage(sock: Socket, ...frames: Buffer[]): Promise<void> {
    let msg: WireMessage;
    try {
      msg = this.wire.fromRaw(this.connInfo.key, frames);
    } catch (e) {
      this.log(`dropped a malformed message (${e instanceof Error ? e.message : String(e)})`);
      return;
    }
    const type = String(msg.header?.msg_type);
    const content = (typeof msg.content === "object" && msg.content !== null ? msg.content : {}) as Record<string, unknown>;
    msg.content = content;
    let shutdown = false;
    this.publishStatus("busy", msg);
    try {
      switch (type) {
        case "kernel_info_request":
          this.reply(sock, msg, "kernel_info_reply", () => this.kernel.handleKernel());
          break;
        case "execute_request":
          await this.execute(sock, msg, content);
          break;
        case "is_complete_request":
          await this.kernel.whenReady();
          this.reply(sock, msg, "is_complete_reply", () => {
            if (typeof content.code !== "string") throw new TypeError("code must be a string");
            return this.kernel.handleIsComplete(content as never);
          });
          break;
        case "inspect_request":
          await this.kernel.whenReady();
          this.reply(sock, msg, "inspect_reply", () => this.kernel.handleInspect(checkCode(content) as never));
          break;
        case "complete_request":
          await this.kernel.whenReady();
          this.reply(sock, msg, "complete_reply", () => this.kernel.handleComplete(checkCode(content) as never));
          break;
        case "comm_info_request":
          this.reply(sock, msg, "comm_info_reply", () => this.kernel.comms.info(content));
          break;
        case "comm_open":
        case "comm_msg":
        case "comm_close":
          await this.kernel.comms.handle(type, content, this.publisher(msg));
          break;
        case "history_request":
          this.reply(sock, msg, "history_reply", () => ({ status: "ok", history: [] }));
          break;
        case "interrupt_request":
          this.kernel.interrupt();
          this.reply(sock, msg, "interrupt_reply", () => ({ status: "ok" }));
          break;
        case "shutdown_request":
          this.reply(sock, msg, "shutdown_reply", () => this.kernel.handleShutdown(content));
          shutdown = true;
          break;
        default:
          if (type.endsWith("_request")) {
            this.reply(sock, msg, type.replace(/_request$/, "_reply"), () => ({
              status: "error",
              ename: "UnknownMessageType",
              evalue: `the convlab kernel does not handle ${type}`,
              traceback: [],
            }));
          } else this.log(`ignored a message of unknown type ${type}`);
      }
    } catch (e) {
      this.log(`${type} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      this.publishStatus("idle", msg);
    }
    if (shutdown) this.onShutdown();
  }

  private async execute(sock: Socket, msg: WireMessage, content: Record<string, unknown>): Promise<void> {
    const publish = this.publisher(msg);
    const req = { ...content, code: typeof content.code === "string" ? content.code : "" } as ExecuteRequest;
    let reply: Record<string, unknown>;
    try {
      reply = await this.kernel.execute(req, {
        publish,
        writeStream: (name, text) => this.output.stream(msg, name, text),
        endOutput: () => this.output.endCell(msg),
        writeDisplayData: (data: DisplayData, update: boolean) => publish(update ? "update_display_data" : "display_data", data as unknown as Record<string, unknown>),
      });
    } catch (e) {
      this.log(`execute failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      const error = { ename: "KernelError", evalue: `the kernel failed to run the cell: ${e instanceof Error ? e.message : String(e)}`, traceback: [`KernelError: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`] };
      publish("error", error);
      reply = { status: "error", execution_count: null, ...error };
    }
    // Everything the cell printed leaves before its reply.
    this.output.endCell(msg);
    this.reply(sock, msg, "execute_reply", () => reply);
  }
}

/** Completion/inspection requests need a string `code` and a position inside it. */
function checkCode(content: Record<string, unknown>): Record<string, unknown> {
  const { code, cursor_pos } = content;
  if (typeof code !== "string") throw new TypeError("code must be a string");
  if (typeof cursor_pos !== "number" || !Number.isInteger(cursor_pos) || cursor_pos < 0 || cursor_pos > code.length)
    throw new RangeError(`cursor_pos must be an integer in [0, ${code.length}], got ${JSON.stringify(cursor_pos)}`);
  return content;
}
