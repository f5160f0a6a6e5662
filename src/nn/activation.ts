// Activation functions by name, for the `activation` option of conv and dense layers.
import type { Tensor } from "../tensor/tensor.js";
import { relu, relu6, leakyRelu, sigmoid, tanh, softmax } from "../ops/activations.js";
import { ValueError } from "../util/errors.js";
import type { EpilogueActivation } from "../kernels/types.js";

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

/** An activation as a convolution's epilogue applies it (the conv ops' `activation`, `alpha` options). */
export interface FusedActivation {
  activation: EpilogueActivation;
  /** leakyRelu's slope. */
  alpha?: number;
}

const FUSABLE = new WeakMap<(x: Tensor) => Tensor, FusedActivation>([
  [relu, { activation: "relu" }],
  [relu6, { activation: "relu6" }],
  [TABLE.leakyRelu, { activation: "leakyRelu", alpha: 0.01 }],
]);

/**
 * Marks `fn` as computing exactly what a convolution's epilogue `f` computes (the same bits), so
 * that conv layers with this activation, and graph fusion, run it in the convolution's output
 * pass. Returns fn. @internal
 */
export function fusableAs<F extends (x: Tensor) => Tensor>(fn: F, f: FusedActivation): F {
  FUSABLE.set(fn, f);
  return fn;
}

/** How an activation option runs as a convolution's epilogue, or null when it cannot. */
export function epilogueOf(a: Activation | undefined): FusedActivation | null {
  if (a === undefined) return null;
  const fn = typeof a === "function" ? a : TABLE[a];
  return (fn && FUSABLE.get(fn)) ?? null;
}

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
