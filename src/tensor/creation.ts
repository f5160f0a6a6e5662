import { Tensor, allocate, DTYPES, type DType, type NestedArray, type TypedArray } from "./tensor.js";
import { sizeOf, checkShape } from "./shape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { canAllocate, checkAllocation, MAX_RANK } from "../util/limits.js";
import { numberArg, intArg, optBoolArg, optNumberArg, optOneOfArg, optionsArg, seedArg, typeFail } from "../util/check.js";
import { tensorArg } from "./args.js";
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
    if (shape.length === MAX_RANK) throw new ShapeError(`tensor: values are nested more than ${MAX_RANK} deep (or contain themselves)`);
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0]!;
  }
  return shape;
}

/** "values[1][0]" for the position `idx` in nested values. */
const at = (idx: readonly number[]): string => `values${idx.map((i) => `[${i}]`).join("")}`;

function flattenInto(values: NestedArray, shape: number[], dim: number, out: TypedArray, pos: { i: number }, idx: number[]): void {
  if (dim === shape.length) {
    if (typeof values !== "number") {
      if (!Array.isArray(values)) typeFail("tensor", at(idx), "a number", values);
      throw new ShapeError(`tensor: ragged nested array (expected a number at depth ${dim}, shape ${fmtShape(shape)})`);
    }
    out[pos.i++] = values;
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[dim])
    throw new ShapeError(
      `tensor: ragged nested array: expected ${shape[dim]} entries at depth ${dim} (shape ${fmtShape(shape)}), got ${Array.isArray(values) ? values.length : typeof values}`,
    );
  for (let i = 0; i < values.length; i++) {
    idx.push(i);
    flattenInto(values[i]!, shape, dim + 1, out, pos, idx);
    idx.pop();
  }
}

/** The options every creation function takes, checked. */
function tensorOptions(fn: string, opts: TensorOptions | undefined): { dtype: DType | undefined; requiresGrad: boolean } {
  const o = optionsArg(fn, opts);
  return { dtype: optOneOfArg(fn, "opts.dtype", o.dtype, DTYPES), requiresGrad: optBoolArg(fn, "opts.requiresGrad", o.requiresGrad) ?? false };
}

/** A zeroed array for `shape`, the shape checked and its size checked before allocating. */
function allocShape(fn: string, shape: readonly number[], dtype: DType): TypedArray {
  checkShape(shape, fn);
  const n = sizeOf(shape);
  const bytes = dtype === "float64" ? 8 : 4;
  if (!canAllocate(n, bytes)) checkAllocation(fn, n, bytes, `shape ${fmtShape(shape)} has ${n} elements, which`);
  return allocate(dtype, n, fn);
}

/**
 * A tensor from nested arrays (`cl.tensor([[1, 2], [3, 4]])`), or from flat values and a shape
 * (`cl.tensor([1, 2, 3, 4], [2, 2])`). float32 unless `dtype: "float64"`.
 */
export function tensor(values: NestedArray | ArrayLike<number>, shape?: readonly number[], opts: TensorOptions = {}): Tensor {
  const o = tensorOptions("tensor", opts);
  const dtype = o.dtype ?? (values instanceof Float64Array ? "float64" : "float32");
  let data: TypedArray;
  let outShape: number[];
  if (typeof values === "number") {
    data = allocate(dtype, 1, "tensor");
    data[0] = values;
    outShape = [];
  } else if (Array.isArray(values)) {
    outShape = inferShape(values);
    data = allocate(dtype, sizeOf(outShape), "tensor");
    flattenInto(values, outShape, 0, data, { i: 0 }, []);
  } else if (ArrayBuffer.isView(values) && !(values instanceof DataView) && !(values instanceof BigInt64Array) && !(values instanceof BigUint64Array)) {
    // A typed array: flat values.
    const flat = values as unknown as ArrayLike<number>;
    data = allocate(dtype, flat.length, "tensor");
    data.set(flat);
    outShape = [flat.length];
  } else {
    typeFail("tensor", "values", "a number, nested arrays of numbers or a typed array", values);
  }
  if (shape !== undefined) {
    checkShape(shape, "tensor");
    if (sizeOf(shape) !== data.length)
      throw new ShapeError(`tensor: ${data.length} values do not fill shape ${fmtShape(shape)} (${sizeOf(shape)} needed)`);
    outShape = [...shape];
  }
  return new Tensor(data, outShape, o.requiresGrad);
}

