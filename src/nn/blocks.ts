// Blocks for graph models: the residual block of ResNets and the inception module of GoogLeNet.
// A block is not a layer: `block.apply(x)` adds its layers to the graph one by one, named
// `<block name>_<part>` as Keras applications name them (`conv2_block1_1_conv`), so a summary
// shows every layer, weights map by name and a sub-model can be cut at any of them.
import { ValueError } from "../util/errors.js";
import { Layer, SymbolicTensor, batchShape } from "./layer.js";
import { Conv2D } from "./layers/conv.js";
import { ActivationLayer, BatchNorm } from "./layers/core.js";
import { Add, Concat } from "./layers/merge.js";
import { maxPool2d } from "./layers/pool.js";
import type { Activation } from "./activation.js";
import type { Initializer } from "./initializers.js";

/** A group of layers applied together in a graph model. */
export interface Block {
  /** The prefix of the block's layer names (undefined: the model names each layer `<kind>_<n>`). */
  readonly name: string | undefined;
  /** The block's layers, in the order they are applied (empty until the first `apply`). */
  readonly layers: readonly Layer[];
  /** Adds the block to the graph after `x` and returns its output. A second call shares the weights. */
  apply(x: SymbolicTensor): SymbolicTensor;
}

/** Options of a convolution unit: conv → [batch-norm] → [activation]. @internal */
export interface ConvUnitOptions {
  filters: number;
  size: number;
  stride?: number;
  padding?: number;
  batchNorm: boolean;
  eps: number;
  activation: Activation | undefined;
  kernelInitializer: Initializer;
}

/**
 * conv → batch-norm → activation, the unit torchvision calls `BasicConv2d` (ResNet and GoogLeNet).
 * With batch-norm the conv has no bias (the norm's beta replaces it, as in torchvision); without
 * it the activation is fused into the conv. Names: `<name>_conv`, `<name>_bn`, `<name>_relu`.
 */
export function convUnit(name: string | undefined, o: ConvUnitOptions): Layer[] {
  const n = (part: string): { name?: string } => (name === undefined ? {} : { name: `${name}_${part}` });
  const conv = new Conv2D({
    ...n("conv"),
    filters: o.filters,
    size: o.size,
    stride: o.stride ?? 1,
    padding: o.padding ?? 0,
    useBias: !o.batchNorm,
    kernelInitializer: o.kernelInitializer,
    ...(o.batchNorm || o.activation === undefined ? {} : { activation: o.activation }),
  });
  if (!o.batchNorm) return [conv];
  const layers: Layer[] = [conv, new BatchNorm({ ...n("bn"), eps: o.eps })];
  if (o.activation !== undefined) layers.push(new ActivationLayer(o.activation, n(typeof o.activation === "string" ? o.activation : "act")));
  return layers;
}

/** Applies layers one after the other. @internal */
export function chain(layers: readonly Layer[], x: SymbolicTensor): SymbolicTensor {
  return layers.reduce((h, l) => l.apply(h), x);
}

function checkName(owner: string, name: unknown): void {
  if (name !== undefined && (typeof name !== "string" || name === "" || name.includes("/")))
    throw new ValueError(`${owner}: name must be a non-empty string without '/', got ${JSON.stringify(name)}`);
}

function checkInt(owner: string, what: string, v: unknown, min = 1): void {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min)
    throw new ValueError(`${owner}: ${what} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
}

function checkSymbolic(owner: string, x: unknown): asserts x is SymbolicTensor {
  if (!(x instanceof SymbolicTensor))
    throw new ValueError(`${owner}: apply() takes a symbolic tensor from cl.nn.input() or a layer's apply(), got ${x === null ? "null" : typeof x}`);
}

function checkImage(owner: string, x: SymbolicTensor): number {
  if (x.shape.length !== 3) throw new ValueError(`${owner}: expected input [m,nH,nW,nC], got ${batchShape(x.shape)}`);
  return x.shape[2]!;
}

// ---------------------------------------------------------------------------------------------
// Residual block

