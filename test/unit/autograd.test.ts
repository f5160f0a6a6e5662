import { describe, it, expect } from "vitest";
import * as cl from "../../src/index.js";

const f64 = { dtype: "float64" as const };

describe("autograd", () => {
  it("accumulates through shared subexpressions and broadcasts", () => {
    const a = cl.tensor([[1, 2], [3, 4]], undefined, { requiresGrad: true });
    const b = cl.tensor([10, 20], undefined, { requiresGrad: true });
    const y = a.add(b).mul(a).sum(); // Σ (a + b)·a
    y.backward();
    expect(y.item()).toBe(190);
    expect(a.grad!.toArray()).toEqual([[12, 24], [16, 28]]); // 2a + b
    expect(b.grad!.toArray()).toEqual([4, 6]); // Σ over rows of a
  });
  it("grads add up over backward calls until zeroGrad", () => {
    const x = cl.tensor([3], undefined, { requiresGrad: true });
    x.square().sum().backward();
    x.square().sum().backward();
    expect(x.grad!.item()).toBe(12);
    x.zeroGrad();
    expect(x.grad).toBeNull();
  });
  it("noGrad records nothing; detach cuts the graph", () => {
    const x = cl.ones([2], { requiresGrad: true });
    const y = cl.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(x.mul(2).detach().requiresGrad).toBe(false);
    expect(() => y.sum().backward()).toThrow(/backward: this tensor does not require grad/);
  });
  it("backward of a non-scalar needs an explicit gradient", () => {
    const x = cl.ones([2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(/backward: a gradient can be implied only for a one-element output, got shape \[2\]/);
  });
  it("leaves never share a gradient array with each other or with the caller's seed", () => {
    const a = cl.tensor([1, 2], undefined, { requiresGrad: true });
    const b = cl.tensor([3, 4], undefined, { requiresGrad: true });
    const seed = cl.tensor([1, 1]);
    a.reshape([2, 1]).add(b.reshape([2, 1])).reshape([2]).backward(seed);
    expect(a.grad!.data).not.toBe(b.grad!.data);
    expect(a.grad!.data).not.toBe(seed.data);
    a.grad!.data[0] = 99;
    expect(b.grad!.toArray()).toEqual([1, 1]);
    expect(seed.toArray()).toEqual([1, 1]);
  });
  it("retainGrad keeps an intermediate gradient", () => {
    const x = cl.tensor([1, 2], undefined, { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    h.square().sum().backward();
    expect(h.grad!.toArray()).toEqual([6, 12]);
  });
});

describe("gradcheck (float64 central differences)", () => {
  const x = cl.randn([3, 4], { seed: 1, ...f64 });
  const w = cl.randn([4, 5], { seed: 2, ...f64 });
  const pos = cl.rand([3, 4], { seed: 3, low: 0.5, high: 2, ...f64 });
  const cases: [string, (...t: cl.Tensor[]) => cl.Tensor, cl.Tensor[]][] = [
    ["matmul", (a, b) => a!.matmul(b!), [x, w]],
    ["matmul transA/transB", (a, b) => cl.matmul(a!.T, b!.T, { transA: true, transB: true }), [x, w]],
    ["batched matmul with broadcast weights", (a, b) => a!.reshape([3, 1, 4]).matmul(b!), [x, w]],
    ["add/sub/mul/div broadcast", (a, b) => a!.add(b!.slice([0, 0], [1, 4])).mul(a!).div(b!.slice([0, 0], [1, 4]).add(3)).sub(a!.sum(0)), [x, w]],
    ["pow with tensor exponent", (a, b) => cl.pow(a!, b!.slice([0, 0], [3, 4]).mul(0.3)), [pos, cl.randn([4, 4], { seed: 5, ...f64 })]],
    ["maximum/minimum", (a, b) => cl.maximum(a!, b!).add(cl.minimum(a!, b!.mul(2))), [x, cl.randn([3, 4], { seed: 6, ...f64 })]],
    ["exp/log/sqrt/abs/square", (a) => a!.exp().add(a!.log()).add(a!.sqrt()).add(a!.abs()).add(a!.square()), [pos]],
    ["sum/mean over axes", (a) => a!.sum(0).add(a!.mean(1).sum()).add(a!.mean([0, 1], true).sum()), [x]],
    ["max/min over axes", (a) => a!.max(1).add(a!.min(0).sum()).add(a!.max()), [x]],
    ["transpose/reshape/slice/pad/flip", (a) => a!.transpose().reshape([2, 6]).slice([0, 1], [2, 3]).pad([[1, 0], [0, 2]]).flip(1), [x]],
    ["concat/stack/gather", (a) => cl.concat([a!, cl.stack([a!, a!], 2).sum(2)], 1).gather([2, 0, 2]), [x]],
    ["broadcastTo", (a) => a!.slice([0, 0], [1, 4]).broadcastTo([3, 3, 4]), [x]],
  ];
  for (const [name, fn, inputs] of cases)
    it(name, () => {
      const r = cl.gradcheck(fn, inputs);
      expect(r.failures).toEqual([]);
      expect(r.ok).toBe(true);
    });
  it("fails for a wrong gradient", () => {
    // x·detach(x) has derivative 2x, but autograd sees only x: gradcheck must catch the mismatch.
    const r = cl.gradcheck((a) => a!.mul(a!.detach()), [x]);
    expect(r.ok).toBe(false);
  });
});
