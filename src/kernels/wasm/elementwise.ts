// relu/relu6, leaky ReLU and their gradients on the WASM kernels (see assembly/elementwise.ts): copied into the
// arena, one SIMD pass, copied out.
import type { TypedArray } from "../../tensor/tensor.js";
import type { ElementwiseActivation } from "../types.js";
import type { WasmEngine } from "./engine.js";

const CODE = { relu: 1, relu6: 2 } as const;

export function activation(eng: WasmEngine, x: TypedArray, y: TypedArray, act: ElementwiseActivation): void {
  eng.reset();
  const n = x.length;
  const at = eng.put(x, 0, n);
  eng.exports.activate(at, at, n, CODE[act]);
  y.set(eng.f32.subarray(at >> 2, (at >> 2) + n));
}

export function activationGrad(eng: WasmEngine, dy: TypedArray, ref: TypedArray, dz: TypedArray, k: number, db: TypedArray | null, act: ElementwiseActivation): void {
  eng.reset();
  const n = dy.length;
  const d = eng.put(dy, 0, n), r = eng.put(ref, 0, n);
  const b = db ? eng.put(db, 0, k) : 0;
  eng.exports.activationGrad(d, r, d, n, k, b, CODE[act]);
  dz.set(eng.f32.subarray(d >> 2, (d >> 2) + n));
  if (db) db.set(eng.f32.subarray(b >> 2, (b >> 2) + k));
}

export function leakyRelu(eng: WasmEngine, x: TypedArray, y: TypedArray, alpha: number): void {
  eng.reset();
  const n = x.length;
  const at = eng.put(x, 0, n);
  eng.exports.leaky(at, 0, at, n, alpha);
  y.set(eng.f32.subarray(at >> 2, (at >> 2) + n));
}

export function leakyReluGrad(eng: WasmEngine, dy: TypedArray, x: TypedArray, dx: TypedArray, alpha: number): void {
  eng.reset();
  const n = dy.length;
  const d = eng.put(dy, 0, n), r = eng.put(x, 0, n);
  eng.exports.leaky(r, d, d, n, alpha);
  dx.set(eng.f32.subarray(d >> 2, (d >> 2) + n));
}

/** Floats per chunk of addN: two arrays of 16 Ki floats stay in L1/L2 while they are added. */
const ADD_CHUNK = 16384;

/**
 * out = ((xs[0] + xs[1]) + xs[2]) + …, chunk by chunk through the arena; with `post`, also
 * post.y = act(out) from the same chunks (out may then be null: the sum is not kept).
 */
export function addN(eng: WasmEngine, xs: readonly TypedArray[], out: TypedArray | null, post?: { y: TypedArray; act: ElementwiseActivation }): void {
  eng.reset();
  const n = xs[0]!.length, chunk = Math.min(n, ADD_CHUNK);
  const acc = eng.alloc(chunk * 4), tmp = eng.alloc(chunk * 4);
  const f32 = eng.f32, add = eng.exports.addInto;
  for (let a = 0; a < n; a += chunk) {
    const b = Math.min(n, a + chunk), len = b - a;
    f32.set(xs[0]!.subarray(a, b), acc >> 2);
    for (let k = 1; k < xs.length; k++) {
      f32.set(xs[k]!.subarray(a, b), tmp >> 2);
      add(acc, tmp, len);
    }
    if (out) out.set(f32.subarray(acc >> 2, (acc >> 2) + len), a);
    if (post) {
      eng.exports.activate(acc, acc, len, CODE[post.act]);
      post.y.set(f32.subarray(acc >> 2, (acc >> 2) + len), a);
    }
  }
}