/** A scalar (0-d) tensor. */
export function scalar(v: number, opts: TensorOptions = {}): Tensor {
  return tensor(numberArg("scalar", "v", v, { finite: false }), [], opts);
}

function filled(fn: string, shape: readonly number[], value: number, opts: TensorOptions | undefined, like?: DType): Tensor {
  const o = tensorOptions(fn, opts);
  const data = allocShape(fn, shape, o.dtype ?? like ?? "float32");
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, o.requiresGrad);
}

/** A tensor of `shape` filled with `value` (NaN and ±Infinity allowed: they are numbers). */
export function full(shape: readonly number[], value: number, opts: TensorOptions = {}): Tensor {
  return filled("full", shape, numberArg("full", "value", value, { finite: false }), opts);
}

export function zeros(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled("zeros", shape, 0, opts);
}

export function ones(shape: readonly number[], opts: TensorOptions = {}): Tensor {
  return filled("ones", shape, 1, opts);
}

export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return filled("zerosLike", tensorArg("zerosLike", "t", t).shape, 0, opts, t.dtype);
}

export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return filled("onesLike", tensorArg("onesLike", "t", t).shape, 1, opts, t.dtype);
}

/** Uniform values in [low, high) (default [0, 1)). */
export function rand(shape: readonly number[], opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  const o = tensorOptions("rand", opts);
  const low = optNumberArg("rand", "opts.low", opts.low) ?? 0, high = optNumberArg("rand", "opts.high", opts.high) ?? 1;
  if (!(high > low)) throw new ValueError(`rand: high (${high}) must be greater than low (${low})`);
  const rng = rngFor(seedArg("rand", opts.seed, "opts.seed"));
  const data = allocShape("rand", shape, o.dtype ?? "float32");
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.uniform();
  return new Tensor(data, shape, o.requiresGrad);
}

/** Normal values with the given mean and std (default 0 and 1). */
export function randn(shape: readonly number[], opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  const o = tensorOptions("randn", opts);
  const mean = optNumberArg("randn", "opts.mean", opts.mean) ?? 0, std = optNumberArg("randn", "opts.std", opts.std) ?? 1;
  if (!(std >= 0)) throw new ValueError(`randn: std must be non-negative, got ${std}`);
  const rng = rngFor(seedArg("randn", opts.seed, "opts.seed"));
  const data = allocShape("randn", shape, o.dtype ?? "float32");
  for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
  return new Tensor(data, shape, o.requiresGrad);
}

/** `[start, start + step, ...)` below `stop`; `arange(n)` is 0..n-1. */
export function arange(start: number, stop?: number, step = 1, opts: TensorOptions = {}): Tensor {
  const o = tensorOptions("arange", opts);
  numberArg("arange", "start", start);
  optNumberArg("arange", "stop", stop);
  numberArg("arange", "step", step);
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0) throw new ValueError(`arange: step must be a non-zero finite number, got ${step}`);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(o.dtype ?? "float32", n, "arange");
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], o.requiresGrad);
}

/** `n` evenly spaced values from `start` to `stop` inclusive. */
export function linspace(start: number, stop: number, n: number, opts: TensorOptions = {}): Tensor {
  const o = tensorOptions("linspace", opts);
  numberArg("linspace", "start", start);
  numberArg("linspace", "stop", stop);
  intArg("linspace", "n", n, { min: 0 });
  const data = allocate(o.dtype ?? "float32", n, "linspace");
  for (let i = 0; i < n; i++) data[i] = n === 1 ? start : start + ((stop - start) * i) / (n - 1);
  return new Tensor(data, [n], o.requiresGrad);
}

/** The n×n identity. */
export function eye(n: number, opts: TensorOptions = {}): Tensor {
  intArg("eye", "n", n, { min: 0 });
  const t = filled("eye", [n, n], 0, opts);
  for (let i = 0; i < n; i++) t.data[i * n + i] = 1;
  return t;
}

/** Wraps a number as a scalar tensor of the given dtype; passes tensors through. */
export function asTensor(v: Tensor | number, dtype: DType = "float32"): Tensor {
  return typeof v === "number" ? full([], v, { dtype }) : v;
}
