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
import { Raster, TEXT_HEIGHT, exampleOf, imageRef, isPicture, paletteRgb, textWidth, type Rgb } from "./raster.js";
import { receptiveField, receptiveFieldOf, type ReceptiveModel } from "./receptive.js";

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
   * Let a click on a unit in the widget ask this kernel for its top-k patches (keeps a reference
   * to the model and the dataset; the last 16 displays are kept). Default true.
   */
  interactive?: boolean;
  /**
   * Where a clicked unit's patches are searched: a batch or batches (tensors or `{ x }` records,
   * e.g. a `cl.data` pipeline, iterated again on every click). Default: the batch `x`.
   */
  dataset?: PatchSource;
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
  const stats: ActivationLayerStats = {
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
  if (out.rank === 4) stats.unitMeans = channelMeans(out);
  return stats;
}

/** The mean of each channel (last axis) over the finite values of `out`; `null` where none is finite. */
function channelMeans(out: Tensor): (number | null)[] {
  const nC = out.shape[out.rank - 1]!, d = out.data;
  const sums = new Float64Array(nC), ns = new Float64Array(nC);
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (Number.isFinite(v)) (sums[i % nC]! += v), (ns[i % nC]! += 1);
  }
  return Array.from(sums, (s, c) => (ns[c]! ? s / ns[c]! : null));
}

/** A batch of input pictures, or batches of them (`Tensor`s or `{ x }` records), for `topPatches`. */
export type PatchSource = Tensor | Iterable<Tensor | { x: Tensor }>;

export interface TopPatchesOptions {
  /** Patches to return (default 9, as in the course). */
  k?: number;
}

/**
 * The `k` input patches that make unit `unit` (a channel) of `layer` fire most: each example's
 * strongest position, the k strongest examples (ties: the earlier example), each cropped to that
 * position's receptive field (`receptiveField`, graph models included). Two forms:
 *
 *   cl.inspect.topPatches(model, "conv3", 5, dataset, { k: 9 })   // a batch, or batches of { x } / tensors
 *   cl.inspect.topPatches(model, x, "conv3", 5, 9)                 // one batch x
 *
 * `example` counts examples across the batches in order.
 */
export function topPatches(model: ChainModel, layer: string, unit: number, data: PatchSource, opts?: TopPatchesOptions): UnitPatches;
export function topPatches(model: ChainModel, x: Tensor, layer: string, unit: number, k?: number): UnitPatches;
export function topPatches(model: ChainModel, a: Tensor | string, b: string | number, c: number | PatchSource, d?: number | TopPatchesOptions): UnitPatches {
  const fn = "topPatches";
  modelArg(fn, model);
  if (typeof a !== "string") {
    tensorArg(fn, "x", a);
    const layer = stringArg(fn, "layer", b);
    const unit = intArg(fn, "unit", c, { min: 0 });
    const k = d === undefined ? 9 : intArg(fn, "k", d, { min: 1 });
    const [act] = activationsOf(fn, model, a, [layer]);
    if (!act) throw new ValueError(`topPatches: no layer named '${layer}'`);
    return topPatchesFrom(model, a, layer, act.output, unit, k);
  }
  const layer = a;
  const unit = intArg(fn, "unit", b, { min: 0 });
  const o = optionsArg<TopPatchesOptions>(fn, d as TopPatchesOptions | undefined);
  const k = optIntArg(fn, "opts.k", o.k, { min: 1 }) ?? 9;
  return searchPatches(fn, model, layer, unit, batchesOf(fn, c), k, false);
}

/** The batches of a `PatchSource` (an iterable is iterated again on every call). */
function batchesOf(fn: string, c: unknown): Tensor[] {
  const batches: Tensor[] = [];
  if (c instanceof Tensor) batches.push(c);
  else if (c !== null && typeof c === "object" && typeof (c as Iterable<unknown>)[Symbol.iterator] === "function") {
    let n = 0;
    for (const item of c as Iterable<unknown>) {
      const t = item instanceof Tensor ? item : (item as { x?: unknown } | null)?.x;
      if (!(t instanceof Tensor)) typeFail(fn, `data[${n}]`, "a batch tensor [m,nH,nW,nC] or a { x } batch", item);
      batches.push(t);
      n++;
    }
  } else typeFail(fn, "data", "a batch tensor or an iterable of batches (tensors or { x } records)", c);
  if (batches.length === 0) throw new ValueError(`${fn}: data holds no batches`);
  return batches;
}

