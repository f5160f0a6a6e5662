/**
 * Sliding-window detection, the naive way (COURSE.md week 3): crop a window at every position
 * (stride s) and run the classifier on each crop. `cl.nn.toConvolutional` computes the same map
 * in one pass; the two agree to float rounding.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { intArg, requiredOptionsArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { slice, concat, reshape } from "../ops/layout.js";
import { noGrad } from "../autograd/tape.js";

export interface SlidingWindowOptions {
  /** The window (the classifier's input) size, f or [fH, fW]. */
  size: number | readonly [number, number];
  /** The step between windows (default 1), s or [sH, sW]. */
  stride?: number | readonly [number, number];
}

/** A model that maps `[n, fH, fW, c]` crops to `[n, K]` (or `[n, 1, 1, K]`) outputs. */
export interface WindowClassifier {
  predict(x: Tensor): unknown;
}

function pair(fn: string, name: string, v: unknown, dflt?: number): [number, number] {
  if (v === undefined && dflt !== undefined) return [dflt, dflt];
  if (typeof v === "number") {
    const s = intArg(fn, name, v, { min: 1, max: 1e5 });
    return [s, s];
  }
  if (!Array.isArray(v) || v.length !== 2) throw new ValueError(`${fn}: ${name} must be a positive integer or a pair [h, w], got ${v === null ? "null" : typeof v}`);
  return [intArg(fn, `${name}[0]`, v[0], { min: 1, max: 1e5 }), intArg(fn, `${name}[1]`, v[1], { min: 1, max: 1e5 })];
}

/** The crops of every window position: `[nH'·nW', fH, fW, c]` for an image `[1, H, W, c]` or `[H, W, c]`, row by row. */
export function windowCrops(image: Tensor, opts: SlidingWindowOptions): { crops: Tensor; rows: number; cols: number } {
  const fn = "windowCrops";
  tensorArg(fn, "image", image);
  const o = requiredOptionsArg(fn, opts, "opts", "{ size, stride? }");
  const [fh, fw] = pair(fn, "opts.size", o.size);
  const [sh, sw] = pair(fn, "opts.stride", o.stride, 1);
  const img = image.rank === 3 ? reshape(image, [1, ...image.shape]) : image;
  if (img.rank !== 4 || img.shape[0] !== 1) throw new ShapeError(`${fn}: image must be [H, W, c] or [1, H, W, c], got ${fmtShape(image.shape)}`);
  const [, H, W, C] = img.shape as [number, number, number, number];
  if (H < fh || W < fw) throw new ShapeError(`${fn}: the window ${fh}×${fw} is larger than the image ${H}×${W}`);
  const rows = Math.floor((H - fh) / sh) + 1, cols = Math.floor((W - fw) / sw) + 1;
  if (rows * cols * fh * fw * C > 2 ** 27) throw new ValueError(`${fn}: ${rows * cols} windows of ${fh}×${fw}×${C} are too many values`);
  const crops: Tensor[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) crops.push(slice(img, [0, r * sh, c * sw, 0], [1, fh, fw, C]));
  return { crops: concat(crops, 0), rows, cols };
}

/**
 * Runs `model` on the window at every position: the output map `[1, nH', nW', K]` with
 * `nH' = ⌊(H − fH)/s⌋ + 1` (as the convolutional implementation's).
 *
 * @example
 * slidingWindows(classifier14, x16, { size: 14, stride: 2 }).shape   // [1, 2, 2, 4]
 */
export function slidingWindows(model: WindowClassifier, image: Tensor, opts: SlidingWindowOptions): Tensor {
  const fn = "slidingWindows";
  if (model === null || typeof model !== "object" || typeof (model as WindowClassifier).predict !== "function")
    throw new ValueError(`${fn}: model must have predict(x), got ${model === null ? "null" : typeof model}`);
  return noGrad(() => {
    const { crops, rows, cols } = windowCrops(image, opts);
    const y = model.predict(crops);
    if (!(y instanceof Tensor)) throw new ValueError(`${fn}: model.predict must return a tensor`);
    const n = rows * cols;
    if (y.shape[0] !== n) throw new ShapeError(`${fn}: model.predict returned ${fmtShape(y.shape)} for ${n} crops`);
    return reshape(y, [1, rows, cols, y.size / n]);
  });
}
