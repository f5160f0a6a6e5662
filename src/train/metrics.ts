// Metrics for fit/evaluate: plain numbers from a batch's outputs (logits) and labels.
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";

/** A metric: a name (the key in histories, `val` + Name for validation) and its batch mean. */
export interface Metric {
  name: string;
  /** The metric's mean over the batch (fit and evaluate weight batches by their size). */
  fn: (output: Tensor, y: Tensor) => number;
}

/**
 * Fraction of correct predictions in a batch. Logits `[m, k]` (k ≥ 2): the argmax of each row
 * against class ids `y` `[m]` (or the argmax of target rows `[m, k]`). One output per example
 * (`[m]` or `[m, 1]`, binary logits): `output > 0` against `y ≥ 0.5`.
 *
 *   cl.train.accuracy(model.predict(test.x), test.y) // 0.97
 */
export function accuracy(output: Tensor, y: Tensor): number {
  const op = "accuracy";
  if (!(output instanceof Tensor) || !(y instanceof Tensor)) throw new ValueError(`${op}: expected tensors (output, y)`);
  const m = output.shape[0];
  if (output.rank === 0 || m === 0) throw new ShapeError(`${op}: expected outputs [m,k] with m ≥ 1, got ${fmtShape(output.shape)}`);
  if (y.rank === 0 || y.shape[0] !== m) throw new ShapeError(`${op}: y has shape ${fmtShape(y.shape)} but the outputs have batch ${m} (outputs ${fmtShape(output.shape)})`);
  const z = output.data, t = y.data;
  const k = output.size / m!;
  let right = 0;
  if (k === 1) {
    if (y.size !== m) throw new ShapeError(`${op}: binary outputs ${fmtShape(output.shape)} need one target per example, got y ${fmtShape(y.shape)}`);
    for (let i = 0; i < m!; i++) if (z[i]! > 0 === t[i]! >= 0.5) right++;
    return right / m!;
  }
  if (output.rank !== 2) throw new ShapeError(`${op}: expected logits [m,k], got ${fmtShape(output.shape)}`);
  const rowMax = (d: ArrayLike<number>, r: number): number => {
    let best = 0;
    for (let j = 1; j < k; j++) if (d[r * k + j]! > d[r * k + best]!) best = j;
    return best;
  };
  const probs = y.rank === 2;
  if (probs && y.shape[1] !== k) throw new ShapeError(`${op}: targets ${fmtShape(y.shape)} do not match logits ${fmtShape(output.shape)}`);
  if (!probs && y.rank !== 1) throw new ShapeError(`${op}: y must be class ids [m] or targets [m,k], got ${fmtShape(y.shape)}`);
  for (let i = 0; i < m!; i++) if (rowMax(z, i) === (probs ? rowMax(t, i) : t[i])) right++;
  return right / m!;
}

/** The metrics named by `fit`/`evaluate` options. */
export type MetricSpec = "accuracy" | Metric;

export function resolveMetrics(specs: readonly MetricSpec[], op: string): Metric[] {
  if (!Array.isArray(specs)) throw new ValueError(`${op}: metrics must be a list such as ["accuracy"], got ${JSON.stringify(specs)}`);
  return specs.map((s) => {
    if (s === "accuracy") return { name: "accuracy", fn: accuracy };
    if (typeof s === "object" && s !== null && typeof s.name === "string" && typeof s.fn === "function") return s;
    throw new ValueError(`${op}: unknown metric ${JSON.stringify(s)} (expected "accuracy" or { name, fn })`);
  });
}
