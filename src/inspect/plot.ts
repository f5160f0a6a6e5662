/**
 * A small line chart of a few named series (e.g. training error against depth for plain and
 * residual nets): an SVG with axes, ticks and a legend, a PNG of the same lines for viewers that
 * show no SVG, and the numbers as a text table. Labels are escaped, never markup.
 *
 * @example
 * cl.inspect.linePlot({ series: [{ name: "plain", x: [8, 20], y: [0.12, 0.15] }], xLabel: "layers", yLabel: "training error" })
 */
import { ValueError } from "../util/errors.js";
import { arrayArg, intArg, optNumberArg, optStringArg, requiredOptionsArg, stringArg, numbersArg, optionsArg } from "../util/check.js";
import { Raster, paletteRgb, type Rgb } from "./raster.js";
import type { MimeBundle } from "./display.js";

export interface PlotSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
}

export interface LinePlotOptions {
  series: readonly PlotSeries[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** The y axis range (default from the finite values, 0 included when all are ≥ 0). */
  yMin?: number;
  yMax?: number;
  /** Pixels (default 480 × 300). */
  width?: number;
  height?: number;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const hex = (c: Rgb): string => `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

/** "Nice" tick values covering [lo, hi] (about 5). */
function ticks(lo: number, hi: number): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export class LinePlot {
  readonly series: PlotSeries[];
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly width: number;
  readonly height: number;
  private readonly xr: [number, number];
  private readonly yr: [number, number];

  constructor(opts: LinePlotOptions) {
    const fn = "linePlot";
    const o = requiredOptionsArg(fn, opts, "opts", "{ series: [{ name, x, y }] }");
    const list = arrayArg(fn, "opts.series", o.series);
    if (list.length === 0) throw new ValueError(`${fn}: opts.series must list at least one series, got an empty list`);
    this.series = list.map((s, i) => {
      const e = optionsArg(fn, s as PlotSeries, `opts.series[${i}]`);
      const name = stringArg(fn, `opts.series[${i}].name`, e.name);
      const x = Array.from(numbersArg(fn, `opts.series[${i}].x`, e.x));
      const y = Array.from(numbersArg(fn, `opts.series[${i}].y`, e.y));
      if (x.length !== y.length) throw new ValueError(`${fn}: opts.series[${i}] ('${name}') has ${x.length} x values but ${y.length} y values`);
      return { name, x, y };
    });
    this.title = optStringArg(fn, "opts.title", o.title) ?? "";
    this.xLabel = optStringArg(fn, "opts.xLabel", o.xLabel) ?? "";
    this.yLabel = optStringArg(fn, "opts.yLabel", o.yLabel) ?? "";
    this.width = o.width === undefined ? 480 : intArg(fn, "opts.width", o.width, { min: 120, max: 4096 });
    this.height = o.height === undefined ? 300 : intArg(fn, "opts.height", o.height, { min: 100, max: 4096 });
    const xs = this.series.flatMap((s) => s.x).filter(Number.isFinite);
    const ys = this.series.flatMap((s) => s.y).filter(Number.isFinite);
    const span = (v: number[], lo?: number, hi?: number): [number, number] => {
      let a = lo ?? (v.length ? Math.min(...v) : 0);
      let b = hi ?? (v.length ? Math.max(...v) : 1);
      if (lo === undefined && a > 0 && v.length && Math.min(...v) >= 0 && a < b) a = 0;
      if (!(b > a)) [a, b] = [a - 0.5, a + 0.5];
      return [a, b];
    };
    this.xr = span(xs);
    if (this.xr[0] === 0 && xs.length && Math.min(...xs) > 0) this.xr[0] = Math.min(...xs); // x does not start at 0
    const yMin = optNumberArg(fn, "opts.yMin", o.yMin), yMax = optNumberArg(fn, "opts.yMax", o.yMax);
    if (yMin !== undefined && yMax !== undefined && !(yMax > yMin)) throw new ValueError(`${fn}: opts.yMax must be greater than opts.yMin, got ${yMin} and ${yMax}`);
    this.yr = span(ys, yMin, yMax);
  }

  private frame(): { left: number; top: number; w: number; h: number; px: (v: number) => number; py: (v: number) => number } {
    const left = 56, top = this.title ? 28 : 12, right = 120, bottom = 40;
    const w = this.width - left - right, h = this.height - top - bottom;
    const [x0, x1] = this.xr, [y0, y1] = this.yr;
    return {
      left, top, w, h,
      px: (v) => left + ((v - x0) / (x1 - x0)) * w,
      py: (v) => top + h - ((Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0)) * h,
    };
  }

  /** The chart as an SVG document. */
  toSvg(): string {
    const { left, top, w, h, px, py } = this.frame();
    const out: string[] = [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}" font-family="sans-serif" font-size="11">`,
      `<rect x="0" y="0" width="${this.width}" height="${this.height}" fill="#ffffff"/>`,
      `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#bbbbbb"/>`,
    ];
    if (this.title) out.push(`<text x="${left + w / 2}" y="18" text-anchor="middle" font-size="13">${esc(this.title)}</text>`);
    for (const t of ticks(...this.xr))
      out.push(`<line x1="${px(t)}" y1="${top + h}" x2="${px(t)}" y2="${top + h + 4}" stroke="#666666"/><text x="${px(t)}" y="${top + h + 15}" text-anchor="middle">${fmt(t)}</text>`);
    for (const t of ticks(...this.yr))
      out.push(`<line x1="${left - 4}" y1="${py(t)}" x2="${left + w}" y2="${py(t)}" stroke="#eeeeee"/><text x="${left - 6}" y="${py(t) + 4}" text-anchor="end">${fmt(t)}</text>`);
    if (this.xLabel) out.push(`<text x="${left + w / 2}" y="${this.height - 6}" text-anchor="middle">${esc(this.xLabel)}</text>`);
    if (this.yLabel) out.push(`<text transform="translate(14 ${top + h / 2}) rotate(-90)" text-anchor="middle">${esc(this.yLabel)}</text>`);
    this.series.forEach((s, i) => {
      const c = hex(paletteRgb(i));
      const pts = s.x.map((x, j) => [x, s.y[j]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ")}"/>`);
      for (const [x, y] of pts) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${c}"/>`);
      const ly = top + 10 + i * 16;
      out.push(`<line x1="${left + w + 10}" y1="${ly}" x2="${left + w + 28}" y2="${ly}" stroke="${c}" stroke-width="2"/><text x="${left + w + 32}" y="${ly + 4}">${esc(s.name)}</text>`);
    });
    out.push("</svg>");
    return out.join("\n");
  }

