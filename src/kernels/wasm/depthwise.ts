// Depthwise conv2d on the WASM kernels (see assembly/depthwise.ts).
import type { TypedArray } from "../../tensor/tensor.js";
import type { DepthwiseGeom, Epilogue } from "../types.js";
import * as L from "./layout.js";
import type { WasmEngine } from "./engine.js";
import { as3d, epilogue, putInput } from "./conv.js";

const ACT = { linear: 0, relu: 1, relu6: 2 } as const;

/** The 3×3, mult 1 kernels (assembly/depthwise.ts fast3x3): fused epilogue, row-block filter gradient. */
const fast3x3 = (g: DepthwiseGeom): boolean => g.mult === 1 && g.fh === 3 && g.fw === 3;

/**
 * x copied into the arena for the 3×3 kernels: zero-padded like putInput, but with pixels ps
 * floats apart, ps = c + 16 when c·4 bytes is a multiple of 2 KiB (else the 9 taps of one output
 * fall into one L1 cache set and evict each other). Only for the channel-major loops (the
 * forward when ow ≥ 24, the filter gradient): the pixel-major forward reads two streams at a time.
 */
function putInput3x3(eng: WasmEngine, x: TypedArray, g: DepthwiseGeom, skew: boolean): { at: number; Hp: number; Wp: number; ps: number } {
  const c = g.c, ps = skew && c % 512 === 0 ? c + 16 : c;
  if (ps === c) {
    const p = putInput(eng, x, as3d(g));
    return { at: p.at, Hp: p.Hp, Wp: p.Wp, ps };
  }
  const Hp = Math.max(g.padTop + g.h, (g.oh - 1) * g.sh + 2 * g.dh + 1), Wp = Math.max(g.padLeft + g.w, (g.ow - 1) * g.sw + 2 * g.dw + 1);
  const at = eng.alloc(g.m * Hp * Wp * ps * 4);
  const f = eng.f32, o = at >> 2;
  f.fill(0, o, o + g.m * Hp * Wp * ps);
  for (let b = 0; b < g.m; b++)
    for (let y = 0; y < g.h; y++) {
      const r = o + ((b * Hp + g.padTop + y) * Wp + g.padLeft) * ps, s = ((b * g.h + y) * g.w) * c;
      for (let xx = 0; xx < g.w; xx++) f.set(x.subarray(s + xx * c, s + xx * c + c), r + xx * ps);
    }
  return { at, Hp, Wp, ps };
}

/**
 * Rows per block of the filter gradient: a function of the shape only (never of the thread count):
 * up to 32 blocks (load balance), but at most ~64 Ki partial floats to add up afterwards.
 */
function gradFilterRows(rows: number, c: number): number {
  const maxTasks = Math.max(2, Math.min(32, Math.floor(65536 / (9 * c))));
  return Math.max(2, Math.ceil(rows / maxTasks));
}

function params(eng: WasmEngine, g: DepthwiseGeom, x: number, Hp: number, Wp: number, f: number, y: number, out: number, rows: number): number {
  const w = new Array<number>(L.DW_WORDS).fill(0);
  w[L.DW_M] = g.m; w[L.DW_H] = g.h; w[L.DW_W] = g.w; w[L.DW_C] = g.c; w[L.DW_MULT] = g.mult;
  w[L.DW_FH] = g.fh; w[L.DW_FW] = g.fw; w[L.DW_SH] = g.sh; w[L.DW_SW] = g.sw; w[L.DW_DH] = g.dh; w[L.DW_DW] = g.dw;
  w[L.DW_PT] = g.padTop; w[L.DW_PL] = g.padLeft; w[L.DW_OH] = g.oh; w[L.DW_OW] = g.ow;
  w[L.DW_X] = x; w[L.DW_HP] = Hp; w[L.DW_WP] = Wp; w[L.DW_F] = f; w[L.DW_Y] = y; w[L.DW_OUT] = out;
  w[L.DW_ROWS_PER_TASK] = Math.max(1, Math.ceil(rows / (eng.executor.threads * 8)));
  return eng.ints(w);
}

