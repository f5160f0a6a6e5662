// Depthwise 2-D convolution, direct (no GEMM): each output channel ci·mult + j reads only input
// channel ci. Vectorized across channels when mult = 1 (the common case), scalar otherwise.
// Forward reads a zero-padded copy of x; the input gradient gathers over valid taps per input
// pixel; the filter gradient gives each (tap, channel block) to one task, summing pixels in order.
import {
  DW_M, DW_H, DW_W, DW_C, DW_MULT, DW_FH, DW_FW, DW_SH, DW_SW, DW_DH, DW_DW, DW_PT, DW_PL, DW_OH, DW_OW,
  DW_X, DW_HP, DW_WP, DW_F, DW_Y, DW_OUT, DW_ROWS_PER_TASK, DW_CBLOCK, DW_BIAS, DW_SCALE, DW_ACT, DW_PS,
} from "../layout";
import { word } from "./util";

/** The 3×3, mult 1 paths (MobileNet's): the host checks the same condition. */
@inline function fast3x3(mult: i32, fh: i32, fw: i32): bool {
  return mult == 1 && fh == 3 && fw == 3;
}

/** act(v·s + b) as biasAct does it (same operations, same bits). */
@inline function epi(v: v128, s: v128, b: v128, hasS: bool, hasB: bool, act: i32): v128 {
  if (hasS) v = f32x4.mul(v, s);
  if (hasB) v = f32x4.add(v, b);
  if (act >= 1) v = v128.andnot(v, f32x4.lt(v, f32x4.splat(0)));
  if (act == 2) v = v128.bitselect(f32x4.splat(6), v, f32x4.gt(v, f32x4.splat(6)));
  return v;
}

@inline function epiS(v: f32, s: f32, b: f32, hasS: bool, hasB: bool, act: i32): f32 {
  if (hasS) v *= s;
  if (hasB) v += b;
  if (act >= 1) v = reinterpret<f32>(reinterpret<i32>(v) & ~(-(<i32>(v < 0))));
  if (act == 2) v = select<f32>(6, v, v > 6);
  return v;
}

/**
 * Forward, 3×3, mult 1: per output row, per 4-channel group the 9 taps' filter vectors stay in
 * locals while the row's pixels stream past; the epilogue is applied before the store. Each output
 * sums its taps in the order (0,0), (0,1), …, (2,2) from the first product (no partition enters).
 */
