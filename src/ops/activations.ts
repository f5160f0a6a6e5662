// Activations: relu, leakyRelu, sigmoid, tanh, softmax, logSoftmax, each with its gradient, and
// their chainable methods (`x.relu()`, `x.softmax(-1)`...). Explicit loops (no per-element
// callbacks): these run on every layer's output.
import { Tensor, allocateUnzeroed, type TypedArray } from "../tensor/tensor.js";
import { normAxis } from "../tensor/shape.js";
import { record } from "../autograd/tape.js";
import { installMethods } from "../tensor/methods.js";
import { ValueError } from "../util/errors.js";
import { numberArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { kernel } from "../kernels/index.js";
import type { ElementwiseActivation } from "../kernels/types.js";

/** An output or gradient array of x's size, which the activation's loop or kernel writes in full. */
const like = (x: Tensor): TypedArray => allocateUnzeroed(x.dtype, x.size);
const dyOf = (dy: Tensor, x: Tensor): TypedArray => (dy.dtype === x.dtype ? dy.data : dy.astype(x.dtype).data);


/**
 * max(x, 0) (NaN stays NaN, so a diverged net is not hidden; −0 stays −0); the gradient is 1 where
 * x > 0, else 0. Runs on the registry's activation kernels (float32: WASM SIMD when installed;
 * the reference works on the bits with branch-free masks, the same bits as the select
 * `x < 0 ? 0 : x` of float64).
 */
export function relu(x: Tensor): Tensor {
  tensorArg("relu", "x", x);
  return elementwiseActivation("relu", x);
}

/**
 * min(max(x, 0), 6), MobileNet's activation (NaN stays NaN, −0 stays −0); the gradient is 1 where
 * 0 < x < 6, else 0 (TensorFlow's Relu6Grad).
 */
export function relu6(x: Tensor): Tensor {
  tensorArg("relu6", "x", x);
  return elementwiseActivation("relu6", x);
}

function elementwiseActivation(act: ElementwiseActivation, x: Tensor): Tensor {
  const y = like(x), d = x.data;
  kernel("activation", x.dtype)(d, y, act);
  return record(act, new Tensor(y, x.shape), [x], (dyT) => {
    const g = like(x);
    kernel("activationGrad", x.dtype)(dyOf(dyT, x), d, g, 1, null, act);
    return [new Tensor(g, x.shape)];
  });
}

/** x where x > 0, alpha·x elsewhere (default alpha 0.01); on the registry's leakyRelu kernels. */
export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  tensorArg("leakyRelu", "x", x);
  numberArg("leakyRelu", "alpha", alpha);
  const y = like(x), d = x.data;
  kernel("leakyRelu", x.dtype)(d, y, alpha);
  return record("leakyRelu", new Tensor(y, x.shape), [x], (dyT) => {
    const g = like(x);
    kernel("leakyReluGrad", x.dtype)(dyOf(dyT, x), d, g, alpha);
    return [new Tensor(g, x.shape)];
  });
}

/** σ(x) = 1 / (1 + e^−x), computed without overflow for large |x|. */
export function sigmoid(x: Tensor): Tensor {
  tensorArg("sigmoid", "x", x);
  const y = like(x), d = x.data;
  for (let i = 0; i < y.length; i++) {
    const v = d[i]!;
    if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      y[i] = e / (1 + e);
    }
  }
  return record("sigmoid", new Tensor(y, x.shape), [x], (dyT) => {
    const dy = dyOf(dyT, x), g = like(x);
    for (let i = 0; i < g.length; i++) g[i] = dy[i]! * y[i]! * (1 - y[i]!);
    return [new Tensor(g, x.shape)];
  });
}

/** Hyperbolic tangent; the gradient is 1 − tanh². */
export function tanh(x: Tensor): Tensor {
  tensorArg("tanh", "x", x);
  const y = like(x), d = x.data;
  for (let i = 0; i < y.length; i++) y[i] = Math.tanh(d[i]!);
  return record("tanh", new Tensor(y, x.shape), [x], (dyT) => {
    const dy = dyOf(dyT, x), g = like(x);
    for (let i = 0; i < g.length; i++) g[i] = dy[i]! * (1 - y[i]! * y[i]!);
    return [new Tensor(g, x.shape)];
  });
}

