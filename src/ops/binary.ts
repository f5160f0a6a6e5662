import { Tensor, allocateUnzeroed, resultType, type TypedArray } from "../tensor/tensor.js";
import { broadcastShapes, broadcastStrides, sameShape, sizeOf } from "../tensor/shape.js";
import { asTensor } from "../tensor/creation.js";
import { operandArg } from "../tensor/args.js";
import { record } from "../autograd/tape.js";
import { sumTo } from "./reduce.js";
import { kernel } from "../kernels/index.js";

/** An op's own loop over same-shape operands (see makeBinaryKernel). */
type SameShapeLoop = (a: TypedArray, b: TypedArray, out: TypedArray) => void;

/**
 * `out[i] = f(a[i'], b[i''])` over the broadcast shape. `same`, when given, is f's own loop over same-shape operands: the
 * shared loops below call f through one call site for every op, which V8 cannot inline (≈ 15 ns
 * per element), while a loop written for one op runs at memory speed. The arithmetic is the same.
 */
function makeBinaryKernel(f: (x: number, y: number) => number, same?: SameShapeLoop) {
  return (a: TypedArray, aShape: readonly number[], b: TypedArray, bShape: readonly number[], out: TypedArray, outShape: readonly number[]): void => {
    const n = out.length;
    if (a.length === n && b.length === n && sameShape(aShape, bShape)) {
      if (same) same(a, b, out);
      else for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
      return;
    }
    if (b.length === 1) {
      const y = b[0]!;
      for (let i = 0; i < n; i++) out[i] = f(a[i]!, y);
      return;
    }
    if (a.length === 1) {
      const x = a[0]!;
      for (let i = 0; i < n; i++) out[i] = f(x, b[i]!);
      return;
    }
    const rank = outShape.length;
    const stA = broadcastStrides(aShape, outShape);
    const stB = broadcastStrides(bShape, outShape);
    const inner = rank ? outShape[rank - 1]! : 1;
    const ia = rank ? stA[rank - 1]! : 0;
    const ib = rank ? stB[rank - 1]! : 0;
    const counter = new Array<number>(Math.max(rank - 1, 0)).fill(0);
    let offA = 0, offB = 0;
    for (let o = 0; o < n; o += inner) {
      for (let j = 0, pa = offA, pb = offB; j < inner; j++, pa += ia, pb += ib) out[o + j] = f(a[pa]!, b[pb]!);
      // advance the counter over the outer dimensions
      for (let d = rank - 2; d >= 0; d--) {
        counter[d]!++;
        offA += stA[d]!;
        offB += stB[d]!;
        if (counter[d]! < outShape[d]!) break;
        offA -= stA[d]! * outShape[d]!;
        offB -= stB[d]! * outShape[d]!;
        counter[d] = 0;
      }
    }
  };
}

type BinaryKernel = ReturnType<typeof makeBinaryKernel>;

/** Below this many values a same-shape float32 sum stays in this loop (the kernel's copies cost more). */
const KERNEL_MIN = 4096;

const kAdd = makeBinaryKernel((x, y) => x + y, (a, b, out) => {
  if (out.length >= KERNEL_MIN && out instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array) kernel("addN", "float32")([a, b], out);
  else for (let i = 0; i < out.length; i++) out[i] = a[i]! + b[i]!;
});
const kSub = makeBinaryKernel((x, y) => x - y, (a, b, out) => {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! - b[i]!;
});
const kMul = makeBinaryKernel((x, y) => x * y, (a, b, out) => {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! * b[i]!;
});
const kDiv = makeBinaryKernel((x, y) => x / y, (a, b, out) => {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! / b[i]!;
});
const kPow = makeBinaryKernel((x, y) => Math.pow(x, y));
const kMax = makeBinaryKernel((x, y) => (x >= y ? x : y));
const kMin = makeBinaryKernel((x, y) => (x <= y ? x : y));
const kGe = makeBinaryKernel((x, y) => (x >= y ? 1 : 0));
const kGt = makeBinaryKernel((x, y) => (x > y ? 1 : 0));
const kLe = makeBinaryKernel((x, y) => (x <= y ? 1 : 0));
const kLt = makeBinaryKernel((x, y) => (x < y ? 1 : 0));
const kEq = makeBinaryKernel((x, y) => (x === y ? 1 : 0));
const kLog = makeBinaryKernel((x, y) => (x > 0 ? Math.log(x) * y : 0));

