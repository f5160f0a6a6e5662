/**
 * Image files ↔ tensors (Node only): PNG decoded by `pngjs`, JPEG by `jpeg-js`; PNG encoded by
 * convlab's own encoder (`src/inspect/png.ts`), JPEG by `jpeg-js`.
 * Tensors are `[h, w, c]` float32 in [0, 1] (c = 1 gray, 3 RGB, 4 RGBA).
 */
import { extname } from "node:path";
import jpeg from "jpeg-js";
import pngjs from "pngjs";
import { Tensor } from "../tensor/tensor.js";
import { ValueError, ShapeError, fmtShape } from "../util/errors.js";
import { encodePng as encodeRawPng } from "../inspect/png.js";
import { tensorToImage } from "../inspect/colormap.js";
import { sweepStaleTemps, writeAtomic } from "./atomic.js";
import { pathArg, readFileBytes } from "./files.js";
import { bytesArg, describeValue, numberArg, optOneOfArg, optionsArg, stringArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";

export interface DecodeImageOptions {
  /** "drop" (default): ignore an alpha channel; "keep": add it as the last channel (c = 2 or 4). */
  alpha?: "drop" | "keep";
  /** Force 1 (gray, luma 0.299 R + 0.587 G + 0.114 B) or 3 (RGB) colour channels; default: as stored. */
  channels?: 1 | 3;
}

export interface EncodeImageOptions {
  /** "png" (default) or "jpeg". */
  format?: "png" | "jpeg";
  /** JPEG quality 1–100 (default 90). */
  quality?: number;
}

const isPng = (b: Uint8Array): boolean => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array): boolean => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

/** Number of colour components in a JPEG's frame header (1 for grayscale), or 3 if none is found. */
function jpegComponents(b: Uint8Array): number {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return 3;
    const marker = b[i + 1]!;
    if (marker === 0xff) { i++; continue; }
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return b[i + 9]!;
    if (marker === 0xda) return 3; // start of scan before any frame header
    i += 2 + len;
  }
  return 3;
}

/** Converts interleaved 8-bit pixels with `src` channels to a float tensor with the requested layout. */
function toTensor(px: Uint8Array, w: number, h: number, srcC: number, gray: boolean, hasAlpha: boolean, opts: DecodeImageOptions): Tensor {
  const colour = opts.channels ?? (gray ? 1 : 3);
  const keepAlpha = opts.alpha === "keep" && hasAlpha;
  const c = colour + (keepAlpha ? 1 : 0);
  const out = new Float32Array(w * h * c);
  for (let p = 0, s = 0, o = 0; p < w * h; p++, s += srcC, o += c) {
    const r = px[s]!, g = px[s + 1]!, b = px[s + 2]!;
    if (colour === 1) out[o] = (gray ? r : 0.299 * r + 0.587 * g + 0.114 * b) / 255;
    else {
      out[o] = r / 255;
      out[o + 1] = g / 255;
      out[o + 2] = b / 255;
    }
    if (keepAlpha) out[o + colour] = px[s + 3]! / 255;
  }
  return new Tensor(out, [h, w, c]);
}

/**
 * Decodes PNG or JPEG bytes (detected from the signature) to a tensor `[h, w, c]` float32 in
 * [0, 1]: c = 1 for a grayscale file, 3 for colour, plus alpha with `{ alpha: "keep" }`.
 * 16-bit PNGs are reduced to 8 bits.
 */
export function decodeImage(bytes: Uint8Array, opts: DecodeImageOptions = {}, name = "image"): Tensor {
  return decode("decodeImage", bytes, opts, name);
}

function decode(fn: string, bytes: Uint8Array, opts: DecodeImageOptions, name: string): Tensor {
  bytesArg(fn, "bytes", bytes);
  opts = optionsArg(fn, opts);
  stringArg(fn, "name", name);
  if (opts.channels !== undefined && opts.channels !== 1 && opts.channels !== 3)
    throw new ValueError(`decodeImage: channels must be 1 or 3, got ${typeof opts.channels === "number" ? opts.channels : describeValue(opts.channels)}`);
  optOneOfArg("decodeImage", "opts.alpha", opts.alpha, ["drop", "keep"] as const);
  if (isPng(bytes)) {
    let png: pngjs.PNGWithMetadata;
    try {
      png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      throw new ValueError(`decodeImage: cannot decode PNG ${name}: ${(e as Error).message}`);
    }
    // pngjs returns RGBA; palette images count as colour.
    return toTensor(png.data, png.width, png.height, 4, !png.color, png.alpha, opts);
  }
  if (isJpeg(bytes)) {
    let img: { width: number; height: number; data: Uint8Array };
    try {
      img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
    } catch (e) {
      throw new ValueError(`decodeImage: cannot decode JPEG ${name}: ${(e as Error).message}`);
    }
    return toTensor(img.data, img.width, img.height, 3, jpegComponents(bytes) === 1, false, opts);
  }
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new ValueError(`decodeImage: ${name} is neither PNG nor JPEG (first bytes ${head || "none"})`);
}

