// Colour augmentations: random per-channel shifts, and AlexNet's "fancy PCA" along the principal
// components of a dataset's RGB covariance. Boxes and landmarks do not move.
import { Tensor } from "../../tensor/tensor.js";
import { typeFail } from "../../util/check.js";
import { ShapeError, ValueError, fmtShape } from "../../util/errors.js";
import { perImage, like, checkNumber, checkClip, type Frame, type Transform } from "./example.js";

/** Adds `offset[k]` to channel k of every pixel, then clips. */
function shifted(fr: Frame, offset: ArrayLike<number>, clip: readonly [number, number] | undefined): Frame {
  const { data, c } = fr;
  const out = like(data, data.length);
  for (let i = 0; i < data.length; i += c)
    for (let k = 0; k < c; k++) {
      let v = data[i + k]! + offset[k]!;
      if (clip) v = Math.min(Math.max(v, clip[0]), clip[1]);
      out[i + k] = v;
    }
  return { ...fr, data: out, boxes: fr.boxes?.map((b) => ({ ...b })), landmarks: fr.landmarks?.map((p) => ({ ...p })) };
}

export interface ColorShiftOptions {
  /**
   * Largest shift per channel, in the image's units: one number for every channel or one per
   * channel (default 0.1 — for images in [0, 1]; the course's "+20, −20, +20" is for 0–255).
   */
  max?: number | readonly number[];
  /** Clip the result to [lo, hi] (e.g. [0, 1]); default no clipping. */
  clip?: readonly [number, number];
}

/**
 * Colour shifting: adds to each channel of an image its own offset, uniform in [−max, max]
 * (R, G and B drawn in turn, one set per image) — a colour cast, as under other lighting.
 */
export function colorShift(opts: ColorShiftOptions = {}): Transform {
  const op = "augment.colorShift";
  const max = opts.max ?? 0.1;
  const list = typeof max === "number" ? null : max;
  if (list) {
    if (!Array.isArray(list) || list.length === 0) throw new ValueError(`${op}: max must be a number ≥ 0 or a list of them (one per channel), got ${JSON.stringify(max)}`);
    list.forEach((v, k) => checkNumber(op, `max[${k}]`, v, 0));
  } else checkNumber(op, "max", max, 0);
  const clip = checkClip(op, opts.clip);
  return perImage(op, (fr, rng) => {
    if (list && list.length !== fr.c) throw new ShapeError(`${op}: max has ${list.length} entries but the image has ${fr.c} channels`);
    const offset = new Float64Array(fr.c);
    for (let k = 0; k < fr.c; k++) offset[k] = (rng.uniform() * 2 - 1) * (list ? list[k]! : (max as number));
    return shifted(fr, offset, clip);
  });
}

// ---------------------------------------------------------------------------------------------
// PCA colour augmentation

/** The colour statistics of a set of images: what `pcaColor` perturbs along. */
export interface PcaColorStats {
  /** Mean of each channel over all pixels. */
  mean: number[];
  /** Channel covariance over all pixels (divided by the number of pixels), nC × nC. */
  covariance: number[][];
  /** Its eigenvalues λ, largest first. */
  eigenvalues: number[];
  /** Its unit eigenvectors, `eigenvectors[i]` for `eigenvalues[i]` (largest-magnitude entry positive). */
  eigenvectors: number[][];
}

/**
 * Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations (exact to rounding
 * for the 3×3 colour covariance): eigenvalues largest first, unit eigenvectors as rows, each with
 * its largest-magnitude entry positive.
 */
export function symmetricEigen(matrix: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  if (!Array.isArray(matrix)) typeFail("symmetricEigen", "matrix", "a square array of number rows", matrix);
  const n = matrix.length;
  if (n === 0 || !matrix.every((r) => Array.isArray(r) && r.length === n && r.every((v) => Number.isFinite(v))))
    throw new ShapeError(`symmetricEigen: expected a square matrix of finite numbers, got ${n} rows of lengths [${matrix.map((r) => (Array.isArray(r) ? r.length : "?")).join(",")}]`);
  const a = matrix.map((r) => [...r]);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (Math.abs(a[i]![j]! - a[j]![i]!) > 1e-9 * (Math.abs(a[i]![j]!) + Math.abs(a[j]![i]!) + 1e-300))
        throw new ValueError(`symmetricEigen: the matrix is not symmetric (entry [${i}][${j}] = ${a[i]![j]} but [${j}][${i}] = ${a[j]![i]})`);
  const v: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, norm = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        norm += a[i]![j]! ** 2;
        if (i !== j) off += a[i]![j]! ** 2;
      }
    if (off <= 1e-30 * norm || off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        // the rotation that zeroes a[p][q]: tan(2θ) = 2·a_pq / (a_qq − a_pp)
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!, akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!, aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!, vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j]![j]! - a[i]![i]!);
  const vectors = order.map((col) => {
    const e = v.map((row) => row[col]!);
    let big = 0;
    for (let k = 1; k < n; k++) if (Math.abs(e[k]!) > Math.abs(e[big]!)) big = k;
    return e[big]! < 0 ? e.map((x) => -x) : e;
  });
  return { values: order.map((i) => a[i]![i]!), vectors };
}

