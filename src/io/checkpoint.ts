/**
 * Checkpoints: named tensors in one verified binary file (Node only). `model.save`/`model.load`
 * build on `saveTensors`/`loadTensors`.
 *
 * File format "CLCKPT01" (all integers little-endian):
 * ```
 * offset 0    8 bytes  magic, ASCII "CLCKPT01" (01 = format version)
 * offset 8    4 bytes  H, the header length in bytes (uint32)
 * offset 12  32 bytes  SHA-256 of everything after this field (header + payload)
 * offset 44   H bytes  header: UTF-8 JSON, space-padded so the payload starts at a multiple of 8:
 *                      { "format": "convlab-tensors", "version": 1, "payloadBytes": P,
 *                        "tensors": [{ "name", "dtype": "float32"|"float64", "shape": [...],
 *                                      "offset", "byteLength" }, ...],   // offsets into the payload
 *                        "meta": { ...any JSON... } }
 * offset 44+H P bytes  payload: each tensor's values, row-major, little-endian IEEE 754, starting
 *                      at its offset (a multiple of 8; zero bytes between tensors)
 * ```
 * Files are written atomically (temporary file in the same folder, fsync, rename), and
 * `loadTensors` checks the magic, the length, the checksum and every entry before returning.
 */
import { createHash } from "node:crypto";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { bytesArg, describeValue, stringArg, typeFail } from "../util/check.js";
import { sweepStaleTemps, writeAtomic } from "./atomic.js";
import { pathArg, readFileBytes } from "./files.js";
import { concatBytes } from "../inspect/png.js";

/** Any JSON value (what checkpoint `meta` may hold). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** What `loadTensors` returns: the tensors by name (in file order) and the saved `meta`. */
export interface LoadedTensors {
  tensors: Record<string, Tensor>;
  meta: JsonObject;
}

/** One entry of the header's `tensors` list. */
export interface TensorEntry {
  name: string;
  dtype: "float32" | "float64";
  shape: number[];
  offset: number;
  byteLength: number;
}

export const CHECKPOINT_MAGIC = "CLCKPT01";
const PREFIX = 44; // magic 8 + header length 4 + sha256 32
const BYTES = { float32: 4, float64: 8 } as const;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/** The raw little-endian bytes of a tensor's values (a view when the host is little-endian). */
function valueBytes(t: Tensor): Uint8Array {
  const d = t.data;
  if (LITTLE_ENDIAN) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  const out = new Uint8Array(d.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < d.length; i++) {
    if (t.dtype === "float64") view.setFloat64(8 * i, d[i]!, true);
    else view.setFloat32(4 * i, d[i]!, true);
  }
  return out;
}

/** The pieces of a checkpoint file, in order (views of the tensors' data, no copies on little-endian hosts). */
function checkpointParts(tensors: Record<string, Tensor>, meta: JsonObject, op: string): Uint8Array[] {
  if (tensors === null || typeof tensors !== "object" || Array.isArray(tensors) || tensors instanceof Tensor)
    typeFail(op, "tensors", "a record of named tensors ({ name: tensor })", tensors);
  const entries: TensorEntry[] = [];
  const payload: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof Tensor)) throw new ValueError(`${op}: "${name}" is not a Tensor`);
    if (t.dtype !== "float32" && t.dtype !== "float64") throw new ValueError(`${op}: "${name}" has unsupported dtype ${describeValue(t.dtype)}`);
    const bytes = valueBytes(t);
    const start = align8(offset);
    if (start > offset) payload.push(new Uint8Array(start - offset));
    entries.push({ name, dtype: t.dtype, shape: [...t.shape], offset: start, byteLength: bytes.length });
    payload.push(bytes);
    offset = start + bytes.length;
  }
  let json: string;
  try {
    json = JSON.stringify({ format: "convlab-tensors", version: 1, payloadBytes: offset, tensors: entries, meta });
  } catch (e) {
    throw new ValueError(`${op}: meta is not JSON-serializable: ${(e as Error).message}`);
  }
  const raw = new TextEncoder().encode(json);
  const header = new Uint8Array(align8(PREFIX + raw.length) - PREFIX).fill(0x20);
  header.set(raw);
  const hash = createHash("sha256").update(header);
  for (const p of payload) hash.update(p);
  const prefix = new Uint8Array(PREFIX);
  for (let i = 0; i < 8; i++) prefix[i] = CHECKPOINT_MAGIC.charCodeAt(i);
  new DataView(prefix.buffer).setUint32(8, header.length, true);
  prefix.set(hash.digest(), 12);
  return [prefix, header, ...payload];
}

function checkMeta(meta: unknown, op: string): JsonObject {
  if (meta === undefined) return {};
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) throw new ValueError(`${op}: meta must be a JSON object, got ${describeValue(meta)}`);
  return meta as JsonObject;
}

/**
 * The bytes of a checkpoint holding `tensors` (see the format above), without writing a file.
 */
export function encodeTensors(tensors: Record<string, Tensor>, meta?: JsonObject): Uint8Array {
  return concatBytes(checkpointParts(tensors, checkMeta(meta, "encodeTensors"), "encodeTensors"));
}

/**
 * Saves named tensors (and optional JSON `meta`, e.g. a model's config or training step) to
 * `path`, atomically: the old file, if any, is replaced only once the new one is completely
 * written and flushed.
 *
 * @example
 * cl.io.saveTensors("lenet5.ckpt", { "conv1/kernel": w1, "conv1/bias": b1 }, { epoch: 3 });
 */
