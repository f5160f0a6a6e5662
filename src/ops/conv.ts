// The convolution family's shared set-up: conv1d, conv2d, conv3d, depthwiseConv2d and
// conv2dTranspose all check their inputs, normalise stride/dilation/padding and run their kernels
// (forward, and two kernels backward) through the functions here, so their argument rules and
// messages are one: `conv2d: input has 3 channels but filter expects 1 (x [1,6,6,3], w [3,3,1,2])`.
import { Tensor, allocate, allocateUnzeroed, resultType, type DType, type TypedArray } from "../tensor/tensor.js";
import { recycle } from "../tensor/pool.js";
import type { Epilogue, EpilogueActivation } from "../kernels/types.js";
import { applyEpilogue } from "../kernels/ts/epilogue.js";
import { kernel } from "../kernels/index.js";
import { record } from "../autograd/tape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { optNumberArg, optOneOfArg, optionsArg, typeFail } from "../util/check.js";
import { checkShape } from "../tensor/shape.js";
import { tensorArg } from "../tensor/args.js";
import { axisTuple, checkRank, resolveAxes, type AxisGeom, type Shaped } from "./padding.js";

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

/** The activations a convolution op can fuse into its output (`activation` option). */
export const FUSED_ACTIVATIONS: readonly EpilogueActivation[] = ["linear", "relu", "relu6", "leakyRelu"];

/** The activation options every convolution op takes. */
export interface ConvActivation {
  /**
   * An activation fused into the output ("linear" default, "relu", "relu6", "leakyRelu"): the
   * same values as applying it after the op, in one pass over the output (as tf.fused.conv2d).
   */
  activation?: EpilogueActivation;
  /** leakyRelu's slope for x < 0 (default 0.01, as cl.leakyRelu); ≥ 0. */
  alpha?: number;
}

/**
 * Checks a convolution call's arguments: x and w tensors, opts an options object with an optional
 * tensor bias and an optional fused activation ("linear", "relu", "relu6", "leakyRelu" with alpha).
 */
export function convArgs<O extends { bias?: Tensor } & ConvActivation>(op: string, x: unknown, w: unknown, opts: O | undefined): O {
  tensorArg(op, "x", x);
  tensorArg(op, "w", w);
  const o = optionsArg(op, opts);
  if (o.bias !== undefined) tensorArg(op, "opts.bias", o.bias);
  optOneOfArg(op, "opts.activation", o.activation, FUSED_ACTIVATIONS);
  if (o.alpha !== undefined) {
    if (o.activation !== "leakyRelu") throw new ValueError(`${op}: opts.alpha is leakyRelu's slope, but the activation is ${JSON.stringify(o.activation ?? "linear")}`);
    optNumberArg(op, "opts.alpha (leakyRelu's slope; apply cl.leakyRelu after the op for a negative one)", o.alpha, { min: 0 });
  }
  const scale = (o as FusedPost).scale;
  if (scale !== undefined) tensorArg(op, "opts.scale", scale);
  return o;
}

/** Checks a shape rule's arguments (`conv2dShape(xShape, wShape, opts)`) and wraps the shapes as `{ shape }`. */
export function convShapeArgs<O extends { bias?: unknown }>(op: string, xShape: readonly number[], wShape: readonly number[], opts: O | undefined): { x: Shaped; w: Shaped; opts: O } {
  checkShape(xShape, op, "xShape");
  checkShape(wShape, op, "wShape");
  const o = optionsArg(op, opts);
  if (o.bias !== undefined && !Array.isArray((o.bias as Partial<Shaped> | null)?.shape)) typeFail(op, "opts.bias", "a Tensor (or { shape })", o.bias);
  return { x: { shape: xShape }, w: { shape: wShape }, opts: o };
}

/**
 * Checks the ranks of x [m, ...n, c] and w (nd spatial axes first), that x's channels equal
 * w's axis `wChannelAxis` and that the filter has no empty spatial axis. Returns the channels
 * and the filter's spatial sizes.
 */
