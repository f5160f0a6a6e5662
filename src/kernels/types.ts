import type { TypedArray } from "../tensor/tensor.js";

// Signatures shared by the TypeScript reference kernels (kernels/ts) and the WASM SIMD kernels
// (kernels/wasm). Kernels only loop: no validation, no allocation of outputs (the op allocates
// and passes them in), padded positions skipped rather than read. All arrays are row-major and
// channels-last (NHWC, NDHWC).

/** C[m×n] (+)= op(A)·op(B); offsets index into the arrays (for batched calls without copies). */
export interface GemmArgs {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  /** Add into C instead of overwriting it. */
  accumulate?: boolean;
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
  /**
   * Applied to C seen as [m, n] (n channels) after the product and any accumulation, in the same
   * call: C = act(C + bias) (a dense layer's bias and activation; see Epilogue).
   */
  epilogue?: Epilogue;
}

export type GemmKernel = (a: TypedArray, b: TypedArray, c: TypedArray, args: GemmArgs) => void;

/**
 * Geometry of a 2-D convolution, course notation: x is [m, h, w, c] (c = nC_prev), the filter is
 * [fh, fw, c, k] (k = nC), y is [m, oh, ow, k]; stride (sh, sw), dilation (dh, dw) and the
 * padding added before the first row/column (padTop, padLeft). The padding after is implied by
 * oh/ow. conv1d is this with h = fh = 1.
 */
export interface Conv2dGeom {
  m: number;
  h: number;
  w: number;
  c: number;
  k: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padTop: number;
  padLeft: number;
  oh: number;
  ow: number;
}

/** The activations a forward kernel can apply to its output (see Epilogue). */
export type EpilogueActivation = "linear" | "relu" | "relu6" | "leakyRelu";

/**
 * What a forward convolution kernel applies to its output before returning, in the same pass:
 * y = act(y + bias[k]) per output channel. Bit-identical to adding the bias and then calling the
 * activation op: relu is `v < 0 ? 0 : v` (−0 and NaN kept), relu6 is `v < 0 ? 0 : v > 6 ? 6 : v`,
 * leakyRelu is `v > 0 ? v : alpha·v` (the product in float64, rounded to the output's dtype).
 */
export interface Epilogue {
  /** b [k], or null for none. */
  bias: TypedArray | null;
  act: EpilogueActivation;
  /** leakyRelu's slope (default 0.01). */
  alpha?: number;
  /**
   * s [k]: y = act(y·s + b), the product rounded to float32 before the sum (a batch-norm in
   * inference folded into the convolution, see nn/fusion.ts). Absent or null for none.
   */
  scale?: TypedArray | null;
}

/** y = x ⋆ filter (cross-correlation), then the epilogue when given; y is overwritten. */
export type Conv2dKernel = (x: TypedArray, filter: TypedArray, y: TypedArray, g: Conv2dGeom, ep?: Epilogue) => void;
/** dx = ∂L/∂x from dy and the filter; dx is overwritten. */
export type Conv2dGradInputKernel = (dy: TypedArray, filter: TypedArray, dx: TypedArray, g: Conv2dGeom) => void;
/** dFilter = ∂L/∂filter from x and dy; dFilter is overwritten. */
export type Conv2dGradFilterKernel = (x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: Conv2dGeom) => void;

/**
 * Depthwise 2-D convolution: the filter is [fh, fw, c, mult], y is [m, oh, ow, c·mult]; output
 * channel ci·mult + j reads only input channel ci. `k` of the geometry equals c·mult.
 */
export interface DepthwiseGeom extends Conv2dGeom {
  mult: number;
}
export type DepthwiseKernel = (x: TypedArray, filter: TypedArray, y: TypedArray, g: DepthwiseGeom, ep?: Epilogue) => void;
export type DepthwiseGradInputKernel = (dy: TypedArray, filter: TypedArray, dx: TypedArray, g: DepthwiseGeom) => void;
export type DepthwiseGradFilterKernel = (x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: DepthwiseGeom) => void;

