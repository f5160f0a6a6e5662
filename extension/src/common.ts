// Shared pieces of the convlab renderers: the widget base class (validate, then draw or show an
// error box), DOM helpers that only ever set text (never HTML), number formatting and colours.
import { Widget } from "@lumino/widgets";
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { inspect } from "convlab/browser";

type ParseResult<T> = inspect.ParseResult<T>;

const SVG_NS = "http://www.w3.org/2000/svg";

/** `document.createElement(tag)` with a class list and text (set through `textContent`). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string, parent?: HTMLElement): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

/** An SVG element with attributes (values are set as attributes, never parsed as markup). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, parent?: Element): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

/** A `data:` URL for a validated base64 PNG (the validators allow only the base64 alphabet). */
export function pngUrl(base64: string): string {
  return `data:image/png;base64,${base64}`;
}

/** An `<img>` of a payload picture. */
export function imageEl(img: inspect.ImageRef, cls: string, alt: string): HTMLImageElement {
  const e = el("img", cls);
  e.src = pngUrl(img.png);
  e.alt = alt;
  e.width = img.width;
  e.height = img.height;
  return e;
}

/** A labelled control row: `<label>text <input/select></label>`. */
export function labelled(text: string, control: HTMLElement, cls = "convlab-control"): HTMLLabelElement {
  const l = el("label", cls, text);
  l.appendChild(control);
  return l;
}

/** A `<select>` with the given options. */
export function select(cls: string, options: readonly (readonly [string, string])[], value?: string): HTMLSelectElement {
  const s = el("select", cls);
  for (const [v, text] of options) {
    const o = el("option", undefined, text, s);
    o.value = v;
  }
  if (value !== undefined) s.value = value;
  return s;
}

/** An `<input type=range>`. */
export function slider(cls: string, min: number, max: number, step: number, value: number): HTMLInputElement {
  const s = el("input", cls);
  s.type = "range";
  s.min = String(min);
  s.max = String(max);
  s.step = String(step);
  s.value = String(value);
  return s;
}

/** Numbers as the widgets print them: 4 significant digits, exponent for very small/large; "–" for null/NaN. */
export function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(digits - 1);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  return Number(v.toPrecision(digits)).toString();
}

/** An integer with thousands separators. */
export function fmtInt(v: number): string {
  return v.toLocaleString("en-US");
}

/** `(28,28,8)`, the summary's shape notation (the core's, so text and widgets agree). */
export const fmtShape = inspect.fmtTuple;

/** Colour `i` (cycling) of the palette the kernel's PNG fallbacks use too (`inspect.PALETTE`). */
export function colorOf(i: number): string {
  const n = inspect.PALETTE.length;
  return inspect.PALETTE[((i % n) + n) % n]!;
}

/** Whether the browser draws on canvases (jsdom without the canvas package does not). */
export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D | null {
  try {
    return canvas.getContext("2d");
  } catch {
    return null;
  }
}

/**
 * Base of every convlab renderer: validates the payload of its MIME type, then draws it, or
 * shows an error box with the reason. Rendering again (an `update_display_data`) keeps the
 * widget's UI state (selected layer, slider positions) where the subclass keeps it in fields.
 */
export abstract class ConvlabWidget<P> extends Widget implements IRenderMime.IRenderer {
  protected readonly mimeType: string;
  private readonly parse: (v: unknown) => ParseResult<P>;
  /** The last payload drawn. */
  protected payload: P | null = null;

  constructor(options: IRenderMime.IRendererOptions, cls: string, parse: (v: unknown) => ParseResult<P>) {
    super();
    this.mimeType = options.mimeType;
    this.parse = parse;
    this.addClass("convlab-Widget");
    this.addClass(cls);
  }

  /** Draws `model.data[mimeType]`; never throws (errors become an error box). */
  renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.renderData(model.data[this.mimeType]);
    return Promise.resolve();
  }

  /** Validates and draws a payload (also used directly by tests). */
  renderData(data: unknown): void {
    const r = this.parse(data);
    if (!r.ok) {
      this.showError(r.error);
      return;
    }
    try {
      this.node.classList.remove("convlab-hasError");
      const first = this.payload === null;
      this.payload = r.value;
      this.draw(r.value, first);
    } catch (e) {
      this.showError(`cannot draw this output: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Draws a valid payload; `first` is true for the first one this widget gets. */
  protected abstract draw(payload: P, first: boolean): void;

  /** Replaces the content with an error box (text only). */
  protected showError(message: string): void {
    this.payload = null;
    this.node.replaceChildren();
    this.node.classList.add("convlab-hasError");
    const box = el("div", "convlab-error", undefined, this.node);
    el("strong", undefined, "convlab: ", box);
    box.appendChild(document.createTextNode(message));
  }
}
