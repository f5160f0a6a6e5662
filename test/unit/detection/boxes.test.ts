import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

const { iou, nms, fromMidpoint, toMidpoint, boxArea } = cl.detection;
const B = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe("iou", () => {
  it("[0,0,2,2] vs [1,1,3,3] = 1/7 (intersection 1, union 4 + 4 − 1)", () => {
    expect(iou(B(0, 0, 2, 2), B(1, 1, 3, 3))).toBeCloseTo(1 / 7, 15);
  });
  it("identical boxes give 1, disjoint and edge-touching boxes 0, containment the area ratio", () => {
    expect(iou(B(1, 2, 4, 6), B(1, 2, 4, 6))).toBe(1);
    expect(iou(B(0, 0, 1, 1), B(2, 2, 3, 3))).toBe(0);
    expect(iou(B(0, 0, 1, 1), B(1, 0, 2, 1))).toBe(0);
    expect(iou(B(0, 0, 4, 4), B(1, 1, 3, 3))).toBe(4 / 16);
  });
  it("works in fractions as in pixels (no +1)", () => {
    expect(iou(B(0, 0, 0.5, 0.5), B(0.25, 0, 0.75, 0.5))).toBeCloseTo(0.125 / 0.375, 15);
  });
  it("two zero-area boxes give 0, not NaN", () => {
    expect(iou(B(1, 1, 1, 1), B(1, 1, 1, 1))).toBe(0);
  });
  it("refuses boxes given as midpoint/size or with NaN corners", () => {
    expect(() => iou(B(2, 0, 1, 1), B(0, 0, 1, 1))).toThrow(/iou: box a must have x2 ≥ x1 and y2 ≥ y1/);
    expect(() => iou(B(0, 0, 1, 1), B(0, NaN, 1, 1))).toThrow(/iou: box b must have finite corners/);
  });
});

describe("fromMidpoint / toMidpoint", () => {
  it("bx,by centre, bh height, bw width (the course's y = [pc, bx, by, bh, bw, ...])", () => {
    expect(fromMidpoint({ bx: 0.5, by: 0.7, bh: 0.3, bw: 0.4 })).toEqual({ x1: 0.3, y1: 0.5499999999999999, x2: 0.7, y2: 0.85 });
    expect(toMidpoint(B(10, 20, 30, 60))).toEqual({ bx: 20, by: 40, bh: 40, bw: 20 });
    expect(boxArea(fromMidpoint({ bx: 5, by: 5, bh: 2, bw: 3 }))).toBe(6);
  });
  it("refuses negative sizes", () => {
    expect(() => fromMidpoint({ bx: 0, by: 0, bh: -1, bw: 1 })).toThrow(/fromMidpoint: bh and bw must be ≥ 0, got bh=-1, bw=1/);
  });
});

describe("nms (course: discard pc ≤ 0.6, keep the highest, suppress IoU ≥ 0.5, per class)", () => {
  const car = (score: number, box: ReturnType<typeof B>, classId = 0) => ({ box, score, classId });

  it("keeps the best of overlapping boxes and the separate ones, highest score first", () => {
    const dets = [car(0.7, B(0, 0, 10, 10)), car(0.9, B(1, 1, 11, 11)), car(0.8, B(50, 50, 60, 60)), car(0.85, B(0, 1, 10, 11))];
    const kept = nms(dets);
    expect(kept).toEqual([dets[1], dets[2]]);
    expect(kept[0]).toBe(dets[1]); // the same objects
  });

  it("drops a score of exactly 0.6 and keeps 0.61", () => {
    const dets = [car(0.6, B(0, 0, 1, 1)), car(0.61, B(5, 5, 6, 6))];
    expect(nms(dets)).toEqual([dets[1]]);
  });

  it("suppresses at IoU exactly 0.5 and keeps just below it", () => {
    // [0,0,3,1] vs [1,0,4,1]: intersection 2, union 4 → 0.5.
    const a = car(0.9, B(0, 0, 3, 1)), b = car(0.8, B(1, 0, 4, 1));
    expect(iou(a.box, b.box)).toBe(0.5);
    expect(nms([a, b])).toEqual([a]);
    expect(nms([a, b], { iouThreshold: 0.51 })).toEqual([a, b]);
  });

  it("runs per class: a car does not suppress a pedestrian at the same place, unless perClass is false", () => {
    const c = car(0.9, B(0, 0, 10, 10), 0), p = car(0.8, B(0, 0, 10, 10), 1);
    expect(nms([c, p])).toEqual([c, p]);
    expect(nms([c, p], { perClass: false })).toEqual([c]);
  });

  it("a suppressed box does not suppress others (chain a ⊃ b ⊃ c)", () => {
    // a and b overlap (IoU 0.6), b and c overlap (0.6), a and c by 1/3: a and c are kept.
    const a = car(0.9, B(0, 0, 10, 1)), b = car(0.8, B(2.5, 0, 12.5, 1)), c = car(0.7, B(5, 0, 15, 1));
    expect(iou(a.box, b.box)).toBeCloseTo(0.6, 12);
    expect(iou(b.box, c.box)).toBeCloseTo(0.6, 12);
    expect(nms([a, b, c])).toEqual([a, c]);
  });

  it("equal scores keep input order; lower thresholds keep more boxes", () => {
    const a = car(0.9, B(0, 0, 10, 10)), b = car(0.9, B(20, 0, 30, 10)), c = car(0.3, B(40, 0, 50, 10));
    expect(nms([b, a])).toEqual([b, a]);
    expect(nms([a, b, c], { scoreThreshold: 0.2 })).toEqual([a, b, c]);
  });

  it("names the detection with a bad box or score", () => {
    expect(() => nms([car(0.9, B(0, 0, 1, 1)), car(0.8, B(3, 0, 1, 1))])).toThrow(/nms: detection 1's box must have x2 ≥ x1/);
    expect(() => nms([car(NaN, B(0, 0, 1, 1))])).toThrow(/nms: detection 0's score must be a number, got NaN/);
    expect(() => nms([], { iouThreshold: "0.5" as unknown as number })).toThrow(/nms: iouThreshold must be a number in \[0, 1\], got 0.5/);
  });
});
