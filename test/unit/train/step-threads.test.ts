// Whole training steps (the ones `npm run bench -- step` profiles) give identical bits for 1 and 2
// threads: LeNet-5 (course variant, relu's branch-free float32 path in every layer) and a small
// residual net (batch-norm, relu, shortcuts; once at a size where the batch-norm kernels use both
// threads), three Adam steps each from the same seed.
import { describe, it, expect, afterAll } from "vitest";
import * as cl from "../../../src/index.js";

const bitsOf = (ps: cl.Tensor[]): number[][] => ps.map((p) => Array.from(new Int32Array(Float32Array.from(p.data).buffer)));

function train(make: () => cl.Model, x: cl.Tensor, y: cl.Tensor, threads: number): { params: number[][]; losses: number[] } {
  cl.setThreads(threads);
  const model = make();
  const optimizer = cl.train.adam({ lr: 1e-3 });
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) losses.push(cl.train.trainStep(model, { x: x, y: y }, { optimizer: optimizer, loss: "softmaxCrossEntropy" }).loss);
  return { params: bitsOf(model.trainableParameters()), losses: losses };
}

afterAll(() => {
  cl.setThreads(2);
});

describe("training steps: 1 and 2 threads give identical bits", () => {
  const cases: [string, () => cl.Model, number[]][] = [
    ["LeNet-5 (course), batch 16", () => cl.models.lenet5({ seed: 0 }), [16, 32, 32, 3]],
    ["cifarResnet depth 8, batch 8", () => cl.models.cifarResnet({ depth: 8, inputShape: [16, 16, 3], seed: 0 }), [8, 16, 16, 3]],
    // 16·32·32·16 values per batch-norm layer: its WASM kernels are split over the worker pool
    ["cifarResnet depth 8 at 32×32, batch 16 (batch norm on 2 threads)", () => cl.models.cifarResnet({ depth: 8, inputShape: [32, 32, 3], seed: 0 }), [16, 32, 32, 3]],
  ];
  for (const [name, make, shape] of cases) {
    it(name, () => {
      const x = cl.randn(shape, { seed: 5 });
      const y = cl.tensor(Array.from({ length: shape[0]! }, (_, i) => i % 10), [shape[0]!]);
      const one = train(make, x, y, 1);
      const two = train(make, x, y, 2);
      expect(one.losses.every(Number.isFinite)).toBe(true);
      expect(two.losses).toEqual(one.losses);
      expect(two.params).toEqual(one.params);
      // the steps did change the weights (so the comparison is not of untouched initial values)
      expect(bitsOf(make().trainableParameters())).not.toEqual(one.params);
    });
  }
});
