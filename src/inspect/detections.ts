/**
 * `cl.inspect.detections({ image, predictions, groundTruth, ... })`: an image with its
 * ground-truth and predicted boxes, the YOLO grid and anchor shapes. The widget
 * (`application/vnd.convlab.detections+json`) re-runs `cl.detection.nms` in the browser as the
 * score and IoU sliders move; the PNG fallback shows the boxes NMS keeps at the given thresholds.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { nms, type Box, type Detection, type NmsOptions } from "../detection/boxes.js";
import { tensorToImage } from "./colormap.js";
import { widgetBundle, type MimeBundle } from "./display.js";
import { DETECTIONS_MIME, checkedPayload, payloadArg, type DetectionsPayload } from "./payloads.js";
import { arrayArg, describeValue, numberArg, optBoolArg, optionsArg, requiredOptionsArg, stringArg } from "../util/check.js";
import { optTensorArg } from "../tensor/args.js";
import { Raster, imageRef, isPicture, paletteRgb } from "./raster.js";

export interface DetectionsOptions {
  /** The picture `[h,w]`, `[h,w,1|3]` or `[1,h,w,c]` (values in [0, 1], or any range: scaled). */
  image?: Tensor;
  /** Frame the boxes live in (default: the image's pixels, else 1×1, i.e. fractions). */
  width?: number;
  height?: number;
  /** Class names (default "class 0", "class 1", ...). */
  classes?: readonly string[];
  groundTruth?: readonly { box: Box; classId: number }[];
  /** All candidate boxes before NMS. */
  predictions?: readonly Detection[];
  /** Initial thresholds (defaults 0.6, 0.5, per class). */
  nms?: NmsOptions;
  /** The grid: `s` for s×s, or `{ rows, cols }`. */
  grid?: number | { rows: number; cols: number };
  /** Anchor shapes in the frame's unit. */
  anchors?: readonly { width: number; height: number }[];
  /** Predicted landmark points `{ x, y }` in the frame's unit (drawn as dots). */
  landmarks?: readonly { x: number; y: number }[];
  /** Ground-truth landmark points (drawn as hollow dots). */
  landmarkTruth?: readonly { x: number; y: number }[];
}

/** The detections widget's value. */
export class Detections {
  /** `image`: the picture behind `payload.image`, for the PNG fallback. */
  readonly payload: DetectionsPayload;
  private readonly image: Tensor | undefined;

  constructor(payload: DetectionsPayload, image?: Tensor) {
    this.payload = payloadArg("Detections", "payload", DETECTIONS_MIME, payload);
    this.image = optTensorArg("Detections", "image", image);
  }

  /** The boxes NMS keeps at the payload's thresholds. */
  kept(): Detection[] {
    return nms(this.payload.predictions, this.payload.nms);
  }

  toMimeBundle(): MimeBundle {
    return widgetBundle(DETECTIONS_MIME, this.payload, detectionsPng(this.payload, this.image), this.toString());
  }

  toString(): string {
    const p = this.payload;
    const kept = this.kept();
    const f = (v: number): string => String(Number(v.toFixed(3)));
    const box = (b: Box): string => `[${f(b.x1)}, ${f(b.y1)}, ${f(b.x2)}, ${f(b.y2)}]`;
    return [
      `Detections: ${kept.length} of ${p.predictions.length} boxes kept by NMS (score > ${p.nms.scoreThreshold}, IoU < ${p.nms.iouThreshold}${p.nms.perClass ? ", per class" : ""}); ${p.groundTruth.length} ground truth`,
      ...kept.map((d) => `  ${p.classes[d.classId]} ${f(d.score)} ${box(d.box)}`),
      ...p.groundTruth.map((g) => `  truth: ${p.classes[g.classId]} ${box(g.box)}`),
      ...(p.landmarks?.length ? [`  landmarks: ${(p.landmarks ?? []).filter((q) => !q.truth).map((q) => `(${f(q.x)}, ${f(q.y)})`).join(" ")}${p.landmarks.some((q) => q.truth) ? `; truth ${p.landmarks.filter((q) => q.truth).map((q) => `(${f(q.x)}, ${f(q.y)})`).join(" ")}` : ""}`] : []),
    ].join("\n");
  }
}

function checkClass(id: number, n: number, what: string): void {
  if (!Number.isInteger(id) || id < 0 || id >= n) throw new ValueError(`detections: ${what} has classId ${typeof id === "number" ? id : describeValue(id)}, but there are ${n} classes`);
}

