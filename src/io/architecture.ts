/**
 * A model's architecture as JSON (`model.json` beside `model.safetensors`): the input shapes and
 * every layer with its type, configuration and the layers it reads, in topological order. The
 * same description drives the ONNX and PyTorch exporters. Supported layers: input, conv1d/2d/3d,
 * depthwiseConv2d, conv2dTranspose, pooling (max/avg 1-D/2-D/3-D, global), dense, flatten, activation, dropout,
 * batchNorm, zeroPad2d, add, concat. Nested models and shared layers are refused, naming them.
 */
import { ValueError } from "../util/errors.js";
import type { Tensor } from "../tensor/tensor.js";
import { typeFail } from "../util/check.js";
import type { Model } from "../nn/model.js";
import { model as graphModel, sequential, input as symbolicInput } from "../nn/model.js";
import type { Layer, SymbolicTensor } from "../nn/layer.js";
import { Conv1D, Conv2D, Conv2DTranspose, Conv3D, DepthwiseConv2D } from "../nn/layers/conv.js";
import { Dense } from "../nn/layers/dense.js";
import { Pool, GlobalPool, maxPool1d, avgPool1d, maxPool2d, avgPool2d, maxPool3d, avgPool3d, globalAvgPool2d, globalMaxPool2d } from "../nn/layers/pool.js";
import { Flatten, ActivationLayer, Dropout, BatchNorm, ZeroPad2D } from "../nn/layers/core.js";
import { Add, Concat } from "../nn/layers/merge.js";
import { InputLayer } from "../nn/layers/input.js";
import { Graph } from "../nn/graph.js";
import { resolveAxes, type AxisGeom } from "../ops/padding.js";
import { transposeAxes, type TransposeAxis } from "../ops/conv2dTranspose.js";
import type { Outputs } from "../train/types.js";
import type { JsonObject, JsonValue } from "./checkpoint.js";

/** One layer of a model description. */
export interface LayerSpec {
  name: string;
  /** The layer's `type` ("Conv2D", "MaxPool2D", "Dense", "Input", ...). */
  type: string;
  config: JsonObject;
  /** Names of the layers whose outputs it reads, in order (empty for inputs). */
  inputs: string[];
  /** Output shape without the batch axis. */
  shape: number[];
}

/** The architecture of a model, as `model.json` holds it. */
export interface ModelSpec {
  format: "convlab-model";
  version: 1;
  name: string;
  /** "Sequential" or "Model". */
  type: string;
  inputs: string[];
  outputs: { kind: "single" | "list" | "record"; names: string[]; layers: string[] };
  layers: LayerSpec[];
}

const json = (v: unknown): JsonValue => (v === undefined ? null : (JSON.parse(JSON.stringify(v)) as JsonValue));

function isModelLike(m: unknown): m is Model<Outputs> {
  return m !== null && typeof m === "object" && typeof (m as { stateDict?: unknown }).stateDict === "function" && Array.isArray((m as { outputs?: unknown }).outputs);
}

/** Checks `model` is a convlab model; returns it. */
export function modelArg(fn: string, model: unknown): Model<Outputs> {
  if (!isModelLike(model)) typeFail(fn, "model", "a cl.nn model (sequential or graph)", model);
  if (model.inputs.length === 0) throw new ValueError(`${fn}: model '${model.name}' is not built yet: give inputShape, or call it on a batch first`);
  return model;
}

function activationConfig(fn: string, l: Layer, a: unknown): JsonValue {
  if (a === undefined) return null;
  if (typeof a === "string") return a;
  throw new ValueError(`${fn}: ${l.label} has a custom activation function, which cannot be saved (use a named activation: relu, leakyRelu, sigmoid, tanh, softmax, linear)`);
}

/** The configuration of one layer, or an error naming it when it cannot be described. */
function layerConfig(fn: string, l: Layer): JsonObject {
  if (l instanceof InputLayer) return { shape: json(l.shape) };
  if (l instanceof DepthwiseConv2D || l instanceof Conv1D || l instanceof Conv2D || l instanceof Conv3D || l instanceof Conv2DTranspose) {
    const c = l.config as unknown as Record<string, unknown>;
    const out: JsonObject = {};
    for (const k of ["filters", "size", "stride", "padding", "dilation", "useBias", "depthMultiplier", "outputPadding"]) if (c[k] !== undefined) out[k] = json(c[k]);
    out.activation = activationConfig(fn, l, c.activation);
    return out;
  }
  if (l instanceof Dense) return { units: l.config.units, useBias: l.config.useBias ?? true, activation: activationConfig(fn, l, l.config.activation) };
  if (l instanceof Pool) {
    const c = l.config;
    return { size: json(c.size), stride: json(c.stride), padding: json(c.padding ?? "valid") };
  }
  if (l instanceof GlobalPool || l instanceof Flatten || l instanceof Add) return {};
  if (l instanceof ActivationLayer) return { activation: activationConfig(fn, l, l.activation) };
  if (l instanceof Dropout) return { rate: l.rate };
  if (l instanceof BatchNorm) return { momentum: l.momentum, eps: l.eps };
  if (l instanceof ZeroPad2D) return { padding: json((l as unknown as { pads: unknown }).pads) };
  if (l instanceof Concat) return { axis: l.axis };
  throw new ValueError(`${fn}: ${l.label} (${l.type}) cannot be described${typeof (l as { stateDict?: unknown }).stateDict === "function" ? " (nested models are not supported: build the model from layers and blocks)" : ""}`);
}

