// conv2d (cross-correlation, as deep learning calls convolution) and convolve2d (true convolution),
// with the shape rule and the machinery conv1d, conv3d and depthwiseConv2d share: argument
// checking with course-notation messages, then a kernel call forward and two kernel calls backward.
import { Tensor, allocate, resultType, type DType, type TypedArray } from "../tensor/tensor.js";
import { record } from "../autograd/tape.js";
import { kernel } from "../kernels/index.js";
import type { Conv2dGeom } from "../kernels/types.js";
import { ShapeError, fmtShape } from "../util/errors.js";
import { flip } from "./layout.js";
import { axisTuple, checkRank, resolveAxes, type AxisGeom, type Padding, type Shaped } from "./padding.js";

export { outputSize, type OutputSizeOptions } from "./padding.js";

export interface Conv2dOptions {
  /** s, or [sH, sW] (default 1). */
  stride?: number | readonly [number, number];
  /** "valid" (default), "same" (TensorFlow: output ceil(n/s)), p on every side, or [pH, pW]. */
  padding?: Padding<readonly [number, number]>;
  /** d, or [dH, dW] (default 1): the filter taps are d apart, f_eff = (f − 1)·d + 1. */
  dilation?: number | readonly [number, number];
  /** b [nC], added to every output position. */
  bias?: Tensor;
}

/** The options every convolution takes, for any number of spatial axes. */
export interface ConvOptionsNd {
  stride?: number | readonly number[];
  padding?: unknown;
  dilation?: number | readonly number[];
  bias?: Shaped;
}

/** A convolution's checked geometry. */
export interface ConvSetup {
  m: number;
  /** Input channels (nC_prev) and output channels (nC; c·mult for depthwise). */
  c: number;
  k: number;
  /** One entry per spatial axis, in order (depth, height, width). */
  axes: AxisGeom[];
}

/** Names of the layouts, for messages: x "[m,nH,nW,nC_prev]", w "[f,f,nC_prev,nC]". */
export interface ConvLayouts {
  x: string;
  w: string;
}

/**
 * Checks a convolution's inputs and resolves its geometry: x [m, ...n, c], w [...f, c, k]
 * (depthwise: w [...f, c, mult], k = c·mult), bias [k]. Messages name the op and both shapes.
 */
export function convSetup(op: string, x: Shaped, w: Shaped, opts: ConvOptionsNd, nd: number, layouts: ConvLayouts, depthwise = false): ConvSetup {
  checkRank(op, "x", x, nd + 2, layouts.x);
  checkRank(op, "w", w, nd + 2, layouts.w);
  const c = x.shape[nd + 1]!, wc = w.shape[nd]!;
  const shapes = `(x ${fmtShape(x.shape)}, w ${fmtShape(w.shape)})`;
  if (c !== wc) throw new ShapeError(`${op}: input has ${c} channel${c === 1 ? "" : "s"} but filter expects ${wc} ${shapes}`);
  const f = w.shape.slice(0, nd);
  if (f.some((v) => v < 1)) throw new ShapeError(`${op}: the filter has an empty spatial axis ${shapes}`);
  const s = axisTuple(op, "stride", opts.stride, nd, 1);
  const d = axisTuple(op, "dilation", opts.dilation, nd, 1);
  const axes = resolveAxes(op, "filter", x.shape.slice(1, nd + 1), f, s, d, opts.padding ?? "valid");
  const k = depthwise ? c * w.shape[nd + 1]! : w.shape[nd + 1]!;
  const { bias } = opts;
  checkBias(op, bias, k);
  return { m: x.shape[0]!, c, k, axes };
}

/** Throws unless bias is undefined or has shape [k]. */
export function checkBias(op: string, bias: Shaped | undefined, k: number): void {
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== k))
    throw new ShapeError(`${op}: bias has shape ${fmtShape(bias.shape)} but the filter has ${k} output channels (expected [${k}])`);
}

/** The three kernels of a convolution, for one geometry type. */
export interface ConvKernels<G> {
  forward: (x: TypedArray, filter: TypedArray, y: TypedArray, g: G) => void;
  gradInput: (dy: TypedArray, filter: TypedArray, dx: TypedArray, g: G) => void;
  gradFilter: (x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: G) => void;
}

const cast = (t: Tensor, dtype: DType): Tensor => (t.dtype === dtype ? t : t.astype(dtype));

/** Adds b[k] to every row of y viewed as [rows, k]. */
function addBias(y: TypedArray, b: TypedArray, k: number): void {
  for (let o = 0; o < y.length; o += k) for (let j = 0; j < k; j++) y[o + j]! += b[j]!;
}

/** db[k] = Σ over rows of dy viewed as [rows, k]. */
export function biasGrad(dy: TypedArray, k: number, dtype: DType): Tensor {
  const db = allocate(dtype, k);
  for (let o = 0; o < dy.length; o += k) for (let j = 0; j < k; j++) db[j]! += dy[o + j]!;
  return new Tensor(db, [k]);
}

