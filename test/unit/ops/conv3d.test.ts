import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { refConv, sameAxis, padAxis, f64, type RefAxis } from "./reference.js";

describe("conv3d", () => {
  it("the course's CT example: 14×14×14×1 ∗ 16 filters 5×5×5×1 → 10×10×10×16 ∗ 32 filters 5×5×5×16 → 6×6×6×32", () => {
    const a1 = cl.conv3d(cl.randn([1, 14, 14, 14, 1], { seed: 1 }), cl.randn([5, 5, 5, 1, 16], { seed: 2 }));
    expect(a1.shape).toEqual([1, 10, 10, 10, 16]);
    expect(cl.conv3dShape([1, 10, 10, 10, 16], [5, 5, 5, 16, 32])).toEqual([1, 6, 6, 6, 32]);
    expect(cl.conv3d(a1, cl.randn([5, 5, 5, 16, 32], { seed: 3 })).shape).toEqual([1, 6, 6, 6, 32]);
  });

  const cases: [string, number[], number[], cl.Conv3dOptions, RefAxis[]][] = [
    ["x=[2,5,4,3,2] w=[3,2,2,2,2] valid", [2, 5, 4, 3, 2], [3, 2, 2, 2, 2], {}, [padAxis(5, 3, 1), padAxis(4, 2, 1), padAxis(3, 2, 1)]],
    ["x=[1,5,6,4,2] w=[3,2,3,2,3] s=2 same", [1, 5, 6, 4, 2], [3, 2, 3, 2, 3], { stride: 2, padding: "same" }, [sameAxis(5, 3, 2), sameAxis(6, 2, 2), sameAxis(4, 3, 2)]],
    ["x=[1,5,5,4,1] w=[2,2,2,1,2] p=[1,0,2] s=[1,2,1] d=[2,1,1]", [1, 5, 5, 4, 1], [2, 2, 2, 1, 2], { padding: [1, 0, 2], stride: [1, 2, 1], dilation: [2, 1, 1] },
      [padAxis(5, 2, 1, 2, 1), padAxis(5, 2, 2, 1, 0), padAxis(4, 2, 1, 1, 2)]],
  ];
  for (const [name, xs, ws, opts, axes] of cases) {
    it(`forward ${name}`, () => {
      const x = cl.randn(xs, { seed: 5, ...f64 }), w = cl.randn(ws, { seed: 6, ...f64 });
      expectClose(cl.conv3d(x, w, opts), refConv(x, w, axes), { atol: 1e-12, rtol: 1e-12 });
    });
    it(`gradcheck ${name} with bias`, () => {
      const x = cl.randn(xs, { seed: 7, ...f64 }), w = cl.randn(ws, { seed: 8, ...f64 }), b = cl.randn([ws[4]!], { seed: 9, ...f64 });
      expect(cl.gradcheck((a, f, c) => cl.conv3d(a!, f!, { ...opts, bias: c! }), [x, w, b]).failures).toEqual([]);
    });
  }

  it("errors name conv3d", () => {
    expect(() => cl.conv3d(cl.zeros([1, 4, 4, 4, 2]), cl.zeros([3, 3, 3, 1, 1]))).toThrow(/^conv3d: input has 2 channels but filter expects 1 \(x \[1,4,4,4,2\], w \[3,3,3,1,1\]\)$/);
    expect(() => cl.conv3d(cl.zeros([1, 4, 4, 2]), cl.zeros([3, 3, 3, 2, 1]))).toThrow(/conv3d: x must have rank 5 \[m,d,h,w,c\]/);
    expect(() => cl.conv3d(cl.zeros([1, 4, 4, 4, 1]), cl.zeros([5, 3, 3, 1, 1]))).toThrow(/conv3d: filter 5×3×3 is larger than the padded input 4×4×4 \(padding valid\)/);
    expect(() => cl.conv3d(cl.zeros([1, 4, 4, 4, 1]), cl.zeros([3, 3, 3, 1, 1]), { stride: [1, 1] as unknown as number })).toThrow(/conv3d: stride must be a positive integer \(or 3 of them\), got \[1,1\]/);
  });
});