/** A box with finite corners, x2 ≥ x1 and y2 ≥ y1. */
function checkBox(b: Box, what: string): Box {
  requiredOptionsArg("detections", b, `${what}.box`, "{ x1, y1, x2, y2 }");
  for (const k of ["x1", "y1", "x2", "y2"] as const) numberArg("detections", `${what}.box.${k}`, b[k]);
  if (b.x2 < b.x1 || b.y2 < b.y1) throw new ValueError(`detections: ${what}.box must have x2 ≥ x1 and y2 ≥ y1 (corners), got ${JSON.stringify(b)}`);
  return b;
}

/** A threshold in [0, 1]. */
function threshold(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  const t = numberArg("detections", `opts.nms.${name}`, v);
  if (t < 0 || t > 1) throw new ValueError(`detections: opts.nms.${name} must be in [0, 1], got ${t}`);
  return t;
}

/**
 * The detections widget for one image.
 *
 * @example
 * cl.inspect.detections({ image, classes: ["car"], predictions: dets, groundTruth: truth, grid: 3, anchors })
 */
export function detections(opts: DetectionsOptions): Detections {
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) throw new ValueError("detections: expected { image?, predictions, groundTruth?, ... }");
  let image = opts.image;
  if (image !== undefined) {
    if (!(image instanceof Tensor)) throw new ValueError(`detections: image must be a tensor, got ${typeof image}`);
    if (image.rank === 4 && image.shape[0] === 1) image = new Tensor(image.data, image.shape.slice(1));
    if (!isPicture(image)) throw new ShapeError(`detections: image must be [h,w], [h,w,1|3|4] or [1,h,w,c], got ${fmtShape(opts.image!.shape)}`);
  }
  const width = opts.width === undefined ? (image ? image.shape[1]! : 1) : numberArg("detections", "opts.width", opts.width);
  const height = opts.height === undefined ? (image ? image.shape[0]! : 1) : numberArg("detections", "opts.height", opts.height);
  if (!(width > 0) || !(height > 0)) throw new ValueError(`detections: width and height must be positive, got ${width}×${height}`);
  const predictions = [...arrayArg("detections", "opts.predictions", opts.predictions ?? [])] as Detection[];
  const groundTruth = [...arrayArg("detections", "opts.groundTruth", opts.groundTruth ?? [])] as { box: Box; classId: number }[];
  predictions.forEach((d, i) => {
    requiredOptionsArg("detections", d, `prediction ${i}`, "{ box, score, classId }");
    checkBox(d.box, `prediction ${i}`);
    numberArg("detections", `prediction ${i}.score`, d.score);
  });
  groundTruth.forEach((g, i) => {
    requiredOptionsArg("detections", g, `ground-truth box ${i}`, "{ box, classId }");
    checkBox(g.box, `ground-truth box ${i}`);
  });
  const ids = [...predictions.map((d) => d.classId), ...groundTruth.map((g) => g.classId)].filter((c) => Number.isSafeInteger(c));
  const maxClass = ids.reduce((a, c) => Math.max(a, c), -1);
  const classes = opts.classes ? arrayArg("detections", "opts.classes", opts.classes).map((c, i) => stringArg("detections", `opts.classes[${i}]`, c)) : Array.from({ length: Math.min(maxClass + 1, 1e5) }, (_, i) => `class ${i}`);
  predictions.forEach((d, i) => checkClass(d.classId, classes.length, `prediction ${i}`));
  groundTruth.forEach((g, i) => checkClass(g.classId, classes.length, `ground-truth box ${i}`));
  const no = optionsArg("detections", opts.nms, "opts.nms");
  const n = {
    scoreThreshold: threshold("scoreThreshold", no.scoreThreshold, 0.6),
    iouThreshold: threshold("iouThreshold", no.iouThreshold, 0.5),
    perClass: optBoolArg("detections", "opts.nms.perClass", no.perClass) ?? true,
  };
  const payload: DetectionsPayload = {
    version: 1,
    width,
    height,
    classes,
    groundTruth: groundTruth.map((g) => ({ box: { ...g.box }, classId: g.classId })),
    predictions: predictions.map((d) => ({ box: { ...d.box }, score: d.score, classId: d.classId })),
    nms: n,
  };
  if (image) payload.image = imageRef(image, pictureRange(image));
  if (opts.grid !== undefined) {
    const g = typeof opts.grid === "number" ? { rows: opts.grid, cols: opts.grid } : opts.grid;
    if (g === null || typeof g !== "object" || !Number.isSafeInteger(g.rows) || !Number.isSafeInteger(g.cols) || g.rows < 1 || g.cols < 1 || g.rows > 4096 || g.cols > 4096)
      throw new ValueError(`detections: grid must be a positive integer (at most 4096) or { rows, cols }, got ${describeValue(opts.grid)}`);
    payload.grid = { rows: g.rows, cols: g.cols };
  }
  if (opts.anchors !== undefined) {
    arrayArg("detections", "opts.anchors", opts.anchors).forEach((v, i) => {
      const a = v as { width?: unknown; height?: unknown } | null;
      if (typeof a?.width !== "number" || typeof a.height !== "number" || !(a.width > 0 && a.width < Infinity) || !(a.height > 0 && a.height < Infinity))
        throw new ValueError(`detections: anchor ${i} must have a finite positive width and height, got ${describeValue(a)}`);
    });
    payload.anchors = opts.anchors.map((a) => ({ width: a.width, height: a.height }));
  }
  const points = (v: unknown, name: string, truth: boolean): { x: number; y: number; truth: boolean }[] =>
    arrayArg("detections", name, v).map((q, i) => {
      const o = requiredOptionsArg("detections", q as { x: number; y: number }, `${name}[${i}]`, "{ x, y }");
      return { x: numberArg("detections", `${name}[${i}].x`, o.x), y: numberArg("detections", `${name}[${i}].y`, o.y), truth };
    });
  if (opts.landmarks !== undefined || opts.landmarkTruth !== undefined)
    payload.landmarks = [...points(opts.landmarks ?? [], "opts.landmarks", false), ...points(opts.landmarkTruth ?? [], "opts.landmarkTruth", true)];
  return new Detections(checkedPayload("detections", DETECTIONS_MIME, payload), image);
}

