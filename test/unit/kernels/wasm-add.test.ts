// The WASM addN kernel (float32 sums of same-length arrays, chunk by chunk through the arena)
// against the TypeScript reference, bit for bit: 2–5 inputs, every length 1–13 (the scalar tail),
// lengths across chunks (16 Ki floats), views, and the special values (±0, ±Inf, NaN, subnormals,
// sums that overflow).
import { describe, it, expect, beforeAll } from "vitest";
import "../../../src/index.js";
import { kernel, kernelBackend, referenceKernels } from "../../../src/kernels/index.js";
import { Rng } from "../../../src/util/rng.js";
import { firstDiff, withSpecials } from "./bits.js";

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3.4e38, -3.4e38, 1, -1];

const values = (r: Rng, n: number): Float32Array => withSpecials(r, n, 100, SPECIAL, 3, n);

beforeAll(() => {
  expect(kernelBackend()).toMatch(/^wasm/);
});

describe("wasm addN equals the reference bit for bit", () => {
  it("2–5 inputs, lengths 1–13 and across chunks", () => {
    const r = new Rng(5);
    for (const k of [2, 3, 4, 5])
      for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 4099, 2 * 16384 + 7]) {
        const xs = Array.from({ length: k }, () => values(r, n));
        const out = new Float32Array(n).fill(7), want = new Float32Array(n);
        kernel("addN", "float32")(xs, out);
        referenceKernels.addN(xs, want);
        expect(firstDiff(out, want), `${k} inputs, n = ${n}`).toBe("");
      }
  });
  it("on views into larger arrays", () => {
    const r = new Rng(6);
    const big = values(r, 5000), other = values(r, 4100);
    const xs = [big.subarray(3, 4103), other.subarray(0, 4100)];
    const out = new Float32Array(6000).subarray(1000, 5100), want = new Float32Array(4100);
    kernel("addN", "float32")(xs, out);
    referenceKernels.addN(xs, want);
    expect(firstDiff(out, want)).toBe("");
  });
});
