import { describe, it, expect } from "vitest";
import * as cl from "../../src/index.js";
import { expectClose } from "./helpers.js";

describe("tensor creation", () => {
  it("nested arrays give the shape", () => {
    const t = cl.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("float32");
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });
  it("flat values with a shape", () => {
    expect(cl.tensor([1, 2, 3, 4], [2, 2]).toArray()).toEqual([[1, 2], [3, 4]]);
  });
  it("scalar and item()", () => {
    expect(cl.tensor(3.5).item()).toBe(3.5);
    expect(cl.tensor(3.5).shape).toEqual([]);
  });
  it("float64 keeps full precision", () => {
    const t = cl.tensor([0.1], undefined, { dtype: "float64" });
    expect(t.data[0]).toBe(0.1);
    expect(t.data).toBeInstanceOf(Float64Array);
  });
  it("throws on ragged arrays, naming the op", () => {
    expect(() => cl.tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array/);
  });
  it("throws when values do not fill the shape", () => {
    expect(() => cl.tensor([1, 2, 3], [2, 2])).toThrow(/tensor: 3 values do not fill shape \[2,2\] \(4 needed\)/);
  });
  it("item() of many elements is an error", () => {
    expect(() => cl.ones([2]).item()).toThrow(/item: tensor has 2 elements/);
  });
  it("seeded random tensors repeat, different seeds differ", () => {
    const a = cl.randn([100], { seed: 7 }), b = cl.randn([100], { seed: 7 }), c = cl.randn([100], { seed: 8 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });
  it("randn has mean ≈ 0 and std ≈ 1; rand lies in [0, 1)", () => {
    const n = cl.randn([20000], { seed: 1, dtype: "float64" });
    const m = n.mean().item();
    const sd = Math.sqrt(n.sub(m).square().mean().item());
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
    const u = cl.rand([1000], { seed: 2 });
    expect(u.min().item()).toBeGreaterThanOrEqual(0);
    expect(u.max().item()).toBeLessThan(1);
  });
  it("manualSeed makes the default stream reproducible", () => {
    cl.manualSeed(3);
    const a = cl.rand([5]);
    cl.manualSeed(3);
    expect(Array.from(cl.rand([5]).data)).toEqual(Array.from(a.data));
  });
  it("arange, linspace, eye", () => {
    expect(cl.arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(cl.arange(1, 7, 2).toArray()).toEqual([1, 3, 5]);
    expect(cl.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(cl.eye(2).toArray()).toEqual([[1, 0], [0, 1]]);
  });
});

describe("elementwise ops broadcast like NumPy", () => {
  it("[2,3] + [3]", () => {
    expect(cl.tensor([[1, 2, 3], [4, 5, 6]]).add(cl.tensor([10, 20, 30])).toArray()).toEqual([[11, 22, 33], [14, 25, 36]]);
  });
  it("[2,1] * [1,3]", () => {
    expect(cl.tensor([[1], [2]]).mul(cl.tensor([[1, 2, 3]])).toArray()).toEqual([[1, 2, 3], [2, 4, 6]]);
  });
  it("scalars on either side", () => {
    expect(cl.sub(10, cl.tensor([1, 2])).toArray()).toEqual([9, 8]);
    expect(cl.tensor([1, 2]).div(2).toArray()).toEqual([0.5, 1]);
  });
  it("incompatible shapes name the op and both shapes", () => {
    expect(() => cl.add(cl.ones([2, 3]), cl.ones([2]))).toThrow(/add: shapes \[2,3\] and \[2\] do not broadcast/);
  });
  it("unary math", () => {
    expectClose(cl.tensor([1, 4, 9]).sqrt(), [1, 2, 3]);
    expectClose(cl.tensor([0, 1]).exp(), [1, Math.E]);
    expect(cl.tensor([-2, 0, 3]).abs().toArray()).toEqual([2, 0, 3]);
    expect(cl.tensor([-2, 0.5, 3]).clip(0, 1).toArray()).toEqual([0, 0.5, 1]);
  });
});

describe("reductions", () => {
  const x = cl.tensor([[1, 5, 3], [4, 2, 6]]);
  it("sum and mean over axes", () => {
    expect(x.sum().item()).toBe(21);
    expect(x.sum(0).toArray()).toEqual([5, 7, 9]);
    expect(x.sum(1, true).toArray()).toEqual([[9], [12]]);
    expect(x.mean(-1).toArray()).toEqual([3, 4]);
    expect(x.sum([0, 1]).item()).toBe(21);
  });
  it("max, min, argmax, argmin", () => {
    expect(x.max(1).toArray()).toEqual([5, 6]);
    expect(x.min(0).toArray()).toEqual([1, 2, 3]);
    expect(x.argmax(1).toArray()).toEqual([1, 2]);
    expect(x.argmax().item()).toBe(5);
    expect(x.argmin(0).toArray()).toEqual([0, 1, 0]);
  });
  it("a bad axis is an error naming the op", () => {
    expect(() => x.sum(2)).toThrow(/sum: axis 2 is out of range for a tensor of rank 2/);
  });
});

describe("layout ops", () => {
  const x = cl.arange(6).reshape([2, 3]);
  it("reshape with -1, flatten, squeeze, unsqueeze", () => {
    expect(x.reshape([3, -1]).shape).toEqual([3, 2]);
    expect(cl.zeros([2, 3, 4]).flatten(1).shape).toEqual([2, 12]);
    expect(cl.zeros([1, 3, 1]).squeeze().shape).toEqual([3]);
    expect(cl.zeros([3]).unsqueeze(0).shape).toEqual([1, 3]);
    expect(() => x.reshape([4, 2])).toThrow(/reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,2\]/);
  });
  it("transpose and T", () => {
    expect(x.T.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    const y = cl.arange(24).reshape([2, 3, 4]).transpose([2, 0, 1]);
    expect(y.shape).toEqual([4, 2, 3]);
    expect(y.toArray()).toEqual([[[0, 4, 8], [12, 16, 20]], [[1, 5, 9], [13, 17, 21]], [[2, 6, 10], [14, 18, 22]], [[3, 7, 11], [15, 19, 23]]]);
  });
  it("slice, gather, concat, stack", () => {
    expect(x.slice([0, 1], [2, 2]).toArray()).toEqual([[1, 2], [4, 5]]);
    expect(x.slice([1]).toArray()).toEqual([[3, 4, 5]]);
    expect(x.gather([1, 1, 0]).toArray()).toEqual([[3, 4, 5], [3, 4, 5], [0, 1, 2]]);
    expect(cl.concat([x, x], 1).shape).toEqual([2, 6]);
    expect(cl.stack([x, x]).shape).toEqual([2, 2, 3]);
    expect(() => x.slice([1, 2], [2, 1])).toThrow(/slice: begin \[1,2\] size \[2,1\] is out of bounds for shape \[2,3\]/);
    expect(() => x.gather([3])).toThrow(/gather: index 3 at position 0 is out of range for axis 0 of size 2/);
  });
  it("pad and flip", () => {
    expect(cl.tensor([[1, 2]]).pad([[1, 0], [0, 1]]).toArray()).toEqual([[0, 0, 0], [1, 2, 0]]);
    expect(x.flip(1).toArray()).toEqual([[2, 1, 0], [5, 4, 3]]);
    expect(x.flip([0, 1]).toArray()).toEqual([[5, 4, 3], [2, 1, 0]]);
  });
});

describe("matmul", () => {
  it("2-D product", () => {
    expect(cl.tensor([[1, 2], [3, 4]]).matmul(cl.tensor([[5, 6], [7, 8]])).toArray()).toEqual([[19, 22], [43, 50]]);
  });
  it("transposed operands without copies", () => {
    const a = cl.randn([3, 4], { seed: 1 }), b = cl.randn([5, 4], { seed: 2 });
    expectClose(cl.matmul(a, b, { transB: true }), cl.matmul(a, b.T));
    expectClose(cl.matmul(a.T, b.T, { transA: true }), cl.matmul(a, b.T));
  });
  it("batched with broadcast weights", () => {
    const a = cl.randn([2, 3, 4], { seed: 3 }), w = cl.randn([4, 5], { seed: 4 });
    const y = a.matmul(w);
    expect(y.shape).toEqual([2, 3, 5]);
    expectClose(y.slice([1, 0, 0], [1, 3, 5]).reshape([3, 5]), a.slice([1, 0, 0], [1, 3, 4]).reshape([3, 4]).matmul(w));
  });
  it("mismatched inner dimensions", () => {
    expect(() => cl.ones([2, 3]).matmul(cl.ones([4, 2]))).toThrow(/matmul: inner dimensions differ: \[2,3\] · \[4,2\] \(3 vs 4\)/);
  });
});

describe("printing", () => {
  it("integers plainly with the shape", () => {
    expect(cl.tensor([[1, 2], [3, 4]]).toString()).toBe("tensor([[1, 2],\n        [3, 4]], shape=[2,2])");
  });
  it("floats with 4 decimals, float64 marked", () => {
    expect(cl.tensor([1.5, -0.25], undefined, { dtype: "float64" }).toString()).toBe("tensor([ 1.5000, -0.2500], shape=[2], dtype=float64)");
  });
  it("large tensors show their corners", () => {
    const s = cl.arange(2000).toString();
    expect(s).toBe("tensor([   0,    1,    2, ..., 1997, 1998, 1999], shape=[2000])");
  });
});
