/**
 * What every widget payload shares: the small types (pictures, packed arrays, boxes), the codec
 * of packed arrays, and the checkers the validators are built from. A checker returns the value
 * typed or throws a `PayloadError` naming the JSON path, what was expected and what it got;
 * `run` turns that into a `ParseResult`.
 */
import { base64ByteLength, fromBase64, isBase64, toBase64 } from "../../util/base64.js";
import { ValueError } from "../../util/errors.js";
import { intArg, numbersArg, optIntArg, optOneOfArg, optionsArg } from "../../util/check.js";

/** A PNG picture: `png` is the base64 of the file; `width`×`height` its pixel size. */
export interface ImageRef {
  png: string;
  width: number;
  height: number;
}

/**
 * A numeric array as base64 of little-endian bytes. `"float32"`: 4 bytes per value, exact.
 * `"uint8"`: one byte `q` per value, read as `lo[k] + q / 255 · (hi[k] − lo[k])` where `k` is
 * the value's slice along the array's first axis (`lo`/`hi` have one entry per slice).
 */
export interface PackedArray {
  dtype: "float32" | "uint8";
  /** Base64 of the bytes. */
  data: string;
  lo?: number[];
  hi?: number[];
}

/** A box by its corners, in the payload's coordinate unit (DESIGN "Boxes"). */
export interface BoxCorners {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A validator's answer: the typed payload, or what is wrong with it (with a JSON path). */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

// ---------------------------------------------------------------------------------------------
// Packing

/**
 * Packs values as float32 (exact) or uint8 (one `lo`/`hi` per slice of `sliceSize` values:
 * 255 levels between the slice's finite extremes).
 */
export function packArray(values: ArrayLike<number>, opts: { dtype?: "float32" | "uint8"; sliceSize?: number } = {}): PackedArray {
  numbersArg("packArray", "values", values);
  opts = optionsArg("packArray", opts);
  const dtype = optOneOfArg("packArray", "opts.dtype", opts.dtype, ["float32", "uint8"] as const) ?? "float32";
  optIntArg("packArray", "opts.sliceSize", opts.sliceSize, { min: 1 });
  if (dtype === "float32") {
    const f = new Float32Array(values.length);
    for (let i = 0; i < values.length; i++) f[i] = values[i]!;
    return { dtype, data: toBase64(littleEndianBytes(f)) };
  }
  const n = opts.sliceSize ?? values.length;
  const slices = n > 0 ? Math.ceil(values.length / n) : 0;
  const lo: number[] = [], hi: number[] = [];
  const q = new Uint8Array(values.length);
  for (let k = 0; k < slices; k++) {
    let a = Infinity, b = -Infinity;
    for (let i = k * n; i < Math.min((k + 1) * n, values.length); i++) {
      const v = values[i]!;
      if (v < a) a = v;
      if (v > b) b = v;
    }
    if (!(a <= b)) a = b = 0;
    lo.push(a);
    hi.push(b);
    const span = b - a;
    for (let i = k * n; i < Math.min((k + 1) * n, values.length); i++) {
      const v = values[i]!;
      q[i] = span > 0 && Number.isFinite(v) ? Math.round(((v - a) / span) * 255) : 0;
    }
  }
  return { dtype, data: toBase64(q), lo, hi };
}

/**
 * The values of a packed array (validated first: `parse*` checks lengths) as float32.
 * `count` is the number of values; `sliceSize` the slice length of a uint8 array.
 */
export function unpackArray(p: PackedArray, count: number, sliceSize = count): Float32Array {
  intArg("unpackArray", "count", count, { min: 0 });
  intArg("unpackArray", "sliceSize", sliceSize, { min: 0 });
  const slices = sliceSize > 0 ? Math.ceil(count / sliceSize) : 0;
  const r = run("unpackArray", () => packed(p, "p", count, slices));
  if (!r.ok) throw new ValueError(r.error);
  const bytes = fromBase64(p.data);
  if (p.dtype === "float32") {
    const out = new Float32Array(count);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  const out = new Float32Array(count);
  const lo = p.lo ?? [], hi = p.hi ?? [];
  for (let i = 0; i < count; i++) {
    const k = sliceSize > 0 ? Math.floor(i / sliceSize) : 0;
    const a = lo[k] ?? 0, b = hi[k] ?? 0;
    out[i] = a + (bytes[i]! / 255) * (b - a);
  }
  return out;
}

function littleEndianBytes(f: Float32Array): Uint8Array {
  const bytes = new Uint8Array(f.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < f.length; i++) view.setFloat32(4 * i, f[i]!, true);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Checkers

/** What a checker throws; `run` turns it into `{ ok: false, error }`. */
export class PayloadError extends Error {}

export type Obj = Record<string, unknown>;

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "string") return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v;
}

export function fail(path: string, want: string, got: unknown): never {
  throw new PayloadError(`${path}: expected ${want}, got ${describe(got)}`);
}

export function obj(v: unknown, path: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "an object", v);
  return v as Obj;
}

