// The roofline probe of the benchmarks: the WASM SIMD multiply-add rate of this machine, on one
// thread and on all the engine's threads (see assembly/probe.ts).
import * as L from "./layout.js";
import type { WasmEngine } from "./engine.js";

/** Flops of one iteration of the module's probe(): 13 chains × 4 lanes × (mul + add). */
export const PROBE_FLOPS_PER_ITER = 104;

/**
 * GFLOP/s of independent f32x4 mul + add chains: the best of `reps` runs of `iters` iterations on
 * one thread (`threads` = 1) or split into 8 tasks per thread over all of them.
 */
export function probeGflops(eng: WasmEngine, threads: number, iters = 4_000_000, reps = 5): number {
  let best = Infinity;
  const ntasks = threads === 1 ? 1 : threads * 8;
  const per = Math.ceil(iters / ntasks) * (threads === 1 ? 1 : threads);
  for (let r = 0; r < reps + 1; r++) {
    eng.reset();
    const params = eng.ints([per]);
    const t0 = performance.now();
    if (threads === 1) eng.exports.probe(per);
    else eng.dispatch(L.JOB_PROBE, ntasks, params, Infinity);
    const dt = performance.now() - t0;
    if (r > 0) best = Math.min(best, dt); // the first run warms up (V8 tiers WASM up)
  }
  return (per * ntasks * PROBE_FLOPS_PER_ITER) / (best / 1e3) / 1e9;
}
