// The WASM leaky-ReLU kernels (forward and gradient) against the TypeScript reference, bit for bit:
// the product alpha·x is taken in float64 and rounded to float32 as the reference stores it, so
// slopes that are not exact in float32 (0.1, 1/3) give the reference's bits too. Every length
// 1–13 (the scalar tail), a long array, and the special values (±0, ±Inf, NaN, subnormals).
import { describe, it, expect, beforeAll } from "vitest";
import "../../../src/index.js";
import { kernel, kernelBackend, referenceKernels } from "../../../src/kernels/index.js";
import { Rng } from "../../../src/util/rng.js";
import { firstDiff, withSpecials } from "./bits.js";

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, -1e-38, 3e38, -3e38, -1, 1];

const values = (r: Rng, n: number): Float32Array => withSpecials(r, n, 3, SPECIAL, 5);

beforeAll(() => {
  expect(kernelBackend()).toMatch(/^wasm/);
});

describe("wasm leakyRelu / leakyReluGrad equal the reference bit for bit", () => {
  for (const alpha of [0.1, 0.01, 0.2, 1 / 3, 0])
    it(`alpha ${alpha}`, () => {
      const r = new Rng(Math.round(alpha * 1000) + 1);
      for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 4099]) {
        const x = values(r, n), dy = values(r, n);
        const y = new Float32Array(n), yR = new Float32Array(n), g = new Float32Array(n), gR = new Float32Array(n);
        kernel("leakyRelu", "float32")(x, y, alpha);
        referenceKernels.leakyRelu(x, yR, alpha);
        expect(firstDiff(y, yR), `forward n=${n}`).toBe("");
        kernel("leakyReluGrad", "float32")(dy, x, g, alpha);
        referenceKernels.leakyReluGrad(dy, x, gR, alpha);
        expect(firstDiff(g, gR), `gradient n=${n}`).toBe("");
      }
    });
});