/**
 * Runs a checked convolution: y [..., k] = kernels.forward(x, w) (+ bias [k]), recorded with its
 * backward (dx from gradInput, dw from gradFilter, db = Σ dy over every axis but the last).
 */
export function runConv<G>(op: string, kernels: (dtype: DType) => ConvKernels<G>, x: Tensor, w: Tensor, bias: Tensor | undefined, g: G, outShape: readonly number[]): Tensor {
  const dtype = bias ? resultType(x, w, bias) : resultType(x, w);
  const k = outShape[outShape.length - 1]!;
  const X = cast(x, dtype), W = cast(w, dtype);
  let size = 1;
  for (const v of outShape) size *= v;
  const y = allocate(dtype, size);
  const ks = kernels(dtype);
  ks.forward(X.data, W.data, y, g);
  if (bias) addBias(y, cast(bias, dtype).data, k);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record(op, new Tensor(y, outShape), inputs, (dyT) => {
    const dy = cast(dyT, dtype).data;
    const back = kernels(dtype);
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (x.requiresGrad) {
      const d = allocate(dtype, x.size);
      back.gradInput(dy, W.data, d, g);
      dx = new Tensor(d, x.shape);
    }
    if (w.requiresGrad) {
      const d = allocate(dtype, w.size);
      back.gradFilter(X.data, dy, d, g);
      dw = new Tensor(d, w.shape);
    }
    return bias ? [dx, dw, bias.requiresGrad ? biasGrad(dy, k, dtype) : null] : [dx, dw];
  });
}

/** The registry's conv2d kernels for a dtype (accelerated float32 ones when installed). */
export function conv2dKernels(dtype: DType): ConvKernels<Conv2dGeom> {
  return { forward: kernel("conv2d", dtype), gradInput: kernel("conv2dGradInput", dtype), gradFilter: kernel("conv2dGradFilter", dtype) };
}

const LAYOUTS_2D: ConvLayouts = { x: "[m,nH,nW,nC_prev]", w: "[f,f,nC_prev,nC]" };

/** The checked kernel geometry and output shape of a conv2d. */
function conv2dGeom(op: string, x: Shaped, w: Shaped, opts: Conv2dOptions): { g: Conv2dGeom; outShape: number[] } {
  const { m, c, k, axes } = convSetup(op, x, w, opts, 2, LAYOUTS_2D);
  const [ah, aw] = axes as [AxisGeom, AxisGeom];
  const g: Conv2dGeom = {
    m, h: ah.n, w: aw.n, c, k, fh: ah.f, fw: aw.f, sh: ah.s, sw: aw.s, dh: ah.d, dw: aw.d,
    padTop: ah.before, padLeft: aw.before, oh: ah.out, ow: aw.out,
  };
  return { g, outShape: [m, ah.out, aw.out, k] };
}

function conv2dAs(op: string, x: Tensor, w: Tensor, opts: Conv2dOptions, flipped: boolean): Tensor {
  const { g, outShape } = conv2dGeom(op, x, w, opts);
  return runConv(op, conv2dKernels, x, flipped ? flip(w, [0, 1]) : w, opts.bias, g, outShape);
}

/**
 * conv2d's shape rule: the output shape for x and w of these shapes, checked like conv2d but
 * computing nothing. `cl.conv2dShape([1, 39, 39, 3], [3, 3, 3, 10])` → [1, 37, 37, 10].
 */
export function conv2dShape(xShape: readonly number[], wShape: readonly number[], opts: Conv2dOptions = {}): number[] {
  return conv2dGeom("conv2d", { shape: xShape }, { shape: wShape }, opts).outShape;
}

/**
 * 2-D convolution as deep learning means it (cross-correlation: the filter is not flipped),
 * channels-last. x [m, nH, nW, nC_prev] ⋆ w [f, f, nC_prev, nC] (fh may differ from fw)
 * → [m, nH_out, nW_out, nC] with nH_out = floor((nH + 2p − f_eff)/s + 1), f_eff = (f − 1)·d + 1;
 * "same" gives ceil(nH/s) and pads like TensorFlow (odd pixel bottom/right). Differentiable in
 * x, w and bias.
 *
 *   // the course's vertical edge detector: 6×6 ∗ 3×3 → 4×4
 *   cl.conv2d(img.reshape([1, 6, 6, 1]), cl.filters.vertical.reshape([3, 3, 1, 1]))
 *   cl.conv2d(x, w, { stride: 2, padding: "same", bias: b })
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  return conv2dAs("conv2d", x, w, opts, false);
}

/**
 * True (mathematical) 2-D convolution: the filter is flipped on both spatial axes, then
 * cross-correlated as in `conv2d` (same shapes and options). Unlike cross-correlation it is
 * associative: (x ∗ k1) ∗ k2 = x ∗ (k1 ∗ k2).
 */
export function convolve2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  return conv2dAs("convolve2d", x, w, opts, true);
}
