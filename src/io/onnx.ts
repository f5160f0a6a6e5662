/**
 * ONNX export and import of convlab models (Node only), with convlab's own protobuf encoding of
 * the ONNX schema (onnx.proto3: ModelProto, GraphProto, NodeProto, TensorProto, ...).
 *
 * `exportOnnx(model, path, { opset = 17, layout = "NCHW" })` writes one `.onnx` file. The graph
 * takes and returns NCHW tensors (the ONNX and PyTorch convention) by default; `layout: "NHWC"`
 * keeps convlab's channels-last order at the inputs and outputs (transposes are added inside).
 * Weights are converted: conv kernels f×f×nC_prev×nC → [nC, nC_prev, f, f]; dense kernels stay
 * [in, out] (Gemm); a Flatten of a spatial tensor first transposes to channels-last, so the
 * order of the flattened features (and the dense weights after it) is convlab's.
 *
 * `importOnnx(path)` reads the same op set back into a convlab graph model (channels-last).
 */
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { bytesArg, optionsArg, optIntArg, optOneOfArg, stringArg } from "../util/check.js";
import { resolveAxes } from "../ops/padding.js";
import type { Model } from "../nn/model.js";
import { model as graphModel, input as symbolicInput } from "../nn/model.js";
import type { Layer, SymbolicTensor } from "../nn/layer.js";
import { Conv1D, Conv2D, Conv2DTranspose, Conv3D, DepthwiseConv2D } from "../nn/layers/conv.js";
import { transposeAxes } from "../ops/conv2dTranspose.js";
import { Dense } from "../nn/layers/dense.js";
import { maxPool1d, avgPool1d, maxPool2d, avgPool2d, maxPool3d, avgPool3d, globalAvgPool2d, globalMaxPool2d } from "../nn/layers/pool.js";
import { Flatten, ActivationLayer, Dropout, BatchNorm, ZeroPad2D } from "../nn/layers/core.js";
import { Add, Concat } from "../nn/layers/merge.js";
import type { Outputs } from "../train/types.js";
import { ProtoWriter, readProto, proto, type ProtoField } from "./protobuf.js";
import { convGeometry, describeModelAs, modelArg, poolGeometry, transposeGeometry, type LayerSpec } from "./architecture.js";
import { writeAtomic } from "./atomic.js";
import { pathArg, readFileBytes } from "./files.js";
import { convlabVersion } from "./version.js";

export interface ExportOnnxOptions {
  /** ONNX operator set (default 17; 13 or later). */
  opset?: number;
  /** Layout of the graph's inputs and outputs: "NCHW" (default, as ONNX and PyTorch) or "NHWC" (convlab's). */
  layout?: "NCHW" | "NHWC";
}

/** What `exportOnnx` wrote: the graph's inputs and outputs (names and shapes, batch "N"), and the op counts. */
export interface OnnxExportInfo {
  path: string;
  opset: number;
  layout: "NCHW" | "NHWC";
  inputs: { name: string; shape: (number | string)[] }[];
  outputs: { name: string; shape: (number | string)[] }[];
  ops: Record<string, number>;
}

const FLOAT = 1, INT64 = 7;

function tensorProto(name: string, dims: readonly number[], data: ArrayLike<number>, type = FLOAT): ProtoWriter {
  const w = new ProtoWriter().packedVarints(1, dims).varint(2, type).string(8, name);
  if (type === INT64) {
    const b = new Uint8Array(8 * data.length), dv = new DataView(b.buffer);
    for (let i = 0; i < data.length; i++) dv.setBigInt64(8 * i, BigInt(data[i]!), true);
    w.bytes(9, b);
  } else {
    const b = new Uint8Array(4 * data.length), dv = new DataView(b.buffer);
    for (let i = 0; i < data.length; i++) dv.setFloat32(4 * i, data[i]!, true);
    w.bytes(9, b);
  }
  return w;
}

type Attr = number | number[] | string | { f: number };
function attribute(name: string, v: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof v === "string") return w.bytes(4, new TextEncoder().encode(v)).varint(20, 3);
  if (typeof v === "number") return w.varint(3, v).varint(20, 2);
  if (Array.isArray(v)) return w.packedVarints(8, v).varint(20, 7);
  return w.float(2, v.f).varint(20, 1);
}

