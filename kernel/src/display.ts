/**
 * MIME bundles for values shown by the kernel (a cell's last expression, `cl.show`): the
 * core's rich bundle where the value has one (its own `toMimeBundle()`, tensors as text +
 * PNG), always with a `text/plain`, and made safe to send as JSON.
 */
import { inspect } from "node:util";
import type * as Convlab from "convlab";

export interface Bundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** Longest `text/plain` sent for one value (characters); longer text is cut with a note. */
export const MAX_TEXT = 1_000_000;

/** The plain-text form of any value, as Node's console prints it. */
export function plainText(value: unknown): string {
  if (typeof value === "string") return inspect(value, { maxStringLength: MAX_TEXT });
  return inspect(value, { depth: 4, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 100 });
}

function clip(text: string): string {
  return text.length <= MAX_TEXT ? text : `${text.slice(0, MAX_TEXT)}\n… (${text.length - MAX_TEXT} more characters not shown)`;
}

/**
 * The bundle that displays `value`. `warn` receives a note when the value's own
 * `toMimeBundle()` failed or returned something that cannot be sent (the value is then shown
 * as text).
 */
export function bundleFor(value: unknown, core: typeof Convlab | undefined, warn: (msg: string) => void): Bundle {
  let data: Record<string, unknown> = {};
  let metadata: Record<string, unknown> = {};
  try {
    const rich = core?.inspect.toMimeBundle(value);
    if (rich) {
      data = { ...rich.data };
      metadata = { ...(rich.metadata ?? {}) };
    }
  } catch (e) {
    warn(`could not build the rich display of this value (${e instanceof Error ? e.message : String(e)}); showing it as text\n`);
  }
  for (const [mime, v] of Object.entries(data)) {
    if (v instanceof Uint8Array) data[mime] = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
    else if (v === undefined) delete data[mime];
    else if (typeof v !== "string") {
      try {
        JSON.stringify(v);
      } catch (e) {
        warn(`dropped ${mime} from the display: it cannot be sent as JSON (${e instanceof Error ? e.message : String(e)})\n`);
        delete data[mime];
      }
    }
  }
  try {
    JSON.stringify(metadata);
  } catch {
    metadata = {};
  }
  data["text/plain"] = clip(typeof data["text/plain"] === "string" ? data["text/plain"] : plainText(value));
  return { data, metadata };
}
