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

/**
 * The picture's size on screen: the image's pixels (the frame is stretched onto them, so boxes
 * given as fractions land right), else the frame's shape; the longer side made 640 pixels at
 * most and, for small pictures, at least 320.
 */
export function displaySize(p: inspect.DetectionsPayload): { w: number; h: number } {
  const [W, H] = p.image ? [p.image.width, p.image.height] : [p.width, p.height];
  const long = Math.max(W, H);
  const k = long > MAX_SIDE ? MAX_SIDE / long : long < MAX_SIDE / 2 ? MAX_SIDE / 2 / long : 1;
  return { w: Math.max(1, Math.round(W * k)), h: Math.max(1, Math.round(H * k)) };
}

/** Frame coordinates → screen pixels of the overlay. */
interface ToScreen {
  x(v: number): number;
  y(v: number): number;
}

export class DetectionsWidget extends ConvlabWidget<inspect.DetectionsPayload> {
  private settings: NmsSettings | null = null;
  private showTruth = true;
  private showGrid = true;
  private cell: { row: number; col: number } | null = null;
  private overlay: SVGSVGElement | null = null;
  private count: HTMLElement | null = null;
  private list: HTMLElement | null = null;
  private screen: ToScreen = { x: (v) => v, y: (v) => v };
  private size = { w: 1, h: 1 };

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

    const { w, h } = displaySize(p);
    this.size = { w, h };
    this.screen = { x: (v) => (v / p.width) * w, y: (v) => (v / p.height) * h };
    const stage = el("div", "convlab-det-stage", undefined, this.node);
    stage.style.width = `${w}px`;
    stage.style.height = `${h}px`;
    if (p.image) {
      const img = imageEl(p.image, "convlab-det-image", "the detector's input image");
      img.width = w;
      img.height = h;
      stage.appendChild(img);
    }
    this.overlay = svg("svg", { class: "convlab-det-overlay", width: w, height: h, viewBox: `0 0 ${w} ${h}` }, stage);
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
    const { w, h } = this.size, to = this.screen;
    const rect = (b: inspect.BoxCorners): Record<string, string> => ({
      x: to.x(b.x1).toFixed(1),
      y: to.y(b.y1).toFixed(1),
      width: Math.max(0, to.x(b.x2) - to.x(b.x1)).toFixed(1),
      height: Math.max(0, to.y(b.y2) - to.y(b.y1)).toFixed(1),
    });
    if (!p.image) svg("rect", { class: "convlab-det-blank", x: 0, y: 0, width: w, height: h }, o);
    if (p.grid && this.showGrid) this.drawGrid(o, p, p.grid);
    if (this.showTruth)
      for (const g of p.groundTruth) svg("rect", { class: "convlab-det-truth", ...rect(g.box), stroke: colorOf(g.classId), "stroke-width": 2, "stroke-dasharray": "6 4" }, o);
    const kept = keptBoxes(p, s);
    for (const d of kept) {
      const c = colorOf(d.classId);
      const g = svg("g", { class: "convlab-det-box" }, o);
      const r = rect(d.box);
      svg("rect", { ...r, stroke: c, "stroke-width": 3, fill: "none" }, g);
      const label = `${p.classes[d.classId] ?? `class ${d.classId}`} ${fmt(d.score, 2)}`;
      const fs = 12, x = Number(r.x), y = Number(r.y);
      const ty = y >= fs + 4 ? y - 3 : y + fs + 2;
      svg("rect", { x, y: ty - fs, width: (label.length * 0.68 + 0.6) * fs, height: fs + 3, fill: c, class: "convlab-det-label-bg" }, g);
      const t = svg("text", { x: x + 2, y: ty, "font-size": fs, class: "convlab-det-label" }, g);
      t.textContent = label;
    }
    for (const q of p.landmarks ?? [])
      svg("circle", { class: q.truth ? "convlab-det-landmark-truth" : "convlab-det-landmark", cx: to.x(q.x).toFixed(1), cy: to.y(q.y).toFixed(1), r: q.truth ? 4 : 3, fill: q.truth ? "none" : "#ff3c3c", stroke: q.truth ? "#ffffff" : "#000000", "stroke-width": q.truth ? 1.5 : 0.5 }, o);
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

  /** Grid lines, the selected cell, and the anchors (frame units) centred on it. */
  private drawGrid(o: SVGSVGElement, p: inspect.DetectionsPayload, grid: { rows: number; cols: number }): void {
    const { w, h } = this.size, to = this.screen;
    const cw = w / grid.cols, ch = h / grid.rows;
    for (let i = 1; i < grid.rows; i++) svg("line", { class: "convlab-det-gridline", x1: 0, y1: i * ch, x2: w, y2: i * ch }, o);
    for (let j = 1; j < grid.cols; j++) svg("line", { class: "convlab-det-gridline", x1: j * cw, y1: 0, x2: j * cw, y2: h }, o);
    if (!this.cell) return;
    const { row, col } = this.cell;
    svg("rect", { class: "convlab-det-cell", x: col * cw, y: row * ch, width: cw, height: ch, "stroke-width": 2 }, o);
    const cx = (col + 0.5) * cw, cy = (row + 0.5) * ch;
    (p.anchors ?? []).forEach((a, k) => {
      const aw = to.x(a.width), ah = to.y(a.height);
      const r = svg("rect", { class: "convlab-det-anchor", x: (cx - aw / 2).toFixed(1), y: (cy - ah / 2).toFixed(1), width: aw.toFixed(1), height: ah.toFixed(1), "stroke-width": 1.5, "stroke-dasharray": "2 3" }, o);
      r.dataset.anchor = String(k);
      svg("title", {}, r).textContent = `anchor ${k + 1}: ${fmt(a.width)} × ${fmt(a.height)}`;
    });
  }
}
