/**
 * `cl.inspect.activations(model, x)`: per-layer statistics of the activations over a batch
 * (mean, std, fraction exactly zero, range, histogram), and for chosen units the input patches
 * that make them fire most ("what deep layers learn": top-k patches through each unit's
 * receptive field). The widget (`application/vnd.convlab.activations+json`) redraws in place
 * when shown again under one display id, e.g. after every epoch with `activationsCallback`.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape, fmtTuple } from "../util/errors.js";
import { registerCommHandler } from "../runtime/comms.js";
import { show, widgetBundle, type MimeBundle } from "./display.js";
import { activationsOf, type ActivationSource } from "./featuremaps.js";
import { ACTIVATIONS_MIME, checkedPayload, payloadArg, type ActivationLayerStats, type ActivationsPayload, type BoxCorners, type UnitPatch, type UnitPatches } from "./payloads.js";
import { arrayArg, describeValue, intArg, optBoolArg, optIntArg, optStringArg, optionsArg, stringArg, typeFail } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { Raster, exampleOf, imageRef, isPicture, paletteRgb } from "./raster.js";

/** A model whose layers form a chain, for receptive fields (`cl.nn.sequential` models are). */
export interface ChainModel extends ActivationSource {
  readonly layers: readonly { readonly name: string; readonly type: string; readonly config?: unknown }[];
  summary(): { rows: readonly { name: string; outputShape: readonly number[] }[] };
}

export interface UnitRequest {
  /** Layer name. */
  layer: string;
  /** Channels (units) to show (default: the 4 with the largest mean activation). */
  units?: readonly number[];
  /** Patches per unit (default 9, as in the course). */
  k?: number;
}

export interface ActivationsOptions {
  /** Layers to summarize (default all). */
  layers?: readonly string[];
  /** Histogram bins (default 30). */
  bins?: number;
  /** Training step the statistics belong to (shown by the widget). */
  step?: number;
  /** Units whose top-k input patches to include. */
  units?: readonly UnitRequest[];
  /**
   * Let the widget ask this kernel for other units' patches (keeps a reference to the model and
   * the batch; the last 16 are kept). Default true.
   */
  interactive?: boolean;
}

/** The activations widget's value. */
export class Activations {
  readonly payload: ActivationsPayload;

  constructor(payload: ActivationsPayload) {
    this.payload = payloadArg("Activations", "payload", ACTIVATIONS_MIME, payload);
  }

  toMimeBundle(): MimeBundle {
    return widgetBundle(ACTIVATIONS_MIME, this.payload, activationsPng(this.payload), this.toString());
  }

  /** A table: layer, shape, mean, std, fraction zero, range. */
  toString(): string {
    const p = this.payload;
    const f = (v: number | null): string => (v === null ? "–" : String(Number(v.toPrecision(4))));
    const rows = p.layers.map((l) => [l.name, fmtTuple(l.shape), f(l.mean), f(l.std), `${(100 * l.fractionZero).toFixed(1)}%`, `${f(l.min)} … ${f(l.max)}`]);
    const table = [["layer", "shape", "mean", "std", "zero", "range"], ...rows];
    const w = table[0]!.map((_, j) => Math.max(...table.map((r) => r[j]!.length)));
    const lines = table.map((r) => r.map((c, j) => c.padEnd(w[j]!)).join("  ").trimEnd());
    const units = (p.units ?? []).map((u) => `  ${u.layer} unit ${u.unit}: top ${u.patches.length} activations ${u.patches.map((q) => f(q.activation)).join(", ")}`);
    return [`Activations of '${p.model}'${p.step !== undefined ? ` at step ${p.step}` : ""}:`, ...lines, ...units].join("\n");
  }
}

