// Losses, each a scalar mean: softmax cross-entropy (from logits), mean squared error and binary
// cross-entropy (from logits by default). Stable forms; gradients beside the forward.
import { Tensor, allocate, resultType, type DType, type TypedArray } from "../tensor/tensor.js";
import { sameShape } from "../tensor/shape.js";
import { record } from "../autograd/tape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { checkRank } from "./padding.js";
import { optBoolArg, optionsArg, typeFail } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";

/** Class ids [m] (a tensor, an array or an Int32Array), or target probabilities [m, k] as a tensor. */
export type Labels = Tensor | readonly number[] | Int32Array;

const cast = (t: Tensor, dtype: DType): Tensor => (t.dtype === dtype ? t : t.astype(dtype));

/** A scalar tensor holding v. */
function scalarOf(v: number, dtype: DType): Tensor {
  const d = allocate(dtype, 1);
  d[0] = v;
  return new Tensor(d, []);
}

/** The class ids of `labels`, checked against the batch and the number of classes. */
function classIds(labels: Tensor | readonly number[] | Int32Array, m: number, k: number, logits: Tensor): ArrayLike<number> {
  const op = "softmaxCrossEntropy";
  const ids: ArrayLike<number> = labels instanceof Tensor ? labels.data : labels;
  const shape = labels instanceof Tensor ? labels.shape : [ids.length];
  if (ids.length !== m)
    throw new ShapeError(`${op}: labels have ${ids.length} entries but logits have batch ${m} (logits ${fmtShape(logits.shape)}, labels ${fmtShape(shape)})`);
  for (let i = 0; i < m; i++) {
    const v = ids[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= k)
      throw new ValueError(`${op}: label ${v} at position ${i} is not a class id in 0..${k - 1} (logits ${fmtShape(logits.shape)})`);
  }
  return ids;
}

/**
 * Softmax cross-entropy from logits [m, k], mean over the batch:
 * J = −(1/m) Σ_i Σ_j y_ij · log softmax(z_i)_j, computed as logsumexp(z_i) − z_i,y (stable).
 * `labels`: class ids [m] (tensor, number[] or Int32Array) or target probabilities [m, k].
 * The gradient w.r.t. the logits is (softmax(z) − y)/m (and −log softmax(z)/m w.r.t. probability targets).
 *
 *   cl.softmaxCrossEntropy(model.predict(x), [3, 1, 4])
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Labels): Tensor {
  const op = "softmaxCrossEntropy";
  tensorArg(op, "logits", logits);
  if (!(labels instanceof Tensor) && !Array.isArray(labels) && !(labels instanceof Int32Array))
    typeFail(op, "labels", "class ids (a Tensor, number[] or Int32Array) or a Tensor of probabilities", labels);
  checkRank(op, "logits", logits, 2, "[m,k]");
  const [m, k] = logits.shape as [number, number];
  if (m === 0) throw new ShapeError(`${op}: the batch is empty (logits ${fmtShape(logits.shape)})`);
  const probs = labels instanceof Tensor && labels.rank === 2 ? labels : null;
  if (labels instanceof Tensor && labels.rank !== 1 && !probs)
    throw new ShapeError(`${op}: labels must be class ids [m] or probabilities [m,k], got shape ${fmtShape(labels.shape)} (logits ${fmtShape(logits.shape)})`);
  if (probs && !sameShape(probs.shape, logits.shape))
    throw new ShapeError(`${op}: target probabilities have shape ${fmtShape(probs.shape)} but logits have shape ${fmtShape(logits.shape)}`);
  const ids = probs ? null : classIds(labels, m, k, logits);
  const dtype = probs ? resultType(logits, probs) : logits.dtype;
  const z = cast(logits, dtype).data;
  const t = probs ? cast(probs, dtype).data : null;
  const logp = allocate(dtype, m * k);
  let total = 0;
  for (let i = 0; i < m; i++) {
    const r = i * k;
    let mx = -Infinity;
    for (let j = 0; j < k; j++) if (z[r + j]! > mx) mx = z[r + j]!;
    let s = 0;
    for (let j = 0; j < k; j++) s += Math.exp(z[r + j]! - mx);
    const lse = mx + Math.log(s);
    for (let j = 0; j < k; j++) logp[r + j] = z[r + j]! - lse;
    if (ids) total -= logp[r + ids[i]!]!;
    else for (let j = 0; j < k; j++) if (t![r + j]! !== 0) total -= t![r + j]! * logp[r + j]!;
  }
  const inputs = probs ? [logits, probs] : [logits];
  return record(op, scalarOf(total / m, dtype), inputs, (dy) => {
    const g = dy.data[0]! / m;
    let dz: Tensor | null = null;
    if (logits.requiresGrad) {
      const d = allocate(dtype, m * k);
      for (let p = 0; p < d.length; p++) d[p] = Math.exp(logp[p]!);
      if (ids) for (let i = 0; i < m; i++) d[i * k + ids[i]!]! -= 1;
      else for (let p = 0; p < d.length; p++) d[p]! -= t![p]!;
      for (let p = 0; p < d.length; p++) d[p]! *= g;
      dz = new Tensor(d, logits.shape);
    }
    if (!probs) return [dz];
    let dt: Tensor | null = null;
    if (probs.requiresGrad) {
      const d = allocate(dtype, m * k);
      for (let p = 0; p < d.length; p++) d[p] = -logp[p]! * g;
      dt = new Tensor(d, probs.shape);
    }
    return [dz, dt];
  });
}

function checkPair(op: string, a: Tensor, aName: string, b: Tensor, bName: string): void {
  tensorArg(op, aName, a);
  tensorArg(op, bName, b);
  if (!sameShape(a.shape, b.shape)) throw new ShapeError(`${op}: ${aName} has shape ${fmtShape(a.shape)} but ${bName} has shape ${fmtShape(b.shape)}`);
  if (a.size === 0) throw new ShapeError(`${op}: ${aName} is empty (shape ${fmtShape(a.shape)})`);
}

/**
 * An elementwise loss averaged over all elements: `lossAt(a, b)` per element and its partial
 * derivatives `dA(a, b)`, `dB(a, b)`.
 */
