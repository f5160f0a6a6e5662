/**
 * Verification numerics shared by `cl.face` and the embeddings widget (one implementation; the
 * inspect builders and the browser widget import it from here): squared distances between
 * encodings, pairs with "same identity" flags, accuracy at a threshold τ, the ROC curve, the best
 * τ, the equal-error rate, and the triplet loss of index triplets.
 *
 * Distances are squared Euclidean, `d = ‖f(x1) − f(x2)‖²`, as in the course; two pictures show
 * the same person when `d ≤ τ`.
 */
import { Rng } from "../util/rng.js";
import { ShapeError, ValueError } from "../util/errors.js";
import { type Triplet } from "../inspect/payloads/embeddings.js";
import { arrayArg, describeValue, intArg, numberArg, numbersArg, optIntArg, optionsArg, requiredOptionsArg, seedArg } from "../util/check.js";

export type { Triplet };

/** Checks row-major `vectors` of m points of dimension d. */
function pointsArg(fn: string, vectors: ArrayLike<number>, m: number, d: number): void {
  numbersArg(fn, "vectors", vectors);
  intArg(fn, "m", m, { min: 0 });
  intArg(fn, "d", d, { min: 0 });
}

/** Squared distance between rows `i` and `j`. */
export function squaredDistance(vectors: ArrayLike<number>, d: number, i: number, j: number): number {
  if (typeof vectors !== "object" || vectors === null || !Number.isInteger(d) || !Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || d < 0 || (i + 1) * d > vectors.length || (j + 1) * d > vectors.length) {
    numbersArg("squaredDistance", "vectors", vectors);
    intArg("squaredDistance", "d", d, { min: 0 });
    const m = d > 0 ? Math.floor(vectors.length / d) : 0;
    intArg("squaredDistance", "i", i, { min: 0, max: m - 1 });
    intArg("squaredDistance", "j", j, { min: 0, max: m - 1 });
  }
  let s = 0;
  for (let k = 0; k < d; k++) {
    const t = vectors[i * d + k]! - vectors[j * d + k]!;
    s += t * t;
  }
  return s;
}

/** Pairs of points with their squared distance and whether they share an identity. */
export interface Pairs {
  distance: Float64Array;
  same: Uint8Array;
}

/**
 * Every pair `i < j` of the `m` points (or `maxPairs` of them drawn with `seed` when there are
 * more): distance `‖f(xi) − f(xj)‖²` and whether `labels[i] === labels[j]`.
 */
export function verificationPairs(vectors: ArrayLike<number>, m: number, d: number, labels: ArrayLike<number>, opts: { maxPairs?: number; seed?: number } = {}): Pairs {
  pointsArg("verificationPairs", vectors, m, d);
  if (vectors.length !== m * d) throw new ShapeError(`verificationPairs: expected m·d = ${m}·${d} values, got ${vectors.length}`);
  if (numbersArg("verificationPairs", "labels", labels).length !== m) throw new ShapeError(`verificationPairs: expected ${m} labels, got ${labels.length}`);
  opts = optionsArg("verificationPairs", opts);
  seedArg("verificationPairs", opts.seed, "opts.seed");
  const all = (m * (m - 1)) / 2;
  const max = optIntArg("verificationPairs", "opts.maxPairs", opts.maxPairs, { min: 1, max: 1e8 }) ?? 200_000;
  if (all <= max) {
    const distance = new Float64Array(all), same = new Uint8Array(all);
    let k = 0;
    for (let i = 0; i < m; i++)
      for (let j = i + 1; j < m; j++, k++) {
        distance[k] = squaredDistance(vectors, d, i, j);
        same[k] = labels[i] === labels[j] ? 1 : 0;
      }
    return { distance, same };
  }
  const rng = new Rng(opts.seed ?? 0);
  const distance = new Float64Array(max), same = new Uint8Array(max);
  for (let k = 0; k < max; k++) {
    const i = rng.int(m);
    let j = rng.int(m - 1);
    if (j >= i) j++;
    distance[k] = squaredDistance(vectors, d, i, j);
    same[k] = labels[i] === labels[j] ? 1 : 0;
  }
  return { distance, same };
}

