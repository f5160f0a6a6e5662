// Depthwise 2-D convolution, direct (no GEMM): each output channel ci·mult + j reads only input
// channel ci. Vectorized across channels when mult = 1 (the common case), scalar otherwise.
// Forward reads a zero-padded copy of x; the input gradient gathers over valid taps per input
// pixel; the filter gradient gives each (tap, channel block) to one task, summing pixels in order.
import {
  DW_M, DW_H, DW_W, DW_C, DW_MULT, DW_FH, DW_FW, DW_SH, DW_SW, DW_DH, DW_DW, DW_PT, DW_PL, DW_OH, DW_OW,
  DW_X, DW_HP, DW_WP, DW_F, DW_Y, DW_OUT, DW_ROWS_PER_TASK, DW_CBLOCK,
} from "../layout";
import { word } from "./util";

/** y[b, oy, ox, ci·mult + j] = Σ_taps xpad[b, oy·sh + i·dh, ox·sw + l·dw, ci] · F[i, l, ci, j]. */
export function depthwiseTask(params: usize, t: i32): void {
  const c = word(params, DW_C), mult = word(params, DW_MULT), fh = word(params, DW_FH), fw = word(params, DW_FW);
  const sh = word(params, DW_SH), sw = word(params, DW_SW), dh = word(params, DW_DH), dw = word(params, DW_DW);
  const oh = word(params, DW_OH), ow = word(params, DW_OW), m = word(params, DW_M);
  const X = <usize>word(params, DW_X), Hp = word(params, DW_HP), Wp = word(params, DW_WP);
  const F = <usize>word(params, DW_F), Y = <usize>word(params, DW_Y), per = word(params, DW_ROWS_PER_TASK);
  const k = c * mult;
  const r1 = min(m * oh, (t + 1) * per);
  for (let row = t * per; row < r1; row++) {
    const b = row / oh, oy = row % oh;
    for (let ox = 0; ox < ow; ox++) {
      const o = Y + (<usize>((row * ow + ox) * k) << 2);
      const x0 = X + (<usize>(((b * Hp + oy * sh) * Wp + ox * sw) * c) << 2);
      if (mult == 1) {
        let ch = 0;
        for (; ch + 4 <= c; ch += 4) {
          let acc = f32x4.splat(0);
          for (let i = 0; i < fh; i++)
            for (let l = 0; l < fw; l++) {
              const xv = v128.load(x0 + (<usize>((i * dh * Wp + l * dw) * c + ch) << 2));
              const fv = v128.load(F + (<usize>((i * fw + l) * c + ch) << 2));
              acc = f32x4.add(acc, f32x4.mul(xv, fv));
            }
          v128.store(o + (<usize>ch << 2), acc);
        }
        for (; ch < c; ch++) {
          let acc: f32 = 0;
          for (let i = 0; i < fh; i++)
            for (let l = 0; l < fw; l++)
              acc += load<f32>(x0 + (<usize>((i * dh * Wp + l * dw) * c + ch) << 2)) * load<f32>(F + (<usize>((i * fw + l) * c + ch) << 2));
          store<f32>(o + (<usize>ch << 2), acc);
        }
      } else {
        for (let q = 0; q < k; q++) {
          const ci = q / mult;
          let acc: f32 = 0;
          for (let i = 0; i < fh; i++)
            for (let l = 0; l < fw; l++)
              acc += load<f32>(x0 + (<usize>((i * dh * Wp + l * dw) * c + ci) << 2)) * load<f32>(F + (<usize>((i * fw + l) * k + q) << 2));
          store<f32>(o + (<usize>q << 2), acc);
        }
      }
    }
  }
}

