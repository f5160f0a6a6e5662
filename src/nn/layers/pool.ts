// Pooling layers: max/average over windows (1-D, 2-D, 3-D) and global pooling. No parameters.
import type { Tensor } from "../../tensor/tensor.js";
import * as ops from "../../ops/pool.js";
import { explicitPadding, type Padding } from "../../ops/padding.js";
import { Layer, batchShape, type CallContext, type LayerOptions, type Shape, keepsNoInputs } from "../layer.js";

type Tuple = number | readonly number[];

export interface PoolLayerOptions extends LayerOptions {
  /** f, or one f per spatial axis. */
  size: Tuple;
  /** s (defaults to the window size). */
  stride?: Tuple;
  /** "valid" (default), "same", p or one p per axis. */
  padding?: Padding;
}

type PoolOp = (x: Tensor, opts: object) => Tensor;
type PoolRule = (x: readonly number[], opts: object) => number[];

interface PoolKind {
  type: string;
  kind: string;
  nd: number;
  op: PoolOp;
  rule: PoolRule;
}

const KINDS = {
  maxPool1d: { type: "MaxPool1D", kind: "maxPool1d", nd: 1, op: ops.maxPool1d as PoolOp, rule: ops.pool1dShape as PoolRule },
  avgPool1d: { type: "AvgPool1D", kind: "avgPool1d", nd: 1, op: ops.avgPool1d as PoolOp, rule: ops.pool1dShape as PoolRule },
  maxPool2d: { type: "MaxPool2D", kind: "maxPool2d", nd: 2, op: ops.maxPool2d as PoolOp, rule: ops.pool2dShape as PoolRule },
  avgPool2d: { type: "AvgPool2D", kind: "avgPool2d", nd: 2, op: ops.avgPool2d as PoolOp, rule: ops.pool2dShape as PoolRule },
  maxPool3d: { type: "MaxPool3D", kind: "maxPool3d", nd: 3, op: ops.maxPool3d as PoolOp, rule: ops.pool3dShape as PoolRule },
  avgPool3d: { type: "AvgPool3D", kind: "avgPool3d", nd: 3, op: ops.avgPool3d as PoolOp, rule: ops.pool3dShape as PoolRule },
} satisfies Record<string, PoolKind>;

/** A pooling layer (the op's options are checked when its input shape is known). */
export class Pool extends Layer {
  private readonly spec: PoolKind;
  readonly config: PoolLayerOptions;

  constructor(spec: PoolKind, opts: PoolLayerOptions) {
    super(opts);
    this.spec = spec;
    this.config = { ...opts };
    this.positiveInt("size", opts?.size, spec.nd > 1 ? spec.nd : 0);
    if (opts.stride !== undefined) this.positiveInt("stride", opts.stride, spec.nd > 1 ? spec.nd : 0);
    if (opts.padding !== undefined) explicitPadding(this.label, opts.padding, spec.nd);
  }

  get type(): string { return this.spec.type; }
  get kind(): string { return this.spec.kind; }

  private opts(): object {
    const { size, stride, padding } = this.config;
    return { size, stride, padding };
  }

  outputShape(inputShapes: Shape[]): number[] {
    const x = inputShapes[0]!;
    if (x.length !== this.spec.nd + 1) throw this.error(`expected input of rank ${this.spec.nd + 2} with the batch (${this.spec.nd} spatial axes and channels), got ${batchShape(x)}`);
    try {
      return this.spec.rule([1, ...x], this.opts()).slice(1);
    } catch (e) {
      throw this.error((e as Error).message);
    }
  }

  protected compute(xs: Tensor[], _ctx: CallContext): Tensor {
    return this.spec.op(xs[0]!, this.opts());
  }

  override describe(): string {
    const { size, stride = size, padding = "valid" } = this.config;
    const t = (v: Tuple | Padding): string => (Array.isArray(v) ? v.join("×") : String(v));
    return `f=${t(size)} s=${t(stride)}${padding !== "valid" ? ` p=${t(padding)}` : ""}`;
  }
}

/** Global average or max pooling over the spatial axes: [m,nH,nW,nC] → [m,nC]. */
export class GlobalPool extends Layer {
  private readonly which: "avg" | "max";

  constructor(which: "avg" | "max", opts: LayerOptions = {}) {
    super(opts);
    this.which = which;
  }

  get type(): string { return this.which === "avg" ? "GlobalAvgPool2D" : "GlobalMaxPool2D"; }
  get kind(): string { return this.which === "avg" ? "globalAvgPool2d" : "globalMaxPool2d"; }

  outputShape(inputShapes: Shape[]): number[] {
    const x = inputShapes[0]!;
    if (x.length !== 3) throw this.error(`expected input [m,nH,nW,nC], got ${batchShape(x)}`);
    return [x[2]!];
  }

  protected compute(xs: Tensor[]): Tensor {
    return this.which === "avg" ? ops.globalAvgPool2d(xs[0]!) : ops.globalMaxPool2d(xs[0]!);
  }
}

/** Max pooling layer: `cl.nn.maxPool2d({ size: 2, stride: 2 })`. */
export const maxPool2d = (opts: PoolLayerOptions): Pool => new Pool(KINDS.maxPool2d, opts);
/** Average pooling layer (padded positions are left out of each average). */
export const avgPool2d = (opts: PoolLayerOptions): Pool => new Pool(KINDS.avgPool2d, opts);
export const maxPool1d = (opts: PoolLayerOptions): Pool => new Pool(KINDS.maxPool1d, opts);
export const avgPool1d = (opts: PoolLayerOptions): Pool => new Pool(KINDS.avgPool1d, opts);
export const maxPool3d = (opts: PoolLayerOptions): Pool => new Pool(KINDS.maxPool3d, opts);
export const avgPool3d = (opts: PoolLayerOptions): Pool => new Pool(KINDS.avgPool3d, opts);
/** Global average pooling: 7×7×1000 → 1000. */
export const globalAvgPool2d = (opts?: LayerOptions): GlobalPool => new GlobalPool("avg", opts);
export const globalMaxPool2d = (opts?: LayerOptions): GlobalPool => new GlobalPool("max", opts);

keepsNoInputs(Pool, GlobalPool);