function valueInfo(name: string, shape: readonly (number | string)[]): ProtoWriter {
  const dims = new ProtoWriter();
  for (const d of shape) dims.message(1, typeof d === "number" ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().varint(1, FLOAT).message(2, dims);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/** Permutes an NHWC-ordered shape/array to NCHW and back. */
const toFirst = (r: number): number[] => [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];
const toLast = (r: number): number[] => [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];

/** Transposes `t`'s data by `perm` (row-major). */
function permute(t: Tensor, perm: readonly number[]): { dims: number[]; data: Float32Array } {
  const shape = t.shape, r = shape.length;
  const dims = perm.map((p) => shape[p]!);
  const strides = new Array<number>(r).fill(1);
  for (let i = r - 2; i >= 0; i--) strides[i] = strides[i + 1]! * shape[i + 1]!;
  const out = new Float32Array(t.size);
  const idx = new Array<number>(r).fill(0);
  const src = t.data;
  for (let o = 0; o < out.length; o++) {
    let s = 0;
    for (let k = 0; k < r; k++) s += idx[k]! * strides[perm[k]!]!;
    out[o] = src[s]!;
    for (let k = r - 1; k >= 0; k--) {
      if (++idx[k]! < dims[k]!) break;
      idx[k] = 0;
    }
  }
  return { dims, data: out };
}

class OnnxGraph {
  nodes: ProtoWriter[] = [];
  inits: ProtoWriter[] = [];
  ops: Record<string, number> = {};
  private n = 0;
  node(op: string, inputs: string[], outputs: string[] | number = 1, attrs: Record<string, Attr> = {}, name?: string): string[] {
    const outs = typeof outputs === "number" ? Array.from({ length: outputs }, () => `${name ?? op}_${++this.n}`) : outputs;
    const w = new ProtoWriter();
    for (const i of inputs) w.string(1, i);
    for (const o of outs) w.string(2, o);
    w.string(3, `${name ?? op}_n${++this.n}`).string(4, op);
    for (const [k, v] of Object.entries(attrs)) w.message(5, attribute(k, v));
    this.nodes.push(w);
    this.ops[op] = (this.ops[op] ?? 0) + 1;
    return outs;
  }
  init(name: string, dims: readonly number[], data: ArrayLike<number>, type = FLOAT): string {
    this.inits.push(tensorProto(name, dims, data, type));
    return name;
  }
}

const ACT_OPS: Record<string, string> = { relu: "Relu", sigmoid: "Sigmoid", tanh: "Tanh", leakyRelu: "LeakyRelu", softmax: "Softmax" };

/** The ONNX bytes of a convlab model (see `exportOnnx`). */
export function encodeOnnx(model: Model<Outputs>, opts: ExportOnnxOptions = {}): { bytes: Uint8Array; info: Omit<OnnxExportInfo, "path"> } {
  return encodeOnnxAs(model, opts, "io.encodeOnnx");
}

function encodeOnnxAs(model: Model<Outputs>, opts: ExportOnnxOptions, fn: string): { bytes: Uint8Array; info: Omit<OnnxExportInfo, "path"> } {
  const m = modelArg(fn, model);
  const o = optionsArg(fn, opts);
  const opset = optIntArg(fn, "opts.opset", o.opset, { min: 13, max: 23 }) ?? 17;
  const layout = optOneOfArg(fn, "opts.layout", o.layout, ["NCHW", "NHWC"] as const) ?? "NCHW";
  const spec = describeModelAs(m, fn);
  const g = new OnnxGraph();
  const state = m.stateDict();
  const weight = (l: string, w: string): Tensor => state[`${l}/${w}`]!;
  /** The ONNX value of each convlab layer's output; spatial values (rank ≥ 3 with batch) are channels-first. */
  const value = new Map<string, string>();
  const shapes = new Map<string, number[]>();
  const rankOf = (l: string): number => shapes.get(l)!.length + 1;
  const act = (x: string, a: unknown, rank: number, name: string): string => {
    if (a === null || a === undefined || a === "linear") return x;
    // relu6 = Clip(x, 0, 6) (min and max as scalar inputs since opset 11)
    if (a === "relu6") return g.node("Clip", [x, g.init(`${name}/min`, [], [0]), g.init(`${name}/max`, [], [6])], 1, {}, name)[0]!;
    const op = ACT_OPS[a as string]!;
    const attrs: Record<string, Attr> = op === "LeakyRelu" ? { alpha: { f: 0.01 } } : op === "Softmax" ? { axis: rank > 2 ? 1 : -1 } : {};
    return g.node(op, [x], 1, attrs, name)[0]!;
  };
  const channelsLast = (l: string): string => {
    const r = rankOf(l);
    return r > 2 ? g.node("Transpose", [value.get(l)!], 1, { perm: toLast(r) }, `${l}_to_nhwc`)[0]! : value.get(l)!;
  };
  const inputsInfo: OnnxExportInfo["inputs"] = [], outputsInfo: OnnxExportInfo["outputs"] = [];
  const graphInputs: ProtoWriter[] = [];
  for (const l of spec.layers as LayerSpec[]) {
    shapes.set(l.name, l.shape);
    const c = l.config as Record<string, unknown>;
    const r = l.shape.length + 1;
    if (l.type === "Input") {
      const nhwc = ["N", ...l.shape];
      const nchw = r > 2 ? toFirst(r).map((p) => nhwc[p]!) : nhwc;
      const shown = layout === "NHWC" ? nhwc : nchw;
      graphInputs.push(valueInfo(l.name, shown));
      inputsInfo.push({ name: l.name, shape: shown });
      value.set(l.name, layout === "NHWC" && r > 2 ? g.node("Transpose", [l.name], 1, { perm: toFirst(r) }, `${l.name}_to_nchw`)[0]! : l.name);
      continue;
    }
    const x = value.get(l.inputs[0]!)!;
    const inShape = shapes.get(l.inputs[0]!)!;
    let y: string;
    switch (l.type) {
      case "Conv1D": case "Conv2D": case "Conv3D": case "DepthwiseConv2D": {
        const k = weight(l.name, "kernel");
        const nd = k.rank - 2;
        const depthwise = l.type === "DepthwiseConv2D";
        const f = k.shape.slice(0, nd);
        const { s, dil, axes } = convGeometry(fn, c, inShape, f);
        // [f..., c, k] → [k, c, f...]; depthwise [f, f, c, mult] → [c·mult, 1, f, f] (channel ci·mult + j)
        const perm = depthwise ? [2, 3, 0, 1] : [nd + 1, nd, ...Array.from({ length: nd }, (_, i) => i)];
        const p = permute(k, perm);
        const dims = depthwise ? [p.dims[0]! * p.dims[1]!, 1, ...p.dims.slice(2)] : p.dims;
        const ins = [x, g.init(`${l.name}/kernel`, dims, p.data)];
        if (c.useBias !== false) ins.push(g.init(`${l.name}/bias`, weight(l.name, "bias").shape, weight(l.name, "bias").data));
        y = g.node("Conv", ins, 1, {
          kernel_shape: f, strides: s, dilations: dil,
          pads: [...axes.map((a) => a.before), ...axes.map((a) => a.after)],
          group: depthwise ? k.shape[2]! : 1,
        }, l.name)[0]!;
        y = act(y, c.activation, r, `${l.name}_act`);
        break;
      }
      case "Conv2DTranspose": {
        // convlab [f, f, nC, nC_prev] (the transposed conv2d's filter) → ONNX [nC_prev, nC, f, f]
        const k = weight(l.name, "kernel");
        const f = k.shape.slice(0, 2);
        const { s, dil, axes } = transposeGeometry(fn, c, inShape, f);
        const p = permute(k, [3, 2, 0, 1]);
        const ins = [x, g.init(`${l.name}/kernel`, p.dims, p.data)];
        if (c.useBias !== false) ins.push(g.init(`${l.name}/bias`, weight(l.name, "bias").shape, weight(l.name, "bias").data));
        y = g.node("ConvTranspose", ins, 1, {
          kernel_shape: f, strides: s, dilations: dil,
          pads: [...axes.map((a) => a.before), ...axes.map((a) => a.after)],
          output_padding: axes.map((a) => a.outputPadding),
          group: 1,
        }, l.name)[0]!;
        y = act(y, c.activation, r, `${l.name}_act`);
        break;
      }
      case "MaxPool1D": case "AvgPool1D": case "MaxPool2D": case "AvgPool2D": case "MaxPool3D": case "AvgPool3D": {
        const nd = r - 2;
        const { f, s, axes } = poolGeometry(fn, c, inShape, nd);
        y = g.node(l.type.startsWith("Max") ? "MaxPool" : "AveragePool", [x], 1, {
          kernel_shape: f, strides: s, pads: [...axes.map((a) => a.before), ...axes.map((a) => a.after)],
        }, l.name)[0]!;
        break;
      }
      case "GlobalAvgPool2D": case "GlobalMaxPool2D": {
        const pooled = g.node(l.type === "GlobalAvgPool2D" ? "GlobalAveragePool" : "GlobalMaxPool", [x], 1, {}, l.name)[0]!;
        y = g.node("Flatten", [pooled], 1, { axis: 1 }, `${l.name}_flatten`)[0]!;
        break;
      }
      case "Flatten":
        y = g.node("Flatten", [channelsLast(l.inputs[0]!)], 1, { axis: 1 }, l.name)[0]!;
        break;
      case "Dense": {
        const xin = inShape.length > 1 ? g.node("Flatten", [channelsLast(l.inputs[0]!)], 1, { axis: 1 }, `${l.name}_flatten`)[0]! : x;
        const k = weight(l.name, "kernel");
        const ins = [xin, g.init(`${l.name}/kernel`, k.shape, k.data)];
        if (c.useBias !== false) ins.push(g.init(`${l.name}/bias`, weight(l.name, "bias").shape, weight(l.name, "bias").data));
        y = g.node("Gemm", ins, 1, {}, l.name)[0]!;
        y = act(y, c.activation, 2, `${l.name}_act`);
        break;
      }
      case "Activation":
        y = c.activation === null || c.activation === "linear" ? g.node("Identity", [x], 1, {}, l.name)[0]! : act(x, c.activation, r, l.name);
        break;
      case "Dropout":
        y = g.node("Identity", [x], 1, {}, l.name)[0]!;
        break;
      case "BatchNorm": {
        const w = (n: string): string => g.init(`${l.name}/${n}`, weight(l.name, n).shape, weight(l.name, n).data);
        y = g.node("BatchNormalization", [x, w("gamma"), w("beta"), w("runningMean"), w("runningVar")], 1, { epsilon: { f: c.eps as number } }, l.name)[0]!;
        break;
      }
      case "ZeroPad2D": {
        const [[t, b], [le, ri]] = c.padding as [[number, number], [number, number]];
        y = g.node("Pad", [x, g.init(`${l.name}/pads`, [8], [0, 0, t, le, 0, 0, b, ri], INT64)], 1, {}, l.name)[0]!;
        break;
      }
      case "Add":
        y = g.node("Add", [x, value.get(l.inputs[1]!)!], 1, {}, l.inputs.length === 2 ? l.name : `${l.name}_0`)[0]!;
        for (let i = 2; i < l.inputs.length; i++) y = g.node("Add", [y, value.get(l.inputs[i]!)!], 1, {}, `${l.name}_${i}`)[0]!;
        break;
      case "Concat": {
        let a = c.axis as number;
        if (a < 0) a += r;
        const axis = r > 2 ? (a === r - 1 ? 1 : a + 1) : a;
        y = g.node("Concat", l.inputs.map((n) => value.get(n)!), 1, { axis }, l.name)[0]!;
        break;
      }
      default:
        throw new ValueError(`${fn}: layer '${l.name}' (${l.type}) has no ONNX export`);
    }
    value.set(l.name, y);
  }
  const graphOutputs: ProtoWriter[] = [];
  spec.outputs.layers.forEach((l, i) => {
    const r = rankOf(l);
    const name = spec.outputs.kind === "record" ? spec.outputs.names[i]! : spec.outputs.layers.length === 1 ? "output" : `output_${i}`;
    const nhwc = ["N", ...shapes.get(l)!];
    const toNhwc = layout === "NHWC" && r > 2;
    g.node(toNhwc ? "Transpose" : "Identity", [value.get(l)!], [name], toNhwc ? { perm: toLast(r) } : {}, `${name}_out`);
    const shown = r > 2 && layout === "NCHW" ? toFirst(r).map((p) => nhwc[p]!) : nhwc;
    graphOutputs.push(valueInfo(name, shown));
    outputsInfo.push({ name, shape: shown });
  });
  const graph = new ProtoWriter();
  for (const n of g.nodes) graph.message(1, n);
  graph.string(2, spec.name);
  for (const t of g.inits) graph.message(5, t);
  for (const i of graphInputs) graph.message(11, i);
  for (const o of graphOutputs) graph.message(12, o);
  const modelProto = new ProtoWriter()
    .varint(1, opset >= 21 ? 10 : opset >= 19 ? 9 : 8)
    .string(2, "convlab")
    .string(3, convlabVersion())
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, "").varint(2, opset))
    .message(14, new ProtoWriter().string(1, "convlab.layout").string(2, layout));
  return { bytes: modelProto.finish(), info: { opset, layout, inputs: inputsInfo, outputs: outputsInfo, ops: g.ops } };
}

