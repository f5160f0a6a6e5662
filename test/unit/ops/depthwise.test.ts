import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { refConv, sameAxis, padAxis, f64, type RefAxis } from "./reference.js";

describe("depthwiseConv2d", () => {
  const cases: [string, number[], number[], cl.Conv2dOptions, RefAxis[]][] = [
    ["x=[2,5,4,3] w=[3,2,3,1] valid", [2, 5, 4, 3], [3, 2, 3, 1], {}, [padAxis(5, 3, 1), padAxis(4, 2, 1)]],
    ["x=[2,7,5,3] w=[3,3,3,2] s=2 same", [2, 7, 5, 3], [3, 3, 3, 2], { stride: 2, padding: "same" }, [sameAxis(7, 3, 2), sameAxis(5, 3, 2)]],
    ["x=[1,7,6,2] w=[2,3,2,3] p=[1,2] d=2", [1, 7, 6, 2], [2, 3, 2, 3], { padding: [1, 2], dilation: 2 }, [padAxis(7, 2, 1, 2, 1), padAxis(6, 3, 1, 2, 2)]],
  ];
  for (const [name, xs, ws, opts, axes] of cases) {
    it(`forward ${name}: output channel ci·mult + j reads input channel ci`, () => {
      const x = cl.randn(xs, { seed: 1, ...f64 }), w = cl.randn(ws, { seed: 2, ...f64 });
      expectClose(cl.depthwiseConv2d(x, w, opts), refConv(x, w, axes, true), { atol: 1e-12, rtol: 1e-12 });
    });
    it(`gradcheck ${name} with bias`, () => {
      const x = cl.randn(xs, { seed: 3, ...f64 }), w = cl.randn(ws, { seed: 4, ...f64 });
      const b = cl.randn([xs[3]! * ws[3]!], { seed: 5, ...f64 });
      expect(cl.gradcheck((a, f, c) => cl.depthwiseConv2d(a!, f!, { ...opts, bias: c! }), [x, w, b]).failures).toEqual([]);
    });
  }
  it("depthwiseConv2dShape: [m, h_out, w_out, c·mult]", () =>
    expect(cl.depthwiseConv2dShape([2, 7, 5, 3], [3, 3, 3, 2], { stride: 2, padding: "same" })).toEqual([2, 4, 3, 6]));
  it("errors name depthwiseConv2d", () => {
    expect(() => cl.depthwiseConv2d(cl.zeros([1, 5, 5, 3]), cl.zeros([3, 3, 1, 2]))).toThrow(/^depthwiseConv2d: input has 3 channels but filter expects 1 \(x \[1,5,5,3\], w \[3,3,1,2\]\)$/);
    expect(() => cl.depthwiseConv2d(cl.zeros([1, 5, 5, 3]), cl.zeros([3, 3, 3, 2]), { bias: cl.zeros([3]) })).toThrow(/depthwiseConv2d: bias has shape \[3\] but the filter has 6 output channels \(expected \[6\]\)/);
    expect(() => cl.depthwiseConv2d(cl.zeros([1, 2, 2, 1]), cl.zeros([3, 3, 1, 1]))).toThrow(/depthwiseConv2d: filter 3×3 is larger than the padded input 2×2/);
  });
});
