// Pooling: max and average over windows (1-D, 2-D, 3-D) and global pooling, channels-last. No
// parameters; each channel is pooled on its own. The 2-D kernels do the work: 1-D is h = 1, and
// 3-D pools height × width per depth slice, then depth (a box window is separable for both max
// and the padding-excluding average).
import { Tensor, allocate, type TypedArray } from "../tensor/tensor.js";
import { isGradEnabled, record } from "../autograd/tape.js";
import { kernel } from "../kernels/index.js";
import type { Pool2dGeom } from "../kernels/types.js";
import { mean, max } from "./reduce.js";
import { reshape } from "./layout.js";
import { checkRank, poolAxes, type AxisGeom, type Padding, type Shaped } from "./padding.js";
import { checkShape } from "../tensor/shape.js";
import { tensorArg } from "../tensor/args.js";
import { optBoolArg, optionsArg } from "../util/check.js";

type Pair = readonly [number, number];
type Triple = readonly [number, number, number];

export interface Pool2dOptions {
  /** Window f, or [fH, fW]. */
  size: number | Pair;
  /** s, or [sH, sW]; defaults to the window size. */
  stride?: number | Pair;
  /** "valid" (default), "same" (TensorFlow), p on every side or [pH, pW] (smaller than the window). */
  padding?: Padding<Pair>;
}

export interface Pool1dOptions {
  size: number;
  stride?: number;
  padding?: "valid" | "same" | number;
}

export interface Pool3dOptions {
  size: number | Triple;
  stride?: number | Triple;
  padding?: Padding<Triple>;
}

export interface GlobalPoolOptions {
  /** Keep the pooled axes: [m, 1, 1, c] instead of [m, c]. */
  keepDims?: boolean;
}

type Kind = "max" | "avg";

/** Pools x (laid out as [m, h, w, c]) with a checked geometry; recorded with its gradient. */
function pool(op: string, kind: Kind, x: Tensor, g: Pool2dGeom, outShape: readonly number[]): Tensor {
  const dtype = x.dtype;
  const y = allocate(dtype, g.m * g.oh * g.ow * g.c, op);
  const out = new Tensor(y, outShape);
  const grad = (dy: Tensor): TypedArray => (dy.dtype === dtype ? dy.data : dy.astype(dtype).data);
  if (kind === "max") {
    if (!isGradEnabled() || !x.requiresGrad) {
      kernel("maxPool2d", dtype)(x.data, y, null, g);
      return out;
    }
    if (g.fh > g.sh || g.fw > g.sw) {
      // overlapping windows: an int32 argmax per output, scattered in output order (its WASM
      // scatter beats a gather through window codes)
      const argmax = new Int32Array(y.length);
      kernel("maxPool2d", dtype)(x.data, y, argmax, g);
      return record(op, out, [x], (dy) => {
        const dx = allocate(dtype, x.size);
        kernel("maxPool2dGrad", dtype)(grad(dy), argmax, dx, g);
        return [new Tensor(dx, x.shape)];
      });
    }
    if (g.fh * g.fw <= 256) {
      // the backward needs only each maximum's position in its window: one byte per output
      const code = new Uint8Array(y.length);
      kernel("maxPool2dCode", dtype)(x.data, y, code, g);
      return record(op, out, [x], (dy) => {
        const dx = allocate(dtype, x.size);
        kernel("maxPool2dGradCode", dtype)(code, grad(dy), dx, g);
        return [new Tensor(dx, x.shape)];
      });
    }
    // larger windows keep nothing: the gradient scans x's windows again for the same maxima
    kernel("maxPool2d", dtype)(x.data, y, null, g);
    return record(op, out, [x], (dy) => {
      const dx = allocate(dtype, x.size);
      kernel("maxPool2dGradX", dtype)(x.data, grad(dy), dx, g);
      return [new Tensor(dx, x.shape)];
    });
  }
  kernel("avgPool2d", dtype)(x.data, y, g);
  return record(op, out, [x], (dy) => {
    const dx = allocate(dtype, x.size);
    kernel("avgPool2dGrad", dtype)(grad(dy), dx, g);
    return [new Tensor(dx, x.shape)];
  });
}

function geom(m: number, c: number, ah: AxisGeom, aw: AxisGeom): Pool2dGeom {
  return { m, h: ah.n, w: aw.n, c, fh: ah.f, fw: aw.f, sh: ah.s, sw: aw.s, padTop: ah.before, padLeft: aw.before, oh: ah.out, ow: aw.out };
}

/** A window of 1 along an axis of size n. */
const unit = (n: number): AxisGeom => ({ n, f: 1, fEff: 1, s: 1, d: 1, before: 0, after: 0, out: n });

function pool2dAxes(op: string, x: Shaped, opts: Pool2dOptions): [AxisGeom, AxisGeom] {
  if (!(x instanceof Tensor)) checkShape(x.shape, op, "xShape");
  checkRank(op, "x", x, 4, "[m,nH,nW,nC]");
  return poolAxes(op, x.shape.slice(1, 3), opts) as [AxisGeom, AxisGeom];
}

function pool1dAxis(op: string, x: Shaped, opts: Pool1dOptions): AxisGeom {
  if (!(x instanceof Tensor)) checkShape(x.shape, op, "xShape");
  checkRank(op, "x", x, 3, "[m,n,c]");
  return poolAxes(op, [x.shape[1]!], opts)[0]!;
}

function pool3dAxes(op: string, x: Shaped, opts: Pool3dOptions): [AxisGeom, AxisGeom, AxisGeom] {
  if (!(x instanceof Tensor)) checkShape(x.shape, op, "xShape");
  checkRank(op, "x", x, 5, "[m,d,h,w,c]");
  return poolAxes(op, x.shape.slice(1, 4), opts) as [AxisGeom, AxisGeom, AxisGeom];
}

