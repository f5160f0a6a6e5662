/**
 * Colour maps and tensor → PNG conversion for convlab's `image/png` fallbacks (feature maps,
 * filters, images, matrices). Pure TypeScript: runs in the kernel and in the browser.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { encodePng, rawImageArg, type RawImage } from "./png.js";
import { describeValue, numberArg, numbersArg, optNumberArg, optionsArg } from "../util/check.js";
import { checkAllocation } from "../util/limits.js";
import { tensorArg } from "../tensor/args.js";

/** "viridis" (perceptually uniform, dark purple → yellow), "gray" (black → white), "diverging" (blue → white → red, white at the centre). */
export type Colormap = "viridis" | "gray" | "diverging";

export interface HeatmapOptions {
  /** Value drawn at the low end of the colour map (default: the smallest finite value; for "diverging", −max|v|). */
  min?: number;
  /** Value drawn at the high end (default: the largest finite value; for "diverging", +max|v|). */
  max?: number;
  /** Default "viridis". */
  colormap?: Colormap;
}

// Viridis (matplotlib's, CC0), sampled at 33 evenly spaced points; linear interpolation between
// them stays within 2/255 of the full 256-entry table.
const VIRIDIS = [
  68, 1, 84, 71, 13, 96, 72, 24, 106, 72, 35, 116, 71, 45, 123, 69, 54, 129, 66, 64, 134, 63, 73, 137, 59, 82, 139, 55, 90, 141,
  51, 99, 141, 47, 106, 142, 44, 114, 142, 41, 122, 142, 38, 129, 142, 35, 137, 142, 33, 144, 140, 31, 152, 139, 31, 159, 136,
  33, 166, 133, 40, 174, 128, 49, 181, 123, 62, 188, 116, 76, 194, 108, 93, 201, 99, 110, 206, 88, 130, 211, 76, 150, 216, 63,
  171, 220, 50, 192, 223, 36, 213, 226, 26, 234, 229, 26, 253, 231, 37,
];
// Blue → white → red, five anchors (ColorBrewer RdBu-like end points).
const DIVERGING = [33, 102, 172, 146, 197, 222, 247, 247, 247, 244, 165, 130, 178, 24, 43];
const GRAY = [0, 0, 0, 255, 255, 255];
const TABLES: Record<Colormap, number[]> = { viridis: VIRIDIS, gray: GRAY, diverging: DIVERGING };
/** Colour of NaN and ±Infinity in heatmaps: magenta, so bad values stand out. */
export const NONFINITE_RGB = [255, 0, 255] as const;

function table(colormap: Colormap | undefined, fn = "heatmapRgb"): number[] {
  const name = colormap ?? "viridis";
  const t = typeof name === "string" && Object.prototype.hasOwnProperty.call(TABLES, name) ? TABLES[name] : undefined;
  if (t === undefined) throw new ValueError(`${fn}: colormap must be "viridis", "gray" or "diverging", got ${typeof name === "string" ? name : describeValue(name)}`);
  return t;
}

/** Checks the options of a heatmap (min and max numbers where given). */
function heatmapOptions(fn: string, opts: HeatmapOptions | undefined): HeatmapOptions {
  const o = optionsArg(fn, opts);
  optNumberArg(fn, "opts.min", o.min, { finite: false });
  optNumberArg(fn, "opts.max", o.max, { finite: false });
  return o;
}

/** Writes the colour at position `t` ∈ [0, 1] of a colour table into `out[o..o+2]`. */
function lookup(tab: number[], t: number, out: Uint8Array, o: number): void {
  const n = tab.length / 3 - 1;
  const f = Math.min(Math.max(t, 0), 1) * n;
  const k = Math.min(Math.floor(f), n - 1);
  const w = f - k;
  for (let c = 0; c < 3; c++) out[o + c] = Math.round(tab[3 * k + c]! * (1 - w) + tab[3 * (k + 1) + c]! * w);
}

/** The `[r, g, b]` (0–255) of a colour map at position `t` ∈ [0, 1] (e.g. to draw a legend). */
export function colorAt(t: number, colormap: Colormap = "viridis"): [number, number, number] {
  numberArg("colorAt", "t", t, { finite: false });
  const out = new Uint8Array(3);
  lookup(table(colormap, "colorAt"), t, out, 0);
  return [out[0]!, out[1]!, out[2]!];
}

