/**
 * Receptive fields, exactly, for any layer of a model: sequential chains and graph models
 * (branches and merges included), 1-D, 2-D and 3-D. Per spatial axis a unit of a layer sees
 * `size` input pixels; neighbouring units are `stride` input pixels apart (the "jump", the product
 * of the strides before it); unit 0's field starts at input coordinate `offset` (negative when it
 * reaches into the padding). Unit `u` sees `[offset + u·stride, offset + u·stride + size − 1]`.
 *
 * Through a window layer (convolution, depthwise convolution, pooling) with window f, dilation d
 * (effective window `f_eff = (f − 1)·d + 1`), stride s and `before` pixels of padding on the start
 * side (TensorFlow's rule for "same"), with the input's (size r, stride j, offset o):
 *
 *   r' = r + (f_eff − 1)·j,   j' = j·s,   o' = o − before·j
 *
 * Merges (add, concat) take the union of their inputs' fields; layers that keep the spatial size
 * (activations, batch-norm, dropout) keep the field; flatten, dense and global pooling see the
 * whole input (`global: true`).
 */
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { intArg, stringArg, typeFail } from "../util/check.js";
import { resolveAxes } from "../ops/padding.js";
import type { BoxCorners } from "./payloads.js";

/** The receptive field of one layer's units. */
export interface ReceptiveFieldInfo {
  /** Layer name. */
  layer: string;
  /** Layer type (`Conv2D`, `MaxPool2D` …). */
  type: string;
  /** The layer's output shape without the batch axis. */
  outputShape: number[];
  /** Input pixels a unit sees, per spatial axis (the whole input once `global`). */
  size: number[];
  /** Input pixels between neighbouring units, per axis (the product of the strides so far). */
  stride: number[];
  /** Input coordinate where unit 0's field starts, per axis (negative: it reaches into padding). */
  offset: number[];
  /** True after a flatten, dense or global pooling: every unit sees the whole input. */
  global: boolean;
}

/** What receptive fields need of a layer. */
interface LayerLike {
  readonly name: string;
  readonly type: string;
  readonly config?: unknown;
}

/** A graph node as `cl.nn` models hold them. */
interface SymbolicLike {
  readonly shape: readonly number[];
  readonly node: { readonly layer: LayerLike; readonly inputs: readonly SymbolicLike[] };
}

/** A `cl.nn` model (graph or sequential): its input tensors and each layer's output node. */
export interface GraphModelLike {
  readonly name: string;
  readonly inputs: readonly SymbolicLike[];
  outputOf(name: string): SymbolicLike;
}

/** A chain of layers described by its summary (the input first). */
export interface ChainLike {
  readonly name: string;
  readonly layers: readonly LayerLike[];
  summary(): { rows: readonly { name: string; outputShape: readonly number[] }[] };
}

export type ReceptiveModel = GraphModelLike | ChainLike;

const CONVS: Record<string, true> = { Conv1D: true, Conv2D: true, Conv3D: true, DepthwiseConv2D: true };
const POOLS: Record<string, true> = { MaxPool1D: true, AvgPool1D: true, MaxPool2D: true, AvgPool2D: true, MaxPool3D: true, AvgPool3D: true };

interface Field {
  shape: readonly number[];
  size: number[];
  stride: number[];
  offset: number[];
  global: boolean;
}

interface WindowConfig {
  size?: number | readonly number[];
  stride?: number | readonly number[];
  padding?: unknown;
  dilation?: number | readonly number[];
}

function tuple(v: number | readonly number[] | undefined, nd: number, dflt: number): number[] {
  if (v === undefined) return new Array<number>(nd).fill(dflt);
  return typeof v === "number" ? new Array<number>(nd).fill(v) : [...v];
}

