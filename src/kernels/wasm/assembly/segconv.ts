// The 4×8 register-blocked microkernel behind conv2d/conv3d forward, their input gradient and
// dense GEMM (JOB_SEGGEMM, see ../layout.ts). Each output row reads its operand straight from a
// (padded) source through a list of contiguous segments, so no im2col copy is made: a segment
// is one filter row (fw·c contiguous floats) of the receptive field, or one tap when dilated.
// B (weights) is packed once per call into 8-column panels.
import {
  SG_WORDS, SG_TASK0, SG_NTASKS, SG_ROWS_PER_TASK, SG_M, SG_D, SG_R, SG_U, SG_SRC, SG_SRC_IMG, SG_SRC_D,
  SG_SRC_R, SG_SRC_U, SG_DST, SG_DST_IMG, SG_DST_D, SG_DST_R, SG_DST_U, SG_SEGS, SG_NSEG, SG_B, SG_KD, SG_N,
  SG_FLAGS, SG_DUMP, SG_ACCUMULATE, SG_ZERO, SG_STREAMED,
} from "../layout";
import { storeRow, word, waitForImage, cursorStart, cursorOffset, cursorNext, madd } from "./util";

/**
 * One 4×8 block: rows a0..a3 (byte bases), all segments, one packed panel bp ([kd][8]); the
 * result goes to o0..o3 (nc ≤ 8 columns), added to what is there when `acc`.
 */
@inline export function block4x8(
  a0: usize, a1: usize, a2: usize, a3: usize, segs: usize, nseg: i32, bp: usize,
  o0: usize, o1: usize, o2: usize, o3: usize, nc: i32, acc: bool, tmp: usize,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let s = 0; s < nseg; s++) {
    const off = <usize>load<i32>(segs + (<usize>s << 3));
    const len = <usize>load<i32>(segs + (<usize>s << 3), 4);
    let p0 = a0 + off, p1 = a1 + off, p2 = a2 + off, p3 = a3 + off;
    const end = p0 + (len << 2);
    while (p0 < end) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      let a = v128.load32_splat(p0);
      c00 = madd(c00, a, b0);
      c01 = madd(c01, a, b1);
      a = v128.load32_splat(p1);
      c10 = madd(c10, a, b0);
      c11 = madd(c11, a, b1);
      a = v128.load32_splat(p2);
      c20 = madd(c20, a, b0);
      c21 = madd(c21, a, b1);
      a = v128.load32_splat(p3);
      c30 = madd(c30, a, b0);
      c31 = madd(c31, a, b1);
      p0 += 4;
      p1 += 4;
      p2 += 4;
      p3 += 4;
      bp += 32;
    }
  }
  storeRow(o0, c00, c01, nc, acc, tmp);
  storeRow(o1, c10, c11, nc, acc, tmp);
  storeRow(o2, c20, c21, nc, acc, tmp);
  storeRow(o3, c30, c31, nc, acc, tmp);
}

/** Runs task `t` of a JOB_SEGGEMM whose parameter block is at `params`. */
export function segGemmTask(params: usize, t: i32, tmp: usize): void {
  const nph = word(params, 0);
  let ph: usize = params + 4;
  for (let i = 0; i < nph; i++, ph += SG_WORDS << 2) {
    const t0 = word(ph, SG_TASK0);
    if (t >= t0 && t < t0 + word(ph, SG_NTASKS)) {
      phaseTask(ph, t - t0, tmp);
      return;
    }
  }
}