/** A 3-D convolution: x [m, d, h, w, c], filter [fd, fh, fw, c, k], y [m, od, oh, ow, k]. */
export interface Conv3dGeom {
  m: number;
  d: number;
  h: number;
  w: number;
  c: number;
  k: number;
  fd: number;
  fh: number;
  fw: number;
  sd: number;
  sh: number;
  sw: number;
  dd: number;
  dh: number;
  dw: number;
  padFront: number;
  padTop: number;
  padLeft: number;
  od: number;
  oh: number;
  ow: number;
}
export type Conv3dKernel = (x: TypedArray, filter: TypedArray, y: TypedArray, g: Conv3dGeom, ep?: Epilogue) => void;
export type Conv3dGradInputKernel = (dy: TypedArray, filter: TypedArray, dx: TypedArray, g: Conv3dGeom) => void;
export type Conv3dGradFilterKernel = (x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: Conv3dGeom) => void;

/** Pooling window over x [m, h, w, c] → y [m, oh, ow, c]; padded positions never win a max nor count in an average. */
export interface Pool2dGeom {
  m: number;
  h: number;
  w: number;
  c: number;
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
  oh: number;
  ow: number;
}
/**
 * y = max over each window (the first maximum in window order wins ties; NaN propagates);
 * `argmax` (same length as y), unless null, receives the flat index into x of each max.
 */
export type MaxPool2dKernel = (x: TypedArray, y: TypedArray, argmax: Int32Array | null, g: Pool2dGeom) => void;
/** dx (overwritten) gets dy added at each recorded argmax, in output order. */
export type MaxPool2dGradKernel = (dy: TypedArray, argmax: Int32Array, dx: TypedArray, g: Pool2dGeom) => void;
/**
 * The same gradient without a recorded argmax: x's windows are scanned again for the maxima the
 * forward found, so dx equals maxPool2dGrad(dy, the forward's argmax) bit for bit.
 */
export type MaxPool2dGradXKernel = (x: TypedArray, dy: TypedArray, dx: TypedArray, g: Pool2dGeom) => void;
/**
 * y = max over each window (as MaxPool2dKernel), and code[o] = the position of o's first maximum in
 * its window clipped to the input, row by row: (iy − y0)·(x1 − x0) + (ix − x0). Windows of at most
 * 256 positions.
 */
export type MaxPool2dCodeKernel = (x: TypedArray, y: TypedArray, code: Uint8Array, g: Pool2dGeom) => void;
/** dx (overwritten) = dy routed by the codes: maxPool2dGrad with the argmax they stand for. */
export type MaxPool2dGradCodeKernel = (code: Uint8Array, dy: TypedArray, dx: TypedArray, g: Pool2dGeom) => void;
/** y = mean over the valid (unpadded) positions of each window. */
export type AvgPool2dKernel = (x: TypedArray, y: TypedArray, g: Pool2dGeom) => void;
export type AvgPool2dGradKernel = (dy: TypedArray, dx: TypedArray, g: Pool2dGeom) => void;

/** The activations with elementwise kernels. */
export type ElementwiseActivation = "relu" | "relu6";
/** y = act(x) elementwise (NaN and −0 kept). */
export type ActivationKernel = (x: TypedArray, y: TypedArray, act: ElementwiseActivation) => void;
/**
 * dz = dy where act passes the gradient at ref (its input or output), else 0; with db [k], also
 * db += Σ over the rows of dz viewed as [rows, k] (the bias gradient), row by row.
 */
export type ActivationGradKernel = (dy: TypedArray, ref: TypedArray, dz: TypedArray, k: number, db: TypedArray | null, act: ElementwiseActivation) => void;
/**
 * out = ((xs[0] + xs[1]) + xs[2]) + … elementwise, rounded to the outputs' dtype after each
 * addition (same-length arrays); with `post`, also post.y = act(out) (then out may be null).
 */
