import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

const { yoloEncode, yoloDecode, yoloLoss, yoloInverse, yoloAssign, kmeansAnchors, iou } = cl.detection;
const B = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });
const close = (a: number, b: number, atol: number, rtol = 0) => Math.abs(a - b) <= atol + rtol * Math.abs(b);

describe("yoloEncode (COURSE.md week 3)", () => {
  const anchors2 = [{ width: 1, height: 2 }, { width: 2, height: 1 }]; // a tall (pedestrian) and a wide (car) anchor
  it("3×3 grid, 2 anchors, 3 classes: y is 3×3×2×8 per image; 19×19, 5 anchors, 80 classes: 19×19×5×85", () => {
    expect(yoloEncode([[]], { grid: 3, anchors: anchors2, classes: 3 }).shape).toEqual([1, 3, 3, 2, 8]);
    const five = Array.from({ length: 5 }, (_, i) => ({ width: i + 1, height: i + 1 }));
    expect(yoloEncode([[], []], { grid: 19, anchors: five, classes: 80 }).shape).toEqual([2, 19, 19, 5, 85]);
  });
  it("the object goes to the cell of its midpoint, bx/by inside the cell, bh/bw in cell units (may exceed 1)", () => {
    // a 3×3 grid on a 300×300 image: cells of 100 px. Midpoint (150, 250) → row 2, col 1.
    const box = B(100, 180, 200, 320); // 100 wide, 140 tall: tall → anchor 0
    const y = yoloEncode([[{ box, classId: 2 }]], { grid: 3, anchors: anchors2, classes: 3, width: 300, height: 300, dtype: "float64" });
    const at = (((0 * 3 + 2) * 3 + 1) * 2 + 0) * 8;
    expect(Array.from(y.data.slice(at, at + 8))).toEqual([1, 0.5, 0.5, 1.4, 1, 0, 0, 1]);
    let ones = 0;
    for (let i = 0; i < y.size; i += 8) ones += y.data[i]!;
    expect(ones).toBe(1);
    expect(yoloAssign(box, { grid: 3, anchors: anchors2, width: 300, height: 300 })).toEqual({ row: 2, col: 1, anchor: 0, bx: 0.5, by: 0.5, bh: 1.4, bw: 1 });
  });
  it("the anchor is the one whose shape has the highest IoU with the object's (a wide car → anchor 1)", () => {
    const a = yoloAssign(B(0.1, 0.4, 0.5, 0.55), { grid: 3, anchors: anchors2 });
    expect(a.anchor).toBe(1);
    expect(a.bw).toBeCloseTo(1.2, 12);
    expect(a.bh).toBeCloseTo(0.45, 12);
  });
  it("refuses a class outside [0, K) and a bad grid, naming the argument", () => {
    expect(() => yoloEncode([[{ box: B(0, 0, 1, 1), classId: 3 }]], { grid: 3, anchors: anchors2, classes: 3 })).toThrow(/yoloEncode: objects\[0\]\[0\]\.classId/);
    expect(() => yoloEncode([[]], { grid: 0, anchors: anchors2, classes: 3 })).toThrow(/yoloEncode: opts\.grid/);
    expect(() => yoloEncode([[{ box: B(1, 0, 0, 1), classId: 0 }]], { grid: 3, anchors: anchors2, classes: 3 })).toThrow(/x2 ≥ x1/);
  });
});

/** Random objects, at most one per cell (so none is dropped), as a seeded generator would. */
function randomObjects(rng: cl.Rng, S: number, K: number, W: number, H: number): { box: cl.detection.Box; classId: number }[] {
  const cells = rng.permutation(S * S).slice(0, 1 + rng.int(S));
  return Array.from(cells, (cell) => {
    const r = Math.floor(cell / S), c = cell % S;
    const xc = (c + 0.05 + 0.9 * rng.uniform()) * (W / S), yc = (r + 0.05 + 0.9 * rng.uniform()) * (H / S);
    const w = (0.2 + 2 * rng.uniform()) * (W / S), h = (0.2 + 2 * rng.uniform()) * (H / S);
    return { box: B(xc - w / 2, yc - h / 2, xc + w / 2, yc + h / 2), classId: rng.int(K) };
  });
}

