import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

describe("layer config is checked at construction, naming the layer", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["conv2d filters 0", () => cl.nn.conv2d({ filters: 0, size: 3 }), /conv2d layer: filters must be a positive integer, got 0/],
    ["conv2d named, size 2.5", () => cl.nn.conv2d({ name: "c1", filters: 4, size: 2.5 }), /conv2d layer 'c1': size must be a positive integer \(or 2 of them\), got 2.5/],
    ["conv2d stride 0", () => cl.nn.conv2d({ filters: 4, size: 3, stride: 0 }), /conv2d layer: stride must be a positive integer/],
    ["conv2d unknown activation", () => cl.nn.conv2d({ filters: 4, size: 3, activation: "swish" as never }), /conv2d layer: unknown activation "swish"/],
    ["dense units -1", () => cl.nn.dense({ units: -1 }), /dense layer: units must be a positive integer, got -1/],
    ["maxPool2d size 0", () => cl.nn.maxPool2d({ size: 0 }), /maxPool2d layer: size must be a positive integer/],
    ["dropout rate 1", () => cl.nn.dropout({ rate: 1 }), /dropout layer: rate must be in \[0, 1\), got 1/],
    ["batchNorm momentum 2", () => cl.nn.batchNorm({ momentum: 2 }), /batchNorm layer: momentum must be in \[0, 1\], got 2/],
    ["zeroPad2d padding -1", () => cl.nn.zeroPad2d({ padding: -1 }), /zeroPad2d layer: padding must be/],
    ["concat on the batch axis", () => cl.nn.concat({ axis: 0 }), /concat layer: cannot concatenate along the batch axis 0/],
    ["name with a slash", () => cl.nn.dense({ units: 2, name: "a/b" }), /layer: name must be a non-empty string without '\/'/],
    ["input shape with the batch as 0", () => cl.nn.input([0, 3]), /input layer: shape must be a non-empty list of positive integers/],
  ];
  for (const [name, fn, re] of cases) it(name, () => expect(fn).toThrow(re));
});

describe("shapes are checked when a layer meets its input", () => {
  it("a conv layer built for 3 channels refuses 1", () => {
    const l = cl.nn.conv2d({ name: "conv1", filters: 2, size: 3 });
    l.call(cl.zeros([1, 6, 6, 3]));
    expect(() => l.call(cl.zeros([1, 6, 6, 1]))).toThrow(/conv2d layer 'conv1': input has 1 channels but the layer was built for 3 \(input \[m,6,6,1\]\)/);
  });
  it("a conv layer needs rank 4", () => {
    expect(() => cl.nn.conv2d({ name: "c", filters: 2, size: 3 }).call(cl.zeros([6, 6]))).toThrow(/conv2d layer 'c': expected input \[m,nH,nW,nC_prev\], got \[m,6\]/);
  });
  it("a filter larger than the input is reported by the layer", () => {
    expect(() => cl.nn.sequential([cl.nn.conv2d({ name: "big", filters: 2, size: 7 })], { inputShape: [5, 5, 1] })).toThrow(/conv2d layer 'big': conv2d: filter 7×7 is larger than/);
  });
  it("a dense layer refuses a different number of features", () => {
    const d = cl.nn.dense({ name: "fc", units: 3 });
    d.call(cl.zeros([2, 4]));
    expect(() => d.call(cl.zeros([2, 5]))).toThrow(/dense layer 'fc': input has 5 features per example but the layer was built for 4/);
  });
  it("add needs equal shapes, concat equal shapes off its axis", () => {
    const a = cl.nn.input([4, 4, 2]), b = cl.nn.input([4, 4, 3]);
    expect(() => cl.nn.add().apply([a, b])).toThrow(/add layer: inputs must have the same shape, got \[m,4,4,2\] and \[m,4,4,3\]/);
    expect(cl.nn.concat().apply([a, b]).shape).toEqual([4, 4, 5]);
    expect(() => cl.nn.concat({ axis: 1 }).apply([a, b])).toThrow(/concat layer: inputs must match on every axis but 1/);
  });
  it("outputShape computes nothing and agrees with the computation", () => {
    const layers = [
      cl.nn.conv2d({ filters: 3, size: [3, 2], stride: 2, padding: "same" }),
      cl.nn.conv2d({ filters: 2, size: 3, dilation: 2, padding: 1 }),
      cl.nn.depthwiseConv2d({ size: 3, depthMultiplier: 2 }),
      cl.nn.maxPool2d({ size: 2 }),
      cl.nn.avgPool2d({ size: 3, stride: 1, padding: "same" }),
      cl.nn.zeroPad2d({ padding: [[1, 0], [2, 1]] }),
      cl.nn.batchNorm(),
      cl.nn.globalMaxPool2d(),
    ];
    let x = cl.randn([2, 13, 11, 3], { seed: 1 });
    for (const l of layers) {
      const want = l.outputShape([x.shape.slice(1)]);
      x = l.call(x, { training: true });
      expect(x.shape.slice(1)).toEqual(want);
    }
  });
  it("1-D and 3-D layers (course: 14 ∗ 5 → 10, 14×14×14×1 ∗ 16 filters 5×5×5 → 10×10×10×16 → 6×6×6×32)", () => {
    const ecg = cl.nn.sequential([cl.nn.conv1d({ filters: 16, size: 5 }), cl.nn.conv1d({ filters: 32, size: 5 }), cl.nn.maxPool1d({ size: 2 })], { inputShape: [14, 1] });
    expect(ecg.summary().rows.map((r) => r.outputShape)).toEqual([[14, 1], [10, 16], [6, 32], [3, 32]]);
    const ct = cl.nn.sequential([cl.nn.conv3d({ filters: 16, size: 5 }), cl.nn.conv3d({ filters: 32, size: 5 })], { inputShape: [14, 14, 14, 1] });
    expect(ct.summary().rows.map((r) => r.outputShape)).toEqual([[14, 14, 14, 1], [10, 10, 10, 16], [6, 6, 6, 32]]);
    expect(ct.predict(cl.randn([1, 14, 14, 14, 1], { seed: 1 })).shape).toEqual([1, 6, 6, 6, 32]);
  });
});