/** x viewed as [outer, n, inner] around `axis`. */
function around(x: Tensor, axis: number, op: string): { outer: number; n: number; inner: number } {
  tensorArg(op, "x", x);
  if (x.rank === 0) throw new ValueError(`${op}: needs at least one axis, got a scalar`);
  const a = normAxis(axis, x.rank, op);
  let outer = 1, inner = 1;
  for (let i = 0; i < a; i++) outer *= x.shape[i]!;
  for (let i = a + 1; i < x.rank; i++) inner *= x.shape[i]!;
  return { outer, n: x.shape[a]!, inner };
}

/**
 * For every line along the axis: y = x − max − log Σ exp(x − max) (log-softmax), or its exp
 * (softmax). Subtracting the maximum keeps exp from overflowing.
 */
function softmaxLines(x: TypedArray, y: TypedArray, outer: number, n: number, inner: number, log: boolean): void {
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let m = -Infinity;
      for (let j = 0, p = base; j < n; j++, p += inner) if (x[p]! > m) m = x[p]!;
      if (m === -Infinity || m === Infinity) m = 0;
      let s = 0;
      for (let j = 0, p = base; j < n; j++, p += inner) s += Math.exp(x[p]! - m);
      if (log) {
        const lse = m + Math.log(s);
        for (let j = 0, p = base; j < n; j++, p += inner) y[p] = x[p]! - lse;
      } else for (let j = 0, p = base; j < n; j++, p += inner) y[p] = Math.exp(x[p]! - m) / s;
    }
}

/** Σ along the axis of a[p]·(b ? b[p] : 1), one value per line, stored at the line's first index. */
function lineSums(a: TypedArray, b: TypedArray | null, outer: number, n: number, inner: number): Float64Array {
  const s = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let t = 0;
      for (let j = 0, p = base; j < n; j++, p += inner) t += b ? a[p]! * b[p]! : a[p]!;
      s[o * inner + i] = t;
    }
  return s;
}

/**
 * Softmax along `axis` (default the last): exp(x) / Σ exp(x), numerically stable.
 * The gradient is y ⊙ (dy − Σ dy ⊙ y).
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  const { outer, n, inner } = around(x, axis, "softmax");
  const y = like(x);
  softmaxLines(x.data, y, outer, n, inner, false);
  return record("softmax", new Tensor(y, x.shape), [x], (dyT) => {
    const dy = dyOf(dyT, x), g = like(x);
    const s = lineSums(dy, y, outer, n, inner);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i, t = s[o * inner + i]!;
        for (let j = 0, p = base; j < n; j++, p += inner) g[p] = y[p]! * (dy[p]! - t);
      }
    return [new Tensor(g, x.shape)];
  });
}

/**
 * log(softmax(x)) along `axis` (default the last), computed as x − logsumexp(x) so it stays
 * finite for large logits. The gradient is dy − softmax ⊙ Σ dy.
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  const { outer, n, inner } = around(x, axis, "logSoftmax");
  const y = like(x);
  softmaxLines(x.data, y, outer, n, inner, true);
  return record("logSoftmax", new Tensor(y, x.shape), [x], (dyT) => {
    const dy = dyOf(dyT, x), g = like(x);
    const s = lineSums(dy, null, outer, n, inner);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i, t = s[o * inner + i]!;
        for (let j = 0, p = base; j < n; j++, p += inner) g[p] = dy[p]! - Math.exp(y[p]!) * t;
      }
    return [new Tensor(g, x.shape)];
  });
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    relu(): Tensor;
    relu6(): Tensor;
    leakyRelu(alpha?: number): Tensor;
    sigmoid(): Tensor;
    tanh(): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
  }
}

installMethods({
  relu(this: Tensor) { return relu(this); },
  relu6(this: Tensor) { return relu6(this); },
  leakyRelu(this: Tensor, alpha?: number) { return leakyRelu(this, alpha); },
  sigmoid(this: Tensor) { return sigmoid(this); },
  tanh(this: Tensor) { return tanh(this); },
  softmax(this: Tensor, axis?: number) { return softmax(this, axis); },
  logSoftmax(this: Tensor, axis?: number) { return logSoftmax(this, axis); },
});
