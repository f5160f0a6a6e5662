// Shape and layout ops: reshape, squeeze/unsqueeze, flatten, transpose, slice, gather, concat,
// stack, pad, flip, broadcastTo. Each records the gradient that undoes its data movement.
import { Tensor, allocate, resultType } from "../tensor/tensor.js";
import { normAxis, sizeOf, stridesOf, sameShape, checkShape } from "../tensor/shape.js";
import { record } from "../autograd/tape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, intArg, numberArg, numbersArg, typeFail } from "../util/check.js";
import { tensorArg, tensorsArg } from "../tensor/args.js";
import { expandTo, sumTo } from "./reduce.js";

/** Same data in a new shape; one dimension may be -1 (inferred). Shares the data (no copy). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  tensorArg("reshape", "x", x);
  arrayArg("reshape", "shape", shape);
  const s = [...shape];
  const neg = s.indexOf(-1);
  if (neg >= 0) {
    if (s.indexOf(-1, neg + 1) >= 0) throw new ShapeError(`reshape: only one dimension can be -1, got ${fmtShape(shape)}`);
    const rest = sizeOf(s.filter((_, i) => i !== neg));
    if (rest === 0 || x.size % rest !== 0)
      throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`);
    s[neg] = x.size / rest;
  }
  checkShape(s, "reshape");
  if (sizeOf(s) !== x.size) throw new ShapeError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)} (${sizeOf(s)} elements)`);
  return record("reshape", new Tensor(x.data, s), [x], (dy) => [new Tensor(dy.data, x.shape)]);
}

/** Flattens all axes from `startAxis` on (`flatten(x)` → 1-D; `flatten(x, 1)` keeps the batch axis). */
export function flatten(x: Tensor, startAxis = 0): Tensor {
  tensorArg("flatten", "x", x);
  intArg("flatten", "startAxis", startAxis);
  if (x.rank === 0) return reshape(x, [1]);
  const a = normAxis(startAxis, x.rank, "flatten");
  return reshape(x, [...x.shape.slice(0, a), -1]);
}

