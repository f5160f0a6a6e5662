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

/**
 * dst[c][r] = src[r][c] for a rows×cols float matrix (byte addresses): 32×32 tiles, inside them
 * 4×4 blocks transposed in registers (4 loads, 8 shuffles, 4 stores), the edges element by element.
 */
export function transpose(dst: usize, src: usize, rows: i32, cols: i32): void {
  const B = 32;
  const rs = <usize>cols << 2, ds = <usize>rows << 2;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = min(rows, r0 + B), r4 = r0 + ((r1 - r0) & ~3);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = min(cols, c0 + B), c4 = c0 + ((c1 - c0) & ~3);
      for (let r = r0; r < r4; r += 4) {
        let s = src + <usize>r * rs + (<usize>c0 << 2);
        let d = dst + <usize>c0 * ds + (<usize>r << 2);
        for (let c = c0; c < c4; c += 4, s += 16, d += ds << 2) {
          const a = v128.load(s), b = v128.load(s + rs), e = v128.load(s + 2 * rs), f = v128.load(s + 3 * rs);
          const t0 = v128.shuffle<i32>(a, b, 0, 4, 1, 5), t1 = v128.shuffle<i32>(a, b, 2, 6, 3, 7);
          const t2 = v128.shuffle<i32>(e, f, 0, 4, 1, 5), t3 = v128.shuffle<i32>(e, f, 2, 6, 3, 7);
          v128.store(d, v128.shuffle<i32>(t0, t2, 0, 1, 4, 5));
          v128.store(d + ds, v128.shuffle<i32>(t0, t2, 2, 3, 6, 7));
          v128.store(d + 2 * ds, v128.shuffle<i32>(t1, t3, 0, 1, 4, 5));
          v128.store(d + 3 * ds, v128.shuffle<i32>(t1, t3, 2, 3, 6, 7));
        }
        for (let rr = r; rr < r + 4; rr++)
          for (let c = c4; c < c1; c++) store<f32>(dst + ((<usize>c * <usize>rows + <usize>rr) << 2), load<f32>(src + ((<usize>rr * <usize>cols + <usize>c) << 2)));
      }
      for (let r = r4; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          store<f32>(dst + ((<usize>c * <usize>rows + <usize>r) << 2), load<f32>(src + ((<usize>r * <usize>cols + <usize>c) << 2)));
        }
      }
    }
  }
}
