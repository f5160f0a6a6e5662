// conv2dTranspose ("deconvolution"): the adjoint of conv2d, which upsamples. Its forward is
// conv2d's input-gradient kernel, its input gradient is conv2d's forward kernel.
import type { DType, Tensor } from "../tensor/tensor.js";
import type { Conv2dGeom } from "../kernels/types.js";
import { kernel } from "../kernels/index.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { checkBias, checkConvShapes, convArgs, convShapeArgs, convSteps, runConv, type ConvKernels, type ConvActivation } from "./conv.js";
import { axisTuple, explicitPadding, type Padding, type Shaped } from "./padding.js";

export interface Conv2dTransposeOptions extends ConvActivation {
  /** s, or [sH, sW] (default 1): the upsampling factor. */
  stride?: number | readonly [number, number];
  /**
   * "valid" (default: output (n − 1)·s + f_eff), "same" (TensorFlow: output n·s), or p / [pH, pW]
   * cropped from each side of the "valid" output ((n − 1)·s + f_eff − 2p, PyTorch's padding).
   */
  padding?: Padding<readonly [number, number]>;
  /** d, or [dH, dW] (default 1). */
  dilation?: number | readonly [number, number];
  /**
   * op, or [opH, opW] (default 0): extra rows/columns at the bottom/right of the output, PyTorch's
   * `output_padding` (each < max(s, d); with "valid" or explicit padding only). It picks among the
   * input sizes that a strided conv2d maps to the same output: out = (n − 1)·s + f_eff − 2p + op.
   */
  outputPadding?: number | readonly [number, number];
  /** b [nC_out]. */
  bias?: Tensor;
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
  return runConv("conv2dTranspose", transposeKernels, x, w, o.bias, g, outShape, o);
}

/** conv2dTranspose's shape rule (checked, computes nothing): `([1,7,7,16], [3,3,8,16], { stride: 2, padding: "same" })` → [1,14,14,8]. */
export function conv2dTransposeShape(xShape: readonly number[], wShape: readonly number[], opts: Conv2dTransposeOptions = {}): number[] {
  const a = convShapeArgs("conv2dTransposeShape", xShape, wShape, opts);
  return transposeGeom(a.x, a.w, a.opts).outShape;
}

/** One spatial axis of a transposed convolution: rows cropped from the full output (n − 1)·s + f_eff before and after, rows added after it (output padding), the output size. */
export interface TransposeAxis {
  before: number;
  after: number;
  outputPadding: number;
  out: number;
}

/**
 * The geometry of each spatial axis of a transposed convolution of sizes n with filter f (what
 * the ONNX and PyTorch exporters write): "same" crops max(f_eff − s, 0) (the odd row after) and,
 * when f_eff < s, adds s − f_eff rows of output padding, so that out = n·s.
 */
export function transposeAxes(op: string, n: readonly number[], f: readonly number[], opts: Pick<Conv2dTransposeOptions, "stride" | "dilation" | "padding" | "outputPadding">): TransposeAxis[] {
  const nd = n.length;
  const s = axisTuple(op, "stride", opts.stride as number | number[] | undefined, nd, 1);
  const d = axisTuple(op, "dilation", opts.dilation as number | number[] | undefined, nd, 1);
  const padding = opts.padding ?? "valid";
  const pad = explicitPadding(op, padding, nd) ?? new Array<number>(nd).fill(0);
  const extra = axisTuple(op, "outputPadding", opts.outputPadding as number | number[] | undefined, nd, 0, 0);
  if (padding === "same" && extra.some((e) => e > 0))
    throw new ValueError(`${op}: outputPadding ${JSON.stringify(opts.outputPadding)} needs "valid" or explicit padding (with "same" the output is n·s)`);
  extra.forEach((e, i) => {
    if (e >= Math.max(s[i]!, d[i]!)) throw new ValueError(`${op}: outputPadding must be smaller than the stride or the dilation (PyTorch's rule), got ${e} with stride ${s[i]} and dilation ${d[i]}`);
  });
  return n.map((ni, i) => {
    const fEff = (f[i]! - 1) * d[i]! + 1;
    if (padding === "same") {
      const total = fEff - s[i]!;
      const before = Math.floor(Math.max(total, 0) / 2);
      return { before, after: Math.max(total, 0) - before, outputPadding: Math.max(-total, 0), out: ni * s[i]! };
    }
    return { before: pad[i]!, after: pad[i]!, outputPadding: extra[i]!, out: (ni - 1) * s[i]! + fEff - 2 * pad[i]! + extra[i]! };
  });
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
  const axes = transposeAxes(op, [h, wd], [fh, fw], opts);
  // output sizes, and the padding before of the transposed conv2d
  const out = axes.map((a) => a.out);
  const before = axes.map((a) => a.before);
  if (out.some((o) => o < 1))
    throw new ShapeError(`${op}: padding ${JSON.stringify(padding)} leaves no output (${out.join("×")}) ${shapes}`);
  checkBias(op, opts.bias, cOut);
  const g: Conv2dGeom = {
    m, h: out[0]!, w: out[1]!, c: cOut, k: cIn, fh, fw, sh: s[0]!, sw: s[1]!, dh: d[0]!, dw: d[1]!,
    padTop: before[0]!, padLeft: before[1]!, oh: h, ow: wd,
  };
  return { g, outShape: [m, out[0]!, out[1]!, cOut] };
}
