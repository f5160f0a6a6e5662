// conv1d: a 1-D convolution (signals such as an ECG), run on the conv2d kernels with h = fh = 1.
import type { Tensor } from "../tensor/tensor.js";
import type { Conv2dGeom } from "../kernels/types.js";
import { conv2dKernels } from "./conv2d.js";
import { convArgs, convSetup, convShapeArgs, runConv, type ConvActivation } from "./conv.js";
import type { Shaped } from "./padding.js";

export interface Conv1dOptions extends ConvActivation {
  /** s (default 1). */
  stride?: number;
  /** "valid" (default), "same" (output ceil(n/s)) or p on both ends. */
  padding?: "valid" | "same" | number;
  /** d (default 1). */
  dilation?: number;
  /** b [k]. */
  bias?: Tensor;
}

/**
 * 1-D convolution (cross-correlation), channels-last: x [m, n, c] ⋆ w [f, c, k] → [m, n_out, k]
 * with n_out = floor((n + 2p − f_eff)/s + 1). Differentiable in x, w and bias.
 *
 *   // the course's ECG example: 14 ∗ 5 → 10, 16 filters
 *   cl.conv1d(cl.randn([1, 14, 1]), cl.randn([5, 1, 16])).shape   // [1, 10, 16]
 */
export function conv1d(x: Tensor, w: Tensor, opts: Conv1dOptions = {}): Tensor {
  const o = convArgs("conv1d", x, w, opts);
  const { g, outShape } = conv1dGeom(x, w, o);
  return runConv("conv1d", conv2dKernels, x, w, o.bias, g, outShape, o);
}

/** conv1d's shape rule (checked, computes nothing): `cl.conv1dShape([1, 14, 1], [5, 1, 16])` → [1, 10, 16]. */
export function conv1dShape(xShape: readonly number[], wShape: readonly number[], opts: Conv1dOptions = {}): number[] {
  const a = convShapeArgs("conv1dShape", xShape, wShape, opts);
  return conv1dGeom(a.x, a.w, a.opts).outShape;
}

function conv1dGeom(x: Shaped, w: Shaped, opts: Conv1dOptions): { g: Conv2dGeom; outShape: number[] } {
  const { m, c, k, axes } = convSetup("conv1d", x, w, opts, 1, { x: "[m,n,c]", w: "[f,c,k]" });
  const a = axes[0]!;
  const g: Conv2dGeom = {
    m, h: 1, w: a.n, c, k, fh: 1, fw: a.f, sh: 1, sw: a.s, dh: 1, dw: a.d, padTop: 0, padLeft: a.before, oh: 1, ow: a.out,
  };
  return { g, outShape: [m, a.out, k] };
}
