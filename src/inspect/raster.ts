/**
 * A tiny RGB pixel canvas for the `image/png` fallbacks of the widget outputs (grids of maps,
 * boxes over an image, scatter plots, histograms): filled and outlined rectangles, lines, dots
 * and pasted pictures. Pure TypeScript, no DOM.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { encodePng, rawImageArg, toBase64, type RawImage } from "./png.js";
import { numberArg, typeFail } from "../util/check.js";
import { checkAllocation } from "../util/limits.js";
import { tensorArg } from "../tensor/args.js";
import { tensorToImage, type TensorImageOptions } from "./colormap.js";
import type { ImageRef } from "./payloads.js";
import { fromBase64 } from "../util/base64.js";
import { FONT_ALPHA4, FONT_COUNT, FONT_FIRST, FONT_HEIGHT, FONT_WIDTH } from "./font-data.js";

export type Rgb = readonly [number, number, number];

/** Distinct colours for classes and identities (Tableau 10); the widgets use the same ones. */
export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"] as const;

/** Colour `i` of the palette (cycling) as RGB bytes. */
export function paletteRgb(i: number): Rgb {
  if (!Number.isInteger(numberArg("paletteRgb", "i", i))) throw new ValueError(`paletteRgb: i must be an integer, got ${i}`);
  const hex = PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
  return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
}

/** Checks a colour `[r, g, b]` of bytes. */
function rgbArg(fn: string, c: Rgb): Rgb {
  if (!Array.isArray(c) || c.length !== 3 || !c.every((v) => typeof v === "number" && v >= 0 && v <= 255)) typeFail(fn, "colour", "[r, g, b] with values in 0–255", c);
  return c;
}

/** Checks coordinates and sizes: numbers (NaN draws nothing, as outside the picture). */
function coords(fn: string, names: string, ...vs: number[]): void {
  vs.forEach((v, i) => {
    if (typeof v !== "number") typeFail(fn, names.split(",")[i]!, "a number", v);
  });
}

/** `Raster.set` without the checks (the drawing methods' inner loop). */
function put(r: Raster, x: number, y: number, c: Rgb): void {
  x = Math.round(x);
  y = Math.round(y);
  if (x < 0 || y < 0 || x >= r.width || y >= r.height) return;
  const o = 3 * (y * r.width + x);
  r.data[o] = c[0];
  r.data[o + 1] = c[1];
  r.data[o + 2] = c[2];
}

export class Raster {
  readonly data: Uint8Array;

