// Ensembling (average of several models' class probabilities) and multi-crop evaluation
// (average over the ten test-time views of each image), as in the course's "doing well on
// benchmarks": costly at test time, a few tenths of a percent better.
import { Tensor, allocate } from "../tensor/tensor.js";
import { noGrad } from "../autograd/tape.js";
import { tenCrop, fiveCrop, centerCrop } from "../data/crops.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";

/** Anything that gives class probabilities `[m, k]` for a batch: a `cl.nn` model, an ensemble. */
export interface ProbabilisticClassifier {
  predictProba(x: Tensor): Tensor;
}

export interface EnsembleOptions {
  /** Weight of each member in the average (default equal); they are normalised to sum 1. */
  weights?: readonly number[];
}

/** The averaged classifier `cl.train.ensemble` returns. */
export interface Ensemble extends ProbabilisticClassifier {
  readonly members: readonly ProbabilisticClassifier[];
  readonly weights: readonly number[];
  /** The (weighted) mean of the members' class probabilities, `[m, k]`. */
  predictProba(x: Tensor): Tensor;
  /** log of `predictProba(x)`: logits whose softmax is the averaged probabilities (for `accuracy`, losses). */
  predict(x: Tensor): Tensor;
}

function checkProba(op: string, p: unknown, who: string): Tensor {
  if (!(p instanceof Tensor) || p.rank !== 2) throw new ShapeError(`${op}: ${who} must give probabilities [m,k], got ${p instanceof Tensor ? fmtShape(p.shape) : typeof p}`);
  return p;
}

/**
 * An ensemble of independently trained classifiers: the average of their class probabilities
 * (softmax of each model's logits), weighted if `weights` is given.
 *
 *   const ens = cl.train.ensemble([netA, netB, netC]);
 *   cl.train.accuracy(ens.predictProba(test.x), test.y)
 */
export function ensemble(models: readonly ProbabilisticClassifier[], opts: EnsembleOptions = {}): Ensemble {
  const op = "ensemble";
  if (!Array.isArray(models) || models.length === 0) throw new ValueError(`${op}: expected a non-empty list of models`);
  models.forEach((m, i) => {
    if (typeof m?.predictProba !== "function") throw new ValueError(`${op}: member ${i} has no predictProba(x) (expected a cl.nn model or an ensemble)`);
  });
  const raw = opts.weights ?? models.map(() => 1);
  if (!Array.isArray(raw) || raw.length !== models.length || !raw.every((w) => typeof w === "number" && Number.isFinite(w) && w >= 0) || raw.every((w) => w === 0))
    throw new ValueError(`${op}: weights must be ${models.length} non-negative numbers, not all 0, got ${JSON.stringify(opts.weights)}`);
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / total);
  const members = [...models];
  const predictProba = (x: Tensor): Tensor =>
    noGrad(() => {
      let out: Tensor | null = null;
      members.forEach((m, i) => {
        const p = checkProba(op, m.predictProba(x), `member ${i}`);
        if (!out) out = new Tensor(allocate(p.dtype, p.size), p.shape);
        else if (p.shape.join() !== out.shape.join()) throw new ShapeError(`${op}: member ${i} gives ${fmtShape(p.shape)} but member 0 gives ${fmtShape(out.shape)}`);
        const o = out.data, d = p.data, w = weights[i]!;
        for (let j = 0; j < o.length; j++) o[j]! += w * d[j]!;
      });
      return out!;
    });
  return {
    members,
    weights,
    predictProba,
    predict: (x) => noGrad(() => predictProba(x).log()),
  };
}

export interface MultiCropOptions {
  /** Crop size h×w (or one number): the model's input size. */
  size: number | readonly [number, number];
  /** 10 (default: corners + centre and their mirrors), 5 (corners + centre) or 1 (centre). */
  crops?: 1 | 5 | 10;
  /** Images per forward pass (default 16, i.e. 160 views for ten crops). */
  batchSize?: number;
}

/**
 * Multi-crop evaluation: each image's class probabilities averaged over its test-time views
 * (`cl.data.tenCrop` by default). `x` `[m,nH,nW,nC]` larger than the model's input → `[m, k]`.
 *
 *   cl.train.accuracy(cl.train.multiCropProba(model, test.x, { size: 24 }), test.y)
 */
export function multiCropProba(model: ProbabilisticClassifier, x: Tensor, opts: MultiCropOptions): Tensor {
  const op = "multiCropProba";
  if (typeof model?.predictProba !== "function") throw new ValueError(`${op}: expected a model with predictProba(x)`);
  if (!(x instanceof Tensor) || x.rank !== 4) throw new ShapeError(`${op}: x must be a batch of images [m,nH,nW,nC], got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
  const crops = opts?.crops ?? 10;
  if (crops !== 1 && crops !== 5 && crops !== 10) throw new ValueError(`${op}: crops must be 1, 5 or 10, got ${JSON.stringify(opts?.crops)}`);
  const bs = opts.batchSize ?? 16;
  if (!Number.isInteger(bs) || bs < 1) throw new ValueError(`${op}: batchSize must be a positive integer, got ${JSON.stringify(opts.batchSize)}`);
  const view = crops === 10 ? tenCrop : crops === 5 ? fiveCrop : centerCrop;
  const [m, h, w, c] = x.shape as [number, number, number, number];
  const n = h * w * c;
  let out: Float64Array | Float32Array | null = null;
  let k = 0;
  for (let s = 0; s < m; s += bs) {
    const e = Math.min(m, s + bs);
    const chunk = new Tensor(x.data.slice(s * n, e * n), [e - s, h, w, c]);
    const p = checkProba(op, noGrad(() => model.predictProba(view(chunk, opts.size))), "the model");
    if (p.shape[0] !== (e - s) * crops) throw new ShapeError(`${op}: the model gave ${p.shape[0]} rows for ${(e - s) * crops} views`);
    k = p.shape[1]!;
    out ??= allocate(p.dtype, m * k);
    for (let i = s; i < e; i++)
      for (let v = 0; v < crops; v++)
        for (let j = 0; j < k; j++) out[i * k + j]! += p.data[((i - s) * crops + v) * k + j]! / crops;
  }
  return new Tensor(out!, [m, k]);
}

