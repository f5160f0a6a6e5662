// application/vnd.convlab.detections+json: an image with its ground-truth boxes (dashed) and the
// boxes non-max suppression keeps (class colours, label and score), the YOLO grid and the anchor
// shapes of a cell. Two sliders set NMS's score and IoU thresholds; NMS runs again in the browser
// with `cl.detection.nms`, the very function the kernel uses, at every move.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { detection, inspect } from "convlab/browser";
import { ConvlabWidget, colorOf, el, fmt, imageEl, labelled, slider, svg } from "./common.js";

export const DETECTIONS_CLASS = "convlab-Detections";

export interface NmsSettings {
  scoreThreshold: number;
  iouThreshold: number;
  perClass: boolean;
}

/** The boxes NMS keeps from the payload's candidates at the given settings (highest score first). */
export function keptBoxes(p: inspect.DetectionsPayload, s: NmsSettings): inspect.PredictedBox[] {
  return detection.nms(p.predictions, s);
}

/** "3 of 9 boxes kept", the widget's count line. */
export function countText(kept: number, total: number): string {
  return `${kept} of ${total} box${total === 1 ? "" : "es"} kept`;
}

/** The grid cell `(row, col)` holding the point `(x, y)` of the frame. */
export function cellAt(p: inspect.DetectionsPayload, x: number, y: number): { row: number; col: number } | null {
  if (!p.grid) return null;
  const col = Math.min(p.grid.cols - 1, Math.max(0, Math.floor((x / p.width) * p.grid.cols)));
  const row = Math.min(p.grid.rows - 1, Math.max(0, Math.floor((y / p.height) * p.grid.rows)));
  return { row, col };
}

/** Largest side of the picture on screen (CSS pixels). */
const MAX_SIDE = 640;

export class DetectionsWidget extends ConvlabWidget<inspect.DetectionsPayload> {
  private settings: NmsSettings | null = null;
  private showTruth = true;
  private showGrid = true;
  private cell: { row: number; col: number } | null = null;
  private overlay: SVGSVGElement | null = null;
  private count: HTMLElement | null = null;
  private list: HTMLElement | null = null;
  /** Frame units per screen pixel (for text and strokes in the overlay). */
  private unit = 1;

  constructor(options: IRenderMime.IRendererOptions) {
    super(options, DETECTIONS_CLASS, inspect.parseDetections);
  }

