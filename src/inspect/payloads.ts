/**
 * The widget payloads of DESIGN's "Kernel ↔ extension contract": one JSON object per convlab
 * MIME type, each `{ version: 1, ... }`, built in the kernel (the builders in `src/inspect/`)
 * and drawn by the JupyterLab extension, which validates every payload with the `parse*`
 * functions here before drawing it (a notebook is untrusted input: a bad payload becomes an
 * error box, never an exception or injected HTML).
 *
 * Large numeric arrays travel as base64 of little-endian float32 (or uint8) bytes, see
 * {@link PackedArray}; small ones as plain JSON numbers. JSON has no NaN/Infinity: where a value
 * may be non-finite (a loss, a statistic) the payload allows `null`, read as NaN.
 */
import type { TrainingPayload } from "../runtime/progress.js";
import { TRAINING_MIME } from "../runtime/progress.js";
import { toBase64 } from "./png.js";

export { TRAINING_MIME, type TrainingPayload };

export const FEATUREMAPS_MIME = "application/vnd.convlab.featuremaps+json";
export const ACTIVATIONS_MIME = "application/vnd.convlab.activations+json";
export const DETECTIONS_MIME = "application/vnd.convlab.detections+json";
export const EMBEDDINGS_MIME = "application/vnd.convlab.embeddings+json";
export const MODEL_MIME = "application/vnd.convlab.model+json";

/** The six convlab MIME types, in DESIGN's order. */
export const CONVLAB_MIME_TYPES = [FEATUREMAPS_MIME, ACTIVATIONS_MIME, DETECTIONS_MIME, EMBEDDINGS_MIME, TRAINING_MIME, MODEL_MIME] as const;
export type ConvlabMimeType = (typeof CONVLAB_MIME_TYPES)[number];

// ---------------------------------------------------------------------------------------------
// Shared pieces

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
// application/vnd.convlab.featuremaps+json

/** One layer's output for one example: `nC` maps of `nH×nW`. */
export interface FeatureMapsLayer {
  name: string;
  type: string;
  /** `[nH, nW, nC]` (1-D outputs `[n]` are sent as `[1, n, 1]`). */
  shape: [number, number, number];
  /**
   * The values channel after channel: map `c` is `values[c·nH·nW … (c+1)·nH·nW)`, row-major
   * (the activation's NHWC transposed to CHW). `uint8` uses one `lo`/`hi` per channel.
   */
  maps: PackedArray;
  /** Per channel: the smallest and largest finite value (`null` when the map has none). */
  min: (number | null)[];
  max: (number | null)[];
}

export interface FeatureMapsPayload {
  version: 1;
  /** The model's name. */
  model: string;
  /** Which example of the batch is shown (0-based). */
  example: number;
  /** The example itself, when it is a picture. */
  input?: ImageRef;
  /** Initial colour scale: one for all maps of a layer, or each map its own (default "per-map"). */
  scale?: "shared" | "per-map";
  colormap?: "viridis" | "gray" | "diverging";
  layers: FeatureMapsLayer[];
}

// ---------------------------------------------------------------------------------------------
// application/vnd.convlab.activations+json

export interface Histogram {
  /** Bin edges, ascending: `counts.length + 1` values. */
  edges: number[];
  counts: number[];
}

/** Statistics of one layer's output over a batch (all positions and channels). */
export interface ActivationLayerStats {
  name: string;
  type: string;
  /** Output shape without the batch axis. */
  shape: number[];
  /** Values summarized (batch · size). */
  count: number;
  mean: number | null;
  std: number | null;
  /** Fraction of values exactly 0 (dead ReLUs). */
  fractionZero: number;
  min: number | null;
  max: number | null;
  histogram: Histogram;
}

/** An input patch that makes a unit fire strongly. */
export interface UnitPatch {
  image: ImageRef;
  /** The unit's activation there. */
  activation: number;
  /** Example index in the batch the patch comes from. */
  example: number;
  /** The receptive field in the input, pixels (clipped to the image). */
  box: BoxCorners;
}

/** A unit (channel `unit` of layer `layer`) and its top-k patches, strongest first. */
export interface UnitPatches {
  layer: string;
  unit: number;
  patches: UnitPatch[];
}