/**
 * The k strongest examples for `unit` over `batches`, each cropped to its position's receptive
 * field (with the whole example as `context` when asked), and the number of examples searched.
 */
function searchPatches(fn: string, model: ChainModel, layer: string, unit: number, batches: readonly Tensor[], k: number, context: boolean): UnitPatches & { examples: number } {
  let best: (Best & { x: Tensor; out: Tensor; base: number })[] = [];
  let base = 0;
  for (const x of batches) {
    const [act] = activationsOf(fn, model, x, [layer]);
    if (!act) throw new ValueError(`${fn}: no layer named '${layer}'`);
    for (const q of bestPerExample(act.output, layer, unit)) {
      if (best.length >= k && !(q.v > best[best.length - 1]!.v)) continue;
      best.push({ ...q, x, out: act.output, base });
      best.sort((u, v) => v.v - u.v || u.e + u.base - (v.e + v.base));
      if (best.length > k) best = best.slice(0, k);
    }
    base += act.output.shape[0]!;
  }
  return { layer, unit, patches: best.map((q) => patchOf(model, q.x, layer, q.out, q, q.base, context)), examples: base };
}

interface Best {
  e: number;
  v: number;
  i: number;
  j: number;
}

/** Each example's strongest position for `unit` (ties: the first in row-major order). */
function bestPerExample(out: Tensor, layer: string, unit: number): Best[] {
  const s = out.shape;
  const m = s[0]!, nC = s[s.length - 1]!;
  if (!Number.isInteger(unit) || unit < 0 || unit >= nC) throw new ValueError(`topPatches: layer '${layer}' has ${nC} units (channels), got unit ${unit}`);
  const [nH, nW] = s.length === 4 ? [s[1]!, s[2]!] : [1, 1];
  const per = out.size / m;
  const best: Best[] = [];
  for (let e = 0; e < m; e++) {
    let v = -Infinity, bi = 0, bj = 0;
    for (let i = 0; i < nH; i++)
      for (let j = 0; j < nW; j++) {
        const a = out.data[e * per + (i * nW + j) * nC + unit]!;
        if (a > v) (v = a), (bi = i), (bj = j);
      }
    best.push({ e, v, i: bi, j: bj });
  }
  return best;
}

function patchOf(model: ChainModel, x: Tensor, layer: string, out: Tensor, q: Best, base: number, context = false): UnitPatch {
  const box = out.rank === 4 ? receptiveField(model, layer, q.i, q.j) : wholeInput(x);
  const img = exampleOf(x, q.e, "topPatches");
  const crop = cropPicture(img, box);
  const patch: UnitPatch = { image: imageRef(crop, { upscale: Math.max(1, Math.floor(64 / Math.max(crop.shape[0]!, crop.shape[1]!))) }), activation: q.v, example: q.e + base, box };
  if (context) patch.context = imageRef(img);
  return patch;
}

