/**
 * MNIST-style datasets (MNIST, Fashion-MNIST) from parsed IDX files to tensors.
 * Pure TypeScript: `cl.io.loadMnist` reads the files in Node and calls `mnistFromIdx`.
 */
import { Tensor } from "../tensor/tensor.js";
import { ValueError, fmtShape } from "../util/errors.js";
import { describeValue, intArg, numberArg, optBoolArg, optionsArg, requiredOptionsArg, seedArg, stringArg, typeFail } from "../util/check.js";
import { checkShape } from "../tensor/shape.js";
import { checkAllocation } from "../util/limits.js";
import { Rng } from "../util/rng.js";
import type { IdxFile } from "./idx.js";

/** Mean and standard deviation of the MNIST training pixels in [0, 1]. */
export const MNIST_STATS = { mean: 0.1307, std: 0.3081 } as const;
/** Mean and standard deviation of the Fashion-MNIST training pixels in [0, 1]. */
export const FASHION_MNIST_STATS = { mean: 0.286, std: 0.353 } as const;
/** Class names of Fashion-MNIST, indexed by label. */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
] as const;

/** Which examples to take and how to shape them. */
export interface MnistOptions {
  /** Skip this many examples first (default 0). */
  offset?: number;
  /** Take at most this many examples (default: all after `offset`). */
  limit?: number;
  /**
   * With a seed, take a seeded random sample of `limit` examples from those after `offset`
   * (kept in file order) instead of the first `limit`. The same seed gives the same sample.
   */
  seed?: number;
  /** Zero-pad 28×28 to 32×32 (2 pixels per side), LeNet-5's input size. */
  pad32?: boolean;
  /**
   * Standardize pixels: `(v − mean) / std` after scaling to [0, 1] (and after padding).
   * `true` uses the dataset's training statistics (`MNIST_STATS` / `FASHION_MNIST_STATS`).
   */
  normalize?: boolean | { mean: number; std: number };
  /** 1 (default) or 3: repeat the gray value into 3 channels (for 32×32×3 LeNet-5). */
  channels?: 1 | 3;
}

/**
 * A labelled image set: `x` `[m, nH, nW, nC]` float32, `y` the class ids `[m]` float32
 * (what `model.fit` and `cl.softmaxCrossEntropy` take), `labels` the same ids as bytes, and
 * `indices` the positions of the examples in the source file.
 */
export interface MnistSet {
  x: Tensor;
  y: Tensor;
  labels: Uint8Array;
  indices: Int32Array;
}

function checkCount(v: number | undefined, what: string, op: string): void {
  if (typeof v === "number" && !(Number.isSafeInteger(v) && v >= 0)) throw new ValueError(`${op}: ${what} must be a non-negative integer, got ${v}`);
  if (v !== undefined) intArg(op, what, v, { min: 0 });
}

/** Checks an IDX file record `{ shape, dtype, data }` whose data fills its shape. */
function idxArg(op: string, name: string, f: IdxFile): void {
  requiredOptionsArg(op, f, name, "{ shape, dtype, data }");
  checkShape(f.shape, op, `${name}.shape`);
  if (typeof f.dtype !== "string") typeFail(op, `${name}.dtype`, "an IDX element type such as \"uint8\"", f.dtype);
  const d = f.data as unknown;
  if (!ArrayBuffer.isView(d) || d instanceof DataView || d instanceof BigInt64Array || d instanceof BigUint64Array) typeFail(op, `${name}.data`, "a typed array", d);
  const count = f.shape.reduce((a, b) => a * b, 1), length = (d as unknown as ArrayLike<number>).length;
  if (length !== count) throw new ValueError(`${op}: ${name} has ${length} values for shape ${fmtShape(f.shape)} (${count} needed)`);
}

/**
 * Chooses example positions in `[0, n)`: `offset`, then the first `limit` or, with a seed,
 * a seeded random `limit` of them in increasing order.
 */
