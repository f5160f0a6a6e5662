import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { describeValue, typeFail } from "../util/check.js";
import { MAX_RANK } from "../util/limits.js";

/** Number of elements of a shape (1 for a scalar `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const st = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = s;
    s *= shape[i]!;
  }
  return st;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Strides of `shape` read as `outShape` (0 along broadcast dimensions). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const st = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : st[i - off]!));
}

/** NumPy broadcasting of two shapes; throws naming the op when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[], op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1)
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} do not broadcast (axis ${i}: ${da} vs ${db})`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Resolves a possibly negative axis against a rank. */
export function normAxis(axis: number, rank: number, op: string): number {
  if (typeof axis !== "number") typeFail(op, "axis", "an integer", axis);
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank)
    throw new ValueError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank} (expected ${-rank}..${rank - 1})`);
  return axis < 0 ? axis + rank : axis;
}

/** Checks a shape: an array of at most 64 non-negative integers (`name` is the argument in messages). */
export function checkShape(shape: readonly number[], op: string, name = "shape"): void {
  if (!Array.isArray(shape)) typeFail(op, name, "an array of dimensions, e.g. [2, 3]", shape);
  if (shape.length > MAX_RANK) throw new ShapeError(`${op}: ${name} has ${shape.length} dimensions, at most ${MAX_RANK} are supported`);
  for (const d of shape)
    if (!Number.isSafeInteger(d) || d < 0)
      throw new ShapeError(`${op}: invalid ${name} [${shape.map((e) => (typeof e === "number" ? String(e) : describeValue(e))).join(",")}] (dimensions must be non-negative integers)`);
}
