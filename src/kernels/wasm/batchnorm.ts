// Batch norm on the WASM kernels (see assembly/batchnorm.ts): the reductions run as tasks over
// fixed blocks of rows, each writing its own float64 per-lane sums, which are merged here in task
// order, so 1 and 2 threads give the same bits. One call copies x (and dy) into the arena once and
// runs both of its jobs on it (statistics then normalisation; gradient sums then dx).
import type { TypedArray } from "../../tensor/tensor.js";
import type { BatchNormGeom } from "../types.js";
import * as L from "./layout.js";
import type { WasmEngine } from "./engine.js";

/** Floats per task block (64 KiB: the statistics' second pass reads the block from cache). */
const TASK_FLOATS = 16384;
/**
 * At most this many tasks, and at least 16 groups per task: each task's per-lane sums (28 bytes a
 * lane) and their merge on the host then stay small next to x, also for many channels.
 */
const MAX_TASKS = 128;
const MIN_GROUPS = 16;
/** Work units per element for the dispatch's threading decision (PARALLEL_MIN_WORK). */
const WORK_PER_ELEMENT = 16;

interface Plan {
  /** Rows per group (4 / gcd(c, 4)) and lanes per group (R·c, a multiple of 4). */
  R: number;
  P: number;
  per: number;
  tasks: number;
}

/** The fixed partition of the rows: depends on n and c only, never on the threads. */
function plan(n: number, c: number): Plan {
  const R = c % 4 === 0 ? 1 : c % 2 === 0 ? 2 : 4;
  const P = R * c;
  const per = Math.max(MIN_GROUPS, Math.floor(TASK_FLOATS / P), Math.ceil(n / (MAX_TASKS * R))) * R;
  return { R, P, per, tasks: Math.ceil(n / per) };
}

/** The parameter block; per-lane arrays (P floats each) follow it, in the order of `lanes`. */
function setup(eng: WasmEngine, g: BatchNormGeom, p: Plan, x: number, y: number, out: number, reductions: boolean): { params: number; lanes: number; partial: number; chunks: number } {
  const lanes = eng.alloc(p.P * 4 * 5);
  const partial = reductions ? eng.alloc(p.tasks * 2 * p.P * 8) : 0;
  const chunks = reductions ? eng.alloc(p.tasks * 3 * p.P * 4) : 0;
  const w = new Array<number>(L.BN_WORDS).fill(0);
  w[L.BN_N] = g.n; w[L.BN_C] = g.c; w[L.BN_R] = p.R; w[L.BN_ROWS_PER_TASK] = p.per;
  w[L.BN_X] = x; w[L.BN_Y] = y; w[L.BN_OUT] = out; w[L.BN_PARTIAL] = partial; w[L.BN_CHUNKS] = chunks;
  const lane = p.P * 4;
  w[L.BN_MHI] = lanes; w[L.BN_MLO] = lanes + lane; w[L.BN_A] = lanes + 2 * lane; w[L.BN_B] = lanes + 3 * lane; w[L.BN_K] = lanes + 4 * lane;
  return { params: eng.ints(w), lanes, partial, chunks };
}

/** Writes per-lane values (lane j gets channel j % c) of each channel function into the lane block, in order. */
function fillLanes(eng: WasmEngine, at: number, p: Plan, c: number, values: readonly ((ch: number) => number)[]): void {
  const f32 = eng.f32;
  let o = at >> 2;
  for (const v of values) {
    for (let ch = 0; ch < c; ch++) f32[o + ch] = v(ch);
    for (let j = c; j < p.P; j++) f32[o + j] = f32[o + (j % c)]!;
    o += p.P;
  }
}

// The mean in two floats, hi = fround(mean) and lo = fround(mean − hi): (x − hi) − lo keeps the
// bits of x − mean that one float32 mean would lose when |mean| ≫ σ.
const meanHi = (mean: Float64Array) => (ch: number): number => mean[ch]!;
const meanLo = (mean: Float64Array) => (ch: number): number => mean[ch]! - Math.fround(mean[ch]!);

/** Rows of task t. */
const rowsOf = (p: Plan, n: number, t: number): number => Math.min(n, (t + 1) * p.per) - t * p.per;

