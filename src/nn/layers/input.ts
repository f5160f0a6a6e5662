// The placeholder layer behind `cl.nn.input(shape)`: the start of a graph model.
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../util/errors.js";
import { Layer, SymbolicTensor, type LayerOptions } from "../layer.js";

/** The placeholder layer behind `cl.nn.input(shape)`; it has no weights and no computation. */
export class InputLayer extends Layer {
  override readonly arity: number = 0;
  readonly shape: number[];
  constructor(shape: readonly number[], opts: LayerOptions = {}) {
    super(opts);
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0))
      throw this.configError(`shape must be a non-empty list of positive integers without the batch axis (e.g. [32, 32, 3]), got ${JSON.stringify(shape)}`);
    this.shape = [...shape];
  }
  get type(): string { return "Input"; }
  get kind(): string { return "input"; }
  outputShape(): number[] {
    return [...this.shape];
  }
  protected compute(): Tensor {
    throw new ValueError(`${this.label}: an input layer has no computation`);
  }
}

/**
 * A symbolic input of a graph model, shape without the batch axis:
 *
 *   const x = cl.nn.input([32, 32, 3]);                  // named "input" by the model
 *   const left = cl.nn.input([105, 105, 1], { name: "left" });
 */
export function input(shape: readonly number[], opts: LayerOptions = {}): SymbolicTensor {
  const layer = new InputLayer(shape, opts);
  return layer.symbolic([...layer.shape], []);
}
