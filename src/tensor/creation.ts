import { Tensor, allocate, type DType, type NestedArray, type TypedArray } from "./tensor.js";
import { sizeOf, checkShape } from "./shape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { rngFor } from "../util/rng.js";

export interface TensorOptions {
  requiresGrad?: boolean;
  dtype?: DType;
}

export interface RandomOptions extends TensorOptions {
  /** Seed for a reproducible stream; without it the default generator (`cl.manualSeed`) is used. */
  seed?: number;
}

function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0]!;
  }
  return shape;
}

function flattenInto(values: NestedArray, shape: number[], dim: number, out: TypedArray, pos: { i: number }): void {
  if (dim === shape.length) {
    if (typeof values !== "number") throw new ShapeError(`tensor: ragged nested array (expected a number at depth ${dim}, shape ${fmtShape(shape)})`);
    out[pos.i++] = values;
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[dim])
    throw new ShapeError(
      `tensor: ragged nested array: expected ${shape[dim]} entries at depth ${dim} (shape ${fmtShape(shape)}), got ${Array.isArray(values) ? values.length : typeof values}`,
    );
  for (const v of values) flattenInto(v, shape, dim + 1, out, pos);
}

/**
 * A tensor from nested arrays (`cl.tensor([[1, 2], [3, 4]])`), or from flat values and a shape
 * (`cl.tensor([1, 2, 3, 4], [2, 2])`). float32 unless `dtype: "float64"`.
 */
export function tensor(values: NestedArray | ArrayLike<number>, shape?: readonly number[], opts: TensorOptions = {}): Tensor {
  const dtype = opts.dtype ?? (values instanceof Float64Array ? "float64" : "float32");
  let data: TypedArray;
  let outShape: number[];
  if (typeof values === "number") {
    data = allocate(dtype, 1);
    data[0] = values;
    outShape = [];
  } else if (!Array.isArray(values)) {
    // A typed array or other array-like of numbers: flat values.
    data = allocate(dtype, values.length);
    data.set(values);
    outShape = [values.length];
  } else {
    outShape = inferShape(values);
    data = allocate(dtype, sizeOf(outShape));
    flattenInto(values, outShape, 0, data, { i: 0 });
  }
  if (shape !== undefined) {
    checkShape(shape, "tensor");
    if (sizeOf(shape) !== data.length)
      throw new ShapeError(`tensor: ${data.length} values do not fill shape ${fmtShape(shape)} (${sizeOf(shape)} needed)`);
    outShape = [...shape];
  }
  return new Tensor(data, outShape, opts.requiresGrad ?? false);
}

/** A scalar (0-d) tensor. */
export function scalar(v: number, opts: TensorOptions = {}): Tensor {
  return tensor(v, [], opts);
}

export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  checkShape(shape, "full");
  const data = allocate(opts.dtype ?? "float32", sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...opts });
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
}

/** Uniform values in [low, high) (default [0, 1)). */
export function rand(shape: readonly number[], opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  checkShape(shape, "rand");
  const { low = 0, high = 1 } = opts;
  if (!(high > low)) throw new ValueError(`rand: high (${high}) must be greater than low (${low})`);
  const rng = rngFor(opts.seed);
  const data = allocate(opts.dtype ?? "float32", sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.uniform();
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

/** Normal values with the given mean and std (default 0 and 1). */
export function randn(shape: readonly number[], opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  checkShape(shape, "randn");
  const { mean = 0, std = 1 } = opts;
  if (!(std >= 0)) throw new ValueError(`randn: std must be non-negative, got ${std}`);
  const rng = rngFor(opts.seed);
  const data = allocate(opts.dtype ?? "float32", sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
  return new Tensor(data, shape, opts.requiresGrad ?? false);
}

/** `[start, start + step, ...)` below `stop`; `arange(n)` is 0..n-1. */
export function arange(start: number, stop?: number, step = 1, opts: TensorOptions = {}): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0 || !Number.isFinite(step)) throw new ValueError(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(opts.dtype ?? "float32", n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], opts.requiresGrad ?? false);
}

/** `n` evenly spaced values from `start` to `stop` inclusive. */
export function linspace(start: number, stop: number, n: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`linspace: n must be a non-negative integer, got ${n}`);
  const data = allocate(opts.dtype ?? "float32", n);
  for (let i = 0; i < n; i++) data[i] = n === 1 ? start : start + ((stop - start) * i) / (n - 1);
  return new Tensor(data, [n], opts.requiresGrad ?? false);
}

/** The n×n identity. */
export function eye(n: number, opts: TensorOptions = {}): Tensor {
  const t = zeros([n, n], opts);
  for (let i = 0; i < n; i++) t.data[i * n + i] = 1;
  return t;
}

/** Wraps a number as a scalar tensor of the given dtype; passes tensors through. */
export function asTensor(v: Tensor | number, dtype: DType = "float32"): Tensor {
  return typeof v === "number" ? full([], v, { dtype }) : v;
}
