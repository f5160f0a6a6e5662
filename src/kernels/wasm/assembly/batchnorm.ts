// Batch norm over x [n, c] (JOB_BN_*, see ../layout.ts), vectorized over the flat data: a group of
// R = 4 / gcd(c, 4) rows is R·c = P lanes, whole f32x4 vectors for every c (c = 1, 3, 6, … too), and
// lane j belongs to channel j % c; per-lane parameters are P-float arrays. A task is a fixed block
// of rows; the reductions sum BN_FLUSH groups in float32 and add those chunk sums to float64
// per-lane sums, which each task writes to its own slot (the host adds the slots in task order, so
// no result depends on the number of threads).
//
// Statistics (numerics): one pass over main memory, two over the task's block (≤ 64 KiB, cached).
// Pass A finds a rough block mean K; pass B sums d = x − K and d² (float32 chunks, float64 sums).
// With K that close to the block mean, Σd²/n − (Σd/n)² has no cancellation even for large values
// with a small variance (the weakness of Σx and Σx² from zero), and unlike a shift by one sample,
// an outlier cannot make K far from the mean. The host turns (K, Σd, Σd²) into each block's mean and
// M2 = Σ(x − mean)², then merges the blocks with Chan et al.'s pairwise update in task order.
import {
  BN_N, BN_C, BN_R, BN_ROWS_PER_TASK, BN_X, BN_Y, BN_OUT, BN_PARTIAL, BN_CHUNKS, BN_MHI, BN_MLO, BN_A,
  BN_B, BN_K, BN_FLUSH,
} from "../layout";
import { word } from "./util";

/** F[0..P) (f64) += S[0..P) (f32), then S = 0. */
@inline function flush(S: usize, F: usize, P: i32): void {
  const z = f32x4.splat(0);
  for (let j = 0; j < P; j += 4) {
    const s = S + (<usize>j << 2), f = F + (<usize>j << 3);
    const v = v128.load(s);
    v128.store(f, f64x2.add(v128.load(f), f64x2.promote_low_f32x4(v)));
    v128.store(f, f64x2.add(v128.load(f, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3))), 16);
    v128.store(s, z);
  }
}

/** The task's rows: [r0, r1) as (byte offset of r0 in x, full groups, tail floats after them). */
@inline function span(params: usize, t: i32): i64 {
  const n = word(params, BN_N), c = word(params, BN_C), R = word(params, BN_R), per = word(params, BN_ROWS_PER_TASK);
  const r0 = t * per, r1 = min(n, r0 + per);
  const groups = (r1 - r0) / R;
  return (<i64>groups << 32) | <i64>(<u32>((r1 - r0 - groups * R) * c));
}

@inline function rowBase(params: usize, t: i32): usize {
  return <usize>(t * word(params, BN_ROWS_PER_TASK) * word(params, BN_C)) << 2;
}

/** Block statistics: slot t gets f64 Σd, Σd² per lane and the shift K per lane (f32, third chunk array). */
export function bnStatsTask(params: usize, t: i32): void {
  const P = word(params, BN_R) * word(params, BN_C), C = word(params, BN_C), R = word(params, BN_R);
  const sp = span(params, t);
  const groups = <i32>(sp >> 32), tail = <i32>sp;
  const X = <usize>word(params, BN_X) + rowBase(params, t);
  const F1 = <usize>word(params, BN_PARTIAL) + (<usize>(t * 2 * P) << 3), F2 = F1 + (<usize>P << 3);
  const S1 = <usize>word(params, BN_CHUNKS) + (<usize>(t * 3 * P) << 2), S2 = S1 + (<usize>P << 2), K = S2 + (<usize>P << 2);
  const gb = <usize>P << 2;
  memory.fill(F1, 0, <usize>P << 4);
  memory.fill(S1, 0, <usize>P << 3);
  // pass A: Σx → the rough mean K
  let x = X, k = 0;
  for (let gi = 0; gi < groups; gi++) {
    for (let j: usize = 0; j < gb; j += 16) v128.store(S1 + j, f32x4.add(v128.load(S1 + j), v128.load(x + j)));
    x += gb;
    if (++k == BN_FLUSH) {
      flush(S1, F1, P);
      k = 0;
    }
  }
  for (let j: usize = 0; j < (<usize>tail << 2); j += 4) store<f32>(S1 + j, load<f32>(S1 + j) + load<f32>(x + j));
  flush(S1, F1, P);
  const rows = <f64>(groups * R + tail / C);
  for (let c = 0; c < C; c++) {
    let s: f64 = 0;
    for (let r = 0; r < R; r++) s += load<f64>(F1 + (<usize>(r * C + c) << 3));
    store<f32>(K + (<usize>c << 2), <f32>(s / rows));
  }
  for (let j = C; j < P; j++) store<f32>(K + (<usize>j << 2), load<f32>(K + (<usize>(j % C) << 2)));
  memory.fill(F1, 0, <usize>P << 3);
  // pass B: Σd and Σd², d = x − K
  x = X;
  k = 0;
  for (let gi = 0; gi < groups; gi++) {
    for (let j: usize = 0; j < gb; j += 16) {
      const d = f32x4.sub(v128.load(x + j), v128.load(K + j));
      v128.store(S1 + j, f32x4.add(v128.load(S1 + j), d));
      v128.store(S2 + j, f32x4.add(v128.load(S2 + j), f32x4.mul(d, d)));
    }
    x += gb;
    if (++k == BN_FLUSH) {
      flush(S1, F1, P);
      flush(S2, F2, P);
      k = 0;
    }
  }
  for (let j: usize = 0; j < (<usize>tail << 2); j += 4) {
    const d = load<f32>(x + j) - load<f32>(K + j);
    store<f32>(S1 + j, load<f32>(S1 + j) + d);
    store<f32>(S2 + j, load<f32>(S2 + j) + d * d);
  }
  flush(S1, F1, P);
  flush(S2, F2, P);
}

