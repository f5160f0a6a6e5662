// application/vnd.convlab.featuremaps+json: a layer's channels for one input as a grid of
// heatmaps (one canvas per map, drawn through ImageData), with a shared or per-map colour scale
// and its legend, the value under the pointer, a click to enlarge a map, and a layer selector.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { inspect } from "convlab/browser";
import { ConvlabWidget, context2d, el, fmt, fmtShape, imageEl, labelled, select } from "./common.js";

export const FEATUREMAPS_CLASS = "convlab-FeatureMaps";

type Scale = "shared" | "per-map";
type Colormap = "viridis" | "gray" | "diverging";

/** A layer's maps unpacked: `values[c·nH·nW + i·nW + j]` is map `c` at row `i`, column `j`. */
export interface LayerMaps {
  layer: inspect.FeatureMapsLayer;
  values: Float32Array;
}

export function unpackLayer(layer: inspect.FeatureMapsLayer): LayerMaps {
  const [nH, nW, nC] = layer.shape;
  return { layer, values: inspect.unpackArray(layer.maps, nH * nW * nC, nH * nW) };
}

/** The value of map `c` at (`row`, `col`), or undefined outside the map. */
export function mapValue(m: LayerMaps, c: number, row: number, col: number): number | undefined {
  const [nH, nW, nC] = m.layer.shape;
  if (c < 0 || c >= nC || row < 0 || row >= nH || col < 0 || col >= nW) return undefined;
  return m.values[c * nH * nW + row * nW + col];
}

/** The colour range of map `c`: its own min/max ("per-map") or the layer's ("shared"). */
export function mapRange(layer: inspect.FeatureMapsLayer, c: number, scale: Scale): { min: number; max: number } {
  const finite = (xs: (number | null)[]) => xs.filter((v): v is number => v !== null);
  if (scale === "shared") {
    const lo = finite(layer.min), hi = finite(layer.max);
    return { min: lo.length ? Math.min(...lo) : 0, max: hi.length ? Math.max(...hi) : 0 };
  }
  return { min: layer.min[c] ?? 0, max: layer.max[c] ?? 0 };
}

/** The pixel of a `w`×`h` element showing an `nW`×`nH` map under the offset (x, y). */
export function pixelAt(nH: number, nW: number, w: number, h: number, x: number, y: number): { row: number; col: number } {
  return { row: Math.min(nH - 1, Math.max(0, Math.floor((y / h) * nH))), col: Math.min(nW - 1, Math.max(0, Math.floor((x / w) * nW))) };
}

/** "CONV1 · map 3 · row 4, col 7: 0.1234", the hover line. */
export function hoverText(m: LayerMaps, c: number, row: number, col: number): string {
  return `${m.layer.name} · map ${c} · row ${row}, col ${col}: ${fmt(mapValue(m, c, row, col))}`;
}

/** Screen size of one map in the grid: at least 64 CSS pixels on its longer side, whole multiples. */
export function cellScale(nH: number, nW: number): number {
  return Math.max(1, Math.min(8, Math.ceil(64 / Math.max(nH, nW))));
}