export function depthwiseConv2d(eng: WasmEngine, x: TypedArray, filter: TypedArray, y: TypedArray, g: DepthwiseGeom, ep?: Epilogue): void {
  eng.reset();
  const p = fast3x3(g) ? putInput3x3(eng, x, g, g.ow >= 24) : putInput(eng, x, as3d(g));
  const k = g.c * g.mult;
  const ps = fast3x3(g) ? (p as { ps: number }).ps : k;
  let f: number;
  if (ps === k) f = eng.put(filter, 0, g.fh * g.fw * k);
  else {
    // the 9 taps ps floats apart too (same cache-set argument as x)
    f = eng.alloc(9 * ps * 4);
    for (let t = 0; t < 9; t++) eng.f32.set(filter.subarray(t * k, t * k + k), (f >> 2) + t * ps);
  }
  const ny = g.m * g.oh * g.ow * k;
  const yAt = eng.alloc(ny * 4);
  const rows = g.m * g.oh;
  const fast = fast3x3(g);
  // the 3×3 kernel applies bias, scale and relu/relu6 itself; leaky ReLU runs as the epilogue pass
  const fused = fast && ep !== undefined && ep.act !== "leakyRelu";
  const bias = fused && ep.bias !== null ? eng.put(ep.bias, 0, k) : 0;
  const scale = fused && ep.scale ? eng.put(ep.scale, 0, k) : 0;
  const pr = params(eng, g, p.at, p.Hp, p.Wp, f, yAt, 0, rows);
  if (fused) {
    eng.i32[(pr >> 2) + L.DW_BIAS] = bias;
    eng.i32[(pr >> 2) + L.DW_SCALE] = scale;
    eng.i32[(pr >> 2) + L.DW_ACT] = ACT[ep.act as keyof typeof ACT];
  }
  if (fast) eng.i32[(pr >> 2) + L.DW_PS] = (p as { ps: number }).ps;
  eng.dispatch(L.JOB_DEPTHWISE, Math.ceil(rows / eng.i32[(pr >> 2) + L.DW_ROWS_PER_TASK]!), pr, 2 * ny * g.fh * g.fw);
  if (!fused) epilogue(eng, yAt, ny, k, ep);
  y.set(eng.f32.subarray(yAt >> 2, (yAt >> 2) + ny));
}

/** The flipped taps of a 3×3 mult-1 filter [3, 3, c]. */
function flip3x3(filter: TypedArray, c: number): Float32Array {
  const out = new Float32Array(9 * c);
  for (let t = 0; t < 9; t++) out.set(filter.subarray((8 - t) * c, (9 - t) * c), t * c);
  return out;
}

export function depthwiseConv2dGradInput(eng: WasmEngine, dy: TypedArray, filter: TypedArray, dx: TypedArray, g: DepthwiseGeom): void {
  if (fast3x3(g) && g.sh === 1 && g.sw === 1 && g.w >= 24 && g.padTop <= 2 * g.dh && g.padLeft <= 2 * g.dw) {
    // stride 1, rows of ≥ 24 pixels (shorter ones: the gather below is as fast): dx is the forward 3×3 kernel over dy padded by 2·d − p with the taps flipped
    const t: DepthwiseGeom = { ...g, h: g.oh, w: g.ow, oh: g.h, ow: g.w, padTop: 2 * g.dh - g.padTop, padLeft: 2 * g.dw - g.padLeft };
    depthwiseConv2d(eng, dy, flip3x3(filter, g.c), dx, t);
    return;
  }
  eng.reset();
  const k = g.c * g.mult;
  const ny = g.m * g.oh * g.ow * k, nx = g.m * g.h * g.w * g.c;
  const d = eng.put(dy, 0, ny);
  const f = eng.put(filter, 0, g.fh * g.fw * k);
  const dxAt = eng.alloc(nx * 4);
  const rows = g.m * g.h;
  const pr = params(eng, g, 0, 0, 0, f, d, dxAt, rows);
  eng.dispatch(L.JOB_DEPTHWISE_GRAD_INPUT, Math.ceil(rows / eng.i32[(pr >> 2) + L.DW_ROWS_PER_TASK]!), pr, 2 * ny * g.fh * g.fw);
  dx.set(eng.f32.subarray(dxAt >> 2, (dxAt >> 2) + nx));
}

export function depthwiseConv2dGradFilter(eng: WasmEngine, x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: DepthwiseGeom): void {
  eng.reset();
  const p3 = fast3x3(g) ? putInput3x3(eng, x, g, true) : null;
  const p = p3 ?? putInput(eng, x, as3d(g));
  const k = g.c * g.mult;
  const ny = g.m * g.oh * g.ow * k;
  const d = eng.put(dy, 0, ny);
  const nf = g.fh * g.fw * k;
  if (fast3x3(g)) {
    const rows = g.m * g.oh;
    const per = gradFilterRows(rows, g.c);
    const tasks = Math.ceil(rows / per);
    const out = eng.alloc(tasks * nf * 4);
    const pr = params(eng, g, p.at, p.Hp, p.Wp, 0, d, out, 1);
    eng.i32[(pr >> 2) + L.DW_ROWS_PER_TASK] = per;
    eng.i32[(pr >> 2) + L.DW_PS] = p3!.ps;
    eng.dispatch(L.JOB_DEPTHWISE_GRAD_FILTER, tasks, pr, 2 * ny * g.fh * g.fw);
    // the partials summed in task order, each sum rounded to float32 (as a float32 add would)
    const f32 = eng.f32, o = out >> 2;
    for (let j = 0; j < nf; j++) {
      let s = f32[o + j]!;
      for (let t = 1; t < tasks; t++) s = Math.fround(s + f32[o + t * nf + j]!);
      dFilter[j] = s;
    }
    return;
  }
  const out = eng.alloc(nf * 4);
  const pr = params(eng, g, p.at, p.Hp, p.Wp, 0, d, out, 1);
  eng.dispatch(L.JOB_DEPTHWISE_GRAD_FILTER, g.fh * g.fw * Math.ceil(k / L.DW_CBLOCK), pr, 2 * ny * g.fh * g.fw);
  dFilter.set(eng.f32.subarray(out >> 2, (out >> 2) + nf));
}