/** Whether `b` broadcast to `outShape` repeats along the leading axes only (a bias [n] on [..., n]). */
function trailingBroadcast(bShape: readonly number[], outShape: readonly number[]): boolean {
  let i = 0;
  while (i < bShape.length && bShape[i] === 1) i++;
  const rest = bShape.length - i, off = outShape.length - rest;
  if (off < 0) return false;
  for (let d = 0; d < rest; d++) if (bShape[i + d] !== outShape[off + d]) return false;
  return true;
}

/**
 * kAdd with b repeated along a's leading axes (a bias) in a loop of its own (equal shapes have
 * theirs in kAdd); the same sums as kAdd.
 */
const kAddFast: BinaryKernel = (a, aShape, b, bShape, out, outShape) => {
  const n = out.length, inner = b.length;
  if (a.length === n && inner > 1 && inner < n && n % inner === 0 && trailingBroadcast(bShape, outShape)) {
    for (let o = 0; o < n; o += inner) for (let j = 0; j < inner; j++) out[o + j] = a[o + j]! + b[j]!;
    return;
  }
  kAdd(a, aShape, b, bShape, out, outShape);
};

function apply(op: string, kernel: BinaryKernel, a: Tensor, b: Tensor): Tensor {
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape, op);
  const out = allocateUnzeroed(resultType(a, b), sizeOf(shape), op); // every kernel path writes all of out
  kernel(a.data, a.shape, b.data, b.shape, out, shape);
  return new Tensor(out, shape);
}

type Operand = Tensor | number;

/** Both operands checked (tensors or numbers) and as tensors of one dtype. */
function operands(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  operandArg(op, "a", a);
  operandArg(op, "b", b);
  const dtype = typeof a !== "number" ? a.dtype : typeof b !== "number" ? b.dtype : "float32";
  return [asTensor(a, dtype), asTensor(b, dtype)];
}

/** a + b, broadcasting (NumPy rules). */
export function add(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("add", a, b);
  return record("add", apply("add", kAddFast, x, y), [x, y], (dy) => [x.requiresGrad ? sumTo(dy, x.shape) : null, y.requiresGrad ? sumTo(dy, y.shape) : null]);
}

/**
 * x0 + x1 + … of same-shape tensors in one pass, the same bits as adding them pairwise from the
 * left (float32 rounds after each addition); each input's gradient is dy. Other inputs (shapes
 * that broadcast, mixed dtypes) are added pairwise. The Add layer uses it. @internal
 */
export function addN(xs: readonly Tensor[]): Tensor {
  const first = xs[0]!;
  if (xs.length < 3 || xs.some((x) => x.dtype !== first.dtype || !sameShape(x.shape, first.shape)))
    return xs.slice(1).reduce<Tensor>((acc, x) => add(acc, x), first);
  const out = allocateUnzeroed(first.dtype, first.size, "add");
  const [a0, a1, a2, a3] = xs.map((x) => x.data) as [TypedArray, TypedArray, TypedArray, TypedArray | undefined];
  const n = out.length;
  if (out instanceof Float32Array && n >= KERNEL_MIN) kernel("addN", "float32")(xs.map((x) => x.data), out);
  else if (out instanceof Float32Array && xs.length <= 4) {
    // one pass, rounded to float32 after each addition as the pairwise sums are
    const r = Math.fround;
    if (a3) for (let i = 0; i < n; i++) out[i] = r(r(a0[i]! + a1[i]!) + a2[i]!) + a3[i]!;
    else for (let i = 0; i < n; i++) out[i] = r(a0[i]! + a1[i]!) + a2[i]!;
  } else {
    out.set(a0);
    for (const x of xs.slice(1)) {
      const a = x.data;
      for (let i = 0; i < n; i++) out[i]! += a[i]!; // each store rounds (float32), as the pairwise sums
    }
  }
  return record("add", new Tensor(out, first.shape), xs, (dy) => xs.map((x) => (x.requiresGrad ? dy : null)));
}

