import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { refConv, sameAxis, padAxis, f64, type RefAxis } from "./reference.js";

type Opts = cl.Conv2dOptions;

describe("conv2d shape rule", () => {
  const cases: [string, number[], number[], Opts, number[]][] = [
    ["x=[1,6,6,1] w=[3,3,1,1] valid", [1, 6, 6, 1], [3, 3, 1, 1], {}, [1, 4, 4, 1]],
    ["x=[1,6,6,1] w=[3,3,1,1] p=1", [1, 6, 6, 1], [3, 3, 1, 1], { padding: 1 }, [1, 6, 6, 1]],
    ["x=[1,7,7,1] w=[3,3,1,1] s=2", [1, 7, 7, 1], [3, 3, 1, 1], { stride: 2 }, [1, 3, 3, 1]],
    ["x=[2,7,5,3] w=[3,2,3,4] same s=2", [2, 7, 5, 3], [3, 2, 3, 4], { padding: "same", stride: 2 }, [2, 4, 3, 4]],
    ["x=[1,7,5,1] w=[3,3,1,2] p=[1,2] s=[2,1]", [1, 7, 5, 1], [3, 3, 1, 2], { padding: [1, 2], stride: [2, 1] }, [1, 4, 7, 2]],
    ["x=[1,9,9,1] w=[3,3,1,1] d=2", [1, 9, 9, 1], [3, 3, 1, 1], { dilation: 2 }, [1, 5, 5, 1]],
    ["x=[1,9,8,1] w=[3,3,1,1] d=[2,3] same", [1, 9, 8, 1], [3, 3, 1, 1], { dilation: [2, 3], padding: "same" }, [1, 9, 8, 1]],
    ["39×39×3 f=3 s=1 10 filters", [1, 39, 39, 3], [3, 3, 3, 10], {}, [1, 37, 37, 10]],
    ["37×37×10 f=5 s=2 20 filters", [1, 37, 37, 10], [5, 5, 10, 20], { stride: 2 }, [1, 17, 17, 20]],
    ["17×17×20 f=5 s=2 40 filters", [1, 17, 17, 20], [5, 5, 20, 40], { stride: 2 }, [1, 7, 7, 40]],
  ];
  for (const [name, xs, ws, opts, out] of cases)
    it(name, () => {
      expect(cl.conv2d(cl.zeros(xs), cl.zeros(ws), opts).shape).toEqual(out);
      expect(cl.conv2dShape(xs, ws, opts)).toEqual(out); // the shape rule alone
    });
  it("conv2dShape checks like conv2d", () =>
    expect(() => cl.conv2dShape([1, 6, 6, 3], [3, 3, 1, 2])).toThrow(/^conv2d: input has 3 channels but filter expects 1 \(x \[1,6,6,3\], w \[3,3,1,2\]\)$/));

  it("outputSize: floor((n + 2p − f_eff)/s + 1), same = ceil(n/s)", () => {
    expect(cl.outputSize(6, 3)).toBe(4);
    expect(cl.outputSize(6, 3, { padding: 1 })).toBe(6);
    expect(cl.outputSize(7, 3, { stride: 2 })).toBe(3);
    expect(cl.outputSize(7, 3, { stride: 2, padding: "same" })).toBe(4);
    expect(cl.outputSize(9, 3, { dilation: 2 })).toBe(5);
    expect(cl.outputSize(32, 5)).toBe(28);
    expect(() => cl.outputSize(5, 7)).toThrow(/outputSize: filter 7 is larger than the padded input 5 \(padding valid\)/);
    expect(() => cl.outputSize(5, 3, { stride: 0 })).toThrow(/outputSize: stride must be a positive integer, got 0/);
    expect(() => cl.outputSize(5, 3, { padding: -1 })).toThrow(/outputSize: unknown padding -1/);
  });
});

/** Runs conv2d and the direct-loop oracle on the same float64 inputs. */
function checkForward(xs: number[], ws: number[], opts: Opts, axes: [RefAxis, RefAxis], seed: number): void {
  const x = cl.randn(xs, { seed, ...f64 });
  const w = cl.randn(ws, { seed: seed + 1, ...f64 });
  expectClose(cl.conv2d(x, w, opts), refConv(x, w, axes), { atol: 1e-12, rtol: 1e-12 });
}

