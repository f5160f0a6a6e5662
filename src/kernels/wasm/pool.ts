// Max/avg pooling on the WASM kernels (see assembly/pool.ts).
import type { TypedArray } from "../../tensor/tensor.js";
import type { Pool2dGeom } from "../types.js";
import * as L from "./layout.js";
import type { WasmEngine } from "./engine.js";

function params(eng: WasmEngine, g: Pool2dGeom, x: number, y: number, arg: number, rows: number): number {
  const w = new Array<number>(L.PL_WORDS).fill(0);
  w[L.PL_M] = g.m; w[L.PL_H] = g.h; w[L.PL_W] = g.w; w[L.PL_C] = g.c;
  w[L.PL_FH] = g.fh; w[L.PL_FW] = g.fw; w[L.PL_SH] = g.sh; w[L.PL_SW] = g.sw;
  w[L.PL_PT] = g.padTop; w[L.PL_PL] = g.padLeft; w[L.PL_OH] = g.oh; w[L.PL_OW] = g.ow;
  w[L.PL_X] = x; w[L.PL_Y] = y; w[L.PL_ARG] = arg;
  w[L.PL_ROWS_PER_TASK] = Math.max(1, Math.ceil(rows / (eng.executor.threads * 8)));
  return eng.ints(w);
}

function run(eng: WasmEngine, job: number, p: number, rows: number, work: number): void {
  const per = eng.i32[(p >> 2) + L.PL_ROWS_PER_TASK]!;
  eng.dispatch(job, Math.ceil(rows / per), p, work);
}

export function maxPool2d(eng: WasmEngine, x: TypedArray, y: TypedArray, argmax: Int32Array, g: Pool2dGeom): void {
  eng.reset();
  const nx = g.m * g.h * g.w * g.c, ny = g.m * g.oh * g.ow * g.c;
  const xAt = eng.put(x, 0, nx), yAt = eng.alloc(ny * 4), aAt = eng.alloc(ny * 4);
  const rows = g.m * g.oh;
  run(eng, L.JOB_MAXPOOL, params(eng, g, xAt, yAt, aAt, rows), rows, ny * g.fh * g.fw * 4);
  y.set(eng.f32.subarray(yAt >> 2, (yAt >> 2) + ny));
  argmax.set(eng.i32.subarray(aAt >> 2, (aAt >> 2) + ny));
}

export function maxPool2dGrad(eng: WasmEngine, dy: TypedArray, argmax: Int32Array, dx: TypedArray, g: Pool2dGeom): void {
  eng.reset();
  const nx = g.m * g.h * g.w * g.c, ny = g.m * g.oh * g.ow * g.c;
  const dyAt = eng.put(dy, 0, ny);
  const aAt = eng.alloc(ny * 4);
  eng.i32.set(argmax.subarray(0, ny), aAt >> 2);
  const dxAt = eng.alloc(nx * 4);
  eng.dispatch(L.JOB_MAXPOOL_GRAD, g.m, params(eng, g, dxAt, dyAt, aAt, g.m), nx + ny * 4);
  dx.set(eng.f32.subarray(dxAt >> 2, (dxAt >> 2) + nx));
}

export function avgPool2d(eng: WasmEngine, x: TypedArray, y: TypedArray, g: Pool2dGeom): void {
  eng.reset();
  const nx = g.m * g.h * g.w * g.c, ny = g.m * g.oh * g.ow * g.c;
  const xAt = eng.put(x, 0, nx), yAt = eng.alloc(ny * 4);
  const rows = g.m * g.oh;
  run(eng, L.JOB_AVGPOOL, params(eng, g, xAt, yAt, 0, rows), rows, ny * g.fh * g.fw * 2);
  y.set(eng.f32.subarray(yAt >> 2, (yAt >> 2) + ny));
}

export function avgPool2dGrad(eng: WasmEngine, dy: TypedArray, dx: TypedArray, g: Pool2dGeom): void {
  eng.reset();
  const nx = g.m * g.h * g.w * g.c, ny = g.m * g.oh * g.ow * g.c;
  const dyAt = eng.put(dy, 0, ny), dxAt = eng.alloc(nx * 4);
  const rows = g.m * g.h;
  run(eng, L.JOB_AVGPOOL_GRAD, params(eng, g, dxAt, dyAt, 0, rows), rows, nx * 8);
  dx.set(eng.f32.subarray(dxAt >> 2, (dxAt >> 2) + nx));
}