  /** A `width`×`height` RGB picture filled with `background` (default white). */
  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    numberArg("Raster", "width", width);
    numberArg("Raster", "height", height);
    this.width = Math.max(1, Math.round(width));
    this.height = Math.max(1, Math.round(height));
    checkAllocation("Raster", this.width * this.height * 3, 1, `a ${this.width}×${this.height} picture`);
    this.data = new Uint8Array(this.width * this.height * 3);
    this.fillRect(0, 0, this.width, this.height, rgbArg("Raster", background));
  }

  /** Sets one pixel (ignored outside the picture). */
  set(x: number, y: number, c: Rgb): void {
    coords("Raster.set", "x,y", x, y);
    put(this, x, y, rgbArg("Raster.set", c));
  }

  fillRect(x: number, y: number, w: number, h: number, c: Rgb): void {
    coords("Raster.fillRect", "x,y,w,h", x, y, w, h);
    rgbArg("Raster.fillRect", c);
    const x0 = Math.max(0, Math.round(x)), y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w)), y1 = Math.min(this.height, Math.round(y + h));
    for (let j = y0; j < y1; j++)
      for (let i = x0; i < x1; i++) {
        const o = 3 * (j * this.width + i);
        this.data[o] = c[0];
        this.data[o + 1] = c[1];
        this.data[o + 2] = c[2];
      }
  }

  /** A rectangle's outline, `t` pixels thick, inside the rectangle. */
  strokeRect(x: number, y: number, w: number, h: number, c: Rgb, t = 1): void {
    this.fillRect(x, y, w, t, c);
    this.fillRect(x, y + h - t, w, t, c);
    this.fillRect(x, y, t, h, c);
    this.fillRect(x + w - t, y, t, h, c);
  }

  /** A straight line (DDA, one sample per pixel along the longer axis). */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb): void {
    coords("Raster.line", "x0,y0,x1,y1", x0, y0, x1, y1);
    rgbArg("Raster.line", c);
    // Only the part within (a pixel around) the picture is sampled, so far-away ends cost nothing.
    let t0 = 0, t1 = 1;
    const dx = x1 - x0, dy = y1 - y0;
    for (const [p, q] of [[-dx, x0 + 1], [dx, this.width - x0], [-dy, y0 + 1], [dy, this.height - y0]] as const) {
      if (p === 0) {
        if (!(q >= 0)) return;
      } else {
        const r = q / p;
        if (p < 0) t0 = Math.max(t0, r);
        else t1 = Math.min(t1, r);
      }
    }
    if (!(t0 <= t1)) return;
    const ax = x0 + dx * t0, ay = y0 + dy * t0, bx = x0 + dx * t1, by = y0 + dy * t1;
    const n = Math.max(1, Math.ceil(Math.max(Math.abs(bx - ax), Math.abs(by - ay))));
    for (let k = 0; k <= n; k++) put(this, ax + ((bx - ax) * k) / n, ay + ((by - ay) * k) / n, c);
  }

  /** A filled disc of radius `r`. */
  dot(cx: number, cy: number, r: number, c: Rgb): void {
    coords("Raster.dot", "cx,cy,r", cx, cy, r);
    rgbArg("Raster.dot", c);
    const j1 = Math.min(this.height, Math.ceil(cy + r)), i1 = Math.min(this.width, Math.ceil(cx + r));
    for (let j = Math.max(-1, Math.floor(cy - r)); j <= j1; j++)
      for (let i = Math.max(-1, Math.floor(cx - r)); i <= i1; i++) if ((i - cx) ** 2 + (j - cy) ** 2 <= r * r) put(this, i, j, c);
  }

  /** Pastes a picture (1, 3 or 4 channels; alpha is ignored) with its top-left corner at (x, y), scaled by nearest neighbour to `w`×`h`. */
  paste(img: RawImage, x: number, y: number, w = img?.width, h = img?.height): void {
    rawImageArg("Raster.paste", "img", img);
    coords("Raster.paste", "x,y,w,h", x, y, w, h);
    const ch = img.channels;
    // only the rows and columns that land on the picture
    const j1 = Math.min(h, Math.ceil(this.height - y) + 1), i1 = Math.min(w, Math.ceil(this.width - x) + 1);
    for (let j = Math.max(0, Math.floor(-y) - 1); j < j1; j++) {
      const sy = Math.min(img.height - 1, Math.floor((j * img.height) / h));
      for (let i = Math.max(0, Math.floor(-x) - 1); i < i1; i++) {
        const sx = Math.min(img.width - 1, Math.floor((i * img.width) / w));
        const o = (sy * img.width + sx) * ch;
        const v = img.data[o]!;
        put(this, x + i, y + j, ch >= 3 ? [v, img.data[o + 1]!, img.data[o + 2]!] : [v, v, v]);
      }
    }
  }

  /**
   * Writes `text` (one line; characters outside printable ASCII drawn as "?") with its top-left
   * corner at (x, y) in the built-in 7×13 bitmap font, blended over the picture; returns the width
   * drawn. Text beyond the picture is clipped.
   */
  text(x: number, y: number, text: string, c: Rgb = [40, 40, 40]): number {
    coords("Raster.text", "x,y", x, y);
    if (typeof text !== "string") typeFail("Raster.text", "text", "a string", text);
    rgbArg("Raster.text", c);
    const glyphs = fontGlyphs();
    const x0 = Math.round(x), y0 = Math.round(y);
    for (let k = 0; k < text.length; k++) {
      const code = text.charCodeAt(k);
      const g = code >= FONT_FIRST && code < FONT_FIRST + FONT_COUNT ? code - FONT_FIRST : "?".charCodeAt(0) - FONT_FIRST;
      const gx = x0 + k * FONT_WIDTH;
      if (gx >= this.width) break;
      for (let j = 0; j < FONT_HEIGHT; j++) {
        const py = y0 + j;
        if (py < 0 || py >= this.height) continue;
        for (let i = 0; i < FONT_WIDTH; i++) {
          const px = gx + i;
          const a = glyphs[(g * FONT_HEIGHT + j) * FONT_WIDTH + i]! / 15;
          if (a === 0 || px < 0 || px >= this.width) continue;
          const o = 3 * (py * this.width + px);
          for (let ch = 0; ch < 3; ch++) this.data[o + ch] = Math.round(this.data[o + ch]! * (1 - a) + c[ch]! * a);
        }
      }
    }
    return textWidth(text);
  }

  toImage(): RawImage {
    return { width: this.width, height: this.height, channels: 3, data: this.data };
  }

  /** Base64 PNG of the picture, for an `image/png` MIME value. */
  toPngBase64(): string {
    return toBase64(encodePng(this.toImage()));
  }
}