/**
 * Exports a sequential or graph model to ONNX: `cl.io.exportOnnx(model, "lenet.onnx")`. Layers:
 * conv 1-D/2-D/3-D, depthwise, transposed conv 2-D (ConvTranspose), pooling, global pooling, dense, activations, batch-norm (with its
 * running statistics), dropout (identity), add, concat, flatten, zero padding, softmax. The
 * graph's batch axis is dynamic ("N"). Written atomically; returns what it wrote.
 */
export function exportOnnx(model: Model<Outputs>, path: string, opts: ExportOnnxOptions = {}): OnnxExportInfo {
  const fn = "io.exportOnnx";
  modelArg(fn, model);
  pathArg(fn, path);
  const { bytes, info } = encodeOnnxAs(model, opts, fn);
  writeAtomic(fn, path, bytes);
  return { path, ...info };
}

// ---------------------------------------------------------------------------------------------
// Import

interface OnnxNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, ProtoField[]>;
}

interface OnnxTensor {
  dims: number[];
  data: Float32Array;
}

function decodeTensor(fields: ProtoField[], what: string): { name: string } & OnnxTensor {
  const dims = proto.ints(fields, 1);
  const type = proto.int(fields.find((f) => f.field === 2) ?? { field: 2, wire: 0, int: 1n });
  const name = proto.str(fields.find((f) => f.field === 8) ?? { field: 8, wire: 2 });
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = fields.find((f) => f.field === 9)?.bytes;
  const data = new Float32Array(count);
  if (raw) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = type === FLOAT ? 4 : type === INT64 ? 8 : type === 11 ? 8 : 0;
    if (!size) throw new ValueError(`${what}: initializer "${name}" has unsupported data type ${type}`);
    if (raw.length !== size * count) throw new ValueError(`${what}: initializer "${name}" has ${raw.length} bytes, its dims [${dims.join(",")}] need ${size * count}`);
    for (let i = 0; i < count; i++) data[i] = type === FLOAT ? dv.getFloat32(4 * i, true) : type === INT64 ? Number(dv.getBigInt64(8 * i, true)) : dv.getFloat64(8 * i, true);
  } else if (type === FLOAT) data.set(proto.floats(fields, 4).slice(0, count));
  else if (type === INT64) data.set(proto.ints(fields, 7).slice(0, count));
  return { name, dims, data };
}

