/**
 * Comms with target name `convlab`: a widget opens one, sends `{ id, method, params }` and gets
 * `{ id, result }` or `{ id, error: { name, message } }` back on the same comm. Methods are the
 * handlers registered in the core with `cl.runtime.registerCommHandler`, plus two built-ins:
 * `methods` (the names available) and `ping` (`{ pong: true, version }`).
 */
import type * as Convlab from "convlab";

export const COMM_TARGET = "convlab";

export type Publish = (msgType: string, content: Record<string, unknown>) => void;

interface CommRequest {
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

export class Comms {
  /** comm_id → target name of the open comms. */
  private open = new Map<string, string>();

  constructor(
    private readonly runtime: typeof Convlab.runtime | undefined,
    private readonly version: string,
  ) {}

  /** Content of a comm_info_reply: the open comms, filtered by `target_name` when given. */
  info(content: { target_name?: unknown }): Record<string, unknown> {
    const comms: Record<string, { target_name: string }> = {};
    for (const [id, target] of this.open) if (content.target_name === undefined || content.target_name === target) comms[id] = { target_name: target };
    return { status: "ok", comms };
  }

  /** Handles comm_open / comm_msg / comm_close (answers go to IOPub through `publish`). */
  async handle(msgType: string, content: Record<string, unknown>, publish: Publish): Promise<void> {
    const commId = typeof content.comm_id === "string" ? content.comm_id : undefined;
    if (!commId) {
      publish("stream", { name: "stderr", text: `convlab kernel: ${msgType} without a comm_id was ignored\n` });
      return;
    }
    if (msgType === "comm_open") {
      const target = content.target_name;
      if (target !== COMM_TARGET) {
        // As ipykernel does for an unknown target: close it again, saying why.
        publish("comm_close", { comm_id: commId, data: { error: { name: "UnknownTarget", message: `no comm target ${JSON.stringify(target)} in the convlab kernel (its target is "${COMM_TARGET}")` } } });
        return;
      }
      this.open.set(commId, COMM_TARGET);
      return;
    }
    if (msgType === "comm_close") {
      this.open.delete(commId);
      return;
    }
    // comm_msg
    if (!this.open.has(commId)) {
      publish("comm_close", { comm_id: commId, data: { error: { name: "UnknownComm", message: `comm ${commId} is not open in this kernel (it may have restarted); open a new one` } } });
      return;
    }
    const send = (data: Record<string, unknown>) => publish("comm_msg", { comm_id: commId, data: jsonSafe(data) });
    const req = (typeof content.data === "object" && content.data !== null ? content.data : {}) as CommRequest;
    const id = req.id ?? null;
    const fail = (name: string, message: string) => send({ id, error: { name, message } });
    if (typeof req.method !== "string") return fail("BadRequest", `a convlab comm message is { id, method, params }; got ${JSON.stringify(content.data)?.slice(0, 200)}`);
    const handler = this.handler(req.method);
    if (!handler) return fail("UnknownMethod", `no comm method "${req.method}" (available: ${this.methods().join(", ")})`);
    try {
      const result = await handler(req.params, { commId, send: (data: unknown) => send({ id, event: data }) });
      send({ id, result: result === undefined ? null : result });
    } catch (e) {
      fail(e instanceof Error ? e.name : "Error", e instanceof Error ? e.message : String(e));
    }
  }

  private methods(): string[] {
    return [...new Set(["methods", "ping", ...(this.runtime?.commMethods() ?? [])])].sort();
  }

  private handler(method: string): Convlab.runtime.CommHandler | undefined {
    const registered = this.runtime?.commHandler(method);
    if (registered) return registered;
    if (method === "methods") return () => this.methods();
    if (method === "ping") return () => ({ pong: true, version: this.version });
    return undefined;
  }
}

/** `data` as it will arrive (JSON), or an error payload when it cannot be serialized. */
function jsonSafe(data: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  } catch (e) {
    return { id: data.id ?? null, error: { name: "SerializationError", message: `the result cannot be sent as JSON: ${e instanceof Error ? e.message : String(e)}` } };
  }
}