/** dx[b, y, x, ci] = Σ_valid taps Σ_j dy[b, oy, ox, ci·mult + j] · F[i, l, ci, j], per input row. */
export function depthwiseGradInputTask(params: usize, t: i32): void {
  const c = word(params, DW_C), mult = word(params, DW_MULT), fh = word(params, DW_FH), fw = word(params, DW_FW);
  const sh = word(params, DW_SH), sw = word(params, DW_SW), dh = word(params, DW_DH), dw = word(params, DW_DW);
  const pt = word(params, DW_PT), pl = word(params, DW_PL), oh = word(params, DW_OH), ow = word(params, DW_OW);
  const m = word(params, DW_M), h = word(params, DW_H), w = word(params, DW_W);
  const F = <usize>word(params, DW_F), DY = <usize>word(params, DW_Y), DX = <usize>word(params, DW_OUT);
  const per = word(params, DW_ROWS_PER_TASK);
  const k = c * mult;
  const r1 = min(m * h, (t + 1) * per);
  for (let row = t * per; row < r1; row++) {
    const b = row / h, y = row % h;
    for (let x = 0; x < w; x++) {
      const o = DX + (<usize>((row * w + x) * c) << 2);
      let ch = 0;
      if (mult == 1) {
        for (; ch + 4 <= c; ch += 4) v128.store(o + (<usize>ch << 2), f32x4.splat(0));
      }
      for (let q = ch; q < c; q++) store<f32>(o + (<usize>q << 2), 0);
      for (let i = 0; i < fh; i++) {
        const vy = y + pt - i * dh;
        if (vy < 0 || vy % sh != 0) continue;
        const oy = vy / sh;
        if (oy >= oh) continue;
        for (let l = 0; l < fw; l++) {
          const vx = x + pl - l * dw;
          if (vx < 0 || vx % sw != 0) continue;
          const ox = vx / sw;
          if (ox >= ow) continue;
          const d = DY + (<usize>(((b * oh + oy) * ow + ox) * k) << 2);
          const f = F + (<usize>((i * fw + l) * k) << 2);
          if (mult == 1) {
            let q = 0;
            for (; q + 4 <= c; q += 4) {
              const at = o + (<usize>q << 2);
              v128.store(at, f32x4.add(v128.load(at), f32x4.mul(v128.load(d + (<usize>q << 2)), v128.load(f + (<usize>q << 2)))));
            }
            for (; q < c; q++) {
              const at = o + (<usize>q << 2);
              store<f32>(at, load<f32>(at) + load<f32>(d + (<usize>q << 2)) * load<f32>(f + (<usize>q << 2)));
            }
          } else {
            for (let ci = 0; ci < c; ci++) {
              let acc: f32 = 0;
              for (let j = 0; j < mult; j++) acc += load<f32>(d + (<usize>(ci * mult + j) << 2)) * load<f32>(f + (<usize>(ci * mult + j) << 2));
              const at = o + (<usize>ci << 2);
              store<f32>(at, load<f32>(at) + acc);
            }
          }
        }
      }
    }
  }
}

/** dF[i, l, ci, j] = Σ_pixels xpad[..., ci] · dy[..., ci·mult + j]; a task is one tap × DW_CBLOCK channels. */
export function depthwiseGradFilterTask(params: usize, t: i32): void {
  const c = word(params, DW_C), mult = word(params, DW_MULT), fw = word(params, DW_FW);
  const sh = word(params, DW_SH), sw = word(params, DW_SW), dh = word(params, DW_DH), dw = word(params, DW_DW);
  const oh = word(params, DW_OH), ow = word(params, DW_OW), m = word(params, DW_M);
  const X = <usize>word(params, DW_X), Hp = word(params, DW_HP), Wp = word(params, DW_WP);
  const DY = <usize>word(params, DW_Y), OUT = <usize>word(params, DW_OUT);
  const k = c * mult;
  const nb = (k + DW_CBLOCK - 1) / DW_CBLOCK;
  const tap = t / nb;
  const q0 = (t % nb) * DW_CBLOCK, q1 = min(k, q0 + DW_CBLOCK);
  const i = tap / fw, l = tap % fw;
  const out = OUT + (<usize>(tap * k) << 2);
  if (mult == 1 && q1 - q0 == DW_CBLOCK) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let b = 0; b < m; b++)
      for (let oy = 0; oy < oh; oy++) {
        let xp = X + (<usize>(((b * Hp + oy * sh + i * dh) * Wp + l * dw) * c + q0) << 2);
        let dp = DY + (<usize>(((b * oh + oy) * ow) * k + q0) << 2);
        const xs = <usize>(sw * c) << 2, ds = <usize>k << 2;
        for (let ox = 0; ox < ow; ox++, xp += xs, dp += ds) {
          a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), v128.load(dp)));
          a1 = f32x4.add(a1, f32x4.mul(v128.load(xp, 16), v128.load(dp, 16)));
          a2 = f32x4.add(a2, f32x4.mul(v128.load(xp, 32), v128.load(dp, 32)));
          a3 = f32x4.add(a3, f32x4.mul(v128.load(xp, 48), v128.load(dp, 48)));
        }
      }
    const o = out + (<usize>q0 << 2);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
    return;
  }
  for (let q = q0; q < q1; q++) {
    const ci = q / mult;
    let acc: f32 = 0;
    for (let b = 0; b < m; b++)
      for (let oy = 0; oy < oh; oy++)
        for (let ox = 0; ox < ow; ox++)
          acc +=
            load<f32>(X + (<usize>(((b * Hp + oy * sh + i * dh) * Wp + ox * sw + l * dw) * c + ci) << 2)) *
            load<f32>(DY + (<usize>(((b * oh + oy) * ow + ox) * k + q) << 2));
    store<f32>(out + (<usize>q << 2), acc);
  }
}
