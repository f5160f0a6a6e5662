// The TypeScript reference depthwise conv2d kernels: direct loops (each output channel reads one
// input channel, so there is no GEMM to form). Padded positions are skipped.
import type { TypedArray } from "../../tensor/tensor.js";
import type { DepthwiseGeom, Epilogue } from "../types.js";
import { applyEpilogue } from "./epilogue.js";

/**
 * Calls `visit(xOffset, yOffset, filterOffset)` for every (output position, filter tap) pair whose
 * input position lies inside x: xOffset at channel 0 of x, yOffset at channel 0 of y,
 * filterOffset at [i, j, 0, 0] of the filter. One closure call per pair, the channel loop inside.
 */
function forEachTap(g: DepthwiseGeom, visit: (xo: number, yo: number, fo: number) => void): void {
  const { m, h, w, c, fh, fw, sh, sw, dh, dw, padTop, padLeft, oh, ow } = g;
  const k = c * g.mult;
  for (let b = 0; b < m; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++) {
        const yo = ((b * oh + oy) * ow + ox) * k;
        for (let i = 0; i < fh; i++) {
          const iy = oy * sh - padTop + i * dh;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < fw; j++) {
            const ix = ox * sw - padLeft + j * dw;
            if (ix < 0 || ix >= w) continue;
            visit(((b * h + iy) * w + ix) * c, yo, (i * fw + j) * k);
          }
        }
      }
}

/** y[m, oh, ow, c·mult] = depthwise x[m, h, w, c] ⋆ filter[fh, fw, c, mult], then the epilogue; y is overwritten. */
export function depthwise(x: TypedArray, filter: TypedArray, y: TypedArray, g: DepthwiseGeom, ep?: Epilogue): void {
  const { c, mult } = g;
  y.fill(0);
  forEachTap(g, (xo, yo, fo) => {
    for (let ci = 0, q = 0; ci < c; ci++) {
      const v = x[xo + ci]!;
      for (let j = 0; j < mult; j++, q++) y[yo + q]! += v * filter[fo + q]!;
    }
  });
  applyEpilogue(y, c * mult, ep);
}

/** dx[m, h, w, c] = ∂L/∂x from dy and the filter; dx is overwritten. */
export function depthwiseGradInput(dy: TypedArray, filter: TypedArray, dx: TypedArray, g: DepthwiseGeom): void {
  const { c, mult } = g;
  dx.fill(0);
  forEachTap(g, (xo, yo, fo) => {
    for (let ci = 0, q = 0; ci < c; ci++) {
      let s = 0;
      for (let j = 0; j < mult; j++, q++) s += dy[yo + q]! * filter[fo + q]!;
      dx[xo + ci]! += s;
    }
  });
}

/** dFilter[fh, fw, c, mult] = ∂L/∂filter from x and dy; dFilter is overwritten. */
export function depthwiseGradFilter(x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: DepthwiseGeom): void {
  const { c, mult } = g;
  dFilter.fill(0);
  forEachTap(g, (xo, yo, fo) => {
    for (let ci = 0, q = 0; ci < c; ci++) {
      const v = x[xo + ci]!;
      for (let j = 0; j < mult; j++, q++) dFilter[fo + q]! += v * dy[yo + q]!;
    }
  });
}