export function str(v: unknown, path: string): string {
  if (typeof v !== "string") fail(path, "a string", v);
  return v;
}

export function num(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(path, "a finite number", v);
  return v;
}

/**
 * A number that may be non-finite in the kernel: sent as null (JSON has no NaN), and read as null
 * too when it is still NaN or ±Infinity (a payload checked before it is serialized).
 */
export function numOrNull(v: unknown, path: string): number | null {
  if (v === null || (typeof v === "number" && !Number.isFinite(v))) return null;
  return num(v, path);
}

export function int(v: unknown, path: string, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) fail(path, `an integer ≥ ${min}`, v);
  return v;
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") fail(path, "true or false", v);
  return v;
}

export function arr(v: unknown, path: string, length?: number): unknown[] {
  if (!Array.isArray(v)) fail(path, length === undefined ? "an array" : `an array of ${length}`, v);
  if (length !== undefined && v.length !== length) fail(path, `an array of ${length}`, v);
  return v;
}

export function nums(v: unknown, path: string, length?: number): number[] {
  return arr(v, path, length).map((x, i) => num(x, `${path}[${i}]`));
}

export function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== "string" || !(options as readonly string[]).includes(v)) fail(path, options.map((o) => JSON.stringify(o)).join(" or "), v);
  return v as T;
}

/** The payload object, its version checked first (a newer payload gets "reads version 1", not a field error). */
export function payloadObject(v: unknown): Obj {
  const o = obj(v, "payload");
  if (o.version !== 1) throw new PayloadError(`payload.version: this widget reads version 1 payloads, got ${describe(o.version)}`);
  return o;
}

export function base64(v: unknown, path: string): string {
  const s = str(v, path);
  if (!isBase64(s)) fail(path, "base64 text", v);
  return s;
}

/** Checks a packed array holds `count` values in `slices` uint8 slices. */
export function packed(v: unknown, path: string, count: number, slices: number): PackedArray {
  const o = obj(v, path);
  const dtype = oneOf(o.dtype, `${path}.dtype`, ["float32", "uint8"] as const);
  const data = base64(o.data, `${path}.data`);
  const bytes = base64ByteLength(data);
  const want = dtype === "float32" ? 4 * count : count;
  if (bytes !== want) throw new PayloadError(`${path}.data: expected ${want} bytes (${count} ${dtype} values), got ${bytes}`);
  if (dtype === "float32") return { dtype, data };
  const lo = nums(o.lo, `${path}.lo`, slices);
  const hi = nums(o.hi, `${path}.hi`, slices);
  return { dtype, data, lo, hi };
}

export function image(v: unknown, path: string): ImageRef {
  const o = obj(v, path);
  return { png: base64(o.png, `${path}.png`), width: int(o.width, `${path}.width`, 1), height: int(o.height, `${path}.height`, 1) };
}

export function box(v: unknown, path: string): BoxCorners {
  const o = obj(v, path);
  return { x1: num(o.x1, `${path}.x1`), y1: num(o.y1, `${path}.y1`), x2: num(o.x2, `${path}.x2`), y2: num(o.y2, `${path}.y2`) };
}

export function classId(v: unknown, path: string, classes: number): number {
  const c = int(v, path);
  if (c >= classes) throw new PayloadError(`${path}: class ${c} is not among the ${classes} classes`);
  return c;
}

/** Metric values by name (null read as NaN). */
export function metrics(v: unknown, path: string): Record<string, number> {
  const o = obj(v, path);
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(o)) out[k] = numOrNull(x, `${path}.${k}`) ?? NaN;
  return out;
}

/** Runs a validator body: its value, or the first checker's complaint prefixed with `what`. */
export function run<T>(what: string, f: () => T): ParseResult<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof PayloadError) return { ok: false, error: `${what}: ${e.message}` };
    return { ok: false, error: `${what}: ${e instanceof Error ? e.message : String(e)}` };
  }
}
