/**
 * TensorFlow.js weight manifests (Node): `cl.io.readTfjsWeights("model/tiny_face_detector_model-weights_manifest.json")`
 * reads a `*-weights_manifest.json` and its shard files and returns the weights by name.
 *
 * A manifest is a list of weight groups `{ paths: [shard files], weights: [{ name, shape, dtype,
 * quantization? }] }`; a group's shards, concatenated, hold its weights one after the other in
 * manifest order. dtypes: `float32`, `int32`, `float16` (2 bytes), `bool` (1 byte); quantised
 * weights store `uint8`/`uint16` codes q with `value = q·scale + min` (`int32` weights rounded, as
 * tfjs does) or `float16` halves. Every value comes back as a float32 tensor (int32 and bool
 * values are integers; exact below 2^24).
 *
 * Everything is checked before any tensor is made: the manifest's structure, each entry's name
 * (unique), dtype, shape and quantization, and the shards' total size against the sum of the
 * entries' byte sizes (a truncated or padded shard is an error naming the file and the tensor
 * that does not fit).
 */
import { dirname, resolve as resolvePath, isAbsolute } from "node:path";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { describeValue, typeFail } from "../util/check.js";
import { pathArg, readFileBytes } from "./files.js";

/** One weight of a manifest, as tfjs writes it. */
export interface TfjsWeightEntry {
  name: string;
  shape: number[];
  dtype: "float32" | "int32" | "float16" | "bool";
  quantization?: { dtype: "uint8" | "uint16" | "float16"; scale?: number; min?: number; original_dtype?: string };
}

/** One weight group: shard file names (relative to the manifest) and the weights they hold. */
export interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightEntry[];
}

export interface ReadTfjsWeightsOptions {
  /** Folder the shard paths are relative to (default: the manifest's folder). */
  dir?: string;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, float16: 2, bool: 1 };
const QUANT_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** A float16 bit pattern as a number. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Checks a parsed manifest (what `JSON.parse` gave) and returns it typed; `where` names the file. */
export function checkTfjsManifest(fn: string, manifest: unknown, where: string): TfjsWeightGroup[] {
  const bad = (msg: string): never => {
    throw new ValueError(`${fn}: ${where}: ${msg}`);
  };
  if (!Array.isArray(manifest)) bad(`a weights manifest must be a JSON array of weight groups { paths, weights }, got ${describeValue(manifest)}`);
  const names = new Set<string>();
  (manifest as unknown[]).forEach((g, gi) => {
    if (!isRecord(g)) bad(`weight group ${gi} must be an object { paths, weights }, got ${describeValue(g)}`);
    const grp = g as Record<string, unknown>;
    if (!Array.isArray(grp.paths) || grp.paths.some((p) => typeof p !== "string" || p.length === 0 || p.includes("\0")))
      bad(`weight group ${gi}: paths must be an array of shard file names, got ${describeValue(grp.paths)}`);
    if (!Array.isArray(grp.weights)) bad(`weight group ${gi}: weights must be an array, got ${describeValue(grp.weights)}`);
    (grp.weights as unknown[]).forEach((w, wi) => {
      if (!isRecord(w)) bad(`weight group ${gi}, entry ${wi} must be an object { name, shape, dtype }, got ${describeValue(w)}`);
      const e = w as Record<string, unknown>;
      if (typeof e.name !== "string" || e.name.length === 0) bad(`weight group ${gi}, entry ${wi}: name must be a non-empty string, got ${describeValue(e.name)}`);
      const name = e.name as string;
      const at = `tensor '${name}'`;
      if (names.has(name)) bad(`${at} appears twice (duplicate name)`);
      names.add(name);
      if (!Array.isArray(e.shape) || e.shape.some((d) => typeof d !== "number" || !Number.isSafeInteger(d) || d < 0))
        bad(`${at}: shape must be an array of non-negative integers, got ${JSON.stringify(e.shape)}`);
      if (typeof e.dtype !== "string" || !(e.dtype in DTYPE_BYTES))
        bad(`${at}: unknown dtype ${JSON.stringify(e.dtype)} (expected ${Object.keys(DTYPE_BYTES).join(", ")})`);
      if (e.quantization !== undefined) {
        const q = e.quantization;
        if (!isRecord(q)) bad(`${at}: quantization must be an object { dtype, scale, min }, got ${describeValue(q)}`);
        const qq = q as Record<string, unknown>;
        if (typeof qq.dtype !== "string" || !(qq.dtype in QUANT_BYTES))
          bad(`${at}: unknown quantization dtype ${JSON.stringify(qq.dtype)} (expected ${Object.keys(QUANT_BYTES).join(", ")})`);
        if (qq.dtype !== "float16")
          for (const k of ["scale", "min"])
            if (typeof qq[k] !== "number" || !Number.isFinite(qq[k])) bad(`${at}: quantization.${k} must be a finite number, got ${describeValue(qq[k])}`);
        if (e.dtype !== "float32" && e.dtype !== "int32") bad(`${at}: quantised weights must have dtype float32 or int32, got ${e.dtype}`);
      }
    });
  });
  return manifest as TfjsWeightGroup[];
}

