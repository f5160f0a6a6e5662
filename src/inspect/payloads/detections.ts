// application/vnd.convlab.detections+json: an image with truth boxes, candidate boxes before NMS, grid and anchors.
import { PayloadError, arr, bool, box, classId, fail, image, int, num, obj, payloadObject, run, str, type BoxCorners, type ImageRef, type ParseResult } from "./common.js";

export const DETECTIONS_MIME = "application/vnd.convlab.detections+json";

export interface GroundTruthBox {
  box: BoxCorners;
  classId: number;
}

export interface PredictedBox {
  box: BoxCorners;
  score: number;
  classId: number;
}

export interface DetectionsPayload {
  version: 1;
  /** Size of the frame the boxes live in (pixels, or 1×1 for fractions); the image is stretched onto it. */
  width: number;
  height: number;
  image?: ImageRef;
  /** Class names; `classId` indexes this list. */
  classes: string[];
  groundTruth: GroundTruthBox[];
  /** Every candidate box before NMS (the widget runs `cl.detection.nms` on them). */
  predictions: PredictedBox[];
  /** Initial NMS settings (DESIGN defaults 0.6, 0.5, true). */
  nms: { scoreThreshold: number; iouThreshold: number; perClass: boolean };
  /** The YOLO grid over the frame. */
  grid?: { rows: number; cols: number };
  /** Anchor shapes, in the frame's unit, drawn centred on a grid cell. */
  anchors?: { width: number; height: number }[];
  /** Landmark points in the frame's unit (e.g. a face's 68 points, a pose's joints): predicted, or the ground truth. */
  landmarks?: { x: number; y: number; truth: boolean }[];
}

/** Validates a detections payload (class ids within `classes`). */
export function parseDetections(v: unknown): ParseResult<DetectionsPayload> {
  return run("detections", () => {
    const o = payloadObject(v);
    const classes = arr(o.classes, "payload.classes").map((c, i) => str(c, `payload.classes[${i}]`));
    const n = obj(o.nms, "payload.nms");
    const frac = (x: unknown, path: string): number => {
      const f = num(x, path);
      if (f < 0 || f > 1) fail(path, "a threshold in [0, 1]", f);
      return f;
    };
    const p: DetectionsPayload = {
      version: 1,
      width: num(o.width, "payload.width"),
      height: num(o.height, "payload.height"),
      classes,
      groundTruth: arr(o.groundTruth, "payload.groundTruth").map((g, i) => {
        const path = `payload.groundTruth[${i}]`;
        const go = obj(g, path);
        return { box: box(go.box, `${path}.box`), classId: classId(go.classId, `${path}.classId`, classes.length) };
      }),
      predictions: arr(o.predictions, "payload.predictions").map((d, i) => {
        const path = `payload.predictions[${i}]`;
        const dO = obj(d, path);
        return { box: box(dO.box, `${path}.box`), score: num(dO.score, `${path}.score`), classId: classId(dO.classId, `${path}.classId`, classes.length) };
      }),
      nms: { scoreThreshold: frac(n.scoreThreshold, "payload.nms.scoreThreshold"), iouThreshold: frac(n.iouThreshold, "payload.nms.iouThreshold"), perClass: bool(n.perClass, "payload.nms.perClass") },
    };
    if (!(p.width > 0) || !(p.height > 0)) throw new PayloadError(`payload.width/height: expected a positive frame size, got ${p.width}×${p.height}`);
    if (o.image !== undefined) p.image = image(o.image, "payload.image");
    if (o.grid !== undefined) {
      const g = obj(o.grid, "payload.grid");
      p.grid = { rows: int(g.rows, "payload.grid.rows", 1), cols: int(g.cols, "payload.grid.cols", 1) };
    }
    if (o.anchors !== undefined)
      p.anchors = arr(o.anchors, "payload.anchors").map((a, i) => {
        const ao = obj(a, `payload.anchors[${i}]`);
        return { width: num(ao.width, `payload.anchors[${i}].width`), height: num(ao.height, `payload.anchors[${i}].height`) };
      });
    if (o.landmarks !== undefined)
      p.landmarks = arr(o.landmarks, "payload.landmarks").map((a, i) => {
        const lo = obj(a, `payload.landmarks[${i}]`);
        return { x: num(lo.x, `payload.landmarks[${i}].x`), y: num(lo.y, `payload.landmarks[${i}].y`), truth: bool(lo.truth, `payload.landmarks[${i}].truth`) };
      });
    return p;
  });
}
