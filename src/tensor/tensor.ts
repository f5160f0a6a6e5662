import { AllocationError, ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { checkAllocation, fmtBytes, MAX_RANK } from "../util/limits.js";
import { boolArg, describeValue, oneOfArg, typeFail } from "../util/check.js";
import { sizeOf, stridesOf } from "./shape.js";
import { formatTensor } from "./format.js";
import { allocated, takeRecycled } from "./pool.js";

export type DType = "float32" | "float64";
export type TypedArray = Float32Array | Float64Array;
/** A scalar or nested arrays of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

/** Maps the output's gradient to one gradient per input (null where there is none). */
export type BackwardFn = (dy: Tensor) => readonly (Tensor | null | undefined)[];

/** How a tensor was computed: the op, its inputs and its backward (see `autograd/tape.ts`). */
export interface GradNode {
  op: string;
  inputs: readonly Tensor[];
  backward: BackwardFn;
}

/**
 * A zeroed array of `n` values, new or recycled (see pool.ts: gradient arrays the backward pass
 * has proven dead). The size is checked first (`AllocationError` naming `fn` for an impossible
 * one), and an allocation the engine refuses becomes an `AllocationError` too.
 */
export function allocate(dtype: DType, n: number, fn = "allocate"): TypedArray {
  const bytes = dtype === "float64" ? 8 : 4;
  checkAllocation(fn, n, bytes);
  try {
    const a = takeRecycled(dtype, n) ?? (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
    allocated(a);
    return a;
  } catch (e) {
    if (e instanceof RangeError) throw new AllocationError(`${fn}: cannot allocate ${n} ${dtype} values (${fmtBytes(n * bytes)}): ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * `allocate` for an array the caller writes in full before anyone reads it (an op's output that
 * its kernel overwrites): a recycled array comes back as it was, not zeroed.
 */
export function allocateUnzeroed(dtype: DType, n: number, fn = "allocate"): TypedArray {
  const a = takeRecycled(dtype, n, false);
  if (!a) return allocate(dtype, n, fn);
  allocated(a);
  return a;
}

/** The dtypes a tensor may have. */
export const DTYPES: readonly DType[] = ["float32", "float64"];

/** The dtype of a result: float64 when any input is float64. */
export function resultType(...ts: { dtype: DType }[]): DType {
  return ts.some((t) => t.dtype === "float64") ? "float64" : "float32";
}

/**
 * An n-dimensional array of numbers, row-major and contiguous (images are NHWC:
 * `m × nH × nW × nC`). float32 by default; float64 runs on the reference kernels and is what
 * gradient checks use. With `requiresGrad`, ops record how they were made so `backward()` can
 * fill `.grad` (PyTorch-style).
 */
export class Tensor {
  readonly shape: number[];
  readonly dtype: DType;
  /** The values, row-major. Writing to it in place bypasses autograd. */
  data: TypedArray;
  requiresGrad: boolean;
  /** The gradient of the last `backward()` with respect to this tensor (leaves only), summed over calls. */
  grad: Tensor | null = null;
  /** How this tensor was computed (null for leaves and tensors made without grad). @internal */
  node: GradNode | null = null;
  /** Optional name, e.g. `conv1/kernel`. */
  name?: string;

  constructor(data: TypedArray, shape: readonly number[], requiresGrad = false) {
    if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) typeFail("Tensor", "data", "a Float32Array or Float64Array", data);
    if (!Array.isArray(shape)) typeFail("Tensor", "shape", "an array of dimensions", shape);
    if (shape.length > MAX_RANK) throw new ShapeError(`Tensor: shape has ${shape.length} dimensions, at most ${MAX_RANK} are supported`);
    for (const d of shape)
      if (!Number.isSafeInteger(d) || d < 0) throw new ShapeError(`Tensor: invalid shape ${fmtShape(shape)} (dimensions must be non-negative integers, got ${describeValue(d)})`);
    if (typeof requiresGrad !== "boolean") typeFail("Tensor", "requiresGrad", "true or false", requiresGrad);
    if (data.length !== sizeOf(shape))
      throw new ValueError(`Tensor: ${data.length} values do not fill shape ${fmtShape(shape)} (${sizeOf(shape)} needed)`);
    this.data = data;
    this.shape = [...shape];
    this.dtype = data instanceof Float64Array ? "float64" : "float32";
    this.requiresGrad = requiresGrad;
  }

  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  get strides(): number[] {
    return stridesOf(this.shape);
  }

  /** Nested arrays of numbers (a plain number for a scalar). */
  toArray(): NestedArray {
    const { shape, data } = this;
    if (shape.length === 0) return data[0]!;
    const st = stridesOf(shape);
    const build = (dim: number, off: number): NestedArray => {
      const n = shape[dim]!;
      const out: NestedArray[] = new Array(n);
      if (dim === shape.length - 1) for (let i = 0; i < n; i++) out[i] = data[off + i]!;
      else for (let i = 0; i < n; i++) out[i] = build(dim + 1, off + i * st[dim]!);
      return out;
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ValueError(`item: tensor has ${this.size} elements (shape ${fmtShape(this.shape)}), expected exactly 1`);
    return this.data[0]!;
  }

  /** The same values, cut off from the graph (shares data). */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, false);
  }

  /** A copy with its own data, cut off from the graph. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, false);
  }

  /** Marks this tensor as a leaf whose gradient is wanted; returns it. */
  requireGrad(flag = true): this {
    this.requiresGrad = boolArg("requireGrad", "flag", flag);
    return this;
  }

  /** Clears `.grad`. */
  zeroGrad(): void {
    this.grad = null;
  }

  /** Values converted to the given dtype (a copy unless the dtype is the same). */
  astype(dtype: DType): Tensor {
    oneOfArg("astype", "dtype", dtype, DTYPES);
    if (dtype === this.dtype) return this;
    const out = allocate(dtype, this.size, "astype");
    out.set(this.data);
    return new Tensor(out, this.shape, false);
  }

  /** NumPy-like text with the shape: `tensor([[1, 2], [3, 4]], shape=[2,2])`. */
  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
