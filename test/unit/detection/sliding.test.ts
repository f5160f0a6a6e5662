import { afterAll, describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

afterAll(() => cl.shutdownThreads());

/** COURSE.md's classifier: 14×14×3 → conv 5×5 16 → max-pool 2 → FC 400 → FC 400 → 4. */
function courseNet() {
  return cl.nn.sequential([
    cl.nn.conv2d({ filters: 16, size: 5, activation: "relu" }),
    cl.nn.maxPool2d({ size: 2 }),
    cl.nn.flatten(),
    cl.nn.dense({ units: 400, activation: "relu" }),
    cl.nn.dense({ units: 400, activation: "relu" }),
    cl.nn.dense({ units: 4 }),
  ], { inputShape: [14, 14, 3], seed: 3 });
}

const maxDiff = (a: cl.Tensor, b: cl.Tensor) => a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - b.data[i]!)), 0);

describe("toConvolutional (FC 400 → 5×5 conv 400 → 1×1 conv 400 → 1×1 conv 4)", () => {
  const net = courseNet();
  it("has the course's layers and shapes: 14×14×3 → 1×1×4, 16×16×3 → 2×2×4, 28×28×3 → 8×8×4", () => {
    const c14 = cl.nn.toConvolutional(net);
    const rows = c14.summary().rows;
    expect(rows.map((r) => r.outputShape)).toEqual([[14, 14, 3], [10, 10, 16], [5, 5, 16], [1, 1, 400], [1, 1, 400], [1, 1, 4]]);
    const convs = c14.layers.filter((l) => l.type === "Conv2D").map((l) => l.weight("kernel").shape);
    expect(convs).toEqual([[5, 5, 3, 16], [5, 5, 16, 400], [1, 1, 400, 400], [1, 1, 400, 4]]);
    expect(c14.summary().totalParams).toBe(net.summary().totalParams);
    expect(cl.nn.toConvolutional(net, { inputShape: [16, 16, 3] }).predict(cl.rand([1, 16, 16, 3], { seed: 1 })).shape).toEqual([1, 2, 2, 4]);
    expect(cl.nn.toConvolutional(net, { inputShape: [28, 28, 3] }).predict(cl.rand([1, 28, 28, 3], { seed: 1 })).shape).toEqual([1, 8, 8, 4]);
  });
  it("gives the classifier's outputs on the window, and the naive sliding windows' outputs (stride 2) on larger images (≤ 1e-5)", () => {
    const x14 = cl.rand([3, 14, 14, 3], { seed: 2 });
    const y = net.predict(x14);
    const yc = cl.nn.toConvolutional(net).predict(x14);
    expect(yc.shape).toEqual([3, 1, 1, 4]);
    expect(maxDiff(yc, y)).toBeLessThanOrEqual(1e-5);
    for (const n of [16, 28]) {
      const x = cl.rand([1, n, n, 3], { seed: n });
      const naive = cl.detection.slidingWindows(net, x, { size: 14, stride: 2 });
      const conv = cl.nn.toConvolutional(net, { inputShape: [n, n, 3] }).predict(x);
      expect(naive.shape).toEqual(conv.shape);
      expect(maxDiff(conv, naive)).toBeLessThanOrEqual(1e-5);
    }
  });
  it("shares the trained conv layers (training the original moves the convolutional net too) and refuses a net without dense layers", () => {
    const conv = cl.nn.toConvolutional(net);
    expect(conv.layers.find((l) => l.type === "Conv2D")!.weight("kernel")).toBe(net.layers[0]!.weight("kernel"));
    const noDense = cl.nn.sequential([cl.nn.conv2d({ filters: 2, size: 3 })], { inputShape: [5, 5, 1] });
    expect(() => cl.nn.toConvolutional(noDense)).toThrow(/toConvolutional: .* has no dense layer/);
  });
});

describe("windowCrops", () => {
  it("row by row, stride s: ⌊(n − f)/s⌋ + 1 windows per axis, each the image's slice", () => {
    const img = cl.arange(0, 5 * 6).reshape([5, 6, 1]);
    const { crops, rows, cols } = cl.detection.windowCrops(img, { size: [3, 2], stride: [2, 3] });
    expect([rows, cols]).toEqual([2, 2]);
    expect(crops.shape).toEqual([4, 3, 2, 1]);
    // window (1, 1) starts at row 2, col 3
    expect(Array.from(crops.data.slice(3 * 6, 4 * 6))).toEqual([15, 16, 21, 22, 27, 28]);
    expect(() => cl.detection.windowCrops(img, { size: 7 })).toThrow(/windowCrops: the window 7×7 is larger than the image 5×6/);
  });
});
