// The optimizers' update rules (the reference for every dtype; see OptimizerUpdate in ../types.ts).
// Arithmetic in float64, stored into the parameter's and the state's arrays (so rounded to float32
// for float32 tensors); the WASM kernel (wasm/assembly/optim.ts) reproduces these bits.
import type { TypedArray } from "../../tensor/tensor.js";
import type { OptimizerUpdate } from "../types.js";

/** g + wd·p, in an array of p's type. */
function decayed(p: TypedArray, g: TypedArray, wd: number): TypedArray {
  const d = new (p.constructor as new (n: number) => TypedArray)(p.length);
  for (let i = 0; i < d.length; i++) d[i] = g[i]! + wd * p[i]!;
  return d;
}

export function optimizerStep(p: TypedArray, grad: TypedArray, state: readonly TypedArray[], u: OptimizerUpdate): void {
  const g = u.weightDecay !== 0 ? decayed(p, grad, u.weightDecay) : grad;
  const lr = u.lr;
  switch (u.rule) {
    case "sgd":
      for (let i = 0; i < p.length; i++) p[i]! -= lr * g[i]!;
      return;
    case "sgdMomentum": {
      const b = state[0]!, { mu, nesterov, first } = u, damp = u.dampening;
      for (let i = 0; i < p.length; i++) {
        b[i] = first ? g[i]! : mu * b[i]! + (1 - damp) * g[i]!;
        p[i]! -= lr * (nesterov ? g[i]! + mu * b[i]! : b[i]!);
      }
      return;
    }
    case "momentum": {
      const v = state[0]!, beta = u.beta;
      for (let i = 0; i < p.length; i++) {
        v[i] = beta * v[i]! + (1 - beta) * g[i]!;
        p[i]! -= lr * v[i]!;
      }
      return;
    }
    case "rmsprop": {
      const s = state[0]!, { rho, eps } = u;
      for (let i = 0; i < p.length; i++) {
        s[i] = rho * s[i]! + (1 - rho) * g[i]! * g[i]!;
        p[i]! -= (lr * g[i]!) / (Math.sqrt(s[i]!) + eps);
      }
      return;
    }
    case "adam": {
      const m = state[0]!, v = state[1]!, { beta1: b1, beta2: b2, eps, c1, c2 } = u;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * gi;
        v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        p[i]! -= (lr * (m[i]! / c1)) / (Math.sqrt(v[i]!) / c2 + eps);
      }
    }
  }
}
