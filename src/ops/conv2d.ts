// conv2d (cross-correlation, as deep learning calls convolution) and convolve2d (true convolution),
// with conv2d's shape rule; the set-up the whole convolution family shares is in conv.ts.
import type { Tensor, DType } from "../tensor/tensor.js";
import { kernel } from "../kernels/index.js";
import type { Conv2dGeom } from "../kernels/types.js";
import { flip } from "./layout.js";
import { convArgs, convSetup, convShapeArgs, runConv, type ConvKernels, type ConvLayouts, type ConvActivation } from "./conv.js";
import type { AxisGeom, Padding, Shaped } from "./padding.js";

export { outputSize, type OutputSizeOptions } from "./padding.js";

export interface Conv2dOptions extends ConvActivation {
  /** s, or [sH, sW] (default 1). */
  stride?: number | readonly [number, number];
  /** "valid" (default), "same" (TensorFlow: output ceil(n/s)), p on every side, or [pH, pW]. */
  padding?: Padding<readonly [number, number]>;
  /** d, or [dH, dW] (default 1): the filter taps are d apart, f_eff = (f − 1)·d + 1. */
  dilation?: number | readonly [number, number];
  /** b [nC], added to every output position. */
  bias?: Tensor;
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
  const o = convArgs(op, x, w, opts);
  const { g, outShape } = conv2dGeom(op, x, w, o);
  return runConv(op, conv2dKernels, x, flipped ? flip(w, [0, 1]) : w, o.bias, g, outShape, o);
}

/**
 * conv2d's shape rule: the output shape for x and w of these shapes, checked like conv2d but
 * computing nothing. `cl.conv2dShape([1, 39, 39, 3], [3, 3, 3, 10])` → [1, 37, 37, 10].
 */
export function conv2dShape(xShape: readonly number[], wShape: readonly number[], opts: Conv2dOptions = {}): number[] {
  const a = convShapeArgs("conv2dShape", xShape, wShape, opts);
  return conv2dGeom("conv2d", a.x, a.w, a.opts).outShape;
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
