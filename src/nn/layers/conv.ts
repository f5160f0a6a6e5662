// Convolution layers: conv1d, conv2d, conv3d and depthwiseConv2d. Weights f×…×f×nC_prev×nC (course
// notation), bias [nC]; the op does the work, the layer checks config and shapes.
import type { Tensor } from "../../tensor/tensor.js";
import type { Rng } from "../../util/rng.js";
import { sizeOf } from "../../tensor/shape.js";
import * as c2 from "../../ops/conv2d.js";
import * as c1 from "../../ops/conv1d.js";
import * as c3 from "../../ops/conv3d.js";
import * as dw from "../../ops/depthwise.js";
import * as ct from "../../ops/conv2dTranspose.js";
import { explicitPadding, type Padding } from "../../ops/padding.js";
import { Layer, batchShape, type CallContext, type LayerOptions, type Shape, keepsNoInputs } from "../layer.js";
import { activationFn, activationName, epilogueOf, type Activation, type FusedActivation } from "../activation.js";
import { checkInitializer, type Initializer } from "../initializers.js";
import { bool } from "../args.js";

type Tuple = number | readonly number[];

export interface ConvLayerOptions extends LayerOptions {
  /** nC, the number of filters (output channels). */
  filters: number;
  /** f, or one f per spatial axis. */
  size: Tuple;
  /** s (default 1). */
  stride?: Tuple;
  /** "valid" (default), "same", p or one p per axis. */
  padding?: Padding;
  dilation?: Tuple;
  activation?: Activation;
  /** Add a bias b [nC] (default true). */
  useBias?: boolean;
  kernelInitializer?: Initializer;
  biasInitializer?: Initializer;
}

export interface ConvTransposeLayerOptions extends ConvLayerOptions {
  /**
   * op, or [opH, opW] (default 0): rows/columns added at the bottom/right of the output
   * (PyTorch's `output_padding`; each < max(s, d); "valid" or explicit padding only).
   */
  outputPadding?: Tuple;
}

export interface DepthwiseLayerOptions extends Omit<ConvLayerOptions, "filters"> {
  /** Output channels per input channel (default 1). */
  depthMultiplier?: number;
}

const LAYOUTS: Record<number, string> = { 1: "[m,n,nC_prev]", 2: "[m,nH,nW,nC_prev]", 3: "[m,nD,nH,nW,nC_prev]" };

type ShapeRule = (x: readonly number[], w: readonly number[], opts: object) => number[];
type ConvOp = (x: Tensor, w: Tensor, opts: object) => Tensor;

/** Shared by all convolution layers: nd spatial axes, weights [...f, c, k]. */
export abstract class ConvBase extends Layer {
  // Getters (not fields) in the subclasses, so they are there while this constructor checks the config.
  protected abstract get nd(): number;
  protected abstract get rule(): ShapeRule;
  protected abstract get op(): ConvOp;
  readonly config: ConvTransposeLayerOptions;
  private readonly act: (x: Tensor) => Tensor;

  constructor(opts: ConvLayerOptions, nd: number, depthwise = false) {
    super(opts);
    this.config = { ...opts };
    if (!depthwise) this.positiveInt("filters", opts?.filters);
    this.positiveInt("size", opts?.size, nd > 1 ? nd : 0);
    if (opts.stride !== undefined) this.positiveInt("stride", opts.stride, nd > 1 ? nd : 0);
    if (opts.dilation !== undefined) this.positiveInt("dilation", opts.dilation, nd > 1 ? nd : 0);
    if (opts.padding !== undefined) explicitPadding(this.label, opts.padding, nd);
    bool(this.label, "useBias", opts.useBias, true);
    checkInitializer(this.label, "kernelInitializer", opts.kernelInitializer);
    checkInitializer(this.label, "biasInitializer", opts.biasInitializer);
    this.act = activationFn(opts.activation, this.label);
  }

  protected sizes(): number[] {
    const s = this.config.size;
    return typeof s === "number" ? new Array<number>(this.nd).fill(s) : [...s];
  }

  /** Filter shape for c input channels. */
  protected abstract filterShape(c: number): number[];

  protected opOptions(): object {
    const { stride, padding, dilation } = this.config;
    return { stride, padding, dilation };
  }

  outputShape(inputShapes: Shape[]): number[] {
    const x = inputShapes[0]!;
    if (x.length !== this.nd + 1) throw this.error(`expected input ${LAYOUTS[this.nd]}, got ${batchShape(x)}`);
    const c = x[this.nd]!;
    if (this.inputShapes) {
      const built = this.inputShapes[0]![this.nd]!;
      if (c !== built) throw this.error(`input has ${c} channels but the layer was built for ${built} (input ${batchShape(x)})`);
    }
    try {
      return this.rule([1, ...x], this.filterShape(c), this.opOptions()).slice(1);
    } catch (e) {
      throw this.error((e as Error).message);
    }
  }