export type AddNKernel = (xs: readonly TypedArray[], out: TypedArray | null, post?: { y: TypedArray; act: ElementwiseActivation }) => void;
/** y = x > 0 ? x : alpha·x (the product in float64, rounded to y's dtype; NaN stays NaN, −0 stays −0). */
export type LeakyReluKernel = (x: TypedArray, y: TypedArray, alpha: number) => void;
/** dx = x > 0 ? dy : alpha·dy. */
export type LeakyReluGradKernel = (dy: TypedArray, x: TypedArray, dx: TypedArray, alpha: number) => void;
/**
 * Batch normalisation over x seen as [n, c]: c channels (the last axis), n rows (every other axis).
 * `training`: the forward computes the batch statistics; else it uses the given (running) ones.
 */
export interface BatchNormGeom {
  n: number;
  c: number;
  eps: number;
  training: boolean;
}
/**
 * y = (x − mean[c])·invStd[c]·gamma[c] + beta[c]. With `training`, mean[c] and variance[c] (biased:
 * Σ(x − mean)²/n) are written from x; else they are read (the running statistics). invStd[c] =
 * 1/√(variance[c] + eps) is always written. mean, variance and invStd are float64 whatever the dtype.
 */
export type BatchNormKernel = (
  x: TypedArray, gamma: TypedArray, beta: TypedArray, y: TypedArray,
  mean: Float64Array, variance: Float64Array, invStd: Float64Array, g: BatchNormGeom,
) => void;
/**
 * The backward from the forward's mean and invStd, x̂ = (x − mean)·invStd recomputed from x (not
 * stored). dBeta[c] = Σ dy, dGamma[c] = Σ dy·x̂ (float64, always written); dx, when not null, is
 * overwritten: training γ·invStd/n·(n·dy − Σdy − x̂·Σdy·x̂) (the batch statistics depend on x),
 * else γ·invStd·dy.
 */
export type BatchNormGradKernel = (
  dy: TypedArray, x: TypedArray, gamma: TypedArray, mean: Float64Array, invStd: Float64Array,
  dx: TypedArray | null, dGamma: Float64Array, dBeta: Float64Array, g: BatchNormGeom,
) => void;

/**
 * One optimizer update (torch.optim's rules, see train/optimizers.ts), with the step's
 * hyperparameters. With weightDecay ≠ 0 the gradient is first g + weightDecay·p (in p's dtype).
 * - sgd: p −= lr·g
 * - sgdMomentum: b = first ? g : μ·b + (1 − dampening)·g, p −= lr·(nesterov ? g + μ·b : b)
 * - momentum (the course's): v = β·v + (1 − β)·g, p −= lr·v
 * - rmsprop: s = ρ·s + (1 − ρ)·g², p −= lr·g / (√s + ε)
 * - adam: m = β1·m + (1 − β1)·g, v = β2·v + (1 − β2)·g², p −= lr·(m / c1) / (√v / c2 + ε), with
 *   c1 = 1 − β1ᵗ and c2 = √(1 − β2ᵗ)
 */
export type OptimizerUpdate =
  | { rule: "sgd"; lr: number; weightDecay: number }
  | { rule: "sgdMomentum"; lr: number; weightDecay: number; mu: number; dampening: number; nesterov: boolean; first: boolean }
  | { rule: "momentum"; lr: number; weightDecay: number; beta: number }
  | { rule: "rmsprop"; lr: number; weightDecay: number; rho: number; eps: number }
  | { rule: "adam"; lr: number; weightDecay: number; beta1: number; beta2: number; eps: number; c1: number; c2: number };
/**
 * Updates p in place from g (same length and dtype) and the rule's state buffers (sgdMomentum,
 * momentum, rmsprop: one; adam: m then v; sgd: none), which it also updates.
 */
export type OptimizerStepKernel = (p: TypedArray, g: TypedArray, state: readonly TypedArray[], u: OptimizerUpdate) => void;
