/**
 * Mini-batches, subsets and one-hot labels for `{ x, y }` datasets (examples along axis 0).
 * Everything random is seeded: the same seed gives the same batches on every platform.
 */
import { Tensor, allocate } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { Rng, rngFor } from "../util/rng.js";
import { intArg, numbersArg, optBoolArg, optionsArg, requiredOptionsArg, seedArg, stringArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";

/** A labelled dataset or batch: `x` `[m, ...]` inputs, `y` `[m]` class ids or `[m, ...]` targets. */
export interface Dataset {
  x: Tensor;
  y: Tensor;
}

export interface BatchOptions {
  /** Examples per batch (the last one may be smaller unless `dropLast`). */
  batchSize: number;
  /** Visit the examples in a new seeded random order on every pass (default false). */
  shuffle?: boolean;
  /** Seed of the shuffle; without it the default generator (`cl.manualSeed`) is used. */
  seed?: number;
  /** Skip a last batch smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

function checkDataset(data: Dataset, op: string): number {
  if (!(data?.x instanceof Tensor) || !(data?.y instanceof Tensor)) throw new ValueError(`${op}: expected a dataset { x, y } of tensors`);
  const { x, y } = data;
  if (x.rank === 0 || y.rank === 0) throw new ShapeError(`${op}: x and y need a batch axis, got x ${fmtShape(x.shape)}, y ${fmtShape(y.shape)}`);
  if (x.shape[0] !== y.shape[0])
    throw new ShapeError(`${op}: x has ${x.shape[0]} examples but y has ${y.shape[0]} (x ${fmtShape(x.shape)}, y ${fmtShape(y.shape)})`);
  return x.shape[0]!;
}

/** Rows `indices` of `t` along axis 0, as a new tensor `[indices.length, ...]` (no autograd). */
export function takeRows(t: Tensor, indices: ArrayLike<number>, op = "takeRows"): Tensor {
  stringArg("data.takeRows", "op", op);
  tensorArg(op, "t", t);
  numbersArg(op, "indices", indices);
  if (t.rank === 0) throw new ShapeError(`${op}: cannot take rows of a scalar`);
  const n = t.shape[0]!;
  const row = n === 0 ? 0 : t.size / n;
  const out = allocate(t.dtype, indices.length * row, op);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= n) throw new ValueError(`${op}: index ${k} at position ${i} is outside [0, ${n})`);
    out.set(t.data.subarray(k * row, (k + 1) * row), i * row);
  }
  return new Tensor(out, [indices.length, ...t.shape.slice(1)]);
}

/** Examples `start..end-1` as tensors sharing memory with the source (no copy). */
function rowRange(t: Tensor, start: number, end: number): Tensor {
  const row = t.shape[0] === 0 ? 0 : t.size / t.shape[0]!;
  return new Tensor(t.data.subarray(start * row, end * row), [end - start, ...t.shape.slice(1)]);
}

/** The examples at `indices` (in that order) of `{ x, y }`. */
export function take(data: Dataset, indices: ArrayLike<number>): Dataset {
  checkDataset(data, "take");
  numbersArg("take", "indices", indices);
  return { x: takeRows(data.x, indices, "take"), y: takeRows(data.y, indices, "take") };
}

/**
 * The mini-batches of a dataset, as an iterable that `model.fit` accepts. Each pass
 * (`for (const b of batches)`) yields `{ x, y }` batches; with `shuffle`, every pass draws a new
 * permutation from the generator seeded once here, so epochs differ while two `batches()` made
 * with the same seed yield the same sequence. Unshuffled batches share memory with `data`.
 *
 * @example
 * for (const { x, y } of cl.data.batches(train, { batchSize: 64, shuffle: true, seed: 1 })) { ... }
 */
