import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { f64 } from "./reference.js";

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
