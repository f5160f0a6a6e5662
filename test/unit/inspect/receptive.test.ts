// Receptive fields (issue 17): exact size, stride and offset per axis against hand numbers, for
// chains, graph models (branches merged), dilated convolutions, 1-D and 3-D stacks; top-k patches
// over batches.
import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

const { inspect, nn } = cl;
const rf = (m: Parameters<typeof inspect.receptiveFieldOf>[0], l: string) => {
  const r = inspect.receptiveFieldOf(m, l);
  return { size: r.size, stride: r.stride, offset: r.offset, global: r.global };
};

describe("receptive fields (hand numbers)", () => {
  it("three 3×3 convs → 3, 5, 7 (stride 1, offset 0)", () => {
    const m = nn.sequential([1, 2, 3].map((i) => nn.conv2d({ name: `c${i}`, filters: 2, size: 3 })), { inputShape: [16, 16, 1] });
    expect(rf(m, "c1")).toEqual({ size: [3, 3], stride: [1, 1], offset: [0, 0], global: false });
    expect(rf(m, "c2")).toEqual({ size: [5, 5], stride: [1, 1], offset: [0, 0], global: false });
    expect(rf(m, "c3")).toEqual({ size: [7, 7], stride: [1, 1], offset: [0, 0], global: false });
    expect(inspect.receptiveFields(m).map((r) => r.size[0])).toEqual([3, 5, 7]);
  });

  it("conv 3×3 → max-pool 2/2 → conv 3×3: 3, 4, 8 with strides 1, 2, 2", () => {
    const m = nn.sequential([nn.conv2d({ name: "c1", filters: 2, size: 3 }), nn.maxPool2d({ name: "p", size: 2 }), nn.conv2d({ name: "c2", filters: 2, size: 3 })], { inputShape: [16, 16, 1] });
    expect(rf(m, "c1")).toEqual({ size: [3, 3], stride: [1, 1], offset: [0, 0], global: false });
    expect(rf(m, "p")).toEqual({ size: [4, 4], stride: [2, 2], offset: [0, 0], global: false });
    expect(rf(m, "c2")).toEqual({ size: [8, 8], stride: [2, 2], offset: [0, 0], global: false });
    // unit (1, 2) of c2: rows 2..9, columns 4..11
    expect(inspect.receptiveField(m, "c2", 1, 2)).toEqual({ x1: 4, y1: 2, x2: 11, y2: 9 });
  });

  it("a dilated 3×3 conv (d = 2) sees 5; after a 3×3 conv, 7", () => {
    const m = nn.sequential([nn.conv2d({ name: "d", filters: 1, size: 3, dilation: 2 }), nn.conv2d({ name: "c", filters: 1, size: 3 })], { inputShape: [12, 12, 1] });
    expect(rf(m, "d").size).toEqual([5, 5]);
    expect(rf(m, "c").size).toEqual([7, 7]);
    const m2 = nn.sequential([nn.conv2d({ name: "c", filters: 1, size: 3 }), nn.conv2d({ name: "d", filters: 1, size: 3, dilation: 2 })], { inputShape: [12, 12, 1] });
    expect(rf(m2, "d").size).toEqual([7, 7]);
  });

  it("'same' padding shifts the offset into the padding; strided 'same' puts the odd pixel at the end", () => {
    const m = nn.sequential([nn.conv2d({ name: "c", filters: 1, size: 3, padding: "same" }), nn.conv2d({ name: "s", filters: 1, size: 3, stride: 2, padding: "same" })], { inputShape: [8, 8, 1] });
    expect(rf(m, "c")).toEqual({ size: [3, 3], stride: [1, 1], offset: [-1, -1], global: false });
    // 8 → 4 with s = 2, f = 3: total padding max(3·2 + 3 − 8, 0) = 1, before 0
    expect(rf(m, "s")).toEqual({ size: [5, 5], stride: [2, 2], offset: [-1, -1], global: false });
    expect(inspect.receptiveField(m, "c", 0, 0)).toEqual({ x1: 0, y1: 0, x2: 1, y2: 1 });
  });

  it("non-square windows and strides per axis; flatten and dense see the whole input", () => {
    const m = nn.sequential([nn.conv2d({ name: "c", filters: 1, size: [3, 5], stride: [1, 2] }), nn.flatten({ name: "f" }), nn.dense({ name: "fc", units: 2 })], { inputShape: [9, 11, 1] });
    expect(rf(m, "c")).toEqual({ size: [3, 5], stride: [1, 2], offset: [0, 0], global: false });
    expect(rf(m, "fc")).toEqual({ size: [9, 11], stride: [0, 0], offset: [0, 0], global: true });
  });

  it("a graph model: the sum of a 3×3 and a 5×5 path sees the union (5×5)", () => {
    const x = nn.input([10, 10, 1]);
    const a = nn.conv2d({ name: "a", filters: 2, size: 3, padding: "same" }).apply(x);
    const b = nn.conv2d({ name: "b", filters: 2, size: 3, padding: "same" }).apply(a);
    const s = nn.add({ name: "sum" }).apply([a, b]);
    const y = nn.maxPool2d({ name: "pool", size: 2 }).apply(s);
    const m = nn.model({ inputs: x, outputs: y });
    expect(rf(m, "a")).toEqual({ size: [3, 3], stride: [1, 1], offset: [-1, -1], global: false });
    expect(rf(m, "sum")).toEqual({ size: [5, 5], stride: [1, 1], offset: [-2, -2], global: false });
    expect(rf(m, "pool")).toEqual({ size: [6, 6], stride: [2, 2], offset: [-2, -2], global: false });
    expect(inspect.receptiveField(m, "pool", 2, 3)).toEqual({ x1: 4, y1: 2, x2: 9, y2: 7 });
  });

  it("1-D (14 ∗ 5 → 10, ∗ 5 → 6) and 3-D (14³ ∗ 5³ → 10³ ∗ 5³ → 6³) stacks: 5 then 9 per axis", () => {
    const m1 = nn.sequential([nn.conv1d({ name: "c1", filters: 16, size: 5 }), nn.conv1d({ name: "c2", filters: 32, size: 5 })], { inputShape: [14, 1] });
    expect(rf(m1, "c2")).toEqual({ size: [9], stride: [1], offset: [0], global: false });
    expect(inspect.receptiveFieldOf(m1, "c2").outputShape).toEqual([6, 32]);
    const m3 = nn.sequential([nn.conv3d({ name: "c1", filters: 2, size: 5 }), nn.maxPool3d({ name: "p", size: 2 })], { inputShape: [14, 14, 14, 1] });
    expect(rf(m3, "c1").size).toEqual([5, 5, 5]);
    expect(rf(m3, "p")).toEqual({ size: [6, 6, 6], stride: [2, 2, 2], offset: [0, 0, 0], global: false });
  });

  it("errors name the function and the layer", () => {
    const m = nn.sequential([nn.conv2d({ name: "c", filters: 1, size: 3 })], { inputShape: [6, 6, 1] });
    expect(() => inspect.receptiveFieldOf(m, "nope")).toThrow(/nope/);
    expect(() => inspect.receptiveField(m, "c", 9, 0)).toThrow(/receptiveField: layer 'c' is 4×4, got position \(9, 0\)/);
    expect(() => inspect.receptiveFieldOf(null as never, "c")).toThrow(/receptiveFieldOf: model must be/);
  });
});

