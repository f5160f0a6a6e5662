// The WASM optimizer-update kernel against the TypeScript reference (the oracle) on the same
// float32 arrays: every rule (SGD, SGD with momentum/dampening/Nesterov and its first step, the
// course's momentum, RMSprop, Adam at several steps), with and without weight decay, lengths that
// are not a multiple of 4 and that span several arena chunks, and special values (±0, ±Inf, NaN,
// subnormals, huge and tiny gradients). The kernel computes in float64 in the reference's order
// of operations and rounds where the reference stores, so the bits must be equal.
import { describe, it, expect, beforeAll } from "vitest";
import "../../../src/index.js";
import { kernel, kernelBackend, referenceKernels } from "../../../src/kernels/index.js";
import type { OptimizerUpdate } from "../../../src/kernels/types.js";
import { Rng } from "../../../src/util/rng.js";
import { firstDiff, withSpecials } from "./bits.js";
import { getThreads, setThreads } from "../../../src/kernels/accelerate.js";

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1e-38, 3e38, -3e38, 1e-20, 1e20, 1, -1];

/** n float32 values: mostly N(0, scale) with every special value sprinkled in when `special`. */
const values = (r: Rng, n: number, scale: number, special: boolean): Float32Array => withSpecials(r, n, scale, special ? SPECIAL : [], 7);

function updates(t: number): OptimizerUpdate[] {
  const lr = 0.0123;
  const out: OptimizerUpdate[] = [];
  for (const weightDecay of [0, 1e-4, 0.3]) {
    out.push({ rule: "sgd", lr, weightDecay });
    for (const [dampening, nesterov] of [[0, false], [0.25, false], [0, true]] as const)
      out.push({ rule: "sgdMomentum", lr, weightDecay, mu: 0.9, dampening, nesterov, first: t === 1 });
    out.push({ rule: "momentum", lr, weightDecay, beta: 0.9 });
    out.push({ rule: "rmsprop", lr, weightDecay, rho: 0.99, eps: 1e-8 });
    out.push({ rule: "adam", lr, weightDecay, beta1: 0.9, beta2: 0.999, eps: 1e-8, c1: 1 - 0.9 ** t, c2: Math.sqrt(1 - 0.999 ** t) });
  }
  return out;
}

const stateCount = (u: OptimizerUpdate): number => (u.rule === "sgd" ? 0 : u.rule === "adam" ? 2 : 1);


function compare(n: number, special: boolean, seed: number): void {
  const r = new Rng(seed);
  for (const t of [1, 2, 7]) {
    for (const u of updates(t)) {
      const p = values(r, n, 1, special), g = values(r, n, 0.1, special);
      const s = Array.from({ length: stateCount(u) }, (_, j) => {
        const v = values(r, n, 0.05, special);
        if (u.rule === "rmsprop" || (u.rule === "adam" && j === 1)) for (let i = 0; i < n; i++) v[i] = Math.abs(v[i]!); // second moments ≥ 0
        return v;
      });
      const pR = p.slice(), sR = s.map((v) => v.slice());
      referenceKernels.optimizerStep(pR, g, sR, u);
      kernel("optimizerStep", "float32")(p, g, s, u);
      const what = `${u.rule} t=${t} wd=${u.weightDecay} n=${n}`;
      expect(firstDiff(p, pR), `${what}: p`).toBe("");
      for (let j = 0; j < s.length; j++) expect(firstDiff(s[j]!, sR[j]!), `${what}: state ${j}`).toBe("");
    }
  }
}

beforeAll(() => {
  expect(kernelBackend()).toMatch(/^wasm/);
});

describe("wasm optimizerStep equals the reference bit for bit", () => {
  it("on short arrays of every length 1–13", () => {
    for (let n = 1; n <= 13; n++) compare(n, false, n);
  });
  it("with special values (±0, ±Inf, NaN, subnormals, ±3e38)", () => {
    compare(203, true, 99);
  });
  it("over several arena chunks (16 Ki floats each) with a partial last one", () => {
    compare(3 * 16384 + 5, false, 7);
  });
  it("over several windows (1 Mi floats) on 1 and 2 threads, the same bits", () => {
    const r = new Rng(11), n = (1 << 20) * 2 + 4099;
    const u: OptimizerUpdate = { rule: "adam", lr: 3e-4, weightDecay: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, c1: 1 - 0.9 ** 3, c2: Math.sqrt(1 - 0.999 ** 3) };
    const p = values(r, n, 1, false), g = values(r, n, 0.1, false), m = values(r, n, 0.05, false), v = values(r, n, 0.05, false).map(Math.abs);
    const pR = p.slice(), mR = m.slice(), vR = v.slice();
    referenceKernels.optimizerStep(pR, g, [mR, vR], u);
    const before = getThreads();
    try {
      for (const threads of [1, 2]) {
        setThreads(threads);
        const pw = p.slice(), mw = m.slice(), vw = v.slice();
        kernel("optimizerStep", "float32")(pw, g, [mw, vw], u);
        expect(firstDiff(pw, pR), `p, ${threads} threads`).toBe("");
        expect(firstDiff(mw, mR), `m, ${threads} threads`).toBe("");
        expect(firstDiff(vw, vR), `v, ${threads} threads`).toBe("");
      }
    } finally {
      setThreads(before);
    }
  });
  it("on views into larger arrays (a parameter that is a slice)", () => {
    const r = new Rng(3);
    const u: OptimizerUpdate = { rule: "adam", lr: 1e-3, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, c1: 0.1, c2: Math.sqrt(0.001) };
    const big = values(r, 100, 1, false), g = values(r, 90, 0.1, false);
    const m = new Float32Array(90), v = new Float32Array(90);
    const bigR = big.slice(), mR = m.slice(), vR = v.slice();
    kernel("optimizerStep", "float32")(big.subarray(5, 95), g, [m, v], u);
    referenceKernels.optimizerStep(bigR.subarray(5, 95), g, [mR, vR], u);
    expect(firstDiff(big, bigR)).toBe("");
    expect(firstDiff(m, mR)).toBe("");
    expect(firstDiff(v, vR)).toBe("");
  });
  it("falls back to the reference for float64 arrays", () => {
    const p = Float64Array.from([1, 2, 3]), g = Float64Array.from([0.5, -0.5, 1e-300]);
    kernel("optimizerStep", "float32")(p, g, [], { rule: "sgd", lr: 0.1, weightDecay: 0 });
    expect(Array.from(p)).toEqual([1 - 0.1 * 0.5, 2 + 0.1 * 0.5, 3 - 0.1 * 1e-300]);
  });
});
