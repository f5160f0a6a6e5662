// The filter gradient of conv2d/conv3d (JOB_FILTERGRAD, see ../layout.ts):
// dW[kd, 0..k) = Σ_p src[base(p) + off(kd)] · dy[p, 0..k) over all output pixels p. The output is
// tiled in (4 consecutive kd of one segment) × (8 columns) pairs; each pair belongs to one task and
// sums the pixels chunk by chunk in a fixed order, so results do not depend on the thread count.
import {
  FG_PIXELS, FG_D, FG_R, FG_U, FG_SRC, FG_SRC_IMG, FG_SRC_D, FG_SRC_R, FG_SRC_U, FG_DY, FG_K, FG_OUT,
  FG_BLOCKS, FG_NBLOCKS, FG_NPANELS, FG_PAIRS_PER_TASK, FG_CHUNK, FG_STREAMED,
} from "../layout";
import { storeRow, word, waitForImage, cursorStart, cursorOffset, cursorNext } from "./util";

export function filterGradTask(params: usize, t: i32, tmp: usize): void {
  const P = word(params, FG_PIXELS);
  const D = word(params, FG_D), R = word(params, FG_R), U = word(params, FG_U);
  const src = word(params, FG_SRC), sImg = word(params, FG_SRC_IMG), sD = word(params, FG_SRC_D), sR = word(params, FG_SRC_R), sU = word(params, FG_SRC_U);
  const dy = <usize>word(params, FG_DY), k = word(params, FG_K), out = <usize>word(params, FG_OUT);
  const blocks = <usize>word(params, FG_BLOCKS), npanels = word(params, FG_NPANELS);
  const npairs = word(params, FG_NBLOCKS) * npanels;
  const q0 = t * word(params, FG_PAIRS_PER_TASK);
  const q1 = min(npairs, q0 + word(params, FG_PAIRS_PER_TASK));
  const rowBytes = <usize>k << 2;
  const z = f32x4.splat(0);
  for (let q = q0; q < q1; q++) {
    const blk = blocks + (<usize>(q / npanels) * 12);
    const col = (q % npanels) << 3;
    const o = out + <usize>load<i32>(blk, 4) * rowBytes + (<usize>col << 2);
    const nrows = load<i32>(blk, 8);
    const nc = min(8, k - col);
    for (let r = 0; r < nrows; r++) storeRow(o + <usize>r * rowBytes, z, z, nc, false, tmp);
  }
  const tbl = tmp + 64;
  const streamed = word(params, FG_STREAMED) != 0;
  for (let g0 = 0; g0 < P; g0 += FG_CHUNK) {
    const cnt = min(FG_CHUNK, P - g0);
    if (streamed) waitForImage((g0 + cnt - 1) / (D * R * U));
    const cur = tmp + 32;
    cursorStart(cur, g0, D, R, U);
    for (let p = 0; p < cnt; p++) {
      store<i32>(tbl + (<usize>p << 2), src + cursorOffset(cur, sImg, sD, sR, sU));
      cursorNext(cur, D, R, U);
    }
    const tEnd = tbl + (<usize>cnt << 2);
    for (let q = q0; q < q1; q++) {
      const blk = blocks + (<usize>(q / npanels) * 12);
      const off = <usize>load<i32>(blk);
      const col = (q % npanels) << 3;
      let dp = dy + (<usize>g0 * rowBytes) + (<usize>col << 2);
      let c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
      for (let tp = tbl; tp < tEnd; tp += 4) {
        const base = <usize>load<i32>(tp) + off;
        const b0 = v128.load(dp);
        const b1 = v128.load(dp, 16);
        let a = v128.load32_splat(base);
        c00 = f32x4.add(c00, f32x4.mul(a, b0));
        c01 = f32x4.add(c01, f32x4.mul(a, b1));
        a = v128.load32_splat(base, 4);
        c10 = f32x4.add(c10, f32x4.mul(a, b0));
        c11 = f32x4.add(c11, f32x4.mul(a, b1));
        a = v128.load32_splat(base, 8);
        c20 = f32x4.add(c20, f32x4.mul(a, b0));
        c21 = f32x4.add(c21, f32x4.mul(a, b1));
        a = v128.load32_splat(base, 12);
        c30 = f32x4.add(c30, f32x4.mul(a, b0));
        c31 = f32x4.add(c31, f32x4.mul(a, b1));
        dp += rowBytes;
      }
      const o = out + <usize>load<i32>(blk, 4) * rowBytes + (<usize>col << 2);
      const nrows = load<i32>(blk, 8);
      const nc = min(8, k - col);
      storeRow(o, c00, c01, nc, true, tmp);
      if (nrows > 1) storeRow(o + rowBytes, c10, c11, nc, true, tmp);
      if (nrows > 2) storeRow(o + 2 * rowBytes, c20, c21, nc, true, tmp);
      if (nrows > 3) storeRow(o + 3 * rowBytes, c30, c31, nc, true, tmp);
    }
  }
}
