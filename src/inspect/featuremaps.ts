/**
 * `cl.inspect.featureMaps(model, x, { layers })`: what each channel of a layer responds to, for
 * one input. The output is the `application/vnd.convlab.featuremaps+json` widget (grid of
 * channel heatmaps, shared or per-map colour scale, hover values, click to enlarge, a layer
 * selector) with an `image/png` grid and a `text/plain` summary as fallbacks.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape, fmtTuple } from "../util/errors.js";
import { heatmapRgb, type Colormap } from "./colormap.js";
import { widgetBundle, type MimeBundle } from "./display.js";
import { FEATUREMAPS_MIME, checkedPayload, packArray, payloadArg, unpackArray, type FeatureMapsLayer, type FeatureMapsPayload } from "./payloads.js";
import { arrayArg, optIntArg, optOneOfArg, optStringArg, optionsArg, stringArg, typeFail } from "../util/check.js";
import { Raster, TEXT_HEIGHT, exampleOf, imageRef, isPicture, textWidth } from "./raster.js";

/** What `featureMaps` needs of a model: its name and each layer's output (`cl.nn` models have both). */
export interface ActivationSource {
  readonly name: string;
  activations(x: Tensor, opts?: { layers?: readonly string[] }): { name: string; type: string; output: Tensor }[];
}

export interface FeatureMapsOptions {
  /** Layers to show, by name (default: every layer with a spatial output `[m,nH,nW,nC]`). */
  layers?: readonly string[];
  /** Which example of the batch (default 0). */
  example?: number;
  /** Initial colour scale in the widget: "per-map" (default) or "shared" across a layer's maps. */
  scale?: "shared" | "per-map";
  colormap?: Colormap;
  /**
   * How values travel: "float32" (exact hover values) or "uint8" (4× smaller, 255 levels per
   * map). Default: float32 up to 2^20 values in all, uint8 beyond.
   */
  precision?: "float32" | "uint8";
}

/**
 * `model.activations(x, { layers })`, checked to be a list of `{ name, type, output }` with a
 * tensor output (what the builders need of a model; `fn` is named in errors).
 */
export function activationsOf(fn: string, model: ActivationSource, x: Tensor, layers?: readonly string[]): { name: string; type: string; output: Tensor }[] {
  const all: unknown = model.activations(x, layers ? { layers } : {});
  if (!Array.isArray(all) || !all.every((l: { name?: unknown; type?: unknown; output?: unknown } | null) => typeof l?.name === "string" && typeof l.type === "string" && l.output instanceof Tensor && l.output.rank >= 1))
    typeFail(fn, "model.activations(x)", "a list of { name, type, output: Tensor [m,...] }", all);
  return all as { name: string; type: string; output: Tensor }[];
}

/** Values per payload above which maps are sent as uint8 by default. */
const FLOAT32_LIMIT = 1 << 20;

/** The feature-maps widget's value: shown richly by the kernel (`toMimeBundle`). */
export class FeatureMaps {
  readonly payload: FeatureMapsPayload;

  constructor(payload: FeatureMapsPayload) {
    this.payload = payloadArg("FeatureMaps", "payload", FEATUREMAPS_MIME, payload);
  }

  toMimeBundle(): MimeBundle {
    return widgetBundle(FEATUREMAPS_MIME, this.payload, featureMapsPng(this.payload), this.toString());
  }

  /** One line per layer: name, type, `(nH,nW,nC)` and value range. */
  toString(): string {
    const p = this.payload;
    const lines = p.layers.map((l) => {
      const lo = Math.min(...l.min.map((v) => v ?? Infinity)), hi = Math.max(...l.max.map((v) => v ?? -Infinity));
      return `  ${l.name}  ${l.type}  ${fmtTuple(l.shape)}  min ${fmtNum(lo)}  max ${fmtNum(hi)}`;
    });
    return [`Feature maps of '${p.model}', example ${p.example}:`, ...lines].join("\n");
  }
}

function fmtNum(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : "–";
}