/** y = ((x − mhi) − mlo)·A + B per lane (forward, training and inference alike). */
export function bnApplyTask(params: usize, t: i32): void {
  const P = word(params, BN_R) * word(params, BN_C);
  const sp = span(params, t);
  const groups = <i32>(sp >> 32), tail = <i32>sp;
  const off = rowBase(params, t);
  let x = <usize>word(params, BN_X) + off, y = <usize>word(params, BN_Y) + off;
  const MHI = <usize>word(params, BN_MHI), MLO = <usize>word(params, BN_MLO), A = <usize>word(params, BN_A), B = <usize>word(params, BN_B);
  const gb = <usize>P << 2;
  for (let gi = 0; gi < groups; gi++) {
    for (let j: usize = 0; j < gb; j += 16) {
      const d = f32x4.sub(f32x4.sub(v128.load(x + j), v128.load(MHI + j)), v128.load(MLO + j));
      v128.store(y + j, f32x4.add(f32x4.mul(d, v128.load(A + j)), v128.load(B + j)));
    }
    x += gb;
    y += gb;
  }
  for (let j: usize = 0; j < (<usize>tail << 2); j += 4) {
    const d = (load<f32>(x + j) - load<f32>(MHI + j)) - load<f32>(MLO + j);
    store<f32>(y + j, d * load<f32>(A + j) + load<f32>(B + j));
  }
}

/** Slot t gets f64 Σdy and Σdy·x̂ per lane, x̂ = ((x − mhi) − mlo)·invStd (A). */
export function bnGradStatsTask(params: usize, t: i32): void {
  const P = word(params, BN_R) * word(params, BN_C);
  const sp = span(params, t);
  const groups = <i32>(sp >> 32), tail = <i32>sp;
  const off = rowBase(params, t);
  let x = <usize>word(params, BN_X) + off, dy = <usize>word(params, BN_Y) + off;
  const MHI = <usize>word(params, BN_MHI), MLO = <usize>word(params, BN_MLO), A = <usize>word(params, BN_A);
  const F1 = <usize>word(params, BN_PARTIAL) + (<usize>(t * 2 * P) << 3), F2 = F1 + (<usize>P << 3);
  const S1 = <usize>word(params, BN_CHUNKS) + (<usize>(t * 3 * P) << 2), S2 = S1 + (<usize>P << 2);
  const gb = <usize>P << 2;
  memory.fill(F1, 0, <usize>P << 4);
  memory.fill(S1, 0, <usize>P << 3);
  let k = 0;
  for (let gi = 0; gi < groups; gi++) {
    for (let j: usize = 0; j < gb; j += 16) {
      const g = v128.load(dy + j);
      const h = f32x4.mul(f32x4.sub(f32x4.sub(v128.load(x + j), v128.load(MHI + j)), v128.load(MLO + j)), v128.load(A + j));
      v128.store(S1 + j, f32x4.add(v128.load(S1 + j), g));
      v128.store(S2 + j, f32x4.add(v128.load(S2 + j), f32x4.mul(g, h)));
    }
    x += gb;
    dy += gb;
    if (++k == BN_FLUSH) {
      flush(S1, F1, P);
      flush(S2, F2, P);
      k = 0;
    }
  }
  for (let j: usize = 0; j < (<usize>tail << 2); j += 4) {
    const g = load<f32>(dy + j);
    const h = ((load<f32>(x + j) - load<f32>(MHI + j)) - load<f32>(MLO + j)) * load<f32>(A + j);
    store<f32>(S1 + j, load<f32>(S1 + j) + g);
    store<f32>(S2 + j, load<f32>(S2 + j) + g * h);
  }
  flush(S1, F1, P);
  flush(S2, F2, P);
}

/** dx = dy·K + ((x − mhi) − mlo)·A + B per lane. */
export function bnGradInputTask(params: usize, t: i32): void {
  const P = word(params, BN_R) * word(params, BN_C);
  const sp = span(params, t);
  const groups = <i32>(sp >> 32), tail = <i32>sp;
  const off = rowBase(params, t);
  let x = <usize>word(params, BN_X) + off, dy = <usize>word(params, BN_Y) + off, dx = <usize>word(params, BN_OUT) + off;
  const MHI = <usize>word(params, BN_MHI), MLO = <usize>word(params, BN_MLO);
  const A = <usize>word(params, BN_A), B = <usize>word(params, BN_B), K = <usize>word(params, BN_K);
  const gb = <usize>P << 2;
  for (let gi = 0; gi < groups; gi++) {
    for (let j: usize = 0; j < gb; j += 16) {
      const d = f32x4.sub(f32x4.sub(v128.load(x + j), v128.load(MHI + j)), v128.load(MLO + j));
      const v = f32x4.add(f32x4.add(f32x4.mul(v128.load(dy + j), v128.load(K + j)), f32x4.mul(d, v128.load(A + j))), v128.load(B + j));
      v128.store(dx + j, v);
    }
    x += gb;
    dy += gb;
    dx += gb;
  }
  for (let j: usize = 0; j < (<usize>tail << 2); j += 4) {
    const d = (load<f32>(x + j) - load<f32>(MHI + j)) - load<f32>(MLO + j);
    store<f32>(dx + j, load<f32>(dy + j) * load<f32>(K + j) + d * load<f32>(A + j) + load<f32>(B + j));
  }
}