/**
 * The RGB (or any nC) statistics of images for PCA colour augmentation: the mean and covariance
 * of the channel values over every pixel of every image (`[nH,nW,nC]`, `[m,nH,nW,nC]`, or a list
 * of them), and the covariance's eigen-decomposition. Accumulated in float64.
 *
 *   const stats = cl.data.augment.pcaColorStats(train.x);   // AlexNet: over the training set
 */
export function pcaColorStats(images: Tensor | readonly Tensor[]): PcaColorStats {
  const op = "augment.pcaColorStats";
  const list = images instanceof Tensor ? [images] : images;
  if (!Array.isArray(list) || list.length === 0 || !list.every((t) => t instanceof Tensor))
    throw new ValueError(`${op}: expected an image tensor or a non-empty list of them`);
  const c = list[0]!.shape.at(-1)!;
  for (const t of list)
    if ((t.rank !== 3 && t.rank !== 4) || t.shape.at(-1) !== c)
      throw new ShapeError(`${op}: images must be [nH,nW,nC] or [m,nH,nW,nC] with one channel count (${c}), got ${fmtShape(t.shape)}`);
  let count = 0;
  const sum = new Float64Array(c), prod = new Float64Array(c * c);
  // centre on the first pixel for numerical stability, then correct
  const ref: number[] = Array.from(list[0]!.data.subarray(0, c));
  for (const t of list) {
    const d = t.data;
    for (let i = 0; i < d.length; i += c) {
      for (let k = 0; k < c; k++) {
        const xk = d[i + k]! - ref[k]!;
        sum[k]! += xk;
        for (let l = k; l < c; l++) prod[k * c + l]! += xk * (d[i + l]! - ref[l]!);
      }
      count++;
    }
  }
  if (count === 0) throw new ShapeError(`${op}: the images have no pixels`);
  const mu = Array.from(sum, (s) => s / count);
  const covariance = Array.from({ length: c }, (_, k) => Array.from({ length: c }, (_, l) => {
    const [i, j] = k <= l ? [k, l] : [l, k];
    return prod[i * c + j]! / count - mu[i]! * mu[j]!;
  }));
  const { values, vectors } = symmetricEigen(covariance);
  return { mean: mu.map((m, k) => m + ref[k]!), covariance, eigenvalues: values, eigenvectors: vectors };
}

export interface PcaColorOptions {
  /** The dataset's colour statistics, from `pcaColorStats` (only eigenvalues and eigenvectors are used). */
  stats: Pick<PcaColorStats, "eigenvalues" | "eigenvectors">;
  /** σ of the random weights α (default 0.1, AlexNet's). */
  std?: number;
  clip?: readonly [number, number];
}

/**
 * PCA colour augmentation (AlexNet's "fancy PCA"): to every pixel of an image add
 * `[p1 … pn] · [α1 λ1, …, αn λn]ᵀ`, with p_i, λ_i the eigenvectors and eigenvalues of the
 * dataset's channel covariance and α_i ~ N(0, std²) drawn once per image (α1, α2, … in turn).
 * The colour moves along the directions natural images vary in most (mostly intensity), keeping
 * the object's identity.
 */
export function pcaColor(opts: PcaColorOptions): Transform {
  const op = "augment.pcaColor";
  const st = opts?.stats;
  if (!st || !Array.isArray(st.eigenvalues) || !Array.isArray(st.eigenvectors) || st.eigenvalues.length === 0 || st.eigenvectors.length !== st.eigenvalues.length
    || !st.eigenvectors.every((e) => Array.isArray(e) && e.length === st.eigenvalues.length))
    throw new ValueError(`${op}: stats must be { eigenvalues: n numbers, eigenvectors: n vectors of n } (from augment.pcaColorStats)`);
  const n = st.eigenvalues.length;
  const std = checkNumber(op, "std", opts.std ?? 0.1, 0);
  const clip = checkClip(op, opts.clip);
  return perImage(op, (fr, rng) => {
    if (fr.c !== n) throw new ShapeError(`${op}: the statistics are for ${n} channels but the image has ${fr.c}`);
    const offset = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = rng.normal() * std * st.eigenvalues[i]!;
      for (let k = 0; k < n; k++) offset[k]! += st.eigenvectors[i]![k]! * a;
    }
    return shifted(fr, offset, clip);
  });
}
