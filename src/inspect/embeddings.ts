/**
 * Embeddings (face encodings f(x) and the like): `cl.inspect.embeddings(f, { labels })` draws
 * them as a 2-D/3-D scatter coloured by identity, with triplets (anchor, positive, negative),
 * their distances and margin violations, and face verification at a threshold τ with its ROC
 * curve. The numerics are shared by the kernel and the browser widget: seeded PCA and t-SNE
 * (`cl.inspect.tsne`) here; pair distances, verification accuracy, ROC and triplet losses in
 * `src/face/distances.ts`.
 *
 * Distances are squared Euclidean, `d = ‖f(x1) − f(x2)‖²`, as in the course; two pictures show
 * the same person when `d ≤ τ`.
 */
import { Tensor } from "../tensor/tensor.js";
import { Rng } from "../util/rng.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { registerCommHandler } from "../runtime/comms.js";
import { widgetBundle, type MimeBundle } from "./display.js";
import { EMBEDDINGS_MIME, checkedPayload, fromBase64, packArray, payloadArg, type EmbeddingsPayload, type ImageRef, type Triplet } from "./payloads.js";
import { arrayArg, describeValue, intArg, numberArg, numbersArg, optIntArg, optNumberArg, optOneOfArg, optionsArg, requiredOptionsArg, seedArg, stringArg, typeFail } from "../util/check.js";
import { checkAllocation } from "../util/limits.js";
import { bestThreshold, rocCurve, squaredDistance, tripletStats, tripletsArg, verificationAccuracy, verificationPairs } from "../face/distances.js";

// The verification and triplet numerics live in src/face (one implementation); re-exported here
// for the widget and for `cl.inspect` users.
export { bestThreshold, rocCurve, squaredDistance, tripletStats, verificationAccuracy, verificationPairs, equalErrorRate, type Pairs, type TripletStats } from "../face/distances.js";

/** Most iterations `pca` and `tsne` accept (each is a pass over all points or pairs). */
const MAX_ITERATIONS = 100_000;

/** Checks row-major `vectors` of m points of dimension d (the numerics' common arguments). */
function pointsArg(fn: string, vectors: ArrayLike<number>, m: number, d: number): void {
  numbersArg(fn, "vectors", vectors);
  intArg(fn, "m", m, { min: 0 });
  intArg(fn, "d", d, { min: 0 });
}
import { Raster, exampleOf, imageRef, paletteRgb } from "./raster.js";

// ---------------------------------------------------------------------------------------------
// PCA

export interface PcaOptions {
  /** Components to keep (default 2). */
  dims?: number;
  /** Seed of the power iteration's start vectors (default 0): the same seed, the same result. */
  seed?: number;
  /** Most power-iteration steps per component (default 500). */
  iterations?: number;
}

export interface PcaResult {
  /** `[m, dims]` row-major: the centred points projected on the components. */
  coords: Float64Array;
  /** `[dims, d]` row-major: unit principal directions, largest variance first; each one's largest-magnitude entry is positive. */
  components: Float64Array;
  /** Variance along each component. */
  variances: number[];
  /** Fraction of the total variance each component explains. */
  explained: number[];
}

/**
 * Principal component analysis of `m` points of dimension `d` (row-major `vectors`), by power
 * iteration with deflation on the covariance `Xcᵀ·Xc / (m − 1)` (never formed: each step is
 * two products with the centred data). Deterministic for a given seed.
 */
