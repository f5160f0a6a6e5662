/**
 * The triplet loss of the course and the mining of triplets over a labelled batch.
 *
 *   L(A, P, N) = max(‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + α, 0),   J = Σ L over the triplets
 *
 * `tripletLoss` is built from differentiable ops (sub, square, sum, relu), so its gradient with
 * respect to each encoding comes from the tape: ∂L/∂f(A) = 2(f(N) − f(P)), ∂L/∂f(P) = −2(f(A) −
 * f(P)), ∂L/∂f(N) = 2(f(A) − f(N)) where the hinge is active, 0 where it is not (an exactly-zero
 * hinge counts as inactive, as relu's derivative at 0 is 0).
 *
 * Mining (`batchAll`, `batchHard`, `semiHard`) picks index triplets from a batch of encodings
 * with identity labels, on the squared distances of the batch (no gradient), and
 * `minedTripletLoss` computes the same loss for those triplets from the batch's distance matrix on
 * the tape, so the gradient flows back to the batch's encodings.
 */
import { Tensor } from "../tensor/tensor.js";
import { sub, add, mul } from "../ops/binary.js";
import { matmul } from "../ops/matmul.js";
import { square } from "../ops/unary.js";
import { sum, mean } from "../ops/reduce.js";
import { relu } from "../ops/activations.js";
import { gather, reshape, transpose } from "../ops/layout.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { describeValue, numbersArg, optNumberArg, optOneOfArg, optionsArg, typeFail } from "../util/check.js";
import type { Triplet } from "./distances.js";

export interface TripletLossOptions {
  /** Margin α (default 0.2). */
  alpha?: number;
  /** "sum" over the triplets (default, the course's J), "mean", or "none" (one loss per triplet, `[m]`). */
  reduction?: "sum" | "mean" | "none";
}

/** Checks an encodings tensor `[m, d]` (or one encoding `[d]`) and returns it as `[m, d]`. */
export function encodingsArg(fn: string, name: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) typeFail(fn, name, "a Tensor of encodings [m,d]", x);
  if (x.rank === 1) return x.reshape([1, x.shape[0]!]);
  if (x.rank !== 2) throw new ShapeError(`${fn}: ${name} must be encodings [m,d] (or one encoding [d]), got ${fmtShape(x.shape)}`);
  return x;
}

function sameShape(fn: string, names: string[], xs: Tensor[]): void {
  for (let k = 1; k < xs.length; k++)
    if (xs[k]!.shape[0] !== xs[0]!.shape[0] || xs[k]!.shape[1] !== xs[0]!.shape[1])
      throw new ShapeError(`${fn}: ${names[0]} ${fmtShape(xs[0]!.shape)} and ${names[k]} ${fmtShape(xs[k]!.shape)} must have the same shape [m,d] (one anchor, positive and negative per triplet, same embedding dimension)`);
}

/**
 * The course's triplet loss over a batch of triplets: anchors `a`, positives `p` and negatives
 * `n`, each `[m, d]` (or `[d]` for one triplet). Returns a scalar (the sum over the batch by
 * default) that `backward()` differentiates with respect to all three.
 *
 * @example
 * const J = cl.face.tripletLoss(fA, fP, fN, { alpha: 0.2 });   // Σ max(‖A−P‖² − ‖A−N‖² + 0.2, 0)
 */
export function tripletLoss(a: Tensor, p: Tensor, n: Tensor, opts: TripletLossOptions = {}): Tensor {
  const fn = "tripletLoss";
  const A = encodingsArg(fn, "a (anchors)", a), P = encodingsArg(fn, "p (positives)", p), N = encodingsArg(fn, "n (negatives)", n);
  sameShape(fn, ["a", "p", "n"], [A, P, N]);
  const o = optionsArg(fn, opts);
  const alpha = optNumberArg(fn, "opts.alpha", o.alpha, { min: 0 }) ?? 0.2;
  const reduction = optOneOfArg(fn, "opts.reduction", o.reduction, ["sum", "mean", "none"] as const) ?? "sum";
  if (A.shape[0] === 0) throw new ShapeError(`${fn}: expected at least one triplet, got a ${fmtShape(A.shape)}`);
  const dAP = sum(square(sub(A, P)), 1);
  const dAN = sum(square(sub(A, N)), 1);
  const losses = relu(add(sub(dAP, dAN), alpha));
  return reduction === "none" ? losses : reduction === "mean" ? mean(losses) : sum(losses);
}

