/**
 * Requests from widgets to the live kernel. A JupyterLab widget opens a comm with target name
 * `convlab` and sends `{ id, method, params }`; the kernel calls the handler registered here
 * for `method` and answers on the same comm with `{ id, result }` or
 * `{ id, error: { name, message } }`. Handlers live in the core so that any module (e.g.
 * `cl.inspect`, to send a clicked unit's top patches) can serve a widget; outside a kernel the
 * registry is simply never called.
 *
 * @example
 * cl.runtime.registerCommHandler("double", (params) => (params as { x: number }).x * 2);
 * // a widget sends { id: 1, method: "double", params: { x: 21 } } and receives { id: 1, result: 42 }
 */

import { functionArg, stringArg } from "../util/check.js";
import { ValueError } from "../util/errors.js";

/** What a handler gets besides the request's params. */
export interface CommContext {
  /** The comm the request came on. */
  commId: string;
  /** Sends an extra message on that comm (e.g. partial results): arrives as `{ id, event: data }`. */
  send(data: unknown): void;
}

/** Returns the result (JSON-serializable, or a Promise of it); throwing answers with an error. */
export type CommHandler = (params: unknown, ctx: CommContext) => unknown;

const handlers = new Map<string, CommHandler>();

/**
 * Serves `method` for widgets; replaces an earlier handler of the same name. Returns a function
 * that removes it again.
 */
export function registerCommHandler(method: string, handler: CommHandler): () => void {
  if (stringArg("registerCommHandler", "method", method).length === 0) throw new ValueError("registerCommHandler: method must be a non-empty string, got the empty string");
  functionArg("registerCommHandler", `handler for "${method}"`, handler);
  handlers.set(method, handler);
  return () => {
    if (handlers.get(method) === handler) handlers.delete(method);
  };
}

/** The handler registered for `method`, if any (the kernel calls this). */
export function commHandler(method: string): CommHandler | undefined {
  return handlers.get(method);
}

/** Names of the registered methods, sorted. */
export function commMethods(): string[] {
  return [...handlers.keys()].sort();
}