export function pca(vectors: ArrayLike<number>, m: number, d: number, opts: PcaOptions = {}): PcaResult {
  pointsArg("pca", vectors, m, d);
  opts = optionsArg("pca", opts);
  seedArg("pca", opts.seed, "opts.seed");
  optIntArg("pca", "opts.iterations", opts.iterations, { min: 1, max: MAX_ITERATIONS });
  const dims = optIntArg("pca", "opts.dims", opts.dims, { min: 1 }) ?? 2;
  if (!Number.isInteger(m) || !Number.isInteger(d) || m < 1 || d < 1 || vectors.length !== m * d)
    throw new ShapeError(`pca: expected m·d = ${m}·${d} values, got ${vectors.length}`);
  if (!Number.isInteger(dims) || dims < 1 || dims > d) throw new ValueError(`pca: dims must be an integer in [1, ${d}], got ${dims}`);
  const iters = opts.iterations ?? 500;
  const x = new Float64Array(m * d);
  const mean = new Float64Array(d);
  for (let i = 0; i < m; i++) for (let j = 0; j < d; j++) mean[j]! += vectors[i * d + j]! / m;
  let total = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < d; j++) {
      const v = vectors[i * d + j]! - mean[j]!;
      x[i * d + j] = v;
      total += v * v;
    }
  const denom = Math.max(1, m - 1);
  total /= denom;
  const rng = new Rng(opts.seed ?? 0);
  const comps = new Float64Array(dims * d);
  const variances: number[] = [];
  const xv = new Float64Array(m);
  for (let k = 0; k < dims; k++) {
    let v = new Float64Array(d);
    for (let j = 0; j < d; j++) v[j] = rng.normal();
    let lambda = 0;
    for (let it = 0; it < iters; it++) {
      orthogonalize(v, comps, k, d);
      normalize(v);
      // w = C v = Xᵀ (X v) / (m − 1)
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += x[i * d + j]! * v[j]!;
        xv[i] = s;
      }
      const w = new Float64Array(d);
      for (let i = 0; i < m; i++) {
        const s = xv[i]! / denom;
        if (s !== 0) for (let j = 0; j < d; j++) w[j]! += x[i * d + j]! * s;
      }
      orthogonalize(w, comps, k, d);
      const norm = Math.hypot(...w);
      const next = norm > 0 ? w.map((q) => q / norm) : w;
      let diff = 0;
      for (let j = 0; j < d; j++) diff = Math.max(diff, Math.abs(next[j]! - v[j]!));
      lambda = norm;
      v = norm > 0 ? next : v;
      if (diff < 1e-12) break;
    }
    // Sign convention: the largest-magnitude entry is positive.
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(v[j]!) > Math.abs(v[big]!)) big = j;
    if (v[big]! < 0) for (let j = 0; j < d; j++) v[j] = -v[j]!;
    comps.set(v, k * d);
    variances.push(lambda);
  }
  const coords = new Float64Array(m * dims);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < dims; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j]! * comps[k * d + j]!;
      coords[i * dims + k] = s;
    }
  return { coords, components: comps, variances, explained: variances.map((l) => (total > 0 ? l / total : 0)) };
}

function orthogonalize(v: Float64Array, comps: Float64Array, k: number, d: number): void {
  for (let q = 0; q < k; q++) {
    let dot = 0;
    for (let j = 0; j < d; j++) dot += v[j]! * comps[q * d + j]!;
    for (let j = 0; j < d; j++) v[j]! -= dot * comps[q * d + j]!;
  }
}

function normalize(v: Float64Array): void {
  const n = Math.hypot(...v);
  if (n > 0) for (let j = 0; j < v.length; j++) v[j]! /= n;
}

// ---------------------------------------------------------------------------------------------
// t-SNE

export interface TsneOptions {
  /** Output dimensions, 2 or 3 (default 2). */
  dims?: 2 | 3;
  /** Effective number of neighbours (default 30, at most (m − 1)/3). */
  perplexity?: number;
  /** Gradient steps (default 500). */
  iterations?: number;
  /** Step size (default max(m / 12 / 4, 50)). */
  learningRate?: number;
  /** Seed of the initial layout (default 0). */
  seed?: number;
}

/**
 * t-SNE (van der Maaten & Hinton, 2008), exact O(m²) form: Gaussian neighbourhoods of the given
 * perplexity in the input, Student-t in the output, early exaggeration 12 for the first quarter
 * of the steps (at most 250), momentum 0.5 then 0.8, adaptive gains. Returns `[m, dims]`
 * row-major; deterministic for a seed.
 */