export class Batches implements Iterable<Dataset> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  /** Number of examples in the dataset. */
  readonly size: number;
  private readonly rng: Rng | null;

  constructor(readonly data: Dataset, opts: BatchOptions) {
    this.size = checkDataset(data, "batches");
    requiredOptionsArg("batches", opts, "opts", "{ batchSize: 32 }");
    const bs = opts.batchSize;
    if (typeof bs === "number" && !(Number.isInteger(bs) && bs > 0)) throw new ValueError(`batches: batchSize must be a positive integer, got ${bs}`);
    this.batchSize = intArg("batches", "batchSize", bs, { min: 1 });
    this.shuffle = optBoolArg("batches", "opts.shuffle", opts.shuffle) ?? false;
    this.dropLast = optBoolArg("batches", "opts.dropLast", opts.dropLast) ?? false;
    const seed = seedArg("batches", opts.seed, "opts.seed");
    this.rng = this.shuffle ? (seed === undefined ? null : new Rng(seed)) : null;
  }

  /** Batches per pass. */
  get length(): number {
    return this.dropLast ? Math.floor(this.size / this.batchSize) : Math.ceil(this.size / this.batchSize);
  }

  *[Symbol.iterator](): Iterator<Dataset> {
    const { x, y } = this.data;
    const n = this.size, bs = this.batchSize, count = this.length;
    const perm = this.shuffle ? (this.rng ?? rngFor(undefined)).permutation(n) : null;
    for (let b = 0; b < count; b++) {
      const start = b * bs, end = Math.min(start + bs, n);
      if (perm === null) yield { x: rowRange(x, start, end), y: rowRange(y, start, end) };
      else {
        const idx = perm.subarray(start, end);
        yield { x: takeRows(x, idx, "batches"), y: takeRows(y, idx, "batches") };
      }
    }
  }
}

/** `new Batches(data, opts)`: see `Batches`. */
export function batches(data: Dataset, opts: BatchOptions): Batches {
  return new Batches(data, opts);
}

/**
 * A seeded random subset of `size` examples, kept in their original order
 * (e.g. a 10k subset of the 60k MNIST training images).
 */
export function subset(data: Dataset, opts: { size: number; seed?: number }): Dataset {
  const n = checkDataset(data, "subset");
  requiredOptionsArg("subset", opts, "opts", "{ size: 1000, seed: 0 }");
  const size = opts.size;
  if (typeof size === "number" && !(Number.isInteger(size) && size >= 0 && size <= n)) throw new ValueError(`subset: size must be an integer in [0, ${n}], got ${size}`);
  intArg("subset", "size", size, { min: 0, max: n });
  seedArg("subset", opts.seed, "opts.seed");
  const idx = rngFor(opts.seed).permutation(n).subarray(0, size).sort();
  return take(data, idx);
}

/**
 * Splits off a validation set: `validation` is a fraction in (0, 1) or a number of examples.
 * With `shuffle` (default true) the examples are assigned by a seeded permutation; otherwise
 * the last ones become the validation set.
 *
 * @example
 * const { train, validation } = cl.data.split(data, { validation: 0.1, seed: 0 });
 */
export function split(
  data: Dataset,
  opts: { validation: number; shuffle?: boolean; seed?: number },
): { train: Dataset; validation: Dataset } {
  const n = checkDataset(data, "split");
  requiredOptionsArg("split", opts, "opts", "{ validation: 0.1, seed: 0 }");
  const v = opts.validation;
  let nVal: number;
  if (typeof v === "number" && v > 0 && v < 1) nVal = Math.round(n * v);
  else if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= n) nVal = v;
  else if (typeof v === "number") throw new ValueError(`split: validation must be a fraction in (0, 1) or a count in [0, ${n}], got ${v}`);
  else nVal = intArg("split", "validation", v);
  seedArg("split", opts.seed, "opts.seed");
  let order: Int32Array;
  if (optBoolArg("split", "opts.shuffle", opts.shuffle) ?? true) order = rngFor(opts.seed).permutation(n);
  else order = Int32Array.from({ length: n }, (_, i) => i);
  const nTrain = n - nVal;
  return { train: take(data, order.subarray(0, nTrain)), validation: take(data, order.subarray(nTrain)) };
}

/**
 * One-hot rows for class ids: labels `[m]` (a tensor or numbers) → `[m, k]` float32 with a 1
 * in column `labels[i]`.
 *
 * @example
 * cl.data.oneHot([2, 0], 3) // [[0, 0, 1], [1, 0, 0]]
 */
export function oneHot(labels: Tensor | ArrayLike<number>, k: number): Tensor {
  if (typeof k === "number" && !(Number.isInteger(k) && k > 0)) throw new ValueError(`oneHot: number of classes k must be a positive integer, got ${k}`);
  intArg("oneHot", "k", k, { min: 1 });
  let ids: ArrayLike<number>;
  if (labels instanceof Tensor) {
    if (labels.rank !== 1) throw new ShapeError(`oneHot: labels must be [m] class ids, got shape ${fmtShape(labels.shape)}`);
    ids = labels.data;
  } else ids = numbersArg("oneHot", "labels", labels);
  const m = ids.length;
  const out = allocate("float32", m * k, "oneHot");
  for (let i = 0; i < m; i++) {
    const c = ids[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new ValueError(`oneHot: label ${c} at index ${i} is not a class id in [0, ${k})`);
    out[i * k + c] = 1;
  }
  return new Tensor(out, [m, k]);
}
