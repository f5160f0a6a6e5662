/**
 * A small PNG encoder in pure TypeScript (deflate by fflate), for the `image/png` fallbacks of
 * convlab's outputs. It runs in the kernel and in the browser alike: no Node built-ins, no DOM.
 */
import { zlibSync } from "fflate";
import { ValueError } from "../util/errors.js";
import { toBase64 } from "../util/base64.js";
import { bytesArg, describeValue, optionsArg, requiredOptionsArg, typeFail } from "../util/check.js";

export { toBase64 };

/** 8-bit pixels, row-major, `channels` interleaved bytes per pixel (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

export interface EncodePngOptions {
  /** zlib level 0–9 (default 6). */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** PNG colour type by number of channels. */
const COLOR_TYPE = { 1: 0, 2: 4, 3: 2, 4: 6 } as const;

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309, the one PNG chunks use) of `bytes`. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  bytesArg("crc32", "bytes", bytes);
  if (typeof crc !== "number" || !Number.isInteger(crc)) typeFail("crc32", "crc", "an integer (a running CRC)", crc);
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Writes PNG filter `f` (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth) of `row` into `out`; returns the sum of |filtered byte| (as signed). */
function applyFilter(f: number, row: Uint8Array, prev: Uint8Array, bpp: number, out: Uint8Array): number {
  const n = row.length;
  // One loop per filter type keeps the per-byte work branch-free; bytes before the first pixel see a = c = 0.
  switch (f) {
    case 0: out.set(row); break;
    case 1: for (let i = 0; i < n; i++) out[i] = row[i]! - (i >= bpp ? row[i - bpp]! : 0); break;
    case 2: for (let i = 0; i < n; i++) out[i] = row[i]! - prev[i]!; break;
    case 3: for (let i = 0; i < n; i++) out[i] = row[i]! - (((i >= bpp ? row[i - bpp]! : 0) + prev[i]!) >> 1); break;
    default:
      for (let i = 0; i < bpp && i < n; i++) out[i] = row[i]! - prev[i]!; // paeth(0, b, 0) = b
      for (let i = bpp; i < n; i++) out[i] = row[i]! - paeth(row[i - bpp]!, prev[i]!, prev[i - bpp]!);
  }
  let score = 0;
  for (let i = 0; i < n; i++) {
    const v = out[i]!;
    score += v < 128 ? v : 256 - v;
  }
  return score;
}

/**
 * Filters every scanline with the PNG filter (None, Sub, Up, Average, Paeth) whose output has
 * the smallest sum of absolute values (the usual heuristic); prefixes each row with its type.
 */
function filterRows(data: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(height * (stride + 1));
  const cand = [0, 1, 2, 3, 4].map(() => new Uint8Array(stride));
  const zero = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? data.subarray((y - 1) * stride, y * stride) : zero;
    let best = 0, bestScore = Infinity;
    for (let f = 0; f < 5; f++) {
      const score = applyFilter(f, row, prev, bpp, cand[f]!);
      if (score < bestScore) {
        bestScore = score;
        best = f;
      }
    }
    const o = y * (stride + 1);
    out[o] = best;
    out.set(cand[best]!, o + 1);
  }
  return out;
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, body.length, false);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(body, 8);
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)), false);
  return out;
}

/**
 * Encodes 8-bit pixels as a PNG file (IHDR, one IDAT, IEND, with CRCs; non-interlaced).
 *
 * @param img `{ width, height, channels, data }`, `data` row-major with `width·height·channels` bytes
 * @returns the PNG file's bytes
 * @example
 * const png = encodePng({ width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
 * const url = `data:image/png;base64,${toBase64(png)}`;
 */
export function encodePng(img: RawImage, opts: EncodePngOptions = {}): Uint8Array {
  const { width, height, channels, data } = rawImageArg("encodePng", "img", img);
  opts = optionsArg("encodePng", opts);
  if (opts.level !== undefined && !(Number.isInteger(opts.level) && opts.level >= 0 && opts.level <= 9))
    throw new ValueError(`encodePng: opts.level must be an integer in [0, 9], got ${describeValue(opts.level)}`);
  const colorType = COLOR_TYPE[channels];
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width, false);
  v.setUint32(4, height, false);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colorType;
  // compression 0 (deflate), filter method 0, interlace 0
  const idat = zlibSync(filterRows(data, width, height, channels), { level: opts.level ?? 6 });
  return concatBytes([new Uint8Array(SIGNATURE), chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array(0))]);
}

/** Checks 8-bit pixels `{ width, height, channels, data }` (sizes, and data of width·height·channels bytes). */
export function rawImageArg(fn: string, name: string, img: RawImage): RawImage {
  requiredOptionsArg(fn, img, name, "{ width, height, channels, data }");
  const { width, height, channels, data } = img;
  const n = (v: unknown): string => (typeof v === "number" ? String(v) : describeValue(v));
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || width > 0x7fffffff || height > 0x7fffffff)
    throw new ValueError(`${fn}: width and height must be positive integers, got ${n(width)}×${n(height)}`);
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) throw new ValueError(`${fn}: channels must be 1, 2, 3 or 4, got ${n(channels)}`);
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels)
    throw new ValueError(
      `${fn}: data must be a Uint8Array of width·height·channels = ${width}·${height}·${channels} = ${width * height * channels} bytes, got ${data instanceof Uint8Array ? data.length : describeValue(data)}`,
    );
  return img;
}

/** The byte arrays `parts` joined into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `data:image/png;base64,...` for PNG bytes (for `<img src>` in HTML fallbacks). */
export function pngDataUrl(png: Uint8Array): string {
  bytesArg("pngDataUrl", "png", png);
  return `data:image/png;base64,${toBase64(png)}`;
}
