// Max and average pooling over NHWC, vectorized across channels (4 per f32x4); tasks are rows of
// the output (forward) or of the input (gradients, gathered so that every element is written by
// one task in a fixed order). Padded positions never win a max and never count in an average.
import {
  PL_M, PL_H, PL_W, PL_C, PL_FH, PL_FW, PL_SH, PL_SW, PL_PT, PL_PL, PL_OH, PL_OW, PL_X, PL_Y, PL_ARG,
  PL_ROWS_PER_TASK,
} from "../layout";
import { word } from "./util";

/** y = max over each window, argmax = flat index into x of the first maximum (window order); NaN propagates. */
export function maxPoolTask(params: usize, t: i32): void {
  const m = word(params, PL_M), h = word(params, PL_H), w = word(params, PL_W), c = word(params, PL_C);
  const fh = word(params, PL_FH), fw = word(params, PL_FW), sh = word(params, PL_SH), sw = word(params, PL_SW);
  const pt = word(params, PL_PT), pl = word(params, PL_PL), oh = word(params, PL_OH), ow = word(params, PL_OW);
  const X = <usize>word(params, PL_X), Y = <usize>word(params, PL_Y), ARG = <usize>word(params, PL_ARG);
  const per = word(params, PL_ROWS_PER_TASK);
  const lanes = i32x4(0, 1, 2, 3);
  const r1 = min(m * oh, (t + 1) * per);
  for (let row = t * per; row < r1; row++) {
    const b = row / oh, oy = row % oh;
    const y0 = max(0, oy * sh - pt), y1 = min(h, oy * sh - pt + fh);
    for (let ox = 0; ox < ow; ox++) {
      const x0 = max(0, ox * sw - pl), x1 = min(w, ox * sw - pl + fw);
      const o = (row * ow + ox) * c;
      const first = ((b * h + y0) * w + x0) * c;
      let ch = 0;
      for (; ch + 4 <= c; ch += 4) {
        let best = v128.load(X + (<usize>(first + ch) << 2));
        let arg = i32x4.add(i32x4.splat(first + ch), lanes);
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const at = ((b * h + iy) * w + ix) * c + ch;
            const v = v128.load(X + (<usize>at << 2));
            // v wins when greater, or when it is NaN and the best is not (NaN propagates)
            const gt = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
            best = v128.bitselect(v, best, gt);
            arg = v128.bitselect(i32x4.add(i32x4.splat(at), lanes), arg, gt);
          }
        }
        v128.store(Y + (<usize>(o + ch) << 2), best);
        v128.store(ARG + (<usize>(o + ch) << 2), arg);
      }
      for (; ch < c; ch++) {
        let best = load<f32>(X + (<usize>(first + ch) << 2));
        let arg = first + ch;
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const at = ((b * h + iy) * w + ix) * c + ch;
            const v = load<f32>(X + (<usize>at << 2));
            if (v > best || (v != v && best == best)) {
              best = v;
              arg = at;
            }
          }
        }
        store<f32>(Y + (<usize>(o + ch) << 2), best);
        store<i32>(ARG + (<usize>(o + ch) << 2), arg);
      }
    }
  }
}

/** The output windows that contain input row/column `i`: [lo, hi). */
@inline function windows(i: i32, pad: i32, f: i32, s: i32, n: i32): i64 {
  // oy·s − pad ≤ i < oy·s − pad + f
  const a = i + pad - f + 1;
  const lo = a <= 0 ? 0 : (a + s - 1) / s;
  const hi = min(n, (i + pad) / s + 1);
  return (<i64>lo << 32) | <i64>(<u32>hi);
}

/**
 * dx = dy routed to each window's recorded maximum, one image per task: the image's dx is zeroed,
 * then dy is added at argmax in output order (the order of the reference kernel).
 */
export function maxPoolGradTask(params: usize, t: i32): void {
  const h = word(params, PL_H), w = word(params, PL_W), c = word(params, PL_C);
  const oh = word(params, PL_OH), ow = word(params, PL_OW);
  const X = <usize>word(params, PL_X), Y = <usize>word(params, PL_Y), ARG = <usize>word(params, PL_ARG);
  const nx = h * w * c, ny = oh * ow * c;
  memory.fill(X + (<usize>(t * nx) << 2), 0, <usize>nx << 2);
  const o0 = <usize>(t * ny) << 2, o1 = <usize>((t + 1) * ny) << 2;
  for (let o = o0; o < o1; o += 4) {
    const at = X + (<usize>load<i32>(ARG + o) << 2);
    store<f32>(at, load<f32>(at) + load<f32>(Y + o));
  }
}