/** Width in pixels of `text` in the built-in font (`Raster.text`). */
export function textWidth(text: string): number {
  if (typeof text !== "string") typeFail("textWidth", "text", "a string", text);
  return text.length * FONT_WIDTH;
}

/** Height in pixels of a line of the built-in font. */
export const TEXT_HEIGHT = FONT_HEIGHT;

let glyphCache: Uint8Array | undefined;
/** The font's coverage, one value 0–15 per pixel, unpacked once. */
function fontGlyphs(): Uint8Array {
  if (!glyphCache) {
    const packed = fromBase64(FONT_ALPHA4);
    glyphCache = new Uint8Array(FONT_COUNT * FONT_WIDTH * FONT_HEIGHT);
    for (let i = 0; i < glyphCache.length; i++) glyphCache[i] = (packed[i >> 1]! >> (i & 1 ? 0 : 4)) & 15;
  }
  return glyphCache;
}

/** Example `i` of a batch `[m, ...]` as a tensor `[...]` (a copy). */
export function exampleOf(x: Tensor, i: number, op: string): Tensor {
  if (typeof op !== "string") typeFail("exampleOf", "op", "the calling function's name", op);
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a tensor batch [m,...], got ${typeof x}`);
  numberArg(op, "example", i);
  if (x.rank < 2) throw new ShapeError(`${op}: expected a batch [m,...], got ${fmtShape(x.shape)}`);
  const m = x.shape[0]!;
  if (!Number.isInteger(i) || i < 0 || i >= m) throw new ValueError(`${op}: example ${i} is not in the batch of ${m} (x ${fmtShape(x.shape)})`);
  const n = x.size / m;
  return new Tensor(x.data.slice(i * n, (i + 1) * n), x.shape.slice(1));
}

/** Whether a tensor `[h,w]` or `[h,w,1|3|4]` can be drawn as a picture. */
export function isPicture(t: Tensor): boolean {
  if (!(t instanceof Tensor)) return false;
  const s = t.shape;
  return (s.length === 2 || (s.length === 3 && [1, 3, 4].includes(s[2]!))) && s[0]! >= 1 && s[1]! >= 1;
}

/** A picture tensor `[h,w]` / `[h,w,1|3|4]` as a payload image (PNG, `mode` "auto" unless given). */
export function imageRef(t: Tensor, opts: TensorImageOptions = {}): ImageRef {
  tensorArg("imageRef", "t", t);
  const img = tensorToImage(t, opts);
  return { png: toBase64(encodePng(img)), width: img.width, height: img.height };
}
