import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { refConv, sameAxis, padAxis, f64 } from "./reference.js";

/** conv1d's oracle: the N-d direct loop with one spatial axis. */
const ref1d = (x: cl.Tensor, w: cl.Tensor, axis: ReturnType<typeof padAxis>) => refConv(x, w, [axis]);

describe("conv1d", () => {
  it("the course's ECG example: 14 ∗ 5 → 10 (16 filters), then 32 filters of 5 → 6×32", () => {
    const a1 = cl.conv1d(cl.randn([1, 14, 1], { seed: 1 }), cl.randn([5, 1, 16], { seed: 2 }));
    expect(a1.shape).toEqual([1, 10, 16]);
    expect(cl.conv1dShape([1, 14, 1], [5, 1, 16])).toEqual([1, 10, 16]);
    expect(cl.conv1d(a1, cl.randn([5, 16, 32], { seed: 3 })).shape).toEqual([1, 6, 32]);
  });

  const cases: [string, number[], number[], cl.Conv1dOptions, ReturnType<typeof padAxis>][] = [
    ["x=[2,9,3] w=[3,3,2] valid", [2, 9, 3], [3, 3, 2], {}, padAxis(9, 3, 1)],
    ["x=[2,9,3] w=[3,3,2] s=2 same", [2, 9, 3], [3, 3, 2], { stride: 2, padding: "same" }, sameAxis(9, 3, 2)],
    ["x=[1,8,2] w=[2,2,3] p=2 s=3", [1, 8, 2], [2, 2, 3], { padding: 2, stride: 3 }, padAxis(8, 2, 3, 1, 2)],
    ["x=[2,11,2] w=[3,2,2] d=2 same", [2, 11, 2], [3, 2, 2], { dilation: 2, padding: "same" }, sameAxis(11, 3, 1, 2)],
  ];
  for (const [name, xs, ws, opts, axis] of cases) {
    it(`forward ${name}`, () => {
      const x = cl.randn(xs, { seed: 5, ...f64 }), w = cl.randn(ws, { seed: 6, ...f64 });
      expectClose(cl.conv1d(x, w, opts), ref1d(x, w, axis), { atol: 1e-12, rtol: 1e-12 });
    });
    it(`gradcheck ${name} with bias`, () => {
      const x = cl.randn(xs, { seed: 7, ...f64 }), w = cl.randn(ws, { seed: 8, ...f64 }), b = cl.randn([ws[2]!], { seed: 9, ...f64 });
      expect(cl.gradcheck((a, f, c) => cl.conv1d(a!, f!, { ...opts, bias: c! }), [x, w, b]).failures).toEqual([]);
    });
  }

  it("errors name conv1d and the 1-D shapes", () => {
    expect(() => cl.conv1d(cl.zeros([1, 14, 2]), cl.zeros([5, 1, 16]))).toThrow(/^conv1d: input has 2 channels but filter expects 1 \(x \[1,14,2\], w \[5,1,16\]\)$/);
    expect(() => cl.conv1d(cl.zeros([14, 1]), cl.zeros([5, 1, 16]))).toThrow(/conv1d: x must have rank 3 \[m,n,c\], got shape \[14,1\]/);
    expect(() => cl.conv1d(cl.zeros([1, 5, 1]), cl.zeros([7, 1, 1]))).toThrow(/conv1d: filter 7 is larger than the padded input 5 \(padding valid\)/);
    expect(() => cl.conv1d(cl.zeros([1, 5, 1]), cl.zeros([3, 1, 1]), { stride: -1 })).toThrow(/conv1d: stride must be a positive integer, got -1/);
    expect(() => cl.conv1d(cl.zeros([1, 5, 1]), cl.zeros([3, 1, 1]), { padding: [1, 1] as unknown as number })).toThrow(/conv1d: unknown padding \[1,1\]/);
    expect(() => cl.conv1d(cl.zeros([1, 5, 1]), cl.zeros([3, 1, 2]), { bias: cl.zeros([1]) })).toThrow(/conv1d: bias has shape \[1\] but the filter has 2 output channels/);
  });
});