// ---------------------------------------------------------------------------------------------
// Mining

export type MiningStrategy = "all" | "hard" | "semiHard";

export interface MiningOptions {
  /** Margin α (default 0.2): decides which triplets are active (loss > 0) and semi-hard. */
  alpha?: number;
}

/** Triplets picked from a batch, with their distances and how many still violate the margin. */
export interface MinedTriplets {
  strategy: MiningStrategy;
  triplets: Triplet[];
  /** d(A,P) and d(A,N) of each triplet (squared distances). */
  dAP: number[];
  dAN: number[];
  /** Triplets with a positive loss `d(A,P) − d(A,N) + α > 0`. */
  active: number;
  /** `active / triplets.length` (0 when no triplet could be formed). */
  activeFraction: number;
}

/** Labels as numbers: an array, a typed array or a tensor `[m]`. */
export function labelsArg(fn: string, labels: unknown, m: number): ArrayLike<number> {
  const l = labels instanceof Tensor ? (labels.rank === 1 ? labels.data : (() => { throw new ShapeError(`${fn}: labels must be [m], got ${fmtShape(labels.shape)}`); })()) : numbersArg(fn, "labels", labels);
  if (l.length !== m) throw new ShapeError(`${fn}: expected one label per encoding (${m}), got ${l.length}`);
  for (let i = 0; i < l.length; i++) if (!Number.isFinite(l[i]!)) throw new ValueError(`${fn}: labels must be finite identity ids, label ${i} is ${describeValue(l[i])}`);
  return l;
}

/** Squared distances of all pairs of rows, `[m·m]` row-major (float64). */
function distanceMatrix(x: Tensor): Float64Array {
  const [m, d] = x.shape as [number, number];
  const v = x.data, D = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = i + 1; j < m; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = v[i * d + k]! - v[j * d + k]!;
        s += t * t;
      }
      D[i * m + j] = D[j * m + i] = s;
    }
  return D;
}

function mine(fn: string, strategy: MiningStrategy, embeddings: Tensor, labels: unknown, opts: MiningOptions): MinedTriplets {
  const x = encodingsArg(fn, "embeddings", embeddings);
  const [m] = x.shape as [number, number];
  const l = labelsArg(fn, labels, m);
  const o = optionsArg(fn, opts);
  const alpha = optNumberArg(fn, "opts.alpha", o.alpha, { min: 0 }) ?? 0.2;
  for (let i = 0; i < x.size; i++) if (!Number.isFinite(x.data[i]!)) throw new ValueError(`${fn}: the embeddings must be finite, value ${i} is ${x.data[i]}`);
  const D = distanceMatrix(x);
  const triplets: Triplet[] = [], dAP: number[] = [], dAN: number[] = [];
  const push = (a: number, p: number, n: number): void => {
    triplets.push({ anchor: a, positive: p, negative: n });
    dAP.push(D[a * m + p]!);
    dAN.push(D[a * m + n]!);
  };
  for (let a = 0; a < m; a++) {
    if (strategy === "hard") {
      // Batch hard (Hermans et al., 2017): the farthest positive and the closest negative of each anchor.
      let p = -1, n = -1;
      for (let j = 0; j < m; j++) {
        if (j === a) continue;
        if (l[j] === l[a]) {
          if (p < 0 || D[a * m + j]! > D[a * m + p]!) p = j;
        } else if (n < 0 || D[a * m + j]! < D[a * m + n]!) n = j;
      }
      if (p >= 0 && n >= 0) push(a, p, n);
      continue;
    }
    for (let p = 0; p < m; p++) {
      if (p === a || l[p] !== l[a]) continue;
      const ap = D[a * m + p]!;
      if (strategy === "all") {
        for (let n = 0; n < m; n++) if (l[n] !== l[a]) push(a, p, n);
        continue;
      }
      // Semi-hard (FaceNet, Schroff et al., 2015): the closest negative farther than the positive,
      // d(A,P) < d(A,N) (it violates the margin when d(A,N) < d(A,P) + α); when every negative is
      // closer than the positive, the farthest of them (as TensorFlow Addons' triplet_semihard_loss).
      let semi = -1, far = -1;
      for (let n = 0; n < m; n++) {
        if (l[n] === l[a]) continue;
        const an = D[a * m + n]!;
        if (an > ap && (semi < 0 || an < D[a * m + semi]!)) semi = n;
        if (far < 0 || an > D[a * m + far]!) far = n;
      }
      const n = semi >= 0 ? semi : far;
      if (n >= 0) push(a, p, n);
    }
  }
  let active = 0;
  for (let k = 0; k < triplets.length; k++) if (dAP[k]! - dAN[k]! + alpha > 0) active++;
  return { strategy, triplets, dAP, dAN, active, activeFraction: triplets.length ? active / triplets.length : 0 };
}