export interface ActivationsPayload {
  version: 1;
  model: string;
  /** Training step the statistics belong to (live updates); absent for a one-off look. */
  step?: number;
  layers: ActivationLayerStats[];
  units?: UnitPatches[];
  /**
   * Names the model and batch in the live kernel that made this payload: the widget may ask the
   * kernel (comm method `inspect.topPatches`) for more units' patches while that kernel runs.
   */
  source?: string;
}

// ---------------------------------------------------------------------------------------------
// application/vnd.convlab.detections+json

export interface GroundTruthBox {
  box: BoxCorners;
  classId: number;
}

export interface PredictedBox {
  box: BoxCorners;
  score: number;
  classId: number;
}

export interface DetectionsPayload {
  version: 1;
  /** Size of the frame the boxes live in (pixels, or 1×1 for fractions); the image is stretched onto it. */
  width: number;
  height: number;
  image?: ImageRef;
  /** Class names; `classId` indexes this list. */
  classes: string[];
  groundTruth: GroundTruthBox[];
  /** Every candidate box before NMS (the widget runs `cl.detection.nms` on them). */
  predictions: PredictedBox[];
  /** Initial NMS settings (DESIGN defaults 0.6, 0.5, true). */
  nms: { scoreThreshold: number; iouThreshold: number; perClass: boolean };
  /** The YOLO grid over the frame. */
  grid?: { rows: number; cols: number };
  /** Anchor shapes, in the frame's unit, drawn centred on a grid cell. */
  anchors?: { width: number; height: number }[];
}

// ---------------------------------------------------------------------------------------------
// application/vnd.convlab.embeddings+json

export interface Triplet {
  anchor: number;
  positive: number;
  negative: number;
}

export interface EmbeddingsPayload {
  version: 1;
  /** m points of dimension d. */
  count: number;
  dim: number;
  /** The encodings f(x), `[m, d]` row-major, float32 (the browser computes PCA and distances from them). */
  vectors: PackedArray;
  /** Identity of each point (index into `identities`). */
  labels: number[];
  identities: string[];
  /** A projection made in the kernel (t-SNE), `[m, dims]` row-major. Without it the browser uses PCA. */
  projection?: { method: "tsne" | "pca"; dims: 2 | 3; coords: number[]; seed?: number };
  /** One thumbnail per point (or null), shown on hover. */
  thumbnails?: (ImageRef | null)[];
  triplets?: Triplet[];
  /** Triplet margin α (default 0.2). */
  alpha: number;
  /** Initial verification threshold τ on d = ‖f(x1) − f(x2)‖²: "same person" when d ≤ τ. */
  tau: number;
}

// ---------------------------------------------------------------------------------------------
// application/vnd.convlab.model+json

export interface ModelRow {
  name: string;
  type: string;
  /** Short configuration ("f=5 s=1 p=valid relu"). */
  config: string;
  /** Output shape without the batch axis. */
  outputShape: number[];
  activationSize: number;
  params: number;
  /** Multiplications per example. */
  mults: number;
  /** Names of the rows feeding this one (graph models); absent for the input row. */
  inputs?: string[];
}

export interface ModelPayload {
  version: 1;
  name: string;
  /** "Sequential", "Model", ... */
  type: string;
  rows: ModelRow[];
  totalParams: number;
  trainableParams: number;
  totalMults: number;
}

/** Payload type by MIME type. */
export interface PayloadByMime {
  [FEATUREMAPS_MIME]: FeatureMapsPayload;
  [ACTIVATIONS_MIME]: ActivationsPayload;
  [DETECTIONS_MIME]: DetectionsPayload;
  [EMBEDDINGS_MIME]: EmbeddingsPayload;
  [TRAINING_MIME]: TrainingPayload;
  [MODEL_MIME]: ModelPayload;
}

