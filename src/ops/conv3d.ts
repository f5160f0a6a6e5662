// conv3d: a 3-D convolution (CT volumes, video), channels-last.
import type { Tensor, DType } from "../tensor/tensor.js";
import type { Conv3dGeom } from "../kernels/types.js";
import { kernel } from "../kernels/index.js";
import { convArgs, convSetup, convShapeArgs, runConv, type ConvKernels, type ConvActivation } from "./conv.js";
import type { AxisGeom, Padding, Shaped } from "./padding.js";

type Triple = readonly [number, number, number];

export interface Conv3dOptions extends ConvActivation {
  /** s, or [sD, sH, sW] (default 1). */
  stride?: number | Triple;
  /** "valid" (default), "same", p on every side, or [pD, pH, pW]. */
  padding?: Padding<Triple>;
  /** d, or [dD, dH, dW] (default 1). */
  dilation?: number | Triple;
  /** b [k]. */
  bias?: Tensor;
}

function conv3dKernels(dtype: DType): ConvKernels<Conv3dGeom> {
  return { forward: kernel("conv3d", dtype), gradInput: kernel("conv3dGradInput", dtype), gradFilter: kernel("conv3dGradFilter", dtype) };
}

/**
 * 3-D convolution (cross-correlation), channels-last: x [m, d, h, w, c] ⋆ w [f, f, f, c, k]
 * → [m, d_out, h_out, w_out, k], each axis as in conv2d. Differentiable in x, w and bias.
 *
 *   // the course's CT example: 14×14×14×1 ∗ 16 filters 5×5×5×1 → 10×10×10×16
 *   cl.conv3d(cl.randn([1, 14, 14, 14, 1]), cl.randn([5, 5, 5, 1, 16])).shape   // [1, 10, 10, 10, 16]
 */
export function conv3d(x: Tensor, w: Tensor, opts: Conv3dOptions = {}): Tensor {
  const o = convArgs("conv3d", x, w, opts);
  const { g, outShape } = conv3dGeom(x, w, o);
  return runConv("conv3d", conv3dKernels, x, w, o.bias, g, outShape, o);
}

/** conv3d's shape rule (checked, computes nothing): `cl.conv3dShape([1, 14, 14, 14, 1], [5, 5, 5, 1, 16])` → [1, 10, 10, 10, 16]. */
export function conv3dShape(xShape: readonly number[], wShape: readonly number[], opts: Conv3dOptions = {}): number[] {
  const a = convShapeArgs("conv3dShape", xShape, wShape, opts);
  return conv3dGeom(a.x, a.w, a.opts).outShape;
}

function conv3dGeom(x: Shaped, w: Shaped, opts: Conv3dOptions): { g: Conv3dGeom; outShape: number[] } {
  const { m, c, k, axes } = convSetup("conv3d", x, w, opts, 3, { x: "[m,d,h,w,c]", w: "[f,f,f,c,k]" });
  const [ad, ah, aw] = axes as [AxisGeom, AxisGeom, AxisGeom];
  const g: Conv3dGeom = {
    m, d: ad.n, h: ah.n, w: aw.n, c, k, fd: ad.f, fh: ah.f, fw: aw.f, sd: ad.s, sh: ah.s, sw: aw.s,
    dd: ad.d, dh: ah.d, dw: aw.d, padFront: ad.before, padTop: ah.before, padLeft: aw.before, od: ad.out, oh: ah.out, ow: aw.out,
  };
  return { g, outShape: [m, ad.out, ah.out, aw.out, k] };
}
