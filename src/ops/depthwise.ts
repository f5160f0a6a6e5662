// depthwiseConv2d: each input channel convolved with its own `mult` filters (MobileNet-style
// separable convolutions), channels-last.
import type { Tensor, DType } from "../tensor/tensor.js";
import type { DepthwiseGeom } from "../kernels/types.js";
import { kernel } from "../kernels/index.js";
import type { Conv2dOptions } from "./conv2d.js";
import { convArgs, convSetup, convShapeArgs, runConv, type ConvKernels } from "./conv.js";
import type { AxisGeom, Shaped } from "./padding.js";

function depthwiseKernels(dtype: DType): ConvKernels<DepthwiseGeom> {
  return { forward: kernel("depthwise", dtype), gradInput: kernel("depthwiseGradInput", dtype), gradFilter: kernel("depthwiseGradFilter", dtype) };
}

/**
 * Depthwise 2-D convolution: x [m, h, w, c] ⋆ w [f, f, c, mult] → [m, h_out, w_out, c·mult];
 * output channel ci·mult + j reads only input channel ci (tfjs/TensorFlow order). Options as in
 * conv2d (bias has c·mult entries). Differentiable in x, w and bias.
 */
export function depthwiseConv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  const o = convArgs("depthwiseConv2d", x, w, opts);
  const { g, outShape } = depthwiseGeom(x, w, o);
  return runConv("depthwiseConv2d", depthwiseKernels, x, w, o.bias, g, outShape, o);
}

/** depthwiseConv2d's shape rule (checked, computes nothing): [m, h_out, w_out, c·mult]. */
export function depthwiseConv2dShape(xShape: readonly number[], wShape: readonly number[], opts: Conv2dOptions = {}): number[] {
  const a = convShapeArgs("depthwiseConv2dShape", xShape, wShape, opts);
  return depthwiseGeom(a.x, a.w, a.opts).outShape;
}

function depthwiseGeom(x: Shaped, w: Shaped, opts: Conv2dOptions): { g: DepthwiseGeom; outShape: number[] } {
  const { m, c, k, axes } = convSetup("depthwiseConv2d", x, w, opts, 2, { x: "[m,h,w,c]", w: "[f,f,c,mult]" }, true);
  const [ah, aw] = axes as [AxisGeom, AxisGeom];
  const g: DepthwiseGeom = {
    m, h: ah.n, w: aw.n, c, k, mult: w.shape[3]!, fh: ah.f, fw: aw.f, sh: ah.s, sw: aw.s, dh: ah.d, dw: aw.d,
    padTop: ah.before, padLeft: aw.before, oh: ah.out, ow: aw.out,
  };
  return { g, outShape: [m, ah.out, aw.out, k] };
}
