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
import { Raster, TEXT_HEIGHT, paletteRgb, textWidth, type Rgb } from "./raster.js";

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

/** Margins of the training picture's plot area: title above, tick labels and axis name below, loss ticks left, metric ticks right. */
export const TRAINING_PNG_MARGINS = { left: 48, right: 30, top: 20, bottom: 32 } as const;

/**
 * The `image/png` fallback of the training widget (what GitHub, VS Code and nbconvert show): a
 * title, the loss curve (blue; left axis from 0 to the largest finite loss) and each per-epoch
 * metric in [0, 1] (accuracy and the like; orange, green, …; right axis 0–1), the x axis in
 * steps (batches) or epochs with its name, and a legend. Numbers are in the `text/plain` beside it.
 */
export function trainingPng(p: TrainingPayload, width = 360, height = 200): { base64: string; width: number; height: number } {
  payloadArg("trainingPng", "p", TRAINING_MIME, p);
  intArg("trainingPng", "width", width, { min: 160, max: 8192 });
  intArg("trainingPng", "height", height, { min: 120, max: 8192 });
  const r = new Raster(width, height);
  const M = TRAINING_PNG_MARGINS;
  const X0 = M.left, Y0 = M.top, W = width - M.left - M.right, H = height - M.top - M.bottom;
  const grey: Rgb = [200, 200, 200], ink: Rgb = [60, 60, 60];
  r.strokeRect(X0 - 1, Y0 - 1, W + 2, H + 2, grey);
  const { x, y } = lossCurve(p);
  const perBatch = p.steps.length > 0;
  const stepsPerEpoch = perBatch && p.history.length > 0 ? Math.max(...p.steps) / p.history.length : 1;
  const xMax = Math.max(1, ...x, p.history.length * stepsPerEpoch);
  const px = (v: number): number => X0 + (v / xMax) * W;
  const finite = y.filter((v) => Number.isFinite(v));
  const yMax = finite.length ? Math.max(...finite) : 1;
  const py = (v: number, top: number): number => Y0 + H - (Math.max(0, v) / (top || 1)) * H;
  const polyline = (xs: number[], ys: number[], top: number, c: Rgb): void => {
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
  // Title, axes and legend.
  r.text(X0, 3, `Training${p.status === "interrupted" ? " (interrupted)" : ""}`, ink);
  const tick = (v: number): string => (v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const leftLabel = (v: number, at: number): void => void r.text(X0 - 4 - textWidth(tick(v)), at - TEXT_HEIGHT / 2, tick(v), paletteRgb(0));
  leftLabel(yMax, Y0 + 4);
  leftLabel(0, Y0 + H - 4);
  if (names.length) {
    r.text(X0 + W + 4, Y0 - 2, "1", ink);
    r.text(X0 + W + 4, Y0 + H - TEXT_HEIGHT + 2, "0", ink);
  }
  r.text(X0 - 2, Y0 + H + 3, "0", ink);
  r.text(X0 + W - textWidth(tick(xMax)) + 2, Y0 + H + 3, tick(xMax), ink);
  const axis = perBatch ? "step (batches)" : "epoch";
  r.text(X0 + (W - textWidth(axis)) / 2, Y0 + H + 3 + TEXT_HEIGHT, axis, ink);
  let lx = X0 + W - 6;
  const legend = ["loss", ...names];
  for (let i = legend.length - 1; i >= 0; i--) {
    lx -= textWidth(legend[i]!);
    r.text(lx, 3, legend[i]!, ink);
    lx -= 14;
    r.fillRect(lx, 3 + 7, 10, 2, paletteRgb(i));
    lx -= 8;
  }
  return { base64: r.toPngBase64(), width, height };
}
