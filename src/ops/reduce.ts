import { Tensor, allocate, type TypedArray } from "../tensor/tensor.js";
import { broadcastStrides, normAxis, sameShape, sizeOf } from "../tensor/shape.js";
import { record } from "../autograd/tape.js";
import { ShapeError, fmtShape } from "../util/errors.js";
import { optBoolArg, typeFail } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";

type Kind = "sum" | "max" | "min";

/** Reduces one axis of a contiguous array viewed as [outer, n, inner]. */
function reduceAxis(data: TypedArray, shape: readonly number[], axis: number, kind: Kind): TypedArray {
  const n = shape[axis]!;
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  const out = data instanceof Float64Array ? new Float64Array(outer * inner) : new Float32Array(outer * inner);
  if (kind !== "sum") out.fill(kind === "max" ? -Infinity : Infinity);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    const ob = o * inner;
    for (let k = 0; k < n; k++) {
      const row = base + k * inner;
      if (kind === "sum") for (let i = 0; i < inner; i++) out[ob + i]! += data[row + i]!;
      else if (kind === "max")
        for (let i = 0; i < inner; i++) {
          const v = data[row + i]!;
          if (v > out[ob + i]! || Number.isNaN(v)) out[ob + i] = v;
        }
      else
        for (let i = 0; i < inner; i++) {
          const v = data[row + i]!;
          if (v < out[ob + i]! || Number.isNaN(v)) out[ob + i] = v;
        }
    }
  }
  return out;
}

/** The axes to reduce, sorted and deduplicated; all axes when `axis` is undefined. */
export function reductionAxes(axis: number | readonly number[] | undefined, rank: number, op: string): number[] {
  if (axis === undefined) return [...Array(rank).keys()];
  if (typeof axis !== "number" && !Array.isArray(axis)) typeFail(op, "axis", "an integer or an array of integers", axis);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const axes = [...new Set(list.map((a) => normAxis(a, rank, op)))];
  return axes.sort((a, b) => a - b);
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

function rawReduce(x: Tensor, axes: readonly number[], kind: Kind, op: string): TypedArray {
  if (kind !== "sum") for (const a of axes) if (x.shape[a] === 0) throw new ShapeError(`${op}: cannot reduce an empty axis ${a} of shape ${fmtShape(x.shape)}`);
  let data = x.data;
  const shape = [...x.shape];
  for (let k = axes.length - 1; k >= 0; k--) {
    const a = axes[k]!;
    data = reduceAxis(data, shape, a, kind);
    shape[a] = 1;
  }
  return data === x.data ? data.slice() : data;
}

/** Repeats `t` (whose shape broadcasts to `shape`) into a new contiguous tensor of `shape`. */
export function expandTo(t: Tensor, shape: readonly number[], op = "expandTo"): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const out = allocate(t.dtype, sizeOf(shape), op);
  const st = broadcastStrides(t.shape, shape);
  const rank = shape.length;
  const src = t.data;
  if (rank === 0) {
    if (out.length) out[0] = src[0]!;
    return new Tensor(out, shape);
  }
  // The innermost axis is one tight loop (a fill where it is broadcast, a copy where it is not);
  // an odometer over the outer axes moves the source offset. Every element is copied as before.
  const inner = shape[rank - 1]!, sIn = st[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let o = 0; o < out.length; o += inner) {
    if (sIn === 0) {
      const v = src[off]!;
      for (let j = 0; j < inner; j++) out[o + j] = v;
    } else for (let j = 0; j < inner; j++) out[o + j] = src[off + j * sIn]!;
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      off += st[d]!;
      if (idx[d]! < shape[d]!) break;
      off -= st[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
  return new Tensor(out, shape);
}

/** Sums a broadcast result back to `shape` (the gradient rule of broadcasting). Not recorded. */
export function sumTo(t: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(t.shape, shape)) return t;
  const lead = t.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < t.shape.length; i++) if (i < lead || (shape[i - lead] === 1 && t.shape[i] !== 1)) axes.push(i);
  return new Tensor(rawReduce(t, axes, "sum", "sumTo"), shape);
}

/** Sum over `axis` (all axes by default); `keepDims` keeps reduced axes as size 1. */
/** Checks the tensor and keepDims of a reduction. */
function reductionArgs(op: string, x: Tensor, keepDims: boolean): void {
  tensorArg(op, "x", x);
  optBoolArg(op, "keepDims", keepDims);
}

