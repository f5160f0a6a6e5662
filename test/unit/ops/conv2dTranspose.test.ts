import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { f64 } from "./reference.js";

type Opts = cl.Conv2dTransposeOptions;

describe("conv2dTranspose", () => {
  const cases: [string, number[], number[], Opts, number[]][] = [
    ["x=[2,4,3,3] w=[3,3,2,3] valid", [2, 4, 3, 3], [3, 3, 2, 3], {}, [2, 6, 5, 2]],
    ["x=[1,4,3,2] w=[3,2,3,2] s=2 same", [1, 4, 3, 2], [3, 2, 3, 2], { stride: 2, padding: "same" }, [1, 8, 6, 3]],
    ["x=[1,3,4,2] w=[3,3,2,2] s=[2,1] p=[1,0]", [1, 3, 4, 2], [3, 3, 2, 2], { stride: [2, 1], padding: [1, 0] }, [1, 5, 6, 2]],
    ["x=[1,3,3,1] w=[2,3,2,1] s=2 d=2", [1, 3, 3, 1], [2, 3, 2, 1], { stride: 2, dilation: 2 }, [1, 7, 9, 2]],
  ];
  for (const [name, xs, ws, opts, outShape] of cases) {
    it(`shape ${name} → [${outShape}]`, () => {
      expect(cl.conv2dTranspose(cl.zeros(xs), cl.zeros(ws), opts).shape).toEqual(outShape);
      expect(cl.conv2dTransposeShape(xs, ws, opts)).toEqual(outShape);
    });
    it(`is the adjoint of conv2d with the same options: ${name}`, () => {
      const x = cl.randn(xs, { seed: 1, ...f64 }), w = cl.randn(ws, { seed: 2, ...f64 });
      const y = cl.randn(outShape, { seed: 3, ...f64 });
      const lhs = cl.conv2dTranspose(x, w, opts).mul(y).sum().item();
      const rhs = cl.conv2d(y, w, opts as cl.Conv2dOptions).mul(x).sum().item();
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-10 * (1 + Math.abs(rhs)));
    });
    it(`gradcheck ${name} with bias`, () => {
      const x = cl.randn(xs, { seed: 4, ...f64 }), w = cl.randn(ws, { seed: 5, ...f64 }), b = cl.randn([ws[2]!], { seed: 6, ...f64 });
      expect(cl.gradcheck((a, f, c) => cl.conv2dTranspose(a!, f!, { ...opts, bias: c! }), [x, w, b]).failures).toEqual([]);
    });
  }
  it("errors", () => {
    expect(() => cl.conv2dTranspose(cl.zeros([1, 4, 4, 3]), cl.zeros([3, 3, 2, 4]))).toThrow(/^conv2dTranspose: input has 3 channels but filter expects 4 \(x \[1,4,4,3\], w \[3,3,2,4\]\)$/);
    expect(() => cl.conv2dTranspose(cl.zeros([1, 1, 1, 1]), cl.zeros([3, 3, 1, 1]), { padding: 2 })).toThrow(/conv2dTranspose: padding 2 leaves no output/);
    expect(() => cl.conv2dTranspose(cl.zeros([1, 2, 2, 1]), cl.zeros([3, 3, 1, 1]), { padding: "full" as "same" })).toThrow(/conv2dTranspose: unknown padding "full"/);
    expect(() => cl.conv2dTranspose(cl.zeros([1, 2, 2, 1]), cl.zeros([3, 3, 1, 1]), { stride: 0 })).toThrow(/conv2dTranspose: stride must be a positive integer/);
    expect(() => cl.conv2dTranspose(cl.zeros([1, 2, 2, 1]), cl.zeros([3, 3, 2, 1]), { bias: cl.zeros([1]) })).toThrow(/conv2dTranspose: bias has shape \[1\] but the filter has 2 output channels/);
  });
});