export function batchNorm(
  eng: WasmEngine, x: TypedArray, gamma: TypedArray, beta: TypedArray, y: TypedArray,
  mean: Float64Array, variance: Float64Array, invStd: Float64Array, g: BatchNormGeom,
): void {
  const { n, c } = g;
  const len = n * c;
  if (len === 0) return;
  eng.reset();
  const p = plan(n, c);
  const xAt = eng.put(x, 0, len);
  const yAt = eng.alloc(len * 4);
  const s = setup(eng, g, p, xAt, yAt, 0, g.training);
  if (g.training) {
    eng.dispatch(L.JOB_BN_STATS, p.tasks, s.params, len * WORK_PER_ELEMENT);
    // each block's (K, Σd, Σd²) → (mean, M2), merged in task order (Chan et al.)
    const f64 = eng.f64, f32 = eng.f32;
    const m2 = variance;
    let count = 0;
    for (let t = 0; t < p.tasks; t++) {
      const nb = rowsOf(p, n, t);
      const F = (s.partial >> 3) + t * 2 * p.P, K = (s.chunks >> 2) + t * 3 * p.P + 2 * p.P;
      for (let ch = 0; ch < c; ch++) {
        let s1 = 0, s2 = 0;
        for (let r = 0; r < p.R; r++) {
          s1 += f64[F + r * c + ch]!;
          s2 += f64[F + p.P + r * c + ch]!;
        }
        const mb = f32[K + ch]! + s1 / nb, m2b = s2 - (s1 * s1) / nb;
        if (t === 0) {
          mean[ch] = mb;
          m2[ch] = m2b;
        } else {
          const delta = mb - mean[ch]!, total = count + nb;
          mean[ch]! += (delta * nb) / total;
          m2[ch]! += m2b + (delta * delta * count * nb) / total;
        }
      }
      count += nb;
    }
    for (let ch = 0; ch < c; ch++) variance[ch] = Math.max(m2[ch]!, 0) / n;
  }
  for (let ch = 0; ch < c; ch++) invStd[ch] = 1 / Math.sqrt(variance[ch]! + g.eps);
  fillLanes(eng, s.lanes, p, c, [meanHi(mean), meanLo(mean), (ch) => gamma[ch]! * invStd[ch]!, (ch) => beta[ch]!]);
  eng.dispatch(L.JOB_BN_APPLY, p.tasks, s.params, len * WORK_PER_ELEMENT);
  y.set(eng.f32.subarray(yAt >> 2, (yAt >> 2) + len));
}

export function batchNormGrad(
  eng: WasmEngine, dy: TypedArray, x: TypedArray, gamma: TypedArray, mean: Float64Array, invStd: Float64Array,
  dx: TypedArray | null, dGamma: Float64Array, dBeta: Float64Array, g: BatchNormGeom,
): void {
  const { n, c } = g;
  const len = n * c;
  dGamma.fill(0);
  dBeta.fill(0);
  if (len === 0) return;
  eng.reset();
  const p = plan(n, c);
  const dyAt = eng.put(dy, 0, len);
  const xAt = eng.put(x, 0, len);
  const dxAt = dx ? eng.alloc(len * 4) : 0;
  const s = setup(eng, g, p, xAt, dyAt, dxAt, true);
  fillLanes(eng, s.lanes, p, c, [meanHi(mean), meanLo(mean), (ch) => invStd[ch]!]);
  eng.dispatch(L.JOB_BN_GRAD_STATS, p.tasks, s.params, len * WORK_PER_ELEMENT);
  const f64 = eng.f64;
  for (let t = 0; t < p.tasks; t++) {
    const F = (s.partial >> 3) + t * 2 * p.P;
    for (let r = 0; r < p.R; r++)
      for (let ch = 0; ch < c; ch++) {
        dBeta[ch]! += f64[F + r * c + ch]!;
        dGamma[ch]! += f64[F + p.P + r * c + ch]!;
      }
  }
  if (!dx) return;
  // dx = k·dy + a·(x − mean) + b: training k = γ·invStd, a = −k·invStd·Σdy·x̂/n, b = −k·Σdy/n
  const k = (ch: number): number => gamma[ch]! * invStd[ch]!;
  const tr = g.training;
  fillLanes(eng, s.lanes + 2 * p.P * 4, p, c, [
    (ch) => (tr ? (-k(ch) * invStd[ch]! * dGamma[ch]!) / n : 0),
    (ch) => (tr ? (-k(ch) * dBeta[ch]!) / n : 0),
    k,
  ]);
  eng.dispatch(L.JOB_BN_GRAD_INPUT, p.tasks, s.params, len * WORK_PER_ELEMENT);
  dx.set(eng.f32.subarray(dxAt >> 2, (dxAt >> 2) + len));
}
