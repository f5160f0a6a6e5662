import { describe, it, expect } from "vitest";
import * as cl from "../../src/index.js";

// COURSE.md, week 1: the layer and network numbers, through cl.nn and model.summary().

describe("LeNet-5 (course variant): the corrected table", () => {
  const s = cl.models.lenet5().summary();
  const table: [string, number[], number, number][] = [
    ["input", [32, 32, 3], 3072, 0],
    ["CONV1", [28, 28, 8], 6272, 608],
    ["POOL1", [14, 14, 8], 1568, 0],
    ["CONV2", [10, 10, 16], 1600, 3216],
    ["POOL2", [5, 5, 16], 400, 0],
    ["FC3", [120], 120, 48120],
    ["FC4", [84], 84, 10164],
    ["softmax", [10], 10, 850],
  ];
  for (const [i, [name, shape, size, params]] of table.entries())
    it(`row ${i}: ${name} (${shape.join(",")}) size ${size}, ${params} params`, () => {
      const r = s.rows[i]!;
      expect([r.name, r.outputShape, r.activationSize, r.params]).toEqual([name, shape, size, params]);
    });
  it("has exactly these rows and 62,958 parameters in total", () => {
    expect(s.rows).toHaveLength(8);
    expect(s.totalParams).toBe(62958);
    expect(s.trainableParams).toBe(62958);
  });
  it("mults per example: conv and dense layers only", () => {
    // 28·28·8·5·5·3, 10·10·16·5·5·8, 400·120, 120·84, 84·10
    expect(s.rows.map((r) => r.mults)).toEqual([0, 470400, 0, 320000, 0, 48000, 10080, 840]);
  });
  it("the output layer (named softmax) produces logits; predictProba gives probabilities", () => {
    const m = cl.models.lenet5({ seed: 1 });
    const x = cl.randn([2, 32, 32, 3], { seed: 2 });
    const p = m.predictProba(x);
    const logits = m.predict(x);
    expect(p.shape).toEqual([2, 10]);
    for (const row of p.sum(1).toArray() as number[]) expect(row).toBeCloseTo(1, 5);
    expect(Array.from(cl.softmax(logits).data)).toEqual(Array.from(p.data));
  });
  it("classic variant (LeCun 1998): 32×32×1, 6 and 16 filters, tanh, average pooling: 61,706 params", () => {
    const c = cl.models.lenet5({ variant: "classic" }).summary();
    expect(c.rows.map((r) => r.outputShape)).toEqual([[32, 32, 1], [28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16], [120], [84], [10]]);
    expect(c.rows[2]!.type).toBe("AvgPool2D");
    expect(c.totalParams).toBe(61706);
  });
});

describe("one convolutional layer", () => {
  it("10 filters of 3×3×3 have 280 parameters, whatever the input size", () => {
    for (const n of [6, 39, 100]) {
      const m = cl.nn.sequential([cl.nn.conv2d({ filters: 10, size: 3, activation: "relu" })], { inputShape: [n, n, 3] });
      expect(m.summary().totalParams).toBe(280);
    }
  });
  it("why convolutions: 32×32×3 → 6 filters 5×5 is 456 parameters; the dense equivalent ≈ 14M weights", () => {
    const conv = cl.nn.sequential([cl.nn.conv2d({ filters: 6, size: 5 })], { inputShape: [32, 32, 3] }).summary();
    expect(conv.rows[1]!.outputShape).toEqual([28, 28, 6]);
    expect(conv.totalParams).toBe(456);
    // A dense layer from 3072 inputs to 28·28·6 = 4704 outputs: its weight count, by its shape rule (not built: 58 MB).
    const fc = cl.nn.dense({ units: 4704 });
    expect(fc.mults([[32, 32, 3]])).toBe(14450688); // 3072 × 4704
    expect(Math.round(fc.mults([[32, 32, 3]]) / 1e6)).toBe(14);
  });
  it("a 1000×1000×3 image into 1000 dense units needs 3 billion weights", () => {
    expect(cl.nn.dense({ units: 1000 }).mults([[1000, 1000, 3]])).toBe(3e9);
  });
});

describe("simple ConvNet: 39×39×3 → 37×37×10 → 17×17×20 → 7×7×40 → 1960", () => {
  const m = cl.nn.sequential(
    [
      cl.nn.conv2d({ filters: 10, size: 3, stride: 1, activation: "relu" }),
      cl.nn.conv2d({ filters: 20, size: 5, stride: 2, activation: "relu" }),
      cl.nn.conv2d({ filters: 40, size: 5, stride: 2, activation: "relu" }),
      cl.nn.flatten(),
      cl.nn.dense({ units: 1 }),
    ],
    { inputShape: [39, 39, 3], seed: 0 },
  );
  it("shapes", () => {
    expect(m.summary().rows.map((r) => r.outputShape)).toEqual([[39, 39, 3], [37, 37, 10], [17, 17, 20], [7, 7, 40], [1960], [1]]);
  });
  it("runs on a batch", () => {
    expect(m.predict(cl.randn([2, 39, 39, 3], { seed: 1 })).shape).toEqual([2, 1]);
  });
});

describe("network in network and inception (week 2 numbers carried by the same summary)", () => {
  it("a 1×1 convolution shrinks 28×28×192 to 28×28×32", () => {
    const m = cl.nn.sequential([cl.nn.conv2d({ filters: 32, size: 1 })], { inputShape: [28, 28, 192] });
    expect(m.summary().rows[1]!.outputShape).toEqual([28, 28, 32]);
  });
  it("5×5 same conv, 32 filters on 28×28×192: ≈120M multiplications; with a 1×1 bottleneck of 16: ≈12.4M", () => {
    const direct = cl.nn.sequential([cl.nn.conv2d({ filters: 32, size: 5, padding: "same" })], { inputShape: [28, 28, 192] });
    expect(direct.summary().totalMults).toBe(120422400); // 28·28·32·5·5·192 ≈ 120M
    const bottleneck = cl.nn.sequential([cl.nn.conv2d({ filters: 16, size: 1 }), cl.nn.conv2d({ filters: 32, size: 5, padding: "same" })], { inputShape: [28, 28, 192] });
    expect(bottleneck.summary().totalMults).toBe(12443648); // 28·28·16·192 + 28·28·32·5·5·16 ≈ 12.4M
  });
  it("global average pooling: 7×7×1000 → 1000", () => {
    const m = cl.nn.sequential([cl.nn.globalAvgPool2d()], { inputShape: [7, 7, 1000] });
    expect(m.summary().rows[1]!.outputShape).toEqual([1000]);
  });
});
