import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

const { meanAveragePrecision: mAP, averagePrecision, iouMatrix, nms } = cl.detection;
const B = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

const gt = [
  { imageId: 0, box: B(0, 0, 10, 10), classId: 0 },
  { imageId: 0, box: B(20, 20, 30, 30), classId: 1 },
  { imageId: 1, box: B(5, 5, 15, 15), classId: 0 },
];

describe("meanAveragePrecision (PASCAL VOC 2010+, all-point interpolation)", () => {
  it("perfect predictions give 1 for every class", () => {
    const preds = gt.map((g) => ({ ...g, score: 0.9 }));
    expect(mAP(preds, gt)).toEqual({ mAP: 1, ap: { 0: 1, 1: 1 } });
  });
  it("all wrong (no box reaches IoU 0.5, or the wrong class) gives 0", () => {
    const preds = [
      { imageId: 0, box: B(50, 50, 60, 60), score: 0.9, classId: 0 },
      { imageId: 1, box: B(5, 5, 15, 15), score: 0.8, classId: 1 }, // right place, wrong class
      { imageId: 1, box: B(0, 20, 10, 30), score: 0.7, classId: 0 },
    ];
    expect(mAP(preds, gt)).toEqual({ mAP: 0, ap: { 0: 0, 1: 0 } });
  });
  it("a duplicate of a matched box is a false positive; by hand: class 0 TP, FP, TP over 2 positives", () => {
    // class 0, by descending score: TP (img 0), duplicate FP (img 0), TP (img 1)
    // precision 1, 1/2, 2/3; recall 1/2, 1/2, 1; monotone precision 1, 2/3, 2/3
    // AP = (1/2)·1 + (1/2)·(2/3) = 5/6
    const preds = [
      { imageId: 0, box: B(0, 0, 10, 10), score: 0.9, classId: 0 },
      { imageId: 0, box: B(1, 0, 10, 10), score: 0.8, classId: 0 },
      { imageId: 1, box: B(5, 5, 15, 16), score: 0.7, classId: 0 },
      { imageId: 0, box: B(20, 20, 30, 30), score: 0.6, classId: 1 },
    ];
    const r = mAP(preds, gt);
    expect(r.ap[0]).toBeCloseTo(5 / 6, 14);
    expect(r.ap[1]).toBe(1);
    expect(r.mAP).toBeCloseTo((5 / 6 + 1) / 2, 14);
  });
  it("a class with no predictions has AP 0 and counts in the mean; classes only in predictions do not", () => {
    const preds = [
      { imageId: 0, box: B(0, 0, 10, 10), score: 0.9, classId: 0 },
      { imageId: 1, box: B(5, 5, 15, 15), score: 0.9, classId: 0 },
      { imageId: 1, box: B(5, 5, 15, 15), score: 0.9, classId: 7 },
    ];
    expect(mAP(preds, gt)).toEqual({ mAP: 0.5, ap: { 0: 1, 1: 0 } });
  });
  it("the order of the input does not matter (sorted by score inside); a low-score FP first in the list is ranked last", () => {
    const preds = [
      { imageId: 1, box: B(40, 40, 50, 50), score: 0.1, classId: 0 }, // FP, ranked last: AP stays 1
      { imageId: 1, box: B(5, 5, 15, 15), score: 0.5, classId: 0 },
      { imageId: 0, box: B(0, 0, 10, 10), score: 0.95, classId: 0 },
    ];
    expect(mAP(preds, gt.filter((g) => g.classId === 0)).ap[0]).toBe(1);
    expect(mAP([...preds].reverse(), gt.filter((g) => g.classId === 0))).toEqual(mAP(preds, gt.filter((g) => g.classId === 0)));
    // the same FP ranked first: precision 0, 1/2, 2/3 → monotone 2/3, 2/3, 2/3 → AP = 2/3
    const first = preds.map((p, i) => (i === 0 ? { ...p, score: 0.99 } : p));
    expect(mAP(first, gt.filter((g) => g.classId === 0)).ap[0]).toBeCloseTo(2 / 3, 14);
  });
  it("the IoU threshold: a box of IoU 0.6 is a TP at 0.5 and an FP at 0.75", () => {
    const truth = [{ imageId: "a", box: B(0, 0, 10, 10), classId: 3 }];
    const p = [{ imageId: "a", box: B(0, 0, 10, 6), score: 0.9, classId: 3 }]; // IoU 60/100
    expect(mAP(p, truth).ap[3]).toBe(1);
    expect(mAP(p, truth, { iouThreshold: 0.75 }).ap[3]).toBe(0);
  });
  it("averagePrecision by hand, and clear errors", () => {
    expect(averagePrecision([true, false, true, false], 3)).toBeCloseTo((1 / 3) * 1 + (1 / 3) * (2 / 3), 14);
    expect(averagePrecision([], 0)).toBe(0);
    expect(() => mAP([{ imageId: 0, box: B(0, 0, 1, 1), score: NaN, classId: 0 }], gt)).toThrow(/meanAveragePrecision: predictions\[0\]\.score/);
    expect(() => mAP([], gt, { iouThreshold: 1.5 })).toThrow(/meanAveragePrecision: opts\.iouThreshold/);
  });
});

describe("iouMatrix and the threshold checks", () => {
  it("iouMatrix[i][j] = iou(a[i], b[j]); empty lists give empty tables", () => {
    const a = [B(0, 0, 2, 2), B(1, 1, 3, 3)], b = [B(1, 1, 3, 3), B(10, 10, 11, 11), B(0, 0, 2, 2)];
    expect(iouMatrix(a, b)).toEqual([[1 / 7, 0, 1], [1, 0, 1 / 7]]);
    expect(iouMatrix([], b)).toEqual([]);
    expect(iouMatrix(a, [])).toEqual([[], []]);
    expect(() => iouMatrix(a, [B(0, 0, NaN, 1)])).toThrow(/iouMatrix: b\[0\] must have finite corners/);
  });
  it("nms of nothing is nothing", () => {
    expect(nms([])).toEqual([]);
    expect(nms([{ box: B(0, 0, 1, 1), score: 0.5, classId: 0 }])).toEqual([]);
  });
  it("nms refuses thresholds outside [0, 1]", () => {
    expect(() => nms([], { scoreThreshold: 1.2 })).toThrow(/nms: scoreThreshold must be in \[0, 1\], got 1.2/);
    expect(() => nms([], { iouThreshold: -0.1 })).toThrow(/nms: iouThreshold must be in \[0, 1\]/);
  });
});