/** Whether ONNX `pads` are what "same" (TensorFlow's, as convlab's) gives for these sizes. */
function isSame(n: readonly number[], f: readonly number[], s: readonly number[], d: readonly number[], pads: readonly number[]): boolean {
  try {
    const axes = resolveAxes("io.importOnnx", "filter", n, f, s, d, "same");
    return axes.every((a, i) => a.before === pads[i] && a.after === pads[n.length + i]);
  } catch {
    return false;
  }
}

/** Reads back a model written by `exportOnnx` (or any ONNX graph of the same op set) as a convlab model (channels-last). */
export function decodeOnnx(bytes: Uint8Array, what = "onnx"): Model<Outputs> {
  const fn = "io.importOnnx";
  bytesArg("io.decodeOnnx", "bytes", bytes);
  stringArg("io.decodeOnnx", "what", what);
  const bad = (msg: string): ValueError => new ValueError(`${fn}: ${what}: ${msg}`);
  const modelFields = readProto(bytes, `${fn}: ${what}`);
  const graphBytes = modelFields.find((f) => f.field === 7 && f.wire === 2)?.bytes;
  if (!graphBytes) throw bad("no graph in the model (not an ONNX file?)");
  const gf = readProto(graphBytes, `${fn}: ${what} (graph)`);
  const str = (fs: ProtoField[], n: number): string[] => fs.filter((f) => f.field === n).map(proto.str);
  const nodes: OnnxNode[] = gf.filter((f) => f.field === 1).map((f) => {
    const nf = readProto(f.bytes!, `${fn}: ${what} (node)`);
    const attrs = new Map<string, ProtoField[]>();
    for (const a of nf.filter((x) => x.field === 5)) {
      const af = readProto(a.bytes!, `${fn}: ${what} (attribute)`);
      attrs.set(str(af, 1)[0] ?? "", af);
    }
    return { op: str(nf, 4)[0] ?? "", name: str(nf, 3)[0] ?? "", inputs: str(nf, 1), outputs: str(nf, 2), attrs };
  });
  const inits = new Map<string, OnnxTensor>();
  for (const f of gf.filter((x) => x.field === 5)) {
    const t = decodeTensor(readProto(f.bytes!, `${fn}: ${what} (initializer)`), `${fn}: ${what}`);
    inits.set(t.name, t);
  }
  const dimsOf = (vi: ProtoField[]): (number | string)[] => {
    const type = vi.find((f) => f.field === 2)?.bytes;
    if (!type) return [];
    const tt = readProto(type, what).find((f) => f.field === 1)?.bytes;
    const shape = tt ? readProto(tt, what).find((f) => f.field === 2)?.bytes : undefined;
    if (!shape) return [];
    return readProto(shape, what).filter((f) => f.field === 1).map((d) => {
      const df = readProto(d.bytes!, what);
      const v = df.find((x) => x.field === 1);
      return v ? proto.int(v) : proto.str(df.find((x) => x.field === 2) ?? { field: 2, wire: 2 });
    });
  };
  const graphInputs = gf.filter((f) => f.field === 11).map((f) => readProto(f.bytes!, what)).map((vi) => ({ name: str(vi, 1)[0]!, dims: dimsOf(vi) })).filter((i) => !inits.has(i.name));
  const graphOutputs = gf.filter((f) => f.field === 12).map((f) => str(readProto(f.bytes!, what), 1)[0]!);
  const meta = modelFields.filter((f) => f.field === 14).map((f) => readProto(f.bytes!, what));
  const layoutProp = meta.find((p) => str(p, 1)[0] === "convlab.layout");
  const layout = layoutProp ? str(layoutProp, 2)[0] : "NCHW";

  /**
   * Each ONNX value as a convlab tensor, with the layout its ONNX form has relative to convlab's;
   * `order` (flat values only): the ONNX index of each convlab feature, for a channels-first
   * tensor flattened in ONNX's order (PyTorch's `flatten`), which only a Gemm may read (its
   * weight rows are permuted into convlab's order).
   */
  type V = { t: SymbolicTensor; form: "first" | "last" | "flat"; order?: number[] };
  const vals = new Map<string, V>();
  /** Values that are shapes (Shape → Gather → Unsqueeze → Concat, as PyTorch's `x.view(x.size(0), -1)` exports): entries are sizes or "N", the batch. */
  const shapeVals = new Map<string, (number | "N")[]>();
  /** The ONNX dims of a value: the batch "N", then channels-first for spatial values. */
  const onnxDims = (v: V): (number | "N")[] => {
    const sh = v.t.shape;
    return v.form === "first" ? ["N", sh[sh.length - 1]!, ...sh.slice(0, -1)] : ["N", ...sh];
  };
  const inputs: SymbolicTensor[] = [];
  for (const i of graphInputs) {
    const dims = i.dims.slice(1);
    if (!dims.every((d) => typeof d === "number" && d > 0)) throw bad(`input "${i.name}" needs fixed dimensions after the batch, got [${i.dims.join(",")}]`);
    const d = dims as number[];
    const r = d.length + 1;
    const shape = r > 2 && layout !== "NHWC" ? toLast(r).slice(1).map((p) => d[p - 1]!) : d;
    const t = symbolicInput(shape, { name: i.name.replace(/\//g, "_") });
    inputs.push(t);
    vals.set(i.name, { t, form: r > 2 ? (layout === "NHWC" ? "last" : "first") : "flat" });
  }
  const attrInts = (n: OnnxNode, k: string): number[] | undefined => {
    const a = n.attrs.get(k);
    if (!a) return undefined;
    const ints = proto.ints(a, 8);
    if (ints.length) return ints;
    const i = a.find((f) => f.field === 3);
    return i ? [proto.int(i)] : undefined;
  };
  const attrFloat = (n: OnnxNode, k: string, d: number): number => {
    const f = n.attrs.get(k)?.find((x) => x.field === 2);
    return f ? proto.float(f) : d;
  };
  const attrTensor = (n: OnnxNode, k: string): OnnxTensor | undefined => {
    const t = n.attrs.get(k)?.find((f) => f.field === 5)?.bytes;
    return t ? decodeTensor(readProto(t, `${fn}: ${what} (attribute)`), `${fn}: ${what}`) : undefined;
  };
  const attrStr = (n: OnnxNode, k: string): string | undefined => {
    const f = n.attrs.get(k)?.find((x) => x.field === 4);
    return f ? proto.str(f) : undefined;
  };
  const init = (n: OnnxNode, i: number): OnnxTensor => {
    const t = inits.get(n.inputs[i]!);
    if (!t) throw bad(`node ${n.name} (${n.op}): input ${i} "${n.inputs[i]}" must be an initializer (a constant weight)`);
    return t;
  };
  const tensorOf = (t: OnnxTensor, shape?: number[]): Tensor => new Tensor(t.data, shape ?? t.dims);
  let count = 0;
  const layerName = (n: OnnxNode): string => (n.name || `${n.op.toLowerCase()}_${++count}`).replace(/\//g, "_").replace(/_n\d+$/, "");
  const used = new Set<string>();
  const uniqueName = (n: OnnxNode): string => {
    let s = layerName(n);
    while (used.has(s)) s = `${s}_${++count}`;
    used.add(s);
    return s;
  };
  const loads: [Layer, string, Tensor][] = [];
  const applied = (l: Layer, xs: SymbolicTensor[]): SymbolicTensor => l.apply(xs.length === 1 ? xs[0]! : xs);
  for (const n of nodes) {
    const get = (i: number): V => {
      const v = vals.get(n.inputs[i]!);
      if (!v) throw bad(`node ${n.name} (${n.op}) reads "${n.inputs[i]}", which no earlier node makes`);
      return v;
    };
    // constants and shape arithmetic (no layers): Constant, Identity of a constant, Shape, Gather, Unsqueeze, Concat of shapes
    if (n.op === "Constant") {
      const t = attrTensor(n, "value");
      if (!t) throw bad(`node ${n.name}: Constant without a tensor "value" is not supported`);
      inits.set(n.outputs[0]!, t);
      continue;
    }
    if (n.op === "Identity" && inits.has(n.inputs[0]!)) {
      inits.set(n.outputs[0]!, inits.get(n.inputs[0]!)!);
      continue;
    }
    if (n.op === "Shape") {
      const v = vals.get(n.inputs[0]!);
      if (!v) throw bad(`node ${n.name} (Shape) reads "${n.inputs[0]}", which no earlier node makes`);
      const dims = onnxDims(v);
      const start = attrInts(n, "start")?.[0] ?? 0, end = attrInts(n, "end")?.[0] ?? dims.length;
      shapeVals.set(n.outputs[0]!, dims.slice(start < 0 ? start + dims.length : start, end < 0 ? end + dims.length : end));
      continue;
    }
    const shapeOf = (name: string): (number | "N")[] | undefined => shapeVals.get(name) ?? (inits.has(name) && !vals.has(name) ? Array.from(inits.get(name)!.data) : undefined);
    if (n.op === "Gather" && shapeVals.has(n.inputs[0]!)) {
      const src = shapeVals.get(n.inputs[0]!)!;
      const idx = inits.get(n.inputs[1]!);
      if (!idx || (attrInts(n, "axis")?.[0] ?? 0) !== 0) throw bad(`node ${n.name}: Gather of a shape needs constant indices on axis 0`);
      shapeVals.set(n.outputs[0]!, Array.from(idx.data, (i) => src[i < 0 ? i + src.length : i]!));
      continue;
    }
    if ((n.op === "Unsqueeze" || n.op === "Squeeze") && shapeVals.has(n.inputs[0]!)) {
      shapeVals.set(n.outputs[0]!, shapeVals.get(n.inputs[0]!)!);
      continue;
    }
    if (n.op === "Concat" && n.inputs.some((i) => shapeVals.has(i)) && n.inputs.every((i) => shapeOf(i) !== undefined)) {
      shapeVals.set(n.outputs[0]!, n.inputs.flatMap((i) => shapeOf(i)!));
      continue;
    }
    const x = n.inputs.length ? get(0) : null;
    const set = (v: V): void => void vals.set(n.outputs[0]!, v);
    const name = (): string => uniqueName(n);
    const spatial = (v: V): void => {
      if (v.form !== "first") throw bad(`node ${n.name} (${n.op}) needs a channels-first (NCHW) input`);
    };
    switch (n.op) {
      case "Identity": case "Dropout":
        set(x!);
        break;
      case "Transpose": {
        const perm = attrInts(n, "perm") ?? [];
        const r = perm.length;
        if (x!.form === "first" && perm.join() === toLast(r).join()) set({ t: x!.t, form: "last" });
        else if (x!.form === "last" && perm.join() === toFirst(r).join()) set({ t: x!.t, form: "first" });
        else throw bad(`node ${n.name}: Transpose with perm [${perm.join(",")}] is not a layout change convlab can follow`);
        break;
      }
      case "Conv": {
        spatial(x!);
        const w = init(n, 0 + 1);
        const nd = w.dims.length - 2;
        const group = attrInts(n, "group")?.[0] ?? 1;
        const strides = attrInts(n, "strides") ?? new Array<number>(nd).fill(1);
        const dil = attrInts(n, "dilations") ?? new Array<number>(nd).fill(1);
        const pads = attrInts(n, "pads") ?? new Array<number>(2 * nd).fill(0);
        const before = pads.slice(0, nd), after = pads.slice(nd);
        const cin = x!.t.shape[nd]!;
        const depthwise = group > 1;
        if (depthwise && (group !== cin || w.dims[1] !== 1 || nd !== 2)) throw bad(`node ${n.name}: grouped Conv with group ${group} is supported only as a 2-D depthwise conv (group = input channels)`);
        let t = x!.t;
        let padding: number | number[] | "valid" | "same" = before.every((b, i) => b === after[i]) ? (before.every((b) => b === before[0]) ? before[0]! : before) : "valid";
        if (padding === "valid" && pads.some((p) => p > 0) && isSame(x!.t.shape.slice(0, nd), w.dims.slice(2), strides, dil, pads)) padding = "same" as never;
        else if (padding === "valid" && pads.some((p) => p > 0)) {
          if (nd !== 2) throw bad(`node ${n.name}: asymmetric padding is supported for 2-D convs only`);
          t = new ZeroPad2D({ name: `${name()}_pad`, padding: [[before[0]!, after[0]!], [before[1]!, after[1]!]] }).apply(t);
        }
        if (padding === 0) padding = "valid";
        const f = w.dims.slice(2);
        const kernel = tensorOf(w);
        const hasBias = n.inputs.length > 2 && n.inputs[2] !== "";
        const lname = name();
        const opts = { name: lname, size: f, stride: strides, dilation: dil, padding: padding as never, useBias: hasBias };
        let layer: Layer;
        let k: Tensor;
        if (depthwise) {
          const mult = w.dims[0]! / cin;
          layer = new DepthwiseConv2D({ ...opts, depthMultiplier: mult });
          // [c·mult, 1, f, f] → [f, f, c, mult]
          const p = permute(new Tensor(kernel.data, [cin, mult, f[0]!, f[1]!]), [2, 3, 0, 1]);
          k = new Tensor(p.data, p.dims);
        } else {
          const opt = { ...opts, filters: w.dims[0]!, size: nd === 1 ? f[0]! : f, stride: nd === 1 ? strides[0]! : strides, dilation: nd === 1 ? dil[0]! : dil, padding: (Array.isArray(padding) && nd === 1 ? padding[0] : padding) as never };
          layer = nd === 1 ? new Conv1D(opt) : nd === 2 ? new Conv2D(opt) : new Conv3D(opt);
          const p = permute(kernel, [...Array.from({ length: nd }, (_, i) => i + 2), 1, 0]);
          k = new Tensor(p.data, p.dims);
        }
        loads.push([layer, "kernel", k]);
        if (hasBias) loads.push([layer, "bias", tensorOf(init(n, 2))]);
        set({ t: applied(layer, [t]), form: "first" });
        break;
      }
      case "ConvTranspose": {
        spatial(x!);
        const w = init(n, 1);
        if (w.dims.length !== 4) throw bad(`node ${n.name}: ConvTranspose is supported in 2-D only (weight [${w.dims.join(",")}])`);
        if ((attrInts(n, "group")?.[0] ?? 1) !== 1) throw bad(`node ${n.name}: grouped ConvTranspose is not supported`);
        if (n.attrs.has("output_shape")) throw bad(`node ${n.name}: ConvTranspose with output_shape is not supported (give pads and output_padding)`);
        const auto = attrStr(n, "auto_pad");
        if (auto !== undefined && auto !== "NOTSET") throw bad(`node ${n.name}: ConvTranspose with auto_pad ${auto} is not supported`);
        const f = w.dims.slice(2);
        const strides = attrInts(n, "strides") ?? [1, 1];
        const dil = attrInts(n, "dilations") ?? [1, 1];
        const pads = attrInts(n, "pads") ?? [0, 0, 0, 0];
        const extra = attrInts(n, "output_padding") ?? [0, 0];
        const inSize = x!.t.shape.slice(0, 2);
        let padding: "valid" | "same" | number[];
        let outputPadding: number[] | undefined;
        if (pads[0] === pads[2] && pads[1] === pads[3]) {
          padding = pads[0] === 0 && pads[1] === 0 ? "valid" : [pads[0]!, pads[1]!];
          outputPadding = extra.some((e) => e > 0) ? extra : undefined;
        } else {
          const same = transposeAxes(fn, inSize, f, { stride: strides as never, dilation: dil as never, padding: "same" });
          if (!same.every((a, i) => a.before === pads[i] && a.after === pads[2 + i] && a.outputPadding === extra[i]))
            throw bad(`node ${n.name}: ConvTranspose pads [${pads.join(",")}] with output_padding [${extra.join(",")}] are neither symmetric nor convlab's "same"`);
          padding = "same";
        }
        const hasBias = n.inputs.length > 2 && n.inputs[2] !== "";
        let layer: Conv2DTranspose;
        try {
          layer = new Conv2DTranspose({ name: name(), filters: w.dims[1]!, size: f, stride: strides, dilation: dil, padding: padding as never, ...(outputPadding ? { outputPadding } : {}), useBias: hasBias });
        } catch (e) {
          throw bad(`node ${n.name}: ${(e as Error).message}`);
        }
        // ONNX [nC_prev, nC, f, f] → convlab [f, f, nC, nC_prev]
        const p = permute(tensorOf(w), [2, 3, 1, 0]);
        loads.push([layer, "kernel", new Tensor(p.data, p.dims)]);
        if (hasBias) loads.push([layer, "bias", tensorOf(init(n, 2))]);
        set({ t: applied(layer, [x!.t]), form: "first" });
        break;
      }
      case "MaxPool": case "AveragePool": {
        spatial(x!);
        if ((attrInts(n, "ceil_mode")?.[0] ?? 0) !== 0) throw bad(`node ${n.name}: ${n.op} with ceil_mode 1 is not supported`);
        if ((attrInts(n, "dilations") ?? []).some((d) => d !== 1)) throw bad(`node ${n.name}: ${n.op} with dilations is not supported`);
        if (n.op === "AveragePool" && (attrInts(n, "count_include_pad")?.[0] ?? 0) !== 0 && (attrInts(n, "pads") ?? []).some((p) => p > 0))
          throw bad(`node ${n.name}: AveragePool with count_include_pad 1 and padding is not supported (convlab excludes padded cells)`);
        const f = attrInts(n, "kernel_shape")!;
        const nd = f.length;
        const s = attrInts(n, "strides") ?? new Array<number>(nd).fill(1);
        const pads = attrInts(n, "pads") ?? new Array<number>(2 * nd).fill(0);
        const p = pads.slice(0, nd);
        const one = (v: number[]): number | number[] => (nd === 1 ? v[0]! : v);
        let padding: unknown = p.every((q) => q === 0) && pads.every((q) => q === 0) ? "valid" : one(p);
        if (pads.slice(0, nd).some((q, i) => q !== pads[nd + i])) {
          if (!isSame(x!.t.shape.slice(0, nd), f, s, new Array<number>(nd).fill(1), pads)) throw bad(`node ${n.name}: asymmetric pooling pads [${pads.join(",")}] are not supported (only TensorFlow's "same")`);
          padding = "same";
        }
        const opts = { name: name(), size: one(f), stride: one(s), padding: padding as never } as never;
        const max = n.op === "MaxPool";
        const layer = nd === 1 ? (max ? maxPool1d(opts) : avgPool1d(opts)) : nd === 2 ? (max ? maxPool2d(opts) : avgPool2d(opts)) : max ? maxPool3d(opts) : avgPool3d(opts);
        set({ t: applied(layer, [x!.t]), form: "first" });
        break;
      }
      case "GlobalAveragePool": case "GlobalMaxPool": {
        spatial(x!);
        const layer = n.op === "GlobalAveragePool" ? globalAvgPool2d({ name: name() }) : globalMaxPool2d({ name: name() });
        set({ t: applied(layer, [x!.t]), form: "flat" });
        break;
      }
      case "Flatten": case "Reshape": {
        if (n.op === "Flatten" && (attrInts(n, "axis")?.[0] ?? 1) !== 1) throw bad(`node ${n.name}: Flatten with axis ${attrInts(n, "axis")?.[0]} is not supported (only axis 1, keeping the batch)`);
        if (n.op === "Reshape") {
          // only a flatten that keeps the batch: target [N | 0 | -1, K | -1]
          const target = shapeOf(n.inputs[1]!);
          const features = x!.t.shape.reduce((a, b) => a * b, 1);
          const ok = target !== undefined && target.length === 2 && (target[0] === "N" || target[0] === 0 || (target[0] === -1 && target[1] === features)) && (target[1] === -1 || target[1] === features);
          if (!ok) throw bad(`node ${n.name}: Reshape to [${target?.join(",") ?? "?"}] of [N,${onnxDims(x!).slice(1).join(",")}] is not supported (only a flatten that keeps the batch: [N, -1])`);
        }
        if (x!.form === "first" && x!.t.shape.slice(0, -1).some((d) => d !== 1)) {
          // ONNX order (c, h, w, ...) of each convlab feature (h, w, ..., c)
          const sh = x!.t.shape, sp = sh.slice(0, -1), c = sh[sh.length - 1]!;
          const spatial = sp.reduce((a, b) => a * b, 1);
          const order = Array.from({ length: spatial * c }, (_, j) => (j % c) * spatial + Math.floor(j / c));
          set({ t: applied(new Flatten({ name: name() }), [x!.t]), form: "flat", order });
          break;
        }
        if (x!.order) throw bad(`node ${n.name}: ${n.op} of an already flattened tensor`);
        set(x!.t.shape.length > 1 ? { t: applied(new Flatten({ name: name() }), [x!.t]), form: "flat" } : { t: x!.t, form: "flat" });
        break;
      }
      case "Gemm": {
        const w = init(n, 1);
        const transB = attrInts(n, "transB")?.[0] ?? 0;
        const alpha = attrFloat(n, "alpha", 1), beta = attrFloat(n, "beta", 1);
        if (alpha !== 1 || beta !== 1 || (attrInts(n, "transA")?.[0] ?? 0) !== 0) throw bad(`node ${n.name}: Gemm with alpha/beta ≠ 1 or transA is not supported`);
        const units = transB ? w.dims[0]! : w.dims[1]!;
        const hasBias = n.inputs.length > 2 && n.inputs[2] !== "";
        const layer = new Dense({ name: name(), units, useBias: hasBias });
        let k = tensorOf(w);
        if (transB) {
          const p = permute(k, [1, 0]);
          k = new Tensor(p.data, p.dims);
        }
        if (x!.order) {
          // rows in convlab's feature order (the input was flattened channels-first)
          const order = x!.order, rows = new Float32Array(k.size);
          if (order.length !== k.shape[0]) throw bad(`node ${n.name}: Gemm weight has ${k.shape[0]} rows for ${order.length} features`);
          for (let j = 0; j < order.length; j++) rows.set(k.data.subarray(order[j]! * units, (order[j]! + 1) * units), j * units);
          k = new Tensor(rows, k.shape);
        }
        loads.push([layer, "kernel", k]);
        if (hasBias) loads.push([layer, "bias", tensorOf(init(n, 2), [units])]);
        set({ t: applied(layer, [x!.t]), form: "flat" });
        break;
      }
      case "Clip": {
        // Clip(0, 6) is relu6 (PyTorch's F.relu6 exports so), Clip(0, ∞) relu
        const bound = (i: number, k: string): number | undefined => {
          if (n.inputs[i]) {
            const t = inits.get(n.inputs[i]!);
            if (!t || t.data.length !== 1) throw bad(`node ${n.name}: Clip's ${k} must be a constant scalar`);
            return t.data[0]!;
          }
          const f = n.attrs.get(k)?.find((a) => a.field === 2);
          return f ? proto.float(f) : undefined;
        };
        const lo = bound(1, "min"), hi = bound(2, "max");
        const a = lo === 0 && hi === 6 ? "relu6" : lo === 0 && (hi === undefined || hi === Infinity) ? "relu" : null;
        if (!a) throw bad(`node ${n.name}: Clip to [${lo ?? "-∞"}, ${hi ?? "∞"}] is not supported (only [0, 6], relu6, and [0, ∞), relu)`);
        set({ t: applied(new ActivationLayer(a, { name: name() }), [x!.t]), form: x!.form, ...(x!.order ? { order: x!.order } : {}) });
        break;
      }
      case "Relu": case "Sigmoid": case "Tanh": case "LeakyRelu": case "Softmax": {
        const a = ({ Relu: "relu", Sigmoid: "sigmoid", Tanh: "tanh", LeakyRelu: "leakyRelu", Softmax: "softmax" } as const)[n.op];
        if (n.op === "LeakyRelu" && Math.abs(attrFloat(n, "alpha", 0.01) - 0.01) > 1e-7) throw bad(`node ${n.name}: LeakyRelu alpha must be 0.01 (convlab's)`);
        if (n.op === "Softmax") {
          const axis = attrInts(n, "axis")?.[0] ?? -1;
          const r = x!.t.shape.length + 1;
          const channels = x!.form === "first" ? axis === 1 : axis === -1 || axis === r - 1;
          if (!channels) throw bad(`node ${n.name}: Softmax over axis ${axis} is not over the channels`);
        }
        set({ t: applied(new ActivationLayer(a, { name: name() }), [x!.t]), form: x!.form, ...(x!.order ? { order: x!.order } : {}) });
        break;
      }
      case "BatchNormalization": {
        if (x!.form === "last" || x!.order) throw bad(`node ${n.name}: BatchNormalization of a channels-last (or channels-first flattened) tensor`);
        const layer = new BatchNorm({ name: name(), eps: attrFloat(n, "epsilon", 1e-5), momentum: 1 - attrFloat(n, "momentum", 0.9) });
        for (const [i, k] of (["gamma", "beta", "runningMean", "runningVar"] as const).entries()) loads.push([layer, k, tensorOf(init(n, i + 1))]);
        set({ t: applied(layer, [x!.t]), form: x!.form });
        break;
      }
      case "Pad": {
        spatial(x!);
        const pads = n.inputs[1] ? Array.from(init(n, 1).data) : (attrInts(n, "pads") ?? []);
        if (pads.length !== 8 || pads[0] || pads[1] || pads[4] || pads[5]) throw bad(`node ${n.name}: Pad is supported on the spatial axes of a 4-D tensor only`);
        set({ t: applied(new ZeroPad2D({ name: name(), padding: [[pads[2]!, pads[6]!], [pads[3]!, pads[7]!]] }), [x!.t]), form: "first" });
        break;
      }
      case "Add": {
        const b = get(1);
        if (b.form !== x!.form || (x!.order ?? []).join() !== (b.order ?? []).join()) throw bad(`node ${n.name}: Add of tensors in different layouts`);
        set({ t: applied(new Add({ name: name() }), [x!.t, b.t]), form: x!.form, ...(x!.order ? { order: x!.order } : {}) });
        break;
      }
      case "Concat": {
        const vs = n.inputs.map((_, i) => get(i));
        const r = x!.t.shape.length + 1;
        let axis = attrInts(n, "axis")?.[0] ?? 1;
        if (axis < 0) axis += r;
        const form = vs[0]!.form;
        if (vs.some((v) => v.form !== form || v.order)) throw bad(`node ${n.name}: Concat of tensors in different layouts (or flattened channels-first)`);
        const convlabAxis = form === "first" ? (axis === 1 ? -1 : axis - 1) : axis;
        set({ t: applied(new Concat({ name: name(), axis: convlabAxis }), vs.map((v) => v.t)), form });
        break;
      }
      default:
        throw bad(`node ${n.name}: op ${n.op} is not supported by convlab's importer`);
    }
  }
  const outs = graphOutputs.map((o) => {
    const v = vals.get(o);
    if (!v) throw bad(`output "${o}" is made by no node`);
    if (v.order) throw bad(`output "${o}" is a channels-first tensor flattened in ONNX's order, which convlab's flatten orders differently (only a Gemm after it is supported)`);
    return v.t;
  });
  let made: Model<Outputs>;
  try {
    const graphName = proto.str(gf.find((f) => f.field === 2) ?? { field: 2, wire: 2 }) || "onnx";
    made = graphModel({ inputs, outputs: outs.length === 1 ? outs[0]! : outs, name: graphName }) as unknown as Model<Outputs>;
  } catch (e) {
    throw bad(`the graph does not build: ${(e as Error).message}`);
  }
  for (const [layer, k, t] of loads) layer.assignWeight(k, t);
  return made;
}

/**
 * Reads an ONNX file into a convlab model (channels-last, like every convlab model):
 * `const m = cl.io.importOnnx("lenet.onnx")`. Supports the op set `exportOnnx` writes (Conv,
 * depthwise Conv, ConvTranspose, MaxPool, AveragePool, global pools, Gemm, Flatten, activations,
 * BatchNormalization, Pad, Add, Concat, Identity, layout Transposes) and what
 * `torch.onnx.export(..., dynamo=False)` writes for such nets: Constant nodes, Identity of
 * initializers, `x.view(x.size(0), -1)` (Shape, Gather, Unsqueeze, Concat, Reshape) and flatten
 * of NCHW tensors before a Gemm (whose weight rows are permuted into convlab's order).
 */
export function importOnnx<O extends Outputs = Tensor>(path: string): Model<O> {
  pathArg("io.importOnnx", path);
  return decodeOnnx(readFileBytes("io.importOnnx", path), path) as unknown as Model<O>;
}
