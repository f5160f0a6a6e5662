// The TypeScript reference convolution: im2col + GEMM over a 3-D geometry (conv2d is depth 1,
// conv1d is also height 1). Loops only: the ops validate and allocate. The im2col panel is stored
// transposed, [K × rc] with K = fd·fh·fw·c taps and rc output positions, so every GEMM's inner
// loop runs along the long output-position axis; positions are processed in chunks that keep the
// panel cache-sized. Padded positions are skipped (written as 0 / never scattered), not read.
import type { DType, TypedArray } from "../../tensor/tensor.js";
import type { Conv3dGeom, Epilogue } from "../types.js";
import { applyEpilogue } from "./epilogue.js";
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
 * The output positions of one chunk, cut into runs along one output row (fixed b, oz, oy): run q
 * covers chunk columns start[q] .. start[q] + len[q] with ox from ox0[q]; `zyBase[q]` is the flat
 * offset of input (b, oz·sd − padFront, oy·sh − padTop, 0, 0), `z0`/`y0` those two coordinates.
 */
interface Runs {
  count: number;
  start: Int32Array;
  len: Int32Array;
  ox0: Int32Array;
  z0: Int32Array;
  y0: Int32Array;
  zyBase: Int32Array;
}

function runsFor(rcMax: number, ow: number): Runs {
  const n = Math.ceil(rcMax / ow) + 1;
  const a = (): Int32Array => new Int32Array(n);
  return { count: 0, start: a(), len: a(), ox0: a(), z0: a(), y0: a(), zyBase: a() };
}

/** Fills `runs` for the flat output positions r0 .. r0+rc (over b, oz, oy, ox). */
function fillRuns(g: Conv3dGeom, r0: number, rc: number, runs: Runs): void {
  const { d, h, w, c, od, oh, ow, sd, sh, padFront, padTop } = g;
  let q = 0;
  for (let r = 0; r < rc; q++) {
    const flat = r0 + r;
    const ox = flat % ow;
    let t = (flat - ox) / ow;
    const oy = t % oh;
    t = (t - oy) / oh;
    const oz = t % od;
    const b = (t - oz) / od;
    const len = Math.min(ow - ox, rc - r);
    const z = oz * sd - padFront, y = oy * sh - padTop;
    runs.start[q] = r;
    runs.len[q] = len;
    runs.ox0[q] = ox;
    runs.z0[q] = z;
    runs.y0[q] = y;
    runs.zyBase[q] = ((b * d + z) * h + y) * w * c;
    r += len;
  }
  runs.count = q;
}

/** First output column whose tap column ox·sw − padLeft + tx is ≥ 0, and first one past the input. */
function validColumns(g: Conv3dGeom, tx: number): [number, number] {
  const lo = Math.max(0, Math.ceil((g.padLeft - tx) / g.sw));
  const hi = Math.max(lo, Math.ceil((g.w + g.padLeft - tx) / g.sw));
  return [lo, hi];
}

/**
 * im2col (`back` false): col[K × rc] ← the receptive fields of the chunk's positions, 0 where
 * padded. col2im (`back` true): x += the columns of col scattered back to their input positions.
 */