/** Statistics and histogram (`bins` equal bins between the finite extremes) of one layer's output. */
export function layerStats(name: string, type: string, out: Tensor, bins = 30): ActivationLayerStats {
  stringArg("layerStats", "name", name);
  stringArg("layerStats", "type", type);
  tensorArg("layerStats", "out", out);
  if (typeof bins === "number" && !(Number.isInteger(bins) && bins >= 1)) throw new ValueError(`activations: bins must be a positive integer, got ${bins}`);
  intArg("layerStats", "bins", bins, { min: 1, max: 10_000 });
  const d = out.data;
  let n = 0, sum = 0, zero = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v === 0) zero++;
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const mean = n ? sum / n : null;
  let ss = 0;
  if (mean !== null) for (let i = 0; i < d.length; i++) if (Number.isFinite(d[i]!)) ss += (d[i]! - mean) ** 2;
  const counts = new Array<number>(bins).fill(0);
  let edges: number[];
  if (n === 0) edges = Array.from({ length: bins + 1 }, (_, i) => i / bins);
  else {
    const a = lo === hi ? lo - 0.5 : lo, b = lo === hi ? hi + 0.5 : hi;
    edges = Array.from({ length: bins + 1 }, (_, i) => a + ((b - a) * i) / bins);
    edges[bins] = b;
    const scale = bins / (b - a);
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (Number.isFinite(v)) counts[Math.min(bins - 1, Math.floor((v - a) * scale))]!++;
    }
  }
  return {
    name,
    type,
    shape: out.shape.slice(1),
    count: d.length,
    mean,
    std: n ? Math.sqrt(ss / n) : null,
    fractionZero: d.length ? zero / d.length : 0,
    min: n ? lo : null,
    max: n ? hi : null,
    histogram: { edges, counts },
  };
}

// ---------------------------------------------------------------------------------------------
// Receptive fields

type Pad = "valid" | "same" | number | readonly number[];

interface WindowConfig {
  size?: number | readonly number[];
  stride?: number | readonly number[];
  padding?: Pad;
  dilation?: number | readonly number[];
}

const WINDOW_LAYERS = new Set(["Conv2D", "DepthwiseConv2D", "MaxPool2D", "AvgPool2D"]);
const POOLS = new Set(["MaxPool2D", "AvgPool2D"]);

function axis(v: number | readonly number[] | undefined, a: number, dflt: number): number {
  if (v === undefined) return dflt;
  return typeof v === "number" ? v : (v[a] ?? dflt);
}

/** Where each output index of a window layer starts in its input, per axis: `o·s − before`, spanning `(f − 1)·d + 1`. */
function windowAxis(cfg: WindowConfig, pool: boolean, a: number, n: number, out: number): { s: number; before: number; span: number } {
  const f = axis(cfg.size, a, 1);
  const s = axis(cfg.stride, a, pool ? f : 1);
  const d = axis(cfg.dilation, a, 1);
  const span = (f - 1) * d + 1;
  const p = cfg.padding ?? "valid";
  let before = 0;
  if (p === "same") before = Math.floor(Math.max((out - 1) * s + span - n, 0) / 2);
  else if (typeof p === "number") before = p;
  else if (Array.isArray(p)) before = (p as readonly number[])[a] ?? 0;
  return { s, before, span };
}

/**
 * The input rectangle (pixels, inclusive corners, clipped to the input) that output position
 * `(i, j)` of `layer` sees, for a chain of Conv2D / DepthwiseConv2D / pooling layers and layers
 * that keep the spatial size (activations, batch-norm, dropout). Layers after a flatten see the
 * whole input.
 */