/** Removes axes of size 1 (the given one, or all). */
export function squeeze(x: Tensor, axis?: number): Tensor {
  tensorArg("squeeze", "x", x);
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = normAxis(axis, x.rank, "squeeze");
  if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${axis} has size ${x.shape[a]}, expected 1 (shape ${fmtShape(x.shape)})`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
}

/** Inserts an axis of size 1 at `axis` (like `expand_dims`). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  tensorArg("unsqueeze", "x", x);
  const a = normAxis(axis, x.rank + 1, "unsqueeze");
  const s = [...x.shape];
  s.splice(a, 0, 1);
  return reshape(x, s);
}

/** Permutes axes (`perm[i]` is the input axis that becomes output axis i); reverses them by default. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  tensorArg("transpose", "x", x);
  if (perm !== undefined) arrayArg("transpose", "perm", perm);
  const rank = x.rank;
  const p = perm ? perm.map((a) => normAxis(a, rank, "transpose")) : [...Array(rank).keys()].reverse();
  if (p.length !== rank || new Set(p).size !== rank)
    throw new ShapeError(`transpose: perm ${fmtShape(perm ?? [])} is not a permutation of the ${rank} axes of ${fmtShape(x.shape)}`);
  const outShape = p.map((a) => x.shape[a]!);
  const inSt = stridesOf(x.shape);
  const st = p.map((a) => inSt[a]!);
  const out = allocate(x.dtype, x.size);
  const src = x.data;
  if (rank === 2 && p[0] === 1) {
    const [r, c] = x.shape as [number, number];
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = src[i * c + j]!;
  } else {
    const idx = new Array<number>(rank).fill(0);
    let off = 0;
    for (let i = 0; i < out.length; i++) {
      out[i] = src[off]!;
      for (let d = rank - 1; d >= 0; d--) {
        idx[d]!++;
        off += st[d]!;
        if (idx[d]! < outShape[d]!) break;
        off -= st[d]! * outShape[d]!;
        idx[d] = 0;
      }
    }
  }
  const inv = new Array<number>(rank);
  p.forEach((a, i) => (inv[a] = i));
  return record("transpose", new Tensor(out, outShape), [x], (dy) => [transpose(dy, inv)]);
}

/** Copies the box `begin .. begin+size` (size -1 = to the end) out of x, tfjs-style. */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  tensorArg("slice", "x", x);
  numbersArg("slice", "begin", begin);
  if (size !== undefined) numbersArg("slice", "size", size);
  const rank = x.rank;
  if (begin.length > rank) throw new ShapeError(`slice: begin has ${begin.length} entries but the tensor has rank ${rank} (shape ${fmtShape(x.shape)})`);
  const b = x.shape.map((_, i) => begin[i] ?? 0);
  const s = x.shape.map((d, i) => {
    const v = size?.[i] ?? -1;
    return v === -1 ? d - b[i]! : v;
  });
  for (let i = 0; i < rank; i++)
    if (!Number.isInteger(b[i]) || !Number.isInteger(s[i]) || b[i]! < 0 || s[i]! < 0 || b[i]! + s[i]! > x.shape[i]!)
      throw new ShapeError(`slice: begin ${fmtShape(b)} size ${fmtShape(s)} is out of bounds for shape ${fmtShape(x.shape)} (axis ${i})`);
  const out = allocate(x.dtype, sizeOf(s));
  copyBox(x.data, x.shape, b, out, s, [...Array(rank)].fill(0), s, false);
  return record("slice", new Tensor(out, s), [x], (dy) => {
    const g = allocate(x.dtype, x.size);
    copyBox(dy.data, s, s.map(() => 0), g, x.shape, b, s, false);
    return [new Tensor(g, x.shape)];
  });
}

/**
 * Copies a box of `box` elements from `src` (shape srcShape, starting at srcBegin) into `dst`
 * (shape dstShape, starting at dstBegin); adds instead of copying when `accumulate`.
 */
function copyBox(
  src: ArrayLike<number>, srcShape: readonly number[], srcBegin: readonly number[],
  dst: { [i: number]: number; length: number }, dstShape: readonly number[], dstBegin: readonly number[],
  box: readonly number[], accumulate: boolean,
): void {
  const rank = box.length;
  if (sizeOf(box) === 0) return;
  if (rank === 0) {
    dst[0] = accumulate ? dst[0]! + src[0]! : src[0]!;
    return;
  }
  const ss = stridesOf(srcShape), ds = stridesOf(dstShape);
  const inner = box[rank - 1]!;
  const idx = new Array<number>(rank - 1).fill(0);
  const outer = sizeOf(box) / inner;
  for (let o = 0; o < outer; o++) {
    let so = srcBegin[rank - 1]!, dof = dstBegin[rank - 1]!;
    for (let d = 0; d < rank - 1; d++) {
      so += (srcBegin[d]! + idx[d]!) * ss[d]!;
      dof += (dstBegin[d]! + idx[d]!) * ds[d]!;
    }
    if (accumulate) for (let j = 0; j < inner; j++) dst[dof + j]! += src[so + j]!;
    else for (let j = 0; j < inner; j++) dst[dof + j] = src[so + j]!;
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d]! < box[d]!) break;
      idx[d] = 0;
    }
  }
}

/** Rows (or slices along `axis`) picked by index: `gather(x, [3, 0, 3])`. The gradient adds back. */
export function gather(x: Tensor, indices: ArrayLike<number>, axis = 0): Tensor {
  tensorArg("gather", "x", x);
  numbersArg("gather", "indices", indices);
  const a = normAxis(axis, x.rank, "gather");
  const n = x.shape[a]!;
  let outer = 1, inner = 1;
  for (let i = 0; i < a; i++) outer *= x.shape[i]!;
  for (let i = a + 1; i < x.rank; i++) inner *= x.shape[i]!;
  const k = indices.length;
  for (let i = 0; i < k; i++) {
    const v = indices[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= n)
      throw new ValueError(`gather: index ${v} at position ${i} is out of range for axis ${a} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  const out = allocate(x.dtype, outer * k * inner, "gather");
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < k; i++) {
      const so = (o * n + indices[i]!) * inner, dof = (o * k + i) * inner;
      for (let j = 0; j < inner; j++) out[dof + j] = x.data[so + j]!;
    }
  const shape = [...x.shape];
  shape[a] = k;
  const idx = Array.from(indices);
  return record("gather", new Tensor(out, shape), [x], (dy) => {
    const g = allocate(x.dtype, x.size);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < k; i++) {
        const so = (o * k + i) * inner, dof = (o * n + idx[i]!) * inner;
        for (let j = 0; j < inner; j++) g[dof + j]! += dy.data[so + j]!;
      }
    return [new Tensor(g, x.shape)];
  });
}

