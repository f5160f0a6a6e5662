// The forward convolutions' epilogue on their output in the arena: y = act(y + bias) per channel,
// in place, before the host copies y out (one pass over data the kernel has just written, instead
// of a bias pass and an activation pass in TypeScript). Bits equal the reference (kernels/ts/
// epilogue.ts): relu clears the bits of values < 0 (−0 and NaN kept), relu6 then selects 6 above 6.
import { scaled } from "./elementwise";

/**
 * act: 0 linear, 1 relu, 2 relu6, 3 leaky ReLU (v > 0 ? v : alpha·v, the product in float64 as
 * the reference). y is [rows, k] floats at byte address y; bias [k] at `bias` and scale [k] at
 * `scale` (0: none): y = act(y·scale + bias).
 */
export function biasAct(y: usize, rows: i32, k: i32, bias: usize, act: i32, scale: usize, alpha: f64): void {
  const zero = f32x4.splat(0), six = f32x4.splat(6), a = f64x2.splat(alpha);
  if ((k & 3) == 0) {
    const rowBytes = <usize>k << 2;
    const end = y + <usize>rows * rowBytes;
    for (let o = y; o < end; o += rowBytes)
      for (let j: usize = 0; j < rowBytes; j += 16) {
        let v = v128.load(o + j);
        if (scale) v = f32x4.mul(v, v128.load(scale + j));
        if (bias) v = f32x4.add(v, v128.load(bias + j));
        if (act == 3) v = v128.bitselect(v, scaled(v, a), f32x4.gt(v, zero));
        else if (act >= 1) v = v128.andnot(v, f32x4.lt(v, zero));
        if (act == 2) v = v128.bitselect(six, v, f32x4.gt(v, six));
        v128.store(o + j, v);
      }
    return;
  }
  const n = rows * k;
  for (let i = 0, j = 0; i < n; i++) {
    const p = y + (<usize>i << 2);
    let v = load<f32>(p);
    if (scale) v *= load<f32>(scale + (<usize>j << 2));
    if (bias) v += load<f32>(bias + (<usize>j << 2));
    if (act == 3) v = v > 0 ? v : <f32>(alpha * <f64>v);
    else if (act >= 1) v = reinterpret<f32>(reinterpret<i32>(v) & ~(-(<i32>(v < 0))));
    if (act == 2) v = select<f32>(6, v, v > 6);
    store<f32>(p, v);
    if (++j == k) j = 0;
  }
}