  protected override createWeights(inputShapes: Shape[], rng: Rng): void {
    const c = inputShapes[0]![this.nd]!;
    const fs = this.filterShape(c);
    this.addWeight("kernel", fs, this.config.kernelInitializer ?? "glorotUniform", rng);
    // one bias per output channel: nC (depthwise: nC_prev·depthMultiplier)
    const k = this.kind === "depthwiseConv2d" ? c * fs[fs.length - 1]! : this.kind === "conv2dTranspose" ? this.config.filters : fs[fs.length - 1]!;
    if (this.config.useBias ?? true) this.addWeight("bias", [k], this.config.biasInitializer ?? "zeros", rng);
  }

  protected compute(xs: Tensor[], _ctx: CallContext): Tensor {
    const bias = this.config.useBias ?? true ? this.weight("bias") : undefined;
    const a = this.config.activation;
    // relu, relu6 and leaky ReLU are fused into the convolution's output pass (the same values, one pass)
    const f = epilogueOf(a);
    if (f) return this.op(xs[0]!, this.weight("kernel"), { ...this.opOptions(), bias, ...f });
    return this.act(this.op(xs[0]!, this.weight("kernel"), { ...this.opOptions(), bias }));
  }

  /**
   * This convolution with a folded per-channel factor and shift and a fused activation:
   * act(conv(x)·scale + shift), one op (`shift` replaces the layer's bias; nn/fusion.ts folds a
   * following batch-norm and activation into it for inference). @internal
   */
  callFused(x: Tensor, post: { scale: Tensor | null; shift: Tensor | null; activation: FusedActivation }): Tensor {
    const xs = this.checkCall(x);
    const opts: Record<string, unknown> = { ...this.opOptions(), ...post.activation };
    if (post.shift) opts.bias = post.shift;
    if (post.scale) opts.scale = post.scale;
    return this.op(xs[0]!, this.weight("kernel"), opts);
  }

  /** Whether callFused may stand for this layer: its own activation is none (linear). @internal */
  get fusable(): boolean {
    const a = this.config.activation;
    return a === undefined || a === "linear";
  }

  override mults(inputShapes: Shape[]): number {
    const out = this.outputShape(inputShapes);
    const c = inputShapes[0]![this.nd]!;
    // each output value is a dot product over the receptive field f·…·f·c (depthwise: f·…·f)
    const perOutput = sizeOf(this.sizes()) * (this.kind === "depthwiseConv2d" ? 1 : c);
    return sizeOf(out) * perOutput;
  }

  override describe(): string {
    const { stride = 1, padding = "valid", dilation } = this.config;
    const f = this.sizes();
    const parts = [`f=${f.every((v) => v === f[0]) ? f[0] : f.join("×")}`, `s=${Array.isArray(stride) ? stride.join("×") : stride}`, `p=${Array.isArray(padding) ? padding.join("×") : padding}`];
    if (dilation !== undefined && dilation !== 1) parts.push(`d=${Array.isArray(dilation) ? dilation.join("×") : dilation}`);
    const op = this.config.outputPadding;
    if (op !== undefined && op !== 0) parts.push(`op=${Array.isArray(op) ? op.join("×") : op}`);
    if (this.config.activation !== undefined) parts.push(activationName(this.config.activation));
    return parts.join(" ");
  }
}

export class Conv2D extends ConvBase {
  get type(): string { return "Conv2D"; }
  get kind(): string { return "conv2d"; }
  protected get nd(): number { return 2; }
  protected get rule(): ShapeRule { return c2.conv2dShape as ShapeRule; }
  protected get op(): ConvOp { return c2.conv2d as ConvOp; }
  constructor(opts: ConvLayerOptions) {
    super(opts, 2);
  }
  protected filterShape(c: number): number[] {
    return [...this.sizes(), c, this.config.filters];
  }
}

export class Conv1D extends ConvBase {
  get type(): string { return "Conv1D"; }
  get kind(): string { return "conv1d"; }
  protected get nd(): number { return 1; }
  protected get rule(): ShapeRule { return c1.conv1dShape as ShapeRule; }
  protected get op(): ConvOp { return c1.conv1d as ConvOp; }
  constructor(opts: ConvLayerOptions) {
    super(opts, 1);
  }
  protected filterShape(c: number): number[] {
    return [...this.sizes(), c, this.config.filters];
  }
}

export class Conv3D extends ConvBase {
  get type(): string { return "Conv3D"; }
  get kind(): string { return "conv3d"; }
  protected get nd(): number { return 3; }
  protected get rule(): ShapeRule { return c3.conv3dShape as ShapeRule; }
  protected get op(): ConvOp { return c3.conv3d as ConvOp; }
  constructor(opts: ConvLayerOptions) {
    super(opts, 3);
  }
  protected filterShape(c: number): number[] {
    return [...this.sizes(), c, this.config.filters];
  }
}

