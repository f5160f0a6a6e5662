import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { f64 } from "./reference.js";

describe("softmaxCrossEntropy", () => {
  it("equal logits over k classes give log k; labels as number[], Int32Array or tensor", () => {
    const z = cl.zeros([2, 4], f64);
    expect(cl.softmaxCrossEntropy(z, [0, 3]).item()).toBeCloseTo(Math.log(4), 12);
    expect(cl.softmaxCrossEntropy(z, new Int32Array([1, 2])).item()).toBeCloseTo(Math.log(4), 12);
    expect(cl.softmaxCrossEntropy(z, cl.tensor([2, 2])).item()).toBeCloseTo(Math.log(4), 12);
    expect(cl.softmaxCrossEntropy(z, [0, 3]).shape).toEqual([]);
  });
  it("mean over the batch of −log softmax at the label; finite for huge logits", () => {
    const z = cl.tensor([[2, 0], [0, 1000]], undefined, f64);
    const expected = (Math.log(1 + Math.exp(-2)) + 1000) / 2; // row 0 right, row 1 very wrong
    expect(cl.softmaxCrossEntropy(z, [0, 0]).item()).toBeCloseTo(expected, 9);
  });
  it("probability targets equal class ids when one-hot", () => {
    const z = cl.randn([3, 5], { seed: 1, ...f64 });
    const onehot = cl.tensor([[0, 1, 0, 0, 0], [0, 0, 0, 0, 1], [1, 0, 0, 0, 0]], undefined, f64);
    expect(cl.softmaxCrossEntropy(z, onehot).item()).toBeCloseTo(cl.softmaxCrossEntropy(z, [1, 4, 0]).item(), 12);
  });
  it("gradcheck with class ids and with soft targets (both inputs)", () => {
    const z = cl.randn([4, 3], { seed: 2, ...f64 });
    expect(cl.gradcheck((a) => cl.softmaxCrossEntropy(a!, [2, 0, 1, 1]), [z]).failures).toEqual([]);
    const t = cl.softmax(cl.randn([4, 3], { seed: 3, ...f64 }));
    expect(cl.gradcheck((a, b) => cl.softmaxCrossEntropy(a!, b!), [z, t]).failures).toEqual([]);
  });
  it("errors", () => {
    const z = cl.zeros([4, 10]);
    expect(() => cl.softmaxCrossEntropy(z, [1, 2, 3])).toThrow(/^softmaxCrossEntropy: labels have 3 entries but logits have batch 4 \(logits \[4,10\], labels \[3\]\)$/);
    expect(() => cl.softmaxCrossEntropy(z, [1, 2, 12, 3])).toThrow(/softmaxCrossEntropy: label 12 at position 2 is not a class id in 0\.\.9 \(logits \[4,10\]\)/);
    expect(() => cl.softmaxCrossEntropy(z, [1, 2, -1, 3])).toThrow(/label -1 at position 2 is not a class id/);
    expect(() => cl.softmaxCrossEntropy(z, [1, 2, 0.5, 3])).toThrow(/label 0.5 at position 2 is not a class id/);
    expect(() => cl.softmaxCrossEntropy(z, cl.zeros([4, 9]))).toThrow(/softmaxCrossEntropy: target probabilities have shape \[4,9\] but logits have shape \[4,10\]/);
    expect(() => cl.softmaxCrossEntropy(cl.zeros([10]), [1])).toThrow(/softmaxCrossEntropy: logits must have rank 2 \[m,k\], got shape \[10\]/);
  });
});

describe("mse and bce", () => {
  it("mse = mean (pred − target)²", () => {
    expect(cl.mse(cl.tensor([1, 2, 3]), cl.tensor([1, 0, 0])).item()).toBeCloseTo(13 / 3, 6);
  });
  it("bce from logits: finite and exact for huge logits", () => {
    const l = cl.bce(cl.tensor([1000, -1000, 0], undefined, f64), cl.tensor([1, 1, 0], undefined, f64));
    expect(l.item()).toBeCloseTo((0 + 1000 + Math.log(2)) / 3, 9);
  });
  it("bce from probabilities: −[t log p + (1 − t) log(1 − p)]", () => {
    const l = cl.bce(cl.tensor([0.9, 0.2], undefined, f64), cl.tensor([1, 0], undefined, f64), { fromLogits: false });
    expect(l.item()).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    const sig = (z: number) => 1 / (1 + Math.exp(-z));
    const z = cl.tensor([0.3, -1.2, 2], undefined, f64), t = cl.tensor([1, 0, 0.5], undefined, f64);
    expect(cl.bce(z, t).item()).toBeCloseTo(cl.bce(cl.tensor([0.3, -1.2, 2].map(sig), undefined, f64), t, { fromLogits: false }).item(), 12);
  });
  it("gradcheck mse, bce (logits), bce (probabilities) in both inputs", () => {
    const p = cl.randn([3, 4], { seed: 1, ...f64 }), t = cl.rand([3, 4], { seed: 2, ...f64 });
    expect(cl.gradcheck((a, b) => cl.mse(a!, b!), [p, t]).failures).toEqual([]);
    expect(cl.gradcheck((a, b) => cl.bce(a!, b!), [p.mul(3), t]).failures).toEqual([]);
    const q = cl.rand([3, 4], { seed: 3, low: 0.1, high: 0.9, ...f64 });
    expect(cl.gradcheck((a, b) => cl.bce(a!, b!, { fromLogits: false }), [q, t]).failures).toEqual([]);
  });
  it("shape mismatch errors", () => {
    expect(() => cl.mse(cl.zeros([2, 3]), cl.zeros([2, 4]))).toThrow(/^mse: pred has shape \[2,3\] but target has shape \[2,4\]$/);
    expect(() => cl.bce(cl.zeros([2, 3]), cl.zeros([3, 2]))).toThrow(/^bce: logits has shape \[2,3\] but targets has shape \[3,2\]$/);
    expect(() => cl.bce(cl.zeros([3]), cl.zeros([2]), { fromLogits: false })).toThrow(/^bce: pred has shape \[3\] but targets has shape \[2\]$/);
  });
});
