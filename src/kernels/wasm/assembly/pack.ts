// Packing and layout helpers, run by the calling thread before a job is dispatched.

/**
 * Packs B for JOB_SEGGEMM into 8-column panels [panel][kd][8], zero-padded past n. B's rows come
 * from `nr` ranges (srcByte, count, sK, sN) at `ranges`: element (e, col) of a range is
 * src[e·sK + col·sN] (floats). Returns the total kd.
 */
export function packB(dst: usize, n: i32, ranges: usize, nr: i32): i32 {
  let kd = 0;
  for (let i = 0; i < nr; i++) kd += load<i32>(ranges + (<usize>i << 4), 4);
  const np = (n + 7) >> 3;
  for (let p = 0; p < np; p++) {
    let o = dst + (<usize>p * <usize>kd << 5);
    const c0 = p << 3;
    for (let i = 0; i < nr; i++) {
      const rg = ranges + (<usize>i << 4);
      const src = <usize>load<i32>(rg);
      const cnt = load<i32>(rg, 4);
      const sK = <usize>load<i32>(rg, 8) << 2;
      const sN = <usize>load<i32>(rg, 12) << 2;
      let row = src + <usize>c0 * sN;
      if (sN == 4 && c0 + 8 <= n) {
        for (let e = 0; e < cnt; e++, row += sK, o += 32) {
          v128.store(o, v128.load(row));
          v128.store(o, v128.load(row, 16), 16);
        }
      } else {
        for (let e = 0; e < cnt; e++, row += sK, o += 32) {
          for (let j = 0; j < 8; j++) store<f32>(o + (<usize>j << 2), c0 + j < n ? load<f32>(row + <usize>j * sN) : 0);
        }
      }
    }
  }
  return kd;
}

/** dst[c][r] = src[r][c] for a rows×cols float matrix (byte addresses). */
export function transpose(dst: usize, src: usize, rows: i32, cols: i32): void {
  const B = 32;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = min(rows, r0 + B);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = min(cols, c0 + B);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          store<f32>(dst + ((<usize>c * <usize>rows + <usize>r) << 2), load<f32>(src + ((<usize>r * <usize>cols + <usize>c) << 2)));
        }
      }
    }
  }
}