describe("conv2d forward (against a direct loop)", () => {
  it("x=[2,7,5,3] w=[3,2,3,4] s=2 p=same", () =>
    checkForward([2, 7, 5, 3], [3, 2, 3, 4], { stride: 2, padding: "same" }, [sameAxis(7, 3, 2), sameAxis(5, 2, 2)], 1));
  it("x=[1,7,5,2] w=[3,3,2,2] p=[1,2] s=[2,1]", () =>
    checkForward([1, 7, 5, 2], [3, 3, 2, 2], { padding: [1, 2], stride: [2, 1] }, [padAxis(7, 3, 2, 1, 1), padAxis(5, 3, 1, 1, 2)], 2));
  it("x=[2,9,8,3] w=[3,2,3,2] d=2 s=2 p=same", () =>
    checkForward([2, 9, 8, 3], [3, 2, 3, 2], { dilation: 2, stride: 2, padding: "same" }, [sameAxis(9, 3, 2, 2), sameAxis(8, 2, 2, 2)], 3));
  it("x=[1,8,8,3] w=[1,1,3,5] pointwise", () =>
    checkForward([1, 8, 8, 3], [1, 1, 3, 5], {}, [padAxis(8, 1, 1), padAxis(8, 1, 1)], 4));
  it("x=[1,20,20,64] w=[3,3,64,3] p=1: several im2col chunks", () =>
    checkForward([1, 20, 20, 64], [3, 3, 64, 3], { padding: 1 }, [padAxis(20, 3, 1, 1, 1), padAxis(20, 3, 1, 1, 1)], 5));

  it("adds the bias to every position", () => {
    const x = cl.randn([1, 4, 4, 2], { seed: 1 });
    const w = cl.randn([3, 3, 2, 3], { seed: 2 });
    const b = cl.tensor([1, -2, 0.5]);
    const y = cl.conv2d(x, w, { bias: b }), y0 = cl.conv2d(x, w);
    expectClose(y, cl.add(y0, b), { atol: 1e-6, rtol: 0 });
  });

  it("float32 x with a float64 filter gives float64", () => {
    const y = cl.conv2d(cl.ones([1, 3, 3, 1]), cl.ones([3, 3, 1, 1], f64));
    expect(y.dtype).toBe("float64");
    expect(y.item()).toBe(9);
  });

  it("convolve2d is conv2d with the kernel flipped on both axes", () => {
    const x = cl.randn([1, 6, 5, 2], { seed: 3, ...f64 });
    const w = cl.randn([3, 2, 2, 2], { seed: 4, ...f64 });
    expectClose(cl.convolve2d(x, w, { padding: "same" }), cl.conv2d(x, cl.flip(w, [0, 1]), { padding: "same" }), { atol: 1e-12, rtol: 0 });
  });
});

describe("conv2d gradients (gradcheck, float64)", () => {
  const cases: [string, number[], number[], Opts][] = [
    ["x=[2,7,5,3] w=[3,2,3,2] valid", [2, 7, 5, 3], [3, 2, 3, 2], {}],
    ["x=[2,7,5,3] w=[3,2,3,2] s=2 same", [2, 7, 5, 3], [3, 2, 3, 2], { stride: 2, padding: "same" }],
    ["x=[1,7,5,3] w=[3,2,3,2] p=[1,2] s=[2,1]", [1, 7, 5, 3], [3, 2, 3, 2], { padding: [1, 2], stride: [2, 1] }],
    ["x=[2,7,6,2] w=[3,2,2,2] d=2 same", [2, 7, 6, 2], [3, 2, 2, 2], { dilation: 2, padding: "same" }],
    ["x=[1,7,7,2] w=[2,3,2,3] d=[2,1] s=2 p=1", [1, 7, 7, 2], [2, 3, 2, 3], { dilation: [2, 1], stride: 2, padding: 1 }],
    ["x=[2,4,5,3] w=[1,1,3,2] pointwise", [2, 4, 5, 3], [1, 1, 3, 2], {}],
  ];
  for (const [name, xs, ws, opts] of cases)
    it(name, () => {
      const x = cl.randn(xs, { seed: 11, ...f64 });
      const w = cl.randn(ws, { seed: 12, ...f64 });
      const b = cl.randn([ws[3]!], { seed: 13, ...f64 });
      const r = cl.gradcheck((a, f, bias) => cl.conv2d(a!, f!, { ...opts, bias: bias! }), [x, w, b]);
      expect(r.failures).toEqual([]);
    });
  it("convolve2d x=[1,5,4,2] w=[3,2,2,2] same", () => {
    const r = cl.gradcheck((a, f) => cl.convolve2d(a!, f!, { padding: "same" }), [cl.randn([1, 5, 4, 2], { seed: 1, ...f64 }), cl.randn([3, 2, 2, 2], { seed: 2, ...f64 })]);
    expect(r.failures).toEqual([]);
  });
});

/** ⟨a, b⟩ over all elements. */
const dot = (a: cl.Tensor, b: cl.Tensor): number => a.mul(b).sum().item();