function meanLoss(
  op: string, a: Tensor, b: Tensor,
  lossAt: (p: number, t: number) => number, dA: (p: number, t: number) => number, dB: (p: number, t: number) => number,
): Tensor {
  const dtype = resultType(a, b);
  const ad = cast(a, dtype).data, bd = cast(b, dtype).data, n = ad.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += lossAt(ad[i]!, bd[i]!);
  const grad = (f: (p: number, t: number) => number, g: number, shape: readonly number[]): Tensor => {
    const d: TypedArray = allocate(dtype, n);
    for (let i = 0; i < n; i++) d[i] = f(ad[i]!, bd[i]!) * g;
    return new Tensor(d, shape);
  };
  return record(op, scalarOf(total / n, dtype), [a, b], (dy) => {
    const g = dy.data[0]! / n;
    return [a.requiresGrad ? grad(dA, g, a.shape) : null, b.requiresGrad ? grad(dB, g, b.shape) : null];
  });
}

/** Mean squared error (1/N) Σ (pred − target)², over all elements; shapes must match. */
export function mse(pred: Tensor, target: Tensor): Tensor {
  checkPair("mse", pred, "pred", target, "target");
  return meanLoss(
    "mse", pred, target,
    (p, t) => (p - t) * (p - t),
    (p, t) => 2 * (p - t),
    (p, t) => 2 * (t - p),
  );
}

export interface BceOptions {
  /** The first argument holds logits (default) rather than probabilities in (0, 1). */
  fromLogits?: boolean;
}

/** Probabilities are clipped to [EPS, 1 − EPS] when not given as logits (as Keras does). */
const EPS = 1e-7;

/**
 * Binary cross-entropy, mean over all elements: −[t·log p + (1 − t)·log(1 − p)] with p = σ(z).
 * From logits (default) it is computed as max(z, 0) − z·t + log(1 + e^−|z|), finite for any z;
 * the gradient w.r.t. z is (σ(z) − t)/N. With `fromLogits: false` the input is p itself, clipped
 * to [1e-7, 1 − 1e-7].
 */
export function bce(logits: Tensor, targets: Tensor, opts: BceOptions = {}): Tensor {
  opts = optionsArg("bce", opts);
  optBoolArg("bce", "opts.fromLogits", opts.fromLogits);
  checkPair("bce", logits, opts.fromLogits === false ? "pred" : "logits", targets, "targets");
  if (opts.fromLogits === false)
    return meanLoss(
      "bce", logits, targets,
      (p, t) => {
        const q = Math.min(Math.max(p, EPS), 1 - EPS);
        return -(t * Math.log(q) + (1 - t) * Math.log(1 - q));
      },
      (p, t) => (p > EPS && p < 1 - EPS ? (p - t) / (p * (1 - p)) : 0),
      (p) => {
        const q = Math.min(Math.max(p, EPS), 1 - EPS);
        return Math.log(1 - q) - Math.log(q);
      },
    );
  return meanLoss(
    "bce", logits, targets,
    (z, t) => Math.max(z, 0) - z * t + Math.log1p(Math.exp(-Math.abs(z))),
    (z, t) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))) - t,
    (z) => -z,
  );
}
