// The filter gradient of conv2d/conv3d (JOB_FILTERGRAD, see ../layout.ts):
// dW[kd, 0..k) = Σ_p src[base(p) + off(kd)] · dy[p, 0..k) over all output pixels p, as a 4×8
// register-blocked outer-product sum: for each pixel, 4 splats of x (the block's kd) times 8
// columns of dy. A task is one fixed group of pixels × a range of (row block, panel) pairs, so it
// streams its pixels once while every pair of its range reuses them from cache.
import {
  FG_PIXELS, FG_D, FG_R, FG_U, FG_SRC, FG_SRC_IMG, FG_SRC_D, FG_SRC_R, FG_SRC_U, FG_DY, FG_K, FG_PARTIAL,
  FG_BLOCKS, FG_NBLOCKS, FG_NPANELS, FG_RANGES, FG_CHUNK, FG_STREAMED, FG_GROUP, FG_KD, FG_PACK, FG_PACK_BYTES, FG_FLAGS, FG_PACK_DY, FG_PACK_X,
} from "../layout";
import { storeRow, word, waitForImage, cursorStart, cursorOffset, cursorNext, madd } from "./util";

export function filterGradTask(params: usize, t: i32, tmp: usize, tid: i32): void {
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
  if (q0 >= q1) return;
  const out = <usize>word(params, FG_PARTIAL) + ((<usize>g * <usize>kd * <usize>k) << 2);
  const rowBytes = <usize>k << 2;
  const z = f32x4.splat(0);
  // this thread's packing buffers: the chunk's dy panel by panel ([panel][pixel][8], contiguous
  // for the inner loop instead of rows k floats apart) and a block's 4 kd of x per pixel
  const flags = word(params, FG_FLAGS);
  const packDy = (flags & FG_PACK_DY) != 0, packX = (flags & FG_PACK_X) != 0;
  const dyp = <usize>word(params, FG_PACK) + <usize>tid * <usize>word(params, FG_PACK_BYTES);
  const xb = dyp + ((<usize>npanels * FG_CHUNK) << 5);
  const tbl = tmp + 64;
  const streamed = word(params, FG_STREAMED) != 0;
  const p1 = min(P, (g + 1) * group);
  for (let g0 = g * group; g0 < p1; g0 += FG_CHUNK) {
    const cnt = min(FG_CHUNK, p1 - g0);
    const first = g0 == g * group;
    if (streamed) waitForImage((g0 + cnt - 1) / (D * R * U));
    const cur = tmp + 32;
    cursorStart(cur, g0, D, R, U);
    for (let p = 0; p < cnt; p++) {
      store<i32>(tbl + (<usize>p << 2), src + cursorOffset(cur, sImg, sD, sR, sU));
      cursorNext(cur, D, R, U);
    }
    // dy panel by panel when its rows are far apart: [panel][pixel][8] floats, contiguous
    const panelBytes = packDy ? <usize>cnt << 5 : 32;
    const dstep = packDy ? <usize>32 : rowBytes;
    if (packDy) {
      // the panels this task's pairs use
      const pa = q1 - q0 >= npanels ? 0 : q0 % npanels;
      const pb = q1 - q0 >= npanels ? npanels : (q1 - 1) % npanels + 1;
      for (let p = 0; p < cnt; p++) {
        const row = dy + (<usize>(g0 + p) * rowBytes);
        const at = dyp + (<usize>p << 5);
        if (pa < pb) {
          for (let pn = pa; pn < pb; pn++) copy32(at + <usize>pn * panelBytes, row + (<usize>pn << 5));
        } else {
          for (let pn = 0; pn < pb; pn++) copy32(at + <usize>pn * panelBytes, row + (<usize>pn << 5));
          for (let pn = pa; pn < npanels; pn++) copy32(at + <usize>pn * panelBytes, row + (<usize>pn << 5));
        }
      }
    }
    const dyc = packDy ? dyp : dy + (<usize>g0 * rowBytes);
    const tEnd = tbl + (<usize>cnt << 2);
    const xEnd = xb + (<usize>cnt << 4);
    let packed = -1;
    for (let q = q0; q < q1; q++) {
      const bi = q / npanels;
      const blk = blocks + (<usize>bi * 24);
      const off0 = <usize>load<i32>(blk), off1 = <usize>load<i32>(blk, 4), off2 = <usize>load<i32>(blk, 8), off3 = <usize>load<i32>(blk, 12);
      const adjacent = off1 == off0 + 4 && off2 == off0 + 8 && off3 == off0 + 12;
      if (packX && bi != packed) {
        // the block's 4 kd of each pixel side by side (the pixels are far apart)
        packed = bi;
        if (adjacent) {
          for (let p = 0; p < cnt; p++) v128.store(xb + (<usize>p << 4), v128.load(<usize>load<i32>(tbl + (<usize>p << 2)) + off0));
        } else {
          for (let p = 0; p < cnt; p++) {
            const base = <usize>load<i32>(tbl + (<usize>p << 2));
            const o = xb + (<usize>p << 4);
            store<f32>(o, load<f32>(base + off0));
            store<f32>(o, load<f32>(base + off1), 4);
            store<f32>(o, load<f32>(base + off2), 8);
            store<f32>(o, load<f32>(base + off3), 12);
          }
        }
      }
      const pn = q % npanels;
      const col = pn << 3;
      let dp = dyc + <usize>pn * panelBytes;
      let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
      if (packX) {
        for (let xp = xb; xp < xEnd; xp += 16) {
          const b0 = v128.load(dp);
          const b1 = v128.load(dp, 16);
          let a = v128.load32_splat(xp);
          c00 = madd(c00, a, b0);
          c01 = madd(c01, a, b1);
          a = v128.load32_splat(xp, 4);
          c10 = madd(c10, a, b0);
          c11 = madd(c11, a, b1);
          a = v128.load32_splat(xp, 8);
          c20 = madd(c20, a, b0);
          c21 = madd(c21, a, b1);
          a = v128.load32_splat(xp, 12);
          c30 = madd(c30, a, b0);
          c31 = madd(c31, a, b1);
          dp += dstep;
        }
      } else if (adjacent) {
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
          dp += dstep;
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
          dp += dstep;
        }
      }
      const o = out + <usize>load<i32>(blk, 16) * rowBytes + (<usize>col << 2);
      const nrows = load<i32>(blk, 20);
      const nc = min(8, k - col);
      if (first) {
        // the partial's first chunk: 0 + sum, as if added to a zeroed partial (the same bits,
        // −0 included), without clearing and reading it first
        storeRow(o, f32x4.add(c00, z), f32x4.add(c01, z), nc, false, tmp);
        if (nrows > 1) storeRow(o + rowBytes, f32x4.add(c10, z), f32x4.add(c11, z), nc, false, tmp);
        if (nrows > 2) storeRow(o + 2 * rowBytes, f32x4.add(c20, z), f32x4.add(c21, z), nc, false, tmp);
        if (nrows > 3) storeRow(o + 3 * rowBytes, f32x4.add(c30, z), f32x4.add(c31, z), nc, false, tmp);
      } else {
        storeRow(o, c00, c01, nc, true, tmp);
        if (nrows > 1) storeRow(o + rowBytes, c10, c11, nc, true, tmp);
        if (nrows > 2) storeRow(o + 2 * rowBytes, c20, c21, nc, true, tmp);
        if (nrows > 3) storeRow(o + 3 * rowBytes, c30, c31, nc, true, tmp);
      }
    }
  }
}

/** Copies 32 bytes (8 floats). */
@inline function copy32(dst: usize, src: usize): void {
  v128.store(dst, v128.load(src));
  v128.store(dst, v128.load(src, 16), 16);
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
