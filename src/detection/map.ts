/**
 * Mean average precision, PASCAL VOC 2010+ rules: per class, predictions by descending score
 * (stable for ties); each is matched to the same image's same-class ground-truth box of highest
 * IoU: a true positive when that IoU ≥ the threshold and the box is not matched yet, else a false
 * positive (so duplicates count against). Precision is made monotone (running maximum from the
 * right) and AP is the area under that precision–recall curve at every recall step.
 */
import { ValueError } from "../util/errors.js";
import { arrayArg, numberArg, optionsArg, requiredOptionsArg } from "../util/check.js";
import { checkBox, iouUnchecked, type Box } from "./boxes.js";

export interface MapPrediction {
  imageId: number | string;
  box: Box;
  score: number;
  classId: number;
}

export interface MapGroundTruth {
  imageId: number | string;
  box: Box;
  classId: number;
}

export interface MapOptions {
  /** IoU at or above which a prediction matches (default 0.5). */
  iouThreshold?: number;
}

export interface MapResult {
  /** Mean of `ap` over the classes present in the ground truth (0 when there is none). */
  mAP: number;
  /** classId → AP, for the classes present in the ground truth. */
  ap: Record<number, number>;
}

/** AP from per-prediction TP flags (already in descending score order) and the number of positives. */
export function averagePrecision(tp: readonly boolean[], positives: number): number {
  const fn = "averagePrecision";
  arrayArg(fn, "tp", tp);
  numberArg(fn, "positives", positives, { integer: true, min: 0 });
  if (positives === 0) return 0;
  const n = tp.length;
  const prec = new Float64Array(n), rec = new Float64Array(n);
  let t = 0;
  for (let i = 0; i < n; i++) {
    if (tp[i]) t++;
    prec[i] = t / (i + 1);
    rec[i] = t / positives;
  }
  for (let i = n - 2; i >= 0; i--) prec[i] = Math.max(prec[i]!, prec[i + 1]!);
  let ap = 0, prev = 0;
  for (let i = 0; i < n; i++) {
    if (rec[i]! > prev) {
      ap += (rec[i]! - prev) * prec[i]!;
      prev = rec[i]!;
    }
  }
  return ap;
}

function idArg(fn: string, name: string, v: unknown): number | string {
  if ((typeof v === "number" && Number.isFinite(v)) || typeof v === "string") return v;
  throw new ValueError(`${fn}: ${name} must be a number or a string, got ${v === null ? "null" : typeof v}`);
}

/**
 * mAP of detections against ground truth over a set of images.
 *
 * @example
 * meanAveragePrecision(preds, truth)                  // { mAP, ap: { 0: 0.93, 1: 0.88 } }
 * meanAveragePrecision(preds, truth, { iouThreshold: 0.75 })
 */
export function meanAveragePrecision(predictions: readonly MapPrediction[], groundTruth: readonly MapGroundTruth[], opts: MapOptions = {}): MapResult {
  const fn = "meanAveragePrecision";
  const preds = arrayArg(fn, "predictions", predictions) as readonly MapPrediction[];
  const truth = arrayArg(fn, "groundTruth", groundTruth) as readonly MapGroundTruth[];
  const o = optionsArg(fn, opts);
  const thr = o.iouThreshold === undefined ? 0.5 : numberArg(fn, "opts.iouThreshold", o.iouThreshold, { min: 0, max: 1 });
  preds.forEach((p, i) => {
    requiredOptionsArg(fn, p, `predictions[${i}]`, "{ imageId, box, score, classId }");
    idArg(fn, `predictions[${i}].imageId`, p.imageId);
    checkBox(p.box, fn, `predictions[${i}].box`);
    numberArg(fn, `predictions[${i}].score`, p.score);
    numberArg(fn, `predictions[${i}].classId`, p.classId, { integer: true });
  });
  truth.forEach((g, i) => {
    requiredOptionsArg(fn, g, `groundTruth[${i}]`, "{ imageId, box, classId }");
    idArg(fn, `groundTruth[${i}].imageId`, g.imageId);
    checkBox(g.box, fn, `groundTruth[${i}].box`);
    numberArg(fn, `groundTruth[${i}].classId`, g.classId, { integer: true });
  });
  const classes = [...new Set(truth.map((g) => g.classId))].sort((a, b) => a - b);
  const ap: Record<number, number> = {};
  for (const c of classes) {
    // ground truth of class c by image, each with a matched flag
    const gt = new Map<string, { box: Box; matched: boolean }[]>();
    let positives = 0;
    for (const g of truth)
      if (g.classId === c) {
        const key = `${typeof g.imageId}:${g.imageId}`;
        if (!gt.has(key)) gt.set(key, []);
        gt.get(key)!.push({ box: g.box, matched: false });
        positives++;
      }
    const mine = preds
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => p.classId === c)
      .sort((a, b) => b.p.score - a.p.score || a.i - b.i);
    const tp = mine.map(({ p }) => {
      const list = gt.get(`${typeof p.imageId}:${p.imageId}`);
      if (!list) return false;
      let best = -1, bestIou = -1;
      list.forEach((g, j) => {
        const v = iouUnchecked(p.box, g.box);
        if (v > bestIou) (bestIou = v), (best = j);
      });
      if (best < 0 || bestIou < thr || list[best]!.matched) return false;
      list[best]!.matched = true;
      return true;
    });
    ap[c] = averagePrecision(tp, positives);
  }
  const mAP = classes.length ? classes.reduce((s, c) => s + ap[c]!, 0) / classes.length : 0;
  return { mAP, ap };
}