function pool2d(op: string, kind: Kind, x: Tensor, opts: Pool2dOptions): Tensor {
  tensorArg(op, "x", x);
  const [ah, aw] = pool2dAxes(op, x, opts);
  const [m, , , c] = x.shape as [number, number, number, number];
  return pool(op, kind, x, geom(m, c, ah, aw), [m, ah.out, aw.out, c]);
}

function pool1d(op: string, kind: Kind, x: Tensor, opts: Pool1dOptions): Tensor {
  tensorArg(op, "x", x);
  const a = pool1dAxis(op, x, opts);
  const [m, , c] = x.shape as [number, number, number];
  return pool(op, kind, x, geom(m, c, unit(1), a), [m, a.out, c]);
}

function pool3d(op: string, kind: Kind, x: Tensor, opts: Pool3dOptions): Tensor {
  tensorArg(op, "x", x);
  const [ad, ah, aw] = pool3dAxes(op, x, opts);
  const [m, d, h, w, c] = x.shape as [number, number, number, number, number];
  // height × width within each depth slice, then depth over [m, d, oh·ow, c]
  const hw = pool(op, kind, reshape(x, [m * d, h, w, c]), geom(m * d, c, ah, aw), [m, d, ah.out * aw.out, c]);
  const dep = pool(op, kind, hw, geom(m, c, ad, unit(ah.out * aw.out)), [m, ad.out, ah.out * aw.out, c]);
  return reshape(dep, [m, ad.out, ah.out, aw.out, c]);
}

/** The output shape of maxPool2d/avgPool2d (checked, computes nothing): `([1,4,4,1], { size: 2 })` → [1,2,2,1]. */
export function pool2dShape(xShape: readonly number[], opts: Pool2dOptions): number[] {
  const [ah, aw] = pool2dAxes("pool2d", { shape: xShape }, opts);
  return [xShape[0]!, ah.out, aw.out, xShape[3]!];
}

/** The output shape of maxPool1d/avgPool1d (checked, computes nothing). */
export function pool1dShape(xShape: readonly number[], opts: Pool1dOptions): number[] {
  const a = pool1dAxis("pool1d", { shape: xShape }, opts);
  return [xShape[0]!, a.out, xShape[2]!];
}

/** The output shape of maxPool3d/avgPool3d (checked, computes nothing). */
export function pool3dShape(xShape: readonly number[], opts: Pool3dOptions): number[] {
  const axes = pool3dAxes("pool3d", { shape: xShape }, opts);
  return [xShape[0]!, ...axes.map((a) => a.out), xShape[4]!];
}

/**
 * Max pooling: x [m, nH, nW, nC] → [m, nH_out, nW_out, nC], the maximum of each f×f window, per
 * channel. Stride defaults to the window size. Padded positions never win. The gradient goes to
 * each window's maximum (the first one on ties).
 *
 *   cl.maxPool2d(x, { size: 2 })                // 4×4 → 2×2 (f = 2, s = 2)
 *   cl.maxPool2d(x, { size: 3, stride: 1 })     // 5×5 → 3×3
 */
export function maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  return pool2d("maxPool2d", "max", x, opts);
}

/** Average pooling, shapes as `maxPool2d`; padded positions are left out of each average. */
export function avgPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  return pool2d("avgPool2d", "avg", x, opts);
}

/** 1-D max pooling: x [m, n, c] → [m, n_out, c]. */
export function maxPool1d(x: Tensor, opts: Pool1dOptions): Tensor {
  return pool1d("maxPool1d", "max", x, opts);
}

/** 1-D average pooling: x [m, n, c] → [m, n_out, c] (padded positions left out). */
export function avgPool1d(x: Tensor, opts: Pool1dOptions): Tensor {
  return pool1d("avgPool1d", "avg", x, opts);
}

/** 3-D max pooling: x [m, d, h, w, c] → [m, d_out, h_out, w_out, c]. */
export function maxPool3d(x: Tensor, opts: Pool3dOptions): Tensor {
  return pool3d("maxPool3d", "max", x, opts);
}

/** 3-D average pooling: x [m, d, h, w, c] → [m, d_out, h_out, w_out, c] (padded positions left out). */
export function avgPool3d(x: Tensor, opts: Pool3dOptions): Tensor {
  return pool3d("avgPool3d", "avg", x, opts);
}

/**
 * Global average pooling: the mean of each channel over all positions, x [m, nH, nW, nC] → [m, nC]
 * ([m, 1, 1, nC] with keepDims). E.g. 7×7×1000 → 1×1×1000.
 */
export function globalAvgPool2d(x: Tensor, opts: GlobalPoolOptions = {}): Tensor {
  checkRank("globalAvgPool2d", "x", tensorArg("globalAvgPool2d", "x", x), 4, "[m,nH,nW,nC]");
  return mean(x, [1, 2], optBoolArg("globalAvgPool2d", "opts.keepDims", optionsArg("globalAvgPool2d", opts).keepDims) ?? false);
}

/** Global max pooling: the maximum of each channel, x [m, nH, nW, nC] → [m, nC] ([m, 1, 1, nC] with keepDims). */
export function globalMaxPool2d(x: Tensor, opts: GlobalPoolOptions = {}): Tensor {
  checkRank("globalMaxPool2d", "x", tensorArg("globalMaxPool2d", "x", x), 4, "[m,nH,nW,nC]");
  return max(x, [1, 2], optBoolArg("globalMaxPool2d", "opts.keepDims", optionsArg("globalMaxPool2d", opts).keepDims) ?? false);
}
