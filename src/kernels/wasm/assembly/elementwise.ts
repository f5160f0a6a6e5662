// Activations and their gradients on arrays in the arena (called directly by the host, one
// thread: these are bound by the copies in and out, not by arithmetic). Bits equal the reference
// kernels (kernels/ts/elementwise.ts): relu clears the bits of values < 0 (−0 and NaN kept),
// relu6 then selects 6 above 6; the gradient keeps dy's bits where the mask holds, else +0.

/** y[i] = act(x[i]) for n floats (act 1 relu, 2 relu6); x and y may be the same address. */
export function activate(x: usize, y: usize, n: i32, act: i32): void {
  const zero = f32x4.splat(0), six = f32x4.splat(6);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    let v = v128.load(x + o);
    v = v128.andnot(v, f32x4.lt(v, zero));
    if (act == 2) v = v128.bitselect(six, v, f32x4.gt(v, six));
    v128.store(y + o, v);
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    let v = load<f32>(x + o);
    v = reinterpret<f32>(reinterpret<i32>(v) & ~(-(<i32>(v < 0))));
    if (act == 2) v = select<f32>(6, v, v > 6);
    store<f32>(y + o, v);
  }
}

/**
 * dz[i] = dy[i] where the activation passes the gradient at ref[i] (relu: ref > 0; relu6:
 * 0 < ref < 6; ref is the activation's input or its output, the masks agree), else +0; n floats.
 * When db ≠ 0, also db[j] += dz[r·k + j] row by row in float32 (the bias gradient, same order as
 * the reference), k | n.
 */
export function activationGrad(dy: usize, ref: usize, dz: usize, n: i32, k: i32, db: usize, act: i32): void {
  const zero = f32x4.splat(0), six = f32x4.splat(6);
  if (db != 0 && (k & 3) == 0) {
    const rowBytes = <usize>k << 2;
    const end = <usize>n << 2;
    for (let o: usize = 0; o < end; o += rowBytes)
      for (let j: usize = 0; j < rowBytes; j += 16) {
        const r = v128.load(ref + o + j);
        let m = f32x4.gt(r, zero);
        if (act == 2) m = v128.and(m, f32x4.lt(r, six));
        const g = v128.and(v128.load(dy + o + j), m);
        v128.store(dz + o + j, g);
        v128.store(db + j, f32x4.add(v128.load(db + j), g));
      }
    return;
  }
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const r = v128.load(ref + o);
    let m = f32x4.gt(r, zero);
    if (act == 2) m = v128.and(m, f32x4.lt(r, six));
    v128.store(dz + o, v128.and(v128.load(dy + o), m));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const r = load<f32>(ref + o);
    const pass = act == 2 ? r > 0 && r < 6 : r > 0;
    store<i32>(dz + o, load<i32>(dy + o) & -(<i32>pass));
  }
  if (db != 0)
    for (let i = 0, j = 0; i < n; i++) {
      const q = db + (<usize>j << 2);
      store<f32>(q, load<f32>(q) + load<f32>(dz + (<usize>i << 2)));
      if (++j == k) j = 0;
    }
}

/** alpha·v for the four lanes of v, in float64, rounded to float32 (the reference's `alpha * v` stored). */
@inline export function scaled(v: v128, a: v128): v128 {
  const lo = f32x4.demote_f64x2_zero(f64x2.mul(a, f64x2.promote_low_f32x4(v)));
  const hi = f32x4.demote_f64x2_zero(f64x2.mul(a, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3))));
  return v128.shuffle<f32>(lo, hi, 0, 1, 4, 5);
}

/**
 * Leaky ReLU over n floats: y = x > 0 ? x : alpha·x (the product in float64, as the reference);
 * with dy ≠ 0 its gradient instead, y = x > 0 ? dy : alpha·dy. x and y may be the same address.
 */
export function leaky(x: usize, dy: usize, y: usize, n: i32, alpha: f64): void {
  const zero = f32x4.splat(0), a = f64x2.splat(alpha);
  const src = dy != 0 ? dy : x;
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(src + o);
    v128.store(y + o, v128.bitselect(v, scaled(v, a), f32x4.gt(v128.load(x + o), zero)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(src + o);
    store<f32>(y + o, load<f32>(x + o) > 0 ? v : <f32>(alpha * <f64>v));
  }
}

/** acc[i] += x[i] over n floats (float32 sums: the reference's rounding after each addition). */
export function addInto(acc: usize, x: usize, n: i32): void {
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(acc + o, f32x4.add(v128.load(acc + o), v128.load(x + o)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(acc + o, load<f32>(acc + o) + load<f32>(x + o));
  }
}