/**
 * The value range a heatmap uses: `opts.min`/`opts.max` where given, otherwise the finite
 * extremes of `values` (symmetric about 0 for "diverging"). Useful for a legend or to share
 * one scale across several maps.
 */
export function heatmapRange(values: ArrayLike<number>, opts: HeatmapOptions = {}): { min: number; max: number } {
  numbersArg("heatmapRange", "values", values);
  opts = heatmapOptions("heatmapRange", opts);
  let lo = Infinity, hi = -Infinity;
  if (opts.min === undefined || opts.max === undefined) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo > hi) lo = hi = 0; // nothing finite
    if (opts.colormap === "diverging") {
      const lim = Math.max(Math.abs(lo), Math.abs(hi));
      lo = -lim;
      hi = lim;
    }
  }
  return { min: opts.min ?? lo, max: opts.max ?? hi };
}

/**
 * Maps values to colours: `values` (n numbers) → `3·n` RGB bytes. Values are scaled linearly
 * from `[min, max]` (see `heatmapRange`) to the colour map and clipped; NaN and ±Infinity are
 * drawn magenta. When `min === max`, values are drawn at the low end (centre for "diverging").
 *
 * @example
 * heatmapRgb([0, 0.5, 1], { colormap: "gray" }) // Uint8Array [0,0,0, 128,128,128, 255,255,255]
 */
export function heatmapRgb(values: ArrayLike<number>, opts: HeatmapOptions = {}): Uint8Array {
  numbersArg("heatmapRgb", "values", values);
  opts = heatmapOptions("heatmapRgb", opts);
  const tab = table(opts.colormap);
  const { min, max } = heatmapRange(values, opts);
  if (Number.isNaN(min) || Number.isNaN(max)) throw new ValueError(`heatmapRgb: min and max must be numbers, got ${min}, ${max}`);
  const span = max - min;
  const flat = opts.colormap === "diverging" ? 0.5 : 0;
  const out = new Uint8Array(values.length * 3);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out.set(NONFINITE_RGB, 3 * i);
      continue;
    }
    lookup(tab, span > 0 ? (v - min) / span : flat, out, 3 * i);
  }
  return out;
}

export interface TensorImageOptions extends HeatmapOptions {
  /**
   * "heatmap": draw a 2-D map (`[h,w]` or `[h,w,1]`) through the colour map.
   * "image": draw `[h,w]`/`[h,w,1]` as gray, `[h,w,3]` as RGB, `[h,w,4]` as RGBA, mapping
   * `[min ?? 0, max ?? 1]` to 0–255 (clipped; NaN → 0).
   * "auto" (default): `[h,w]` → heatmap; `[h,w,1]` → image when every value is in [0, 1], else
   * heatmap; `[h,w,3|4]` → image (scaled by the observed range when values leave [0, 1]).
   */
  mode?: "auto" | "heatmap" | "image";
  /**
   * Integer nearest-neighbour magnification so small maps are visible (default 1);
   * "auto" picks `max(1, floor(256 / max(h, w)))` (a 6×6 map becomes 252×252).
   */
  upscale?: number | "auto";
}

/** The `[h, w, c]` of a tensor to draw: `[h,w]`, `[h,w,c]` or `[1,h,w,c]`. */
function imageDims(t: Tensor, op: string): [number, number, number] {
  const s = t.shape;
  if (s.length === 2) return [s[0]!, s[1]!, 0];
  if (s.length === 3) return [s[0]!, s[1]!, s[2]!];
  if (s.length === 4 && s[0] === 1) return [s[1]!, s[2]!, s[3]!];
  throw new ShapeError(`${op}: expected a 2-D map [h,w] or an image [h,w,c] / [1,h,w,c], got ${fmtShape(s)}`);
}

function inUnitRange(d: ArrayLike<number>): boolean {
  for (let i = 0; i < d.length; i++) if (!(d[i]! >= 0 && d[i]! <= 1)) return false;
  return true;
}