/** a − b, broadcasting. */
export function sub(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("sub", a, b);
  return record("sub", apply("sub", kSub, x, y), [x, y], (dy) => [x.requiresGrad ? sumTo(dy, x.shape) : null, y.requiresGrad ? sumTo(mul(dy, -1), y.shape) : null]);
}

/** a · b elementwise, broadcasting. */
export function mul(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("mul", a, b);
  return record("mul", apply("mul", kMul, x, y), [x, y], (dy) => [
    x.requiresGrad ? sumTo(mul(dy, y), x.shape) : null,
    y.requiresGrad ? sumTo(mul(dy, x), y.shape) : null,
  ]);
}

/** a / b elementwise, broadcasting. */
export function div(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("div", a, b);
  return record("div", apply("div", kDiv, x, y), [x, y], (dy) => [
    x.requiresGrad ? sumTo(div(dy, y), x.shape) : null,
    y.requiresGrad ? sumTo(mul(dy, div(mul(x, -1), mul(y, y))), y.shape) : null,
  ]);
}

/** a ** b elementwise, broadcasting. */
export function pow(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("pow", a, b);
  const out = apply("pow", kPow, x, y);
  return record("pow", out, [x, y], (dy) => [
    x.requiresGrad ? sumTo(mul(dy, mul(y, pow(x, sub(y, 1)))), x.shape) : null,
    y.requiresGrad ? sumTo(mul(dy, mul(out, apply("pow", kLog, x, asTensor(1, x.dtype)))), y.shape) : null,
  ]);
}

/** Elementwise maximum; the gradient goes to `a` where a ≥ b, else to `b`. */
export function maximum(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("maximum", a, b);
  return record("maximum", apply("maximum", kMax, x, y), [x, y], (dy) => {
    const ge = apply("maximum", kGe, x, y);
    return [x.requiresGrad ? sumTo(mul(dy, ge), x.shape) : null, y.requiresGrad ? sumTo(mul(dy, sub(1, ge)), y.shape) : null];
  });
}

/** Elementwise minimum; the gradient goes to `a` where a ≤ b, else to `b`. */
export function minimum(a: Operand, b: Operand): Tensor {
  const [x, y] = operands("minimum", a, b);
  return record("minimum", apply("minimum", kMin, x, y), [x, y], (dy) => {
    const le = apply("minimum", kLe, x, y);
    return [x.requiresGrad ? sumTo(mul(dy, le), x.shape) : null, y.requiresGrad ? sumTo(mul(dy, sub(1, le)), y.shape) : null];
  });
}

/** 1 where a > b, else 0 (no gradient). */
export function greater(a: Operand, b: Operand): Tensor {
  return apply("greater", kGt, ...operands("greater", a, b));
}
/** 1 where a ≥ b, else 0 (no gradient). */
export function greaterEqual(a: Operand, b: Operand): Tensor {
  return apply("greaterEqual", kGe, ...operands("greaterEqual", a, b));
}
/** 1 where a < b, else 0 (no gradient). */
export function less(a: Operand, b: Operand): Tensor {
  return apply("less", kLt, ...operands("less", a, b));
}
/** 1 where a ≤ b, else 0 (no gradient). */
export function lessEqual(a: Operand, b: Operand): Tensor {
  return apply("lessEqual", kLe, ...operands("lessEqual", a, b));
}
/** 1 where a = b, else 0 (no gradient). */
export function equal(a: Operand, b: Operand): Tensor {
  return apply("equal", kEq, ...operands("equal", a, b));
}
