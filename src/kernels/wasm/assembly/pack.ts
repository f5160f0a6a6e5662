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
  const panelBytes = <usize>kd << 5;
  let first: usize = 0; // the range's first row of the packed panels
  for (let i = 0; i < nr; i++) {
    const rg = ranges + (<usize>i << 4);
    const src = <usize>load<i32>(rg);
    const cnt = load<i32>(rg, 4);
    const sK = <usize>load<i32>(rg, 8) << 2;
    const sN = <usize>load<i32>(rg, 12) << 2;
    // rows in blocks of PACK_ROWS, every panel of a block before the next one: the source rows
    // of a block stay in cache while the panels take their 8 columns each
    for (let e0 = 0; e0 < cnt; e0 += PACK_ROWS) {
      const e1 = min(cnt, e0 + PACK_ROWS);
      for (let p = 0; p < np; p++) {
        const c0 = p << 3;
        let o = dst + <usize>p * panelBytes + ((first + <usize>e0) << 5);
        let row = src + <usize>c0 * sN + <usize>e0 * sK;
        let e = e0;
        if (sN == 4 && c0 + 8 <= n) {
          for (; e < e1; e++, row += sK, o += 32) {
            v128.store(o, v128.load(row));
            v128.store(o, v128.load(row, 16), 16);
          }
        } else if (sK == 4 && c0 + 8 <= n) {
          // transposed (rows contiguous along e): 4 rows × 8 columns at a time, two 4×4 transposes
          for (; e + 4 <= e1; e += 4, row += 16, o += 128) {
            transpose4(o, row, sN, 32);
            transpose4(o + 16, row + (sN << 2), sN, 32);
          }
        }
        for (; e < e1; e++, row += sK, o += 32) {
          for (let j = 0; j < 8; j++) store<f32>(o + (<usize>j << 2), c0 + j < n ? load<f32>(row + <usize>j * sN) : 0);
        }
      }
    }
    first += <usize>cnt;
  }
  return kd;
}

/** Rows of B packed per block (see packB). */
const PACK_ROWS = 16;

/**
 * A 4×4 block transposed: row i of the block at o (rows dN bytes apart) = column i of the block
 * at src (rows sN bytes apart).
 */
@inline function transpose4(o: usize, src: usize, sN: usize, dN: usize): void {
  const v0 = v128.load(src), v1 = v128.load(src + sN), v2 = v128.load(src + 2 * sN), v3 = v128.load(src + 3 * sN);
  const t0 = i32x4.shuffle(v0, v1, 0, 4, 1, 5); // a0 b0 a1 b1
  const t1 = i32x4.shuffle(v2, v3, 0, 4, 1, 5); // c0 d0 c1 d1
  const t2 = i32x4.shuffle(v0, v1, 2, 6, 3, 7); // a2 b2 a3 b3
  const t3 = i32x4.shuffle(v2, v3, 2, 6, 3, 7); // c2 d2 c3 d3
  v128.store(o, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(o + dN, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(o + 2 * dN, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(o + 3 * dN, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/**
 * dst[c][r] = src[r][c] for a rows×cols float matrix (byte addresses): 32×32 tiles, inside them
 * 4×4 blocks transposed in registers (transpose4), the edges element by element.
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
          transpose4(d, s, rs, ds);
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
