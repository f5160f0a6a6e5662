// relu's float32 path works on the bits (branch-free masks); these tests hold it to the select it
// replaced, `x < 0 ? 0 : x` forward and `x > 0 ? dy : 0` backward, bit for bit: on random values,
// on every special value (±0, ±Infinity, NaNs of both signs, subnormals, ±max) and on offset views,
// and against the float64 path (which keeps the select) on float32-representable inputs.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { Rng } from "../../../src/util/rng.js";

const bits = (a: Float32Array): number[] => Array.from(new Int32Array(a.buffer, a.byteOffset, a.length));

/**
 * Bits of `got` equal those of `want`, except that a NaN may differ in its payload's quiet bit:
 * the select quiets a signalling NaN when it passes through a JS number, the mask keeps it as is
 * (both NaN, same sign, same payload otherwise).
 */
function expectSameBits(got: Float32Array, want: Float32Array): void {
  const g = bits(got), w = bits(want);
  expect(g.length).toBe(w.length);
  const QUIET = 0x00400000;
  const bad: string[] = [];
  for (let i = 0; i < g.length; i++) {
    if (g[i] === w[i]) continue;
    if (Number.isNaN(got[i]) && Number.isNaN(want[i]) && (g[i]! | QUIET) === (w[i]! | QUIET)) continue;
    bad.push(`[${i}] got 0x${(g[i]! >>> 0).toString(16)}, want 0x${(w[i]! >>> 0).toString(16)}`);
  }
  expect(bad.slice(0, 5)).toEqual([]);
}

/** The select relu and its gradient, written out here as the oracle. */
function selectRelu(x: Float32Array): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i]! < 0 ? 0 : x[i]!;
  return y;
}
function selectReluGrad(x: Float32Array, dy: Float32Array): Float32Array {
  const g = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) g[i] = x[i]! > 0 ? dy[i]! : 0;
  return g;
}

/** Floats from raw bit patterns (NaN payloads and signs kept: no float round trip). */
function fromBits(words: number[]): Float32Array {
  return new Float32Array(new Int32Array(words).buffer);
}

const SPECIAL = fromBits([
  0x00000000, 0x80000000, // +0, −0
  0x7f800000, 0xff800000, // ±Infinity
  0x7fc00000, 0xffc00000, 0x7f800001, 0xffa00001, // NaNs (quiet, negative, payloads)
  0x00000001, 0x80000001, 0x007fffff, 0x807fffff, // subnormals
  0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, // ±max, ±1
]);

function randomValues(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    // mostly ordinary values, some specials, a few zeros of either sign
    a[i] = u < 0.05 ? SPECIAL[Math.floor(rng.uniform() * SPECIAL.length)]! : u < 0.1 ? (rng.uniform() < 0.5 ? 0 : -0) : (rng.uniform() - 0.5) * 10 ** (rng.uniform() * 8 - 4);
  }
  return a;
}

describe("relu float32: branch-free bits equal the select", () => {
  it("forward and backward on the special values, every pairing of x and dy", () => {
    const n = SPECIAL.length;
    // built from the bits, not the values, so that NaN payloads reach relu unchanged
    const words = Array.from(new Int32Array(SPECIAL.buffer));
    const x = fromBits(Array.from({ length: n * n }, (_, k) => words[Math.floor(k / n)]!));
    const dy = fromBits(Array.from({ length: n * n }, (_, k) => words[k % n]!));
    const xt = new cl.Tensor(x, [n, n]);
    xt.requiresGrad = true;
    const y = cl.relu(xt);
    expectSameBits(y.data as Float32Array, selectRelu(x));
    y.backward(new cl.Tensor(dy, [n, n]));
    expectSameBits(xt.grad!.data as Float32Array, selectReluGrad(x, dy));
  });

  it("random values, random sizes (not multiples of 4), 20 trials", () => {
    const rng = new Rng(19);
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + Math.floor(rng.uniform() * 3000);
      const x = randomValues(rng, n), dy = randomValues(rng, n);
      const xt = new cl.Tensor(x, [n]);
      xt.requiresGrad = true;
      const y = cl.relu(xt);
      expectSameBits(y.data as Float32Array, selectRelu(x));
      y.backward(new cl.Tensor(dy, [n]));
      expectSameBits(xt.grad!.data as Float32Array, selectReluGrad(x, dy));
    }
  });

  it("an input that is a view at an offset into a larger buffer", () => {
    const rng = new Rng(7);
    const big = randomValues(rng, 1000);
    const view = big.subarray(3, 803);
    const y = cl.relu(new cl.Tensor(view, [800]));
    expectSameBits(y.data as Float32Array, selectRelu(view));
  });

  it("agrees with the float64 path (the select) on float32 values", () => {
    const rng = new Rng(3);
    const x = randomValues(rng, 4096).map((v) => (Number.isFinite(v) ? v : 0));
    const y32 = cl.relu(new cl.Tensor(x, [4096]));
    const y64 = cl.relu(new cl.Tensor(Float64Array.from(x), [4096]));
    expect(Array.from(y32.data)).toEqual(Array.from(Float32Array.from(y64.data)));
    expectSameBits(y32.data as Float32Array, Float32Array.from(y64.data));
  });
});