/** Nearest-neighbour magnification of 8-bit pixels by an integer factor `k` (each pixel → k×k). */
export function upscaleNearest(img: RawImage, k: number): RawImage {
  rawImageArg("upscaleNearest", "img", img);
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`upscaleNearest: factor must be a positive integer, got ${typeof k === "number" ? k : describeValue(k)}`);
  if (k === 1) return img;
  const { width, height, channels, data } = img;
  const W = width * k, H = height * k;
  checkAllocation("upscaleNearest", W * H * channels, 1, `a ${W}×${H}×${channels} picture (${W * H * channels} bytes)`);
  const out = new Uint8Array(W * H * channels);
  const row = new Uint8Array(W * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++)
      for (let r = 0; r < k; r++) row.set(data.subarray((y * width + x) * channels, (y * width + x + 1) * channels), (x * k + r) * channels);
    for (let r = 0; r < k; r++) out.set(row, (y * k + r) * W * channels);
  }
  return { width: W, height: H, channels, data: out };
}

/**
 * The 8-bit pixels that draw a tensor (see `TensorImageOptions` for the modes): a heatmap
 * (RGB) of a 2-D map, or the image itself (`[h,w,1|3|4]`, values in [0, 1]).
 */
export function tensorToImage(t: Tensor, opts: TensorImageOptions = {}): RawImage {
  const op = "tensorToImage";
  tensorArg(op, "t", t);
  opts = heatmapOptions(op, opts);
  const [h, w, c] = imageDims(t, op);
  if (h === 0 || w === 0) throw new ShapeError(`${op}: cannot draw an empty tensor ${fmtShape(t.shape)}`);
  const mode = opts.mode ?? "auto";
  if (mode !== "auto" && mode !== "heatmap" && mode !== "image") throw new ValueError(`${op}: mode must be "auto", "heatmap" or "image", got ${typeof mode === "string" ? mode : describeValue(mode)}`);
  if (opts.upscale !== undefined && opts.upscale !== "auto" && !(Number.isInteger(opts.upscale) && opts.upscale >= 1))
    throw new ValueError(`${op}: upscale must be a positive integer or "auto", got ${typeof opts.upscale === "number" ? opts.upscale : describeValue(opts.upscale)}`);
  if (c > 4 || (c === 2 && mode !== "heatmap"))
    throw new ShapeError(`${op}: an image needs 1, 3 or 4 channels, got ${c} (shape ${fmtShape(t.shape)}); draw one channel at a time`);
  const d = t.data;
  let heat: boolean;
  if (mode === "heatmap") {
    if (c > 1) throw new ShapeError(`${op}: a heatmap needs a 2-D map [h,w] or [h,w,1], got ${fmtShape(t.shape)}`);
    heat = true;
  } else if (mode === "image") heat = false;
  else heat = c === 0 || (c === 1 && !inUnitRange(d));

  let img: RawImage;
  if (heat) img = { width: w, height: h, channels: 3, data: heatmapRgb(d, opts) };
  else {
    const channels = (c === 0 ? 1 : c) as 1 | 3 | 4;
    let lo = opts.min ?? 0, hi = opts.max ?? 1;
    if (mode === "auto" && opts.min === undefined && opts.max === undefined && !inUnitRange(d)) ({ min: lo, max: hi } = heatmapRange(d));
    const span = hi - lo;
    const out = new Uint8Array(d.length);
    for (let i = 0; i < d.length; i++) {
      const v = span > 0 ? (d[i]! - lo) / span : 0;
      out[i] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0; // NaN → 0
    }
    img = { width: w, height: h, channels, data: out };
  }
  const up = opts.upscale ?? 1;
  const k = up === "auto" ? Math.max(1, Math.floor(256 / Math.max(h, w))) : up;
  return upscaleNearest(img, k);
}

/**
 * PNG bytes that draw a tensor: a 2-D map `[h,w]` as a heatmap (auto or given `min`/`max`,
 * colour map "viridis" | "gray" | "diverging"), or an image `[h,w,1|3|4]` / `[1,h,w,c]` with
 * values in [0, 1]; `upscale` magnifies small maps. Pair with `toBase64` for an `image/png`
 * MIME value.
 *
 * @example
 * const png = tensorToPng(cl.randn([6, 6]), { colormap: "diverging", upscale: "auto" });
 * bundle.data["image/png"] = toBase64(png);
 */
export function tensorToPng(t: Tensor, opts: TensorImageOptions = {}): Uint8Array {
  return encodePng(tensorToImage(t, opts));
}
