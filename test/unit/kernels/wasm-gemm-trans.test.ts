// The WASM GEMM's transposed operands (transA, transB: the matmul backward) give the same bits as
// the same GEMM on explicitly transposed copies: transposing (assembly/pack.ts's 4×4 blocks) and
// packing only move values, the products and their order are those of the plain GEMM.
import { describe, it, expect, beforeAll } from "vitest";
import "../../../src/index.js";
import { kernel, kernelBackend } from "../../../src/kernels/index.js";
import { currentEngine } from "../../../src/kernels/accelerate.js";
import { Rng } from "../../../src/util/rng.js";
import { randomData } from "./shapes.js";

/** The rows×cols matrix at `off` of `a`, transposed (cols×rows). */
function transposed(a: Float32Array, off: number, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[off + r * cols + c]!;
  return t;
}

const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

beforeAll(() => {
  expect(kernelBackend()).toMatch(/^wasm/);
});

describe("wasm transpose", () => {
  it("equals the element-by-element transpose for 60 random sizes (edges of the 4×4 blocks and 32×32 tiles)", () => {
    const eng = currentEngine()!;
    const r = new Rng(5);
    for (let t = 0; t < 60; t++) {
      const rows = 1 + Math.floor(r.uniform() * 70), cols = 1 + Math.floor(r.uniform() * 70);
      const a = randomData(rows * cols, t);
      eng.reset();
      const src = eng.put(a, 0, rows * cols), dst = eng.alloc(rows * cols * 4);
      eng.exports.transpose(dst, src, rows, cols);
      const got = eng.f32.slice(dst >> 2, (dst >> 2) + rows * cols);
      expect(bits(got), `${rows}×${cols}`).toEqual(bits(transposed(a, 0, rows, cols)));
    }
  });
});

describe("wasm gemm with transposed operands = gemm on transposed copies, bit for bit", () => {
  const gemm = kernel("gemm", "float32");
  const cases: [number, number, number][] = [
    [64, 400, 120], [64, 120, 84], [64, 84, 10], [400, 120, 64], [120, 84, 64], [84, 10, 64], // LeNet-5's dense layers
    [1, 1, 1], [3, 5, 7], [33, 17, 65], [9, 31, 130], [70, 3, 37],
  ];
  for (const [m, n, k] of cases)
    for (const [transA, transB] of [[true, false], [false, true], [true, true]] as const)
      for (const accumulate of [false, true])
        it(`m=${m} n=${n} k=${k} transA=${transA} transB=${transB} accumulate=${accumulate}`, () => {
          const aOffset = 3, bOffset = 5, cOffset = 2;
          const a = randomData(aOffset + m * k, m + k), b = randomData(bOffset + k * n, n + 2 * k), c0 = randomData(cOffset + m * n, 7);
          const c = c0.slice();
          gemm(a, b, c, { m, n, k, transA, transB, accumulate, aOffset, bOffset, cOffset });
          const aPlain = transA ? transposed(a, aOffset, k, m) : a.slice(aOffset, aOffset + m * k);
          const bPlain = transB ? transposed(b, bOffset, n, k) : b.slice(bOffset, bOffset + k * n);
          const ref = c0.slice(cOffset);
          gemm(aPlain, bPlain, ref, { m, n, k, accumulate });
          expect(bits(c.subarray(cOffset))).toEqual(bits(ref));
          expect(bits(c.subarray(0, cOffset))).toEqual(bits(c0.subarray(0, cOffset)));
        });
});
