/**
 * safetensors (https://github.com/huggingface/safetensors): the tensor file format of Hugging
 * Face and PyTorch users, written and read by convlab itself (Node only).
 * ```
 * 8 bytes   N, the header length (uint64, little-endian)
 * N bytes   header: UTF-8 JSON { "__metadata__": { string: string }, "<name>": { "dtype": "F32",
 *           "shape": [...], "data_offsets": [begin, end] }, ... }, space-padded to a multiple of 8
 * rest      the tensors' bytes, row-major, little-endian, one after the other without gaps
 * ```
 * convlab adds to the metadata `convlab.version`, `convlab.sha256` (SHA-256 of the data
 * section, checked on load when present) and `convlab.tensors` (JSON: each tensor's own SHA-256,
 * 16 hex digits, so that a mismatch names the damaged tensor). Files are written atomically (temporary file, fsync,
 * rename). Reading checks the header, every entry (dtype, shape, extent, no overlaps or gaps)
 * and the checksum; a problem names the file and the tensor.
 */
import { createHash } from "node:crypto";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { bytesArg, describeValue, stringArg, typeFail } from "../util/check.js";
import { sweepStaleTemps, writeAtomic } from "./atomic.js";
import { pathArg, readFileBytes } from "./files.js";
import { convlabVersion } from "./version.js";

/** What `readSafetensors` returns: the tensors by name (file order) and the string metadata. */
export interface Safetensors {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string>;
}

export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";
const SIZES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function valueBytes(t: Tensor): Uint8Array {
  const d = t.data;
  // Tensors live in typed arrays in host order; every supported host is little-endian, but check.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  const out = new Uint8Array(d.byteLength), v = new DataView(out.buffer);
  for (let i = 0; i < d.length; i++) t.dtype === "float64" ? v.setFloat64(8 * i, d[i]!, true) : v.setFloat32(4 * i, d[i]!, true);
  return out;
}

function parts(fn: string, tensors: Record<string, Tensor>, metadata: Record<string, string> | undefined): Uint8Array[] {
  if (tensors === null || typeof tensors !== "object" || Array.isArray(tensors) || tensors instanceof Tensor)
    typeFail(fn, "tensors", "a record of named tensors ({ name: tensor })", tensors);
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) typeFail(fn, "metadata", "an object of strings", metadata);
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== "string") typeFail(fn, `metadata.${k}`, "a string (safetensors metadata holds strings only)", v);
  }
  const header: Record<string, unknown> = {};
  const data: Uint8Array[] = [];
  const hash = createHash("sha256");
  const perTensor: Record<string, string> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__") throw new ValueError(`${fn}: "__metadata__" cannot name a tensor`);
    if (!(t instanceof Tensor)) typeFail(fn, `tensors.${name}`, "a Tensor", t);
    if (t.dtype !== "float32" && t.dtype !== "float64") throw new ValueError(`${fn}: tensors.${name} has unsupported dtype ${describeValue(t.dtype)}`);
    const b = valueBytes(t);
    header[name] = { dtype: t.dtype === "float64" ? "F64" : "F32", shape: [...t.shape], data_offsets: [offset, offset + b.length] };
    data.push(b);
    hash.update(b);
    perTensor[name] = createHash("sha256").update(b).digest("hex").slice(0, 16);
    offset += b.length;
  }
  header.__metadata__ = { ...(metadata ?? {}), "convlab.version": convlabVersion(), "convlab.sha256": hash.digest("hex"), "convlab.tensors": JSON.stringify(perTensor) };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  const head = new Uint8Array(8 + n).fill(0x20, 8);
  new DataView(head.buffer).setBigUint64(0, BigInt(n), true);
  head.set(json, 8);
  return [head, ...data];
}

/** The bytes of a safetensors file holding `tensors` (float32 → F32, float64 → F64) and string `metadata`. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const ps = parts("io.encodeSafetensors", tensors, metadata);
  const out = new Uint8Array(ps.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of ps) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Writes `tensors` to a safetensors file at `path`, atomically (an interrupted write leaves the
 * previous file intact). Python reads it with `safetensors.torch.load_file(path)`.
 *
 * @example
 * cl.io.writeSafetensors("w.safetensors", { "conv1/kernel": w }, { epoch: "3" });
 */
export function writeSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  pathArg("io.writeSafetensors", path);
  writeAtomic("io.writeSafetensors", path, parts("io.writeSafetensors", tensors, metadata));
}

