/**
 * How the kernel's messages leave it: one ordered send queue per ZeroMQ socket, and on IOPub a
 * coalescing buffer for stdout/stderr (as ipykernel's `OutStream`) with a per-cell limit.
 *
 * - Every message is signed and handed to its socket's `SendQueue` in the order it was
 *   produced; the queue never starts a second send while one is in progress (zeromq.js rejects
 *   that with "Socket is busy writing", which lost most of a print loop's lines under tslab).
 *   The kernel's sockets have no high-water mark and a zero send timeout, so a send normally
 *   completes at once: ZeroMQ's own I/O thread takes the message and writes it to the network
 *   while the cell goes on running, even inside a synchronous loop. Should a send ever have to
 *   wait, later messages wait behind it, in order.
 * - Printed text is buffered per (request, stream name) and sent as one `stream` message when
 *   the buffer reaches `chunkChars`, when `intervalMs` has passed since the last flush (checked
 *   on each write, so a synchronous loop's output still appears while it runs, and by a timer),
 *   before any other message on IOPub (display, update, error, result, comm, status — so the
 *   order of everything a cell outputs holds), when the other stream or another request
 *   writes, and at the end of the cell (before its `execute_reply`).
 * - Memory stays bounded: after `limitChars` of printed text in one cell the rest is not kept;
 *   a notice says so at that point and the cell ends with how much was left out.
 */
import { createHmac } from "node:crypto";
import type { WireMessage } from "./tslab.js";

/** What the queue needs of a zeromq socket. */
export interface Sendable {
  send(frames: (Buffer | string)[]): Promise<void>;
}

const DELIM = "<IDS|MSG>";

export interface OutputOptions {
  /** Flush buffered stream text after this many milliseconds (default 50). */
  intervalMs: number;
  /** Flush when this many characters are buffered (default 64 Ki). */
  chunkChars: number;
  /** Characters of stream text one cell may print before the rest is left out (0: no limit; default 100 MB). */
  limitChars: number;
}

/** The default limit of printed output per cell, in MB (`CONVLAB_KERNEL_OUTPUT_LIMIT_MB`). */
export const DEFAULT_LIMIT_MB = 100;

/** Options from the environment: `CONVLAB_KERNEL_OUTPUT_LIMIT_MB` (0: no limit), `CONVLAB_KERNEL_OUTPUT_INTERVAL_MS`. */
export function outputOptions(env: NodeJS.ProcessEnv = process.env): OutputOptions {
  const num = (v: string | undefined, dflt: number) => {
    const n = v === undefined || v.trim() === "" ? NaN : Number(v);
    return Number.isFinite(n) && n >= 0 ? n : dflt;
  };
  return {
    intervalMs: num(env.CONVLAB_KERNEL_OUTPUT_INTERVAL_MS, 50),
    chunkChars: 64 * 1024,
    limitChars: Math.round(num(env.CONVLAB_KERNEL_OUTPUT_LIMIT_MB, DEFAULT_LIMIT_MB) * 1_000_000),
  };
}

let serial = 0;
const idPrefix = `${process.pid.toString(16)}-${Date.now().toString(16)}`;

/** The signed wire frames of a message with `parent` as its parent (and routing identities). */
export function encode(key: string, parent: WireMessage, msgType: string, content: unknown, metadata: Record<string, unknown> = {}): (Buffer | string)[] {
  const header = {
    version: "5.3",
    date: new Date().toISOString(),
    session: parent.header?.session ?? "",
    username: parent.header?.username ?? "",
    msg_type: msgType,
    msg_id: `${idPrefix}-${++serial}`,
  };
  const parts = [JSON.stringify(header), JSON.stringify(parent.header ?? {}), JSON.stringify(metadata), JSON.stringify(content)];
  const hmac = createHmac("sha256", key);
  for (const p of parts) hmac.update(p);
  return [...(parent.identity ?? []), DELIM, hmac.digest("hex"), ...parts];
}

function isBusy(e: unknown): boolean {
  return typeof e === "object" && e !== null && ((e as { code?: unknown }).code === "EBUSY" || /busy/i.test(String((e as { message?: unknown }).message)));
}

/**
 * One socket's sends, strictly in order, one at a time. `send` hands the message to the socket
 * at once when nothing is waiting; otherwise (or when the socket is busy) it waits its turn.
 */
export class SendQueue {
  private pending: (Buffer | string)[][] = [];
  private pumping = false;
  private idle: (() => void)[] = [];
  /** Messages handed to the socket. */
  sent = 0;

  constructor(
    private readonly sock: Sendable,
    private readonly log: (msg: string) => void,
    readonly name: string,
  ) {}