/** Draws map `c` into a canvas of `nW`×`nH` pixels (no-op where canvases cannot draw, e.g. jsdom). */
function paint(canvas: HTMLCanvasElement, m: LayerMaps, c: number, range: { min: number; max: number }, colormap: Colormap): void {
  const ctx = context2d(canvas);
  if (!ctx) return;
  const [nH, nW] = m.layer.shape;
  const n = nH * nW;
  const rgb = inspect.heatmapRgb(m.values.subarray(c * n, (c + 1) * n), { min: range.min, max: range.max, colormap });
  const img = ctx.createImageData(nW, nH);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    img.data[j] = rgb[3 * i]!;
    img.data[j + 1] = rgb[3 * i + 1]!;
    img.data[j + 2] = rgb[3 * i + 2]!;
    img.data[j + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

/** A CSS gradient of the colour map (11 stops), for the legend. */
function gradient(colormap: Colormap): string {
  const stops = Array.from({ length: 11 }, (_, k) => {
    const [r, g, b] = inspect.colorAt(k / 10, colormap);
    return `rgb(${r},${g},${b}) ${k * 10}%`;
  });
  return `linear-gradient(to right, ${stops.join(", ")})`;
}

export class FeatureMapsWidget extends ConvlabWidget<inspect.FeatureMapsPayload> {
  private layerIndex = 0;
  private scale: Scale = "per-map";
  private colormap: Colormap = "viridis";
  private unpacked = new Map<number, LayerMaps>();
  private status: HTMLElement | null = null;
  private grid: HTMLElement | null = null;
  private legend: HTMLElement | null = null;
  private zoom: HTMLElement | null = null;

  constructor(options: IRenderMime.IRendererOptions) {
    super(options, FEATUREMAPS_CLASS, inspect.parseFeatureMaps);
  }

  protected draw(p: inspect.FeatureMapsPayload, first: boolean): void {
    if (first) {
      this.scale = p.scale ?? "per-map";
      this.colormap = p.colormap ?? "viridis";
    }
    if (this.layerIndex >= p.layers.length) this.layerIndex = 0;
    this.unpacked.clear();
    this.node.replaceChildren();

    const head = el("div", "convlab-fm-head", undefined, this.node);
    if (p.input) head.appendChild(imageEl(p.input, "convlab-fm-input", "the input"));
    el("div", "convlab-title", `Feature maps of '${p.model}', example ${p.example}`, head);

    const controls = el("div", "convlab-fm-controls", undefined, this.node);
    if (p.layers.length > 1) {
      const layers = select("convlab-fm-layer", p.layers.map((l, i) => [String(i), `${l.name} ${l.type} ${fmtShape(l.shape)}`] as const), String(this.layerIndex));
      layers.addEventListener("change", () => {
        this.layerIndex = Number(layers.value);
        this.closeZoom();
        this.drawLayer();
      });
      controls.appendChild(labelled("layer", layers));
    }
    const scale = select("convlab-fm-scale", [["per-map", "each map its own"], ["shared", "shared by the layer"]], this.scale);
    scale.addEventListener("change", () => {
      this.scale = scale.value === "shared" ? "shared" : "per-map";
      this.drawLayer();
    });
    controls.appendChild(labelled("colour scale", scale));
    const cmap = select("convlab-fm-colormap", [["viridis", "viridis"], ["gray", "gray"], ["diverging", "diverging"]], this.colormap);
    cmap.addEventListener("change", () => {
      this.colormap = cmap.value as Colormap;
      this.drawLayer();
    });
    controls.appendChild(labelled("colours", cmap));

    this.legend = el("div", "convlab-fm-legend", undefined, this.node);
    this.status = el("div", "convlab-fm-status", "hover a map for its values; click to enlarge", this.node);
    this.grid = el("div", "convlab-fm-grid", undefined, this.node);
    this.zoom = null;
    this.drawLayer();
  }

  private layerMaps(): LayerMaps | null {
    const p = this.payload;
    if (!p) return null;
    let m = this.unpacked.get(this.layerIndex);
    if (!m) {
      m = unpackLayer(p.layers[this.layerIndex]!);
      this.unpacked.set(this.layerIndex, m);
    }
    return m;
  }

  /** The legend and the grid of the selected layer; records the drawing time in `data-draw-ms`. */
  private drawLayer(): void {
    const m = this.layerMaps();
    if (!m || !this.grid || !this.legend) return;
    const t0 = performance.now();
    const [nH, nW, nC] = m.layer.shape;
    this.drawLegend(m);
    const k = cellScale(nH, nW);
    this.grid.replaceChildren();
    this.grid.style.setProperty("--convlab-fm-cell", `${nW * k}px`);
    for (let c = 0; c < nC; c++) {
      const cell = el("div", "convlab-fm-cell", undefined, this.grid);
      const canvas = this.mapCanvas(m, c, nW * k, nH * k);
      canvas.addEventListener("click", () => this.openZoom(c));
      cell.appendChild(canvas);
      el("div", "convlab-fm-caption", String(c), cell);
    }
    this.node.dataset.drawMs = (performance.now() - t0).toFixed(2);
    this.node.dataset.layer = m.layer.name;
    if (this.zoom) this.openZoom(Number(this.zoom.dataset.map));
  }

  /** A canvas showing map `c` at `w`×`h` CSS pixels, with the hover read-out. */
  private mapCanvas(m: LayerMaps, c: number, w: number, h: number): HTMLCanvasElement {
    const [nH, nW] = m.layer.shape;
    const canvas = el("canvas", "convlab-fm-map");
    canvas.width = nW;
    canvas.height = nH;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    canvas.dataset.map = String(c);
    paint(canvas, m, c, mapRange(m.layer, c, this.scale), this.colormap);
    canvas.addEventListener("mousemove", (ev) => {
      const { row, col } = pixelAt(nH, nW, w, h, ev.offsetX, ev.offsetY);
      if (this.status) this.status.textContent = hoverText(m, c, row, col);
    });
    return canvas;
  }

  private drawLegend(m: LayerMaps): void {
    const legend = this.legend!;
    legend.replaceChildren();
    const shared = mapRange(m.layer, 0, "shared");
    el("span", "convlab-fm-legend-lo", this.scale === "shared" ? fmt(shared.min) : "map min", legend);
    el("span", "convlab-fm-legend-bar", undefined, legend).style.background = gradient(this.colormap);
    el("span", "convlab-fm-legend-hi", this.scale === "shared" ? fmt(shared.max) : "map max", legend);
    el("span", "convlab-fm-legend-note", this.scale === "shared" ? `one scale for all ${m.layer.shape[2]} maps` : `each map from its own min to max (layer: ${fmt(shared.min)} … ${fmt(shared.max)})`, legend);
  }

  /** The enlarged view of map `c` (one at a time), with its own range and a close button. */
  private openZoom(c: number): void {
    const m = this.layerMaps();
    if (!m) return;
    const [nH, nW] = m.layer.shape;
    this.closeZoom();
    const zoom = el("div", "convlab-fm-zoom");
    zoom.dataset.map = String(c);
    const bar = el("div", "convlab-fm-zoom-bar", undefined, zoom);
    const range = mapRange(m.layer, c, this.scale);
    el("span", "convlab-fm-zoom-title", `${m.layer.name} · map ${c} · ${fmt(range.min)} … ${fmt(range.max)}`, bar);
    const close = el("button", "convlab-fm-zoom-close", "close", bar);
    close.type = "button";
    close.addEventListener("click", () => this.closeZoom());
    const k = Math.max(1, Math.floor(320 / Math.max(nH, nW)));
    zoom.appendChild(this.mapCanvas(m, c, nW * k, nH * k));
    this.grid!.before(zoom);
    this.zoom = zoom;
  }

  private closeZoom(): void {
    this.zoom?.remove();
    this.zoom = null;
  }
}
