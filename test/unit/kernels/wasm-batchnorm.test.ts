// The WASM SIMD float32 batch-norm kernels against the TypeScript reference kernels run in float64
// on the same float32 inputs (the oracle): statistics, output and gradients over many [n, c]
// shapes (c = 1, c not a multiple of 4, n small, several tasks with a partial last group), data
// centred at zero and large values with a small variance, training and inference. Tolerances are
// |wasm − ref| ≤ atol + rtol·|ref| with atol scaled to what float32 can resolve per channel: the
// mean to 2e-5·σ, the variance to rtol 2e-5, y and dx to 2e-5 of their terms' size, and the
// per-channel sums to 1e-5·Σ|terms| (float32 chunks of ≤ 64 terms, then float64).
import { describe, it, expect, beforeAll } from "vitest";
import "../../../src/index.js";
import { kernel, kernelBackend, referenceKernels } from "../../../src/kernels/index.js";
import type { BatchNormGeom } from "../../../src/kernels/types.js";
import { Rng } from "../../../src/util/rng.js";

/** max over i of |a − b| / (atol(i) + rtol·|b|) (Infinity for NaN): ≤ 1 is within tolerance. */
function worst(a: ArrayLike<number>, b: ArrayLike<number>, atol: (i: number) => number, rtol: number): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    const r = d === 0 ? 0 : d / (atol(i) + rtol * Math.abs(b[i]!));
    if (!(r <= w)) w = Number.isNaN(r) ? Infinity : Math.max(w, r);
  }
  return w;
}

interface Case {
  n: number;
  c: number;
  /** x = centre[c] + spread·u, u uniform in [-1, 1); centre[c] uniform in ±offset. */
  offset: number;
  spread: number;
  /** Added to the first row (an outlier). */
  outlier?: number;
}

function data(k: Case, seed: number): { x: Float32Array; gamma: Float32Array; beta: Float32Array; dy: Float32Array } {
  const r = new Rng(seed);
  const u = (): number => r.uniform() * 2 - 1;
  const centre = Array.from({ length: k.c }, () => k.offset * (0.5 + 0.5 * r.uniform()) * (r.uniform() < 0.5 ? -1 : 1));
  const x = new Float32Array(k.n * k.c), dy = new Float32Array(k.n * k.c);
  for (let i = 0; i < x.length; i++) {
    x[i] = centre[i % k.c]! + k.spread * u();
    dy[i] = u();
  }
  for (let ch = 0; ch < k.c; ch++) x[ch]! += k.outlier ?? 0;
  const gamma = Float32Array.from({ length: k.c }, () => 0.5 + r.uniform() * 1.5), beta = Float32Array.from({ length: k.c }, u);
  return { x, gamma, beta, dy };
}

const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);