describe("topPatches over a dataset", () => {
  it("returns the unit's k largest per-example maxima in order, each recomputed from its example, across batches", () => {
    const m = nn.sequential([nn.conv2d({ name: "c1", filters: 4, size: 3, activation: "relu" }), nn.maxPool2d({ name: "p", size: 2 }), nn.conv2d({ name: "c2", filters: 3, size: 3 })], { inputShape: [10, 10, 1], seed: 2 });
    const x = cl.rand([12, 10, 10, 1], { seed: 4 });
    const batches = [0, 4, 8].map((s) => ({ x: cl.slice(x, [s, 0, 0, 0], [4, 10, 10, 1]) }));
    const u = inspect.topPatches(m, "c2", 1, batches, { k: 5 });
    const whole = inspect.topPatches(m, x, "c2", 1, 5);
    expect(u.patches.map((p) => [p.example, p.activation])).toEqual(whole.patches.map((p) => [p.example, p.activation]));
    const out = m.features(x, ["c2"]).c2!;
    const [, h, w, c] = out.shape as [number, number, number, number];
    const maxima = Array.from({ length: 12 }, (_, e) => Math.max(...Array.from({ length: h * w }, (_, p) => out.data[(e * h * w + p) * c + 1]!)));
    const sorted = [...maxima].sort((a, b) => b - a).slice(0, 5);
    expect(u.patches.map((p) => p.activation)).toEqual(sorted);
    for (const p of u.patches) {
      expect(maxima[p.example]).toBe(p.activation);
      // each patch is the receptive field (8×8) of the unit, clipped to the 10×10 input
      expect(p.box.x2 - p.box.x1 + 1).toBe(8);
      expect(p.box.y2 - p.box.y1 + 1).toBe(8);
    }
  });
});
