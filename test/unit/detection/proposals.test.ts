import { afterAll, describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

afterAll(() => cl.shutdownThreads());

const { segment, selectiveSearch, cropAndResize, boxDeltas, applyBoxDeltas, labelProposals, iou } = cl.detection;
const B = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

/** A 20×30 gray image with a bright 6×8 rectangle at (x 5..13, y 4..10) and a dark one at (x 18..28, y 12..18). */
function twoRects(): cl.Tensor {
  const d = new Float32Array(20 * 30 * 3).fill(0.5);
  const fill = (b: { x1: number; y1: number; x2: number; y2: number }, v: number) => {
    for (let y = b.y1; y < b.y2; y++) for (let x = b.x1; x < b.x2; x++) for (let c = 0; c < 3; c++) d[(y * 30 + x) * 3 + c] = v;
  };
  fill(B(5, 4, 13, 10), 1);
  fill(B(18, 12, 28, 18), 0);
  return new cl.Tensor(d, [20, 30, 3]);
}

describe("segment (Felzenszwalb–Huttenlocher)", () => {
  it("flat regions with sharp edges become exactly their own segments", () => {
    const s = segment(twoRects(), { k: 100, minSize: 5, sigma: 0 });
    expect(s.count).toBe(3);
    const at = (x: number, y: number) => s.labels[y * 30 + x];
    expect(at(6, 5)).toBe(at(12, 9));
    expect(at(6, 5)).not.toBe(at(0, 0));
    expect(at(20, 15)).not.toBe(at(0, 0));
    expect(at(20, 15)).not.toBe(at(6, 5));
    let inRect = 0;
    for (let i = 0; i < s.labels.length; i++) if (s.labels[i] === at(6, 5)) inRect++;
    expect(inRect).toBe(8 * 6);
  });
  it("a larger k merges more; minSize removes small regions", () => {
    const img = cl.rand([24, 24, 3], { seed: 1 });
    const fine = segment(img, { k: 10, minSize: 0 }).count, coarse = segment(img, { k: 1000, minSize: 0 }).count;
    expect(coarse).toBeLessThan(fine);
    const s = segment(img, { k: 10, minSize: 30 });
    const sizes = new Map<number, number>();
    for (const l of s.labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
    expect(Math.min(...sizes.values())).toBeGreaterThanOrEqual(30);
  });
});

describe("selectiveSearch", () => {
  it("proposes each rectangle's exact box and the whole image", () => {
    const props = selectiveSearch(twoRects(), { ks: [100], minSize: 5, sigma: 0 });
    expect(props).toContainEqual(B(5, 4, 13, 10));
    expect(props).toContainEqual(B(18, 12, 28, 18));
    expect(props).toContainEqual(B(0, 0, 30, 20));
    expect(new Set(props.map((p) => JSON.stringify(p))).size).toBe(props.length);
  });
  it("finds ≥ 90 % of the synthetic shapes at IoU ≥ 0.5", () => {
    const set = cl.data.synthetic.shapes({ n: 20, size: 32, classes: 3, maxObjects: 2, minSide: 0.25, maxSide: 0.5, seed: 4 });
    let found = 0, total = 0;
    set.objects.forEach((objs, i) => {
      const props = selectiveSearch(cl.slice(set.x, [i, 0, 0, 0], [1, 32, 32, 3]), { ks: [50, 150], minSize: 10, sigma: 0.5 });
      for (const o of objs) (total++, (found += props.some((p) => iou(p, o.box) >= 0.5) ? 1 : 0));
    });
    expect(found / total).toBeGreaterThanOrEqual(0.9);
  });
});

describe("cropAndResize, box deltas, proposal labels", () => {
  it("a crop at its own size is the slice; resizing a constant region keeps the constant", () => {
    const img = cl.rand([10, 12, 2], { seed: 3 });
    const c = cropAndResize(img, [B(2, 3, 7, 9)], [6, 5]);
    expect(c.shape).toEqual([1, 6, 5, 2]);
    const s = cl.slice(img, [3, 2, 0], [6, 5, 2]);
    c.data.forEach((v, i) => expect(Math.abs(v - s.data[i]!)).toBeLessThanOrEqual(1e-6));
    const r = cropAndResize(twoRects(), [B(5, 4, 13, 10)], [3, 3]);
    r.data.forEach((v) => expect(v).toBeCloseTo(1, 6));
  });
  it("applyBoxDeltas inverts boxDeltas", () => {
    const p = B(10, 20, 40, 35), g = B(12, 18, 50, 44);
    const d = boxDeltas(p, g);
    expect(d[2]).toBeCloseTo(Math.log(38 / 30), 14);
    const back = applyBoxDeltas(p, d);
    for (const k of ["x1", "y1", "x2", "y2"] as const) expect(back[k]).toBeCloseTo(g[k], 10);
  });
  it("labels: IoU ≥ 0.5 takes the class, < 0.3 is background (K), in between ignored (−1)", () => {
    const objs = [{ box: B(0, 0, 10, 10), classId: 1 }];
    const r = labelProposals([B(0, 0, 10, 8), B(0, 0, 10, 4), B(20, 20, 30, 30)], objs, { classes: 2 });
    expect(r.labels).toEqual([1, -1, 2]);
    expect(r.ious[0]).toBeCloseTo(0.8, 12);
  });
});
