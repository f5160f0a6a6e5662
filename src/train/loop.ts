// Pieces the training loops share (fit, minimize): yielding to the event loop between steps,
// interrupts from several signals, the optimizer argument check.
import { ValueError } from "../util/errors.js";
import { received } from "../nn/args.js";
import type { Optimizer } from "./optimizers.js";

type Immediate = (cb: () => void) => unknown;
/** Node's (and Deno's/Bun's) setImmediate, when the platform has one (a global, not an import). */
const immediate = (globalThis as { setImmediate?: Immediate }).setImmediate;

/**
 * Lets timers, I/O and interrupts run between batches (no Node built-ins: works in browsers too).
 * Node's setImmediate runs after the event loop has polled I/O (a kernel's interrupt and comm
 * messages are seen) without setTimeout's 1 ms minimum, which would add 1 ms to every batch;
 * browsers get setTimeout.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/** True once any of the signals is aborted. */
export function abortedBy(signals: (AbortSignal | undefined)[]): () => boolean {
  const list = signals.filter((s): s is AbortSignal => s !== undefined);
  return () => list.some((s) => s.aborted);
}

/** Checks an `optimizer` option. */
export function checkOptimizer(op: string, v: unknown): Optimizer {
  if (typeof v !== "object" || v === null || typeof (v as Optimizer).step !== "function")
    throw new ValueError(`${op}: optimizer must be an optimizer such as cl.train.adam({ lr: 1e-3 }), got ${received(v)}`);
  return v as Optimizer;
}