/**
 * Reads a PNG or JPEG file into a tensor `[h, w, c]` float32 in [0, 1] (see `decodeImage`).
 *
 * @example
 * const img = cl.io.readImage("notebooks/data/astronaut.png"); // [512,512,3]
 */
export function readImage(path: string, opts: DecodeImageOptions = {}): Tensor {
  pathArg("readImage", path);
  opts = optionsArg("readImage", opts);
  sweepStaleTemps(path);
  return decode("readImage", readFileBytes("readImage", path), opts, path);
}

function imageDimsForEncode(t: Tensor, op: string): void {
  tensorArg(op, "t", t);
  const s = t.shape;
  const c = s.length === 2 ? 1 : s.length === 3 ? s[2]! : s.length === 4 && s[0] === 1 ? s[3]! : -1;
  if (![1, 3, 4].includes(c)) throw new ShapeError(`${op}: expected an image [h,w], [h,w,c] or [1,h,w,c] with c = 1, 3 or 4, got ${fmtShape(s)}`);
}

/** PNG bytes of an image tensor `[h,w]` or `[h,w,1|3|4]` (also `[1,h,w,c]`), values in [0, 1] (clipped). */
export function encodePng(t: Tensor): Uint8Array {
  imageDimsForEncode(t, "encodePng");
  return encodeRawPng(tensorToImage(t, { mode: "image" }));
}

/** JPEG bytes of an image tensor (as `encodePng`; alpha is dropped), `quality` 1–100 (default 90). */
export function encodeJpeg(t: Tensor, opts: { quality?: number } = {}): Uint8Array {
  imageDimsForEncode(t, "encodeJpeg");
  opts = optionsArg("encodeJpeg", opts);
  const q = opts.quality ?? 90;
  if (!(numberArg("encodeJpeg", "opts.quality", q) >= 1 && q <= 100)) throw new ValueError(`encodeJpeg: quality must be in [1, 100], got ${q}`);
  const img = tensorToImage(t, { mode: "image" });
  const n = img.width * img.height;
  const rgba = new Uint8Array(n * 4);
  for (let p = 0; p < n; p++) {
    const s = p * img.channels;
    const gray = img.channels === 1;
    rgba[4 * p] = img.data[s]!;
    rgba[4 * p + 1] = img.data[gray ? s : s + 1]!;
    rgba[4 * p + 2] = img.data[gray ? s : s + 2]!;
    rgba[4 * p + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width: img.width, height: img.height, data: rgba }, q).data);
}

/** PNG or JPEG bytes of an image tensor. */
export function encodeImage(t: Tensor, opts: EncodeImageOptions = {}): Uint8Array {
  opts = optionsArg("encodeImage", opts);
  const format = optOneOfArg("encodeImage", "opts.format", opts.format, ["png", "jpeg"] as const) ?? "png";
  return format === "png" ? encodePng(t) : encodeJpeg(t, opts);
}

/**
 * Writes an image tensor `[h,w]` or `[h,w,1|3|4]` with values in [0, 1] (clipped) to a PNG or
 * JPEG file, chosen by the extension (.png, .jpg, .jpeg). The file is replaced atomically.
 *
 * @example
 * cl.io.writeImage("edges.png", cl.clip(edges, 0, 1));
 */
export function writeImage(path: string, t: Tensor, opts: { quality?: number } = {}): void {
  pathArg("writeImage", path);
  tensorArg("writeImage", "t", t);
  opts = optionsArg("writeImage", opts);
  const ext = extname(path).toLowerCase();
  let bytes: Uint8Array;
  if (ext === ".png") bytes = encodePng(t);
  else if (ext === ".jpg" || ext === ".jpeg") bytes = encodeJpeg(t, opts);
  else throw new ValueError(`writeImage: ${path}: unknown image extension "${ext}" (use .png, .jpg or .jpeg)`);
  writeAtomic("writeImage", path, bytes);
}
