import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { checkModelGrads } from "../helpers.js";

describe("whole-model gradients against finite differences (float64)", () => {
  it("a small LeNet-like model with softmax cross-entropy", () => {
    const m = cl.nn.sequential(
      [
        cl.nn.conv2d({ filters: 3, size: 3, activation: "tanh" }),
        cl.nn.maxPool2d({ size: 2 }),
        cl.nn.conv2d({ filters: 4, size: 2, stride: 1, padding: "same", activation: "sigmoid" }),
        cl.nn.avgPool2d({ size: 2 }),
        cl.nn.dense({ units: 5, activation: "tanh" }),
        cl.nn.dense({ units: 3 }),
      ],
      { inputShape: [9, 9, 2], seed: 4 },
    );
    const x = cl.randn([2, 9, 9, 2], { seed: 5, dtype: "float64" });
    expect(checkModelGrads(m, x, (y) => cl.softmaxCrossEntropy(y, [2, 0])).worst).toBeLessThan(1e-5);
  });
  it("a residual block with batch-norm (training mode) and mse", () => {
    const inp = cl.nn.input([4, 4, 3]);
    const z = cl.nn.batchNorm().apply(cl.nn.conv2d({ filters: 3, size: 3, padding: "same" }).apply(inp));
    const out = cl.nn.globalAvgPool2d().apply(cl.nn.relu().apply(cl.nn.add().apply([z, inp])));
    const m = cl.nn.model({ inputs: inp, outputs: out, seed: 6 });
    const x = cl.randn([3, 4, 4, 3], { seed: 7, dtype: "float64" });
    const target = cl.randn([3, 3], { seed: 8, dtype: "float64" });
    expect(checkModelGrads(m, x, (y) => cl.mse(y, target)).worst).toBeLessThan(1e-5);
  });
  it("depthwise and 1-D convolutions", () => {
    const m = cl.nn.sequential([cl.nn.depthwiseConv2d({ size: 3, depthMultiplier: 2, padding: "same" }), cl.nn.flatten(), cl.nn.dense({ units: 2 })], { inputShape: [4, 5, 2], seed: 9 });
    const x = cl.randn([2, 4, 5, 2], { seed: 10, dtype: "float64" });
    expect(checkModelGrads(m, x, (y) => y.square().sum()).worst).toBeLessThan(1e-5);
    const m1 = cl.nn.sequential([cl.nn.conv1d({ filters: 3, size: 3, stride: 2 }), cl.nn.maxPool1d({ size: 2 }), cl.nn.dense({ units: 1 })], { inputShape: [11, 2], seed: 11 });
    const x1 = cl.randn([2, 11, 2], { seed: 12, dtype: "float64" });
    expect(checkModelGrads(m1, x1, (y) => y.square().sum()).worst).toBeLessThan(1e-5);
  });
  it("the check itself fails for a wrong gradient", () => {
    const m = cl.nn.sequential([cl.nn.dense({ units: 2 })], { inputShape: [3], seed: 0 });
    const x = cl.randn([2, 3], { seed: 1, dtype: "float64" });
    // y·detach(y) has twice the gradient autograd records
    expect(() => checkModelGrads(m, x, (y) => y.mul(y.detach()).sum())).toThrow(/analytic .* vs numeric/);
  });
});
