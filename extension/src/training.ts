// application/vnd.convlab.training+json: the live curves of `model.fit` (the kernel replaces this
// output through update_display_data while it trains) and of a finished history
// (`cl.inspect.trainingCurves`). A status line with a progress bar, then two SVG charts: the loss
// (per batch, per epoch, validation) and the metrics by epoch. Plain SVG, so a live update
// redraws in well under a millisecond and needs no plotly.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { inspect } from "convlab/browser";
import { ConvlabWidget, colorOf, el, fmt, svg } from "./common.js";

export const TRAINING_CLASS = "convlab-Training";

/** One line of a chart: its name, colour and points (x, y); NaN/∞ points are skipped. */
export interface Series {
  name: string;
  color: string;
  x: number[];
  y: number[];
  /** Draw dots at the points (per-epoch series), not only the line. */
  dots: boolean;
}

/** Losses keyed by metric name ending in "loss" (case-insensitive) go to the loss chart. */
export function isLossName(name: string): boolean {
  return /loss$/i.test(name);
}

/**
 * The series of both charts, with x in batches (global steps) when the payload has the
 * per-batch curve, else in epochs. Epoch points sit at the end of their epoch.
 */
export function trainingSeries(p: inspect.TrainingPayload): { unit: "step" | "epoch"; loss: Series[]; metrics: Series[] } {
  const perStep = p.steps.length > 0;
  const stepsPerEpoch = perStep && p.batches ? p.batches : perStep && p.history.length ? Math.max(...p.steps) / p.history.length : 1;
  const ex = (epoch: number): number => (perStep ? (epoch + 1) * stepsPerEpoch : epoch + 1);
  const loss: Series[] = [];
  let colour = 0;
  if (perStep) loss.push({ name: "loss (batch)", color: colorOf(colour++), x: p.steps, y: p.losses, dots: false });
  loss.push({ name: "loss (epoch)", color: colorOf(colour++), x: p.history.map((h) => ex(h.epoch)), y: p.history.map((h) => h.loss), dots: true });
  const names = [...new Set(p.history.flatMap((h) => Object.keys(h.metrics)))];
  const metrics: Series[] = [];
  for (const k of names) {
    const pts = p.history.filter((h) => h.metrics[k] !== undefined);
    const s: Series = { name: k, color: colorOf(colour++), x: pts.map((h) => ex(h.epoch)), y: pts.map((h) => h.metrics[k]!), dots: true };
    (isLossName(k) ? loss : metrics).push(s);
  }
  return { unit: perStep ? "step" : "epoch", loss, metrics };
}

/** The status line: "running · epoch 2/5 · batch 30/469 · loss 0.1234 · accuracy 0.95 · 12.3 s". */
export function statusText(p: inspect.TrainingPayload): string {
  const parts: string[] = [p.status];
  if (p.epochs > 0) parts.push(`epoch ${Math.min(p.epoch + 1, p.epochs)}/${p.epochs}`);
  if (p.status === "running" && p.batches) parts.push(`batch ${p.batch + 1}/${p.batches}`);
  parts.push(`loss ${fmt(p.loss)}`);
  for (const [k, v] of Object.entries(p.metrics)) parts.push(`${k} ${fmt(v)}`);
  if (p.elapsedMs > 0) parts.push(`${(p.elapsedMs / 1000).toFixed(1)} s`);
  return parts.join(" · ");
}

/** Fraction of the fit done, in [0, 1]. */
export function progressFraction(p: inspect.TrainingPayload): number {
  if (p.status === "done") return 1;
  if (p.epochs <= 0) return 0;
  const inEpoch = p.batches ? Math.min(1, (p.batch + 1) / p.batches) : 0;
  return Math.min(1, (p.epoch + inEpoch) / p.epochs);
}

const W = 360, H = 200, M = { l: 48, r: 10, t: 10, b: 28 };

