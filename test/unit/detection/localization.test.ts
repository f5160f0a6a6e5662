import { afterAll, describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

afterAll(() => cl.shutdownThreads());

const { localizationTarget, localizationLoss, localizationDecode } = cl.detection;
const B = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe("classification with localisation (y = [pc, bx, by, bh, bw, c1, c2, c3])", () => {
  it("the target: midpoint and size as fractions of the image, one-hot class; background is pc = 0", () => {
    const y = localizationTarget([{ box: B(16, 8, 48, 40), classId: 2 }, null], { classes: 3, width: 64, height: 64, dtype: "float64" });
    expect(y.shape).toEqual([2, 8]);
    expect(y.toArray()).toEqual([[1, 0.5, 0.375, 0.5, 0.5, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0]]);
  });
  it("the loss: every component squared when pc = 1, only pc when pc = 0 (by hand), mean over the batch", () => {
    const y = cl.tensor([[1, 0.5, 0.5, 0.2, 0.3, 0, 1, 0], [0, 0, 0, 0, 0, 0, 0, 0]], undefined, { dtype: "float64" });
    const yHat = cl.tensor([[0.9, 0.4, 0.5, 0.2, 0.1, 0.2, 0.7, 0.1], [0.3, 9, 9, 9, 9, 9, 9, 9]], undefined, { dtype: "float64" });
    const first = 0.01 + 0.01 + 0 + 0 + 0.04 + 0.04 + 0.09 + 0.01;
    const second = 0.09; // the "don't care" components of a background image are ignored
    expect(localizationLoss(yHat, y).item()).toBeCloseTo((first + second) / 2, 14);
  });
  it("gradcheck (float64)", () => {
    const y = localizationTarget([{ box: B(0.1, 0.2, 0.5, 0.9), classId: 0 }, null, { box: B(0.3, 0.3, 0.4, 0.4), classId: 1 }], { classes: 2, dtype: "float64" });
    const yHat = cl.randn([3, 7], { seed: 2, dtype: "float64" });
    expect(cl.gradcheck((t) => localizationLoss(t, y), [yHat], { atol: 1e-7, rtol: 1e-5 }).ok).toBe(true);
  });
  it("decode: the box and class of each image with pc above the threshold", () => {
    const y = localizationTarget([{ box: B(16, 8, 48, 40), classId: 2 }, null], { classes: 3, width: 64, height: 64 });
    expect(localizationDecode(y, { width: 64, height: 64 })).toEqual([{ box: B(16, 8, 48, 40), score: 1, classId: 2 }, null]);
    expect(() => localizationLoss(cl.zeros([2, 8]), cl.zeros([2, 7]))).toThrow(/localizationLoss: y \[2,7\] must have yHat's shape \[2,8\]/);
  });
});

describe("synthetic data", () => {
  it("shapes: seeded, boxes inside the image, at most maxObjects per image, pairwise IoU ≤ maxOverlap", () => {
    const a = cl.data.synthetic.shapes({ n: 30, size: 48, classes: 3, maxObjects: 3, seed: 5 });
    const b = cl.data.synthetic.shapes({ n: 30, size: 48, classes: 3, maxObjects: 3, seed: 5 });
    expect(a.x.shape).toEqual([30, 48, 48, 3]);
    expect(a.objects).toEqual(b.objects);
    expect(Array.from(a.x.data)).toEqual(Array.from(b.x.data));
    expect(a.classes).toEqual(["square", "circle", "triangle"]);
    const seen = new Set<number>();
    for (const list of a.objects) {
      expect(list.length).toBeGreaterThanOrEqual(1);
      expect(list.length).toBeLessThanOrEqual(3);
      list.forEach((o, i) => {
        seen.add(o.classId);
        expect(o.box.x1).toBeGreaterThanOrEqual(0);
        expect(o.box.x2).toBeLessThanOrEqual(48);
        for (const q of list.slice(i + 1)) expect(cl.detection.iou(o.box, q.box)).toBeLessThanOrEqual(0.3);
      });
    }
    expect(seen).toEqual(new Set([0, 1, 2]));
    // the object's pixels differ from the background: a square's box centre is its colour
    const o = a.objects[0]!.find((q) => q.classId === 0);
    if (o) {
      const cx = Math.floor((o.box.x1 + o.box.x2) / 2), cy = Math.floor((o.box.y1 + o.box.y2) / 2);
      const px = Array.from(a.x.data.slice((cy * 48 + cx) * 3, (cy * 48 + cx) * 3 + 3));
      expect(Math.max(...px)).toBeGreaterThan(0.8);
    }
  });
  it("landmarks: the three corners of the drawn triangle, the top one first", () => {
    const { x, points } = cl.data.synthetic.landmarks({ n: 10, size: 32, seed: 1 });
    expect(x.shape).toEqual([10, 32, 32, 3]);
    expect(points.shape).toEqual([10, 6]);
    for (let i = 0; i < 10; i++) {
      const p = Array.from(points.data.slice(i * 6, i * 6 + 6));
      expect(p[1]).toBeLessThanOrEqual(Math.min(p[3]!, p[5]!));
      // the centroid lies inside the triangle: it has the triangle's bright colour
      const cx = Math.floor(((p[0]! + p[2]! + p[4]!) / 3) * 32), cy = Math.floor(((p[1]! + p[3]! + p[5]!) / 3) * 32);
      const at = ((i * 32 + cy) * 32 + cx) * 3;
      expect(Math.max(x.data[at]!, x.data[at + 1]!, x.data[at + 2]!)).toBeGreaterThan(0.8);
    }
  });
});