export function selectIndices(n: number, opts: { offset?: number; limit?: number; seed?: number }, op: string): Int32Array {
  op = stringArg("data.selectIndices", "op", op);
  intArg(op, "n", n, { min: 0, max: 2 ** 31 - 1 });
  opts = optionsArg(op, opts);
  seedArg(op, opts.seed, "seed");
  checkCount(opts.offset, "offset", op);
  checkCount(opts.limit, "limit", op);
  const offset = opts.offset ?? 0;
  if (offset > n) throw new ValueError(`${op}: offset ${offset} is past the end of the ${n} examples`);
  const avail = n - offset;
  const m = Math.min(opts.limit ?? avail, avail);
  const out = new Int32Array(m);
  if (opts.seed === undefined || m === avail) {
    for (let i = 0; i < m; i++) out[i] = offset + i;
  } else {
    const perm = new Rng(opts.seed).permutation(avail);
    for (let i = 0; i < m; i++) out[i] = offset + perm[i]!;
    out.sort();
  }
  return out;
}

/**
 * Turns parsed MNIST IDX files (images `[n, 28, 28]` uint8, labels `[n]` uint8) into tensors:
 * `x` `[m, 28, 28, 1]` float32 in [0, 1] (or `[m, 32, 32, nC]` with `pad32`/`channels`,
 * standardized with `normalize`), `y` class ids `[m]`.
 *
 * @example
 * const { x, y } = mnistFromIdx(images, labels, { limit: 1000, pad32: true }); // x [1000,32,32,1]
 */
export function mnistFromIdx(
  images: IdxFile,
  labels: IdxFile,
  opts: MnistOptions = {},
  name = "MNIST",
  stats: { mean: number; std: number } = MNIST_STATS,
): MnistSet {
  stringArg("data.mnistFromIdx", "name", name);
  const op = `mnistFromIdx (${name})`;
  idxArg(op, "images", images);
  idxArg(op, "labels", labels);
  opts = optionsArg(op, opts);
  requiredOptionsArg(op, stats, "stats", "{ mean, std }");
  if (images.dtype !== "uint8" || images.shape.length !== 3)
    throw new ValueError(`${op}: images must be a rank-3 uint8 IDX file [n,nH,nW], got ${images.dtype} ${fmtShape(images.shape)}`);
  if (labels.dtype !== "uint8" || labels.shape.length !== 1)
    throw new ValueError(`${op}: labels must be a rank-1 uint8 IDX file [n], got ${labels.dtype} ${fmtShape(labels.shape)}`);
  const [n, h, w] = images.shape as [number, number, number];
  if (labels.shape[0] !== n) throw new ValueError(`${op}: ${n} images but ${labels.shape[0]} labels`);
  const channels = opts.channels ?? 1;
  if (channels !== 1 && channels !== 3) throw new ValueError(`${op}: channels must be 1 or 3, got ${describeValue(channels)}`);
  const pad = optBoolArg(op, "pad32", opts.pad32) ? 2 : 0;
  const H = h + 2 * pad, W = w + 2 * pad;
  let mean = 0, std = 1;
  if (opts.normalize === true) ({ mean, std } = stats);
  else if (opts.normalize !== undefined && opts.normalize !== false) ({ mean, std } = requiredOptionsArg(op, opts.normalize, "normalize", "true or { mean, std }"));
  numberArg(op, "normalize.mean", mean);
  numberArg(op, "normalize.std", std);
  if (!(std > 0) || !Number.isFinite(mean)) throw new ValueError(`${op}: normalize needs a finite mean and std > 0, got mean ${mean}, std ${std}`);

  const idx = selectIndices(n, opts, op);
  const m = idx.length;
  checkAllocation(op, m * H * W * channels, 4, `${m} images of ${H}×${W}×${channels}`);
  const x = new Float32Array(m * H * W * channels);
  const bg = (0 - mean) / std;
  if (bg !== 0) x.fill(bg);
  const src = images.data;
  const lab = new Uint8Array(m);
  const y = new Float32Array(m);
  for (let e = 0; e < m; e++) {
    const k = idx[e]!;
    lab[e] = labels.data[k]!;
    y[e] = lab[e]!;
    const s0 = k * h * w;
    const d0 = e * H * W * channels;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const v = (src[s0 + r * w + c]! / 255 - mean) / std;
        const d = d0 + ((r + pad) * W + (c + pad)) * channels;
        for (let ch = 0; ch < channels; ch++) x[d + ch] = v;
      }
    }
  }
  return { x: new Tensor(x, [m, H, W, channels]), y: new Tensor(y, [m]), labels: lab, indices: idx };
}
