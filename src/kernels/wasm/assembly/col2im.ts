// The conv input gradient as GEMM + col2im (JOB_COL2IM, see ../layout.ts): for a block of 4 output
// pixels, dcol[r, 0..kd) = dy[pixel r, 0..k) · filterᵀ with the 4×8 microkernel, then each row is
// added into dx at the input positions its taps read (skipping padding). One image per task, in
// pixel-then-tap order, so the sums have a fixed order whatever the thread count.
import {
  CG_OD, CG_OH, CG_OW, CG_D, CG_H, CG_W, CG_C, CG_K, CG_FD, CG_FH, CG_FW, CG_SD, CG_SH, CG_SW, CG_DD, CG_DH,
  CG_DW, CG_PF, CG_PT, CG_PL, CG_DY, CG_B, CG_DX, CG_DCOL, CG_SEGS, CG_STREAMED,
} from "../layout";
import { block4x8 } from "./segconv";
import { word, waitForImage } from "./util";

export function col2imTask(params: usize, b: i32, tmp: usize, tid: i32): void {
  const od = word(params, CG_OD), oh = word(params, CG_OH), ow = word(params, CG_OW);
  const D = word(params, CG_D), H = word(params, CG_H), W = word(params, CG_W), c = word(params, CG_C), k = word(params, CG_K);
  const fd = word(params, CG_FD), fh = word(params, CG_FH), fw = word(params, CG_FW);
  const sd = word(params, CG_SD), sh = word(params, CG_SH), sw = word(params, CG_SW);
  const dd = word(params, CG_DD), dh = word(params, CG_DH), dw = word(params, CG_DW);
  const pf = word(params, CG_PF), pt = word(params, CG_PT), pl = word(params, CG_PL);
  const segs = <usize>word(params, CG_SEGS);
  const kd = fd * fh * fw * c;
  const kd8 = (kd + 7) & ~7;
  const rowBytes = <usize>kd8 << 2;
  const dcol = <usize>word(params, CG_DCOL) + <usize>tid * (rowBytes << 2);
  const bpk = <usize>word(params, CG_B);
  const panelBytes = <usize>k << 5;
  const P = od * oh * ow;
  const imgBytes = <usize>(D * H * W * c) << 2;
  const dx = <usize>word(params, CG_DX) + <usize>b * imgBytes;
  const dy = <usize>word(params, CG_DY) + ((<usize>b * <usize>P * <usize>k) << 2);
  if (word(params, CG_STREAMED) != 0) waitForImage(b);
  memory.fill(dx, 0, imgBytes);
  const kb = <usize>k << 2;
  for (let p0 = 0; p0 < P; p0 += 4) {
    const nb = min(4, P - p0);
    const a0 = dy + <usize>p0 * kb;
    const a1 = dy + <usize>(p0 + min(1, nb - 1)) * kb, a2 = dy + <usize>(p0 + min(2, nb - 1)) * kb, a3 = dy + <usize>(p0 + min(3, nb - 1)) * kb;
    let bp = bpk;
    for (let col = 0; col < kd; col += 8) {
      const o = dcol + (<usize>col << 2);
      block4x8(a0, a1, a2, a3, segs, 1, bp, o, o + rowBytes, o + 2 * rowBytes, o + 3 * rowBytes, 8, false, tmp);
      bp += panelBytes;
    }
    for (let r = 0; r < nb; r++) {
      const pix = p0 + r;
      const x = pix % ow, y = (pix / ow) % oh, z = pix / (ow * oh);
      const row = dcol + <usize>r * rowBytes;
      // the taps whose input column is inside x: l in [l0, l1)
      const x0 = x * sw - pl;
      const l0 = x0 >= 0 ? 0 : (-x0 + dw - 1) / dw;
      const l1 = x0 > W - 1 ? 0 : min(fw, (W - 1 - x0) / dw + 1);
      if (l0 >= l1) continue;
      for (let i = 0; i < fd; i++) {
        const iz = z * sd + i * dd - pf;
        if (iz < 0 || iz >= D) continue;
        for (let j = 0; j < fh; j++) {
          const iy = y * sh + j * dh - pt;
          if (iy < 0 || iy >= H) continue;
          let src = row + ((<usize>(((i * fh + j) * fw + l0) * c)) << 2);
          let dst = dx + (<usize>(((iz * H + iy) * W + x0 + l0 * dw) * c) << 2);
          const dstep = <usize>(dw * c) << 2, sstep = <usize>c << 2;
          for (let l = l0; l < l1; l++, src += sstep, dst += dstep) {
            let e = 0;
            for (; e + 4 <= c; e += 4) {
              const q = <usize>e << 2;
              v128.store(dst + q, f32x4.add(v128.load(dst + q), v128.load(src + q)));
            }
            for (; e < c; e++) {
              const q = <usize>e << 2;
              store<f32>(dst + q, load<f32>(dst + q) + load<f32>(src + q));
            }
          }
        }
      }
    }
  }
}
