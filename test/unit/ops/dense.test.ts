import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { f64 } from "./reference.js";

describe("dense", () => {
  it("y = x·W + b: [[1,2]]·[[1,0,2],[0,1,3]] + [1,1,1] = [[2,3,9]]", () => {
    const y = cl.dense(cl.tensor([[1, 2]]), cl.tensor([[1, 0, 2], [0, 1, 3]]), cl.tensor([1, 1, 1]));
    expect(y.toArray()).toEqual([[2, 3, 9]]);
    expect(cl.dense(cl.tensor([[1, 2]]), cl.tensor([[1, 0, 2], [0, 1, 3]])).toArray()).toEqual([[1, 2, 8]]);
  });
  it("gradcheck x=[3,5] w=[5,4] b=[4]", () => {
    const r = cl.gradcheck((x, w, b) => cl.dense(x!, w!, b!), [cl.randn([3, 5], { seed: 1, ...f64 }), cl.randn([5, 4], { seed: 2, ...f64 }), cl.randn([4], { seed: 3, ...f64 })]);
    expect(r.failures).toEqual([]);
  });
  it("errors", () => {
    expect(() => cl.dense(cl.zeros([2, 5]), cl.zeros([4, 3]))).toThrow(/^dense: input has 5 features but w expects 4 \(x \[2,5\], w \[4,3\]\)$/);
    expect(() => cl.dense(cl.zeros([2, 4]), cl.zeros([4, 3]), cl.zeros([4]))).toThrow(/dense: bias has shape \[4\] but w has 3 units \(expected \[3\]\)/);
    expect(() => cl.dense(cl.zeros([2, 5, 5, 1]), cl.zeros([25, 3]))).toThrow(/dense: x must have rank 2 \[m,nIn\] \(flatten conv activations first/);
  });
});
