// Parameter-free and normalization layers: flatten, activation, dropout, batchNorm, zeroPad2d.
import type { Tensor } from "../../tensor/tensor.js";
import { Rng, defaultRng } from "../../util/rng.js";
import { sizeOf } from "../../tensor/shape.js";
import { reshape, pad } from "../../ops/layout.js";
import { dropout as dropoutOp } from "../../ops/dropout.js";
import { batchNorm as batchNormOp } from "../../ops/batchnorm.js";
import { Layer, batchShape, type CallContext, type LayerOptions, type Shape, keepsNoInputs } from "../layer.js";
import { activationFn, activationName, type Activation } from "../activation.js";
import { finite, received } from "../args.js";

/** [m, ...] → [m, product of the rest]. */
export class Flatten extends Layer {
  get type(): string { return "Flatten"; }
  get kind(): string { return "flatten"; }
  outputShape(inputShapes: Shape[]): number[] {
    return [sizeOf(inputShapes[0]!)];
  }
  protected compute(xs: Tensor[]): Tensor {
    return reshape(xs[0]!, [xs[0]!.shape[0]!, -1]);
  }
}

/** An activation function as a layer: `cl.nn.activation("relu")` or `cl.nn.relu()`. */
export class ActivationLayer extends Layer {
  readonly activation: Activation;
  private readonly fn: (x: Tensor) => Tensor;
  constructor(activation: Activation, opts: LayerOptions = {}) {
    super(opts);
    this.activation = activation;
    this.fn = activationFn(activation, this.label);
  }
  get type(): string { return "Activation"; }
  get kind(): string { return "activation"; }
  outputShape(inputShapes: Shape[]): number[] {
    return [...inputShapes[0]!];
  }
  protected compute(xs: Tensor[]): Tensor {
    return this.fn(xs[0]!);
  }
  override describe(): string {
    return activationName(this.activation);
  }
}

export interface DropoutLayerOptions extends LayerOptions {
  /** Fraction of the activations zeroed while training, in [0, 1). */
  rate: number;
  /** Seed of this layer's own mask stream (else the model's generator). */
  seed?: number;
}

/** Inverted dropout while training; the identity in evaluation. */
export class Dropout extends Layer {
  readonly rate: number;
  private rng: Rng | null = null;
  private readonly seed?: number;
  constructor(opts: DropoutLayerOptions) {
    super(opts);
    if (typeof opts?.rate !== "number" || !(opts.rate >= 0 && opts.rate < 1)) throw this.configError(`rate must be in [0, 1), got ${received(opts?.rate)}`);
    this.rate = opts.rate;
    if (opts.seed !== undefined) this.seed = finite(this.label, "seed", opts.seed);
  }
  get type(): string { return "Dropout"; }
  get kind(): string { return "dropout"; }
  outputShape(inputShapes: Shape[]): number[] {
    return [...inputShapes[0]!];
  }
  protected override createWeights(_s: Shape[], rng: Rng): void {
    // The mask stream is seeded once at build: from the layer's own seed, else from the model's generator.
    this.rng = new Rng(this.seed ?? rng.nextU32());
  }
  protected compute(xs: Tensor[], ctx: CallContext): Tensor {
    return dropoutOp(xs[0]!, this.rate, { training: ctx.training, rng: this.rng ?? defaultRng() });
  }
  override describe(): string {
    return `rate=${this.rate}`;
  }
}