/** Joins tensors along an existing axis; all other dimensions must match. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  tensorsArg("concat", "xs", xs);
  if (xs.length === 0) throw new ValueError("concat: needs at least one tensor");
  const first = xs[0]!;
  const a = normAxis(axis, first.rank, "concat");
  for (const [i, t] of xs.entries())
    if (t.rank !== first.rank || t.shape.some((d, j) => j !== a && d !== first.shape[j]))
      throw new ShapeError(
        `concat: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(first.shape)} (all axes except ${a} must match)`,
      );
  const shape = [...first.shape];
  shape[a] = xs.reduce((s, t) => s + t.shape[a]!, 0);
  const out = allocate(resultType(...xs), sizeOf(shape), "concat");
  const begin = shape.map(() => 0);
  for (const t of xs) {
    copyBox(t.data, t.shape, t.shape.map(() => 0), out, shape, begin, t.shape, false);
    begin[a]! += t.shape[a]!;
  }
  return record("concat", new Tensor(out, shape), xs, (dy) => {
    let at = 0;
    return xs.map((t) => {
      const b = shape.map((_, j) => (j === a ? at : 0));
      at += t.shape[a]!;
      if (!t.requiresGrad) return null;
      const g = allocate(t.dtype, t.size);
      copyBox(dy.data, shape, b, g, t.shape, t.shape.map(() => 0), t.shape, false);
      return new Tensor(g, t.shape);
    });
  });
}

/** Joins same-shape tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  tensorsArg("stack", "xs", xs);
  if (xs.length === 0) throw new ValueError("stack: needs at least one tensor");
  const a = normAxis(axis, xs[0]!.rank + 1, "stack");
  for (const [i, t] of xs.entries())
    if (!sameShape(t.shape, xs[0]!.shape))
      throw new ShapeError(`stack: tensor ${i} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(xs[0]!.shape)}`);
  return concat(xs.map((t) => unsqueeze(t, a)), a);
}

/** Pads with a constant: `paddings[i] = [before, after]` for axis i (missing axes get none). */
export function pad(x: Tensor, paddings: readonly (readonly [number, number])[], value = 0): Tensor {
  tensorArg("pad", "x", x);
  arrayArg("pad", "paddings", paddings);
  numberArg("pad", "value", value, { finite: false });
  paddings.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) typeFail("pad", `paddings[${i}]`, "a pair [before, after]", p);
  });
  if (paddings.length > x.rank) throw new ShapeError(`pad: ${paddings.length} paddings for a tensor of rank ${x.rank} (shape ${fmtShape(x.shape)})`);
  const p = x.shape.map((_, i) => paddings[i] ?? ([0, 0] as const));
  for (const [b, e] of p)
    if (!Number.isSafeInteger(b) || !Number.isSafeInteger(e) || b < 0 || e < 0) throw new ValueError(`pad: paddings must be non-negative integers, got [${b}, ${e}]`);
  const shape = x.shape.map((d, i) => d + p[i]![0] + p[i]![1]);
  const out = allocate(x.dtype, sizeOf(shape), "pad");
  if (value !== 0) out.fill(value);
  const begin = p.map(([b]) => b);
  copyBox(x.data, x.shape, x.shape.map(() => 0), out, shape, begin, x.shape, false);
  return record("pad", new Tensor(out, shape), [x], (dy) => {
    const g = allocate(x.dtype, x.size);
    copyBox(dy.data, shape, begin, g, x.shape, x.shape.map(() => 0), x.shape, false);
    return [new Tensor(g, x.shape)];
  });
}

/** Reverses the order of elements along the given axes. */
export function flip(x: Tensor, axes: number | readonly number[]): Tensor {
  tensorArg("flip", "x", x);
  if (typeof axes !== "number" && !Array.isArray(axes)) typeFail("flip", "axes", "an integer or an array of integers", axes);
  const list = (typeof axes === "number" ? [axes] : [...axes]).map((a) => normAxis(a, x.rank, "flip"));
  const st = stridesOf(x.shape);
  const out = allocate(x.dtype, x.size);
  const rank = x.rank;
  const idx = new Array<number>(rank).fill(0);
  const flipped = x.shape.map((_, i) => list.includes(i));
  for (let i = 0; i < out.length; i++) {
    let off = 0;
    for (let d = 0; d < rank; d++) off += (flipped[d] ? x.shape[d]! - 1 - idx[d]! : idx[d]!) * st[d]!;
    out[i] = x.data[off]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < x.shape[d]!) break;
      idx[d] = 0;
    }
  }
  return record("flip", new Tensor(out, x.shape), [x], (dy) => [flip(dy, list)]);
}

/** Repeats x (NumPy broadcasting) to `shape`, as a new tensor; the gradient sums back. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  tensorArg("broadcastTo", "x", x);
  checkShape(shape, "broadcastTo");
  const lead = shape.length - x.rank;
  if (lead < 0 || x.shape.some((d, i) => d !== 1 && d !== shape[lead + i]))
    throw new ShapeError(`broadcastTo: shape ${fmtShape(x.shape)} cannot be broadcast to ${fmtShape(shape)}`);
  return record("broadcastTo", expandTo(x, shape, "broadcastTo"), [x], (dy) => [sumTo(dy, x.shape)]);
}