describe("initializers", () => {
  it("seeded: the same seed gives the same weights, another seed different ones", () => {
    const w = (seed: number) => Array.from(cl.models.lenet5({ seed }).getLayer("CONV2").weight("kernel").data);
    expect(w(3)).toEqual(w(3));
    expect(w(3)).not.toEqual(w(4));
  });
  it("Glorot and He scales (fanIn = f·f·nC_prev, fanOut = f·f·nC)", () => {
    const rng = new cl.Rng(0);
    const shape = [5, 5, 64, 64];
    const fanIn = 5 * 5 * 64, fanOut = 5 * 5 * 64;
    const std = (t: cl.Tensor) => Math.sqrt(t.square().mean().item());
    expect(std(cl.nn.initialize("heNormal", shape, rng, "t"))).toBeCloseTo(Math.sqrt(2 / fanIn), 3);
    expect(std(cl.nn.initialize("glorotUniform", shape, rng, "t"))).toBeCloseTo(Math.sqrt(2 / (fanIn + fanOut)), 3);
    const u = cl.nn.initialize("heUniform", shape, rng, "t");
    expect(u.max().item()).toBeLessThanOrEqual(Math.sqrt(6 / fanIn));
    expect(cl.nn.fans([3, 3, 2, 8])).toEqual({ fanIn: 18, fanOut: 72 });
  });
  it("biases start at zero; a custom initializer must give the right shape", () => {
    const l = cl.nn.dense({ units: 3 });
    l.call(cl.ones([1, 2]));
    expect(Array.from(l.weight("bias").data)).toEqual([0, 0, 0]);
    const bad = cl.nn.dense({ units: 3, kernelInitializer: () => cl.zeros([1]) });
    expect(() => bad.call(cl.ones([1, 2]))).toThrow(/the kernel initializer must return a tensor of shape \[2,3\]/);
  });
});

describe("training-only behaviour", () => {
  it("dropout drops while training only, with a seeded mask", () => {
    const x = cl.ones([4, 100]);
    const d = cl.nn.dropout({ rate: 0.5, seed: 1 });
    expect(Array.from(d.call(x, { training: false }).data)).toEqual(Array.from(x.data));
    const y = d.call(x, { training: true });
    const zeros = Array.from(y.data).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(150);
    expect(zeros).toBeLessThan(250);
    expect(Array.from(new Set(y.data)).sort()).toEqual([0, 2]);
  });
  it("batchNorm updates its running statistics while training and uses them in evaluation", () => {
    const bn = cl.nn.batchNorm({ momentum: 0.5 });
    const x = cl.tensor([[1, 10], [3, 30]]);
    const y = bn.call(x, { training: true });
    expectClose(y.mean(0), [0, 0]);
    expectClose(bn.weight("runningMean"), [1, 10]); // 0.5·0 + 0.5·[2, 20]
    expectClose(bn.weight("runningVar"), [1.5, 100.5]); // 0.5·1 + 0.5·unbiased var [2, 200]
    const e = bn.call(cl.tensor([[1, 10]]), { training: false });
    expectClose(e, [0 / Math.sqrt(1.5 + 1e-5), 0], { atol: 1e-4 });
    expect(bn.countParams()).toBe(4); // gamma and beta per channel
  });
});
