import type { Tensor } from "../tensor/tensor.js";

/**
 * What training needs of a model: a forward pass that records autograd (with a training flag for
 * dropout and batch-norm) and the parameters to update. `cl.nn` models implement it; any object
 * that does can be trained with `cl.train.fit`.
 */
export interface Trainable {
  /** The model's output (logits for classifiers) for a batch x; records autograd when grad is enabled. */
  forward(x: Tensor, opts: { training: boolean }): Tensor;
  /** The parameters the optimizer updates (frozen layers excluded). */
  trainableParameters(): Tensor[];
}