export function tsneCoords(vectors: ArrayLike<number>, m: number, d: number, opts: TsneOptions = {}): Float64Array {
  pointsArg("tsne", vectors, m, d);
  opts = optionsArg("tsne", opts);
  const dims = opts.dims ?? 2;
  if (dims !== 2 && dims !== 3) throw new ValueError(`tsne: dims must be 2 or 3, got ${typeof dims === "number" ? dims : describeValue(dims)}`);
  if (vectors.length !== m * d || m < 2) throw new ShapeError(`tsne: expected at least 2 points, m·d = ${m}·${d} values, got ${vectors.length}`);
  checkAllocation("tsne", m * m, 8 * 3, `${m} points (3 m×m float64 tables)`);
  const perplexity = optNumberArg("tsne", "opts.perplexity", opts.perplexity) ?? Math.min(30, Math.max(1, (m - 1) / 3));
  if (!(perplexity > 0) || perplexity > m - 1) throw new ValueError(`tsne: perplexity must be in (0, m − 1 = ${m - 1}], got ${perplexity}`);
  const iterations = optIntArg("tsne", "opts.iterations", opts.iterations, { min: 0, max: MAX_ITERATIONS }) ?? 500;
  const lr = optNumberArg("tsne", "opts.learningRate", opts.learningRate, { above: 0, max: 1e6 }) ?? Math.max(m / 12 / 4, 50);
  seedArg("tsne", opts.seed, "opts.seed");
  for (let i = 0; i < vectors.length; i++) if (!Number.isFinite(vectors[i]!)) throw new ValueError(`tsne: the points must be finite, value ${i} is ${vectors[i]}`);
  // Pairwise squared distances.
  const D = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = i + 1; j < m; j++) D[i * m + j] = D[j * m + i] = squaredDistance(vectors, d, i, j);
  // Conditional P(j|i) by binary search on the precision beta = 1/(2σ²).
  const P = new Float64Array(m * m);
  const logU = Math.log(perplexity);
  for (let i = 0; i < m; i++) {
    let beta = 1, lo = -Infinity, hi = Infinity;
    for (let t = 0; t < 64; t++) {
      let sum = 0, dsum = 0;
      let minD = Infinity;
      for (let j = 0; j < m; j++) if (j !== i && D[i * m + j]! < minD) minD = D[i * m + j]!;
      for (let j = 0; j < m; j++) {
        if (j === i) continue;
        const p = Math.exp(-(D[i * m + j]! - minD) * beta);
        P[i * m + j] = p;
        sum += p;
        dsum += (D[i * m + j]! - minD) * p;
      }
      const H = Math.log(sum) + (beta * dsum) / sum;
      for (let j = 0; j < m; j++) if (j !== i) P[i * m + j]! /= sum;
      const diff = H - logU;
      if (Math.abs(diff) < 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  // Symmetrize.
  for (let i = 0; i < m; i++)
    for (let j = i + 1; j < m; j++) {
      const p = Math.max((P[i * m + j]! + P[j * m + i]!) / (2 * m), 1e-12);
      P[i * m + j] = P[j * m + i] = p;
    }
  const rng = new Rng(opts.seed ?? 0);
  const Y = new Float64Array(m * dims);
  for (let i = 0; i < Y.length; i++) Y[i] = 1e-4 * rng.normal();
  const update = new Float64Array(m * dims);
  const gains = new Float64Array(m * dims).fill(1);
  const num = new Float64Array(m * m);
  const grad = new Float64Array(m * dims);
  const exaggerated = Math.min(250, Math.floor(iterations / 4));
  for (let it = 0; it < iterations; it++) {
    const exag = it < exaggerated ? 12 : 1;
    const momentum = it < 250 ? 0.5 : 0.8;
    let sumQ = 0;
    for (let i = 0; i < m; i++)
      for (let j = i + 1; j < m; j++) {
        const q = 1 / (1 + squaredDistance(Y, dims, i, j));
        num[i * m + j] = num[j * m + i] = q;
        sumQ += 2 * q;
      }
    grad.fill(0);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        if (i === j) continue;
        const q = num[i * m + j]!;
        const mult = 4 * (exag * P[i * m + j]! - q / sumQ) * q;
        for (let k = 0; k < dims; k++) grad[i * dims + k]! += mult * (Y[i * dims + k]! - Y[j * dims + k]!);
      }
    for (let i = 0; i < Y.length; i++) {
      const g = grad[i]!;
      gains[i] = Math.sign(g) !== Math.sign(update[i]!) ? gains[i]! + 0.2 : Math.max(0.01, gains[i]! * 0.8);
      update[i] = momentum * update[i]! - lr * gains[i]! * g;
      Y[i]! += update[i]!;
    }
    for (let k = 0; k < dims; k++) {
      let mean = 0;
      for (let i = 0; i < m; i++) mean += Y[i * dims + k]! / m;
      for (let i = 0; i < m; i++) Y[i * dims + k]! -= mean;
    }
  }
  return Y;
}

/**
 * t-SNE of the rows of `x` (`[m, d]`): `[m, dims]` points that keep near neighbours near.
 *
 * @example
 * const y = cl.inspect.tsne(encodings, { perplexity: 10, seed: 0 })   // [m, 2]
 */
export function tsne(x: Tensor, opts: TsneOptions = {}): Tensor {
  if (!(x instanceof Tensor)) typeFail("tsne", "x", "a Tensor of points [m,d]", x);
  if (x.rank !== 2) throw new ShapeError(`tsne: expected points [m,d], got ${fmtShape(x.shape)}`);
  const [m, d] = x.shape as [number, number];
  const y = tsneCoords(x.data, m, d, opts);
  return new Tensor(Float32Array.from(y), [m, opts.dims ?? 2]);
}

// The widget asks a live kernel for t-SNE of its payload's vectors (works after a reload too).
registerCommHandler("inspect.tsne", (params) => {
  const q = (params ?? {}) as { vectors?: unknown; count?: unknown; dim?: unknown } & TsneOptions;
  if (typeof q.vectors !== "string" || typeof q.count !== "number" || typeof q.dim !== "number")
    throw new ValueError("inspect.tsne: expected { vectors (base64 float32), count, dim, dims?, perplexity?, iterations?, seed? }");
  const bytes = fromBase64(q.vectors);
  if (bytes.length !== 4 * q.count * q.dim) throw new ValueError(`inspect.tsne: expected ${4 * q.count * q.dim} bytes of vectors, got ${bytes.length}`);
  const v = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const opts: TsneOptions = {};
  if (q.dims !== undefined) opts.dims = q.dims;
  if (q.perplexity !== undefined) opts.perplexity = q.perplexity;
  if (q.iterations !== undefined) opts.iterations = q.iterations;
  if (q.seed !== undefined) opts.seed = q.seed;
  return { coords: Array.from(tsneCoords(v, q.count, q.dim, opts)), dims: opts.dims ?? 2 };
});

// ---------------------------------------------------------------------------------------------
// The widget's value

export interface EmbeddingsOptions {
  /** Identity of each point: class ids, or names. */
  labels: readonly (number | string)[];
  /** Names of the identities when `labels` are ids (default "id 0", "id 1", ...). */
  identities?: readonly string[];
  /** The pictures `[m,h,w,c]` behind the points, shown on hover. */
  images?: Tensor;
  triplets?: readonly Triplet[];
  /** Margin α of the triplet loss (default 0.2). */
  alpha?: number;
  /** Initial verification threshold τ (default: the best one on all pairs). */
  tau?: number;
  /** "pca" (default: the browser computes it) or "tsne" (computed here, sent with the payload). */
  projection?: "pca" | "tsne";
  /** Options of t-SNE (dims 2 or 3, perplexity, seed...). */
  tsne?: TsneOptions;
}

export class Embeddings {
  readonly payload: EmbeddingsPayload;
  private readonly values: Float32Array;

  constructor(payload: EmbeddingsPayload, values: Float32Array) {
    this.payload = payloadArg("Embeddings", "payload", EMBEDDINGS_MIME, payload);
    this.values = embeddingValues("Embeddings", this.payload, values);
  }

  toMimeBundle(): MimeBundle {
    return widgetBundle(EMBEDDINGS_MIME, this.payload, embeddingsPng(this.payload, this.values), this.toString());
  }

  toString(): string {
    const p = this.payload;
    const pairs = verificationPairs(this.values, p.count, p.dim, p.labels);
    const v = verificationAccuracy(pairs, p.tau);
    const lines = [
      `Embeddings: ${p.count} points of dimension ${p.dim}, ${p.identities.length} identities`,
      `  verification at τ = ${fmt(p.tau)}: accuracy ${fmt(v.accuracy)} over ${pairs.distance.length} pairs (AUC ${fmt(rocCurve(pairs).auc)})`,
    ];
    if (p.triplets?.length) {
      const s = tripletStats(this.values, p.dim, p.triplets, p.alpha);
      lines.push(`  triplets: ${s.length}, violating the margin α = ${p.alpha}: ${s.filter((t) => t.violated).length}, J = ${fmt(s.reduce((a, t) => a + t.loss, 0))}`);
    }
    return lines.join("\n");
  }
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}

/**
 * The embeddings widget for encodings `f` (`[m, d]`).
 *
 * @example
 * cl.inspect.embeddings(enc, { labels: ids, images: faces, triplets, alpha: 0.2 })
 */
export function embeddings(f: Tensor, opts: EmbeddingsOptions): Embeddings {
  if (!(f instanceof Tensor) || f.rank !== 2) throw new ShapeError(`embeddings: expected encodings [m,d], got ${f instanceof Tensor ? fmtShape(f.shape) : describeValue(f)}`);
  const [m, d] = f.shape as [number, number];
  if (m < 1 || d < 1) throw new ShapeError(`embeddings: expected at least one point of dimension ≥ 1, got ${fmtShape(f.shape)}`);
  if (!opts || !Array.isArray(opts.labels) || opts.labels.length !== m) throw new ValueError(`embeddings: labels must give the identity of each of the ${m} points, got ${Array.isArray(opts?.labels) ? opts.labels.length : describeValue(opts?.labels)}`);
  requiredOptionsArg("embeddings", opts, "opts", "{ labels }");
  for (let i = 0; i < f.size; i++) if (!Number.isFinite(f.data[i]!)) throw new ValueError(`embeddings: the encodings must be finite, value ${i} is ${f.data[i]}`);
  let labels: number[], identities: string[];
  if (opts.labels.every((l) => typeof l === "number")) {
    labels = opts.labels as number[];
    if (!labels.every((l) => Number.isInteger(l) && l >= 0)) throw new ValueError("embeddings: numeric labels must be non-negative integers");
    const n = Math.max(...labels) + 1;
    identities = opts.identities ? arrayArg("embeddings", "opts.identities", opts.identities).map((s, i) => stringArg("embeddings", `opts.identities[${i}]`, s)) : Array.from({ length: n }, (_, i) => `id ${i}`);
    if (identities.length < n) throw new ValueError(`embeddings: ${identities.length} identities named but labels go up to ${n - 1}`);
  } else {
    opts.labels.forEach((l, i) => {
      if (typeof l !== "string" && typeof l !== "number") typeFail("embeddings", `opts.labels[${i}]`, "a class id or a name", l);
    });
    identities = [...new Set(opts.labels.map(String))];
    labels = opts.labels.map((l) => identities.indexOf(String(l)));
  }
  const values = Float32Array.from(f.data);
  const alpha = optNumberArg("embeddings", "opts.alpha", opts.alpha) ?? 0.2;
  if (opts.triplets !== undefined) tripletsArg("embeddings", "opts.triplets", opts.triplets, m);
  optOneOfArg("embeddings", "opts.projection", opts.projection, ["pca", "tsne"] as const);
  const tau = optNumberArg("embeddings", "opts.tau", opts.tau) ?? bestThreshold(verificationPairs(values, m, d, labels));
  const payload: EmbeddingsPayload = { version: 1, count: m, dim: d, vectors: packArray(values), labels, identities, alpha, tau };
  if (opts.triplets?.length) payload.triplets = opts.triplets.map((t) => ({ anchor: t.anchor, positive: t.positive, negative: t.negative }));
  if (opts.projection === "tsne") {
    const dims = opts.tsne?.dims ?? 2;
    const seed = opts.tsne?.seed ?? 0;
    payload.projection = { method: "tsne", dims, coords: Array.from(tsneCoords(values, m, d, opts.tsne)) };
    if (Number.isInteger(seed) && seed >= 0) payload.projection.seed = seed;
  }
  if (opts.images) {
    const im = opts.images;
    if (!(im instanceof Tensor) || im.shape[0] !== m) throw new ShapeError(`embeddings: images must be [m,h,w,c] with m = ${m}, got ${im instanceof Tensor ? fmtShape(im.shape) : typeof im}`);
    payload.thumbnails = Array.from({ length: m }, (_, i): ImageRef => {
      const ex = exampleOf(im, i, "embeddings");
      return imageRef(ex, { upscale: Math.max(1, Math.floor(48 / Math.max(ex.shape[0]!, ex.shape[1]!))) });
    });
  }
  return new Embeddings(checkedPayload("embeddings", EMBEDDINGS_MIME, payload), values);
}

/** The encodings behind a payload: `count·dim` finite float32 values. */
function embeddingValues(fn: string, p: EmbeddingsPayload, values: Float32Array): Float32Array {
  if (!(values instanceof Float32Array)) typeFail(fn, "values", "a Float32Array of the encodings", values);
  if (values.length !== p.count * p.dim) throw new ShapeError(`${fn}: values has ${values.length} entries, the payload's ${p.count} points of dimension ${p.dim} need ${p.count * p.dim}`);
  return values;
}

/** The fallback picture: the 2-D projection (t-SNE from the payload, else PCA) coloured by identity. */
export function embeddingsPng(p: EmbeddingsPayload, values: Float32Array): { base64: string; width: number; height: number } {
  payloadArg("embeddingsPng", "p", EMBEDDINGS_MIME, p);
  embeddingValues("embeddingsPng", p, values);
  const S = 320, PAD = 10;
  let xy: ArrayLike<number>, dims: number;
  if (p.projection) (xy = p.projection.coords), (dims = p.projection.dims);
  else if (p.dim >= 2) (xy = pca(values, p.count, p.dim, { dims: 2 }).coords), (dims = 2);
  else (xy = Array.from(values).flatMap((v) => [v, 0])), (dims = 2);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < p.count; i++) {
    const x = xy[i * dims]!, y = xy[i * dims + 1]!;
    x0 = Math.min(x0, x), x1 = Math.max(x1, x), y0 = Math.min(y0, y), y1 = Math.max(y1, y);
  }
  const sx = (S - 2 * PAD) / (x1 - x0 || 1), sy = (S - 2 * PAD) / (y1 - y0 || 1);
  const r = new Raster(S, S);
  for (let i = 0; i < p.count; i++) r.dot(PAD + (xy[i * dims]! - x0) * sx, S - PAD - (xy[i * dims + 1]! - y0) * sy, 3, paletteRgb(p.labels[i]!));
  return { base64: r.toPngBase64(), width: S, height: S };
}