/**
 * The architecture of `model` as JSON (what `model.json` holds): `cl.io.describeModel(model)`.
 * Throws, naming the layer, for layers it cannot describe (custom activations, nested models,
 * shared layers).
 */
export function describeModel(model: Model<Outputs>): ModelSpec {
  return describeModelAs(model, "io.describeModel");
}

/** `describeModel` for the function `fn` (named in errors). @internal */
export function describeModelAs(model: Model<Outputs>, fn: string): ModelSpec {
  const m = modelArg(fn, model);
  // the model graph's own order: every symbolic tensor after those it depends on
  const order = new Graph(m.inputs, m.outputs, fn).order;
  const seen = new Map<Layer, SymbolicTensor>();
  const layers: LayerSpec[] = [];
  for (const s of order) {
    const l = s.node.layer;
    if (seen.has(l)) throw new ValueError(`${fn}: ${l.label} is shared (applied more than once), which cannot be described`);
    seen.set(l, s);
    for (const i of s.node.inputs) if (seen.get(i.node.layer) !== i) throw new ValueError(`${fn}: ${l.label} reads a tensor from outside the model`);
    const isInput = m.inputs.includes(s);
    layers.push({
      name: l.name,
      type: isInput ? "Input" : l.type,
      config: isInput ? { shape: [...s.shape] } : layerConfig(fn, l),
      inputs: isInput ? [] : s.node.inputs.map((i) => i.node.layer.name),
      shape: [...s.shape],
    });
  }
  return {
    format: "convlab-model",
    version: 1,
    name: m.name,
    type: m.type === "Sequential" ? "Sequential" : "Model",
    inputs: m.inputs.map((s) => s.node.layer.name),
    outputs: { kind: m.outputKind, names: m.outputNames, layers: m.outputs.map((s) => s.node.layer.name) },
    layers,
  };
}

type Cfg = Record<string, unknown>;
const num = (c: Cfg, k: string): number => c[k] as number;

/** A new layer from its description (named as described). */
function makeLayer(fn: string, spec: LayerSpec): Layer {
  const c = spec.config as Cfg;
  const name = spec.name;
  const conv = { ...(c as object), name, activation: c.activation ?? undefined } as never;
  const pool = { name, size: c.size, ...(c.stride !== null && c.stride !== undefined ? { stride: c.stride } : {}), padding: c.padding ?? "valid" } as never;
  switch (spec.type) {
    case "Conv1D": return new Conv1D(conv);
    case "Conv2D": return new Conv2D(conv);
    case "Conv3D": return new Conv3D(conv);
    case "DepthwiseConv2D": return new DepthwiseConv2D(conv);
    case "Conv2DTranspose": return new Conv2DTranspose(conv);
    case "Dense": return new Dense({ name, units: num(c, "units"), useBias: c.useBias as boolean, activation: (c.activation ?? undefined) as never });
    case "MaxPool1D": return maxPool1d(pool);
    case "AvgPool1D": return avgPool1d(pool);
    case "MaxPool2D": return maxPool2d(pool);
    case "AvgPool2D": return avgPool2d(pool);
    case "MaxPool3D": return maxPool3d(pool);
    case "AvgPool3D": return avgPool3d(pool);
    case "GlobalAvgPool2D": return globalAvgPool2d({ name });
    case "GlobalMaxPool2D": return globalMaxPool2d({ name });
    case "Flatten": return new Flatten({ name });
    case "Activation": return new ActivationLayer((c.activation ?? "linear") as never, { name });
    case "Dropout": return new Dropout({ name, rate: num(c, "rate") });
    case "BatchNorm": return new BatchNorm({ name, momentum: num(c, "momentum"), eps: num(c, "eps") });
    case "ZeroPad2D": return new ZeroPad2D({ name, padding: c.padding as never });
    case "Add": return new Add({ name });
    case "Concat": return new Concat({ name, axis: num(c, "axis") });
  }
  throw new ValueError(`${fn}: layer '${name}' has an unknown type ${JSON.stringify(spec.type)}`);
}

/** Checks the shape of a model description; returns it typed. */
export function checkSpec(fn: string, spec: unknown, where: string): ModelSpec {
  const s = spec as Partial<ModelSpec> | null;
  if (s === null || typeof s !== "object" || s.format !== "convlab-model" || s.version !== 1)
    throw new ValueError(`${fn}: ${where} is not a convlab model description (expected format "convlab-model" version 1)`);
  if (!Array.isArray(s.layers) || !Array.isArray(s.inputs) || !s.outputs || !Array.isArray(s.outputs.layers))
    throw new ValueError(`${fn}: ${where}: the description lacks layers, inputs or outputs`);
  for (const [i, l] of s.layers.entries())
    if (l === null || typeof l !== "object" || typeof l.name !== "string" || typeof l.type !== "string" || !Array.isArray(l.inputs) || l.config === null || typeof l.config !== "object")
      throw new ValueError(`${fn}: ${where}: layer ${i} is malformed (needs name, type, config, inputs)`);
  return s as ModelSpec;
}

