import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { f64 } from "./reference.js";

// The kernels are tested against each other in test/unit/kernels/wasm-batchnorm.test.ts.

const stats = (c: number) => ({ runningMean: cl.zeros([c], f64), runningVar: cl.ones([c], f64) });

describe("batchNorm", () => {
  it("training: each channel of the output has mean β and std γ (biased variance)", () => {
    const x = cl.randn([4, 3, 3, 2], { seed: 1, ...f64, mean: 5, std: 3 });
    const y = cl.batchNorm(x, cl.tensor([2, 1], undefined, f64), cl.tensor([0.5, -1], undefined, f64), { training: true, ...stats(2) });
    const flat = y.reshape([-1, 2]);
    expectClose(flat.mean(0), [0.5, -1], { atol: 1e-12, rtol: 0 });
    const sd = flat.sub(flat.mean(0)).square().mean(0).sqrt();
    expectClose(sd, [2 * Math.sqrt(1 / (1 + 1e-5 / 9)), 1], { atol: 1e-3, rtol: 0 });
  });

  it("training updates the running stats in place: (1 − momentum)·old + momentum·batch, unbiased variance", () => {
    // channel 0: 1, 3, 5, 7 → mean 4, unbiased var 20/3; channel 1: 2, 2, 2, 2 → mean 2, var 0
    const x = cl.tensor([[1, 2], [3, 2], [5, 2], [7, 2]], undefined, f64);
    const s = stats(2);
    const y = cl.batchNorm(x, cl.ones([2], f64), cl.zeros([2], f64), { training: true, ...s, momentum: 0.5 });
    expectClose(s.runningMean, [2, 1], { atol: 1e-12, rtol: 0 });
    expectClose(s.runningVar, [0.5 + 0.5 * (20 / 3), 0.5], { atol: 1e-12, rtol: 0 });
    // normalized with the biased variance 5
    expectClose(y.slice([0, 0], [4, 1]), [-3, -1, 1, 3].map((v) => v / Math.sqrt(5 + 1e-5)), { atol: 1e-12, rtol: 0 });
    expectClose(y.slice([0, 1], [4, 1]), [0, 0, 0, 0], { atol: 0, rtol: 0 });
  });

  it("eval uses the running stats and leaves them alone", () => {
    const x = cl.tensor([[1, 2], [3, 4]], undefined, f64);
    const s = { runningMean: cl.tensor([1, 2], undefined, f64), runningVar: cl.tensor([4, 1], undefined, f64) };
    const y = cl.batchNorm(x, cl.tensor([1, 3], undefined, f64), cl.tensor([0, 1], undefined, f64), { training: false, ...s, eps: 0 });
    expectClose(y, [[0, 1], [1, 7]], { atol: 1e-12, rtol: 0 });
    expect(s.runningMean.toArray()).toEqual([1, 2]);
    expect(s.runningVar.toArray()).toEqual([4, 1]);
  });

  for (const training of [true, false])
    it(`gradcheck x=[2,3,2,3] (training ${training}) in x, gamma and beta`, () => {
      const x = cl.randn([2, 3, 2, 3], { seed: 2, ...f64 });
      const g = cl.randn([3], { seed: 3, ...f64 }), b = cl.randn([3], { seed: 4, ...f64 });
      const s = { runningMean: cl.randn([3], { seed: 5, ...f64 }), runningVar: cl.rand([3], { seed: 6, low: 0.5, high: 2, ...f64 }) };
      const r = cl.gradcheck((a, gg, bb) => cl.batchNorm(a!, gg!, bb!, { training, ...s }), [x, g, b]);
      expect(r.failures).toEqual([]);
    });

  for (const [shape, training] of [[[2, 1], true], [[5, 1], false], [[3, 2, 5], true], [[2, 2, 2, 7], true], [[4, 6], false]] as [number[], boolean][])
    it(`gradcheck x=[${shape}] (training ${training}, ${shape.at(-1)} channels) in x, gamma and beta`, () => {
      const c = shape.at(-1)!;
      const x = cl.randn(shape, { seed: 7, ...f64, mean: 3, std: 2 });
      const g = cl.randn([c], { seed: 8, ...f64 }), b = cl.randn([c], { seed: 9, ...f64 });
      const s = { runningMean: cl.randn([c], { seed: 10, ...f64 }), runningVar: cl.rand([c], { seed: 11, low: 0.5, high: 2, ...f64 }) };
      const r = cl.gradcheck((a, gg, bb) => cl.batchNorm(a!, gg!, bb!, { training, ...s }), [x, g, b]);
      expect(r.failures).toEqual([]);
    });

  // float32 runs on the WASM kernels, float64 on the reference: the op gives the same numbers (to
  // float32's resolution) for y, the running statistics and every gradient
  for (const [shape, training, mean, std] of [
    [[32, 8, 8, 16], true, 0, 1], [[7, 5, 5, 3], true, 100, 0.05], [[64, 10], false, -2, 3], [[300, 1], true, 1000, 0.01], [[2, 9, 9, 6], false, 50, 0.1],
  ] as [number[], boolean, number, number][])
    it(`float32 (wasm kernels) = float64 (reference): x=[${shape}] training ${training}, x ~ ${mean} ± ${std}`, () => {
      const c = shape.at(-1)!;
      const x32 = cl.randn(shape, { seed: 12, mean, std });
      const g32 = cl.rand([c], { seed: 13, low: 0.5, high: 2 }), b32 = cl.randn([c], { seed: 14 });
      const dy32 = cl.randn(shape, { seed: 15 });
      const run = (dtype: "float32" | "float64") => {
        const x = x32.astype(dtype), g = g32.astype(dtype), b = b32.astype(dtype);
        for (const t of [x, g, b]) t.requiresGrad = true;
        // the same float32 running statistics in both dtypes
        const s = { runningMean: cl.full([c], mean + 0.1 * std).astype(dtype), runningVar: cl.full([c], 1.3 * std * std).astype(dtype) };
        const y = cl.batchNorm(x, g, b, { training, ...s, momentum: 0.3 });
        y.mul(dy32.astype(dtype)).sum().backward();
        return { y, s, dx: x.grad!, dg: g.grad!, db: b.grad! };
      };
      const a = run("float32"), r = run("float64");
      expect(a.y.dtype).toBe("float32");
      expectClose(a.y, r.y, { atol: 1e-4, rtol: 1e-5 });
      expectClose(a.s.runningMean, r.s.runningMean, { atol: 1e-5 * std, rtol: 1e-6 });
      expectClose(a.s.runningVar, r.s.runningVar, { atol: 0, rtol: 1e-4 });
      const m = x32.size / c;
      expectClose(a.db, r.db, { atol: 1e-5 * m, rtol: 0 });
      expectClose(a.dg, r.dg, { atol: 1e-5 * m, rtol: 0 });
      const invStd = 1 / Math.min(...Array.from(r.s.runningVar.data, Math.sqrt), std);
      expectClose(a.dx, r.dx, { atol: 1e-4 * 2 * invStd, rtol: 1e-4 });
    });

  it("errors", () => {
    const x = cl.zeros([2, 4]);
    const s = { runningMean: cl.zeros([4]), runningVar: cl.ones([4]) };
    expect(() => cl.batchNorm(x, cl.ones([3]), cl.zeros([4]), { training: true, ...s })).toThrow(/batchNorm: gamma has shape \[3\] but x has 4 channels \(expected \[4\], x \[2,4\]\)/);
    expect(() => cl.batchNorm(x, cl.ones([4]), cl.zeros([4]), { training: true, runningMean: cl.zeros([2]), runningVar: s.runningVar })).toThrow(/batchNorm: runningMean has shape \[2\] but x has 4 channels/);
    expect(() => cl.batchNorm(cl.zeros([1, 4]), cl.ones([4]), cl.zeros([4]), { training: true, ...s })).toThrow(/batchNorm: training needs more than 1 value per channel/);
    expect(() => cl.batchNorm(cl.zeros([4]), cl.ones([4]), cl.zeros([4]), { training: true, ...s })).toThrow(/batchNorm: x must have rank ≥ 2/);
    expect(() => cl.batchNorm(x, cl.ones([4]), cl.zeros([4]), { training: true, ...s, momentum: 2 })).toThrow(/batchNorm: momentum must be in \[0, 1\], got 2/);
  });
});