describe("encode → decode round trip", () => {
  const anchors = [{ width: 0.5, height: 0.5 }, { width: 1.5, height: 0.8 }, { width: 0.8, height: 1.6 }];
  it("decoding the encoded target (activation none) gives back every object exactly (float64), score 1", () => {
    const rng = new cl.Rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const objs = [randomObjects(rng, 5, 4, 320, 240), randomObjects(rng, 5, 4, 320, 240)];
      const y = yoloEncode(objs, { grid: 5, anchors, classes: 4, width: 320, height: 240, dtype: "float64" });
      const dets = yoloDecode(y, { anchors, width: 320, height: 240, activation: "none" });
      expect(dets).toHaveLength(2);
      dets.forEach((list, i) => {
        expect(list).toHaveLength(objs[i]!.length);
        for (const o of objs[i]!) {
          const d = list.find((q) => q.classId === o.classId && iou(q.box, o.box) > 0.999)!;
          expect(d).toBeDefined();
          expect(d.score).toBe(1);
          for (const k of ["x1", "y1", "x2", "y2"] as const) expect(close(d.box[k], o.box[k], 1e-9)).toBe(true);
        }
      });
    }
  });
  it("the raw values that invert the target decode (YOLOv2 activations) to the same boxes", () => {
    const rng = new cl.Rng(4);
    const objs = [randomObjects(rng, 4, 3, 1, 1)];
    const y = yoloEncode(objs, { grid: 4, anchors, classes: 3, dtype: "float64" });
    const t = yoloInverse(y, { anchors, eps: 1e-9 });
    const dets = cl.detection.nms(yoloDecode(t, { anchors })[0]!, { scoreThreshold: 0.5 });
    expect(dets).toHaveLength(objs[0]!.length);
    for (const o of objs[0]!) expect(dets.some((d) => d.classId === o.classId && iou(d.box, o.box) > 1 - 1e-6)).toBe(true);
  });
  it("the darknet layout [tx, ty, tw, th, to] (face-api's head) decodes as the course layout permuted", () => {
    const anchors1 = [{ width: 2, height: 3 }];
    const course = cl.tensor([0.7, -0.2, 0.4, 0.3, -0.1], [1, 1, 1, 5], { dtype: "float64" });
    const darknet = cl.tensor([-0.2, 0.4, -0.1, 0.3, 0.7], [1, 1, 1, 5], { dtype: "float64" });
    const a = yoloDecode(course, { anchors: anchors1, width: 100, height: 100 })[0]![0]!;
    const b = yoloDecode(darknet, { anchors: anchors1, width: 100, height: 100, layout: "darknet" })[0]![0]!;
    expect(b).toEqual(a);
    // by hand: σ(0.7), centre ((0 + σ(−0.2))·100, σ(0.4)·100), size (2·e^−0.1, 3·e^0.3)·100
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    expect(a.score).toBeCloseTo(s(0.7), 12);
    expect(a.box.x2 - a.box.x1).toBeCloseTo(200 * Math.exp(-0.1), 9);
    expect((a.box.y1 + a.box.y2) / 2).toBeCloseTo(100 * s(0.4), 9);
  });
});