/**
 * A model built from its description (weights declared, not allocated: load them next):
 * `cl.io.buildModel(cl.io.describeModel(m))` has the same architecture and names as `m`.
 */
export function buildModel<O extends Outputs = Tensor>(spec: ModelSpec): Model<O> {
  return buildModelAs(spec, "io.buildModel", "the description") as unknown as Model<O>;
}

/** `buildModel` for the function `fn`, naming `where` the description comes from. @internal */
export function buildModelAs(spec: ModelSpec, fn: string, where: string): Model<Outputs> {
  const s = checkSpec(fn, spec, where);
  const byName = new Map(s.layers.map((l) => [l.name, l]));
  const chain = s.type === "Sequential" && s.inputs.length === 1 && s.layers.every((l, i) => (i === 0 ? l.inputs.length === 0 : l.inputs.length === 1 && l.inputs[0] === s.layers[i - 1]!.name));
  try {
    if (chain) {
      const inp = s.layers[0]!;
      const built = sequential(s.layers.slice(1).map((l) => makeLayer(fn, l)), { inputShape: (inp.config as Cfg).shape as number[], name: s.name });
      return built as unknown as Model<Outputs>;
    }
    const made = new Map<string, SymbolicTensor>();
    for (const l of s.layers) {
      if (l.inputs.length === 0) {
        made.set(l.name, symbolicInput((l.config as Cfg).shape as number[], { name: l.name }));
        continue;
      }
      const ins = l.inputs.map((n) => {
        const t = made.get(n);
        if (!t) throw new ValueError(`${fn}: ${where}: layer '${l.name}' reads '${n}', which is not described before it${byName.has(n) ? "" : " (no such layer)"}`);
        return t;
      });
      made.set(l.name, makeLayer(fn, l).apply(ins.length === 1 ? ins[0]! : ins));
    }
    const inputs = s.inputs.map((n) => made.get(n)!);
    const outs = s.outputs.layers.map((n) => {
      const t = made.get(n);
      if (!t) throw new ValueError(`${fn}: ${where}: output '${n}' is not a described layer`);
      return t;
    });
    const outputs = s.outputs.kind === "single" ? outs[0]! : s.outputs.kind === "list" ? outs : Object.fromEntries(s.outputs.names.map((k, i) => [k, outs[i]!]));
    return graphModel({ inputs, outputs, name: s.name }) as unknown as Model<Outputs>;
  } catch (e) {
    if (e instanceof ValueError && e.message.startsWith(fn)) throw e;
    throw new ValueError(`${fn}: ${where} does not build: ${(e as Error).message}`);
  }
}

/** A described layer's per-axis option (a number for every axis, a list, or absent: `d`). */
function perAxis(v: unknown, nd: number, d: number): number[] {
  return v === undefined || v === null ? new Array<number>(nd).fill(d) : typeof v === "number" ? new Array<number>(nd).fill(v) : [...(v as number[])];
}

/** Strides, dilations and padding per spatial axis of a described convolution with filter `f` over `inShape` (spatial axes first). @internal */
export function convGeometry(fn: string, c: Record<string, unknown>, inShape: readonly number[], f: readonly number[]): { s: number[]; dil: number[]; axes: AxisGeom[] } {
  const nd = f.length;
  const s = perAxis(c.stride, nd, 1), dil = perAxis(c.dilation, nd, 1);
  return { s, dil, axes: resolveAxes(fn, "filter", inShape.slice(0, nd), f, s, dil, c.padding ?? "valid") };
}

/** Per spatial axis of a described transposed convolution with filter `f` over `inShape`: strides, dilations, the crops before/after and the output padding. @internal */
export function transposeGeometry(fn: string, c: Record<string, unknown>, inShape: readonly number[], f: readonly number[]): { s: number[]; dil: number[]; axes: TransposeAxis[] } {
  const nd = f.length;
  const s = perAxis(c.stride, nd, 1), dil = perAxis(c.dilation, nd, 1);
  return { s, dil, axes: transposeAxes(fn, inShape.slice(0, nd), f, { stride: s as never, dilation: dil as never, padding: (c.padding ?? "valid") as never, outputPadding: (c.outputPadding ?? undefined) as never }) };
}

/** Window, strides (default: the window) and padding per spatial axis of a described `nd`-D pooling layer. @internal */
export function poolGeometry(fn: string, c: Record<string, unknown>, inShape: readonly number[], nd: number): { f: number[]; s: number[]; axes: AxisGeom[] } {
  const f = perAxis(c.size, nd, 1), s = c.stride === null || c.stride === undefined ? f : perAxis(c.stride, nd, 1);
  return { f, s, axes: resolveAxes(fn, "window", inShape.slice(0, nd), f, s, new Array<number>(nd).fill(1), c.padding ?? "valid") };
}
