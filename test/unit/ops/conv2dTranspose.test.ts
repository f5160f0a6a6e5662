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
    // outputPadding (PyTorch's output_padding): out = (n − 1)·s + f_eff − 2p + op
    ["x=[1,3,2,2] w=[3,3,2,2] s=2 p=1 op=1", [1, 3, 2, 2], [3, 3, 2, 2], { stride: 2, padding: 1, outputPadding: 1 }, [1, 6, 4, 2]],
    ["x=[1,2,3,1] w=[2,3,2,1] s=[2,3] op=[1,2]", [1, 2, 3, 1], [2, 3, 2, 1], { stride: [2, 3], outputPadding: [1, 2] }, [1, 5, 11, 2]],
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
      const { outputPadding: _op, ...forward } = opts;
      const rhs = cl.conv2d(y, w, forward as cl.Conv2dOptions).mul(x).sum().item();
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
    expect(() => cl.conv2dTranspose(cl.zeros([1, 2, 2, 1]), cl.zeros([3, 3, 1, 1]), { stride: 2, outputPadding: 2 })).toThrow(/^conv2dTranspose: outputPadding must be smaller than the stride or the dilation \(PyTorch's rule\), got 2 with stride 2 and dilation 1$/);
    expect(() => cl.conv2dTranspose(cl.zeros([1, 2, 2, 1]), cl.zeros([3, 3, 1, 1]), { stride: 2, padding: "same", outputPadding: 1 })).toThrow(/^conv2dTranspose: outputPadding 1 needs "valid" or explicit padding/);
    expect(() => cl.conv2dTranspose(cl.zeros([1, 2, 2, 1]), cl.zeros([3, 3, 1, 1]), { outputPadding: [1] as never })).toThrow(/^conv2dTranspose: outputPadding must be a non-negative integer \(or 2 of them\), got \[1\]/);
  });
});