export interface ResidualBlockOptions {
  /**
   * Width of the block's convolutions. A basic block outputs `filters` channels; a bottleneck
   * block outputs `expansion · filters` (ResNet-50's first block: filters 64 → 256 channels).
   */
  filters: number;
  /** "basic" (two 3×3 convs: ResNet-18/34) or "bottleneck" (1×1 → 3×3 → 1×1: ResNet-50/101/152). Default "basic". */
  kind?: "basic" | "bottleneck";
  /** Stride of the block (2 halves nH and nW); default 1. */
  stride?: number;
  /**
   * "auto" (default): the identity when the input already has the output's shape, else a
   * projection. "identity": `a[l]` is added as it is (its shape must fit). "projection": a 1×1
   * conv with the block's stride (and a batch-norm) maps `a[l]` to the output's shape, `W_s a[l]`.
   * "none": no shortcut, `a[l+2] = g(z[l+2])` — the "plain" block residual nets are compared with.
   */
  shortcut?: "auto" | "identity" | "projection" | "none";
  /** Output channels of a bottleneck block per unit of `filters` (default 4). */
  expansion?: number;
  /** Batch-norm after every conv (default true, as in ResNets); false gives the course's plain `z = W a + b` convs. */
  batchNorm?: boolean;
  /** Batch-norm epsilon (default 1e-5, PyTorch's). */
  eps?: number;
  /** g, applied inside the block and after the addition (default "relu"). */
  activation?: Activation;
  /** Conv kernel initializer (default "heNormal", as torchvision's ResNets). */
  kernelInitializer?: Initializer;
  /** Prefix of the layer names, e.g. "conv2_block1" → conv2_block1_1_conv, …, conv2_block1_add, conv2_block1_out. */
  name?: string;
}

/**
 * A residual block, `a[l+2] = g(z[l+2] + a[l])`: the main path's last linear output z[l+2] (after
 * its batch-norm) plus the shortcut, then g. Layer names follow Keras applications, with `<name>`
 * the block's name:
 *
 * - basic: `<name>_1_conv` 3×3/s → `_1_bn` → `_1_relu` → `_2_conv` 3×3 → `_2_bn`
 * - bottleneck: `_1_conv` 1×1 → `_1_bn` → `_1_relu` → `_2_conv` 3×3/s → `_2_bn` → `_2_relu` → `_3_conv` 1×1 (expansion·filters) → `_3_bn`
 * - projection shortcut: `_0_conv` 1×1/s → `_0_bn`; then `<name>_add` and `<name>_out` (g)
 *
 * As in torchvision, a 3×3 conv pads 1 on every side and a strided bottleneck puts its stride on
 * the 3×3 conv ("ResNet v1.5"; the paper strides the first 1×1). Convs before a batch-norm have
 * no bias.
 *
 *   const x = cl.nn.input([56, 56, 64]);
 *   const y = cl.nn.residualBlock({ filters: 128, stride: 2, name: "conv3_block1" }).apply(x); // [m,28,28,128], projection
 */