export function checkConvShapes(op: string, x: Shaped, w: Shaped, nd: number, layouts: ConvLayouts, wChannelAxis: number): { c: number; f: number[] } {
  checkRank(op, "x", x, nd + 2, layouts.x);
  checkRank(op, "w", w, nd + 2, layouts.w);
  const c = x.shape[nd + 1]!, wc = w.shape[wChannelAxis]!;
  const shapes = `(x ${fmtShape(x.shape)}, w ${fmtShape(w.shape)})`;
  if (c !== wc) throw new ShapeError(`${op}: input has ${c} channel${c === 1 ? "" : "s"} but filter expects ${wc} ${shapes}`);
  const f = w.shape.slice(0, nd);
  if (f.some((v) => v < 1)) throw new ShapeError(`${op}: the filter has an empty spatial axis ${shapes}`);
  return { c, f };
}

/** Stride and dilation, one positive integer per spatial axis (a number stands for all). */
export function convSteps(op: string, opts: ConvOptionsNd, nd: number): { s: number[]; d: number[] } {
  return { s: axisTuple(op, "stride", opts.stride, nd, 1), d: axisTuple(op, "dilation", opts.dilation, nd, 1) };
}

/**
 * Checks a convolution's inputs and resolves its geometry: x [m, ...n, c], w [...f, c, k]
 * (depthwise: w [...f, c, mult], k = c·mult), bias [k]. Messages name the op and both shapes.
 */
export function convSetup(op: string, x: Shaped, w: Shaped, opts: ConvOptionsNd, nd: number, layouts: ConvLayouts, depthwise = false): ConvSetup {
  const { c, f } = checkConvShapes(op, x, w, nd, layouts, nd);
  const { s, d } = convSteps(op, opts, nd);
  const axes = resolveAxes(op, "filter", x.shape.slice(1, nd + 1), f, s, d, opts.padding ?? "valid");
  const k = depthwise ? c * w.shape[nd + 1]! : w.shape[nd + 1]!;
  checkBias(op, opts.bias, k);
  return { m: x.shape[0]!, c, k, axes };
}

/** Throws unless bias is undefined or has shape [k]. */
export function checkBias(op: string, bias: Shaped | undefined, k: number): void {
  if (bias !== undefined && (bias.shape.length !== 1 || bias.shape[0] !== k))
    throw new ShapeError(`${op}: bias has shape ${fmtShape(bias.shape)} but the filter has ${k} output channels (expected [${k}])`);
}

/** The three kernels of a convolution, for one geometry type. */
export interface ConvKernels<G> {
  /** The forward kernel; it applies an epilogue itself unless `forwardEpilogue` is false. */
  forward: (x: TypedArray, filter: TypedArray, y: TypedArray, g: G, ep?: Epilogue) => void;
  gradInput: (dy: TypedArray, filter: TypedArray, dx: TypedArray, g: G) => void;
  gradFilter: (x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: G) => void;
  /** False when `forward` takes no epilogue (conv2dTranspose's forward is a gradient kernel). */
  forwardEpilogue?: boolean;
}

const cast = (t: Tensor, dtype: DType): Tensor => (t.dtype === dtype ? t : t.astype(dtype));

/** db[k] = Σ over rows of dy viewed as [rows, k]. */
export function biasGrad(dy: TypedArray, k: number, dtype: DType): Tensor {
  const db = allocate(dtype, k);
  for (let o = 0; o < dy.length; o += k) for (let j = 0; j < k; j++) db[j]! += dy[o + j]!;
  return new Tensor(db, [k]);
}

/** a viewed as [rows, k], each column j times s[j], as a new array. */
function scaleChannels(a: TypedArray, s: TypedArray, k: number, dtype: DType): TypedArray {
  const d = allocate(dtype, a.length);
  for (let o = 0; o < d.length; o += k) for (let j = 0; j < k; j++) d[o + j] = a[o + j]! * s[j]!;
  return d;
}

/** What runConv fuses into the output pass besides the bias (a convolution's options carry it). */
export interface FusedPost extends ConvActivation {
  /**
   * @internal A per-channel factor applied before the bias, y = act(conv·scale + bias): a
   * batch-norm in inference folded in (nn/fusion.ts). A constant: no gradient flows to it.
   */
  scale?: Tensor;
}