/** `[nH, nW, nC]` of one example's output (rank 4 as is, `[m,n,c]` → `[1,n,c]`, `[m,n]` → `[1,n,1]`), or undefined. */
function mapShape(out: Tensor): [number, number, number] | undefined {
  const s = out.shape;
  if (s.length === 4) return [s[1]!, s[2]!, s[3]!];
  if (s.length === 3) return [1, s[1]!, s[2]!];
  if (s.length === 2) return [1, s[1]!, 1];
  return undefined;
}

/** One layer's maps for example `e`: NHWC → CHW, per-channel finite min and max. */
function layerMaps(name: string, type: string, out: Tensor, e: number, precision: "float32" | "uint8"): FeatureMapsLayer {
  const shape = mapShape(out);
  if (!shape) throw new ShapeError(`featureMaps: layer '${name}' has output ${fmtShape(out.shape)}; only [m,nH,nW,nC], [m,n,nC] and [m,n] outputs can be drawn as maps`);
  const [nH, nW, nC] = shape;
  const hw = nH * nW;
  const src = out.data;
  const base = e * hw * nC;
  const chw = new Float32Array(hw * nC);
  const min: (number | null)[] = new Array<number | null>(nC).fill(null);
  const max: (number | null)[] = new Array<number | null>(nC).fill(null);
  for (let p = 0; p < hw; p++)
    for (let c = 0; c < nC; c++) {
      const v = src[base + p * nC + c]!;
      chw[c * hw + p] = v;
      if (Number.isFinite(v)) {
        if (min[c] === null || v < min[c]!) min[c] = v;
        if (max[c] === null || v > max[c]!) max[c] = v;
      }
    }
  return { name, type, shape, maps: packArray(chw, { dtype: precision, sliceSize: hw }), min, max };
}

/**
 * The feature maps of `model`'s layers for example `opts.example` of the batch `x`, or of one
 * activation tensor `[m,nH,nW,nC]` (e.g. the output of `cl.conv2d`).
 *
 * @example
 * cl.inspect.featureMaps(model, x, { layers: ["CONV1", "POOL1"] })   // widget in the notebook
 * cl.inspect.featureMaps(cl.conv2d(img, cl.filters.vertical))          // one op's output
 */
export function featureMaps(model: ActivationSource, x: Tensor, opts?: FeatureMapsOptions): FeatureMaps;
export function featureMaps(activation: Tensor, opts?: FeatureMapsOptions & { name?: string }): FeatureMaps;
export function featureMaps(a: ActivationSource | Tensor, b?: Tensor | (FeatureMapsOptions & { name?: string }), c?: FeatureMapsOptions): FeatureMaps {
  let outs: { name: string; type: string; output: Tensor }[];
  let opts: FeatureMapsOptions;
  let modelName: string;
  let input: Tensor | undefined;
  if (a instanceof Tensor) {
    const o = optionsArg("featureMaps", b as FeatureMapsOptions & { name?: string });
    opts = o;
    modelName = optStringArg("featureMaps", "opts.name", o.name) ?? "tensor";
    if (a.rank === 3) a = new Tensor(a.data, [1, ...a.shape]);
    if (a.rank !== 4) throw new ShapeError(`featureMaps: expected an activation [m,nH,nW,nC] (or [nH,nW,nC]), got ${fmtShape(a.shape)}`);
    outs = [{ name: modelName, type: "Tensor", output: a }];
  } else {
    if (typeof a?.activations !== "function") throw new ValueError("featureMaps: expected a model (with activations(x)) and a batch x, or one activation tensor");
    if (!(b instanceof Tensor)) throw new ValueError(`featureMaps: expected the input batch x as a tensor, got ${typeof b}`);
    opts = optionsArg("featureMaps", c);
    modelName = stringArg("featureMaps", "model.name", a.name);
    if (opts.layers !== undefined) arrayArg("featureMaps", "opts.layers", opts.layers).forEach((n, i) => stringArg("featureMaps", `opts.layers[${i}]`, n));
    input = b;
    const all = activationsOf("featureMaps", a, b, opts.layers);
    outs = opts.layers ? all : all.filter((l) => l.output.rank === 4);
    if (outs.length === 0) throw new ValueError(`featureMaps: model '${modelName}' has no layer with a spatial output [m,nH,nW,nC]; name the layers to show with { layers }`);
  }
  const example = optIntArg("featureMaps", "opts.example", opts.example) ?? 0;
  optOneOfArg("featureMaps", "opts.colormap", opts.colormap, ["viridis", "gray", "diverging"] as const);
  optOneOfArg("featureMaps", "opts.precision", opts.precision, ["float32", "uint8"] as const);
  const m = outs[0]!.output.shape[0]!;
  if (!Number.isInteger(example) || example < 0 || example >= m) throw new ValueError(`featureMaps: example ${example} is not in the batch of ${m}`);
  optOneOfArg("featureMaps", "opts.scale", opts.scale, ["shared", "per-map"] as const);
  const total = outs.reduce((n, l) => n + l.output.size / m, 0);
  const precision = opts.precision ?? (total <= FLOAT32_LIMIT ? "float32" : "uint8");
  const payload: FeatureMapsPayload = {
    version: 1,
    model: modelName,
    example,
    layers: outs.map((l) => layerMaps(l.name, l.type, l.output, example, precision)),
  };
  if (opts.scale) payload.scale = opts.scale;
  if (opts.colormap) payload.colormap = opts.colormap;
  if (input) {
    const ex = exampleOf(input, example, "featureMaps");
    if (isPicture(ex)) payload.input = imageRef(ex, { upscale: Math.max(1, Math.floor(96 / Math.max(ex.shape[0]!, ex.shape[1]!))) });
  }
  return new FeatureMaps(checkedPayload("featureMaps", FEATUREMAPS_MIME, payload));
}

