// conv2dTranspose ("deconvolution"): the adjoint of conv2d, which upsamples. Its forward is
// conv2d's input-gradient kernel, its input gradient is conv2d's forward kernel.
import type { DType, Tensor } from "../tensor/tensor.js";
import type { Conv2dGeom, EpilogueActivation } from "../kernels/types.js";
import { kernel } from "../kernels/index.js";
import { ShapeError, fmtShape } from "../util/errors.js";
import { checkBias, checkConvShapes, convArgs, convShapeArgs, convSteps, runConv, type ConvKernels, type FusedPost } from "./conv.js";
import { explicitPadding, type Padding, type Shaped } from "./padding.js";

export interface Conv2dTransposeOptions {
  /** s, or [sH, sW] (default 1): the upsampling factor. */
  stride?: number | readonly [number, number];
  /**
   * "valid" (default: output (n − 1)·s + f_eff), "same" (TensorFlow: output n·s), or p / [pH, pW]
   * cropped from each side of the "valid" output ((n − 1)·s + f_eff − 2p, PyTorch's padding).
   */
  padding?: Padding<readonly [number, number]>;
  /** d, or [dH, dW] (default 1). */
  dilation?: number | readonly [number, number];
  /** b [nC_out]. */
  bias?: Tensor;
  /**
   * An activation fused into the output ("linear" default, "relu", "relu6"): the same values as
   * applying it after the op, in one pass over the output (as tf.fused.conv2d).
   */
  activation?: EpilogueActivation;
}

function transposeKernels(dtype: DType): ConvKernels<Conv2dGeom> {
  const gradFilter = kernel("conv2dGradFilter", dtype);
  return {
    forward: kernel("conv2dGradInput", dtype),
    gradInput: kernel("conv2d", dtype),
    // the forward conv's input is our output gradient, its output gradient our input
    gradFilter: (x, dy, dFilter, g) => gradFilter(dy, x, dFilter, g),
    forwardEpilogue: false,
  };
}

/**
 * Transposed 2-D convolution: x [m, nH, nW, nC_in] with w [f, f, nC_out, nC_in] (the filter of
 * the conv2d from nC_out to nC_in channels that this op transposes) → [m, nH_out, nW_out, nC_out].
 * It is exactly the adjoint of `conv2d(·, w)` with the same options:
 * ⟨conv2dTranspose(x, w), y⟩ = ⟨x, conv2d(y, w)⟩. Differentiable in x, w and bias.
 *
 *   // a [1,7,7,16], w [3,3,8,16]: upsample 7×7×16 → 14×14×8
 *   cl.conv2dTranspose(a, w, { stride: 2, padding: "same" }).shape   // [1,14,14,8]
 */
export function conv2dTranspose(x: Tensor, w: Tensor, opts: Conv2dTransposeOptions = {}): Tensor {
  const o = convArgs("conv2dTranspose", x, w, opts);
  const { g, outShape } = transposeGeom(x, w, o);
  return runConv("conv2dTranspose", transposeKernels, x, w, o.bias, g, outShape, { activation: o.activation, scale: (o as FusedPost).scale });
}

/** conv2dTranspose's shape rule (checked, computes nothing): `([1,7,7,16], [3,3,8,16], { stride: 2, padding: "same" })` → [1,14,14,8]. */
export function conv2dTransposeShape(xShape: readonly number[], wShape: readonly number[], opts: Conv2dTransposeOptions = {}): number[] {
  const a = convShapeArgs("conv2dTransposeShape", xShape, wShape, opts);
  return transposeGeom(a.x, a.w, a.opts).outShape;
}

/** The geometry of the conv2d (from nC_out to nC_in channels) that the op transposes. */
function transposeGeom(x: Shaped, w: Shaped, opts: Conv2dTransposeOptions): { g: Conv2dGeom; outShape: number[] } {
  const op = "conv2dTranspose";
  checkConvShapes(op, x, w, 2, { x: "[m,nH,nW,nC_in]", w: "[f,f,nC_out,nC_in]" }, 3);
  const [m, h, wd, cIn] = x.shape as [number, number, number, number];
  const [fh, fw, cOut] = w.shape as [number, number, number, number];
  const shapes = `(x ${fmtShape(x.shape)}, w ${fmtShape(w.shape)})`;
  const { s, d } = convSteps(op, opts, 2);
  const padding = opts.padding ?? "valid";
  const pad = explicitPadding(op, padding, 2) ?? [0, 0];
  const n = [h, wd], f = [fh, fw];
  const fEff = f.map((fi, i) => (fi - 1) * d[i]! + 1);
  // output sizes, and the padding before of the transposed conv2d
  const out = n.map((ni, i) => (padding === "same" ? ni * s[i]! : (ni - 1) * s[i]! + fEff[i]! - 2 * pad[i]!));
  const before = n.map((_, i) => (padding === "same" ? Math.floor(Math.max(fEff[i]! - s[i]!, 0) / 2) : pad[i]!));
  if (out.some((o) => o < 1))
    throw new ShapeError(`${op}: padding ${JSON.stringify(padding)} leaves no output (${out.join("×")}) ${shapes}`);
  checkBias(op, opts.bias, cOut);
  const g: Conv2dGeom = {
    m, h: out[0]!, w: out[1]!, c: cOut, k: cIn, fh, fw, sh: s[0]!, sw: s[1]!, dh: d[0]!, dw: d[1]!,
    padTop: before[0]!, padLeft: before[1]!, oh: h, ow: wd,
  };
  return { g, outShape: [m, out[0]!, out[1]!, cOut] };
}