/** Verification at threshold τ ("same" when d ≤ τ): accuracy and the confusion counts. */
export function verificationAccuracy(pairs: Pairs, tau: number): { accuracy: number; tp: number; fp: number; tn: number; fn: number } {
  pairsArg("verificationAccuracy", pairs);
  numberArg("verificationAccuracy", "tau", tau, { finite: false });
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let k = 0; k < pairs.distance.length; k++) {
    const pred = pairs.distance[k]! <= tau;
    if (pairs.same[k]) pred ? tp++ : fn++;
    else pred ? fp++ : tn++;
  }
  const n = tp + fp + tn + fn;
  return { accuracy: n ? (tp + tn) / n : NaN, tp, fp, tn, fn };
}

/**
 * The ROC curve of verification as τ grows: one point per distinct distance (τ = that
 * distance), from (0, 0) to (1, 1); `auc` by the trapezoid rule.
 */
export function rocCurve(pairs: Pairs): { fpr: number[]; tpr: number[]; thresholds: number[]; auc: number } {
  pairsArg("rocCurve", pairs);
  const n = pairs.distance.length;
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => pairs.distance[a]! - pairs.distance[b]!);
  let P = 0;
  for (let k = 0; k < n; k++) P += pairs.same[k]!;
  const N = n - P;
  const fpr = [0], tpr = [0], thresholds = [-Infinity];
  let tp = 0, fp = 0;
  for (let q = 0; q < n; q++) {
    const k = order[q]!;
    if (pairs.same[k]) tp++;
    else fp++;
    const next = order[q + 1];
    if (next !== undefined && pairs.distance[next] === pairs.distance[k]) continue;
    fpr.push(N ? fp / N : 0);
    tpr.push(P ? tp / P : 0);
    thresholds.push(pairs.distance[k]!);
  }
  let auc = 0;
  for (let i = 1; i < fpr.length; i++) auc += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
  return { fpr, tpr, thresholds, auc };
}

/** The τ with the best verification accuracy (the middle between two neighbouring distances). */
export function bestThreshold(pairs: Pairs): number {
  pairsArg("bestThreshold", pairs);
  const n = pairs.distance.length;
  if (n === 0) return 0;
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => pairs.distance[a]! - pairs.distance[b]!);
  let P = 0;
  for (let k = 0; k < n; k++) P += pairs.same[k]!;
  // τ below every distance: all "different" → correct = N.
  let correct = n - P, best = correct, bestQ = -1, tp = 0, fp = 0;
  for (let q = 0; q < n; q++) {
    if (pairs.same[order[q]!]) tp++;
    else fp++;
    const next = order[q + 1];
    if (next !== undefined && pairs.distance[next] === pairs.distance[order[q]!]) continue;
    correct = tp + (n - P - fp);
    if (correct > best) (best = correct), (bestQ = q);
  }
  const lo = bestQ < 0 ? 0 : pairs.distance[order[bestQ]!]!;
  const hi = bestQ + 1 < n ? pairs.distance[order[bestQ + 1]!]! : lo;
  return bestQ < 0 ? lo / 2 : (lo + hi) / 2;
}

/** Checks `{ distance, same }` of equal lengths. */
export function pairsArg(fn: string, pairs: Pairs): void {
  requiredOptionsArg(fn, pairs, "pairs", "verificationPairs(...)");
  numbersArg(fn, "pairs.distance", pairs.distance);
  numbersArg(fn, "pairs.same", pairs.same);
  if (pairs.distance.length !== pairs.same.length) throw new ShapeError(`${fn}: pairs.distance has ${pairs.distance.length} entries but pairs.same ${pairs.same.length}`);
}

/** Checks triplets `{ anchor, positive, negative }` of point indices below m. */
export function tripletsArg(fn: string, name: string, triplets: readonly Triplet[], m: number): void {
  arrayArg(fn, name, triplets).forEach((t, i) => {
    const o = requiredOptionsArg(fn, t as Triplet, `${name}[${i}]`, "{ anchor, positive, negative }");
    for (const k of [o.anchor, o.positive, o.negative])
      if (!Number.isInteger(k) || k < 0 || k >= m) throw new ValueError(`${fn}: triplet ${i} names point ${typeof k === "number" ? k : describeValue(k)}, but there are ${m}`);
  });
}

/** One triplet's numbers: `L = max(d(A,P) − d(A,N) + α, 0)`; violated when L > 0. */
export interface TripletStats {
  dAP: number;
  dAN: number;
  loss: number;
  violated: boolean;
}