function depthwise3x3(params: usize, t: i32): void {
  const c = word(params, DW_C), sh = word(params, DW_SH), sw = word(params, DW_SW), dh = word(params, DW_DH), dw = word(params, DW_DW);
  const oh = word(params, DW_OH), ow = word(params, DW_OW), m = word(params, DW_M);
  const X = <usize>word(params, DW_X), Hp = word(params, DW_HP), Wp = word(params, DW_WP);
  const F = <usize>word(params, DW_F), Y = <usize>word(params, DW_Y), per = word(params, DW_ROWS_PER_TASK);
  const B = <usize>word(params, DW_BIAS), S = <usize>word(params, DW_SCALE), act = word(params, DW_ACT);
  const hasB = B != 0, hasS = S != 0;
  const ps = word(params, DW_PS);
  const c4 = <usize>c << 2, fc = <usize>ps << 2, cs = <usize>(dw * ps) << 2, rs = <usize>(dh * Wp * ps) << 2, xs = <usize>(sw * ps) << 2;
  const c4v = c & ~3;
  const r1 = min(m * oh, (t + 1) * per);
  for (let row = t * per; row < r1; row++) {
    const b = row / oh, oy = row % oh;
    const x0 = X + (<usize>((b * Hp + oy * sh) * Wp * ps) << 2);
    const y0 = Y + (<usize>(row * ow * c) << 2);
    if (ow < 24) {
      // short rows, many channels: pixel-major, tap by tap over the pixel's contiguous channels
      // (two streams at a time; 18 at once thrash the cache), the sum kept in y (in L1), the
      // epilogue last; each output still sums its taps in the order of the loop below
      for (let ox = 0; ox < ow; ox++) {
        const p0 = x0 + <usize>ox * xs, o0 = y0 + <usize>ox * c4, ov = o0 + (<usize>c4v << 2);
        for (let tap = 0; tap < 9; tap++) {
          const i = tap / 3, l = tap % 3;
          let p = p0 + <usize>i * rs + <usize>l * cs, f = F + <usize>tap * fc;
          if (tap == 0) for (let o = o0; o < ov; o += 16, p += 16, f += 16) v128.store(o, f32x4.mul(v128.load(p), v128.load(f)));
          else for (let o = o0; o < ov; o += 16, p += 16, f += 16) v128.store(o, f32x4.add(v128.load(o), f32x4.mul(v128.load(p), v128.load(f))));
        }
        if (hasS || hasB || act != 0)
          for (let cb: usize = 0; cb < (<usize>c4v << 2); cb += 16) {
            const sv = hasS ? v128.load(S + cb) : f32x4.splat(1), bv = hasB ? v128.load(B + cb) : f32x4.splat(0);
            v128.store(o0 + cb, epi(v128.load(o0 + cb), sv, bv, hasS, hasB, act));
          }
      }
    } else for (let ch = 0; ch < c4v; ch += 4) {
      const f = F + (<usize>ch << 2);
      const f0 = v128.load(f), f1 = v128.load(f + fc), f2 = v128.load(f + 2 * fc);
      const f3 = v128.load(f + 3 * fc), f4 = v128.load(f + 4 * fc), f5 = v128.load(f + 5 * fc);
      const f6 = v128.load(f + 6 * fc), f7 = v128.load(f + 7 * fc), f8 = v128.load(f + 8 * fc);
      const sv = hasS ? v128.load(S + (<usize>ch << 2)) : f32x4.splat(1);
      const bv = hasB ? v128.load(B + (<usize>ch << 2)) : f32x4.splat(0);
      let p = x0 + (<usize>ch << 2), o = y0 + (<usize>ch << 2);
      for (let ox = 0; ox < ow; ox++, p += xs, o += c4) {
        const q = p + rs, r = q + rs;
        let acc = f32x4.mul(v128.load(p), f0);
        acc = f32x4.add(acc, f32x4.mul(v128.load(p + cs), f1));
        acc = f32x4.add(acc, f32x4.mul(v128.load(p + 2 * cs), f2));
        acc = f32x4.add(acc, f32x4.mul(v128.load(q), f3));
        acc = f32x4.add(acc, f32x4.mul(v128.load(q + cs), f4));
        acc = f32x4.add(acc, f32x4.mul(v128.load(q + 2 * cs), f5));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r), f6));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r + cs), f7));
        acc = f32x4.add(acc, f32x4.mul(v128.load(r + 2 * cs), f8));
        v128.store(o, epi(acc, sv, bv, hasS, hasB, act));
      }
    }
    for (let ch = c4v; ch < c; ch++) {
      const f = F + (<usize>ch << 2);
      const sv: f32 = hasS ? load<f32>(S + (<usize>ch << 2)) : 1, bv: f32 = hasB ? load<f32>(B + (<usize>ch << 2)) : 0;
      let p = x0 + (<usize>ch << 2), o = y0 + (<usize>ch << 2);
      for (let ox = 0; ox < ow; ox++, p += xs, o += c4) {
        let acc: f32 = 0;
        for (let i = 0; i < 3; i++) {
          const pr = p + <usize>i * rs, fr = f + <usize>(3 * i) * fc;
          acc = i == 0 ? load<f32>(pr) * load<f32>(fr) : acc + load<f32>(pr) * load<f32>(fr);
          acc += load<f32>(pr + cs) * load<f32>(fr + fc);
          acc += load<f32>(pr + 2 * cs) * load<f32>(fr + 2 * fc);
        }
        store<f32>(o, epiS(acc, sv, bv, hasS, hasB, act));
      }
    }
  }
}

/**
 * Filter gradient, 3×3, mult 1: task t takes a fixed block of output rows (the host's partition
 * depends on the shape only) and writes its partial dF [9, c] at OUT + t·9·c floats: per row, per
 * 4-channel group, the 9 taps' sums stay in locals while the row's pixels stream past. The host
 * sums the partials in task order, so the result does not depend on the thread count.
 */
