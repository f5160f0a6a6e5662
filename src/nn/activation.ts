// Activation functions by name, for the `activation` option of conv and dense layers.
import type { Tensor } from "../tensor/tensor.js";
import { relu, relu6, leakyRelu, sigmoid, tanh, softmax } from "../ops/activations.js";
import { ValueError } from "../util/errors.js";

export type ActivationName = "relu" | "relu6" | "leakyRelu" | "sigmoid" | "tanh" | "softmax" | "linear";
export type Activation = ActivationName | ((x: Tensor) => Tensor);

const TABLE: Record<ActivationName, (x: Tensor) => Tensor> = {
  relu,
  relu6,
  leakyRelu: (x) => leakyRelu(x),
  sigmoid,
  tanh,
  softmax: (x) => softmax(x, -1),
  linear: (x) => x,
};

/** The function for an activation option (undefined → identity); throws naming the owner for unknown names. */
export function activationFn(a: Activation | undefined, owner: string): (x: Tensor) => Tensor {
  if (a === undefined) return TABLE.linear;
  if (typeof a === "function") return a;
  const f = TABLE[a];
  if (!f) throw new ValueError(`${owner}: unknown activation ${JSON.stringify(a)} (expected ${Object.keys(TABLE).join(", ")} or a function)`);
  return f;
}

/** Short text of an activation for summaries. */
export function activationName(a: Activation | undefined): string {
  return a === undefined ? "linear" : typeof a === "function" ? a.name || "custom" : a;
}
