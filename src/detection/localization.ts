/**
 * Classification with localisation (COURSE.md week 3): one object per image at most, the target
 * `y = [pc, bx, by, bh, bw, c1..cK]` (midpoint and size as fractions of the image) and the
 * course's loss — squared error over every component when pc = 1, only on pc when pc = 0.
 * Landmarks: `[l1x, l1y, …, lnx, lny]` regressed with squared error.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, fmtShape } from "../util/errors.js";
import { arrayArg, intArg, numberArg, optionsArg, requiredOptionsArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { mul, sub, add } from "../ops/binary.js";
import { square } from "../ops/unary.js";
import { sum } from "../ops/reduce.js";
import { slice } from "../ops/layout.js";
import { checkBox, type Box, type Detection } from "./boxes.js";
import type { LabeledBox } from "./yolo.js";

export interface LocalizationOptions {
  /** K, the number of classes. */
  classes: number;
  /** The frame boxes are measured in (default 1 × 1). */
  width?: number;
  height?: number;
  dtype?: "float32" | "float64";
}

/**
 * Targets `[m, 5 + K]` for images with at most one object each: `objects[i]` is image i's object
 * or null (background: pc = 0, the rest 0, "don't care").
 *
 * @example
 * localizationTarget([{ box, classId: 2 }, null], { classes: 3, width: 64, height: 64 })  // [2, 8]
 */
export function localizationTarget(objects: readonly (LabeledBox | null)[], opts: LocalizationOptions): Tensor {
  const fn = "localizationTarget";
  const list = arrayArg(fn, "objects", objects);
  const o = requiredOptionsArg(fn, opts, "opts", "{ classes }");
  const K = intArg(fn, "opts.classes", o.classes, { min: 1, max: 1e5 });
  const W = o.width === undefined ? 1 : numberArg(fn, "opts.width", o.width, { above: 0 });
  const H = o.height === undefined ? 1 : numberArg(fn, "opts.height", o.height, { above: 0 });
  const D = 5 + K;
  const data = o.dtype === "float64" ? new Float64Array(list.length * D) : new Float32Array(list.length * D);
  list.forEach((ob, i) => {
    if (ob === null || ob === undefined) return;
    const obj = requiredOptionsArg(fn, ob as LabeledBox, `objects[${i}]`, "{ box, classId } or null");
    checkBox(obj.box, fn, `objects[${i}].box`);
    const c = intArg(fn, `objects[${i}].classId`, obj.classId, { min: 0, max: K - 1 });
    const b = obj.box;
    data.set([1, (b.x1 + b.x2) / 2 / W, (b.y1 + b.y2) / 2 / H, (b.y2 - b.y1) / H, (b.x2 - b.x1) / W], i * D);
    data[i * D + 5 + c] = 1;
  });
  return new Tensor(data, [list.length, D]);
}

/**
 * The course's loss, averaged over the batch: for each example
 * `pc = 1: Σ_j (ŷ_j − y_j)²`, `pc = 0: (ŷ_1 − y_1)²`. `yHat` and `y` are `[m, 5 + K]`.
 */
export function localizationLoss(yHat: Tensor, y: Tensor): Tensor {
  const fn = "localizationLoss";
  tensorArg(fn, "yHat", yHat);
  tensorArg(fn, "y", y);
  if (yHat.rank !== 2 || yHat.shape[1]! < 6) throw new ShapeError(`${fn}: yHat must be [m, 5 + K] with K ≥ 1, got ${fmtShape(yHat.shape)}`);
  if (y.shape.join() !== yHat.shape.join()) throw new ShapeError(`${fn}: y ${fmtShape(y.shape)} must have yHat's shape ${fmtShape(yHat.shape)}`);
  const [m, D] = yHat.shape as [number, number];
  const pc = y.dtype === "float64" ? new Float64Array(m) : new Float32Array(m);
  for (let i = 0; i < m; i++) pc[i] = y.data[i * D]! > 0.5 ? 1 : 0;
  const sq = square(sub(yHat, y));
  const first = sum(slice(sq, [0, 0], [m, 1]));
  const rest = sum(mul(slice(sq, [0, 1], [m, D - 1]), new Tensor(pc, [m, 1])));
  return mul(add(first, rest), 1 / m);
}

/**
 * The detection a localisation output `[m, 5 + K]` describes, per image: box from (bx, by, bh,
 * bw) in the frame, score pc, class argmax(c) — or null when pc ≤ `threshold` (default 0.5).
 */
export function localizationDecode(yHat: Tensor, opts: { width?: number; height?: number; threshold?: number } = {}): (Detection | null)[] {
  const fn = "localizationDecode";
  tensorArg(fn, "yHat", yHat);
  const o = optionsArg(fn, opts);
  if (yHat.rank !== 2 || yHat.shape[1]! < 6) throw new ShapeError(`${fn}: yHat must be [m, 5 + K] with K ≥ 1, got ${fmtShape(yHat.shape)}`);
  const W = o.width === undefined ? 1 : numberArg(fn, "opts.width", o.width, { above: 0 });
  const H = o.height === undefined ? 1 : numberArg(fn, "opts.height", o.height, { above: 0 });
  const thr = o.threshold === undefined ? 0.5 : numberArg(fn, "opts.threshold", o.threshold);
  const [m, D] = yHat.shape as [number, number];
  const v = yHat.data;
  const out: (Detection | null)[] = [];
  for (let i = 0; i < m; i++) {
    const at = i * D;
    const pc = v[at]!;
    if (!(pc > thr)) {
      out.push(null);
      continue;
    }
    let best = 0;
    for (let k = 1; k < D - 5; k++) if (v[at + 5 + k]! > v[at + 5 + best]!) best = k;
    const bx = v[at + 1]! * W, by = v[at + 2]! * H, bh = Math.abs(v[at + 3]!) * H, bw = Math.abs(v[at + 4]!) * W;
    const box: Box = { x1: bx - bw / 2, y1: by - bh / 2, x2: bx + bw / 2, y2: by + bh / 2 };
    out.push({ box, score: Math.min(1, pc), classId: best });
  }
  return out;
}