export function saveTensors(path: string, tensors: Record<string, Tensor>, meta?: JsonObject): void {
  pathArg("saveTensors", path);
  writeAtomic("saveTensors", path, checkpointParts(tensors, checkMeta(meta, "saveTensors"), "saveTensors"));
}

function bad(op: string, name: string, what: string): ValueError {
  return new ValueError(`${op}: ${name}: ${what}`);
}

function checkEntry(e: unknown, i: number, payloadBytes: number, op: string, name: string): TensorEntry {
  const fail = (what: string): ValueError => bad(op, name, `bad header entry ${i}: ${what}`);
  if (e === null || typeof e !== "object") throw fail("not an object");
  const { name: n, dtype, shape, offset, byteLength } = e as Record<string, unknown>;
  if (typeof n !== "string") throw fail("name is not a string");
  if (dtype !== "float32" && dtype !== "float64") throw fail(`"${n}" has unsupported dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw fail(`"${n}" has an invalid shape ${JSON.stringify(shape)}`);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  if (byteLength !== count * BYTES[dtype])
    throw fail(`"${n}" has byteLength ${String(byteLength)} but shape [${shape.join(",")}] ${dtype} needs ${count * BYTES[dtype]}`);
  if (!Number.isInteger(offset) || (offset as number) < 0 || (offset as number) % 8 !== 0 || (offset as number) + count * BYTES[dtype] > payloadBytes)
    throw fail(`"${n}" has offset ${String(offset)} outside the ${payloadBytes}-byte payload`);
  return { name: n, dtype, shape: shape as number[], offset: offset as number, byteLength: byteLength as number };
}

/**
 * Reads a checkpoint from bytes (see `loadTensors`); `name` is used in error messages.
 */
export function decodeTensors(bytes: Uint8Array, name = "checkpoint"): LoadedTensors {
  bytesArg("decodeTensors", "bytes", bytes);
  stringArg("decodeTensors", "name", name);
  const op = "loadTensors";
  if (bytes.length < PREFIX) throw bad(op, name, `file is truncated (${bytes.length} bytes; a checkpoint has at least ${PREFIX})`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== CHECKPOINT_MAGIC)
    throw new ValueError(`${op}: ${name} is not a convlab checkpoint (magic ${JSON.stringify(magic)}, expected "${CHECKPOINT_MAGIC}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const H = view.getUint32(8, true);
  if (PREFIX + H > bytes.length) throw bad(op, name, `file is truncated: its ${H}-byte header runs past the end of the ${bytes.length}-byte file`);
  let header: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + H)));
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) header = parsed as Record<string, unknown>;
  } catch { /* reported below */ }
  const digest = createHash("sha256").update(bytes.subarray(PREFIX)).digest();
  let same = true;
  for (let i = 0; i < 32; i++) if (digest[i] !== bytes[12 + i]) same = false;
  if (!same) {
    const expected = header !== null && Number.isInteger(header.payloadBytes) ? PREFIX + H + (header.payloadBytes as number) : -1;
    if (expected > bytes.length)
      throw bad(op, name, `file is truncated: the header promises ${expected} bytes, the file has ${bytes.length} (checksum mismatch)`);
    throw new ValueError(`${op}: checksum mismatch in ${name} (file corrupted or truncated)`);
  }
  if (header === null) throw bad(op, name, "the header is not a JSON object");
  if (header.format !== "convlab-tensors" || header.version !== 1)
    throw bad(op, name, `unsupported header format ${JSON.stringify(header.format)} version ${JSON.stringify(header.version)} (expected "convlab-tensors" version 1)`);
  const payloadBytes = header.payloadBytes;
  if (!Number.isInteger(payloadBytes) || PREFIX + H + (payloadBytes as number) !== bytes.length)
    throw bad(op, name, `the header says ${String(payloadBytes)} payload bytes but ${bytes.length - PREFIX - H} follow the header`);
  if (!Array.isArray(header.tensors)) throw bad(op, name, "the header has no tensors list");
  const meta = header.meta === undefined ? {} : header.meta;
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) throw bad(op, name, "meta is not a JSON object");

  const tensors: Record<string, Tensor> = {};
  const base = PREFIX + H;
  header.tensors.forEach((raw: unknown, i: number) => {
    const e = checkEntry(raw, i, payloadBytes as number, op, name);
    if (Object.prototype.hasOwnProperty.call(tensors, e.name)) throw bad(op, name, `tensor "${e.name}" appears twice`);
    const count = e.byteLength / BYTES[e.dtype];
    const data = e.dtype === "float64" ? new Float64Array(count) : new Float32Array(count);
    const src = bytes.subarray(base + e.offset, base + e.offset + e.byteLength);
    if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(src);
    else {
      const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
      for (let k = 0; k < count; k++) data[k] = e.dtype === "float64" ? v.getFloat64(8 * k, true) : v.getFloat32(4 * k, true);
    }
    Object.defineProperty(tensors, e.name, { value: new Tensor(data, e.shape), enumerable: true, writable: true, configurable: true });
  });
  return { tensors, meta: meta as JsonObject };
}

/**
 * Loads the tensors saved by `saveTensors`, after verifying the file: magic, header, length,
 * SHA-256 checksum, and each tensor's dtype, shape and extent. A damaged file raises a
 * `ValueError` such as `loadTensors: checksum mismatch in model.ckpt (file corrupted or truncated)`.
 *
 * @example
 * const { tensors, meta } = cl.io.loadTensors("lenet5.ckpt");
 */
export function loadTensors(path: string): LoadedTensors {
  pathArg("loadTensors", path);
  sweepStaleTemps(path);
  return decodeTensors(readFileBytes("loadTensors", path), path);
}
