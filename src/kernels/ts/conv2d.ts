// The TypeScript reference conv2d kernels: the 3-D im2col + GEMM kernels (conv3d.ts) at depth 1.
// conv1d runs through these too, with h = fh = 1.
import type { TypedArray } from "../../tensor/tensor.js";
import type { Conv2dGeom, Conv3dGeom, Epilogue } from "../types.js";
import { conv3d, conv3dGradFilter, conv3dGradInput } from "./conv3d.js";

/** A 2-D geometry as the 3-D one with d = fd = od = 1. */
export function depth1(g: Conv2dGeom): Conv3dGeom {
  return {
    m: g.m, d: 1, h: g.h, w: g.w, c: g.c, k: g.k, fd: 1, fh: g.fh, fw: g.fw, sd: 1, sh: g.sh, sw: g.sw,
    dd: 1, dh: g.dh, dw: g.dw, padFront: 0, padTop: g.padTop, padLeft: g.padLeft, od: 1, oh: g.oh, ow: g.ow,
  };
}

/** y[m, oh, ow, k] = x[m, h, w, c] ⋆ filter[fh, fw, c, k] (cross-correlation), then the epilogue. */
export function conv2d(x: TypedArray, filter: TypedArray, y: TypedArray, g: Conv2dGeom, ep?: Epilogue): void {
  conv3d(x, filter, y, depth1(g), ep);
}

/** dx[m, h, w, c] = ∂L/∂x from dy[m, oh, ow, k] and the filter. */
export function conv2dGradInput(dy: TypedArray, filter: TypedArray, dx: TypedArray, g: Conv2dGeom): void {
  conv3dGradInput(dy, filter, dx, depth1(g));
}

/** dFilter[fh, fw, c, k] = ∂L/∂filter from x and dy. */
export function conv2dGradFilter(x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: Conv2dGeom): void {
  conv3dGradFilter(x, dy, dFilter, depth1(g));
}