export function residualBlock(opts: ResidualBlockOptions): Block {
  const owner = `residualBlock${opts?.name !== undefined ? ` '${String(opts.name)}'` : ""}`;
  if (typeof opts !== "object" || opts === null) throw new ValueError(`residualBlock: expected options { filters, kind?, stride?, shortcut?, name? }, got ${String(opts)}`);
  checkName("residualBlock", opts.name);
  checkInt(owner, "filters", opts.filters);
  const kind = opts.kind ?? "basic";
  if (kind !== "basic" && kind !== "bottleneck") throw new ValueError(`${owner}: kind must be "basic" or "bottleneck", got ${JSON.stringify(opts.kind)}`);
  const stride = opts.stride ?? 1;
  checkInt(owner, "stride", stride);
  const shortcut = opts.shortcut ?? "auto";
  if (!["auto", "identity", "projection", "none"].includes(shortcut))
    throw new ValueError(`${owner}: shortcut must be "auto", "identity", "projection" or "none", got ${JSON.stringify(opts.shortcut)}`);
  const expansion = opts.expansion ?? 4;
  checkInt(owner, "expansion", expansion);
  const batchNorm = opts.batchNorm ?? true;
  const eps = opts.eps ?? 1e-5;
  if (!(typeof eps === "number" && eps > 0)) throw new ValueError(`${owner}: eps must be a positive number, got ${JSON.stringify(opts.eps)}`);
  const g = opts.activation ?? "relu";
  const init = opts.kernelInitializer ?? "heNormal";
  const outChannels = kind === "basic" ? opts.filters : expansion * opts.filters;
  const name = opts.name;
  const part = (p: string): string | undefined => (name === undefined ? undefined : `${name}_${p}`);

  let built: { main: Layer[]; short: Layer[]; add: Add | null; out: ActivationLayer } | null = null;
  const layers: Layer[] = [];
  const build = (nC_prev: number, shape: readonly number[]): NonNullable<typeof built> => {
    const unit = (p: string, filters: number, size: number, s: number, act: boolean): Layer[] =>
      convUnit(part(p), { filters, size, stride: s, padding: size === 3 ? 1 : 0, batchNorm, eps, activation: act ? g : undefined, kernelInitializer: init });
    const main =
      kind === "basic"
        ? [...unit("1", opts.filters, 3, stride, true), ...unit("2", opts.filters, 3, 1, false)]
        : [...unit("1", opts.filters, 1, 1, true), ...unit("2", opts.filters, 3, stride, true), ...unit("3", outChannels, 1, 1, false)];
    const fits = stride === 1 && nC_prev === outChannels;
    if (shortcut === "identity" && !fits)
      throw new ValueError(
        `${owner}: an identity shortcut needs the input's shape, but the block maps ${batchShape(shape)} to ${outChannels} channels with stride ${stride}; use shortcut: "projection" (or "auto")`,
      );
    const short = shortcut === "projection" || (shortcut === "auto" && !fits) ? unit("0", outChannels, 1, stride, false) : [];
    const nameOf = (p: string): { name?: string } => (name === undefined ? {} : { name: `${name}_${p}` });
    const b = { main, short, add: shortcut === "none" ? null : new Add(nameOf("add")), out: new ActivationLayer(g, nameOf("out")) };
    layers.push(...short, ...main, ...(b.add ? [b.add] : []), b.out);
    return b;
  };

  return {
    name,
    layers,
    apply(x: SymbolicTensor): SymbolicTensor {
      checkSymbolic(owner, x);
      const nC_prev = checkImage(owner, x);
      built ??= build(nC_prev, x.shape);
      if (!built.add) return built.out.apply(chain(built.main, x)); // plain: g(z[l+2])
      // The shortcut first, as Keras applications order it (summaries and weight files list it first).
      const a = chain(built.short, x); // a[l] (or W_s a[l])
      const z = chain(built.main, x); // z[l+2]
      return built.out.apply(built.add.apply([a, z]));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Inception module

export interface InceptionModuleOptions {
  /** Filters of the 1×1 branch. */
  filters1x1: number;
  /** 1×1 "bottleneck" channels before the 3×3 conv. */
  reduce3x3: number;
  filters3x3: number;
  /** 1×1 bottleneck channels before the 5×5 conv. */
  reduce5x5: number;
  filters5x5: number;
  /** Filters of the 1×1 conv after the 3×3/s1 max-pool. */
  poolProj: number;
  /**
   * Kernel size of the "5×5" branch (default 5, as in the paper and the course). torchvision's
   * GoogLeNet uses 3 there (a known slip it keeps for its pretrained weights), which is what
   * `cl.models.googlenet()` does by default.
   */
  size5x5?: number;
  /** Batch-norm after each conv (default true, as torchvision's GoogLeNet); false: conv with bias and ReLU as in the paper. */
  batchNorm?: boolean;
  /** Batch-norm epsilon (default 1e-3, torchvision's GoogLeNet). */
  eps?: number;
  /** Conv kernel initializer (default "glorotUniform"). */
  kernelInitializer?: Initializer;
  /** Prefix of the layer names, e.g. "inception3a" → inception3a_1x1_conv, inception3a_3x3_reduce_conv, …, inception3a_concat. */
  name?: string;
}

/**
 * An inception module: four branches on the same input, concatenated on the channels —
 * 1×1 conv; 1×1 → 3×3 conv; 1×1 → 5×5 conv; 3×3/s1 max-pool → 1×1 conv. Every conv is "same"
 * (the spatial size is kept) and followed by ReLU. Output channels:
 * `filters1x1 + filters3x3 + filters5x5 + poolProj`.
 *
 * The 1×1 bottlenecks are what make it affordable (COURSE.md): a 5×5 same conv with 32 filters
 * on 28×28×192 takes 28·28·32·5·5·192 = 120,422,400 multiplications; through a 16-channel 1×1
 * first, 28·28·16·192 + 28·28·32·5·5·16 = 12,443,648 (see the `mults` column of `summary()`).
 *
 * Branch names: `<name>_1x1`, `<name>_3x3_reduce`, `<name>_3x3`, `<name>_5x5_reduce`,
 * `<name>_5x5`, `<name>_pool`, `<name>_pool_proj`, each conv unit as `_conv` (+ `_bn`, `_relu`);
 * the output is `<name>_concat`.
 *
 *   const x = cl.nn.input([28, 28, 192]);
 *   const y = cl.nn.inceptionModule({ filters1x1: 64, reduce3x3: 96, filters3x3: 128, reduce5x5: 16, filters5x5: 32, poolProj: 32, name: "inception3a" }).apply(x); // [m,28,28,256]
 */
export function inceptionModule(opts: InceptionModuleOptions): Block {
  const owner = `inceptionModule${opts?.name !== undefined ? ` '${String(opts.name)}'` : ""}`;
  if (typeof opts !== "object" || opts === null)
    throw new ValueError(`inceptionModule: expected options { filters1x1, reduce3x3, filters3x3, reduce5x5, filters5x5, poolProj }, got ${String(opts)}`);
  checkName("inceptionModule", opts.name);
  for (const k of ["filters1x1", "reduce3x3", "filters3x3", "reduce5x5", "filters5x5", "poolProj"] as const) checkInt(owner, k, opts[k]);
  const size5 = opts.size5x5 ?? 5;
  checkInt(owner, "size5x5", size5);
  if (size5 % 2 === 0) throw new ValueError(`${owner}: size5x5 must be odd so that the branch keeps the spatial size, got ${size5}`);
  const batchNorm = opts.batchNorm ?? true;
  const eps = opts.eps ?? 1e-3;
  if (!(typeof eps === "number" && eps > 0)) throw new ValueError(`${owner}: eps must be a positive number, got ${JSON.stringify(opts.eps)}`);
  const init = opts.kernelInitializer ?? "glorotUniform";
  const name = opts.name;
  const part = (p: string): string | undefined => (name === undefined ? undefined : `${name}_${p}`);
  const unit = (p: string, filters: number, size: number): Layer[] =>
    convUnit(part(p), { filters, size, padding: (size - 1) / 2, batchNorm, eps, activation: "relu", kernelInitializer: init });

  const branches: Layer[][] = [
    unit("1x1", opts.filters1x1, 1),
    [...unit("3x3_reduce", opts.reduce3x3, 1), ...unit("3x3", opts.filters3x3, 3)],
    [...unit("5x5_reduce", opts.reduce5x5, 1), ...unit("5x5", opts.filters5x5, size5)],
    [maxPool2d({ ...(name === undefined ? {} : { name: `${name}_pool` }), size: 3, stride: 1, padding: 1 }), ...unit("pool_proj", opts.poolProj, 1)],
  ];
  const concat = new Concat(name === undefined ? {} : { name: `${name}_concat` });
  const layers: Layer[] = [...branches.flat(), concat];
  return {
    name,
    layers,
    apply(x: SymbolicTensor): SymbolicTensor {
      checkSymbolic(owner, x);
      checkImage(owner, x);
      return concat.apply(branches.map((b) => chain(b, x)));
    },
  };
}