/**
 * Every valid triplet of the batch: each anchor `a`, each positive `p ≠ a` of its identity, each
 * negative `n` of another identity (m·(k−1)·(m−k) triplets for identities of k each).
 */
export function batchAll(embeddings: Tensor, labels: ArrayLike<number> | Tensor, opts: MiningOptions = {}): MinedTriplets {
  return mine("batchAll", "all", embeddings, labels, opts);
}

/** One triplet per anchor: its hardest positive (largest d(A,P)) and hardest negative (smallest d(A,N)). */
export function batchHard(embeddings: Tensor, labels: ArrayLike<number> | Tensor, opts: MiningOptions = {}): MinedTriplets {
  return mine("batchHard", "hard", embeddings, labels, opts);
}

/**
 * One triplet per anchor–positive pair: the semi-hard negative, the closest one with
 * d(A,N) > d(A,P) (FaceNet); the farthest negative when none is farther than the positive.
 */
export function semiHard(embeddings: Tensor, labels: ArrayLike<number> | Tensor, opts: MiningOptions = {}): MinedTriplets {
  return mine("semiHard", "semiHard", embeddings, labels, opts);
}

export interface MinedLossOptions extends MiningOptions {
  /** "hard" (default), "semiHard" or "all". */
  strategy?: MiningStrategy;
  /**
   * "mean" over the mined triplets (default: the scale does not grow with the batch), "sum", or
   * "meanActive": the mean over the triplets that still violate the margin (batch-all's usual
   * form, whose gradient does not fade as more triplets become easy).
   */
  reduction?: "sum" | "mean" | "meanActive";
}

/**
 * Mines triplets in a labelled batch of encodings `[m, d]` and returns their triplet loss (a
 * scalar on the tape: its gradient flows back into `embeddings`) with the mined triplets.
 * A batch where no triplet can be formed (one identity, or no identity with two examples) throws.
 *
 * @example
 * const { loss, activeFraction } = cl.face.minedTripletLoss(encoder.forward(x), y, { strategy: "hard" });
 */
export function minedTripletLoss(embeddings: Tensor, labels: ArrayLike<number> | Tensor, opts: MinedLossOptions = {}): MinedTriplets & { loss: Tensor } {
  const fn = "minedTripletLoss";
  const o = optionsArg(fn, opts);
  const strategy = optOneOfArg(fn, "opts.strategy", o.strategy, ["all", "hard", "semiHard"] as const) ?? "hard";
  const reduction = optOneOfArg(fn, "opts.reduction", o.reduction, ["sum", "mean", "meanActive"] as const) ?? "mean";
  const mined = mine(fn, strategy, embeddings, labels, { alpha: o.alpha });
  if (mined.triplets.length === 0)
    throw new ValueError(`${fn}: no triplet in this batch: it needs an identity with at least 2 examples and another identity (sample batches of P identities × K examples)`);
  // d(A,P) and d(A,N) read from the batch's distance matrix D = ‖xi‖² + ‖xj‖² − 2·xi·xj (on the
  // tape): one m×m product instead of gathering three rows per triplet (batch-all mines thousands).
  const x = encodingsArg(fn, "embeddings", embeddings);
  const m = x.shape[0]!;
  const sq = sum(square(x), 1, true);
  const D = reshape(sub(add(sq, transpose(sq)), mul(matmul(x, transpose(x)), 2)), [m * m]);
  const dAP = gather(D, mined.triplets.map((t) => t.anchor * m + t.positive));
  const dAN = gather(D, mined.triplets.map((t) => t.anchor * m + t.negative));
  const alpha = o.alpha ?? 0.2;
  const losses = relu(add(sub(dAP, dAN), alpha));
  const loss = reduction === "sum" ? sum(losses) : reduction === "mean" ? mean(losses) : sum(losses).div(Math.max(mined.active, 1));
  return { ...mined, loss };
}