/** Largest number of maps per layer in the PNG fallback. */
const PNG_MAPS = 64;

/**
 * The fallback picture (what GitHub, VS Code and nbconvert show): each layer's maps (up to 64) in
 * a grid under a heading with the layer's name, type and shape, layers one under another.
 */
export function featureMapsPng(p: FeatureMapsPayload): { base64: string; width: number; height: number } {
  payloadArg("featureMapsPng", "p", FEATUREMAPS_MIME, p);
  const GAP = 2, LAYER_GAP = 10, MAX_W = 1024, HEAD = TEXT_HEIGHT + 3;
  const blocks = p.layers.map((l) => {
    const [nH, nW, nC] = l.shape;
    const k = Math.max(1, Math.min(Math.ceil(32 / Math.max(nH, nW)), Math.floor(MAX_W / nW)));
    const tw = nW * k, th = nH * k;
    const n = Math.min(nC, PNG_MAPS);
    const cols = Math.max(1, Math.min(n, Math.ceil(Math.sqrt(n)), Math.floor((MAX_W + GAP) / (tw + GAP))));
    const rows = Math.ceil(n / cols);
    const title = `${l.name} (${l.type}) ${nH}x${nW}x${nC}${n < nC ? `, first ${n} maps` : ""}`;
    return { l, k, tw, th, n, cols, rows, title, w: Math.max(cols * (tw + GAP) - GAP, textWidth(title)), h: HEAD + rows * (th + GAP) - GAP };
  });
  const width = Math.max(...blocks.map((b) => b.w));
  const height = blocks.reduce((s, b) => s + b.h, 0) + LAYER_GAP * (blocks.length - 1);
  const r = new Raster(width, height);
  let y0 = 0;
  for (const b of blocks) {
    const [nH, nW] = b.l.shape;
    const hw = nH * nW;
    r.text(0, y0, b.title, [60, 60, 60]);
    const values = unpackArray(b.l.maps, hw * b.l.shape[2], hw);
    for (let c = 0; c < b.n; c++) {
      const map = values.subarray(c * hw, (c + 1) * hw);
      const rgb = heatmapRgb(map, { colormap: p.colormap ?? "viridis", min: b.l.min[c] ?? 0, max: b.l.max[c] ?? 0 });
      const x = (c % b.cols) * (b.tw + GAP), y = y0 + HEAD + Math.floor(c / b.cols) * (b.th + GAP);
      r.paste({ width: nW, height: nH, channels: 3, data: rgb }, x, y, b.tw, b.th);
    }
    y0 += b.h + LAYER_GAP;
  }
  return { base64: r.toPngBase64(), width: r.width, height: r.height };
}
