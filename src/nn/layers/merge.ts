// Merge layers for graph models: add (residual connections) and concat (inception modules).
import type { Tensor } from "../../tensor/tensor.js";
import { addN } from "../../ops/binary.js";
import { concat as concatOp } from "../../ops/layout.js";
import { normAxis } from "../../tensor/shape.js";
import { Layer, batchShape, type LayerOptions, type Shape, keepsNoInputs } from "../layer.js";

/** Elementwise sum of same-shape inputs: `a[l+2] = g(z[l+2] + a[l])` needs `cl.nn.add().apply([z, a])`. */
export class Add extends Layer {
  override readonly arity = 0;
  get type(): string { return "Add"; }
  get kind(): string { return "add"; }
  outputShape(inputShapes: Shape[]): number[] {
    const first = inputShapes[0]!;
    for (const s of inputShapes)
      if (s.length !== first.length || s.some((d, i) => d !== first[i]))
        throw this.error(`inputs must have the same shape, got ${inputShapes.map(batchShape).join(" and ")}`);
    return [...first];
  }
  protected compute(xs: Tensor[]): Tensor {
    return xs.length === 1 ? xs[0]! : addN(xs);
  }
}

export interface ConcatOptions extends LayerOptions {
  /** Axis of the batched tensors (default -1, the channels). */
  axis?: number;
}

/** Joins inputs along an axis (the channels by default), as an inception module does. */
export class Concat extends Layer {
  override readonly arity = 0;
  readonly axis: number;
  constructor(opts: ConcatOptions = {}) {
    super(opts);
    this.axis = opts.axis ?? -1;
    if (!Number.isInteger(this.axis)) throw this.configError(`axis must be an integer, got ${JSON.stringify(opts.axis)}`);
    if (this.axis === 0) throw this.configError("cannot concatenate along the batch axis 0");
  }
  get type(): string { return "Concat"; }
  get kind(): string { return "concat"; }
  /** The axis within the batch-less shape. */
  private localAxis(rank: number): number {
    const a = normAxis(this.axis, rank + 1, this.label);
    if (a === 0) throw this.error("cannot concatenate along the batch axis 0");
    return a - 1;
  }
  outputShape(inputShapes: Shape[]): number[] {
    const first = inputShapes[0]!;
    const a = this.localAxis(first.length);
    for (const s of inputShapes)
      if (s.length !== first.length || s.some((d, i) => i !== a && d !== first[i]))
        throw this.error(`inputs must match on every axis but ${this.axis}, got ${inputShapes.map(batchShape).join(" and ")}`);
    const out = [...first];
    out[a] = inputShapes.reduce((n, s) => n + s[a]!, 0);
    return out;
  }
  protected compute(xs: Tensor[]): Tensor {
    return concatOp(xs, this.localAxis(xs[0]!.rank - 1) + 1);
  }
}

export const add = (opts?: LayerOptions): Add => new Add(opts);
export const concat = (opts?: ConcatOptions): Concat => new Concat(opts);

keepsNoInputs(Add, Concat);
