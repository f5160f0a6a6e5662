// Max/avg pooling on the WASM kernels (see assembly/pool.ts).
import type { TypedArray } from "../../tensor/tensor.js";
import type { Pool2dGeom } from "../types.js";
import * as L from "./layout.js";
import type { WasmEngine } from "./engine.js";

/** One pooling call: `src` (x, or dy for a gradient) in, `out` (y, or dx) back. */
interface PoolCall {
  job: number;
  grad: boolean;
  src: TypedArray;
  out: TypedArray;
  /** argmax to read (max gradient) or to fill (max forward). */
  argIn?: Int32Array;
  argOut?: Int32Array;
  /** x for the max gradient without an argmax (its windows are scanned again). */
  xIn?: TypedArray;
  /** Window codes to read (max gradient) or to fill (max forward). */
  codeIn?: Uint8Array;
  codeOut?: Uint8Array;
  /** Task units: output rows (forward), input rows (avg gradient) or images (max gradient). */
  units: number;
  perTask: number;
  work: number;
}

function pool(eng: WasmEngine, g: Pool2dGeom, c: PoolCall): void {
  eng.reset();
  const nx = g.m * g.h * g.w * g.c, ny = g.m * g.oh * g.ow * g.c;
  const [nSrc, nOut] = c.grad ? [ny, nx] : [nx, ny];
  const srcAt = eng.put(c.src, 0, nSrc);
  const xAt = c.xIn ? eng.put(c.xIn, 0, nx) : 0;
  const codeAt = c.codeIn || c.codeOut ? eng.alloc(ny) : 0;
  if (c.codeIn) new Uint8Array(eng.f32.buffer, codeAt, ny).set(c.codeIn.subarray(0, ny));
  const argAt = c.argIn || c.argOut ? eng.alloc(ny * 4) : 0;
  if (c.argIn) eng.i32.set(c.argIn.subarray(0, ny), argAt >> 2);
  const outAt = eng.alloc(nOut * 4);
  const w = new Array<number>(L.PL_WORDS).fill(0);
  w[L.PL_M] = g.m; w[L.PL_H] = g.h; w[L.PL_W] = g.w; w[L.PL_C] = g.c;
  w[L.PL_FH] = g.fh; w[L.PL_FW] = g.fw; w[L.PL_SH] = g.sh; w[L.PL_SW] = g.sw;
  w[L.PL_PT] = g.padTop; w[L.PL_PL] = g.padLeft; w[L.PL_OH] = g.oh; w[L.PL_OW] = g.ow;
  w[L.PL_X] = c.grad ? outAt : srcAt;
  w[L.PL_Y] = c.grad ? srcAt : outAt;
  w[L.PL_ARG] = argAt;
  w[L.PL_ROWS_PER_TASK] = c.perTask;
  w[L.PL_XSRC] = xAt;
  w[L.PL_CODE] = codeAt;
  eng.dispatch(c.job, Math.ceil(c.units / c.perTask), eng.ints(w), c.work);
  c.out.set(eng.f32.subarray(outAt >> 2, (outAt >> 2) + nOut));
  if (c.argOut) c.argOut.set(eng.i32.subarray(argAt >> 2, (argAt >> 2) + ny));
  if (c.codeOut) c.codeOut.set(new Uint8Array(eng.f32.buffer, codeAt, ny));
}

/** Rows per task for ~8 tasks per thread. */
const rowsPer = (eng: WasmEngine, rows: number): number => Math.max(1, Math.ceil(rows / (eng.executor.threads * 8)));

/** y = the max of each window; argmax, when given, gets each maximum's flat index into x. */
export function maxPool2d(eng: WasmEngine, x: TypedArray, y: TypedArray, argmax: Int32Array | null, g: Pool2dGeom): void {
  const rows = g.m * g.oh;
  pool(eng, g, { job: L.JOB_MAXPOOL, grad: false, src: x, out: y, ...(argmax ? { argOut: argmax } : {}), units: rows, perTask: rowsPer(eng, rows), work: y.length * g.fh * g.fw * 4 });
}

/** One image per task: the scatter into an image's dx is then in output order, as in the reference. */
export function maxPool2dGrad(eng: WasmEngine, dy: TypedArray, argmax: Int32Array, dx: TypedArray, g: Pool2dGeom): void {
  pool(eng, g, { job: L.JOB_MAXPOOL_GRAD, grad: true, src: dy, out: dx, argIn: argmax, units: g.m, perTask: 1, work: dx.length + dy.length * 4 });
}

/**
 * The max gradient from x: each window's maximum found again (the forward's scan). Windows that do
 * not overlap: tasks are output rows, each writing its own rows of dx; overlapping ones: images
 * (the scatter into an image's dx in output order, as in the reference).
 */
export function maxPool2dGradX(eng: WasmEngine, x: TypedArray, dy: TypedArray, dx: TypedArray, g: Pool2dGeom): void {
  const overlap = g.fh > g.sh || g.fw > g.sw;
  const units = overlap ? g.m : g.m * g.oh;
  pool(eng, g, { job: L.JOB_MAXPOOL_GRAD, grad: true, src: dy, out: dx, xIn: x, units, perTask: overlap ? 1 : rowsPer(eng, units), work: dx.length * 2 + dy.length * g.fh * g.fw * 4 });
}

/** y = the max of each window, code = each maximum's position in its window (2×2 stride 2: the direct path). */
export function maxPool2dCode(eng: WasmEngine, x: TypedArray, y: TypedArray, code: Uint8Array, g: Pool2dGeom): void {
  const rows = g.m * g.oh;
  pool(eng, g, { job: L.JOB_MAXPOOL, grad: false, src: x, out: y, codeOut: code, units: rows, perTask: rowsPer(eng, rows), work: y.length * g.fh * g.fw * 4 });
}

/**
 * The max gradient from the window codes: output rows per task where windows do not overlap,
 * input rows (each dx pixel gathering its windows in output order) where they do.
 */
export function maxPool2dGradCode(eng: WasmEngine, code: Uint8Array, dy: TypedArray, dx: TypedArray, g: Pool2dGeom): void {
  const overlap = g.fh > g.sh || g.fw > g.sw;
  const units = overlap ? g.m * g.h : g.m * g.oh;
  pool(eng, g, { job: L.JOB_MAXPOOL_GRAD, grad: true, src: dy, out: dx, codeIn: code, units, perTask: rowsPer(eng, units), work: dx.length * 2 + dy.length * g.fh * g.fw * 2 });
}

export function avgPool2d(eng: WasmEngine, x: TypedArray, y: TypedArray, g: Pool2dGeom): void {
  const rows = g.m * g.oh;
  pool(eng, g, { job: L.JOB_AVGPOOL, grad: false, src: x, out: y, units: rows, perTask: rowsPer(eng, rows), work: y.length * g.fh * g.fw * 2 });
}

export function avgPool2dGrad(eng: WasmEngine, dy: TypedArray, dx: TypedArray, g: Pool2dGeom): void {
  const rows = g.m * g.h;
  pool(eng, g, { job: L.JOB_AVGPOOL_GRAD, grad: true, src: dy, out: dx, units: rows, perTask: rowsPer(eng, rows), work: dx.length * 8 });
}