/** The field of a layer's output from its inputs' fields (`input` is the model input's shape). */
function step(fn: string, model: string, l: LayerLike, ins: readonly Field[], outShape: readonly number[], input: readonly number[]): Field {
  const nd = input.length - 1;
  const whole = (): Field => ({ shape: outShape, size: input.slice(0, nd), stride: new Array<number>(nd).fill(0), offset: new Array<number>(nd).fill(0), global: true });
  if (ins.length === 0) throw new ValueError(`${fn}: layer '${l.name}' of model '${model}' has no inputs`);
  if (ins.some((f) => f.global)) return whole();
  const x = ins[0]!;
  const spatialIn = x.shape.slice(0, nd);
  if (outShape.length !== nd + 1) return whole(); // flatten, dense on a flattened input, global pooling
  if (CONVS[l.type] || POOLS[l.type]) {
    const cfg = (l.config ?? {}) as WindowConfig;
    const pool = POOLS[l.type] === true;
    const f = tuple(cfg.size, nd, 1);
    const s = pool && cfg.stride === undefined ? f : tuple(cfg.stride, nd, 1);
    const d = pool ? new Array<number>(nd).fill(1) : tuple(cfg.dilation, nd, 1);
    const axes = resolveAxes(`${fn} (layer '${l.name}')`, pool ? "window" : "filter", spatialIn, f, s, d, cfg.padding ?? "valid");
    return {
      shape: outShape,
      size: axes.map((a, i) => x.size[i]! + (a.fEff - 1) * x.stride[i]!),
      stride: axes.map((a, i) => x.stride[i]! * a.s),
      offset: axes.map((a, i) => x.offset[i]! - a.before * x.stride[i]!),
      global: false,
    };
  }
  if (l.type === "ZeroPad2D") {
    const pads = (l as unknown as { pads?: readonly (readonly number[])[] }).pads;
    if (!pads || nd !== 2) throw new ValueError(`${fn}: cannot read the padding of layer '${l.name}' (ZeroPad2D)`);
    return { shape: outShape, size: [...x.size], stride: [...x.stride], offset: x.offset.map((o, i) => o - pads[i]![0]! * x.stride[i]!), global: false };
  }
  if (ins.length > 1) {
    // Add, concat: the union of the inputs' fields (they must step alike to be one field).
    for (const q of ins)
      if (q.stride.some((v, i) => v !== x.stride[i])) throw new ValueError(`${fn}: layer '${l.name}' (${l.type}) merges inputs whose units step differently (strides ${ins.map((f) => fmtShape(f.stride)).join(" and ")}); their union is not one receptive field`);
    const start = x.offset.map((_, i) => Math.min(...ins.map((q) => q.offset[i]!)));
    const end = x.offset.map((_, i) => Math.max(...ins.map((q) => q.offset[i]! + q.size[i]! - 1)));
    return { shape: outShape, size: start.map((s0, i) => end[i]! - s0 + 1), stride: [...x.stride], offset: start, global: false };
  }
  const same = outShape.slice(0, nd).every((n, i) => n === spatialIn[i]);
  if (!same) throw new ValueError(`${fn}: cannot follow layer '${l.name}' (${l.type}) of model '${model}', which changes the spatial size ${fmtShape(x.shape)} → ${fmtShape(outShape)}`);
  return { shape: outShape, size: [...x.size], stride: [...x.stride], offset: [...x.offset], global: false };
}

function isGraph(m: unknown): m is GraphModelLike {
  return typeof (m as GraphModelLike).outputOf === "function" && Array.isArray((m as GraphModelLike).inputs);
}

function checkModel(fn: string, model: unknown): ReceptiveModel {
  if (typeof model !== "object" || model === null) typeFail(fn, "model", "a model (cl.nn.sequential or cl.nn.model)", model);
  stringArg(fn, "model.name", (model as { name?: unknown }).name);
  if (isGraph(model)) return model;
  const c = model as ChainLike;
  if (typeof c.summary !== "function" || !Array.isArray(c.layers)) typeFail(fn, "model", "a model (cl.nn.sequential or cl.nn.model) or a chain of layers with summary()", model);
  c.layers.forEach((l, k) => {
    if (typeof l !== "object" || l === null) typeFail(fn, `model.layers[${k}]`, "a layer { name, type }", l);
  });
  return c;
}

function inputField(fn: string, shape: readonly number[]): Field {
  if (!Array.isArray(shape) || shape.length < 2 || shape.length > 4) throw new ShapeError(`${fn}: the model's input must have 1 to 3 spatial axes and channels ([n,c], [nH,nW,nC], [nD,nH,nW,nC]), got ${fmtShape(shape ?? [])}`);
  const nd = shape.length - 1;
  return { shape, size: new Array<number>(nd).fill(1), stride: new Array<number>(nd).fill(1), offset: new Array<number>(nd).fill(0), global: false };
}

