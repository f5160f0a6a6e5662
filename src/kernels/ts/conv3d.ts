// The TypeScript reference convolution: im2col + GEMM over a 3-D geometry (conv2d is depth 1,
// conv1d is also height 1). Loops only: the ops validate and allocate. The im2col panel is stored
// transposed, [K × rc] with K = fd·fh·fw·c taps and rc output positions, so every GEMM's inner
// loop runs along the long output-position axis; positions are processed in chunks that keep the
// panel cache-sized. Padded positions are skipped (written as 0 / never scattered), not read.
import type { DType, TypedArray } from "../../tensor/tensor.js";
import type { Conv3dGeom } from "../types.js";
import { kernel } from "../index.js";

/** Elements of one im2col panel (512 KiB of float32). */
const PANEL_ELEMENTS = 1 << 17;

function dtypeOf(a: TypedArray): DType {
  return a instanceof Float64Array ? "float64" : "float32";
}

function like(a: TypedArray, n: number): TypedArray {
  return a instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** Output positions per chunk: enough for long inner loops, few enough for a cache-sized panel. */
function chunkRows(rows: number, taps: number): number {
  return Math.max(1, Math.min(rows, Math.max(64, Math.floor(PANEL_ELEMENTS / Math.max(taps, 1)))));
}

/**
 * Scratch for one chunk of output positions: per position, the first input coordinate of its
 * window on each axis (may be negative: padding) and the flat offset of that corner.
 */
interface Positions {
  z0: Int32Array;
  y0: Int32Array;
  x0: Int32Array;
  base: Int32Array;
}

function positions(n: number): Positions {
  return { z0: new Int32Array(n), y0: new Int32Array(n), x0: new Int32Array(n), base: new Int32Array(n) };
}

/** Fills `p` for the flat output positions r0 .. r0+rc (over b, oz, oy, ox). */
function fillPositions(g: Conv3dGeom, r0: number, rc: number, p: Positions): void {
  const { d, h, w, c, od, oh, ow, sd, sh, sw, padFront, padTop, padLeft } = g;
  let r = r0;
  let ox = r % ow;
  let q = (r - ox) / ow;
  let oy = q % oh;
  q = (q - oy) / oh;
  let oz = q % od;
  let b = (q - oz) / od;
  for (let i = 0; i < rc; i++, r++) {
    const z = oz * sd - padFront, y = oy * sh - padTop, x = ox * sw - padLeft;
    p.z0[i] = z;
    p.y0[i] = y;
    p.x0[i] = x;
    p.base[i] = (((b * d + z) * h + y) * w + x) * c;
    if (++ox === ow) {
      ox = 0;
      if (++oy === oh) {
        oy = 0;
        if (++oz === od) {
          oz = 0;
          b++;
        }
      }
    }
  }
}

/** col[K × rc] ← the receptive fields of the chunk's positions (0 where padded). */
function im2col(x: TypedArray, g: Conv3dGeom, rc: number, p: Positions, col: TypedArray): void {
  const { d, h, w, c, fd, fh, fw, dd, dh, dw } = g;
  const { z0, y0, x0, base } = p;
  let row = 0;
  for (let i = 0; i < fd; i++)
    for (let j = 0; j < fh; j++)
      for (let l = 0; l < fw; l++) {
        const tz = i * dd, ty = j * dh, tx = l * dw;
        const tap = ((tz * h + ty) * w + tx) * c;
        for (let r = 0; r < rc; r++) {
          const z = z0[r]! + tz, y = y0[r]! + ty, xx = x0[r]! + tx;
          const inside = z >= 0 && z < d && y >= 0 && y < h && xx >= 0 && xx < w;
          const src = base[r]! + tap;
          for (let ci = 0, o = row + r; ci < c; ci++, o += rc) col[o] = inside ? x[src + ci]! : 0;
        }
        row += c * rc;
      }
}

/** dx += the columns of col[K × rc] scattered back to their input positions (col2im). */
function col2im(col: TypedArray, g: Conv3dGeom, rc: number, p: Positions, dx: TypedArray): void {
  const { d, h, w, c, fd, fh, fw, dd, dh, dw } = g;
  const { z0, y0, x0, base } = p;
  let row = 0;
  for (let i = 0; i < fd; i++)
    for (let j = 0; j < fh; j++)
      for (let l = 0; l < fw; l++) {
        const tz = i * dd, ty = j * dh, tx = l * dw;
        const tap = ((tz * h + ty) * w + tx) * c;
        for (let r = 0; r < rc; r++) {
          const z = z0[r]! + tz, y = y0[r]! + ty, xx = x0[r]! + tx;
          if (z < 0 || z >= d || y < 0 || y >= h || xx < 0 || xx >= w) continue;
          const dst = base[r]! + tap;
          for (let ci = 0, o = row + r; ci < c; ci++, o += rc) dx[dst + ci]! += col[o]!;
        }
        row += c * rc;
      }
}

/** dst[k × rc] ← src rows r0 .. r0+rc of a [rows × k] matrix, transposed. */
function transposeRows(src: TypedArray, r0: number, rc: number, k: number, dst: TypedArray): void {
  for (let r = 0; r < rc; r++) {
    const s = (r0 + r) * k;
    for (let j = 0, o = r; j < k; j++, o += rc) dst[o] = src[s + j]!;
  }
}

/** dst rows r0 .. r0+rc of a [rows × k] matrix ← src[k × rc], transposed. */
function untransposeRows(src: TypedArray, r0: number, rc: number, k: number, dst: TypedArray): void {
  for (let r = 0; r < rc; r++) {
    const s = (r0 + r) * k;
    for (let j = 0, o = r; j < k; j++, o += rc) dst[s + j] = src[o]!;
  }
}

/** A 1×1×1 filter at stride 1 without padding: x is already the im2col matrix [R × c]. */
function isPointwise(g: Conv3dGeom): boolean {
  return g.fd === 1 && g.fh === 1 && g.fw === 1 && g.sd === 1 && g.sh === 1 && g.sw === 1 &&
    g.padFront === 0 && g.padTop === 0 && g.padLeft === 0 && g.od === g.d && g.oh === g.h && g.ow === g.w;
}

function sizes(g: Conv3dGeom): { R: number; K: number } {
  return { R: g.m * g.od * g.oh * g.ow, K: g.fd * g.fh * g.fw * g.c };
}

/** y[m, od, oh, ow, k] = x ⋆ filter[fd, fh, fw, c, k] (cross-correlation, no bias). */
export function conv3d(x: TypedArray, filter: TypedArray, y: TypedArray, g: Conv3dGeom): void {
  const { R, K } = sizes(g);
  const k = g.k;
  const gemm = kernel("gemm", dtypeOf(y));
  if (isPointwise(g)) return gemm(x, filter, y, { m: R, n: k, k: K });
  const rcMax = chunkRows(R, K);
  const col = like(y, K * rcMax), yT = like(y, k * rcMax), p = positions(rcMax);
  for (let r0 = 0; r0 < R; r0 += rcMax) {
    const rc = Math.min(rcMax, R - r0);
    fillPositions(g, r0, rc, p);
    im2col(x, g, rc, p, col);
    gemm(filter, col, yT, { m: k, n: rc, k: K, transA: true }); // yT = filterᵀ · col
    untransposeRows(yT, r0, rc, k, y);
  }
}

/** dx[m, d, h, w, c] = ∂L/∂x from dy[m, od, oh, ow, k] and the filter (GEMM, then col2im). */
export function conv3dGradInput(dy: TypedArray, filter: TypedArray, dx: TypedArray, g: Conv3dGeom): void {
  const { R, K } = sizes(g);
  const k = g.k;
  const gemm = kernel("gemm", dtypeOf(dx));
  if (isPointwise(g)) return gemm(dy, filter, dx, { m: R, n: K, k, transB: true });
  dx.fill(0);
  const rcMax = chunkRows(R, K);
  const col = like(dx, K * rcMax), dyT = like(dx, k * rcMax), p = positions(rcMax);
  for (let r0 = 0; r0 < R; r0 += rcMax) {
    const rc = Math.min(rcMax, R - r0);
    fillPositions(g, r0, rc, p);
    transposeRows(dy, r0, rc, k, dyT);
    gemm(filter, dyT, col, { m: K, n: rc, k }); // col = filter · dyT
    col2im(col, g, rc, p, dx);
  }
}

/** dFilter[fd, fh, fw, c, k] = ∂L/∂filter from x and dy (im2col, then GEMM accumulated over chunks). */
export function conv3dGradFilter(x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: Conv3dGeom): void {
  const { R, K } = sizes(g);
  const k = g.k;
  const gemm = kernel("gemm", dtypeOf(dFilter));
  if (isPointwise(g)) return gemm(x, dy, dFilter, { m: K, n: k, k: R, transA: true });
  dFilter.fill(0);
  const rcMax = chunkRows(R, K);
  const col = like(dFilter, K * rcMax), dyT = like(dFilter, k * rcMax), p = positions(rcMax);
  for (let r0 = 0; r0 < R; r0 += rcMax) {
    const rc = Math.min(rcMax, R - r0);
    fillPositions(g, r0, rc, p);
    im2col(x, g, rc, p, col);
    transposeRows(dy, r0, rc, k, dyT);
    gemm(col, dyT, dFilter, { m: K, n: k, k: rc, transB: true, accumulate: true }); // += col · dyTᵀ
  }
}