/**
 * Runs a checked convolution: y [..., k] = act(kernels.forward(x, w) + bias [k]) with the bias and
 * the activation applied by the kernel as its epilogue (one pass over y), recorded with its
 * backward (dz = dy·act'(z) from y, then dx from gradInput, dw from gradFilter, db = Σ dz over
 * every axis but the last). The same bits as the unfused ops.
 */
export function runConv<G>(
  op: string, kernels: (dtype: DType) => ConvKernels<G>, x: Tensor, w: Tensor, bias: Tensor | undefined, g: G,
  outShape: readonly number[], post: FusedPost = {},
): Tensor {
  const act = post.activation ?? "linear", scale = post.scale, alpha = post.alpha ?? 0.01;
  const dtype = bias ? resultType(x, w, bias) : resultType(x, w);
  const k = outShape[outShape.length - 1]!;
  const X = cast(x, dtype), W = cast(w, dtype);
  let size = 1;
  for (const v of outShape) size *= v;
  const y = allocateUnzeroed(dtype, size, op); // the forward kernels overwrite y
  const ks = kernels(dtype);
  if (scale && (scale.rank !== 1 || scale.shape[0] !== k))
    throw new ShapeError(`${op}: scale has shape ${fmtShape(scale.shape)} but the output has ${k} channels (expected [${k}])`);
  const sd = scale ? cast(scale, dtype).data : null;
  const ep: Epilogue = { bias: bias ? cast(bias, dtype).data : null, act, scale: sd, alpha };
  if (ks.forwardEpilogue === false) {
    ks.forward(X.data, W.data, y, g);
    applyEpilogue(y, k, ep);
  } else ks.forward(X.data, W.data, y, g, ep);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record(op, new Tensor(y, outShape), inputs, (dyT) => {
    const dyd = cast(dyT, dtype).data;
    const back = kernels(dtype);
    const wantDb = bias !== undefined && bias.requiresGrad;
    let db: Tensor | null = null, dy = dyd;
    if (act === "leakyRelu") {
      // dz = y > 0 ? dy : α·dy (y > 0 iff z > 0, as α ≥ 0), then db = Σ dz as the unfused bias add
      dy = allocate(dtype, y.length);
      kernel("leakyReluGrad", dtype)(dyd, y, dy, alpha);
      if (wantDb) db = biasGrad(dy, k, dtype);
    } else if (act !== "linear") {
      // dz = dy·act'(z) from the output (y > 0 iff z > 0), and db = Σ dz in the same pass
      const d = wantDb ? allocate(dtype, k) : null;
      dy = allocate(dtype, y.length);
      kernel("activationGrad", dtype)(dyd, y, dy, k, d, act);
      if (d) db = new Tensor(d, [k]);
    } else if (wantDb) db = biasGrad(dy, k, dtype);
    // through the folded factor: ∂(conv·s)/∂conv = s per output channel. When only dx is wanted
    // (a frozen network), s scales the filter instead of dy: gradInput(dy·s, W) = gradInput(dy, W·s),
    // and W (output channel last: [..., c, k], depthwise [..., c, mult] with k = c·mult) is far
    // smaller than dy
    let wx = W.data;
    if (sd && !w.requiresGrad && ks.forwardEpilogue !== false && W.size % k === 0) wx = scaleChannels(wx, sd, k, dtype);
    else if (sd) {
      const scaled = scaleChannels(dy, sd, k, dtype);
      if (dy !== dyd) recycle(dy);
      dy = scaled;
    }
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (x.requiresGrad) {
      const d = allocate(dtype, x.size);
      back.gradInput(dy, wx, d, g);
      dx = new Tensor(d, x.shape);
    }
    if (w.requiresGrad) {
      const d = allocate(dtype, w.size);
      back.gradFilter(X.data, dy, d, g);
      dw = new Tensor(d, w.shape);
    }
    if (dy !== dyd) recycle(dy); // dz (and its scaled copy) were this closure's own
    return bias ? [dx, dw, db] : [dx, dw];
  });
}
