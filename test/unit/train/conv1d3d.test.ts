// 1-D and 3-D convolutional networks (issue 17): the course's shape examples (14 ∗ 5 → 10×16 →
// 6×32; 14³×1 → 10³×16 → 6³×32) and short seeded end-to-end runs on the synthetic ECG-like
// traces and shape volumes that must reach ≥ 90 % on held-out data.
import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

const accuracy = (m: cl.nn.Sequential, x: cl.Tensor, y: cl.Tensor): number => {
  const p = cl.argmax(m.predict(x), 1);
  let c = 0;
  for (let i = 0; i < y.size; i++) c += p.data[i] === y.data[i] ? 1 : 0;
  return c / y.size;
};

describe("the course's 1-D and 3-D shapes", () => {
  it("14 ∗ 16 filters of 5 → 10×16 ∗ 32 filters of 5 → 6×32", () => {
    const m = cl.nn.sequential([cl.nn.conv1d({ filters: 16, size: 5 }), cl.nn.conv1d({ filters: 32, size: 5 })], { inputShape: [14, 1], seed: 0 });
    expect(m.summary().rows.map((r) => r.outputShape)).toEqual([[14, 1], [10, 16], [6, 32]]);
    expect(m.predict(cl.rand([2, 14, 1], { seed: 1 })).shape).toEqual([2, 6, 32]);
    expect(m.summary().rows.map((r) => r.params)).toEqual([0, 5 * 1 * 16 + 16, 5 * 16 * 32 + 32]);
  });

  it("14×14×14×1 ∗ 16 filters 5×5×5×1 → 10×10×10×16 ∗ 32 filters 5×5×5×16 → 6×6×6×32", () => {
    const m = cl.nn.sequential([cl.nn.conv3d({ filters: 16, size: 5 }), cl.nn.conv3d({ filters: 32, size: 5 })], { inputShape: [14, 14, 14, 1], seed: 0 });
    expect(m.summary().rows.map((r) => r.outputShape)).toEqual([[14, 14, 14, 1], [10, 10, 10, 16], [6, 6, 6, 32]]);
    expect(m.predict(cl.rand([1, 14, 14, 14, 1], { seed: 1 })).shape).toEqual([1, 6, 6, 6, 32]);
    expect(m.summary().rows.map((r) => r.params)).toEqual([0, 125 * 16 + 16, 125 * 16 * 32 + 32]);
  });
});

describe("synthetic data", () => {
  it("ecgBeats and shapeVolumes: shapes, balanced classes, seeded", () => {
    const a = cl.data.ecgBeats({ n: 10, length: 64, seed: 3 });
    expect(a.x.shape).toEqual([10, 64, 1]);
    expect(Array.from(a.y.data)).toEqual([0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
    expect(a.classes).toEqual(["normal", "arrhythmic"]);
    expect(Array.from(cl.data.ecgBeats({ n: 10, length: 64, seed: 3 }).x.data)).toEqual(Array.from(a.x.data));
    expect(Array.from(cl.data.ecgBeats({ n: 10, length: 64, seed: 4 }).x.data)).not.toEqual(Array.from(a.x.data));
    const v = cl.data.shapeVolumes({ n: 6, seed: 1 });
    expect(v.x.shape).toEqual([6, 14, 14, 14, 1]);
    expect(Array.from(v.y.data)).toEqual([0, 1, 2, 0, 1, 2]);
    expect(() => cl.data.ecgBeats({ length: 10 })).toThrow(/data\.ecgBeats: opts\.length must be .*48.*got 10/);
  });
});

describe("trained end to end (short seeded runs)", () => {
  it("a 1-D CNN tells normal from arrhythmic ECG-like traces (≥ 90 % held out)", async () => {
    const train = cl.data.ecgBeats({ n: 1024, seed: 1 }), test = cl.data.ecgBeats({ n: 256, seed: 2 });
    const m = cl.nn.sequential(
      [
        cl.nn.conv1d({ filters: 16, size: 5, activation: "relu" }), cl.nn.maxPool1d({ size: 2 }),
        cl.nn.conv1d({ filters: 32, size: 5, activation: "relu" }), cl.nn.maxPool1d({ size: 2 }),
        cl.nn.conv1d({ filters: 32, size: 5, activation: "relu" }), cl.nn.maxPool1d({ size: 2 }),
        cl.nn.flatten(), cl.nn.dense({ units: 2 }),
      ],
      { inputShape: [128, 1], seed: 1 },
    );
    await m.fit(train, { optimizer: cl.train.adam({ lr: 3e-3 }), loss: "softmaxCrossEntropy", epochs: 5, batchSize: 32, seed: 0 });
    expect(accuracy(m, test.x, test.y)).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it("a 3-D CNN tells spheres, cubes and tori apart (≥ 90 % held out)", async () => {
    const train = cl.data.shapeVolumes({ n: 300, seed: 1 }), test = cl.data.shapeVolumes({ n: 150, seed: 2 });
    const m = cl.nn.sequential(
      [
        cl.nn.conv3d({ filters: 8, size: 3, activation: "relu" }), cl.nn.maxPool3d({ size: 2 }),
        cl.nn.conv3d({ filters: 16, size: 3, activation: "relu" }), cl.nn.maxPool3d({ size: 2 }),
        cl.nn.flatten(), cl.nn.dense({ units: 3 }),
      ],
      { inputShape: [14, 14, 14, 1], seed: 1 },
    );
    await m.fit(train, { optimizer: cl.train.adam({ lr: 3e-3 }), loss: "softmaxCrossEntropy", epochs: 3, batchSize: 25, seed: 0 });
    expect(accuracy(m, test.x, test.y)).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});

describe("volume slices in the feature-maps widget", () => {
  it("one widget entry per (layer, slice), the input first; each holds that slice of the 3-D maps", () => {
    const m = cl.nn.sequential([cl.nn.conv3d({ name: "c1", filters: 2, size: 3 }), cl.nn.maxPool3d({ name: "p1", size: 2 })], { inputShape: [8, 8, 8, 1], seed: 0 });
    const x = cl.rand([2, 8, 8, 8, 1], { seed: 1 });
    const fm = cl.inspect.volumeSlices(m, x, { example: 1, slices: 2 });
    expect(fm.payload.layers.map((l) => l.name)).toEqual(["input · z 3/8", "input · z 7/8", "c1 · z 2/6", "c1 · z 5/6", "p1 · z 1/3", "p1 · z 3/3"]);
    expect(fm.payload.layers[2]!.shape).toEqual([6, 6, 2]);
    // the widget stores channel-major maps: channel 1 of c1 at z = 4 (index), y = 2, x = 3
    const a = m.features(cl.slice(x, [1, 0, 0, 0, 0], [1, 8, 8, 8, 1]), ["c1"]).c1!;
    const want = a.data[(((4 * 6 + 2) * 6 + 3) * 2) + 1]!;
    const maps = cl.inspect.unpackArray(fm.payload.layers[3]!.maps, 72, 36);
    expect(Math.abs(maps[36 + 2 * 6 + 3]! - want)).toBeLessThanOrEqual(1e-6);
    const side = cl.inspect.volumeSlices(m, x, { axis: 2, slices: [0], layers: ["c1"], input: false });
    expect(side.payload.layers.map((l) => l.name)).toEqual(["c1 · x 1/6"]);
    expect(() => cl.inspect.volumeSlices(m, cl.zeros([1, 8, 8, 1]))).toThrow(/inspect\.volumeSlices: x must be a batch of volumes/);
  });
});