// ---------------------------------------------------------------------------------------------
// base64

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Bytes of a base64 string (standard alphabet, `=` padding optional); throws on a bad character. */
export function fromBase64(s: string): Uint8Array {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end % 4 === 1) throw new Error(`fromBase64: ${s.length} characters cannot be base64`);
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let o = 0, acc = 0, bits = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new Error(`fromBase64: invalid character at ${i}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** Bytes in a base64 string of `n` characters (padding included). */
function base64Bytes(s: string): number {
  let pad = 0;
  if (s.endsWith("==")) pad = 2;
  else if (s.endsWith("=")) pad = 1;
  return Math.floor(((s.length - pad) * 3) / 4);
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

// ---------------------------------------------------------------------------------------------
// Packing

/**
 * Packs values as float32 (exact) or uint8 (one `lo`/`hi` per slice of `sliceSize` values:
 * 255 levels between the slice's finite extremes).
 */
export function packArray(values: ArrayLike<number>, opts: { dtype?: "float32" | "uint8"; sliceSize?: number } = {}): PackedArray {
  const dtype = opts.dtype ?? "float32";
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
// Validation: small checkers that throw a PayloadError with the JSON path; parse* catch it.

class PayloadError extends Error {}

type Obj = Record<string, unknown>;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === "string") return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return typeof v;
}

function fail(path: string, want: string, got: unknown): never {
  throw new PayloadError(`${path}: expected ${want}, got ${describe(got)}`);
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "an object", v);
  return v as Obj;
}

function str(v: unknown, path: string): string {
  if (typeof v !== "string") fail(path, "a string", v);
  return v;
}

function num(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(path, "a finite number", v);
  return v;
}

/** A number that may be non-finite in the kernel (sent as null). */
function numOrNull(v: unknown, path: string): number | null {
  if (v === null) return null;
  return num(v, path);
}

function int(v: unknown, path: string, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) fail(path, `an integer ≥ ${min}`, v);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") fail(path, "true or false", v);
  return v;
}

function arr(v: unknown, path: string, length?: number): unknown[] {
  if (!Array.isArray(v)) fail(path, length === undefined ? "an array" : `an array of ${length}`, v);
  if (length !== undefined && v.length !== length) fail(path, `an array of ${length}`, v);
  return v;
}

function nums(v: unknown, path: string, length?: number): number[] {
  return arr(v, path, length).map((x, i) => num(x, `${path}[${i}]`));
}

function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== "string" || !(options as readonly string[]).includes(v)) fail(path, options.map((o) => JSON.stringify(o)).join(" or "), v);
  return v as T;
}

/** The payload object, its version checked first (a newer payload gets "reads version 1", not a field error). */
function payloadObject(v: unknown): Obj {
  const o = obj(v, "payload");
  if (o.version !== 1) throw new PayloadError(`payload.version: this widget reads version 1 payloads, got ${describe(o.version)}`);
  return o;
}

function base64(v: unknown, path: string): string {
  const s = str(v, path);
  if (s.length % 4 !== 0 || !BASE64_RE.test(s)) fail(path, "base64 text", v);
  return s;
}

/** Checks a packed array holds `count` values in `slices` uint8 slices. */
function packed(v: unknown, path: string, count: number, slices: number): PackedArray {
  const o = obj(v, path);
  const dtype = oneOf(o.dtype, `${path}.dtype`, ["float32", "uint8"] as const);
  const data = base64(o.data, `${path}.data`);
  const bytes = base64Bytes(data);
  const want = dtype === "float32" ? 4 * count : count;
  if (bytes !== want) throw new PayloadError(`${path}.data: expected ${want} bytes (${count} ${dtype} values), got ${bytes}`);
  if (dtype === "float32") return { dtype, data };
  const lo = nums(o.lo, `${path}.lo`, slices);
  const hi = nums(o.hi, `${path}.hi`, slices);
  return { dtype, data, lo, hi };
}

function image(v: unknown, path: string): ImageRef {
  const o = obj(v, path);
  return { png: base64(o.png, `${path}.png`), width: int(o.width, `${path}.width`, 1), height: int(o.height, `${path}.height`, 1) };
}

function box(v: unknown, path: string): BoxCorners {
  const o = obj(v, path);
  return { x1: num(o.x1, `${path}.x1`), y1: num(o.y1, `${path}.y1`), x2: num(o.x2, `${path}.x2`), y2: num(o.y2, `${path}.y2`) };
}

function classId(v: unknown, path: string, classes: number): number {
  const c = int(v, path);
  if (c >= classes) throw new PayloadError(`${path}: class ${c} is not among the ${classes} classes`);
  return c;
}

function metrics(v: unknown, path: string): Record<string, number> {
  const o = obj(v, path);
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(o)) out[k] = numOrNull(x, `${path}.${k}`) ?? NaN;
  return out;
}

function run<T>(what: string, f: () => T): ParseResult<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    if (e instanceof PayloadError) return { ok: false, error: `${what}: ${e.message}` };
    return { ok: false, error: `${what}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Validators

/** Validates a feature-maps payload (sizes of every packed map included). */
export function parseFeatureMaps(v: unknown): ParseResult<FeatureMapsPayload> {
  return run("feature maps", () => {
    const o = payloadObject(v);
    const p: FeatureMapsPayload = {
      version: 1,
      model: str(o.model, "payload.model"),
      example: int(o.example, "payload.example"),
      layers: arr(o.layers, "payload.layers").map((l, i) => {
        const path = `payload.layers[${i}]`;
        const lo = obj(l, path);
        const shape = arr(lo.shape, `${path}.shape`, 3).map((d, j) => int(d, `${path}.shape[${j}]`, 1)) as [number, number, number];
        const [nH, nW, nC] = shape;
        const mm = (x: unknown, p2: string): (number | null)[] => arr(x, p2, nC).map((y, j) => numOrNull(y, `${p2}[${j}]`));
        return {
          name: str(lo.name, `${path}.name`),
          type: str(lo.type, `${path}.type`),
          shape,
          maps: packed(lo.maps, `${path}.maps`, nH * nW * nC, nC),
          min: mm(lo.min, `${path}.min`),
          max: mm(lo.max, `${path}.max`),
        };
      }),
    };
    if (p.layers.length === 0) throw new PayloadError("payload.layers: expected at least one layer, got none");
    if (o.input !== undefined) p.input = image(o.input, "payload.input");
    if (o.scale !== undefined) p.scale = oneOf(o.scale, "payload.scale", ["shared", "per-map"] as const);
    if (o.colormap !== undefined) p.colormap = oneOf(o.colormap, "payload.colormap", ["viridis", "gray", "diverging"] as const);
    return p;
  });
}

function histogram(v: unknown, path: string): Histogram {
  const o = obj(v, path);
  const counts = arr(o.counts, `${path}.counts`).map((c, i) => int(c, `${path}.counts[${i}]`));
  const edges = nums(o.edges, `${path}.edges`, counts.length + 1);
  for (let i = 1; i < edges.length; i++) if (!(edges[i]! >= edges[i - 1]!)) throw new PayloadError(`${path}.edges: expected ascending values, got ${edges[i - 1]} then ${edges[i]}`);
  return { edges, counts };
}

/** Validates an activations payload. */
export function parseActivations(v: unknown): ParseResult<ActivationsPayload> {
  return run("activations", () => {
    const o = payloadObject(v);
    const p: ActivationsPayload = {
      version: 1,
      model: str(o.model, "payload.model"),
      layers: arr(o.layers, "payload.layers").map((l, i) => {
        const path = `payload.layers[${i}]`;
        const lo = obj(l, path);
        const fz = num(lo.fractionZero, `${path}.fractionZero`);
        if (fz < 0 || fz > 1) fail(`${path}.fractionZero`, "a fraction in [0, 1]", fz);
        return {
          name: str(lo.name, `${path}.name`),
          type: str(lo.type, `${path}.type`),
          shape: arr(lo.shape, `${path}.shape`).map((d, j) => int(d, `${path}.shape[${j}]`)),
          count: int(lo.count, `${path}.count`),
          mean: numOrNull(lo.mean, `${path}.mean`),
          std: numOrNull(lo.std, `${path}.std`),
          fractionZero: fz,
          min: numOrNull(lo.min, `${path}.min`),
          max: numOrNull(lo.max, `${path}.max`),
          histogram: histogram(lo.histogram, `${path}.histogram`),
        };
      }),
    };
    if (o.step !== undefined) p.step = int(o.step, "payload.step");
    if (o.source !== undefined) p.source = str(o.source, "payload.source");
    if (o.units !== undefined)
      p.units = arr(o.units, "payload.units").map((u, i) => {
        const path = `payload.units[${i}]`;
        const uo = obj(u, path);
        return {
          layer: str(uo.layer, `${path}.layer`),
          unit: int(uo.unit, `${path}.unit`),
          patches: arr(uo.patches, `${path}.patches`).map((q, j) => {
            const pp = `${path}.patches[${j}]`;
            const qo = obj(q, pp);
            return { image: image(qo.image, `${pp}.image`), activation: num(qo.activation, `${pp}.activation`), example: int(qo.example, `${pp}.example`), box: box(qo.box, `${pp}.box`) };
          }),
        };
      });
    return p;
  });
}

/** Validates a detections payload (class ids within `classes`). */
export function parseDetections(v: unknown): ParseResult<DetectionsPayload> {
  return run("detections", () => {
    const o = payloadObject(v);
    const classes = arr(o.classes, "payload.classes").map((c, i) => str(c, `payload.classes[${i}]`));
    const n = obj(o.nms, "payload.nms");
    const frac = (x: unknown, path: string): number => {
      const f = num(x, path);
      if (f < 0 || f > 1) fail(path, "a threshold in [0, 1]", f);
      return f;
    };
    const p: DetectionsPayload = {
      version: 1,
      width: num(o.width, "payload.width"),
      height: num(o.height, "payload.height"),
      classes,
      groundTruth: arr(o.groundTruth, "payload.groundTruth").map((g, i) => {
        const path = `payload.groundTruth[${i}]`;
        const go = obj(g, path);
        return { box: box(go.box, `${path}.box`), classId: classId(go.classId, `${path}.classId`, classes.length) };
      }),
      predictions: arr(o.predictions, "payload.predictions").map((d, i) => {
        const path = `payload.predictions[${i}]`;
        const dO = obj(d, path);
        return { box: box(dO.box, `${path}.box`), score: num(dO.score, `${path}.score`), classId: classId(dO.classId, `${path}.classId`, classes.length) };
      }),
      nms: { scoreThreshold: frac(n.scoreThreshold, "payload.nms.scoreThreshold"), iouThreshold: frac(n.iouThreshold, "payload.nms.iouThreshold"), perClass: bool(n.perClass, "payload.nms.perClass") },
    };
    if (!(p.width > 0) || !(p.height > 0)) throw new PayloadError(`payload.width/height: expected a positive frame size, got ${p.width}×${p.height}`);
    if (o.image !== undefined) p.image = image(o.image, "payload.image");
    if (o.grid !== undefined) {
      const g = obj(o.grid, "payload.grid");
      p.grid = { rows: int(g.rows, "payload.grid.rows", 1), cols: int(g.cols, "payload.grid.cols", 1) };
    }
    if (o.anchors !== undefined)
      p.anchors = arr(o.anchors, "payload.anchors").map((a, i) => {
        const ao = obj(a, `payload.anchors[${i}]`);
        return { width: num(ao.width, `payload.anchors[${i}].width`), height: num(ao.height, `payload.anchors[${i}].height`) };
      });
    return p;
  });
}

/** Validates an embeddings payload (indices of labels and triplets within range). */
export function parseEmbeddings(v: unknown): ParseResult<EmbeddingsPayload> {
  return run("embeddings", () => {
    const o = payloadObject(v);
    const m = int(o.count, "payload.count", 1);
    const d = int(o.dim, "payload.dim", 1);
    const identities = arr(o.identities, "payload.identities").map((s, i) => str(s, `payload.identities[${i}]`));
    const index = (x: unknown, path: string, n: number, what: string): number => {
      const k = int(x, path);
      if (k >= n) throw new PayloadError(`${path}: ${what} ${k} is out of range (${n})`);
      return k;
    };
    const p: EmbeddingsPayload = {
      version: 1,
      count: m,
      dim: d,
      vectors: packed(o.vectors, "payload.vectors", m * d, m),
      labels: arr(o.labels, "payload.labels", m).map((l, i) => index(l, `payload.labels[${i}]`, identities.length, "identity")),
      identities,
      alpha: num(o.alpha, "payload.alpha"),
      tau: num(o.tau, "payload.tau"),
    };
    if (o.projection !== undefined) {
      const pr = obj(o.projection, "payload.projection");
      const dims = pr.dims === 2 || pr.dims === 3 ? pr.dims : fail("payload.projection.dims", "2 or 3", pr.dims);
      p.projection = {
        method: oneOf(pr.method, "payload.projection.method", ["tsne", "pca"] as const),
        dims,
        coords: nums(pr.coords, "payload.projection.coords", m * dims),
      };
      if (pr.seed !== undefined) p.projection.seed = int(pr.seed, "payload.projection.seed");
    }
    if (o.thumbnails !== undefined) p.thumbnails = arr(o.thumbnails, "payload.thumbnails", m).map((t, i) => (t === null ? null : image(t, `payload.thumbnails[${i}]`)));
    if (o.triplets !== undefined)
      p.triplets = arr(o.triplets, "payload.triplets").map((t, i) => {
        const path = `payload.triplets[${i}]`;
        const to = obj(t, path);
        return { anchor: index(to.anchor, `${path}.anchor`, m, "point"), positive: index(to.positive, `${path}.positive`, m, "point"), negative: index(to.negative, `${path}.negative`, m, "point") };
      });
    return p;
  });
}

/** Validates the live training payload (`TrainingPayload`, built by `cl.runtime.TrainingProgress`). */
export function parseTraining(v: unknown): ParseResult<TrainingPayload> {
  return run("training", () => {
    const o = payloadObject(v);
    const steps = nums(o.steps, "payload.steps");
    const losses = arr(o.losses, "payload.losses", steps.length).map((x, i) => numOrNull(x, `payload.losses[${i}]`) ?? NaN);
    return {
      version: 1,
      status: oneOf(o.status, "payload.status", ["running", "done", "interrupted"] as const),
      epoch: int(o.epoch, "payload.epoch"),
      epochs: int(o.epochs, "payload.epochs"),
      batch: int(o.batch, "payload.batch"),
      batches: o.batches === null ? null : int(o.batches, "payload.batches"),
      step: int(o.step, "payload.step"),
      elapsedMs: num(o.elapsedMs, "payload.elapsedMs"),
      loss: numOrNull(o.loss, "payload.loss") ?? NaN,
      metrics: metrics(o.metrics, "payload.metrics"),
      steps,
      losses,
      history: arr(o.history, "payload.history").map((h, i) => {
        const path = `payload.history[${i}]`;
        const ho = obj(h, path);
        return { epoch: int(ho.epoch, `${path}.epoch`), loss: numOrNull(ho.loss, `${path}.loss`) ?? NaN, metrics: metrics(ho.metrics, `${path}.metrics`) };
      }),
    };
  });
}

/** Validates a model-summary payload (row inputs must name earlier rows). */
export function parseModel(v: unknown): ParseResult<ModelPayload> {
  return run("model", () => {
    const o = payloadObject(v);
    const seen = new Set<string>();
    const rows = arr(o.rows, "payload.rows").map((r, i) => {
      const path = `payload.rows[${i}]`;
      const ro = obj(r, path);
      const row: ModelRow = {
        name: str(ro.name, `${path}.name`),
        type: str(ro.type, `${path}.type`),
        config: str(ro.config, `${path}.config`),
        outputShape: arr(ro.outputShape, `${path}.outputShape`).map((d, j) => int(d, `${path}.outputShape[${j}]`)),
        activationSize: int(ro.activationSize, `${path}.activationSize`),
        params: int(ro.params, `${path}.params`),
        mults: int(ro.mults, `${path}.mults`),
      };
      if (ro.inputs !== undefined)
        row.inputs = arr(ro.inputs, `${path}.inputs`).map((n, j) => {
          const name = str(n, `${path}.inputs[${j}]`);
          if (!seen.has(name)) throw new PayloadError(`${path}.inputs[${j}]: '${name}' is not an earlier row`);
          return name;
        });
      seen.add(row.name);
      return row;
    });
    return {
      version: 1,
      name: str(o.name, "payload.name"),
      type: str(o.type, "payload.type"),
      rows,
      totalParams: int(o.totalParams, "payload.totalParams"),
      trainableParams: int(o.trainableParams, "payload.trainableParams"),
      totalMults: int(o.totalMults, "payload.totalMults"),
    };
  });
}

const PARSERS: { [M in ConvlabMimeType]: (v: unknown) => ParseResult<PayloadByMime[M]> } = {
  [FEATUREMAPS_MIME]: parseFeatureMaps,
  [ACTIVATIONS_MIME]: parseActivations,
  [DETECTIONS_MIME]: parseDetections,
  [EMBEDDINGS_MIME]: parseEmbeddings,
  [TRAINING_MIME]: parseTraining,
  [MODEL_MIME]: parseModel,
};

/** Validates the payload of any convlab MIME type. */
export function parsePayload<M extends ConvlabMimeType>(mime: M, v: unknown): ParseResult<PayloadByMime[M]> {
  const parse = PARSERS[mime] as ((v: unknown) => ParseResult<PayloadByMime[M]>) | undefined;
  if (!parse) return { ok: false, error: `convlab: unknown MIME type ${String(mime)}` };
  return parse(v);
}