function phaseTask(ph: usize, t: i32, tmp: usize): void {
  const D = word(ph, SG_D), R = word(ph, SG_R), U = word(ph, SG_U);
  const rows = word(ph, SG_M) * D * R * U;
  const per = word(ph, SG_ROWS_PER_TASK);
  const r0 = t * per;
  const r1 = min(rows, r0 + per);
  const src = <usize>word(ph, SG_SRC), sImg = word(ph, SG_SRC_IMG), sD = word(ph, SG_SRC_D), sR = word(ph, SG_SRC_R), sU = word(ph, SG_SRC_U);
  const dst = <usize>word(ph, SG_DST), dImg = word(ph, SG_DST_IMG), dD = word(ph, SG_DST_D), dR = word(ph, SG_DST_R), dU = word(ph, SG_DST_U);
  const segs = <usize>word(ph, SG_SEGS), nseg = word(ph, SG_NSEG);
  const bpk = <usize>word(ph, SG_B), kd = word(ph, SG_KD), n = word(ph, SG_N);
  const flags = word(ph, SG_FLAGS);
  const acc = (flags & SG_ACCUMULATE) != 0;
  const zero = (flags & SG_ZERO) != 0;
  const dump = <usize>word(ph, SG_DUMP);
  if (flags & SG_STREAMED) waitForImage((r1 - 1) / (D * R * U));
  const panelBytes = <usize>kd << 5;
  const cur = tmp + 128; // the row cursor
  cursorStart(cur, r0, D, R, U);
  const a = tmp + 64; // 4 source bases, 4 destinations
  let sink = 0;
  for (let row = r0; row < r1; row += 4) {
    const nb = min(4, r1 - row);
    for (let j = 0; j < 4; j++) {
      if (j < nb) {
        store<i32>(a + (<usize>j << 2), <i32>src + cursorOffset(cur, sImg, sD, sR, sU));
        store<i32>(a + 16 + (<usize>j << 2), <i32>dst + cursorOffset(cur, dImg, dD, dR, dU));
        cursorNext(cur, D, R, U);
      } else {
        store<i32>(a + (<usize>j << 2), load<i32>(a));
        store<i32>(a + 16 + (<usize>j << 2), <i32>dump);
      }
    }
    const s0 = <usize>load<i32>(a), s1 = <usize>load<i32>(a, 4), s2 = <usize>load<i32>(a, 8), s3 = <usize>load<i32>(a, 12);
    if (kd >= 128 && row + 4 < r1) sink ^= touch(<usize>(<i32>src + cursorOffset(cur, sImg, sD, sR, sU)), sU, segs, nseg);
    const o0 = <usize>load<i32>(a, 16), o1 = <usize>load<i32>(a, 20), o2 = <usize>load<i32>(a, 24), o3 = <usize>load<i32>(a, 28);
    if (zero) {
      for (let c = 0; c < n; c += 8) {
        const nc = min(8, n - c);
        const co = <usize>c << 2;
        const z = f32x4.splat(0);
        storeRow(o0 + co, z, z, nc, acc, tmp);
        if (nb > 1) storeRow(o1 + co, z, z, nc, acc, tmp);
        if (nb > 2) storeRow(o2 + co, z, z, nc, acc, tmp);
        if (nb > 3) storeRow(o3 + co, z, z, nc, acc, tmp);
      }
      continue;
    }
    let bp = bpk;
    for (let c = 0; c < n; c += 8) {
      const co = <usize>c << 2;
      block4x8(s0, s1, s2, s3, segs, nseg, bp, o0 + co, o1 + (nb > 1 ? co : 0), o2 + (nb > 2 ? co : 0), o3 + (nb > 3 ? co : 0), min(8, n - c), acc, tmp);
      bp += panelBytes;
    }
  }
  store<i32>(tmp, sink, 160);
}

/**
 * Loads one word per cache line of the next block's operand rows (4 rows `step` bytes apart from
 * `base`), so that their misses overlap with this block's arithmetic instead of stalling it.
 */
function touch(base: usize, step: i32, segs: usize, nseg: i32): i32 {
  let x = 0;
  for (let s = 0; s < nseg; s++) {
    const off = <usize>load<i32>(segs + (<usize>s << 3));
    const bytes = <usize>load<i32>(segs + (<usize>s << 3), 4) << 2;
    for (let j = 0; j < 4; j++) {
      const p = base + <usize>(j * step) + off;
      for (let e: usize = 0; e < bytes; e += 64) x ^= load<i32>(p + e);
    }
  }
  return x;
}