/**
 * The fallback picture: the image (`[h,w]`/`[h,w,c]`, or gray without one) about 320 px wide,
 * the grid, truth boxes in white and the boxes NMS keeps in class colours.
 */
export function detectionsPng(p: DetectionsPayload, image?: Tensor): { base64: string; width: number; height: number } {
  payloadArg("detectionsPng", "p", DETECTIONS_MIME, p);
  optTensorArg("detectionsPng", "image", image);
  if (image !== undefined && !isPicture(image)) throw new ShapeError(`detectionsPng: image must be [h,w] or [h,w,1|3|4], got ${fmtShape(image.shape)}`);
  const scale = 320 / Math.max(p.width, p.height);
  const W = Math.round(p.width * scale), H = Math.round(p.height * scale);
  const r = new Raster(W, H, [235, 235, 235]);
  if (image) r.paste(tensorToImage(image, pictureRange(image)), 0, 0, W, H);
  if (p.grid) {
    for (let i = 1; i < p.grid.rows; i++) r.fillRect(0, (i * H) / p.grid.rows, W, 1, [255, 255, 0]);
    for (let j = 1; j < p.grid.cols; j++) r.fillRect((j * W) / p.grid.cols, 0, 1, H, [255, 255, 0]);
  }
  const rect = (b: Box, c: readonly [number, number, number], t: number): void =>
    r.strokeRect(b.x1 * scale, b.y1 * scale, Math.max(t, (b.x2 - b.x1) * scale), Math.max(t, (b.y2 - b.y1) * scale), c, t);
  for (const g of p.groundTruth) rect(g.box, [255, 255, 255], 1);
  for (const d of nms(p.predictions, p.nms)) rect(d.box, paletteRgb(d.classId), 2);
  for (const q of p.landmarks ?? []) {
    const x = Math.min(W - 1, Math.max(0, q.x * scale)), y = Math.min(H - 1, Math.max(0, q.y * scale));
    if (q.truth) r.strokeRect(Math.max(0, x - 3), Math.max(0, y - 3), 6, 6, [255, 255, 255], 1);
    else r.fillRect(Math.max(0, x - 2), Math.max(0, y - 2), 4, 4, [255, 60, 60]);
  }
  return { base64: r.toPngBase64(), width: W, height: H };
}

/** Pixels in [0, 1] as they are; larger values read as 0–255. */
function pictureRange(image: Tensor): { mode: "image"; min: number; max: number } {
  let hi = 0;
  for (let i = 0; i < image.data.length; i++) if (image.data[i]! > hi) hi = image.data[i]!;
  return { mode: "image", min: 0, max: hi > 1 ? 255 : 1 };
}