export function receptiveField(model: ChainModel, layer: string, i: number, j: number): BoxCorners {
  const rows = chainOf("receptiveField", model);
  stringArg("receptiveField", "layer", layer);
  intArg("receptiveField", "i", i, { min: 0 });
  intArg("receptiveField", "j", j, { min: 0 });
  const k = rows.findIndex((r) => r.name === layer);
  if (k < 1) throw new ValueError(`receptiveField: no layer named '${layer}' in model '${model.name}'`);
  const inShape = rows[0]!.outputShape;
  if (inShape.length !== 3) throw new ShapeError(`receptiveField: the model's input must be an image [nH,nW,nC], got ${fmtShape(inShape)}`);
  const byName = new Map(model.layers.flatMap((l) => (l !== null && typeof l === "object" ? [[l.name, l] as const] : [])));
  let r = [i, i], c = [j, j];
  for (let q = k; q >= 1; q--) {
    const out = rows[q]!.outputShape, prev = rows[q - 1]!.outputShape;
    const l = byName.get(rows[q]!.name);
    if (!l) throw new ValueError(`receptiveField: model '${model.name}' is not a chain of layers (row '${rows[q]!.name}')`);
    if (out.length !== 3) {
      // Flatten, dense, global pooling: every output sees all of its input.
      if (prev.length === 3) (r = [0, prev[0]! - 1]), (c = [0, prev[1]! - 1]);
      continue;
    }
    if (WINDOW_LAYERS.has(l.type)) {
      const cfg = (l.config ?? {}) as WindowConfig;
      const pool = POOLS.has(l.type);
      const h = windowAxis(cfg, pool, 0, prev[0]!, out[0]!), w = windowAxis(cfg, pool, 1, prev[1]!, out[1]!);
      r = [r[0]! * h.s - h.before, r[1]! * h.s - h.before + h.span - 1];
      c = [c[0]! * w.s - w.before, c[1]! * w.s - w.before + w.span - 1];
    } else if (prev.length !== 3 || prev[0] !== out[0] || prev[1] !== out[1]) {
      throw new ValueError(`receptiveField: cannot follow layer '${l.name}' (${l.type}) that changes the spatial size ${fmtShape(prev)} → ${fmtShape(out)}`);
    }
  }
  const H = inShape[0]!, W = inShape[1]!;
  return { x1: Math.max(0, c[0]!), y1: Math.max(0, r[0]!), x2: Math.min(W - 1, c[1]!), y2: Math.min(H - 1, r[1]!) };
}

/**
 * The `k` input patches that make unit `unit` (a channel) of `layer` fire most over the batch
 * `x`: each example's strongest position, the k strongest examples, each cropped to the
 * position's receptive field.
 */
export function topPatches(model: ChainModel, x: Tensor, layer: string, unit: number, k = 9): UnitPatches {
  modelArg("topPatches", model);
  tensorArg("topPatches", "x", x);
  stringArg("topPatches", "layer", layer);
  intArg("topPatches", "unit", unit);
  intArg("topPatches", "k", k, { min: 1 });
  const [act] = activationsOf("topPatches", model, x, [layer]);
  if (!act) throw new ValueError(`topPatches: no layer named '${layer}'`);
  return topPatchesFrom(model, x, layer, act.output, unit, k);
}

function topPatchesFrom(model: ChainModel, x: Tensor, layer: string, out: Tensor, unit: number, k: number): UnitPatches {
  const s = out.shape;
  const m = s[0]!, nC = s[s.length - 1]!;
  if (!Number.isInteger(unit) || unit < 0 || unit >= nC) throw new ValueError(`topPatches: layer '${layer}' has ${nC} units (channels), got unit ${unit}`);
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`topPatches: k must be a positive integer, got ${k}`);
  const [nH, nW] = s.length === 4 ? [s[1]!, s[2]!] : [1, 1];
  const per = out.size / m;
  const best: { e: number; v: number; i: number; j: number }[] = [];
  for (let e = 0; e < m; e++) {
    let v = -Infinity, bi = 0, bj = 0;
    for (let i = 0; i < nH; i++)
      for (let j = 0; j < nW; j++) {
        const a = out.data[e * per + (i * nW + j) * nC + unit]!;
        if (a > v) (v = a), (bi = i), (bj = j);
      }
    best.push({ e, v, i: bi, j: bj });
  }
  best.sort((a, b) => b.v - a.v || a.e - b.e);
  const patches: UnitPatch[] = best.slice(0, k).map(({ e, v, i, j }) => {
    const box = s.length === 4 ? receptiveField(model, layer, i, j) : wholeInput(x);
    const img = exampleOf(x, e, "topPatches");
    const crop = cropPicture(img, box);
    return { image: imageRef(crop, { upscale: Math.max(1, Math.floor(64 / Math.max(crop.shape[0]!, crop.shape[1]!))) }), activation: v, example: e, box };
  });
  return { layer, unit, patches };
}

function wholeInput(x: Tensor): BoxCorners {
  return { x1: 0, y1: 0, x2: x.shape[2]! - 1, y2: x.shape[1]! - 1 };
}

