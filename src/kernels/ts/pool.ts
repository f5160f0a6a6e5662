// The TypeScript reference pooling kernels over x [m, h, w, c] → y [m, oh, ow, c]. Windows are
// clipped to the input: padded positions never win a max nor count in an average.
import type { TypedArray } from "../../tensor/tensor.js";
import type { Pool2dGeom } from "../types.js";

/**
 * Calls `visit(yOffset, y0, y1, x0, x1)` for every output position with its window clipped to
 * the input (rows y0 ≤ iy < y1, columns x0 ≤ ix < x1) and yOffset at channel 0 of y.
 */
function forEachWindow(g: Pool2dGeom, visit: (b: number, yo: number, y0: number, y1: number, x0: number, x1: number) => void): void {
  const { m, h, w, c, fh, fw, sh, sw, padTop, padLeft, oh, ow } = g;
  for (let b = 0; b < m; b++)
    for (let oy = 0; oy < oh; oy++) {
      const ys = oy * sh - padTop;
      const y0 = Math.max(ys, 0), y1 = Math.min(ys + fh, h);
      for (let ox = 0; ox < ow; ox++) {
        const xs = ox * sw - padLeft;
        visit(b, ((b * oh + oy) * ow + ox) * c, y0, y1, Math.max(xs, 0), Math.min(xs + fw, w));
      }
    }
}

/** y = max over each window (the first maximum wins ties; NaN propagates); argmax (unless null) gets its flat x index. */
export function maxPool2d(x: TypedArray, y: TypedArray, argmax: Int32Array | null, g: Pool2dGeom): void {
  const { h, w, c } = g;
  forEachWindow(g, (b, yo, y0, y1, x0, x1) => {
    let first = true;
    for (let iy = y0; iy < y1; iy++)
      for (let ix = x0; ix < x1; ix++) {
        const xo = ((b * h + iy) * w + ix) * c;
        if (first) {
          for (let ci = 0; ci < c; ci++) {
            y[yo + ci] = x[xo + ci]!;
            if (argmax) argmax[yo + ci] = xo + ci;
          }
          first = false;
          continue;
        }
        for (let ci = 0; ci < c; ci++) {
          const v = x[xo + ci]!, best = y[yo + ci]!;
          if (v > best || (v !== v && best === best)) {
            y[yo + ci] = v;
            if (argmax) argmax[yo + ci] = xo + ci;
          }
        }
      }
  });
}

/** dx = dy routed to each window's recorded maximum (summed where windows overlap). */
export function maxPool2dGrad(dy: TypedArray, argmax: Int32Array, dx: TypedArray, _g: Pool2dGeom): void {
  dx.fill(0);
  for (let i = 0; i < dy.length; i++) dx[argmax[i]!]! += dy[i]!;
}

/** The same gradient from x: the forward's argmax recomputed, then maxPool2dGrad. */
export function maxPool2dGradX(x: TypedArray, dy: TypedArray, dx: TypedArray, g: Pool2dGeom): void {
  const argmax = new Int32Array(dy.length);
  maxPool2d(x, x instanceof Float64Array ? new Float64Array(dy.length) : new Float32Array(dy.length), argmax, g);
  maxPool2dGrad(dy, argmax, dx, g);
}

/** y = max over each window and code = each first maximum's position in its clipped window (row by row). */
export function maxPool2dCode(x: TypedArray, y: TypedArray, code: Uint8Array, g: Pool2dGeom): void {
  const { h, w, c } = g;
  forEachWindow(g, (b, yo, y0, y1, x0, x1) => {
    let k = 0;
    for (let iy = y0; iy < y1; iy++)
      for (let ix = x0; ix < x1; ix++, k++) {
        const xo = ((b * h + iy) * w + ix) * c;
        for (let ci = 0; ci < c; ci++) {
          const v = x[xo + ci]!, best = y[yo + ci]!;
          if (k === 0 || v > best || (v !== v && best === best)) {
            y[yo + ci] = v;
            code[yo + ci] = k;
          }
        }
      }
  });
}

/** dx = dy routed by the codes, summed in output order where windows overlap (maxPool2dGrad's order). */
export function maxPool2dGradCode(code: Uint8Array, dy: TypedArray, dx: TypedArray, g: Pool2dGeom): void {
  const { h, w, c } = g;
  dx.fill(0);
  forEachWindow(g, (b, yo, y0, _y1, x0, x1) => {
    const ww = x1 - x0;
    for (let ci = 0; ci < c; ci++) {
      const k = code[yo + ci]!;
      const iy = y0 + Math.floor(k / ww), ix = x0 + (k % ww);
      dx[((b * h + iy) * w + ix) * c + ci]! += dy[yo + ci]!;
    }
  });
}

/** y = mean over the valid (unpadded) positions of each window. */
export function avgPool2d(x: TypedArray, y: TypedArray, g: Pool2dGeom): void {
  const { h, w, c } = g;
  forEachWindow(g, (b, yo, y0, y1, x0, x1) => {
    for (let ci = 0; ci < c; ci++) y[yo + ci] = 0;
    for (let iy = y0; iy < y1; iy++)
      for (let ix = x0; ix < x1; ix++) {
        const xo = ((b * h + iy) * w + ix) * c;
        for (let ci = 0; ci < c; ci++) y[yo + ci]! += x[xo + ci]!;
      }
    const inv = 1 / ((y1 - y0) * (x1 - x0));
    for (let ci = 0; ci < c; ci++) y[yo + ci]! *= inv;
  });
}

/** dx = each window's dy spread evenly over its valid positions. */
export function avgPool2dGrad(dy: TypedArray, dx: TypedArray, g: Pool2dGeom): void {
  const { h, w, c } = g;
  dx.fill(0);
  forEachWindow(g, (b, yo, y0, y1, x0, x1) => {
    const inv = 1 / ((y1 - y0) * (x1 - x0));
    for (let iy = y0; iy < y1; iy++)
      for (let ix = x0; ix < x1; ix++) {
        const xo = ((b * h + iy) * w + ix) * c;
        for (let ci = 0; ci < c; ci++) dx[xo + ci]! += dy[yo + ci]! * inv;
      }
  });
}
