/**
 * Training curves as a widget. While `model.fit` runs in a kernel cell, the kernel shows the live
 * `application/vnd.convlab.training+json` output itself (from `cl.runtime`'s training events);
 * `cl.inspect.trainingCurves(history)` shows a finished fit's history the same way, e.g. in a
 * later cell or for a history loaded from disk.
 */
import { ValueError } from "../util/errors.js";
import { widgetBundle, type MimeBundle } from "./display.js";
import { TRAINING_MIME, checkedPayload, payloadArg, type TrainingPayload } from "./payloads.js";
import { intArg, numberArg, optBoolArg, optIntArg, requiredOptionsArg, typeFail } from "../util/check.js";
import { Raster, paletteRgb } from "./raster.js";

/** What `trainingCurves` reads: `model.fit`'s resolved history. */
export interface HistoryLike {
  epochs: readonly { epoch: number; loss: number; metrics: Record<string, number>; batches?: number }[];
  aborted?: boolean;
}

export class TrainingCurves {
  readonly payload: TrainingPayload;

  constructor(payload: TrainingPayload) {
    this.payload = payloadArg("TrainingCurves", "payload", TRAINING_MIME, payload);
  }

  toMimeBundle(): MimeBundle {
    return widgetBundle(TRAINING_MIME, this.payload, trainingPng(this.payload), this.toString());
  }

  /** One line per epoch: loss and metrics. */
  toString(): string {
    const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : String(v));
    const lines = this.payload.history.map((h) => `  epoch ${h.epoch + 1}: loss ${f(h.loss)}${Object.entries(h.metrics).map(([k, v]) => ` · ${k} ${f(v)}`).join("")}`);
    return [`Training ${this.payload.status === "interrupted" ? "(interrupted) " : ""}over ${this.payload.history.length} epoch(s):`, ...lines].join("\n");
  }
}

/**
 * The curves of a finished fit (per epoch: loss and metrics).
 *
 * @example
 * const history = await model.fit(train, opts);
 * cl.inspect.trainingCurves(history)
 */
export function trainingCurves(history: HistoryLike): TrainingCurves {
  if (!history || !Array.isArray(history.epochs)) throw new ValueError("trainingCurves: expected a history { epochs: [{ epoch, loss, metrics }] } from model.fit");
  const fn = "trainingCurves";
  const epochs = history.epochs;
  optBoolArg(fn, "history.aborted", history.aborted);
  epochs.forEach((e, i) => {
    const at = `history.epochs[${i}]`;
    requiredOptionsArg(fn, e, at, "{ epoch, loss, metrics }");
    intArg(fn, `${at}.epoch`, e.epoch, { min: 0 });
    numberArg(fn, `${at}.loss`, e.loss, { finite: false });
    optIntArg(fn, `${at}.batches`, e.batches, { min: 0 });
    const metrics = requiredOptionsArg(fn, e.metrics, `${at}.metrics`, "{ accuracy: 0.9 }");
    for (const [k, v] of Object.entries(metrics)) if (typeof v !== "number") typeFail(fn, `${at}.metrics.${k}`, "a number", v);
  });
  const last = epochs[epochs.length - 1];
  const batches = epochs.reduce((s, e) => s + (e.batches ?? 0), 0);
  return new TrainingCurves(checkedPayload(fn, TRAINING_MIME, {
    version: 1,
    status: history.aborted ? "interrupted" : "done",
    epoch: last?.epoch ?? 0,
    epochs: epochs.length,
    batch: 0,
    batches: null,
    step: batches,
    elapsedMs: 0,
    loss: last?.loss ?? NaN,
    metrics: { ...(last?.metrics ?? {}) },
    steps: [],
    losses: [],
    history: epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, metrics: { ...e.metrics } })),
  }));
}

/** The curves to draw: per-batch losses when the payload has them, else one point per epoch. */
export function lossCurve(p: TrainingPayload): { x: number[]; y: number[] } {
  payloadArg("lossCurve", "p", TRAINING_MIME, p);
  if (p.steps.length > 0) return { x: p.steps, y: p.losses };
  return { x: p.history.map((h) => h.epoch + 1), y: p.history.map((h) => h.loss) };
}

/**
 * The `image/png` fallback of the training widget: the loss curve (blue, its own scale from 0 to
 * the largest finite loss) and each per-epoch metric in [0, 1] (accuracy and the like; orange,
 * green, …) on a 0–1 scale, over a light frame. Numbers are in the `text/plain` beside it.
 */
export function trainingPng(p: TrainingPayload, width = 360, height = 200): { base64: string; width: number; height: number } {
  payloadArg("trainingPng", "p", TRAINING_MIME, p);
  intArg("trainingPng", "width", width, { min: 32, max: 8192 });
  intArg("trainingPng", "height", height, { min: 32, max: 8192 });
  const r = new Raster(width, height);
  const pad = 8, W = width - 2 * pad, H = height - 2 * pad;
  r.strokeRect(pad - 1, pad - 1, W + 2, H + 2, [200, 200, 200]);
  const { x, y } = lossCurve(p);
  const stepsPerEpoch = p.steps.length > 0 && p.history.length > 0 ? Math.max(...p.steps) / p.history.length : 1;
  const xMax = Math.max(1, ...x, p.history.length * stepsPerEpoch);
  const px = (v: number): number => pad + (v / xMax) * W;
  const finite = y.filter((v) => Number.isFinite(v));
  const yMax = finite.length ? Math.max(...finite) : 1;
  const py = (v: number, top: number): number => pad + H - (Math.max(0, v) / (top || 1)) * H;
  const polyline = (xs: number[], ys: number[], top: number, c: readonly [number, number, number]): void => {
    for (let i = 1; i < xs.length; i++)
      if (Number.isFinite(ys[i - 1]) && Number.isFinite(ys[i])) r.line(px(xs[i - 1]!), py(ys[i - 1]!, top), px(xs[i]!), py(ys[i]!, top), c);
    if (xs.length === 1 && Number.isFinite(ys[0])) r.dot(px(xs[0]!), py(ys[0]!, top), 2, c);
  };
  polyline(x, y, yMax, paletteRgb(0));
  const names = [...new Set(p.history.flatMap((h) => Object.keys(h.metrics)))].filter((k) =>
    p.history.every((h) => h.metrics[k] === undefined || (h.metrics[k]! >= 0 && h.metrics[k]! <= 1)),
  );
  names.forEach((k, i) => {
    const pts = p.history.filter((h) => h.metrics[k] !== undefined);
    const xs = pts.map((h) => (h.epoch + 1) * stepsPerEpoch), ys = pts.map((h) => h.metrics[k]!);
    polyline(xs, ys, 1, paletteRgb(i + 1));
    xs.forEach((xv, j) => r.dot(px(xv), py(ys[j]!, 1), 2, paletteRgb(i + 1)));
  });
  return { base64: r.toPngBase64(), width, height };
}