/** Bytes of one entry in its shard. */
export function tfjsEntryBytes(e: TfjsWeightEntry): number {
  const n = e.shape.reduce((a, b) => a * b, 1);
  return n * (e.quantization ? QUANT_BYTES[e.quantization.dtype]! : DTYPE_BYTES[e.dtype]!);
}

function decodeEntry(e: TfjsWeightEntry, bytes: Uint8Array, offset: number): Float32Array {
  const n = e.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, tfjsEntryBytes(e));
  const out = new Float32Array(n);
  const q = e.quantization;
  if (q) {
    const scale = q.scale ?? 1, min = q.min ?? 0;
    const round = e.dtype === "int32";
    if (q.dtype === "float16") for (let i = 0; i < n; i++) out[i] = half(view.getUint16(2 * i, true));
    else if (q.dtype === "uint8") for (let i = 0; i < n; i++) { const v = view.getUint8(i) * scale + min; out[i] = round ? Math.round(v) : v; }
    else for (let i = 0; i < n; i++) { const v = view.getUint16(2 * i, true) * scale + min; out[i] = round ? Math.round(v) : v; }
    return out;
  }
  switch (e.dtype) {
    case "float32": for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true); break;
    case "int32": for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true); break;
    case "float16": for (let i = 0; i < n; i++) out[i] = half(view.getUint16(2 * i, true)); break;
    case "bool": for (let i = 0; i < n; i++) out[i] = view.getUint8(i) ? 1 : 0; break;
  }
  return out;
}

/**
 * Decodes a checked manifest's weights from its shards' bytes (`shards[g][k]` = group g's k-th
 * path), checking that each group's shards hold exactly its entries. `names[g][k]` name the shard
 * files in errors.
 */
export function decodeTfjsWeights(fn: string, groups: TfjsWeightGroup[], shards: Uint8Array[][], names: string[][]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  groups.forEach((g, gi) => {
    const parts = shards[gi]!;
    const total = parts.reduce((a, p) => a + p.length, 0);
    const bytes = parts.length === 1 ? parts[0]! : new Uint8Array(total);
    if (parts.length !== 1) {
      let o = 0;
      for (const p of parts) { bytes.set(p, o); o += p.length; }
    }
    // Which shard a byte offset falls in, for messages.
    const shardAt = (off: number): string => {
      let o = 0;
      for (let k = 0; k < parts.length; k++) {
        o += parts[k]!.length;
        if (off < o) return names[gi]![k]!;
      }
      return names[gi]![parts.length - 1] ?? "(no shard)";
    };
    const files = names[gi]!.join(", ");
    let offset = 0;
    for (const e of g.weights) {
      const len = tfjsEntryBytes(e);
      if (offset + len > total)
        throw new ValueError(
          `${fn}: tensor '${e.name}' (${e.dtype}${e.quantization ? ` quantised ${e.quantization.dtype}` : ""} [${e.shape.join(",")}], ${len} bytes at offset ${offset}) ` +
            `runs past the end of the shards (${files}: ${total} bytes; ${offset + len - total} bytes missing): is ${shardAt(Math.max(0, total - 1))} truncated?`,
        );
      offset += len;
    }
    if (offset !== total)
      throw new ValueError(`${fn}: the shards ${files} hold ${total} bytes but the manifest's entries need ${offset} (${total - offset} bytes too many): the manifest and the shards do not match`);
    offset = 0;
    for (const e of g.weights) {
      out[e.name] = new Tensor(decodeEntry(e, bytes, offset), [...e.shape]);
      offset += tfjsEntryBytes(e);
    }
  });
  return out;
}

/**
 * Reads a TensorFlow.js weights manifest and its shards: name → float32 tensor, in manifest
 * order. `opts.dir` overrides the folder the shard paths are relative to.
 *
 *   const w = cl.io.readTfjsWeights("node_modules/@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json");
 *   w["conv0/filters"].shape   // [3, 3, 3, 16]
 */
export function readTfjsWeights(manifestPath: string, opts: ReadTfjsWeightsOptions = {}): Record<string, Tensor> {
  const fn = "io.readTfjsWeights";
  pathArg(fn, manifestPath, "manifestPath");
  if (!isRecord(opts)) typeFail(fn, "opts", "an options object { dir? }", opts);
  const dir = opts.dir === undefined ? dirname(manifestPath) : pathArg(fn, opts.dir, "opts.dir");
  const text = new TextDecoder().decode(readFileBytes(fn, manifestPath));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`${fn}: ${manifestPath} is not valid JSON: ${(e as Error).message}`);
  }
  const groups = checkTfjsManifest(fn, parsed, manifestPath);
  const names = groups.map((g) => g.paths.map((p) => (isAbsolute(p) ? p : resolvePath(dir, p))));
  const shards = names.map((ps) => ps.map((p) => readFileBytes(fn, p)));
  return decodeTfjsWeights(fn, groups, shards, names);
}