function topPatchesFrom(model: ChainModel, x: Tensor, layer: string, out: Tensor, unit: number, k: number): UnitPatches {
  if (!Number.isInteger(k) || k < 1) throw new ValueError(`topPatches: k must be a positive integer, got ${k}`);
  const best = bestPerExample(out, layer, unit);
  best.sort((a, b) => b.v - a.v || a.e - b.e);
  return { layer, unit, patches: best.slice(0, k).map((q) => patchOf(model, x, layer, out, q, 0)) };
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
const sources = new Map<string, { model: ChainModel; data: PatchSource }>();
let nextSource = 1;

/** What the widget sends with comm method `inspect.topPatches` (docs/extension.md). */
interface PatchesRequest {
  source?: unknown;
  layer?: unknown;
  unit?: unknown;
  k?: unknown;
  context?: unknown;
}

/**
 * Comm method `inspect.topPatches`, params `{ source, layer, unit, k = 9, context = false }`:
 * the unit's top-k patches over the dataset registered under `source` by `activations`, with the
 * layer's receptive field, the number of examples searched and (with `context`) each patch's
 * whole example. A wrong unit, layer or a forgotten source is an error the widget shows.
 */
function answerPatches(params: unknown): UnitPatches {
  const fn = "inspect.topPatches";
  const q = (typeof params === "object" && params !== null ? params : {}) as PatchesRequest;
  const src = typeof q.source === "string" ? sources.get(q.source) : undefined;
  if (!src)
    throw new ValueError(
      `${fn}: the kernel no longer holds the dataset of '${String(q.source)}' (it keeps the last ${MAX_SOURCES} displays, and a restarted kernel none): re-run the cell that made this output`,
    );
  const layer = stringArg(fn, "layer", q.layer);
  const unit = intArg(fn, "unit", q.unit, { min: 0 });
  const k = q.k === undefined ? 9 : intArg(fn, "k", q.k, { min: 1, max: 64 });
  const context = q.context === undefined ? false : q.context === true;
  const r: UnitPatches = searchPatches(fn, src.model, layer, unit, batchesOf(fn, src.data), k, context);
  try {
    const f = receptiveFieldOf(src.model as unknown as ReceptiveModel, layer);
    if (!f.global) r.field = { size: f.size, stride: f.stride, offset: f.offset };
  } catch {
    // a model receptiveFieldOf cannot follow: the patches come without the field
  }
  return r;
}

function remember(model: ChainModel, data: PatchSource): string {
  const id = `activations-${nextSource++}`;
  sources.set(id, { model, data });
  while (sources.size > MAX_SOURCES) sources.delete(sources.keys().next().value!);
  return id;
}

// Registered when convlab loads (as inspect.tsne is), so a kernel restarted under a saved output
// answers "no longer holds the dataset" rather than "no comm method".
registerCommHandler("inspect.topPatches", answerPatches);

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
  if (opts.dataset !== undefined && !(opts.dataset instanceof Tensor) && !(typeof opts.dataset === "object" && opts.dataset !== null && Symbol.iterator in opts.dataset))
    typeFail(fn, "opts.dataset", "a batch tensor or an iterable of batches (tensors or { x } records)", opts.dataset);
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
    if (Array.isArray(rows) && rows[0]?.outputShape?.length === 3) payload.source = remember(model, opts.dataset ?? x);
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

/**
 * The fallback picture (what GitHub, VS Code and nbconvert show): a title, then one histogram per
 * layer, stacked, each headed by the layer's name, type, mean/std and fraction of zeros, with the
 * value range under its axis; bars in the layer's palette colour.
 */
export function activationsPng(p: ActivationsPayload): { base64: string; width: number; height: number } {
  payloadArg("activationsPng", "p", ACTIVATIONS_MIME, p);
  const W = 360, H = 48, LEFT = 8, HEAD = TEXT_HEIGHT + 2, FOOT = TEXT_HEIGHT + 2, GAP = 8, TITLE = TEXT_HEIGHT + 6;
  const block = HEAD + H + FOOT + GAP;
  const r = new Raster(W, TITLE + p.layers.length * block);
  const ink: Rgb = [60, 60, 60], soft: Rgb = [120, 120, 120];
  r.text(LEFT, 2, `Activations of ${p.model}${p.step !== undefined ? ` at step ${p.step}` : ""} (histograms)`, ink);
  const num = (v: number | null): string => (v === null ? "-" : Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(3));
  const PW = W - 2 * LEFT;
  p.layers.forEach((l, k) => {
    const y0 = TITLE + k * block;
    r.text(LEFT, y0, `${l.name} (${l.type}) mean ${num(l.mean)} std ${num(l.std)} zeros ${(100 * l.fractionZero).toFixed(0)}%`, ink);
    const counts = l.histogram.counts;
    const top = Math.max(1, ...counts);
    const bw = PW / Math.max(1, counts.length);
    const base = y0 + HEAD + H - 1;
    r.fillRect(LEFT, base, PW, 1, [180, 180, 180]);
    counts.forEach((c, i) => {
      const h = Math.round(((H - 2) * c) / top);
      r.fillRect(LEFT + i * bw, base - h, Math.max(1, bw - 1), h, paletteRgb(k));
    });
    const edges = l.histogram.edges;
    if (edges.length >= 2) {
      const lo = num(edges[0]!), hi = num(edges[edges.length - 1]!);
      r.text(LEFT, base + 2, lo, soft);
      r.text(LEFT + PW - textWidth(hi), base + 2, hi, soft);
      const mid = `value (max count ${top})`;
      r.text(LEFT + (PW - textWidth(mid)) / 2, base + 2, mid, soft);
    }
  });
  return { base64: r.toPngBase64(), width: r.width, height: r.height };
}
