// The optimizers' update on the WASM kernels (see assembly/optim.ts): the parameter, its gradient
// and the state go through the arena in windows of a few chunks; each chunk is a task, taken by
// any thread once the host has copied it in. A chunk's arithmetic does not depend on the thread.
import type { TypedArray } from "../../tensor/tensor.js";
import type { OptimizerUpdate } from "../types.js";
import { optimizerStep as reference } from "../ts/optim.js";
import type { WasmEngine } from "./engine.js";
import * as L from "./layout.js";

/** Floats per task: p, g and two state buffers of 16 Ki floats each, 256 KiB in all. */
const CHUNK = 16384;
/** Chunks per job: a window of 1 Mi floats of the parameter in the arena (16 MiB with Adam's two buffers). */
const WINDOW = 64;
/** The work a float counts for in dispatch's decision to wake the other threads (≈ 5 ns per float on one thread). */
const WORK_PER_FLOAT = 40;

const RULE = { sgd: 0, sgdMomentum: 1, momentum: 2, rmsprop: 3, adam: 4 } as const;

/** The kernel's hyperparameter words: lr, weight decay, a … f, ε (see assembly/optim.ts). */
function words(u: OptimizerUpdate): number[] {
  switch (u.rule) {
    case "sgd":
      return [u.lr, u.weightDecay, 0, 0, 0, 0, 0, 0, 0];
    case "sgdMomentum":
      return [u.lr, u.weightDecay, u.mu, 1 - u.dampening, u.nesterov ? 1 : 0, u.first ? 1 : 0, 0, 0, 0];
    case "momentum":
      return [u.lr, u.weightDecay, u.beta, 1 - u.beta, 0, 0, 0, 0, 0];
    case "rmsprop":
      return [u.lr, u.weightDecay, u.rho, 1 - u.rho, u.eps, 0, 0, 0, 0];
    case "adam":
      return [u.lr, u.weightDecay, u.beta1, 1 - u.beta1, u.beta2, 1 - u.beta2, u.c1, u.c2, u.eps];
  }
}

export function optimizerStep(eng: WasmEngine, p: TypedArray, g: TypedArray, state: readonly TypedArray[], u: OptimizerUpdate): void {
  if (!(p instanceof Float32Array && g instanceof Float32Array && state.every((s) => s instanceof Float32Array))) {
    reference(p, g, state, u);
    return;
  }
  eng.reset();
  const n = p.length;
  const h = eng.alloc(9 * 8);
  eng.f64.set(words(u), h >> 3);
  const window = Math.min(WINDOW * CHUNK, n);
  const pa = eng.alloc(window * 4), ga = eng.alloc(window * 4);
  const sa = state.map(() => eng.alloc(window * 4));
  const params = eng.ints(new Array<number>(L.OPT_WORDS).fill(0));
  const w = eng.i32, q = params >> 2;
  w[q + L.OPT_RULE] = RULE[u.rule];
  w[q + L.OPT_CHUNK] = CHUNK;
  w[q + L.OPT_P] = pa;
  w[q + L.OPT_G] = ga;
  w[q + L.OPT_S0] = sa[0] ?? 0;
  w[q + L.OPT_S1] = sa[1] ?? 0;
  w[q + L.OPT_H] = h;
  const f32 = eng.f32;
  for (let at = 0; at < n; at += window) {
    const len = Math.min(window, n - at), tasks = Math.ceil(len / CHUNK);
    eng.i32[q + L.OPT_N] = len;
    // copied in chunk by chunk: the other threads start on the chunks already in place
    eng.dispatch(L.JOB_OPTIM, tasks, params, len * WORK_PER_FLOAT, (publish) => {
      for (let t = 0; t < tasks; t++) {
        const a = at + t * CHUNK, b = Math.min(at + len, a + CHUNK), o = t * CHUNK;
        f32.set(p.subarray(a, b), (pa >> 2) + o);
        f32.set(g.subarray(a, b), (ga >> 2) + o);
        for (let j = 0; j < state.length; j++) f32.set(state[j]!.subarray(a, b), (sa[j]! >> 2) + o);
        publish(t + 1);
      }
    });
    p.set(f32.subarray(pa >> 2, (pa >> 2) + len), at);
    for (let j = 0; j < state.length; j++) state[j]!.set(f32.subarray(sa[j]! >> 2, (sa[j]! >> 2) + len), at);
  }
}
