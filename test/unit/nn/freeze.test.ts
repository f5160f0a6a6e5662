// Frozen layers: their parameters stop requiring grad, so backward computes no weight gradient for
// them at all (measured on the reference kernels), optimizers skip them, fit leaves them as they
// were, batch-norm among them can switch to inference statistics, and summary() ends with
// Trainable / Non-trainable params.
import { describe, it, expect, vi, afterEach } from "vitest";
import * as cl from "../../../src/index.js";
import { referenceKernels } from "../../../src/kernels/index.js";

afterEach(() => vi.restoreAllMocks());

const convNet = (seed = 0) =>
  cl.nn.sequential(
    [
      cl.nn.conv2d({ name: "c1", filters: 3, size: 3, activation: "relu" }),
      cl.nn.batchNorm({ name: "bn1" }),
      cl.nn.conv2d({ name: "c2", filters: 4, size: 3, activation: "relu" }),
      cl.nn.flatten({ name: "flat" }),
      cl.nn.dense({ name: "fc", units: 2 }),
    ],
    { inputShape: [8, 8, 1], seed, name: "net" },
  );

const values = (t: cl.Tensor): number[] => Array.from(t.data);

describe("freeze", () => {
  it("freeze(upTo) freezes the layers up to and including it; their parameters do not require grad", () => {
    const m = convNet();
    m.freeze("bn1");
    expect(m.layers.map((l) => [l.name, l.trainable])).toEqual([["c1", false], ["bn1", false], ["c2", true], ["flat", true], ["fc", true]]);
    expect(m.getLayer("c1").weight("kernel").requiresGrad).toBe(false);
    expect(m.getLayer("c2").weight("kernel").requiresGrad).toBe(true);
    expect(m.trainableParameters().map((p) => p.name)).toEqual(["c2/kernel", "c2/bias", "fc/kernel", "fc/bias"]);
    const s = m.summary();
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams]).toEqual([30 + 6 + 112 + 130, 112 + 130, 36]);
    expect(s.toString()).toMatch(/Total params: 278\nTrainable params: 242\nNon-trainable params: 36$/);
    m.unfreeze("bn1");
    expect(m.layers.map((l) => l.trainable)).toEqual([false, true, true, true, true]);
    m.unfreeze();
    expect(m.trainableParameters().length).toBe(8);
  });

  it("no weight gradient is computed for frozen layers (float64 runs the reference kernels, counted here)", () => {
    const m = convNet(1).setDtype("float64");
    const x = cl.randn([2, 8, 8, 1], { seed: 2, dtype: "float64" });
    const filterGrads = vi.spyOn(referenceKernels, "conv2dGradFilter");
    const inputGrads = vi.spyOn(referenceKernels, "conv2dGradInput");
    cl.softmaxCrossEntropy(m.forward(x, { training: true }), [0, 1]).backward();
    expect(filterGrads).toHaveBeenCalledTimes(2); // c1 and c2
    expect(inputGrads).toHaveBeenCalledTimes(1); // into c2's input (c1's input x needs none)
    for (const p of m.parameters()) p.grad = null;
    filterGrads.mockClear();
    inputGrads.mockClear();
    m.freeze("c2");
    cl.softmaxCrossEntropy(m.forward(x, { training: true }), [0, 1]).backward();
    expect(filterGrads).not.toHaveBeenCalled(); // neither conv's filter gradient
    expect(inputGrads).not.toHaveBeenCalled(); // nothing below fc needs a gradient at all
    expect(m.parameters().filter((p) => p.grad !== null).map((p) => p.name)).toEqual(["fc/kernel", "fc/bias"]);
  });

  it("fit leaves frozen weights (and frozen batch-norm statistics) unchanged and allocates no gradient for them", async () => {
    const m = convNet(3);
    m.freeze("c2"); // batchNorm: "inference" by default
    const frozen = ["c1/kernel", "c1/bias", "bn1/gamma", "bn1/beta", "bn1/runningMean", "bn1/runningVar", "c2/kernel"];
    const before = Object.fromEntries(frozen.map((n) => [n, values(m.stateDict()[n]!)]));
    const fcBefore = values(m.getLayer("fc").weight("kernel"));
    const seen: (cl.Tensor | null)[] = [];
    await m.fit({ x: cl.randn([8, 8, 8, 1], { seed: 4 }), y: cl.tensor([0, 1, 0, 1, 0, 1, 0, 1]) }, {
      optimizer: cl.train.adam({ lr: 0.01 }), epochs: 2, batchSize: 4, seed: 0,
      callbacks: { onBatchEnd: () => void seen.push(m.getLayer("c1").weight("kernel").grad) },
    });
    for (const n of frozen) expect(values(m.stateDict()[n]!), n).toEqual(before[n]);
    expect(values(m.getLayer("fc").weight("kernel"))).not.toEqual(fcBefore);
    expect(seen.length).toBe(4);
    expect(seen.every((g) => g === null)).toBe(true);
  });

  it("batchNorm: 'batch' keeps a frozen batch-norm's batch statistics while training", async () => {
    const m = convNet(5);
    m.freeze("bn1", { batchNorm: "batch" });
    const mean = values(m.getLayer("bn1").weight("runningMean"));
    await m.fit({ x: cl.randn([4, 8, 8, 1], { seed: 6 }), y: cl.tensor([0, 1, 0, 1]) }, { optimizer: cl.train.sgd({ lr: 0.01 }), epochs: 1, batchSize: 4 });
    expect(values(m.getLayer("bn1").weight("runningMean"))).not.toEqual(mean); // statistics still updated
    expect(values(m.getLayer("bn1").weight("gamma"))).toEqual([1, 1, 1]); // parameters not
  });

  it("the optimizer skips frozen parameters even when handed them", () => {
    const m = convNet(7);
    m.build();
    m.getLayer("fc").trainable = false;
    const w = m.getLayer("fc").weight("kernel");
    expect(w.requiresGrad).toBe(false);
    const before = values(w);
    cl.train.sgd({ lr: 1 }).step(m.parameters()); // no .grad on a frozen parameter: skipped
    expect(values(w)).toEqual(before);
    m.getLayer("fc").trainable = true;
    expect(w.requiresGrad).toBe(true);
  });

  it("a frozen nested model freezes all its layers; model.trainable = false too", () => {
    const base = cl.nn.sequential([cl.nn.dense({ name: "d1", units: 3 }), cl.nn.batchNorm({ name: "bn" })], { name: "base" });
    const m = cl.nn.sequential([base, cl.nn.dense({ name: "head", units: 2 })], { inputShape: [4], seed: 0 });
    m.freeze("base");
    expect(base.getLayer("d1").trainable).toBe(false);
    expect((base.getLayer("bn") as cl.nn.BatchNorm).inference).toBe(true);
    expect(m.summary().trainableParams).toBe(3 * 2 + 2);
    m.trainable = false;
    expect(m.trainableParameters()).toEqual([]);
    expect(m.summary().trainableParams).toBe(0);
  });

  it("bad arguments name the model, the argument and what was expected", () => {
    const m = convNet();
    expect(() => m.freeze("c9")).toThrow(/sequential layer 'net': freeze: no layer named 'c9' \(layers: input, c1, bn1, c2, flat, fc\)/);
    expect(() => m.unfreeze(3 as never)).toThrow(/unfreeze: from must be a layer name, got 3/);
    expect(() => m.freeze("c1", { batchNorm: "frozen" as never })).toThrow(/freeze: batchNorm must be "inference" or "batch", got "frozen"/);
    expect(() => (m.getLayer("c1").trainable = "no" as never)).toThrow(/conv2d layer 'c1': trainable must be true or false, got "no"/);
  });
});
