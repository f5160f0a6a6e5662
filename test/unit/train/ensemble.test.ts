import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

const fixed = (rows: number[][]): cl.train.ProbabilisticClassifier => ({ predictProba: () => cl.tensor(rows) });

describe("cl.train.ensemble: the average of the members' probabilities", () => {
  it("equal weights: the mean; weights are normalised; predict is log of the average (its softmax gives it back)", () => {
    const a = fixed([[0.9, 0.1], [0.2, 0.8]]), b = fixed([[0.5, 0.5], [0.6, 0.4]]);
    const x = cl.zeros([2, 1]);
    const e = cl.train.ensemble([a, b]);
    expectClose(e.predictProba(x), [[0.7, 0.3], [0.4, 0.6]], { atol: 1e-7, rtol: 0 });
    expectClose(cl.softmax(e.predict(x), -1), [[0.7, 0.3], [0.4, 0.6]], { atol: 1e-6, rtol: 0 });
    const w = cl.train.ensemble([a, b], { weights: [3, 1] });
    expect(w.weights).toEqual([0.75, 0.25]);
    expectClose(w.predictProba(x), [[0.8, 0.2], [0.3, 0.7]], { atol: 1e-7, rtol: 0 });
    // nests: an ensemble is a member like any model
    expectClose(cl.train.ensemble([e, a]).predictProba(x), [[0.8, 0.2], [0.3, 0.7]], { atol: 1e-7, rtol: 0 });
  });

  it("of real models: the mean of their softmax outputs, rows summing to 1", () => {
    const make = (seed: number): cl.nn.Sequential => cl.nn.sequential([cl.nn.conv2d({ filters: 2, size: 3 }), cl.nn.flatten(), cl.nn.dense({ units: 3 })], { inputShape: [5, 5, 1], seed });
    const ms = [make(1), make(2), make(3)];
    const x = cl.randn([4, 5, 5, 1], { seed: 0 });
    const p = cl.train.ensemble(ms).predictProba(x);
    const want = ms.map((m) => m.predictProba(x)).reduce((s, q) => s.add(q)).div(3);
    expectClose(p, want, { atol: 1e-7, rtol: 1e-6 });
    expectClose(p.sum(1), [1, 1, 1, 1], { atol: 1e-6, rtol: 0 });
  });

  it("bad members and weights are errors", () => {
    expect(() => cl.train.ensemble([])).toThrow(/ensemble: expected a non-empty list of models/);
    expect(() => cl.train.ensemble([{} as cl.train.ProbabilisticClassifier])).toThrow(/ensemble: member 0 has no predictProba/);
    expect(() => cl.train.ensemble([fixed([[1]]), fixed([[1]])], { weights: [1] })).toThrow(/ensemble: weights must be 2 non-negative numbers/);
    const e = cl.train.ensemble([fixed([[0.5, 0.5]]), fixed([[0.2, 0.3, 0.5]])]);
    expect(() => e.predictProba(cl.zeros([1, 1]))).toThrow(/ensemble: member 1 gives \[1,3\] but member 0 gives \[1,2\]/);
  });
});

describe("cl.train.multiCropProba: probabilities averaged over each image's test-time views", () => {
  it("equals the mean of the model's probabilities over tenCrop's ten views per image, in batches", () => {
    const model = cl.nn.sequential([cl.nn.conv2d({ filters: 2, size: 3 }), cl.nn.flatten(), cl.nn.dense({ units: 4 })], { inputShape: [6, 6, 2], seed: 5 });
    const x = cl.rand([3, 8, 9, 2], { seed: 2 });
    const p = cl.train.multiCropProba(model, x, { size: 6, batchSize: 2 });
    expect(p.shape).toEqual([3, 4]);
    const views = model.predictProba(cl.data.tenCrop(x, 6)).reshape([3, 10, 4]);
    expectClose(p, views.mean(1), { atol: 1e-6, rtol: 1e-5 });
    const centre = cl.train.multiCropProba(model, x, { size: 6, crops: 1 });
    expectClose(centre, model.predictProba(cl.data.centerCrop(x, 6)), { atol: 1e-7, rtol: 1e-6 });
    expect(cl.train.multiCropProba(model, x, { size: 6, crops: 5 }).shape).toEqual([3, 4]);
  });

  it("bad input is an error", () => {
    const m = fixed([[1]]);
    expect(() => cl.train.multiCropProba(m, cl.zeros([4, 4, 1]), { size: 2 })).toThrow(/multiCropProba: x must be a batch of images \[m,nH,nW,nC\], got \[4,4,1\]/);
    expect(() => cl.train.multiCropProba(m, cl.zeros([1, 4, 4, 1]), { size: 2, crops: 3 as 5 })).toThrow(/multiCropProba: crops must be 1, 5 or 10, got 3/);
  });
});