export function sum(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  reductionArgs("sum", x, keepDims);
  const axes = reductionAxes(axis, x.rank, "sum");
  const kept = reducedShape(x.shape, axes, true);
  const out = new Tensor(rawReduce(x, axes, "sum", "sum"), reducedShape(x.shape, axes, keepDims));
  return record("sum", out, [x], (dy) => [expandTo(new Tensor(dy.data, kept), x.shape)]);
}

/** Mean over `axis` (all axes by default). */
export function mean(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  reductionArgs("mean", x, keepDims);
  const axes = reductionAxes(axis, x.rank, "mean");
  let count = 1;
  for (const a of axes) count *= x.shape[a]!;
  const data = rawReduce(x, axes, "sum", "mean");
  for (let i = 0; i < data.length; i++) data[i]! /= count;
  const kept = reducedShape(x.shape, axes, true);
  const out = new Tensor(data, reducedShape(x.shape, axes, keepDims));
  return record("mean", out, [x], (dy) => {
    const g = expandTo(new Tensor(dy.data, kept), x.shape);
    const gd = g === dy ? g.data.slice() : g.data;
    for (let i = 0; i < gd.length; i++) gd[i]! /= count;
    return [new Tensor(gd, x.shape)];
  });
}

function extremum(kind: "max" | "min", x: Tensor, axis: number | readonly number[] | undefined, keepDims: boolean): Tensor {
  reductionArgs(kind, x, keepDims);
  const axes = reductionAxes(axis, x.rank, kind);
  const kept = reducedShape(x.shape, axes, true);
  const data = rawReduce(x, axes, kind, kind);
  const out = new Tensor(data, reducedShape(x.shape, axes, keepDims));
  return record(kind, out, [x], (dy) => {
    // The gradient is shared evenly among the elements equal to the extremum (like torch.amax).
    const m = expandTo(new Tensor(data, kept), x.shape).data;
    const mask = allocate(x.dtype, x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = x.data[i] === m[i] ? 1 : 0;
    const counts = rawReduce(new Tensor(mask, x.shape), axes, "sum", kind);
    const g = expandTo(new Tensor(dy.data, kept), x.shape).data;
    const c = expandTo(new Tensor(counts, kept), x.shape).data;
    const gx = allocate(x.dtype, x.size);
    for (let i = 0; i < gx.length; i++) gx[i] = mask[i] ? g[i]! / c[i]! : 0;
    return [new Tensor(gx, x.shape)];
  });
}

/** Maximum over `axis` (all axes by default). */
export function max(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  return extremum("max", x, axis, keepDims);
}

/** Minimum over `axis` (all axes by default). */
export function min(x: Tensor, axis?: number | readonly number[], keepDims = false): Tensor {
  return extremum("min", x, axis, keepDims);
}

function argExtremum(op: "argmax" | "argmin", x: Tensor, axis: number | undefined, keepDims: boolean): Tensor {
  reductionArgs(op, x, keepDims);
  if (x.size === 0) throw new ShapeError(`${op}: cannot take ${op} of an empty tensor (shape ${fmtShape(x.shape)})`);
  if (axis === undefined) {
    let best = 0;
    for (let i = 1; i < x.size; i++) if (op === "argmax" ? x.data[i]! > x.data[best]! : x.data[i]! < x.data[best]!) best = i;
    const d = allocate(x.dtype, 1);
    d[0] = best;
    return new Tensor(d, keepDims ? x.shape.map(() => 1) : []);
  }
  const a = normAxis(axis, x.rank, op);
  const n = x.shape[a]!;
  let outer = 1, inner = 1;
  for (let i = 0; i < a; i++) outer *= x.shape[i]!;
  for (let i = a + 1; i < x.rank; i++) inner *= x.shape[i]!;
  const out = allocate(x.dtype, outer * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let bv = x.data[o * n * inner + i]!;
      for (let k = 1; k < n; k++) {
        const v = x.data[(o * n + k) * inner + i]!;
        if (op === "argmax" ? v > bv : v < bv) {
          bv = v;
          best = k;
        }
      }
      out[o * inner + i] = best;
    }
  return new Tensor(out, reducedShape(x.shape, [a], keepDims));
}

/** Index of the largest value along `axis` (over the flattened tensor when omitted), first on ties. */
export function argmax(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argExtremum("argmax", x, axis, keepDims);
}

/** Index of the smallest value along `axis` (over the flattened tensor when omitted), first on ties. */
export function argmin(x: Tensor, axis?: number, keepDims = false): Tensor {
  return argExtremum("argmin", x, axis, keepDims);
}