function check(k: Case, training: boolean, seed: number): void {
  const { n, c } = k;
  const { x, gamma, beta, dy } = data(k, seed);
  const g: BatchNormGeom = { n, c, eps: 1e-5, training };
  // the reference in float64 on the same float32 values
  const mR = new Float64Array(c), vR = new Float64Array(c), iR = new Float64Array(c), yR = new Float64Array(x.length);
  const m = new Float64Array(c), v = new Float64Array(c), inv = new Float64Array(c), y = new Float32Array(x.length).fill(NaN);
  if (!training) {
    // running statistics near the data's (so that x̂ is O(1) as in a trained net)
    referenceKernels.batchNorm(f64(x), f64(gamma), f64(beta), yR, mR, vR, iR, { ...g, training: true });
    for (let ch = 0; ch < c; ch++) {
      mR[ch] = m[ch] = mR[ch]! + 0.1 * Math.sqrt(vR[ch]!);
      vR[ch] = v[ch] = vR[ch]! * 1.2;
    }
  }
  referenceKernels.batchNorm(f64(x), f64(gamma), f64(beta), yR, mR, vR, iR, g);
  kernel("batchNorm", "float32")(x, gamma, beta, y, m, v, inv, g);
  const sd = Array.from(vR, Math.sqrt);
  expect(worst(m, mR, (i) => 2e-5 * sd[i]!, 0), "mean").toBeLessThanOrEqual(1);
  expect(worst(v, vR, () => 1e-30, 2e-5), "variance").toBeLessThanOrEqual(1);
  expect(worst(inv, iR, () => 0, 2e-5), "invStd").toBeLessThanOrEqual(1);
  // y = γ·x̂ + β: each term to 2e-5
  let xhatMax = 0;
  for (let i = 0; i < x.length; i++) xhatMax = Math.max(xhatMax, Math.abs((x[i]! - mR[i % c]!) * iR[i % c]!));
  expect(worst(y, yR, (i) => 2e-5 * (Math.abs(gamma[i % c]!) * (1 + xhatMax) + Math.abs(beta[i % c]!)), 1e-6), "y").toBeLessThanOrEqual(1);

  // backward, from the reference statistics
  const dgR = new Float64Array(c), dbR = new Float64Array(c), dxR = new Float64Array(x.length);
  const dg = new Float64Array(c), db = new Float64Array(c), dx = new Float32Array(x.length).fill(NaN);
  referenceKernels.batchNormGrad(f64(dy), f64(x), f64(gamma), mR, iR, dxR, dgR, dbR, g);
  kernel("batchNormGrad", "float32")(dy, x, gamma, mR, iR, dx, dg, db, g);
  const absDy = new Float64Array(c), absDyXhat = new Float64Array(c);
  let dyMax = 0;
  for (let i = 0; i < x.length; i++) {
    const ch = i % c, xh = (x[i]! - mR[ch]!) * iR[ch]!;
    absDy[ch]! += Math.abs(dy[i]!);
    absDyXhat[ch]! += Math.abs(dy[i]! * xh);
    dyMax = Math.max(dyMax, Math.abs(dy[i]!));
  }
  expect(worst(db, dbR, (ch) => 1e-5 * absDy[ch]!, 0), "Σdy").toBeLessThanOrEqual(1);
  expect(worst(dg, dgR, (ch) => 1e-5 * (absDyXhat[ch]! + absDy[ch]!), 0), "Σdy·x̂").toBeLessThanOrEqual(1);
  const term = (ch: number): number => Math.abs(gamma[ch]! * iR[ch]!) * (dyMax + (training ? (absDy[ch]! + xhatMax * absDyXhat[ch]!) / n : 0));
  expect(worst(dx, dxR, (i) => 2e-5 * term(i % c), 1e-6), "dx").toBeLessThanOrEqual(1);
  // without dx: the sums alone, the same bits
  const dg2 = new Float64Array(c), db2 = new Float64Array(c);
  kernel("batchNormGrad", "float32")(dy, x, gamma, mR, iR, null, dg2, db2, g);
  expect(Array.from(dg2)).toEqual(Array.from(dg));
  expect(Array.from(db2)).toEqual(Array.from(db));
}

beforeAll(() => {
  expect(kernelBackend()).toMatch(/^wasm/);
});

const shapes: [number, number][] = [
  [2, 1], [3, 1], [5, 3], [2, 4], [7, 6], [9, 2], [64, 16], [33, 5], [100, 130], [17, 1027],
  [1000, 7], [4099, 1], [4097, 3], [5000, 16], [20001, 6], [2000, 64], [3, 2048], [301, 1027],
];

describe("wasm batch norm = reference batch norm", () => {
  let seed = 1;
  for (const [n, c] of shapes)
    for (const training of [true, false]) {
      it(`x=[${n},${c}] training=${training}, centred data`, () => check({ n, c, offset: 0, spread: 2 }, training, seed++));
      it(`x=[${n},${c}] training=${training}, large values with a small variance (±1000 ± 0.01)`, () => check({ n, c, offset: 1000, spread: 0.01 }, training, seed++));
    }
  it("x=[4096,5] with |mean| / σ = 5e4 and one outlier row", () => {
    const k = { n: 4096, c: 5, offset: -50, spread: 1e-3, outlier: 0.5 };
    check(k, true, 99);
  });
  it("x=[2100001,1]: the 128-task cap (blocks larger than 64 KiB), a partial last group", () => {
    check({ n: 2100001, c: 1, offset: 10, spread: 1 }, true, 98);
  });
  it("randomised shapes (n, c) against the reference", () => {
    const r = new Rng(7);
    for (let i = 0; i < 40; i++) {
      const c = 1 + Math.floor(r.uniform() * 40), n = 2 + Math.floor(r.uniform() * (i < 20 ? 50 : 3000));
      check({ n, c, offset: r.uniform() < 0.5 ? 0 : 300, spread: r.uniform() < 0.5 ? 1 : 0.05 }, r.uniform() < 0.7, 1000 + i);
    }
  });
  it("a constant channel has variance 0 and y = β", () => {
    const n = 300, c = 3;
    const x = new Float32Array(n * c);
    for (let i = 0; i < x.length; i++) x[i] = i % c === 1 ? 1234.5 : Math.sin(i);
    const y = new Float32Array(x.length), m = new Float64Array(c), v = new Float64Array(c), inv = new Float64Array(c);
    kernel("batchNorm", "float32")(x, Float32Array.of(1, 2, 3), Float32Array.of(0, -0.5, 0), y, m, v, inv, { n, c, eps: 1e-5, training: true });
    expect(m[1]).toBe(1234.5);
    expect(v[1]).toBe(0);
    for (let i = 1; i < y.length; i += c) expect(y[i]).toBe(-0.5);
  });
});