function im2col(x: TypedArray, g: Conv3dGeom, rc: number, runs: Runs, col: TypedArray, back: boolean): void {
  const { d, h, w, c, fd, fh, fw, dd, dh, dw, sw, padLeft } = g;
  const { count, start, len, ox0, z0, y0, zyBase } = runs;
  const step = sw * c;
  let row = 0; // first of the tap's c rows
  for (let i = 0; i < fd; i++)
    for (let j = 0; j < fh; j++)
      for (let l = 0; l < fw; l++, row += c * rc) {
        const tz = i * dd, ty = j * dh, tx = l * dw;
        const [lo, hi] = validColumns(g, tx);
        const tapOff = (tz * h + ty) * w * c + (tx - padLeft) * c;
        for (let q = 0; q < count; q++) {
          const o = row + start[q]!, a = ox0[q]!, e = a + len[q]!;
          const z = z0[q]! + tz, y = y0[q]! + ty;
          const rowsInside = z >= 0 && z < d && y >= 0 && y < h;
          const from = rowsInside ? Math.min(Math.max(lo, a), e) : e, to = rowsInside ? Math.max(Math.min(hi, e), from) : e;
          if (!back)
            for (let ci = 0, oc = o; ci < c; ci++, oc += rc) {
              if (from > a) col.fill(0, oc, oc + from - a);
              if (to < e) col.fill(0, oc + to - a, oc + e - a);
            }
          if (from === to) continue;
          let xo = zyBase[q]! + tapOff + from * step;
          const p0 = o + from - a, pe = o + to - a;
          if (back) {
            if (c === 1) for (let p = p0; p < pe; p++, xo += step) x[xo]! += col[p]!;
            else for (let p = p0; p < pe; p++, xo += step) for (let ci = 0, oc = p; ci < c; ci++, oc += rc) x[xo + ci]! += col[oc]!;
          } else if (c === 1) for (let p = p0; p < pe; p++, xo += step) col[p] = x[xo]!;
          else for (let p = p0; p < pe; p++, xo += step) for (let ci = 0, oc = p; ci < c; ci++, oc += rc) col[oc] = x[xo + ci]!;
        }
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

/**
 * Walks the output positions in chunks: per chunk, `step(r0, rc, runs, col, kT)` with the chunk's
 * runs filled, an im2col panel `col` [K × rc] and a [k × rc] panel `kT` (scratch of `like`'s type).
 */
function byChunks(g: Conv3dGeom, like0: TypedArray, step: (r0: number, rc: number, runs: Runs, col: TypedArray, kT: TypedArray) => void): void {
  const { R, K } = sizes(g);
  const rcMax = chunkRows(R, K);
  const col = like(like0, K * rcMax), kT = like(like0, g.k * rcMax), runs = runsFor(rcMax, g.ow);
  for (let r0 = 0; r0 < R; r0 += rcMax) {
    const rc = Math.min(rcMax, R - r0);
    fillRuns(g, r0, rc, runs);
    step(r0, rc, runs, col, kT);
  }
}

/** y[m, od, oh, ow, k] = x ⋆ filter[fd, fh, fw, c, k] (cross-correlation), then the epilogue (bias, activation). */
export function conv3d(x: TypedArray, filter: TypedArray, y: TypedArray, g: Conv3dGeom, ep?: Epilogue): void {
  const { R, K } = sizes(g), k = g.k;
  const gemm = kernel("gemm", dtypeOf(y));
  if (isPointwise(g)) gemm(x, filter, y, { m: R, n: k, k: K });
  else
    byChunks(g, y, (r0, rc, runs, col, yT) => {
      im2col(x, g, rc, runs, col, false);
      gemm(filter, col, yT, { m: k, n: rc, k: K, transA: true }); // yT = filterᵀ · col
      untransposeRows(yT, r0, rc, k, y);
    });
  applyEpilogue(y, k, ep);
}

/** dx[m, d, h, w, c] = ∂L/∂x from dy[m, od, oh, ow, k] and the filter (GEMM, then col2im). */
export function conv3dGradInput(dy: TypedArray, filter: TypedArray, dx: TypedArray, g: Conv3dGeom): void {
  const { R, K } = sizes(g), k = g.k;
  const gemm = kernel("gemm", dtypeOf(dx));
  if (isPointwise(g)) return gemm(dy, filter, dx, { m: R, n: K, k, transB: true });
  dx.fill(0);
  byChunks(g, dx, (r0, rc, runs, col, dyT) => {
    transposeRows(dy, r0, rc, k, dyT);
    gemm(filter, dyT, col, { m: K, n: rc, k }); // col = filter · dyT
    im2col(dx, g, rc, runs, col, true); // col2im
  });
}

/** dFilter[fd, fh, fw, c, k] = ∂L/∂filter from x and dy (im2col, then GEMM accumulated over chunks). */
export function conv3dGradFilter(x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: Conv3dGeom): void {
  const { R, K } = sizes(g), k = g.k;
  const gemm = kernel("gemm", dtypeOf(dFilter));
  if (isPointwise(g)) return gemm(x, dy, dFilter, { m: K, n: k, k: R, transA: true });
  dFilter.fill(0);
  byChunks(g, dFilter, (r0, rc, runs, col, dyT) => {
    im2col(x, g, rc, runs, col, false);
    transposeRows(dy, r0, rc, k, dyT);
    gemm(col, dyT, dFilter, { m: K, n: k, k: rc, transB: true, accumulate: true }); // += col · dyTᵀ
  });
}
