import type { Tensor } from "../tensor/tensor.js";

/**
 * What a model takes as `x`: one tensor, one tensor per input (in the model's input order), or a
 * record keyed by the input layers' names (`{ left, right }` for `cl.nn.input(shape, { name: "left" })`).
 */
export type Inputs = Tensor | readonly Tensor[] | { readonly [name: string]: Tensor };

/** What a model returns: one tensor, a list or a record, the same structure as its `outputs`. */
export type Outputs = Tensor | readonly Tensor[] | { readonly [name: string]: Tensor };

/** Training targets `y`: one tensor, a list (one per output) or a record keyed by output name. */
export type Targets = Tensor | readonly Tensor[] | { readonly [name: string]: Tensor };

/**
 * What training needs of a model: a forward pass that records autograd (with a training flag for
 * dropout and batch-norm) and the parameters to update. `cl.nn` models implement it; any object
 * that does can be trained with `cl.train.fit` or `cl.train.trainStep`.
 */
export interface Trainable<O = Outputs> {
  /** The model's output (logits for classifiers) for a batch x; records autograd when grad is enabled. */
  forward(x: Inputs, opts: { training: boolean }): O;
  /** The parameters the optimizer updates (frozen layers excluded). */
  trainableParameters(): Tensor[];
  /** Names of the outputs (the record's keys, else the output layers' names), to match per-output losses and targets. */
  readonly outputNames?: readonly string[];
}