  /** The lines (no text) as a PNG, base64. */
  toPng(): { base64: string; width: number; height: number } {
    const r = new Raster(this.width, this.height);
    const { left, top, w, h, px, py } = this.frame();
    r.strokeRect(left, top, w, h, [187, 187, 187]);
    this.series.forEach((s, i) => {
      const c = paletteRgb(i);
      const pts = s.x.map((x, j) => [x, s.y[j]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
      for (let j = 1; j < pts.length; j++) r.line(Math.round(px(pts[j - 1]![0])), Math.round(py(pts[j - 1]![1])), Math.round(px(pts[j]![0])), Math.round(py(pts[j]![1])), c);
      for (const [x, y] of pts) r.dot(Math.round(px(x)), Math.round(py(y)), 3, c);
      r.fillRect(left + w + 10, top + 6 + i * 16, 18, 3, c);
    });
    return { base64: r.toPngBase64(), width: this.width, height: this.height };
  }

  /** The numbers: one line per series. */
  toString(): string {
    const head = [this.title, this.yLabel && `${this.yLabel} vs ${this.xLabel || "x"}`].filter(Boolean).join(" — ");
    return [head || "line plot", ...this.series.map((s) => `  ${s.name}: ${s.x.map((x, j) => `${fmt(x)} → ${fmt(s.y[j]!)}`).join(", ")}`)].join("\n");
  }

  toMimeBundle(): MimeBundle {
    const png = this.toPng();
    return {
      data: { "image/svg+xml": this.toSvg(), "image/png": png.base64, "text/plain": this.toString() },
      metadata: { "image/png": { width: png.width, height: png.height } },
    };
  }
}

/** A line chart of named series (see `LinePlot`); shown as SVG, PNG and text. */
export function linePlot(opts: LinePlotOptions): LinePlot {
  return new LinePlot(opts);
}