export class DepthwiseConv2D extends ConvBase {
  get type(): string { return "DepthwiseConv2D"; }
  get kind(): string { return "depthwiseConv2d"; }
  protected get nd(): number { return 2; }
  protected get rule(): ShapeRule { return dw.depthwiseConv2dShape as ShapeRule; }
  protected get op(): ConvOp { return dw.depthwiseConv2d as ConvOp; }
  private readonly mult: number;
  constructor(opts: DepthwiseLayerOptions) {
    super({ ...opts, filters: 0 }, 2, true);
    this.mult = opts.depthMultiplier ?? 1;
    this.positiveInt("depthMultiplier", this.mult);
  }
  protected filterShape(c: number): number[] {
    return [...this.sizes(), c, this.mult];
  }
}

/**
 * A transposed 2-D convolution ("deconvolution", upsampling) layer over `cl.conv2dTranspose`:
 * input [m,nH,nW,nC_prev] → [m,nH',nW',filters] with nH' = (nH − 1)·s + f − 2p + op ("valid": p = 0;
 * "same": nH·s), as Keras' Conv2DTranspose and PyTorch's ConvTranspose2d. Kernel
 * [f, f, filters, nC_prev] (Keras' layout: the filter of the conv2d from `filters` to nC_prev
 * channels that it transposes; PyTorch's weight is its permutation [nC_prev, filters, f, f]),
 * bias [filters]. Parameters f·f·nC_prev·filters + filters; mults nH·nW·nC_prev·f·f·filters per
 * example (every input value times every filter weight it spreads to).
 */
export class Conv2DTranspose extends ConvBase {
  get type(): string { return "Conv2DTranspose"; }
  get kind(): string { return "conv2dTranspose"; }
  protected get nd(): number { return 2; }
  protected get rule(): ShapeRule { return ct.conv2dTransposeShape as ShapeRule; }
  protected get op(): ConvOp { return ct.conv2dTranspose as ConvOp; }
  constructor(opts: ConvTransposeLayerOptions) {
    super(opts, 2);
    if (opts.outputPadding !== undefined) {
      const op = opts.outputPadding;
      const ok = (e: unknown): boolean => typeof e === "number" && Number.isInteger(e) && e >= 0;
      if (!(ok(op) || (Array.isArray(op) && op.length === 2 && op.every(ok))))
        throw this.configError(`outputPadding must be a non-negative integer (or 2 of them), got ${JSON.stringify(op) ?? String(op)}`);
      // the op's own checks (op < max(s, d), not with "same"), at construction
      try {
        ct.transposeAxes(this.label, [1, 1], this.sizes(), this.opOptions());
      } catch (e) {
        throw this.configError((e as Error).message.slice(this.label.length + 2));
      }
    }
  }
  protected override opOptions(): object {
    const { stride, padding, dilation, outputPadding } = this.config;
    return { stride, padding, dilation, outputPadding };
  }
  protected filterShape(c: number): number[] {
    return [...this.sizes(), this.config.filters, c];
  }
  override mults(inputShapes: Shape[]): number {
    this.outputShape(inputShapes);
    return sizeOf(inputShapes[0]!) * sizeOf(this.sizes()) * this.config.filters;
  }
}

/** A 2-D convolution layer: `cl.nn.conv2d({ filters: 8, size: 5, activation: "relu" })`; input [m,nH,nW,nC_prev] → [m,nH',nW',filters]. */
export const conv2d = (opts: ConvLayerOptions): Conv2D => new Conv2D(opts);
/** A transposed 2-D convolution layer: `cl.nn.conv2dTranspose({ filters: 8, size: 3, stride: 2, padding: "same" })` upsamples [m,7,7,16] → [m,14,14,8]. */
export const conv2dTranspose = (opts: ConvTransposeLayerOptions): Conv2DTranspose => new Conv2DTranspose(opts);
/** A 1-D convolution layer on [m,n,c]. */
export const conv1d = (opts: ConvLayerOptions): Conv1D => new Conv1D(opts);
/** A 3-D convolution layer on [m,d,h,w,c]. */
export const conv3d = (opts: ConvLayerOptions): Conv3D => new Conv3D(opts);
/** A depthwise 2-D convolution layer: each input channel gets its own depthMultiplier filters. */
export const depthwiseConv2d = (opts: DepthwiseLayerOptions): DepthwiseConv2D => new DepthwiseConv2D(opts);

keepsNoInputs(Conv2D, Conv1D, Conv3D, DepthwiseConv2D, Conv2DTranspose);
