import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { f64 } from "./reference.js";

/** Distinct values (no ties), so max pooling is differentiable everywhere gradcheck probes. */
const distinct = (shape: number[], seed: number): cl.Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  const perm = new cl.Rng(seed).permutation(n);
  return cl.tensor(Array.from(perm, (v) => v / n - 0.5), shape, f64);
};

describe("pooling shapes", () => {
  const cases: [string, () => cl.Tensor, number[]][] = [
    ["maxPool2d [1,4,4,1] f=2 (s defaults to f)", () => cl.maxPool2d(cl.zeros([1, 4, 4, 1]), { size: 2 }), [1, 2, 2, 1]],
    ["maxPool2d [2,7,5,3] f=3 s=2 same", () => cl.maxPool2d(cl.zeros([2, 7, 5, 3]), { size: 3, stride: 2, padding: "same" }), [2, 4, 3, 3]],
    ["avgPool2d [1,7,5,1] f=[3,2] s=[2,1] p=[1,1]", () => cl.avgPool2d(cl.zeros([1, 7, 5, 1]), { size: [3, 2], stride: [2, 1], padding: [1, 1] }), [1, 4, 6, 1]],
    ["maxPool1d [2,9,3] f=3 s=2", () => cl.maxPool1d(cl.zeros([2, 9, 3]), { size: 3, stride: 2 }), [2, 4, 3]],
    ["avgPool3d [1,5,6,4,2] f=2 same", () => cl.avgPool3d(cl.zeros([1, 5, 6, 4, 2]), { size: 2, padding: "same" }), [1, 3, 3, 2, 2]],
    ["globalAvgPool2d [2,7,7,5]", () => cl.globalAvgPool2d(cl.zeros([2, 7, 7, 5])), [2, 5]],
    ["globalMaxPool2d [2,7,7,5] keepDims", () => cl.globalMaxPool2d(cl.zeros([2, 7, 7, 5]), { keepDims: true }), [2, 1, 1, 5]],
  ];
  for (const [name, run, shape] of cases) it(name, () => expect(run().shape).toEqual(shape));
  it("the shape rules alone: pool1dShape / pool2dShape / pool3dShape", () => {
    expect(cl.pool2dShape([2, 7, 5, 3], { size: 3, stride: 2, padding: "same" })).toEqual([2, 4, 3, 3]);
    expect(cl.pool1dShape([2, 9, 3], { size: 3, stride: 2 })).toEqual([2, 4, 3]);
    expect(cl.pool3dShape([1, 5, 6, 4, 2], { size: 2, padding: "same" })).toEqual([1, 3, 3, 2, 2]);
    expect(() => cl.pool2dShape([1, 2, 2, 1], { size: 3 })).toThrow(/pool2d: window 3×3 is larger than the padded input 2×2/);
  });
});

describe("pooling values", () => {
  it("avgPool2d same leaves padded positions out: [[1,2],[3,4]] f=2 s=1 → [[2.5,3],[3.5,4]]", () => {
    const y = cl.avgPool2d(cl.tensor([[1, 2], [3, 4]]).reshape([1, 2, 2, 1]), { size: 2, stride: 1, padding: "same" });
    expect(y.reshape([2, 2]).toArray()).toEqual([[2.5, 3], [3.5, 4]]);
  });
  it("maxPool2d with padding never picks a padded zero: all-negative input", () => {
    const y = cl.maxPool2d(cl.full([1, 3, 3, 1], -5), { size: 2, stride: 2, padding: 1 });
    expect(Array.from(y.data)).toEqual([-5, -5, -5, -5]);
  });
  it("pools each channel on its own", () => {
    const x = cl.tensor([1, 10, 2, 20, 3, 30, 4, 40], [1, 2, 2, 2]);
    expect(cl.maxPool2d(x, { size: 2 }).toArray()).toEqual([[[[4, 40]]]]);
    expect(cl.avgPool2d(x, { size: 2 }).toArray()).toEqual([[[[2.5, 25]]]]);
  });
  it("maxPool1d / avgPool1d equal the 2-D pools with height 1", () => {
    const x = cl.randn([2, 9, 3], { seed: 1 });
    const o = { size: 3, stride: 2, padding: "same" as const };
    expectClose(cl.maxPool1d(x, o), cl.maxPool2d(x.reshape([2, 1, 9, 3]), { size: [1, 3], stride: [1, 2], padding: "same" }), { atol: 0, rtol: 0 });
    expectClose(cl.avgPool1d(x, o), cl.avgPool2d(x.reshape([2, 1, 9, 3]), { size: [1, 3], stride: [1, 2], padding: "same" }), { atol: 0, rtol: 0 });
  });
  it("maxPool3d / avgPool3d equal max / mean over each (clipped) box", () => {
    const x = cl.randn([1, 5, 4, 3, 2], { seed: 2, ...f64 });
    const mx = cl.maxPool3d(x, { size: [3, 2, 2], stride: [2, 2, 1], padding: [1, 0, 1] });
    const av = cl.avgPool3d(x, { size: [3, 2, 2], stride: [2, 2, 1], padding: [1, 0, 1] });
    expect(mx.shape).toEqual([1, 3, 2, 4, 2]);
    // output (od=1, oh=0, ow=0, c=1): depth rows 1..3, height 0..1, width −1..0 → 0
    let m = -Infinity, s = 0, n = 0;
    for (let z = 1; z <= 3; z++) for (let yy = 0; yy <= 1; yy++) {
      const v = x.data[((z * 4 + yy) * 3 + 0) * 2 + 1]!;
      m = Math.max(m, v);
      s += v;
      n++;
    }
    const at = (((1 * 2 + 0) * 4 + 0) * 2) + 1;
    expect(mx.data[at]).toBe(m);
    expect(av.data[at]).toBeCloseTo(s / n, 12);
  });
});