describe("conv2d/conv3d adjoint identities on inputs large enough for several im2col chunks", () => {
  // conv is bilinear, so for y = conv(x, w) and any dy: ⟨y, dy⟩ = ⟨x, ∂x⟩ = ⟨w, ∂w⟩ exactly (float64)
  /** Runs conv on random float64 x, w and checks both identities; returns y's shape. */
  const adjoint = (xs: number[], ws: number[], conv: (x: cl.Tensor, w: cl.Tensor) => cl.Tensor): number[] => {
    const x = cl.randn(xs, { seed: 1, ...f64 }).requireGrad(), w = cl.randn(ws, { seed: 2, ...f64 }).requireGrad();
    const y = conv(x, w);
    const dy = cl.randn(y.shape, { seed: 3, ...f64 });
    y.backward(dy);
    const ref = dot(y, dy);
    expect(Math.abs(dot(x, x.grad!) - ref)).toBeLessThan(1e-9 * Math.abs(ref) + 1e-9);
    expect(Math.abs(dot(w, w.grad!) - ref)).toBeLessThan(1e-9 * Math.abs(ref) + 1e-9);
    return y.shape;
  };
  it("conv2d x=[2,21,19,200] w=[3,2,200,3] s=2 d=[1,2] p=[1,2]", () =>
    expect(adjoint([2, 21, 19, 200], [3, 2, 200, 3], (x, w) => cl.conv2d(x, w, { stride: 2, dilation: [1, 2], padding: [1, 2] }))).toEqual([2, 11, 11, 3]));
  it("conv3d x=[1,6,7,8,60] w=[2,3,2,60,2] s=[1,2,1] same", () =>
    expect(adjoint([1, 6, 7, 8, 60], [2, 3, 2, 60, 2], (x, w) => cl.conv3d(x, w, { stride: [1, 2, 1], padding: "same" }))).toEqual([1, 6, 4, 8, 2]));
});

describe("conv2d errors", () => {
  const x = cl.zeros([1, 6, 6, 3]);
  it("channel mismatch names both shapes", () =>
    expect(() => cl.conv2d(x, cl.zeros([3, 3, 1, 2]))).toThrow(/^conv2d: input has 3 channels but filter expects 1 \(x \[1,6,6,3\], w \[3,3,1,2\]\)$/));
  it("wrong rank", () => {
    expect(() => cl.conv2d(cl.zeros([6, 6]), cl.zeros([3, 3, 1, 1]))).toThrow(/conv2d: x must have rank 4 \[m,nH,nW,nC_prev\], got shape \[6,6\] \(rank 2\)/);
    expect(() => cl.conv2d(x, cl.zeros([3, 3]))).toThrow(/conv2d: w must have rank 4 \[f,f,nC_prev,nC\], got shape \[3,3\]/);
  });
  it("filter larger than the padded input", () => {
    expect(() => cl.conv2d(cl.zeros([1, 5, 5, 1]), cl.zeros([7, 7, 1, 1]))).toThrow(/conv2d: filter 7×7 is larger than the padded input 5×5 \(padding valid\)/);
    expect(() => cl.conv2d(cl.zeros([1, 5, 5, 1]), cl.zeros([7, 7, 1, 1]), { padding: [1, 0] })).toThrow(/filter 7×7 is larger than the padded input 7×5 \(padding \[1,0\]\)/);
    expect(() => cl.conv2d(cl.zeros([1, 5, 5, 1]), cl.zeros([3, 3, 1, 1]), { dilation: 3 })).toThrow(/filter 3×3 with dilation 3 \(effective 7×7\) is larger than the padded input 5×5/);
  });
  it("non-positive or non-integer stride and dilation", () => {
    expect(() => cl.conv2d(x, cl.zeros([3, 3, 3, 1]), { stride: 0 })).toThrow(/conv2d: stride must be a positive integer \(or 2 of them\), got 0/);
    expect(() => cl.conv2d(x, cl.zeros([3, 3, 3, 1]), { stride: [1, -2] })).toThrow(/conv2d: stride must be a positive integer \(or 2 of them\), got \[1,-2\]/);
    expect(() => cl.conv2d(x, cl.zeros([3, 3, 3, 1]), { stride: 1.5 })).toThrow(/stride must be a positive integer/);
    expect(() => cl.conv2d(x, cl.zeros([3, 3, 3, 1]), { dilation: 0 })).toThrow(/conv2d: dilation must be a positive integer \(or 2 of them\), got 0/);
  });
  it("unknown or negative padding", () => {
    expect(() => cl.conv2d(x, cl.zeros([3, 3, 3, 1]), { padding: "full" as "same" })).toThrow(/conv2d: unknown padding "full" \(expected "valid", "same"/);
    expect(() => cl.conv2d(x, cl.zeros([3, 3, 3, 1]), { padding: -1 })).toThrow(/conv2d: unknown padding -1/);
    expect(() => cl.conv2d(x, cl.zeros([3, 3, 3, 1]), { padding: [1, 1, 1] as unknown as [number, number] })).toThrow(/conv2d: unknown padding \[1,1,1\]/);
  });
  it("bias of the wrong length", () =>
    expect(() => cl.conv2d(x, cl.zeros([3, 3, 3, 2]), { bias: cl.zeros([3]) })).toThrow(/conv2d: bias has shape \[3\] but the filter has 2 output channels \(expected \[2\]\)/));
  it("convolve2d names itself", () =>
    expect(() => cl.convolve2d(x, cl.zeros([3, 3, 1, 2]))).toThrow(/^convolve2d: input has 3 channels but filter expects 1/));
});