/** y = mean of each window's valid (unpadded) positions. */
export function avgPoolTask(params: usize, t: i32): void {
  const m = word(params, PL_M), h = word(params, PL_H), w = word(params, PL_W), c = word(params, PL_C);
  const fh = word(params, PL_FH), fw = word(params, PL_FW), sh = word(params, PL_SH), sw = word(params, PL_SW);
  const pt = word(params, PL_PT), pl = word(params, PL_PL), oh = word(params, PL_OH), ow = word(params, PL_OW);
  const X = <usize>word(params, PL_X), Y = <usize>word(params, PL_Y), ARG = <usize>word(params, PL_ARG);
  const per = word(params, PL_ROWS_PER_TASK);
  const r1 = min(m * oh, (t + 1) * per);
  for (let row = t * per; row < r1; row++) {
    const b = row / oh, oy = row % oh;
    const y0 = max(0, oy * sh - pt), y1 = min(h, oy * sh - pt + fh);
    for (let ox = 0; ox < ow; ox++) {
      const x0 = max(0, ox * sw - pl), x1 = min(w, ox * sw - pl + fw);
      const inv: f32 = 1 / <f32>((y1 - y0) * (x1 - x0));
      const o = (row * ow + ox) * c;
      let ch = 0;
      for (; ch + 4 <= c; ch += 4) {
        let acc = f32x4.splat(0);
        for (let iy = y0; iy < y1; iy++)
          for (let ix = x0; ix < x1; ix++) acc = f32x4.add(acc, v128.load(X + (<usize>(((b * h + iy) * w + ix) * c + ch) << 2)));
        v128.store(Y + (<usize>(o + ch) << 2), f32x4.mul(acc, f32x4.splat(inv)));
      }
      for (; ch < c; ch++) {
        let acc: f32 = 0;
        for (let iy = y0; iy < y1; iy++)
          for (let ix = x0; ix < x1; ix++) acc += load<f32>(X + (<usize>(((b * h + iy) * w + ix) * c + ch) << 2));
        store<f32>(Y + (<usize>(o + ch) << 2), acc * inv);
      }
    }
  }
}

/** dx[p] = Σ dy[o] / count(o) over the windows o that contain p. */
export function avgPoolGradTask(params: usize, t: i32): void {
  const m = word(params, PL_M), h = word(params, PL_H), w = word(params, PL_W), c = word(params, PL_C);
  const fh = word(params, PL_FH), fw = word(params, PL_FW), sh = word(params, PL_SH), sw = word(params, PL_SW);
  const pt = word(params, PL_PT), pl = word(params, PL_PL), oh = word(params, PL_OH), ow = word(params, PL_OW);
  const X = <usize>word(params, PL_X), Y = <usize>word(params, PL_Y), ARG = <usize>word(params, PL_ARG);
  const per = word(params, PL_ROWS_PER_TASK);
  const r1 = min(m * h, (t + 1) * per);
  for (let row = t * per; row < r1; row++) {
    const b = row / h, iy = row % h;
    const wy = windows(iy, pt, fh, sh, oh);
    const oy0 = <i32>(wy >> 32), oy1 = <i32>wy;
    for (let ix = 0; ix < w; ix++) {
      const wx = windows(ix, pl, fw, sw, ow);
      const ox0 = <i32>(wx >> 32), ox1 = <i32>wx;
      const p = (row * w + ix) * c;
      let ch = 0;
      for (; ch + 4 <= c; ch += 4) {
        let acc = f32x4.splat(0);
        for (let oy = oy0; oy < oy1; oy++) {
          const cy = min(h, oy * sh - pt + fh) - max(0, oy * sh - pt);
          for (let ox = ox0; ox < ox1; ox++) {
            const cx = min(w, ox * sw - pl + fw) - max(0, ox * sw - pl);
            const inv: f32 = 1 / <f32>(cy * cx);
            const o = <usize>(((b * oh + oy) * ow + ox) * c + ch) << 2;
            acc = f32x4.add(acc, f32x4.mul(v128.load(Y + o), f32x4.splat(inv)));
          }
        }
        v128.store(X + (<usize>(p + ch) << 2), acc);
      }
      for (; ch < c; ch++) {
        let acc: f32 = 0;
        for (let oy = oy0; oy < oy1; oy++) {
          const cy = min(h, oy * sh - pt + fh) - max(0, oy * sh - pt);
          for (let ox = ox0; ox < ox1; ox++) {
            const cx = min(w, ox * sw - pl + fw) - max(0, ox * sw - pl);
            acc += load<f32>(Y + (<usize>(((b * oh + oy) * ow + ox) * c + ch) << 2)) * (1 / <f32>(cy * cx));
          }
        }
        store<f32>(X + (<usize>(p + ch) << 2), acc);
      }
    }
  }
}