describe("pooling gradients (gradcheck, float64)", () => {
  const cases: [string, (x: cl.Tensor) => cl.Tensor, number[]][] = [
    ["maxPool2d f=2 valid", (x) => cl.maxPool2d(x, { size: 2 }), [2, 5, 4, 3]],
    ["maxPool2d f=3 s=2 same (overlapping windows)", (x) => cl.maxPool2d(x, { size: 3, stride: 2, padding: "same" }), [2, 7, 5, 3]],
    ["maxPool2d f=[3,2] s=[1,2] p=[1,1]", (x) => cl.maxPool2d(x, { size: [3, 2], stride: [1, 2], padding: [1, 1] }), [1, 7, 5, 2]],
    ["avgPool2d f=2 valid", (x) => cl.avgPool2d(x, { size: 2 }), [2, 5, 4, 3]],
    ["avgPool2d f=3 s=2 same", (x) => cl.avgPool2d(x, { size: 3, stride: 2, padding: "same" }), [2, 7, 5, 3]],
    ["avgPool2d f=[3,2] s=[1,2] p=[1,1]", (x) => cl.avgPool2d(x, { size: [3, 2], stride: [1, 2], padding: [1, 1] }), [1, 7, 5, 2]],
    ["maxPool1d f=3 s=2 same", (x) => cl.maxPool1d(x, { size: 3, stride: 2, padding: "same" }), [2, 9, 3]],
    ["avgPool1d f=2 p=1", (x) => cl.avgPool1d(x, { size: 2, padding: 1 }), [2, 7, 2]],
    ["maxPool3d f=2 s=[1,2,2] same", (x) => cl.maxPool3d(x, { size: 2, stride: [1, 2, 2], padding: "same" }), [1, 3, 5, 4, 2]],
    ["avgPool3d f=[2,3,2] p=[1,1,0]", (x) => cl.avgPool3d(x, { size: [2, 3, 2], padding: [1, 1, 0] }), [2, 3, 4, 4, 2]],
    ["globalAvgPool2d", (x) => cl.globalAvgPool2d(x), [2, 3, 4, 3]],
    ["globalMaxPool2d keepDims", (x) => cl.globalMaxPool2d(x, { keepDims: true }), [2, 3, 4, 3]],
  ];
  for (const [name, fn, shape] of cases)
    it(`${name} x=[${shape}]`, () => expect(cl.gradcheck((x) => fn(x!), [distinct(shape, 3)]).failures).toEqual([]));
  it("maxPool2d sends each window's gradient to its maximum only", () => {
    const x = cl.tensor([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]]).reshape([1, 4, 4, 1]).requireGrad();
    cl.maxPool2d(x, { size: 2 }).sum().backward();
    expect(x.grad!.reshape([4, 4]).toArray()).toEqual([[0, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]]);
  });
});

describe("pooling errors", () => {
  const x = cl.zeros([1, 4, 4, 1]);
  it("window larger than the padded input", () =>
    expect(() => cl.maxPool2d(cl.zeros([1, 2, 2, 1]), { size: 3 })).toThrow(/maxPool2d: window 3×3 is larger than the padded input 2×2 \(padding valid\)/));
  it("non-positive or non-integer size and stride", () => {
    expect(() => cl.maxPool2d(x, { size: 0 })).toThrow(/maxPool2d: size must be a positive integer \(or 2 of them\), got 0/);
    expect(() => cl.avgPool2d(x, { size: 2, stride: 1.5 })).toThrow(/avgPool2d: stride must be a positive integer \(or 2 of them\), got 1.5/);
    expect(() => cl.maxPool1d(cl.zeros([1, 4, 1]), { size: 2, stride: 0 })).toThrow(/maxPool1d: stride must be a positive integer, got 0/);
  });
  it("missing size", () => expect(() => cl.maxPool2d(x, undefined as unknown as cl.Pool2dOptions)).toThrow(/maxPool2d: the window size is required/));
  it("padding as large as the window", () =>
    expect(() => cl.maxPool2d(x, { size: 2, padding: 2 })).toThrow(/maxPool2d: padding 2 must be smaller than the window 2×2/));
  it("unknown padding", () => expect(() => cl.avgPool2d(x, { size: 2, padding: "full" as "same" })).toThrow(/avgPool2d: unknown padding "full"/));
  it("wrong rank", () => {
    expect(() => cl.maxPool2d(cl.zeros([4, 4]), { size: 2 })).toThrow(/maxPool2d: x must have rank 4 \[m,nH,nW,nC\], got shape \[4,4\] \(rank 2\)/);
    expect(() => cl.maxPool3d(x, { size: 2 })).toThrow(/maxPool3d: x must have rank 5/);
    expect(() => cl.globalAvgPool2d(cl.zeros([7, 7, 1000]))).toThrow(/globalAvgPool2d: x must have rank 4/);
  });
});
