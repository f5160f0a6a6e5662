import { describe, it, expect, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** tfjs reference: resize [m,nH,nW,nC] on the CPU backend. */
function tfResize(x: cl.Tensor, size: [number, number], method: "bilinear" | "nearest", alignCorners: boolean): Float32Array {
  const t = tf.tensor(Array.from(x.data), x.shape);
  const r =
    method === "bilinear"
      ? tf.image.resizeBilinear(t as tf.Tensor4D, size, alignCorners, !alignCorners)
      : tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, alignCorners, !alignCorners);
  const out = r.dataSync() as Float32Array;
  t.dispose();
  r.dispose();
  return out;
}

describe("resize", () => {
  it("bilinear, half-pixel centres: [[0,1],[2,3]] 2×2 → 4×4 (hand-computed)", () => {
    const r = cl.data.resize(cl.tensor([[0, 1], [2, 3]]), [4, 4]);
    expect(r.shape).toEqual([4, 4]);
    expectClose(r, [
      [0, 0.25, 0.75, 1],
      [0.5, 0.75, 1.25, 1.5],
      [1.5, 1.75, 2.25, 2.5],
      [2, 2.25, 2.75, 3],
    ], { atol: 1e-6, rtol: 0 });
  });

  const cases: { shape: [number, number, number, number]; size: [number, number] }[] = [
    { shape: [2, 7, 5, 3], size: [16, 11] }, // upsample, odd sizes
    { shape: [1, 20, 17, 1], size: [6, 9] }, // downsample
    { shape: [1, 9, 9, 2], size: [9, 4] }, // one axis unchanged
  ];
  for (const { shape, size } of cases)
    for (const method of ["bilinear", "nearest"] as const)
      for (const alignCorners of [false, true]) {
        it(`${method} x=[${shape}] → [${size}] alignCorners=${alignCorners} equals tf.image (cpu)`, () => {
          const x = cl.rand(shape, { seed: 5 });
          const r = cl.data.resize(x, size, { method, alignCorners });
          expect(r.shape).toEqual([shape[0], size[0], size[1], shape[3]]);
          expectClose(r, tfResize(x, size, method, alignCorners), { atol: 1e-5, rtol: 1e-5 });
        });
      }

  it("[h,w,c] stays rank 3 and keeps float64", () => {
    const x = cl.rand([4, 4, 3], { seed: 1, dtype: "float64" });
    const r = cl.data.resize(x, [2, 2]);
    expect(r.shape).toEqual([2, 2, 3]);
    expect(r.dtype).toBe("float64");
  });

  it("throws for a bad size or rank", () => {
    expect(() => cl.data.resize(cl.zeros([4, 4]), [0, 2])).toThrow(/resize: size must be two positive integers \[h, w\], got \[0,2\]/);
    expect(() => cl.data.resize(cl.zeros([4]), [2, 2])).toThrow(/resize: image must be \[nH,nW\], \[nH,nW,nC\] or \[m,nH,nW,nC\], got \[4\]/);
  });
});
