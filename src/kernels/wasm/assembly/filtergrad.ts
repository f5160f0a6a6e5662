// The filter gradient of conv2d/conv3d (JOB_FILTERGRAD, see ../layout.ts):
// dW[kd, 0..k) = Σ_p src[base(p) + off(kd)] · dy[p, 0..k) over all output pixels p, as a 4×8
// register-blocked outer-product sum: for each pixel, 4 splats of x (the block's kd) times 8
// columns of dy. A task is one fixed group of pixels × a range of (row block, panel) pairs, so it
// streams its pixels once while every pair of its range reuses them from cache.
import {
  FG_PIXELS, FG_D, FG_R, FG_U, FG_SRC, FG_SRC_IMG, FG_SRC_D, FG_SRC_R, FG_SRC_U, FG_DY, FG_K, FG_PARTIAL,
  FG_BLOCKS, FG_NBLOCKS, FG_NPANELS, FG_RANGES, FG_CHUNK, FG_STREAMED, FG_GROUP, FG_KD,
} from "../layout";
import { storeRow, word, waitForImage, cursorStart, cursorOffset, cursorNext, madd } from "./util";

export function filterGradTask(params: usize, t: i32, tmp: usize): void {
  const P = word(params, FG_PIXELS);
  const D = word(params, FG_D), R = word(params, FG_R), U = word(params, FG_U);
  const src = word(params, FG_SRC), sImg = word(params, FG_SRC_IMG), sD = word(params, FG_SRC_D), sR = word(params, FG_SRC_R), sU = word(params, FG_SRC_U);
  const dy = <usize>word(params, FG_DY), k = word(params, FG_K), kd = word(params, FG_KD);
  const blocks = <usize>word(params, FG_BLOCKS), npanels = word(params, FG_NPANELS);
  const npairs = word(params, FG_NBLOCKS) * npanels;
  const ranges = word(params, FG_RANGES), group = word(params, FG_GROUP);
  const g = t / ranges, rg = t % ranges;
  const per = (npairs + ranges - 1) / ranges;
  const q0 = rg * per, q1 = min(npairs, q0 + per);
  const out = <usize>word(params, FG_PARTIAL) + ((<usize>g * <usize>kd * <usize>k) << 2);
  const rowBytes = <usize>k << 2;
  const z = f32x4.splat(0);
  for (let q = q0; q < q1; q++) {
    const blk = blocks + (<usize>(q / npanels) * 24);
    const col = (q % npanels) << 3;
    const o = out + <usize>load<i32>(blk, 16) * rowBytes + (<usize>col << 2);
    const nrows = load<i32>(blk, 20);
    const nc = min(8, k - col);
    for (let r = 0; r < nrows; r++) storeRow(o + <usize>r * rowBytes, z, z, nc, false, tmp);
  }
  const tbl = tmp + 64;
  const streamed = word(params, FG_STREAMED) != 0;
  const p1 = min(P, (g + 1) * group);
  for (let g0 = g * group; g0 < p1; g0 += FG_CHUNK) {
    const cnt = min(FG_CHUNK, p1 - g0);
    if (streamed) waitForImage((g0 + cnt - 1) / (D * R * U));
    const cur = tmp + 32;
    cursorStart(cur, g0, D, R, U);
    for (let p = 0; p < cnt; p++) {
      store<i32>(tbl + (<usize>p << 2), src + cursorOffset(cur, sImg, sD, sR, sU));
      cursorNext(cur, D, R, U);
    }
    const tEnd = tbl + (<usize>cnt << 2);
    for (let q = q0; q < q1; q++) {
      const blk = blocks + (<usize>(q / npanels) * 24);
      const off0 = <usize>load<i32>(blk), off1 = <usize>load<i32>(blk, 4), off2 = <usize>load<i32>(blk, 8), off3 = <usize>load<i32>(blk, 12);
      const col = (q % npanels) << 3;
      let dp = dy + (<usize>g0 * rowBytes) + (<usize>col << 2);
      let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
      if (off1 == off0 + 4 && off2 == off0 + 8 && off3 == off0 + 12) {
        // the block's 4 kd are adjacent floats: one base, immediate offsets
        for (let tp = tbl; tp < tEnd; tp += 4) {
          const base = <usize>load<i32>(tp) + off0;
          const b0 = v128.load(dp);
          const b1 = v128.load(dp, 16);
          let a = v128.load32_splat(base);
          c00 = madd(c00, a, b0);
          c01 = madd(c01, a, b1);
          a = v128.load32_splat(base, 4);
          c10 = madd(c10, a, b0);
          c11 = madd(c11, a, b1);
          a = v128.load32_splat(base, 8);
          c20 = madd(c20, a, b0);
          c21 = madd(c21, a, b1);
          a = v128.load32_splat(base, 12);
          c30 = madd(c30, a, b0);
          c31 = madd(c31, a, b1);
          dp += rowBytes;
        }
      } else {
        // the block spans receptive-field rows or taps (few channels): one offset per kd
        for (let tp = tbl; tp < tEnd; tp += 4) {
          const base = <usize>load<i32>(tp);
          const b0 = v128.load(dp);
          const b1 = v128.load(dp, 16);
          let a = v128.load32_splat(base + off0);
          c00 = madd(c00, a, b0);
          c01 = madd(c01, a, b1);
          a = v128.load32_splat(base + off1);
          c10 = madd(c10, a, b0);
          c11 = madd(c11, a, b1);
          a = v128.load32_splat(base + off2);
          c20 = madd(c20, a, b0);
          c21 = madd(c21, a, b1);
          a = v128.load32_splat(base + off3);
          c30 = madd(c30, a, b0);
          c31 = madd(c31, a, b1);
          dp += rowBytes;
        }
      }
      const o = out + <usize>load<i32>(blk, 16) * rowBytes + (<usize>col << 2);
      const nrows = load<i32>(blk, 20);
      const nc = min(8, k - col);
      storeRow(o, c00, c01, nc, true, tmp);
      if (nrows > 1) storeRow(o + rowBytes, c10, c11, nc, true, tmp);
      if (nrows > 2) storeRow(o + 2 * rowBytes, c20, c21, nc, true, tmp);
      if (nrows > 3) storeRow(o + 3 * rowBytes, c30, c31, nc, true, tmp);
    }
  }
}

/** dst[e] = Σ_{s < slices} src[s·n + e] for e < n, the slices added in order (the group partials). */
export function sumSlices(dst: usize, src: usize, slices: i32, n: i32): void {
  const stride = <usize>n << 2;
  let e = 0;
  for (; e + 4 <= n; e += 4) {
    const at = <usize>e << 2;
    let acc = v128.load(src + at);
    for (let s = 1; s < slices; s++) acc = f32x4.add(acc, v128.load(src + <usize>s * stride + at));
    v128.store(dst + at, acc);
  }
  for (; e < n; e++) {
    const at = <usize>e << 2;
    let acc = load<f32>(src + at);
    for (let s = 1; s < slices; s++) acc += load<f32>(src + <usize>s * stride + at);
    store<f32>(dst + at, acc);
  }
}