describe("yoloLoss", () => {
  const anchors = [{ width: 1, height: 1 }, { width: 2, height: 1 }];
  const objs = [[{ box: B(0.1, 0.1, 0.4, 0.3), classId: 1 }], [{ box: B(0.5, 0.5, 0.9, 0.7), classId: 0 }, { box: B(0.05, 0.6, 0.3, 0.95), classId: 2 }]];
  it("gradcheck (float64) in the raw outputs", () => {
    const y = yoloEncode(objs, { grid: 2, anchors, classes: 3, dtype: "float64" });
    const t = cl.randn([2, 2, 2, 16], { seed: 5, dtype: "float64" });
    const r = cl.gradcheck((o) => yoloLoss(o, y, { anchors, lambdaCoord: 5, lambdaNoobj: 0.5 }), [t], { atol: 1e-6, rtol: 1e-4 });
    expect(r.ok).toBe(true);
  });
  it("the bce objectness: gradcheck, and the pc term by hand (softplus of the logit)", () => {
    const y = yoloEncode([objs[0]!], { grid: 2, anchors, classes: 3, dtype: "float64" });
    const t = cl.randn([1, 2, 2, 16], { seed: 7, dtype: "float64" });
    expect(cl.gradcheck((o) => yoloLoss(o, y, { anchors, objectness: "bce" }), [t], { atol: 1e-6, rtol: 1e-4 }).ok).toBe(true);
    const sp = (v: number) => Math.log(1 + Math.exp(v));
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    let dMse = 0, dBce = 0;
    for (let j = 0; j < 8; j++) {
      const v = t.data[j * 8]!, obj = y.data[j * 8] === 1;
      dMse += obj ? (s(v) - 1) ** 2 : 0.5 * s(v) ** 2;
      dBce += obj ? sp(-v) : 0.5 * sp(v);
    }
    const diff = yoloLoss(t, y, { anchors, objectness: "bce" }).item() - yoloLoss(t, y, { anchors }).item();
    expect(close(diff, dBce - dMse, 1e-12, 1e-10)).toBe(true);
    expect(() => yoloLoss(t, y, { anchors, objectness: "log" as "bce" })).toThrow(/yoloLoss: opts\.objectness/);
  });
  it("equals the formula computed by hand on one object", () => {
    const y = yoloEncode([objs[0]!], { grid: 2, anchors, classes: 3, dtype: "float64" });
    const t = cl.randn([1, 2, 2, 2, 8], { seed: 6, dtype: "float64" });
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    let L = 0;
    for (let j = 0; j < 8; j++) {
      const at = j * 8, a = j % 2, v = t.data, g = y.data;
      if (g[at] === 1) {
        L += 5 * ((s(v[at + 1]!) - g[at + 1]!) ** 2 + (s(v[at + 2]!) - g[at + 2]!) ** 2 + (v[at + 3]! - Math.log(g[at + 3]! / anchors[a]!.height)) ** 2 + (v[at + 4]! - Math.log(g[at + 4]! / anchors[a]!.width)) ** 2);
        L += (s(v[at]!) - 1) ** 2;
        const z = [5, 6, 7].map((k) => v[at + k]!), mx = Math.max(...z), lse = mx + Math.log(z.reduce((q, x) => q + Math.exp(x - mx), 0));
        L -= z[1]! - lse; // class 1
      } else L += 0.5 * s(v[at]!) ** 2;
    }
    expect(close(yoloLoss(t, y, { anchors }).item(), L, 1e-12, 1e-12)).toBe(true);
  });
  it("a near-perfect prediction has a near-zero loss; a random one a larger loss", () => {
    const y = yoloEncode(objs, { grid: 2, anchors, classes: 3, dtype: "float64" });
    const good = yoloLoss(yoloInverse(y, { anchors, eps: 1e-4 }), y, { anchors }).item();
    const bad = yoloLoss(cl.randn([2, 2, 2, 2, 8], { seed: 1, dtype: "float64" }), y, { anchors }).item();
    expect(good).toBeLessThan(1e-3);
    expect(bad).toBeGreaterThan(1);
  });
});

describe("kmeansAnchors (1 − IoU distance)", () => {
  it("recovers the generating shape clusters", () => {
    const rng = new cl.Rng(11);
    const truth = [{ width: 0.5, height: 1.5 }, { width: 2, height: 0.7 }, { width: 3, height: 3 }];
    const boxes = Array.from({ length: 300 }, (_, i) => {
      const c = truth[i % 3]!;
      return { width: c.width * (0.9 + 0.2 * rng.uniform()), height: c.height * (0.9 + 0.2 * rng.uniform()) };
    });
    const r = kmeansAnchors(boxes, 3, { seed: 0 });
    expect(r.anchors).toHaveLength(3);
    // smallest area first: 0.75, 1.4, 9
    const sorted = [truth[0]!, truth[1]!, truth[2]!];
    r.anchors.forEach((a, j) => expect(cl.detection.shapeIou(a, sorted[j]!)).toBeGreaterThan(0.97));
    boxes.forEach((_, i) => expect(r.assignments[i]).toBe(i % 3));
    expect(r.meanIoU).toBeGreaterThan(0.85);
  });
  it("accepts corner boxes, is deterministic per seed and refuses k > n", () => {
    const boxes = [B(0, 0, 1, 2), B(0, 0, 1.1, 2), B(5, 5, 8, 6), B(1, 1, 4, 2.1)];
    expect(kmeansAnchors(boxes, 2, { seed: 3 })).toEqual(kmeansAnchors(boxes, 2, { seed: 3 }));
    expect(() => kmeansAnchors(boxes, 5)).toThrow(/kmeansAnchors: needs at least k = 5 boxes, got 4/);
  });
});