export interface BatchNormLayerOptions extends LayerOptions {
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalization over the channels (last axis): trainable gamma and beta [nC] (2 parameters
 * per channel, as torchvision counts them) and running mean/variance buffers for evaluation.
 */
export class BatchNorm extends Layer {
  readonly momentum: number;
  readonly eps: number;
  /**
   * Normalise with the running statistics and leave them unchanged even while training (a frozen
   * layer in fine-tuning; `model.freeze` sets it). Default false.
   */
  inference = false;
  constructor(opts: BatchNormLayerOptions = {}) {
    super(opts);
    this.momentum = opts.momentum ?? 0.1;
    this.eps = opts.eps ?? 1e-5;
    if (typeof this.momentum !== "number" || !(this.momentum >= 0 && this.momentum <= 1)) throw this.configError(`momentum must be in [0, 1], got ${received(this.momentum)}`);
    if (typeof this.eps !== "number" || !(this.eps > 0 && Number.isFinite(this.eps))) throw this.configError(`eps must be a positive number, got ${received(this.eps)}`);
  }
  get type(): string { return "BatchNorm"; }
  get kind(): string { return "batchNorm"; }
  outputShape(inputShapes: Shape[]): number[] {
    return this.perChannelShape(inputShapes);
  }
  protected override createWeights(inputShapes: Shape[], rng: Rng): void {
    const x = inputShapes[0]!;
    const c = x[x.length - 1]!;
    this.addWeight("gamma", [c], "ones", rng);
    this.addWeight("beta", [c], "zeros", rng);
    this.addBuffer("runningMean", { shape: [c], fill: 0 });
    this.addBuffer("runningVar", { shape: [c], fill: 1 });
  }
  protected compute(xs: Tensor[], ctx: CallContext): Tensor {
    return batchNormOp(xs[0]!, this.weight("gamma"), this.weight("beta"), {
      training: ctx.training && !this.inference,
      runningMean: this.weight("runningMean"),
      runningVar: this.weight("runningVar"),
      momentum: this.momentum,
      eps: this.eps,
    });
  }
}

export interface ZeroPad2dOptions extends LayerOptions {
  /** p on every side, [pH, pW], or [[top, bottom], [left, right]]. */
  padding: number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];
}

/** Zero padding of the spatial axes of [m,nH,nW,nC]. */
export class ZeroPad2D extends Layer {
  private readonly pads: [[number, number], [number, number]];
  constructor(opts: ZeroPad2dOptions) {
    super(opts);
    const p: unknown = opts?.padding;
    const int = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
    if (int(p)) this.pads = [[p, p], [p, p]];
    else if (Array.isArray(p) && p.length === 2 && int(p[0]) && int(p[1])) this.pads = [[p[0], p[0]], [p[1], p[1]]];
    else if (Array.isArray(p) && p.length === 2 && p.every((q: unknown) => Array.isArray(q) && q.length === 2 && q.every(int)))
      this.pads = [[p[0][0], p[0][1]], [p[1][0], p[1][1]]];
    else throw this.configError(`padding must be p, [pH, pW] or [[top, bottom], [left, right]] of non-negative integers, got ${JSON.stringify(p)}`);
  }
  get type(): string { return "ZeroPad2D"; }
  get kind(): string { return "zeroPad2d"; }
  outputShape(inputShapes: Shape[]): number[] {
    const x = inputShapes[0]!;
    if (x.length !== 3) throw this.error(`expected input [m,nH,nW,nC], got ${batchShape(x)}`);
    const [[t, b], [l, r]] = this.pads;
    return [x[0]! + t + b, x[1]! + l + r, x[2]!];
  }
  protected compute(xs: Tensor[]): Tensor {
    return pad(xs[0]!, [[0, 0], this.pads[0], this.pads[1], [0, 0]]);
  }
}

export const flatten = (opts?: LayerOptions): Flatten => new Flatten(opts);
export const activation = (a: Activation, opts?: LayerOptions): ActivationLayer => new ActivationLayer(a, opts);
export const relu = (opts?: LayerOptions): ActivationLayer => new ActivationLayer("relu", opts);
export const sigmoid = (opts?: LayerOptions): ActivationLayer => new ActivationLayer("sigmoid", opts);
export const tanh = (opts?: LayerOptions): ActivationLayer => new ActivationLayer("tanh", opts);
export const softmax = (opts?: LayerOptions): ActivationLayer => new ActivationLayer("softmax", opts);
export const leakyRelu = (opts?: LayerOptions): ActivationLayer => new ActivationLayer("leakyRelu", opts);
export const dropout = (opts: DropoutLayerOptions): Dropout => new Dropout(opts);
export const batchNorm = (opts?: BatchNormLayerOptions): BatchNorm => new BatchNorm(opts);
export const zeroPad2d = (opts: ZeroPad2dOptions): ZeroPad2D => new ZeroPad2D(opts);

keepsNoInputs(Flatten, ActivationLayer, Dropout, BatchNorm, ZeroPad2D);