/** Reads safetensors bytes (see `readSafetensors`); `name` (the file) is used in errors. */
export function decodeSafetensors(bytes: Uint8Array, name = "safetensors"): Safetensors {
  const fn = "io.readSafetensors";
  bytesArg("io.decodeSafetensors", "bytes", bytes);
  stringArg("io.decodeSafetensors", "name", name);
  const bad = (what: string): ValueError => new ValueError(`${fn}: ${name}: ${what}`);
  if (bytes.length < 8) throw bad(`file is truncated (${bytes.length} bytes; a safetensors file has at least 8)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) throw bad(`file is truncated or not safetensors: its header length ${n64} runs past the end of the ${bytes.length}-byte file`);
  const n = Number(n64);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    throw bad("the header is not valid UTF-8 JSON (not a safetensors file, or corrupted)");
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw bad("the header is not a JSON object");
  const base = 8 + n, dataLen = bytes.length - base;
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(header as Record<string, unknown>)) {
    if (k === "__metadata__") {
      if (v === null || typeof v !== "object" || Array.isArray(v) || !Object.values(v).every((s) => typeof s === "string"))
        throw bad("__metadata__ must be an object of strings");
      metadata = { ...(v as Record<string, string>) };
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (e === null || typeof e !== "object") throw bad(`tensor "${k}": the entry is not an object`);
    if (typeof e.dtype !== "string" || !(e.dtype in SIZES)) throw bad(`tensor "${k}": unsupported dtype ${JSON.stringify(e.dtype)} (supported: ${Object.keys(SIZES).join(", ")})`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw bad(`tensor "${k}": invalid shape ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1])
      throw bad(`tensor "${k}": invalid data_offsets ${JSON.stringify(off)}`);
    const dtype = e.dtype as SafetensorsDtype;
    const shape = e.shape as number[];
    const need = shape.reduce((a, b) => a * b, 1) * SIZES[dtype];
    if (off[1] - off[0] !== need) throw bad(`tensor "${k}": data_offsets [${off.join(", ")}] hold ${off[1] - off[0]} bytes but shape [${shape.join(",")}] ${dtype} needs ${need}`);
    if (off[1] > dataLen) throw bad(`tensor "${k}": file is truncated: its data ends at byte ${base + off[1]}, the file has ${bytes.length}`);
    entries.push({ name: k, dtype, shape, begin: off[0], end: off[1] });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) throw bad(`tensor "${e.name}": starts at data byte ${e.begin}, expected ${at} (overlapping tensors or a gap)`);
    at = e.end;
  }
  if (at !== dataLen) throw bad(`the tensors hold ${at} data bytes but ${dataLen} follow the header (trailing bytes or truncated)`);
  const want = metadata["convlab.sha256"];
  if (want !== undefined) {
    const got = createHash("sha256").update(bytes.subarray(base)).digest("hex");
    if (got !== want) {
      // Name the tensors whose bytes no longer match their own hash (convlab.tensors), else the file's.
      let per: Record<string, unknown> = {};
      try {
        per = JSON.parse(metadata["convlab.tensors"] ?? "{}") as Record<string, unknown>;
      } catch { /* names unknown */ }
      const damaged = sorted.filter((e) => typeof per[e.name] === "string" && createHash("sha256").update(bytes.subarray(base + e.begin, base + e.end)).digest("hex").slice(0, 16) !== per[e.name]);
      const which = damaged.length ? damaged : sorted;
      throw bad(`checksum mismatch (convlab.sha256): ${damaged.length ? "the data of" : "the data is corrupted; the file holds"} ${which.slice(0, 3).map((e) => `tensor "${e.name}"`).join(", ")}${which.length > 3 ? ", …" : ""}${damaged.length ? " is corrupted" : ""}`);
    }
  }
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    const src = bytes.subarray(base + e.begin, base + e.end);
    const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const count = (e.end - e.begin) / SIZES[e.dtype];
    let data: Float32Array | Float64Array;
    if (e.dtype === "F64") {
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = dv.getFloat64(8 * i, true);
    } else {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++)
        data[i] = e.dtype === "F32" ? dv.getFloat32(4 * i, true)
          : e.dtype === "F16" ? halfToFloat(dv.getUint16(2 * i, true))
          : e.dtype === "BF16" ? new Float32Array(new Uint32Array([dv.getUint16(2 * i, true) << 16]).buffer)[0]!
          : e.dtype === "I64" ? Number(dv.getBigInt64(8 * i, true))
          : e.dtype === "I32" ? dv.getInt32(4 * i, true)
          : e.dtype === "I16" ? dv.getInt16(2 * i, true)
          : e.dtype === "I8" ? dv.getInt8(i)
          : dv.getUint8(i);
    }
    Object.defineProperty(tensors, e.name, { value: new Tensor(data, e.shape), enumerable: true, writable: true, configurable: true });
  }
  return { tensors, metadata };
}

/**
 * Reads a safetensors file (written by convlab, or by Python's `safetensors`), after checking
 * it: `const { tensors, metadata } = cl.io.readSafetensors("model.safetensors")`. Float64 stays
 * float64; every other dtype becomes float32. Errors name the file and the tensor:
 * `io.readSafetensors: m.safetensors: tensor "fc/kernel": file is truncated: ...`.
 */
export function readSafetensors(path: string): Safetensors {
  pathArg("io.readSafetensors", path);
  sweepStaleTemps(path);
  return decodeSafetensors(readFileBytes("io.readSafetensors", path), path);
}