/** The field of `layer`'s output, and the model's input shape. */
function fieldOf(fn: string, model: ReceptiveModel, layer: string): { field: Field; type: string; input: readonly number[] } {
  if (isGraph(model)) {
    const target = model.outputOf(layer);
    const inputs = model.inputs;
    if (inputs.length !== 1) throw new ValueError(`${fn}: model '${model.name}' has ${inputs.length} inputs; receptive fields are defined for one image input`);
    const input = inputs[0]!.shape;
    const memo = new Map<SymbolicLike, Field>([[inputs[0]!, inputField(fn, input)]]);
    // Iterative post-order walk (deep networks would overflow a recursive one).
    const stack: SymbolicLike[] = [target];
    while (stack.length) {
      const s = stack[stack.length - 1]!;
      if (memo.has(s)) {
        stack.pop();
        continue;
      }
      if (s.node.layer.type === "Input") throw new ValueError(`${fn}: layer '${layer}' depends on input '${s.node.layer.name}', not model '${model.name}''s input`);
      const missing = s.node.inputs.filter((q) => !memo.has(q));
      if (missing.length) {
        stack.push(...missing);
        continue;
      }
      stack.pop();
      memo.set(s, step(fn, model.name, s.node.layer, s.node.inputs.map((q) => memo.get(q)!), s.shape, input));
    }
    return { field: memo.get(target)!, type: target.node.layer.type, input };
  }
  const rowsRaw: unknown = model.summary()?.rows;
  if (!Array.isArray(rowsRaw) || !rowsRaw.every((r: { name?: unknown; outputShape?: unknown } | null) => typeof r?.name === "string" && Array.isArray(r.outputShape)))
    typeFail(fn, "model.summary().rows", "a list of { name, outputShape }", rowsRaw);
  const rows = rowsRaw as { name: string; outputShape: readonly number[] }[];
  const k = rows.findIndex((r) => r.name === layer);
  if (k < 1) throw new ValueError(`${fn}: no layer named '${layer}' in model '${model.name}'`);
  const input = rows[0]!.outputShape;
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  let f = inputField(fn, input);
  let type = "";
  for (let q = 1; q <= k; q++) {
    const l = byName.get(rows[q]!.name);
    if (!l) throw new ValueError(`${fn}: model '${model.name}' is not a chain of layers (row '${rows[q]!.name}' is no layer)`);
    f = step(fn, model.name, l, [f], rows[q]!.outputShape, input);
    type = l.type;
  }
  return { field: f, type, input };
}

/**
 * The receptive field of `layer`'s units in `model`'s input: size, stride and offset per spatial
 * axis (see the module comment for the rule).
 *
 * @example
 * // three 3×3 convs: 7×7; conv 3×3 → max-pool 2/2 → conv 3×3: 8×8, stride 2
 * cl.inspect.receptiveFieldOf(model, "conv3")   // { size: [7, 7], stride: [1, 1], offset: [0, 0], ... }
 */
export function receptiveFieldOf(model: ReceptiveModel, layer: string): ReceptiveFieldInfo {
  const fn = "receptiveFieldOf";
  const m = checkModel(fn, model);
  stringArg(fn, "layer", layer);
  const { field, type } = fieldOf(fn, m, layer);
  return { layer, type, outputShape: [...field.shape], size: field.size, stride: field.stride, offset: field.offset, global: field.global };
}

/** Every layer's receptive field, in the model's order (the input excluded). */
export function receptiveFields(model: ReceptiveModel): ReceptiveFieldInfo[] {
  const fn = "receptiveFields";
  const m = checkModel(fn, model);
  const names = isGraph(m) ? layerNamesOf(m) : (m.summary().rows ?? []).slice(1).map((r) => r.name);
  return names.map((n) => {
    const { field, type } = fieldOf(fn, m, n);
    return { layer: n, type, outputShape: [...field.shape], size: field.size, stride: field.stride, offset: field.offset, global: field.global };
  });
}

function layerNamesOf(m: GraphModelLike): string[] {
  const layers = (m as unknown as { layers?: readonly LayerLike[] }).layers;
  if (!Array.isArray(layers)) typeFail("receptiveFields", "model.layers", "a list of layers", layers);
  return layers.filter((l) => l.type !== "Input").map((l) => l.name);
}

/**
 * The input rectangle (pixels, inclusive corners, clipped to the input) that position `(i, j)`
 * of a 2-D `layer` sees: rows `offset₀ + i·stride₀ …`, columns `offset₁ + j·stride₁ …`. Units of
 * layers after a flatten or global pooling see the whole input.
 */
export function receptiveField(model: ReceptiveModel, layer: string, i: number, j: number): BoxCorners {
  const fn = "receptiveField";
  const m = checkModel(fn, model);
  stringArg(fn, "layer", layer);
  intArg(fn, "i", i, { min: 0 });
  intArg(fn, "j", j, { min: 0 });
  const { field: f, input } = fieldOf(fn, m, layer);
  if (input.length !== 3) throw new ShapeError(`${fn}: the model's input must be an image [nH,nW,nC], got ${fmtShape(input)} (use receptiveFieldOf for 1-D and 3-D inputs)`);
  const H = input[0]!, W = input[1]!;
  if (f.global) return { x1: 0, y1: 0, x2: W - 1, y2: H - 1 };
  const nH = f.shape[0]!, nW = f.shape[1]!;
  if (i >= nH || j >= nW) throw new ValueError(`${fn}: layer '${layer}' is ${nH}×${nW}, got position (${i}, ${j})`);
  const y1 = f.offset[0]! + i * f.stride[0]!, x1 = f.offset[1]! + j * f.stride[1]!;
  return { x1: Math.max(0, x1), y1: Math.max(0, y1), x2: Math.min(W - 1, x1 + f.size[1]! - 1), y2: Math.min(H - 1, y1 + f.size[0]! - 1) };
}
