// The reference relu/relu6 and leaky ReLU kernels and their gradients (with the bias gradient summed in the same
// pass when asked). Float32 works on the bits with branch-free masks — `y = x & ~mask(x < 0)`,
// `dz = dy & mask(pass)` — the same bits as the selects `x < 0 ? 0 : x` / `pass ? dy : 0` that
// float64 runs, without their branch mispredictions on mixed-sign activations.
import type { TypedArray } from "../../tensor/tensor.js";
import type { ElementwiseActivation } from "../types.js";

/** The float32 array's bits as an Int32Array over the same memory (no copy). */
const bitsOf = (a: Float32Array): Int32Array => new Int32Array(a.buffer, a.byteOffset, a.length);

/** The float32 bits of 6. */
const SIX_BITS = new Int32Array(new Float32Array([6]).buffer)[0]!;

/** y = relu(x) or relu6(x) = min(max(x, 0), 6); NaN and −0 are kept. */
export function activation(x: TypedArray, y: TypedArray, act: ElementwiseActivation): void {
  if (x instanceof Float32Array && y instanceof Float32Array) {
    const yb = bitsOf(y), xb = bitsOf(x);
    if (act === "relu") for (let i = 0; i < yb.length; i++) yb[i] = xb[i]! & ~-(x[i]! < 0);
    else
      for (let i = 0; i < yb.length; i++) {
        const big = -(x[i]! > 6);
        yb[i] = ((xb[i]! & ~-(x[i]! < 0)) & ~big) | (SIX_BITS & big);
      }
    return;
  }
  if (act === "relu")
    for (let i = 0; i < y.length; i++) {
      const v = x[i]!;
      y[i] = v < 0 ? 0 : v;
    }
  else
    for (let i = 0; i < y.length; i++) {
      const v = x[i]!;
      y[i] = v < 0 ? 0 : v > 6 ? 6 : v;
    }
}

/**
 * dz = dy where the activation passes the gradient at ref (relu: ref > 0; relu6: 0 < ref < 6 —
 * the same whether ref is the activation's input or its output), else 0. With db, also
 * db[j] += dz[r·k + j] for every row r in order, in db's precision (the bias gradient).
 */
export function activationGrad(dy: TypedArray, ref: TypedArray, dz: TypedArray, k: number, db: TypedArray | null, act: ElementwiseActivation): void {
  if (dy instanceof Float32Array && ref instanceof Float32Array && dz instanceof Float32Array) {
    const dzb = bitsOf(dz), dyb = bitsOf(dy);
    if (act === "relu") for (let i = 0; i < dzb.length; i++) dzb[i] = dyb[i]! & -(ref[i]! > 0);
    else for (let i = 0; i < dzb.length; i++) dzb[i] = dyb[i]! & -(ref[i]! > 0) & -(ref[i]! < 6);
  } else if (act === "relu") for (let i = 0; i < dz.length; i++) dz[i] = ref[i]! > 0 ? dy[i]! : 0;
  else
    for (let i = 0; i < dz.length; i++) {
      const v = ref[i]!;
      dz[i] = v > 0 && v < 6 ? dy[i]! : 0;
    }
  if (db) for (let o = 0; o < dz.length; o += k) for (let j = 0; j < k; j++) db[j]! += dz[o + j]!;
}

/** y = x > 0 ? x : alpha·x. */
export function leakyRelu(x: TypedArray, y: TypedArray, alpha: number): void {
  for (let i = 0; i < y.length; i++) {
    const v = x[i]!;
    y[i] = v > 0 ? v : alpha * v;
  }
}

/** dx = x > 0 ? dy : alpha·dy. */
export function leakyReluGrad(dy: TypedArray, x: TypedArray, dx: TypedArray, alpha: number): void {
  for (let i = 0; i < dx.length; i++) dx[i] = x[i]! > 0 ? dy[i]! : alpha * dy[i]!;
}

/** out = ((xs[0] + xs[1]) + xs[2]) + …, each store rounding to out's dtype; with post, post.y = act(out). */
export function addN(xs: readonly TypedArray[], out: TypedArray | null, post?: { y: TypedArray; act: ElementwiseActivation }): void {
  const sum = out ?? post!.y;
  sum.set(xs[0]!);
  for (let k = 1; k < xs.length; k++) {
    const a = xs[k]!;
    for (let i = 0; i < sum.length; i++) sum[i]! += a[i]!;
  }
  if (post) activation(sum, post.y, post.act);
}