function depthwiseGradFilter3x3(params: usize, t: i32): void {
  const c = word(params, DW_C), sh = word(params, DW_SH), sw = word(params, DW_SW), dh = word(params, DW_DH), dw = word(params, DW_DW);
  const oh = word(params, DW_OH), ow = word(params, DW_OW), m = word(params, DW_M);
  const X = <usize>word(params, DW_X), Hp = word(params, DW_HP), Wp = word(params, DW_WP);
  const DY = <usize>word(params, DW_Y), per = word(params, DW_ROWS_PER_TASK);
  const out = <usize>word(params, DW_OUT) + (<usize>(t * 9 * c) << 2);
  const ps = word(params, DW_PS);
  const c4 = <usize>c << 2, cs = <usize>(dw * ps) << 2, rs = <usize>(dh * Wp * ps) << 2, xs = <usize>(sw * ps) << 2;
  const c4v = c & ~3;
  memory.fill(out, 0, 9 * c4);
  const r1 = min(m * oh, (t + 1) * per);
  for (let row = t * per; row < r1; row++) {
    const b = row / oh, oy = row % oh;
    const x0 = X + (<usize>((b * Hp + oy * sh) * Wp * ps) << 2);
    const d0 = DY + (<usize>(row * ow * c) << 2);
    for (let ch = 0; ch < c4v; ch += 4) {
      const f = out + (<usize>ch << 2);
      let a0 = v128.load(f), a1 = v128.load(f + c4), a2 = v128.load(f + 2 * c4);
      let a3 = v128.load(f + 3 * c4), a4 = v128.load(f + 4 * c4), a5 = v128.load(f + 5 * c4);
      let a6 = v128.load(f + 6 * c4), a7 = v128.load(f + 7 * c4), a8 = v128.load(f + 8 * c4);
      let p = x0 + (<usize>ch << 2), d = d0 + (<usize>ch << 2);
      for (let ox = 0; ox < ow; ox++, p += xs, d += c4) {
        const q = p + rs, r = q + rs;
        const g = v128.load(d);
        a0 = f32x4.add(a0, f32x4.mul(v128.load(p), g));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(p + cs), g));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(p + 2 * cs), g));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(q), g));
        a4 = f32x4.add(a4, f32x4.mul(v128.load(q + cs), g));
        a5 = f32x4.add(a5, f32x4.mul(v128.load(q + 2 * cs), g));
        a6 = f32x4.add(a6, f32x4.mul(v128.load(r), g));
        a7 = f32x4.add(a7, f32x4.mul(v128.load(r + cs), g));
        a8 = f32x4.add(a8, f32x4.mul(v128.load(r + 2 * cs), g));
      }
      v128.store(f, a0); v128.store(f + c4, a1); v128.store(f + 2 * c4, a2);
      v128.store(f + 3 * c4, a3); v128.store(f + 4 * c4, a4); v128.store(f + 5 * c4, a5);
      v128.store(f + 6 * c4, a6); v128.store(f + 7 * c4, a7); v128.store(f + 8 * c4, a8);
    }
    for (let ch = c4v; ch < c; ch++) {
      const f = out + (<usize>ch << 2);
      let p = x0 + (<usize>ch << 2), d = d0 + (<usize>ch << 2);
      for (let ox = 0; ox < ow; ox++, p += xs, d += c4) {
        const g = load<f32>(d);
        for (let i = 0; i < 3; i++) {
          const pr = p + <usize>i * rs, fr = f + <usize>(3 * i) * c4;
          store<f32>(fr, load<f32>(fr) + load<f32>(pr) * g);
          store<f32>(fr + c4, load<f32>(fr + c4) + load<f32>(pr + cs) * g);
          store<f32>(fr + 2 * c4, load<f32>(fr + 2 * c4) + load<f32>(pr + 2 * cs) * g);
        }
      }
    }
  }
}

/** y[b, oy, ox, ci·mult + j] = Σ_taps xpad[b, oy·sh + i·dh, ox·sw + l·dw, ci] · F[i, l, ci, j]. */
export function depthwiseTask(params: usize, t: i32): void {
  const c = word(params, DW_C), mult = word(params, DW_MULT), fh = word(params, DW_FH), fw = word(params, DW_FW);
  const sh = word(params, DW_SH), sw = word(params, DW_SW), dh = word(params, DW_DH), dw = word(params, DW_DW);
  const oh = word(params, DW_OH), ow = word(params, DW_OW), m = word(params, DW_M);
  const X = <usize>word(params, DW_X), Hp = word(params, DW_HP), Wp = word(params, DW_WP);
  const F = <usize>word(params, DW_F), Y = <usize>word(params, DW_Y), per = word(params, DW_ROWS_PER_TASK);
  if (fast3x3(mult, fh, fw)) {
    depthwise3x3(params, t);
    return;
  }
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
  if (fast3x3(mult, word(params, DW_FH), fw)) {
    depthwiseGradFilter3x3(params, t);
    return;
  }
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