/** The course's triplet loss of each triplet (squared distances), with margin `alpha`. */
export function tripletStats(vectors: ArrayLike<number>, d: number, triplets: readonly Triplet[], alpha: number): TripletStats[] {
  numbersArg("tripletStats", "vectors", vectors);
  intArg("tripletStats", "d", d, { min: 1 });
  tripletsArg("tripletStats", "triplets", triplets, Math.floor(vectors.length / d));
  numberArg("tripletStats", "alpha", alpha);
  return triplets.map((t) => {
    const dAP = squaredDistance(vectors, d, t.anchor, t.positive);
    const dAN = squaredDistance(vectors, d, t.anchor, t.negative);
    const loss = Math.max(dAP - dAN + alpha, 0);
    return { dAP, dAN, loss, violated: loss > 0 };
  });
}


/**
 * The equal-error rate of verification: the error where the false-accept rate (FPR, different
 * people with d ≤ τ) equals the false-reject rate (FNR = 1 − TPR), interpolated linearly between
 * the two neighbouring points of the ROC curve where FNR − FPR changes sign; `threshold` is the
 * τ there (interpolated the same way between those points' thresholds).
 */
export function equalErrorRate(pairs: Pairs): { eer: number; threshold: number } {
  pairsArg("equalErrorRate", pairs);
  const { fpr, tpr, thresholds } = rocCurve(pairs);
  if (fpr.length < 2) return { eer: NaN, threshold: NaN };
  // g = FNR − FPR decreases from 1 (τ = −∞) to −1 (τ ≥ every distance).
  for (let i = 1; i < fpr.length; i++) {
    const g0 = 1 - tpr[i - 1]! - fpr[i - 1]!, g1 = 1 - tpr[i]! - fpr[i]!;
    if (g1 <= 0) {
      const t = g0 === g1 ? 0 : g0 / (g0 - g1);
      const eer = fpr[i - 1]! + t * (fpr[i]! - fpr[i - 1]!);
      const lo = Number.isFinite(thresholds[i - 1]!) ? thresholds[i - 1]! : thresholds[i]!;
      return { eer, threshold: lo + t * (thresholds[i]! - lo) };
    }
  }
  return { eer: NaN, threshold: NaN };
}

/**
 * `count` pairs of the `m` points, half of the same identity and half of different ones (drawn
 * with `seed`): the balanced pairs verification accuracy is measured on (all pairs of a labelled
 * set are mostly "different", where always answering "different" scores well).
 */
export function balancedPairs(vectors: ArrayLike<number>, m: number, d: number, labels: ArrayLike<number>, opts: { count?: number; seed?: number } = {}): Pairs & { i: Int32Array; j: Int32Array } {
  const fn = "balancedPairs";
  pointsArg(fn, vectors, m, d);
  if (vectors.length !== m * d) throw new ShapeError(`${fn}: expected m·d = ${m}·${d} values, got ${vectors.length}`);
  if (numbersArg(fn, "labels", labels).length !== m) throw new ShapeError(`${fn}: expected ${m} labels, got ${labels.length}`);
  opts = optionsArg(fn, opts);
  const count = optIntArg(fn, "opts.count", opts.count, { min: 2, max: 1e7 }) ?? 1000;
  seedArg(fn, opts.seed, "opts.seed");
  const byLabel = new Map<number, number[]>();
  for (let k = 0; k < m; k++) {
    const l = labels[k]!;
    if (!byLabel.has(l)) byLabel.set(l, []);
    byLabel.get(l)!.push(k);
  }
  const withPair = [...byLabel.values()].filter((v) => v.length >= 2);
  if (withPair.length === 0 || byLabel.size < 2)
    throw new ValueError(`${fn}: needs an identity with at least 2 points and at least 2 identities, got ${byLabel.size} identities of ${m} points`);
  const rng = new Rng(opts.seed ?? 0);
  const i = new Int32Array(count), j = new Int32Array(count), distance = new Float64Array(count), same = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    let a: number, b: number;
    if (k % 2 === 0) {
      const group = withPair[rng.int(withPair.length)]!;
      a = group[rng.int(group.length)]!;
      b = group[rng.int(group.length - 1)]!;
      if (b === a) b = group[group.length - 1]!;
    } else {
      a = rng.int(m);
      do b = rng.int(m);
      while (labels[b] === labels[a]);
    }
    i[k] = a, j[k] = b;
    distance[k] = squaredDistance(vectors, d, a, b);
    same[k] = labels[a] === labels[b] ? 1 : 0;
  }
  return { distance, same, i, j };
}
