// Widgets → live kernel. Mime renderers get no kernel, so the extension's plugin (plugin.ts)
// installs a finder that maps a widget's DOM node to its notebook's kernel; a widget then asks
// the kernel over a comm with target "convlab" (docs/kernel.md): it sends `{ id, method, params }`
// and gets `{ id, result }` or `{ id, error: { name, message } }` back.
import type { Kernel, KernelMessage } from "@jupyterlab/services";

export const COMM_TARGET = "convlab";

/** Finds the kernel of the notebook holding a node (null: no notebook, or no kernel). */
export type KernelFinder = (node: HTMLElement) => Kernel.IKernelConnection | null;

let finder: KernelFinder | null = null;

/** Installed by the plugin; `null` removes it. */
export function setKernelFinder(f: KernelFinder | null): void {
  finder = f;
}

/** The kernel a widget's node can talk to now, if any. */
export function kernelFor(node: HTMLElement): Kernel.IKernelConnection | null {
  if (!finder) return null;
  try {
    return finder(node);
  } catch {
    return null;
  }
}

/** Why a request could not be answered. */
export class KernelRequestError extends Error {
  override name = "KernelRequestError";
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** One comm per kernel connection, with the requests waiting on it. */
class Channel {
  private comm: Kernel.IComm;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  closed = false;

  constructor(private readonly kernel: Kernel.IKernelConnection) {
    // A restart disposes the kernel's comms without calling onClose: the requests waiting on this
    // one fail at once (not at their timeout), and the next request opens a new comm.
    kernel.statusChanged.connect(this.onStatus, this);
    this.comm = kernel.createComm(COMM_TARGET);
    this.comm.onMsg = (msg: KernelMessage.ICommMsgMsg) => this.onMsg(msg.content.data as Record<string, unknown>);
    this.comm.onClose = (msg: KernelMessage.ICommCloseMsg) => {
      this.closed = true;
      const err = (msg.content.data as { error?: { message?: unknown } } | undefined)?.error;
      this.failAll(new KernelRequestError(typeof err?.message === "string" ? err.message : "the kernel closed the convlab comm"));
    };
    this.comm.open({});
  }

  /** False once the kernel closed the comm, restarted, died or the comm was disposed. */
  get usable(): boolean {
    return !this.closed && !this.comm.isDisposed;
  }

  private onStatus(_: Kernel.IKernelConnection, status: Kernel.Status): void {
    if (status !== "restarting" && status !== "autorestarting" && status !== "dead") return;
    this.closed = true;
    this.kernel.statusChanged.disconnect(this.onStatus, this);
    this.failAll(new KernelRequestError(status === "dead" ? "the kernel died before answering" : "the kernel restarted before answering"));
  }

  private onMsg(data: Record<string, unknown>): void {
    const id = typeof data.id === "number" ? data.id : NaN;
    const p = this.pending.get(id);
    if (!p || "event" in data) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    const error = data.error as { name?: unknown; message?: unknown } | undefined;
    if (error) p.reject(new KernelRequestError(`${String(error.name ?? "Error")}: ${String(error.message ?? "")}`));
    else p.resolve(data.result);
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }

  request(method: string, params: unknown, timeoutMs: number): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new KernelRequestError(`the kernel did not answer "${method}" within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.comm.send({ id, method, params: params as KernelMessage.ICommMsgMsg["content"]["data"] });
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new KernelRequestError(`cannot reach the kernel: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
  }
}

const channels = new WeakMap<Kernel.IKernelConnection, Channel>();

/**
 * Sends a request to the kernel of the notebook holding `node`; rejects with a
 * `KernelRequestError` when there is no kernel, the kernel is not a convlab kernel (the comm is
 * closed), the handler fails, or no answer comes within `timeoutMs`.
 */
export function requestKernel(node: HTMLElement, method: string, params: unknown, timeoutMs = 60_000): Promise<unknown> {
  const kernel = kernelFor(node);
  if (!kernel || kernel.isDisposed) return Promise.reject(new KernelRequestError("no running kernel for this notebook (run the notebook to ask it)"));
  let ch = channels.get(kernel);
  if (!ch || !ch.usable) {
    try {
      ch = new Channel(kernel);
    } catch (e) {
      return Promise.reject(new KernelRequestError(`cannot open a comm: ${e instanceof Error ? e.message : String(e)}`));
    }
    channels.set(kernel, ch);
  }
  return ch.request(method, params, timeoutMs);
}
