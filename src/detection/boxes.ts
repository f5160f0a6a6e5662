/**
 * Boxes, intersection over union and non-max suppression, exactly as the course states them.
 * Boxes are corners `{ x1, y1, x2, y2 }` in one continuous unit (pixels or fractions of the
 * image), with no "+1": a box's width is `x2 − x1`. The same code runs in the kernel and in the
 * JupyterLab extension's live NMS sliders.
 */
import { ValueError } from "../util/errors.js";
import { describeValue, optionsArg } from "../util/check.js";

/** JSON of a value for a message, or a description when it has no JSON (bigints, cycles). */
export function shown(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? describeValue(v) : s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return describeValue(v);
  }
}

/** A box by its corners: (x1, y1) top-left, (x2, y2) bottom-right, x2 ≥ x1 and y2 ≥ y1. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A box by its midpoint and size, as YOLO predicts it: centre (bx, by), height bh, width bw. */
export interface MidpointBox {
  bx: number;
  by: number;
  bh: number;
  bw: number;
}

/** A scored box of a class (a detector's output, the input of `nms`). */
export interface Detection {
  box: Box;
  /** pc (or pc · class probability): how sure the detector is. */
  score: number;
  classId: number;
}

export interface NmsOptions {
  /** Drop detections with score ≤ this (default 0.6). */
  scoreThreshold?: number;
  /** Suppress a box whose IoU with a kept box is ≥ this (default 0.5). */
  iouThreshold?: number;
  /** Run NMS independently per class (default true): boxes of different classes never suppress each other. */
  perClass?: boolean;
}

export function checkBox(b: Box, op: string, which: string): void {
  if (typeof b !== "object" || b === null) throw new ValueError(`${op}: ${which} must be a box { x1, y1, x2, y2 }, got ${String(b)}`);
  const { x1, y1, x2, y2 } = b;
  if (![x1, y1, x2, y2].every((v) => typeof v === "number" && Number.isFinite(v)))
    throw new ValueError(`${op}: ${which} must have finite corners x1, y1, x2, y2, got ${shown(b)}`);
  if (x2 < x1 || y2 < y1) throw new ValueError(`${op}: ${which} must have x2 ≥ x1 and y2 ≥ y1 (corners, not midpoint/size), got ${shown(b)}`);
}

/** Area `(x2 − x1)·(y2 − y1)` of a box. */
export function boxArea(b: Box): number {
  checkBox(b, "boxArea", "box");
  return (b.x2 - b.x1) * (b.y2 - b.y1);
}

/** The box from its midpoint and size: `x1 = bx − bw/2`, `y1 = by − bh/2`, `x2 = bx + bw/2`, `y2 = by + bh/2`. */
export function fromMidpoint(m: MidpointBox): Box {
  const { bx, by, bh, bw } = m ?? ({} as MidpointBox);
  if (![bx, by, bh, bw].every((v) => typeof v === "number" && Number.isFinite(v)))
    throw new ValueError(`fromMidpoint: expected finite { bx, by, bh, bw }, got ${shown(m)}`);
  if (bh < 0 || bw < 0) throw new ValueError(`fromMidpoint: bh and bw must be ≥ 0, got bh=${bh}, bw=${bw}`);
  return { x1: bx - bw / 2, y1: by - bh / 2, x2: bx + bw / 2, y2: by + bh / 2 };
}

/** The midpoint and size of a box (inverse of `fromMidpoint`). */
export function toMidpoint(b: Box): MidpointBox {
  checkBox(b, "toMidpoint", "box");
  return { bx: (b.x1 + b.x2) / 2, by: (b.y1 + b.y2) / 2, bh: b.y2 - b.y1, bw: b.x2 - b.x1 };
}

