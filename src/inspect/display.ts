/**
 * Rich display of values: the MIME bundles the kernel sends for a cell's last expression and
 * for `cl.show(value)`. Any object with a `toMimeBundle()` method is displayed with its whole
 * bundle; tensors get their NumPy-like text plus an `image/png` heatmap when they are 2-D maps
 * or images. Pure TypeScript (no Node built-ins): the kernel adds the generic `text/plain` of
 * other values itself.
 */
import { Tensor } from "../tensor/tensor.js";
import { currentRuntime, type DisplayOptions } from "../runtime/index.js";
import { tensorToPng } from "./colormap.js";
import { toBase64 } from "./png.js";
import { ArgumentTypeError, fmtShape } from "../util/errors.js";
import { optionsArg, optStringArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";

/** `{ data: { [mime]: value }, metadata? }` as in Jupyter's display_data / execute_result. */
export interface MimeBundle {
  /** MIME type → representation: strings (text, base64 for images) or JSON values (`application/*+json`). */
  data: Record<string, unknown>;
  /** Optional per-MIME metadata (e.g. `{ "image/png": { width: 280 } }`). */
  metadata?: Record<string, unknown>;
}

/** A PNG as the builders make it: base64 of the file and its size. */
export interface Png {
  base64: string;
  width: number;
  height: number;
}

/**
 * The bundle of a widget output: its payload under `mime`, a PNG and text as fallbacks. The PNG's
 * metadata carries alt text (nbconvert's HTML and screen readers use it): the text's first line.
 */
export function widgetBundle(mime: string, payload: unknown, png: Png, text: string): MimeBundle {
  return {
    data: { [mime]: payload, "image/png": png.base64, "text/plain": text },
    metadata: { "image/png": { width: png.width, height: png.height, alt: altText(text) } },
  };
}

/** Alt text for a fallback picture: the first line of its text form, at most 200 characters. */
export function altText(text: string): string {
  const first = (text.split("\n").find((l) => l.trim() !== "") ?? "").trim().replace(/:$/, "");
  return first.length > 200 ? `${first.slice(0, 199)}…` : first;
}

/** A value that knows how to display itself. */
export interface Displayable {
  toMimeBundle(): MimeBundle;
}

/** Whether `value` has a `toMimeBundle()` method. */
export function isDisplayable(value: unknown): value is Displayable {
  return typeof value === "object" && value !== null && typeof (value as { toMimeBundle?: unknown }).toMimeBundle === "function";
}

/** Largest map drawn as a PNG (values); bigger tensors show as text only. */
const MAX_PNG_VALUES = 4096 * 4096;

/**
 * `[h, w]` of a tensor drawn as a picture: 2-D maps `[h,w]` and images `[h,w,1|3|4]` /
 * `[1,h,w,1|3|4]` with h, w ≥ 2; undefined for any other shape.
 */
function pictureSize(t: Tensor): [number, number] | undefined {
  const s = t.shape;
  let h: number, w: number, c = 1;
  if (s.length === 2) [h, w] = s as [number, number];
  else if (s.length === 3) [h, w, c] = s as [number, number, number];
  else if (s.length === 4 && s[0] === 1) [, h, w, c] = s as [number, number, number, number];
  else return undefined;
  if (h < 2 || w < 2 || (c !== 1 && c !== 3 && c !== 4) || h * w * c > MAX_PNG_VALUES) return undefined;
  return [h, w];
}

/**
 * A tensor's bundle: `text/plain` (the NumPy-like print) and, for a 2-D map `[h,w]` or an image
 * `[h,w,c]`/`[1,h,w,c]` (c = 1, 3, 4), an `image/png` (heatmap of the map, or the image; small
 * ones magnified to about 256 px).
 */
export function tensorMimeBundle(t: Tensor): MimeBundle {
  tensorArg("tensorMimeBundle", "t", t);
  const data: Record<string, unknown> = { "text/plain": t.toString() };
  const metadata: Record<string, unknown> = {};
  const size = pictureSize(t);
  if (size) {
    const png = tensorToPng(t, { upscale: "auto" });
    data["image/png"] = toBase64(png);
    // The PNG's own width and height (bytes 16–23 of the IHDR chunk).
    const width = ((png[16]! << 24) | (png[17]! << 16) | (png[18]! << 8) | png[19]!) >>> 0;
    const height = ((png[20]! << 24) | (png[21]! << 16) | (png[22]! << 8) | png[23]!) >>> 0;
    const [h, w] = size;
    const kind = t.rank === 2 ? `heatmap of a ${h}×${w} map` : `${h}×${w} image`;
    metadata["image/png"] = { width, height, alt: `${kind} (${t.dtype} tensor of shape ${fmtShape(t.shape)})` };
  }
  return { data, metadata };
}

/**
 * The MIME bundle that shows `value`: its own `toMimeBundle()`, or a tensor's text + PNG;
 * undefined for values without a rich form (the kernel prints those as text).
 *
 * @example
 * toMimeBundle(cl.randn([6, 6])).data   // { "text/plain": "tensor([[...]])", "image/png": "iVBORw0..." }
 */
export function toMimeBundle(value: unknown): MimeBundle | undefined {
  if (isDisplayable(value)) {
    const b = value.toMimeBundle();
    if (typeof b !== "object" || b === null || typeof b.data !== "object" || b.data === null)
      throw new ArgumentTypeError(`toMimeBundle: ${describe(value)}.toMimeBundle() must return { data: { [mime]: value }, metadata? }, got ${describe(b)}`);
    return b;
  }
  if (value instanceof Tensor) return tensorMimeBundle(value);
  return undefined;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v !== "object") return typeof v;
  return (v as object).constructor?.name ?? "object";
}

/**
 * Displays `value` in the running cell's output: anything with `toMimeBundle()` (model
 * summaries, feature maps, ...), tensors (text + heatmap PNG) and any other value as text.
 * With `{ id }` a later `show` with the same id replaces the output in place. Outside a kernel
 * it prints the value's text to the console.
 *
 * @example
 * cl.show(cl.filters.sobel);                       // text + 3×3 heatmap
 * for (const step of steps) cl.show(img, { id: "progress" });   // one output, redrawn
 */
export function show(value: unknown, opts: DisplayOptions = {}): void {
  opts = optionsArg("show", opts);
  optStringArg("show", "opts.id", opts.id);
  const display = currentRuntime().display;
  if (display) {
    display(value, opts);
    return;
  }
  const text = toMimeBundle(value)?.data["text/plain"];
  console.log(typeof text === "string" ? text : value);
}
