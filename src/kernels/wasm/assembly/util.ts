import { CTL_PROGRESS } from "../layout";

// Small helpers shared by the kernels.

/** Stores (or adds, when `acc`) the first nc ≤ 8 lanes of v0‖v1 at o; tmp is 32 bytes of scratch. */
@inline export function storeRow(o: usize, v0: v128, v1: v128, nc: i32, acc: bool, tmp: usize): void {
  if (nc == 8) {
    if (acc) {
      v0 = f32x4.add(v0, v128.load(o));
      v1 = f32x4.add(v1, v128.load(o, 16));
    }
    v128.store(o, v0);
    v128.store(o, v1, 16);
  } else {
    v128.store(tmp, v0);
    v128.store(tmp, v1, 16);
    for (let j = 0; j < nc; j++) {
      const q = o + (<usize>j << 2);
      const v = load<f32>(tmp + (<usize>j << 2));
      store<f32>(q, acc ? load<f32>(q) + v : v);
    }
  }
}

// A cursor walks rows indexed (img, d, r, u) over [·, D, R, U] in order; it is four i32 in scratch
// memory at `cur` (img, d, r, u), so the kernels that walk rows share one piece of code.

/** Puts the cursor at flat row index `row`. */
@inline export function cursorStart(cur: usize, row: i32, D: i32, R: i32, U: i32): void {
  store<i32>(cur, row % U, 12);
  let q = row / U;
  store<i32>(cur, q % R, 8);
  q /= R;
  store<i32>(cur, q % D, 4);
  store<i32>(cur, q / D);
}

/** Byte offset of the cursor's row for the strides (img, d, r, u). */
@inline export function cursorOffset(cur: usize, sImg: i32, sD: i32, sR: i32, sU: i32): i32 {
  return load<i32>(cur) * sImg + load<i32>(cur, 4) * sD + load<i32>(cur, 8) * sR + load<i32>(cur, 12) * sU;
}

/** Steps the cursor to the next row. */
@inline export function cursorNext(cur: usize, D: i32, R: i32, U: i32): void {
  const u = load<i32>(cur, 12) + 1;
  if (u < U) {
    store<i32>(cur, u, 12);
    return;
  }
  store<i32>(cur, 0, 12);
  const r = load<i32>(cur, 8) + 1;
  if (r < R) {
    store<i32>(cur, r, 8);
    return;
  }
  store<i32>(cur, 0, 8);
  const d = load<i32>(cur, 4) + 1;
  if (d < D) {
    store<i32>(cur, d, 4);
    return;
  }
  store<i32>(cur, 0, 4);
  store<i32>(cur, load<i32>(cur) + 1);
}

/** Streamed jobs: spins until the caller has published more than `img` images of the input. */
@inline export function waitForImage(img: i32): void {
  while (atomic.load<i32>(CTL_PROGRESS << 2) <= img) {}
}

@inline export function word(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/**
 * acc + a·b per lane: relaxed SIMD's fused multiply-add (one rounding, where the hardware has FMA)
 * in the module built with it (kernels-*-relaxed.wasm), else a multiply then an add.
 */
@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