  protected draw(p: inspect.DetectionsPayload, first: boolean): void {
    if (first || !this.settings) this.settings = { ...p.nms };
    if (p.grid && (!this.cell || this.cell.row >= p.grid.rows || this.cell.col >= p.grid.cols))
      this.cell = { row: Math.floor(p.grid.rows / 2), col: Math.floor(p.grid.cols / 2) };
    const s = this.settings;
    this.node.replaceChildren();

    this.count = el("div", "convlab-title convlab-det-count", undefined, this.node);
    const controls = el("div", "convlab-det-controls", undefined, this.node);
    this.thresholdSlider(controls, "score", "score >", s.scoreThreshold, (v) => (s.scoreThreshold = v));
    this.thresholdSlider(controls, "iou", "NMS IoU ≥", s.iouThreshold, (v) => (s.iouThreshold = v));
    this.checkbox(controls, "convlab-det-perclass", "per class", s.perClass, (v) => (s.perClass = v));
    this.checkbox(controls, "convlab-det-truth", "ground truth", this.showTruth, (v) => (this.showTruth = v));
    if (p.grid) this.checkbox(controls, "convlab-det-grid", "grid and anchors", this.showGrid, (v) => (this.showGrid = v));

    const scale = Math.min(MAX_SIDE / Math.max(p.width, p.height), p.image ? Math.max(1, MAX_SIDE / Math.max(p.image.width, p.image.height)) : Infinity);
    const w = Math.round(p.width * scale), h = Math.round(p.height * scale);
    this.unit = p.width / w;
    const stage = el("div", "convlab-det-stage", undefined, this.node);
    stage.style.width = `${w}px`;
    stage.style.height = `${h}px`;
    if (p.image) {
      const img = imageEl(p.image, "convlab-det-image", "the detector's input image");
      img.width = w;
      img.height = h;
      stage.appendChild(img);
    }
    this.overlay = svg("svg", { class: "convlab-det-overlay", width: w, height: h, viewBox: `0 0 ${p.width} ${p.height}`, preserveAspectRatio: "none" }, stage);
    this.overlay.addEventListener("click", (ev) => {
      if (!p.grid || !this.overlay) return;
      const r = this.overlay.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) return;
      this.cell = cellAt(p, ((ev.clientX - r.left) / r.width) * p.width, ((ev.clientY - r.top) / r.height) * p.height);
      this.redraw();
    });
    this.list = el("table", "convlab-table convlab-det-list", undefined, this.node);
    this.redraw();
  }

  /** A labelled threshold slider in [0, 1] that re-runs NMS on input. */
  private thresholdSlider(parent: HTMLElement, which: "score" | "iou", text: string, value: number, set: (v: number) => void): void {
    const input = slider(`convlab-det-${which}`, 0, 1, 0.01, value);
    input.dataset.threshold = which;
    const shown = el("span", "convlab-det-value", fmt(value, 2));
    input.addEventListener("input", () => {
      const v = Number(input.value);
      if (!Number.isFinite(v)) return;
      set(v);
      shown.textContent = fmt(v, 2);
      this.redraw();
    });
    const l = labelled(text, input);
    l.appendChild(shown);
    parent.appendChild(l);
  }

  private checkbox(parent: HTMLElement, cls: string, text: string, value: boolean, set: (v: boolean) => void): void {
    const input = el("input", cls);
    input.type = "checkbox";
    input.checked = value;
    input.addEventListener("change", () => {
      set(input.checked);
      this.redraw();
    });
    parent.appendChild(labelled(text, input));
  }

  /** Redraws the overlay, the count and the list for the current settings. */
  private redraw(): void {
    const p = this.payload, s = this.settings, o = this.overlay;
    if (!p || !s || !o || !this.count || !this.list) return;
    o.replaceChildren();
    const u = this.unit;
    if (!p.image) svg("rect", { class: "convlab-det-blank", x: 0, y: 0, width: p.width, height: p.height }, o);
    if (p.grid && this.showGrid) this.drawGrid(o, p, p.grid, u);
    if (this.showTruth)
      for (const g of p.groundTruth)
        svg("rect", { class: "convlab-det-truth", ...rectAttrs(g.box), stroke: colorOf(g.classId), "stroke-width": 2 * u, "stroke-dasharray": `${6 * u} ${4 * u}` }, o);
    const kept = keptBoxes(p, s);
    for (const d of kept) {
      const c = colorOf(d.classId);
      const g = svg("g", { class: "convlab-det-box" }, o);
      svg("rect", { ...rectAttrs(d.box), stroke: c, "stroke-width": 3 * u, fill: "none" }, g);
      const label = `${p.classes[d.classId] ?? `class ${d.classId}`} ${fmt(d.score, 2)}`;
      const fs = 12 * u;
      const ty = d.box.y1 >= fs + 4 * u ? d.box.y1 - 3 * u : d.box.y1 + fs + 2 * u;
      svg("rect", { x: d.box.x1, y: ty - fs, width: (label.length * 0.62 + 0.6) * fs, height: fs + 3 * u, fill: c, class: "convlab-det-label-bg" }, g);
      const t = svg("text", { x: d.box.x1 + 2 * u, y: ty, "font-size": fs, class: "convlab-det-label" }, g);
      t.textContent = label;
    }
    this.count.textContent = `${countText(kept.length, p.predictions.length)} (score > ${fmt(s.scoreThreshold, 2)}, IoU < ${fmt(s.iouThreshold, 2)}${s.perClass ? ", per class" : ""})`;
    this.list.replaceChildren();
    const head = el("tr", undefined, undefined, el("thead", undefined, undefined, this.list));
    for (const c of ["class", "score", "x1", "y1", "x2", "y2"]) el("th", undefined, c, head);
    const body = el("tbody", undefined, undefined, this.list);
    for (const d of kept) {
      const tr = el("tr", "convlab-det-row", undefined, body);
      const name = el("td", undefined, undefined, tr);
      el("span", "convlab-swatch", undefined, name).style.background = colorOf(d.classId);
      name.appendChild(document.createTextNode(p.classes[d.classId] ?? `class ${d.classId}`));
      for (const v of [d.score, d.box.x1, d.box.y1, d.box.x2, d.box.y2]) el("td", "convlab-num", fmt(v, 3), tr);
    }
  }

  /** Grid lines, the selected cell, and the anchors centred on it. */
  private drawGrid(o: SVGSVGElement, p: inspect.DetectionsPayload, grid: { rows: number; cols: number }, u: number): void {
    const cw = p.width / grid.cols, ch = p.height / grid.rows;
    for (let i = 1; i < grid.rows; i++) svg("line", { class: "convlab-det-gridline", x1: 0, y1: i * ch, x2: p.width, y2: i * ch, "stroke-width": u }, o);
    for (let j = 1; j < grid.cols; j++) svg("line", { class: "convlab-det-gridline", x1: j * cw, y1: 0, x2: j * cw, y2: p.height, "stroke-width": u }, o);
    if (!this.cell) return;
    const { row, col } = this.cell;
    svg("rect", { class: "convlab-det-cell", x: col * cw, y: row * ch, width: cw, height: ch, "stroke-width": 2 * u }, o);
    const cx = (col + 0.5) * cw, cy = (row + 0.5) * ch;
    (p.anchors ?? []).forEach((a, k) => {
      const r = svg("rect", { class: "convlab-det-anchor", x: cx - a.width / 2, y: cy - a.height / 2, width: a.width, height: a.height, "stroke-width": 1.5 * u, "stroke-dasharray": `${2 * u} ${3 * u}` }, o);
      r.dataset.anchor = String(k);
      svg("title", {}, r).textContent = `anchor ${k + 1}: ${fmt(a.width)} × ${fmt(a.height)}`;
    });
  }
}

function rectAttrs(b: inspect.BoxCorners): Record<string, number> {
  return { x: b.x1, y: b.y1, width: Math.max(0, b.x2 - b.x1), height: Math.max(0, b.y2 - b.y1) };
}