/** `img[y1..y2, x1..x2, :]` of a picture `[h,w,c]` (inclusive corners). */
function cropPicture(img: Tensor, b: BoxCorners): Tensor {
  if (!isPicture(img)) throw new ShapeError(`topPatches: the input examples must be pictures [nH,nW,1|3], got ${fmtShape(img.shape)}`);
  const [, W, C = 1] = img.shape as [number, number, number?];
  const h = b.y2 - b.y1 + 1, w = b.x2 - b.x1 + 1;
  const out = new Float32Array(h * w * C);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) for (let c = 0; c < C; c++) out[(i * w + j) * C + c] = img.data[((b.y1 + i) * W + b.x1 + j) * C + c]!;
  return new Tensor(out, [h, w, C]);
}

// ---------------------------------------------------------------------------------------------
// Sources for the widget's requests

const MAX_SOURCES = 16;
const sources = new Map<string, { model: ChainModel; x: Tensor }>();
let nextSource = 1;
let handlerInstalled = false;

function remember(model: ChainModel, x: Tensor): string {
  const id = `activations-${nextSource++}`;
  sources.set(id, { model, x });
  while (sources.size > MAX_SOURCES) sources.delete(sources.keys().next().value!);
  if (!handlerInstalled) {
    handlerInstalled = true;
    registerCommHandler("inspect.topPatches", (params) => {
      const q = (params ?? {}) as { source?: unknown; layer?: unknown; unit?: unknown; k?: unknown };
      const src = typeof q.source === "string" ? sources.get(q.source) : undefined;
      if (!src) throw new ValueError(`inspect.topPatches: the kernel no longer holds '${String(q.source)}' (re-run the cell that made it)`);
      if (typeof q.layer !== "string" || typeof q.unit !== "number") throw new ValueError("inspect.topPatches: expected { source, layer, unit, k? }");
      return topPatches(src.model, src.x, q.layer, q.unit, typeof q.k === "number" ? q.k : 9);
    });
  }
  return id;
}

/**
 * Activation statistics of `model`'s layers over the batch `x`, with top-k input patches for the
 * units in `opts.units`.
 *
 * @example
 * cl.inspect.activations(model, xTest.slice([0, 0, 0, 0], [256, 28, 28, 1]), { units: [{ layer: "CONV2" }] })
 */
export function activations(model: ChainModel, x: Tensor, opts: ActivationsOptions = {}): Activations {
  if (typeof model?.activations !== "function") throw new ValueError("activations: expected a model with activations(x)");
  if (!(x instanceof Tensor)) throw new ValueError(`activations: expected the batch x as a tensor, got ${typeof x}`);
  const fn = "activations";
  opts = optionsArg(fn, opts);
  const name = stringArg(fn, "model.name", model.name);
  if (opts.layers !== undefined) arrayArg(fn, "opts.layers", opts.layers).forEach((l, i) => stringArg(fn, `opts.layers[${i}]`, l));
  const step = optIntArg(fn, "opts.step", opts.step, { min: 0 });
  const interactive = optBoolArg(fn, "opts.interactive", opts.interactive) ?? true;
  const requests = opts.units === undefined ? [] : arrayArg(fn, "opts.units", opts.units).map((u, i) => unitRequest(fn, `opts.units[${i}]`, u as UnitRequest));
  const outs = activationsOf(fn, model, x, opts.layers);
  const payload: ActivationsPayload = { version: 1, model: name, layers: outs.map((o) => layerStats(o.name, o.type, o.output, opts.bins ?? 30)) };
  if (step !== undefined) payload.step = step;
  if (requests.length) {
    payload.units = [];
    for (const u of requests) {
      const out = outs.find((o) => o.name === u.layer)?.output ?? activationsOf(fn, model, x, [u.layer])[0]?.output;
      if (!out) throw new ValueError(`activations: model '${name}' has no layer named '${u.layer}' (opts.units)`);
      const nC = out.shape[out.rank - 1]!;
      const units = u.units ?? strongestUnits(out, Math.min(4, nC));
      for (const unit of units) payload.units.push(topPatchesFrom(model, x, u.layer, out, unit, u.k ?? 9));
    }
  }
  if (interactive) {
    const rows = typeof model.summary === "function" ? model.summary().rows : undefined;
    if (Array.isArray(rows) && rows[0]?.outputShape?.length === 3) payload.source = remember(model, x);
  }
  return new Activations(checkedPayload(fn, ACTIVATIONS_MIME, payload));
}

