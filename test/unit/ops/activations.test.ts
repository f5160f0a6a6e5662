import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { f64 } from "./reference.js";

describe("activations: values", () => {
  const x = cl.tensor([-2, -0.5, 0, 0.5, 3]);
  it("NaN propagates through relu, leakyRelu, sigmoid, tanh", () => {
    const n = cl.tensor([Number.NaN]);
    for (const f of [cl.relu, cl.leakyRelu, cl.sigmoid, cl.tanh]) expect(f(n).item()).toBeNaN();
  });
  it("relu / leakyRelu", () => {
    expect(Array.from(cl.relu(x).data)).toEqual([0, 0, 0, 0.5, 3]);
    expectClose(cl.leakyRelu(x), [-0.02, -0.005, 0, 0.5, 3], { atol: 1e-7, rtol: 0 });
    expectClose(x.leakyRelu(0.2), [-0.4, -0.1, 0, 0.5, 3], { atol: 1e-7, rtol: 0 });
  });
  it("sigmoid and tanh, finite for huge inputs", () => {
    expectClose(cl.sigmoid(cl.tensor([0, 2, -2])), [0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2))], { atol: 1e-7, rtol: 0 });
    expect(Array.from(cl.sigmoid(cl.tensor([1000, -1000], undefined, f64)).data)).toEqual([1, 0]);
    expectClose(x.tanh(), Array.from(x.data, Math.tanh), { atol: 1e-7, rtol: 0 });
  });
  it("softmax / logSoftmax are stable and follow the axis", () => {
    expectClose(cl.softmax(cl.tensor([1000, 1000, 1000 + Math.log(2)], undefined, f64)), [0.25, 0.25, 0.5], { atol: 1e-12, rtol: 0 });
    expectClose(cl.logSoftmax(cl.tensor([1000, 0], undefined, f64)), [0, -1000], { atol: 1e-9, rtol: 0 });
    const z = cl.tensor([[1, 2], [3, 5]], undefined, f64);
    const e = (a: number, b: number) => Math.exp(a) / (Math.exp(a) + Math.exp(b));
    expectClose(z.softmax(0), [[e(1, 3), e(2, 5)], [e(3, 1), e(5, 2)]], { atol: 1e-12, rtol: 0 });
    expectClose(z.logSoftmax(), [[Math.log(e(1, 2)), Math.log(e(2, 1))], [Math.log(e(3, 5)), Math.log(e(5, 3))]], { atol: 1e-12, rtol: 0 });
  });
  it("chainable methods", () => {
    expect(x.relu().sum().item()).toBe(3.5);
    expect(cl.randn([2, 3], { seed: 1 }).softmax().sum(-1).toArray()).toEqual([expect.closeTo(1, 6), expect.closeTo(1, 6)]);
    expect(x.sigmoid().shape).toEqual([5]);
  });
  it("errors", () => {
    expect(() => cl.softmax(x, 1)).toThrow(/softmax: axis 1 is out of range for a tensor of rank 1/);
    expect(() => cl.leakyRelu(x, Number.NaN)).toThrow(/leakyRelu: alpha must be a finite number, got NaN/);
  });
});

describe("activations: gradients (gradcheck, float64)", () => {
  // values kept away from relu's kink at 0
  const x = cl.tensor([[-1.3, 0.7, 2.1, -0.4], [0.3, -2.2, 1.1, 0.9], [1.7, -0.6, -1.5, 0.2]], undefined, f64);
  const cases: [string, (t: cl.Tensor) => cl.Tensor][] = [
    ["relu", (t) => cl.relu(t)],
    ["leakyRelu 0.1", (t) => cl.leakyRelu(t, 0.1)],
    ["sigmoid", (t) => cl.sigmoid(t)],
    ["tanh", (t) => cl.tanh(t)],
    ["softmax axis -1", (t) => cl.softmax(t)],
    ["softmax axis 0", (t) => cl.softmax(t, 0)],
    ["logSoftmax axis -1", (t) => cl.logSoftmax(t)],
    ["logSoftmax axis 0 of [3,2,2]", (t) => cl.logSoftmax(t.reshape([3, 2, 2]), 0)],
  ];
  for (const [name, fn] of cases) it(name, () => expect(cl.gradcheck((t) => fn(t!), [x]).failures).toEqual([]));
});
