// The fully connected layer. Like the course's FC layers it flattens each example first, so it
// follows a conv or pool layer directly: [m,5,5,16] → [m,400] → [m,units].
import type { Tensor } from "../../tensor/tensor.js";
import type { Rng } from "../../util/rng.js";
import { sizeOf } from "../../tensor/shape.js";
import { dense as denseOp } from "../../ops/dense.js";
import { reshape } from "../../ops/layout.js";
import { Layer, batchShape, type CallContext, type LayerOptions, type Shape, keepsNoInputs } from "../layer.js";
import { activationFn, activationName, type Activation } from "../activation.js";
import { checkInitializer, type Initializer } from "../initializers.js";
import { bool } from "../args.js";

export interface DenseLayerOptions extends LayerOptions {
  units: number;
  activation?: Activation;
  /** Add a bias [units] (default true). */
  useBias?: boolean;
  kernelInitializer?: Initializer;
  biasInitializer?: Initializer;
}

export class Dense extends Layer {
  get type(): string { return "Dense"; }
  get kind(): string { return "dense"; }
  readonly config: DenseLayerOptions;
  private readonly act: (x: Tensor) => Tensor;

  constructor(opts: DenseLayerOptions) {
    super(opts);
    this.config = { ...opts };
    this.positiveInt("units", opts?.units);
    bool(this.label, "useBias", opts.useBias, true);
    checkInitializer(this.label, "kernelInitializer", opts.kernelInitializer);
    checkInitializer(this.label, "biasInitializer", opts.biasInitializer);
    this.act = activationFn(opts.activation, this.label);
  }

  outputShape(inputShapes: Shape[]): number[] {
    const x = inputShapes[0]!;
    if (x.length === 0) throw this.error(`expected input [m,nIn] (or [m,...] to flatten), got ${batchShape(x)}`);
    if (this.inputShapes) {
      const nIn = sizeOf(this.inputShapes[0]!), got = sizeOf(x);
      if (nIn !== got) throw this.error(`input has ${got} features per example but the layer was built for ${nIn} (input ${batchShape(x)})`);
    }
    return [this.config.units];
  }

  protected override createWeights(inputShapes: Shape[], rng: Rng): void {
    this.addWeight("kernel", [sizeOf(inputShapes[0]!), this.config.units], this.config.kernelInitializer ?? "glorotUniform", rng);
    if (this.config.useBias ?? true) this.addWeight("bias", [this.config.units], this.config.biasInitializer ?? "zeros", rng);
  }

  protected compute(xs: Tensor[], _ctx: CallContext): Tensor {
    const x = xs[0]!;
    const flat = x.rank === 2 ? x : reshape(x, [x.shape[0]!, -1]);
    const bias = this.config.useBias ?? true ? this.weight("bias") : undefined;
    // relu/relu6 (and none) run inside the op, with the bias, as the GEMM's epilogue
    const a = this.config.activation;
    if (a === undefined || a === "linear" || a === "relu" || a === "relu6") return denseOp(flat, this.weight("kernel"), bias, { activation: a ?? "linear" });
    return this.act(denseOp(flat, this.weight("kernel"), bias));
  }

  override mults(inputShapes: Shape[]): number {
    return sizeOf(inputShapes[0]!) * this.config.units;
  }

  override describe(): string {
    return this.config.activation !== undefined ? activationName(this.config.activation) : "";
  }
}

/** A fully connected layer: `cl.nn.dense({ units: 120, activation: "relu" })`. */
export const dense = (opts: DenseLayerOptions): Dense => new Dense(opts);

keepsNoInputs(Dense);