  send(frames: (Buffer | string)[]): void {
    if (this.pending.length === 0 && !this.pumping) {
      let p: Promise<void>;
      try {
        p = this.sock.send(frames);
      } catch (e) {
        if (!isBusy(e)) {
          this.log(`could not send on ${this.name}: ${describe(e)}`);
          return;
        }
        this.pending.push(frames);
        void this.pump();
        return;
      }
      this.sent++;
      p.catch((e: unknown) => this.log(`could not send on ${this.name}: ${describe(e)}`));
      return;
    }
    this.pending.push(frames);
    void this.pump();
  }

  /** Resolves when every message queued so far was handed to the socket. */
  drained(): Promise<void> {
    if (this.pending.length === 0 && !this.pumping) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.pending.length > 0) {
        const frames = this.pending[0]!;
        try {
          await this.sock.send(frames);
          this.sent++;
          this.pending.shift();
        } catch (e) {
          if (isBusy(e)) {
            await new Promise((r) => setTimeout(r, 1));
            continue;
          }
          this.pending.shift();
          this.log(`could not send on ${this.name}: ${describe(e)}`);
        }
      }
    } finally {
      this.pumping = false;
      for (const r of this.idle.splice(0)) r();
    }
  }
}

function describe(e: unknown): string {
  try {
    return e instanceof Error ? e.message : String(e);
  } catch {
    return "(unprintable error)";
  }
}

const mb = (chars: number) => `${(chars / 1_000_000).toFixed(chars < 10_000_000 ? 1 : 0)} MB`;

/** IOPub: messages in order, stream text coalesced (see the file's comment). */
export class Output {
  private buf: string[] = [];
  private bufChars = 0;
  private bufParent: WireMessage | undefined;
  private bufName = "";
  private lastFlush = performance.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The request whose printed characters are being counted, and the count. */
  private cellId: unknown;
  private cellChars = 0;
  private droppedChars = 0;
  private truncatedParent: WireMessage | undefined;

  constructor(
    readonly queue: SendQueue,
    private readonly key: string,
    readonly options: OutputOptions,
  ) {}

  /** Sends a message on IOPub after the stream text buffered so far. */
  publish(parent: WireMessage, msgType: string, content: unknown): void {
    this.flush();
    this.queue.send(encode(this.key, parent, msgType, content));
  }

  /** Printed text of `parent`'s cell (`name`: stdout or stderr). */
  stream(parent: WireMessage, name: string, text: string): void {
    if (text.length === 0) return;
    const id = parent.header?.msg_id;
    if (id !== this.cellId) {
      this.cellId = id;
      this.cellChars = 0;
      this.droppedChars = 0;
      this.truncatedParent = undefined;
    }
    const limit = this.options.limitChars;
    if (this.truncatedParent) {
      this.droppedChars += text.length;
      return;
    }
    if (limit > 0 && this.cellChars + text.length > limit) {
      const room = limit - this.cellChars;
      if (room > 0) this.append(parent, name, text.slice(0, room));
      this.droppedChars += text.length - Math.max(0, room);
      this.cellChars = limit;
      this.truncatedParent = parent;
      this.flush();
      this.queue.send(encode(this.key, parent, "stream", {
        name: "stderr",
        text: `\n[convlab] output truncated after ${mb(limit)}: the rest of what this cell prints is not shown (CONVLAB_KERNEL_OUTPUT_LIMIT_MB sets the limit, 0 for none)\n`,
      }));
      return;
    }
    this.cellChars += text.length;
    this.append(parent, name, text);
  }

  private append(parent: WireMessage, name: string, text: string): void {
    if (this.bufChars > 0 && (this.bufParent !== parent || this.bufName !== name)) this.flush();
    this.bufParent = parent;
    this.bufName = name;
    this.buf.push(text);
    this.bufChars += text.length;
    if (this.bufChars >= this.options.chunkChars || performance.now() - this.lastFlush >= this.options.intervalMs) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.options.intervalMs);
      this.timer.unref?.();
    }
  }

  /** Sends the buffered stream text now. */
  flush(): void {
    this.lastFlush = performance.now();
    if (this.bufChars === 0 || !this.bufParent) return;
    const text = this.buf.length === 1 ? this.buf[0]! : this.buf.join("");
    const parent = this.bufParent;
    this.buf = [];
    this.bufChars = 0;
    this.queue.send(encode(this.key, parent, "stream", { name: this.bufName, text }));
  }

  /** The end of `parent`'s cell: flushes, and says how much of its output was left out. */
  endCell(parent: WireMessage): void {
    this.flush();
    if (this.truncatedParent && this.cellId === parent.header?.msg_id && this.droppedChars > 0) {
      this.queue.send(encode(this.key, parent, "stream", {
        name: "stderr",
        text: `[convlab] ${mb(this.droppedChars)} (${this.droppedChars} characters) of this cell's output were not shown (limit ${mb(this.options.limitChars)}, CONVLAB_KERNEL_OUTPUT_LIMIT_MB)\n`,
      }));
      this.droppedChars = 0;
    }
  }
}