/** A checked `{ layer, units?, k? }`. */
function unitRequest(fn: string, name: string, u: UnitRequest): UnitRequest {
  optionsArg(fn, u, name);
  const r: UnitRequest = { layer: stringArg(fn, `${name}.layer`, u.layer) };
  if (u.units !== undefined) r.units = arrayArg(fn, `${name}.units`, u.units).map((v, i) => intArg(fn, `${name}.units[${i}]`, v, { min: 0 }));
  const k = optIntArg(fn, `${name}.k`, u.k, { min: 1 });
  if (k !== undefined) r.k = k;
  return r;
}

/** Checks what the builders need of a model: a name and `activations(x)`. */
function modelArg(fn: string, model: ActivationSource): void {
  if (typeof model !== "object" || model === null || typeof model.activations !== "function") typeFail(fn, "model", "a model (with activations(x))", model);
  stringArg(fn, "model.name", model.name);
}

/** The summary rows of a chain model, checked (`{ name, outputShape }` each, the input first). */
function chainOf(fn: string, model: ChainModel): { name: string; outputShape: readonly number[] }[] {
  modelArg(fn, model);
  if (typeof model.summary !== "function" || !Array.isArray(model.layers)) typeFail(fn, "model", "a chain of layers (with layers and summary())", model);
  const rows: unknown = model.summary()?.rows;
  if (!Array.isArray(rows) || !rows.every((r: { name?: unknown; outputShape?: unknown } | null) => typeof r?.name === "string" && Array.isArray(r.outputShape)))
    typeFail(fn, "model.summary().rows", "a list of { name, outputShape }", rows);
  return rows as { name: string; outputShape: readonly number[] }[];
}

/** The `n` channels with the largest mean activation. */
function strongestUnits(out: Tensor, n: number): number[] {
  const nC = out.shape[out.rank - 1]!;
  const sums = new Float64Array(nC);
  for (let i = 0; i < out.size; i++) sums[i % nC]! += out.data[i]!;
  return Array.from(sums.keys()).sort((a, b) => sums[b]! - sums[a]! || a - b).slice(0, n);
}

/**
 * Fit callbacks that redraw the activations widget (one display) after every epoch, or every
 * `every` batches: `model.fit(data, { ..., callbacks: cl.inspect.activationsCallback(model, xVal) })`.
 */
export function activationsCallback(model: ChainModel, x: Tensor, opts: ActivationsOptions & { every?: "epoch" | number; id?: string } = {}): {
  onBatchEnd?: (log: { step: number }) => void;
  onEpochEnd?: (log: { epoch: number }) => void;
} {
  opts = optionsArg("activationsCallback", opts);
  const id = optStringArg("activationsCallback", "opts.id", opts.id) ?? `convlab-activations-${nextSource++}`;
  const every = opts.every ?? "epoch";
  if (every !== "epoch" && !(typeof every === "number" && Number.isInteger(every) && every > 0))
    throw new ValueError(`activationsCallback: every must be "epoch" or a positive integer, got ${typeof every === "number" ? every : describeValue(every)}`);
  const draw = (step: number): void => show(activations(model, x, { ...opts, step, interactive: false }), { id });
  draw(0);
  if (every === "epoch") return { onEpochEnd: (log) => draw(log.epoch + 1) };
  return { onBatchEnd: (log) => (log.step % every === 0 ? draw(log.step) : undefined) };
}

/** The fallback picture: one histogram per layer, stacked, bars in the palette's first colour. */
export function activationsPng(p: ActivationsPayload): { base64: string; width: number; height: number } {
  payloadArg("activationsPng", "p", ACTIVATIONS_MIME, p);
  const W = 320, H = 48, GAP = 8;
  const r = new Raster(W, p.layers.length * (H + GAP) - GAP || 1);
  p.layers.forEach((l, k) => {
    const y0 = k * (H + GAP);
    const counts = l.histogram.counts;
    const top = Math.max(1, ...counts);
    const bw = W / counts.length;
    r.fillRect(0, y0 + H - 1, W, 1, [180, 180, 180]);
    counts.forEach((c, i) => {
      const h = Math.round(((H - 2) * c) / top);
      r.fillRect(i * bw, y0 + H - 1 - h, Math.max(1, bw - 1), h, paletteRgb(k));
    });
  });
  return { base64: r.toPngBase64(), width: r.width, height: r.height };
}