/** IoU without checks, for loops over boxes already checked. */
function iouUnchecked(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Intersection over union, `area(a ∩ b) / area(a ∪ b)`, in [0, 1]; 0 when the boxes do not
 * overlap (or both have zero area). The course calls a prediction "correct" when IoU ≥ 0.5.
 *
 * @example
 * iou({ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 1, y1: 1, x2: 3, y2: 3 })   // 1 / 7
 */
export function iou(a: Box, b: Box): number {
  checkBox(a, "iou", "box a");
  checkBox(b, "iou", "box b");
  return iouUnchecked(a, b);
}

/**
 * IoU of every box of `a` with every box of `b`: `m[i][j] = iou(a[i], b[j])` (an `a.length ×
 * b.length` table; empty lists give an empty table).
 *
 * @example
 * iouMatrix(predictedBoxes, truthBoxes)[0]   // the first prediction against every truth box
 */
export function iouMatrix(a: readonly Box[], b: readonly Box[]): number[][] {
  if (!Array.isArray(a)) throw new ValueError(`iouMatrix: a must be an array of boxes { x1, y1, x2, y2 }, got ${a === null ? "null" : typeof a}`);
  if (!Array.isArray(b)) throw new ValueError(`iouMatrix: b must be an array of boxes { x1, y1, x2, y2 }, got ${b === null ? "null" : typeof b}`);
  a.forEach((x, i) => checkBox(x, "iouMatrix", `a[${i}]`));
  b.forEach((x, j) => checkBox(x, "iouMatrix", `b[${j}]`));
  return a.map((x) => b.map((y) => iouUnchecked(x, y)));
}

/** IoU of two boxes already checked (no validation). */
export { iouUnchecked };

function threshold(v: unknown, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || Number.isNaN(v)) throw new ValueError(`nms: ${name} must be a number in [0, 1], got ${String(v)}`);
  if (v < 0 || v > 1) throw new ValueError(`nms: ${name} must be in [0, 1], got ${v}`);
  return v;
}

/**
 * Non-max suppression: drop detections with score ≤ `scoreThreshold`; then, highest score
 * first, keep a box and suppress every remaining box with IoU ≥ `iouThreshold` with it;
 * independently per class when `perClass`. Returns the kept detections (the same objects),
 * highest score first (ties keep input order).
 *
 * @example
 * nms(dets)                                              // course defaults: 0.6, 0.5, per class
 * nms(dets, { scoreThreshold: 0.3, iouThreshold: 0.7 })
 */
export function nms<T extends Detection>(dets: readonly T[], opts: NmsOptions = {}): T[] {
  if (!Array.isArray(dets)) throw new ValueError(`nms: expected an array of { box, score, classId }, got ${describeValue(dets)}`);
  opts = optionsArg("nms", opts);
  const scoreThreshold = threshold(opts.scoreThreshold, "scoreThreshold", 0.6);
  const iouThreshold = threshold(opts.iouThreshold, "iouThreshold", 0.5);
  const perClass = opts.perClass ?? true;
  dets.forEach((d, i) => {
    if (typeof d !== "object" || d === null) throw new ValueError(`nms: detection ${i} must be { box, score, classId }, got ${String(d)}`);
    checkBox(d.box, "nms", `detection ${i}'s box`);
    if (typeof d.score !== "number" || Number.isNaN(d.score)) throw new ValueError(`nms: detection ${i}'s score must be a number, got ${String(d.score)}`);
    if (perClass && !Number.isInteger(d.classId)) throw new ValueError(`nms: detection ${i}'s classId must be an integer, got ${String(d.classId)}`);
  });
  const order = dets
    .map((d, i) => ({ d, i }))
    .filter(({ d }) => d.score > scoreThreshold)
    .sort((a, b) => b.d.score - a.d.score || a.i - b.i)
    .map(({ d }) => d);
  const kept: T[] = [];
  const suppressed = new Uint8Array(order.length);
  for (let i = 0; i < order.length; i++) {
    if (suppressed[i]) continue;
    const a = order[i]!;
    kept.push(a);
    for (let j = i + 1; j < order.length; j++) {
      if (suppressed[j]) continue;
      const b = order[j]!;
      if (perClass && b.classId !== a.classId) continue;
      if (iouUnchecked(a.box, b.box) >= iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}