/** Lower and upper bounds of the finite values (a flat range is widened so it can be drawn). */
function extent(values: number[], zero: boolean): [number, number] {
  const f = values.filter((v) => Number.isFinite(v));
  if (f.length === 0) return [0, 1];
  let lo = zero ? Math.min(0, ...f) : Math.min(...f), hi = Math.max(...f);
  if (hi === lo) (lo -= 0.5), (hi += 0.5);
  return [lo, hi];
}

/** One chart: axes with min/max tick labels, a polyline per series, dots with a tooltip. */
function chart(title: string, unit: string, series: Series[], parent: HTMLElement): void {
  const box = el("div", "convlab-train-chart", undefined, parent);
  el("div", "convlab-train-chart-title", title, box);
  const s = svg("svg", { width: W, height: H, viewBox: `0 0 ${W} ${H}` }, box);
  const [x0, x1] = extent(series.flatMap((q) => q.x), true);
  const [y0, y1] = extent(series.flatMap((q) => q.y), true);
  const px = (v: number): number => M.l + ((v - x0) / (x1 - x0)) * (W - M.l - M.r);
  const py = (v: number): number => H - M.b - ((v - y0) / (y1 - y0)) * (H - M.t - M.b);
  svg("rect", { class: "convlab-train-frame", x: M.l, y: M.t, width: W - M.l - M.r, height: H - M.t - M.b }, s);
  const label = (x: number, y: number, text: string, anchor: string): void => {
    const t = svg("text", { x, y, "text-anchor": anchor, class: "convlab-train-tick" }, s);
    t.textContent = text;
  };
  label(M.l - 4, H - M.b, fmt(y0, 3), "end");
  label(M.l - 4, M.t + 8, fmt(y1, 3), "end");
  label(M.l, H - M.b + 14, fmt(x0, 3), "middle");
  label(W - M.r, H - M.b + 14, `${fmt(x1, 3)} ${unit}s`, "end");
  for (const q of series) {
    const pts: string[] = [];
    q.x.forEach((x, i) => {
      const y = q.y[i]!;
      if (Number.isFinite(x) && Number.isFinite(y)) pts.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    });
    svg("polyline", { class: "convlab-train-line", points: pts.join(" "), stroke: q.color, "data-series": q.name }, s);
    if (q.dots)
      q.x.forEach((x, i) => {
        const y = q.y[i]!;
        if (!Number.isFinite(x) || !Number.isFinite(y)) return;
        const c = svg("circle", { class: "convlab-train-dot", cx: px(x).toFixed(1), cy: py(y).toFixed(1), r: 3, fill: q.color }, s);
        svg("title", {}, c).textContent = `${q.name}: ${fmt(y)} at ${unit} ${fmt(x)}`;
      });
  }
  const legend = el("div", "convlab-train-legend", undefined, box);
  for (const q of series) {
    const item = el("span", "convlab-train-legend-item", undefined, legend);
    el("span", "convlab-swatch", undefined, item).style.background = q.color;
    item.appendChild(document.createTextNode(q.name));
  }
}

export class TrainingWidget extends ConvlabWidget<inspect.TrainingPayload> {
  constructor(options: IRenderMime.IRendererOptions) {
    super(options, TRAINING_CLASS, inspect.parseTraining);
  }

  protected draw(p: inspect.TrainingPayload): void {
    this.node.replaceChildren();
    this.node.dataset.status = p.status;
    const head = el("div", "convlab-train-status", statusText(p), this.node);
    head.classList.add(`convlab-train-${p.status}`);
    const bar = el("div", "convlab-train-progress", undefined, this.node);
    el("div", "convlab-train-progress-fill", undefined, bar).style.width = `${(100 * progressFraction(p)).toFixed(1)}%`;
    const { unit, loss, metrics } = trainingSeries(p);
    const charts = el("div", "convlab-train-charts", undefined, this.node);
    chart("loss", unit, loss, charts);
    if (metrics.length) chart("metrics", unit, metrics, charts);
  }
}
