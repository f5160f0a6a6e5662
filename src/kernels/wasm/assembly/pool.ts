// Max and average pooling over NHWC, vectorized across channels (4 per f32x4); tasks are rows of
// the output (forward, max gradient where windows do not overlap), images (max gradient where they
// overlap: the reference's scatter order) or rows of the input (avg gradient, gathered), so every
// element is written by one task in a fixed order. Padded positions never win a max and never
// count in an average. 2×2 windows of stride 2 without padding have a direct path.
import {
  PL_M, PL_H, PL_W, PL_C, PL_FH, PL_FW, PL_SH, PL_SW, PL_PT, PL_PL, PL_OH, PL_OW, PL_X, PL_Y, PL_ARG,
  PL_ROWS_PER_TASK, PL_XSRC, PL_CODE,
} from "../layout";
import { word } from "./util";

/** v replaces the running maximum best: greater, or NaN where best is not (NaN propagates). */
@inline function wins(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
}

@inline function winsScalar(v: f32, best: f32): bool {
  return v > best || (v != v && best == best);
}

/**
 * y = max over each window, argmax (when PL_ARG ≠ 0) = flat index into x of the first maximum
 * (window order); NaN propagates. Without an argmax, 2×2 windows of stride 2 and no padding take a
 * direct path: the four pixels of a window are loaded per 4 channels (the last group overlapping the
 * one before when c is not a multiple of 4: those lanes are stored twice with the same value).
 */
export function maxPoolTask(params: usize, t: i32): void {
  const m = word(params, PL_M), h = word(params, PL_H), w = word(params, PL_W), c = word(params, PL_C);
  const fh = word(params, PL_FH), fw = word(params, PL_FW), sh = word(params, PL_SH), sw = word(params, PL_SW);
  const pt = word(params, PL_PT), pl = word(params, PL_PL), oh = word(params, PL_OH), ow = word(params, PL_OW);
  const X = <usize>word(params, PL_X), Y = <usize>word(params, PL_Y), ARG = <usize>word(params, PL_ARG);
  const CODE = <usize>word(params, PL_CODE);
  const per = word(params, PL_ROWS_PER_TASK);
  const fast = ARG == 0 && fh == 2 && fw == 2 && sh == 2 && sw == 2 && pt == 0 && pl == 0;
  const cs = <usize>c << 2, rs = <usize>w * cs;
  const r1 = min(m * oh, (t + 1) * per);
  for (let row = t * per; row < r1; row++) {
    const b = row / oh, oy = row % oh;
    let ox0 = 0;
    if (fast && 2 * oy + 1 < h) {
      const full = min(ow, w >> 1);
      let p = X + <usize>(b * h + 2 * oy) * rs, o = Y + <usize>(row * ow) * cs;
      if (CODE != 0) {
        let q = CODE + <usize>(row * ow * c);
        for (let ox = 0; ox < full; ox++, p += cs << 1, o += cs, q += <usize>c) max2x2Code(p, rs, cs, c, o, q);
      } else {
        for (let ox = 0; ox < full; ox++, p += cs << 1, o += cs) max2x2(p, rs, cs, c, o);
      }
      ox0 = full;
    }
    const y0 = max(0, oy * sh - pt), y1 = min(h, oy * sh - pt + fh);
    for (let ox = ox0; ox < ow; ox++) {
      const x0 = max(0, ox * sw - pl), x1 = min(w, ox * sw - pl + fw);
      const o = (row * ow + ox) * c;
      if (ARG != 0) maxWindowArg(X, Y, ARG, b, h, w, c, y0, y1, x0, x1, o);
      else if (CODE != 0) maxWindowCode(X, Y, CODE, b, h, w, c, y0, y1, x0, x1, o);
      else maxWindow(X, Y, b, h, w, c, y0, y1, x0, x1, o);
    }
  }
}

/** Lane codes (i32 0…255) as 4 bytes at q. */
@inline function storeCodes(q: usize, idx: v128): void {
  const n16 = i16x8.narrow_i32x4_u(idx, idx);
  v128.store32_lane(q, i8x16.narrow_i16x8_u(n16, n16), 0);
}

/** 4 bytes of codes at q as i32 lanes. */
@inline function loadCodes(q: usize): v128 {
  return i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(q)));
}

/** Which pixel of the 2×2 window at p (one channel; rows rs, pixels cs bytes apart) holds the first maximum: 0…3, row by row. */
@inline function code2x2(p: usize, rs: usize, cs: usize): i32 {
  let best = load<f32>(p);
  let k = 0;
  let v = load<f32>(p + cs);
  if (winsScalar(v, best)) {
    best = v;
    k = 1;
  }
  v = load<f32>(p + rs);
  if (winsScalar(v, best)) {
    best = v;
    k = 2;
  }
  if (winsScalar(load<f32>(p + rs + cs), best)) k = 3;
  return k;
}

/** max2x2 that also stores each channel's code (0…3: which pixel of the window won) at q. */
@inline function max2x2Code(p: usize, rs: usize, cs: usize, c: i32, o: usize, q: usize): void {
  if (c >= 4) {
    let ch = 0;
    for (;;) {
      const off = <usize>ch << 2;
      let best = v128.load(p + off);
      let v = v128.load(p + off + cs);
      const g1 = wins(v, best);
      best = v128.bitselect(v, best, g1);
      v = v128.load(p + off + rs);
      const g2 = wins(v, best);
      best = v128.bitselect(v, best, g2);
      v = v128.load(p + off + rs + cs);
      const g3 = wins(v, best);
      best = v128.bitselect(v, best, g3);
      v128.store(o + off, best);
      const idx = v128.bitselect(i32x4.splat(3), v128.bitselect(i32x4.splat(2), v128.and(g1, i32x4.splat(1)), g2), g3);
      storeCodes(q + <usize>ch, idx);
      if (ch + 4 >= c) break;
      ch = min(ch + 4, c - 4);
    }
  } else {
    for (let ch = 0; ch < c; ch++) {
      const off = <usize>ch << 2, k = code2x2(p + off, rs, cs);
      store<f32>(o + off, load<f32>(p + off + (k & 1 ? cs : 0) + (k & 2 ? rs : 0)));
      store<u8>(q + <usize>ch, <u8>k);
    }
  }
}

/**
 * The window positions (0, 1, … row by row) of the first maxima of channels ch..ch+3 over one
 * window; the maxima themselves are stored at `out` unless it is 0.
 */
@inline function code4(X: usize, b: i32, h: i32, w: i32, c: i32, y0: i32, y1: i32, x0: i32, x1: i32, ch: i32, out: usize): v128 {
  let best = v128.load(X + (<usize>(((b * h + y0) * w + x0) * c + ch) << 2));
  let idx = i32x4.splat(0);
  let k = 0;
  for (let iy = y0; iy < y1; iy++) {
    for (let ix = x0; ix < x1; ix++, k++) {
      const v = v128.load(X + (<usize>(((b * h + iy) * w + ix) * c + ch) << 2));
      const gt = wins(v, best);
      best = v128.bitselect(v, best, gt);
      idx = v128.bitselect(i32x4.splat(k), idx, gt);
    }
  }
  if (out != 0) v128.store(out, best);
  return idx;
}

/** maxWindow with code[o..o+c) = each first maximum's position in the window, row by row. */
@inline function maxWindowCode(X: usize, Y: usize, CODE: usize, b: i32, h: i32, w: i32, c: i32, y0: i32, y1: i32, x0: i32, x1: i32, o: i32): void {
  const first = ((b * h + y0) * w + x0) * c;
  let ch = 0;
  for (; ch + 4 <= c; ch += 4) storeCodes(CODE + <usize>(o + ch), code4(X, b, h, w, c, y0, y1, x0, x1, ch, Y + (<usize>(o + ch) << 2)));
  for (; ch < c; ch++) {
    let best = load<f32>(X + (<usize>(first + ch) << 2));
    let code = 0, k = 0;
    for (let iy = y0; iy < y1; iy++) {
      for (let ix = x0; ix < x1; ix++, k++) {
        const v = load<f32>(X + (<usize>(((b * h + iy) * w + ix) * c + ch) << 2));
        if (winsScalar(v, best)) {
          best = v;
          code = k;
        }
      }
    }
    store<f32>(Y + (<usize>(o + ch) << 2), best);
    store<u8>(CODE + <usize>(o + ch), <u8>code);
  }
}

/** The maximum of the 2×2 window whose top-left pixel is at p (row stride rs, pixel stride cs bytes) into o. */
@inline function max2x2(p: usize, rs: usize, cs: usize, c: i32, o: usize): void {
  if (c >= 4) {
    let ch = 0;
    for (;;) {
      const q = p + (<usize>ch << 2);
      let best = v128.load(q);
      let v = v128.load(q + cs);
      best = v128.bitselect(v, best, wins(v, best));
      v = v128.load(q + rs);
      best = v128.bitselect(v, best, wins(v, best));
      v = v128.load(q + rs + cs);
      best = v128.bitselect(v, best, wins(v, best));
      v128.store(o + (<usize>ch << 2), best);
      if (ch + 4 >= c) break;
      ch = min(ch + 4, c - 4);
    }
  } else {
    for (let ch = 0; ch < c; ch++) {
      const q = p + (<usize>ch << 2);
      let best = load<f32>(q);
      let v = load<f32>(q + cs);
      if (winsScalar(v, best)) best = v;
      v = load<f32>(q + rs);
      if (winsScalar(v, best)) best = v;
      v = load<f32>(q + rs + cs);
      if (winsScalar(v, best)) best = v;
      store<f32>(o + (<usize>ch << 2), best);
    }
  }
}

/** y[o..o+c) = the maximum over rows [y0, y1) × columns [x0, x1) of image b (no argmax). */
@inline function maxWindow(X: usize, Y: usize, b: i32, h: i32, w: i32, c: i32, y0: i32, y1: i32, x0: i32, x1: i32, o: i32): void {
  const first = ((b * h + y0) * w + x0) * c;
  let ch = 0;
  for (; ch + 4 <= c; ch += 4) {
    let best = v128.load(X + (<usize>(first + ch) << 2));
    for (let iy = y0; iy < y1; iy++) {
      for (let ix = x0; ix < x1; ix++) {
        const v = v128.load(X + (<usize>(((b * h + iy) * w + ix) * c + ch) << 2));
        best = v128.bitselect(v, best, wins(v, best));
      }
    }
    v128.store(Y + (<usize>(o + ch) << 2), best);
  }
  for (; ch < c; ch++) {
    let best = load<f32>(X + (<usize>(first + ch) << 2));
    for (let iy = y0; iy < y1; iy++) {
      for (let ix = x0; ix < x1; ix++) {
        const v = load<f32>(X + (<usize>(((b * h + iy) * w + ix) * c + ch) << 2));
        if (winsScalar(v, best)) best = v;
      }
    }
    store<f32>(Y + (<usize>(o + ch) << 2), best);
  }
}

/**
 * The flat x indices of the first maxima of channels ch..ch+3 over one window (rows y0..y1,
 * columns x0..x1 of image b); the maxima themselves are stored at `out` unless it is 0.
 */
@inline function argmax4(X: usize, b: i32, h: i32, w: i32, c: i32, y0: i32, y1: i32, x0: i32, x1: i32, ch: i32, out: usize): v128 {
  const lanes = i32x4(0, 1, 2, 3);
  const first = ((b * h + y0) * w + x0) * c + ch;
  let best = v128.load(X + (<usize>first << 2));
  let arg = i32x4.add(i32x4.splat(first), lanes);
  for (let iy = y0; iy < y1; iy++) {
    for (let ix = x0; ix < x1; ix++) {
      const at = ((b * h + iy) * w + ix) * c + ch;
      const v = v128.load(X + (<usize>at << 2));
      const gt = wins(v, best);
      best = v128.bitselect(v, best, gt);
      arg = v128.bitselect(i32x4.add(i32x4.splat(at), lanes), arg, gt);
    }
  }
  if (out != 0) v128.store(out, best);
  return arg;
}

/** argmax4 for the one channel ch. */
@inline function argmax1(X: usize, b: i32, h: i32, w: i32, c: i32, y0: i32, y1: i32, x0: i32, x1: i32, ch: i32, out: usize): i32 {
  const first = ((b * h + y0) * w + x0) * c + ch;
  let best = load<f32>(X + (<usize>first << 2));
  let arg = first;
  for (let iy = y0; iy < y1; iy++) {
    for (let ix = x0; ix < x1; ix++) {
      const at = ((b * h + iy) * w + ix) * c + ch;
      const v = load<f32>(X + (<usize>at << 2));
      if (winsScalar(v, best)) {
        best = v;
        arg = at;
      }
    }
  }
  if (out != 0) store<f32>(out, best);
  return arg;
}

/** maxWindow with argmax[o..o+c) = the flat x index of each first maximum. */
@inline function maxWindowArg(X: usize, Y: usize, ARG: usize, b: i32, h: i32, w: i32, c: i32, y0: i32, y1: i32, x0: i32, x1: i32, o: i32): void {
  let ch = 0;
  for (; ch + 4 <= c; ch += 4) v128.store(ARG + (<usize>(o + ch) << 2), argmax4(X, b, h, w, c, y0, y1, x0, x1, ch, Y + (<usize>(o + ch) << 2)));
  for (; ch < c; ch++) store<i32>(ARG + (<usize>(o + ch) << 2), argmax1(X, b, h, w, c, y0, y1, x0, x1, ch, Y + (<usize>(o + ch) << 2)));
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
 * dx = dy routed to each window's first maximum. With an argmax (PL_ARG ≠ 0), one image per task:
 * the image's dx is zeroed, then dy is added at argmax in output order (the order of the reference
 * kernel). Without one, x's windows are scanned again as the forward does (maxPoolGradRowsTask).
 */
export function maxPoolGradTask(params: usize, t: i32): void {
  const h = word(params, PL_H), w = word(params, PL_W), c = word(params, PL_C);
  const oh = word(params, PL_OH), ow = word(params, PL_OW);
  const X = <usize>word(params, PL_X), Y = <usize>word(params, PL_Y), ARG = <usize>word(params, PL_ARG);
  if (ARG == 0) {
    maxPoolGradRowsTask(params, t, word(params, PL_CODE) != 0);
    return;
  }
  const nx = h * w * c, ny = oh * ow * c;
  memory.fill(X + (<usize>(t * nx) << 2), 0, <usize>nx << 2);
  const o0 = <usize>(t * ny) << 2, o1 = <usize>((t + 1) * ny) << 2;
  for (let o = o0; o < o1; o += 4) {
    const at = X + (<usize>load<i32>(ARG + o) << 2);
    store<f32>(at, load<f32>(at) + load<f32>(Y + o));
  }
}

/** dv (4 channels from ch) stored at the window's k-th position where idx = k, 0 at the others. */
@inline function storeMasked(DX: usize, dv: v128, idx: v128, b: i32, h: i32, w: i32, c: i32, y0: i32, y1: i32, x0: i32, x1: i32, ch: i32): void {
  let k = 0;
  for (let iy = y0; iy < y1; iy++) {
    for (let ix = x0; ix < x1; ix++, k++) {
      v128.store(DX + (<usize>(((b * h + iy) * w + ix) * c + ch) << 2), v128.and(dv, i32x4.eq(idx, i32x4.splat(k))));
    }
  }
}

/** 0 + dy at the coded position of each channel of one window, 0 at the window's other positions. */
@inline function storeAtCode(CODE: usize, DX: usize, DY: usize, b: i32, h: i32, w: i32, c: i32, y0: i32, y1: i32, x0: i32, x1: i32, o: i32): void {
  if (c >= 4) {
    // every position stored (dy masked by its code), the last group overlapping when c % 4 ≠ 0
    const zero = f32x4.splat(0);
    let ch = 0;
    for (;;) {
      storeMasked(DX, f32x4.add(zero, v128.load(DY + (<usize>(o + ch) << 2))), loadCodes(CODE + <usize>(o + ch)), b, h, w, c, y0, y1, x0, x1, ch);
      if (ch + 4 >= c) break;
      ch = min(ch + 4, c - 4);
    }
  } else {
    const ww = x1 - x0, mul = (65536 + ww - 1) / ww;
    for (let ch = 0; ch < c; ch++) {
      const k = <i32>load<u8>(CODE + <usize>(o + ch));
      const q = (k * mul) >>> 16;
      store<f32>(DX + (<usize>(((b * h + y0 + q) * w + x0 + k - q * ww) * c + ch) << 2), <f32>0 + load<f32>(DY + (<usize>(o + ch) << 2)));
    }
  }
}

/**
 * The max-pool gradient from x (PL_XSRC): each window's first maximum is found again, in the
 * forward's order, and gets 0 + dy (the reference's dx[argmax] += dy on a zeroed dx).
 *
 * Windows that do not overlap (stride ≥ window on both axes): a task is a block of output rows;
 * output row oy owns the input rows from its window's top to the next row's (the first row from 0,
 * the last to h), zeroes them unless its 2×2 windows cover them exactly, and stores each window's
 * gradient (dy at the maximum, 0 elsewhere). Overlapping windows: a task is an image, zeroed, then
 * dy added at each maximum in output order, as the reference kernel does.
 * With `coded`, the same from the forward's window codes (PL_CODE) instead of x: 0 + dy at the
 * coded position of each window; overlapping windows gather (gradCodeGather).
 */
function maxPoolGradRowsTask(params: usize, t: i32, coded: bool): void {
  const m = word(params, PL_M), h = word(params, PL_H), w = word(params, PL_W), c = word(params, PL_C);
  const fh = word(params, PL_FH), fw = word(params, PL_FW), sh = word(params, PL_SH), sw = word(params, PL_SW);
  const pt = word(params, PL_PT), pl = word(params, PL_PL), oh = word(params, PL_OH), ow = word(params, PL_OW);
  const DX = <usize>word(params, PL_X), DY = <usize>word(params, PL_Y);
  const X: usize = coded ? 0 : <usize>word(params, PL_XSRC), CODE: usize = coded ? <usize>word(params, PL_CODE) : 0;
  const cs = <usize>c << 2, rs = <usize>w * cs;
  if (fh > sh || fw > sw) {
    if (coded) {
      gradCodeGather(params, t);
      return;
    }
    const b = t;
    memory.fill(DX + <usize>(b * h) * rs, 0, <usize>h * rs);
    for (let oy = 0; oy < oh; oy++) {
      const y0 = max(0, oy * sh - pt), y1 = min(h, oy * sh - pt + fh);
      for (let ox = 0; ox < ow; ox++) {
        const x0 = max(0, ox * sw - pl), x1 = min(w, ox * sw - pl + fw);
        addAtMax(X, DX, DY, b, h, w, c, y0, y1, x0, x1, ((b * oh + oy) * ow + ox) * c);
      }
    }
    return;
  }
  const fast = fh == 2 && fw == 2 && sh == 2 && sw == 2 && pt == 0 && pl == 0;
  const per = word(params, PL_ROWS_PER_TASK);
  const r1 = min(m * oh, (t + 1) * per);
  for (let row = t * per; row < r1; row++) {
    const b = row / oh, oy = row % oh;
    const lo = oy == 0 ? 0 : min(h, max(0, oy * sh - pt));
    const hi = oy == oh - 1 ? h : min(h, max(0, (oy + 1) * sh - pt));
    const fastRow = fast && 2 * oy + 1 < h;
    if (!(fastRow && hi - lo == 2 && w == 2 * ow)) memory.fill(DX + <usize>(b * h + lo) * rs, 0, <usize>(hi - lo) * rs);
    let ox0 = 0;
    if (fastRow) {
      const full = min(ow, w >> 1);
      const at = <usize>(b * h + 2 * oy) * rs;
      let q = DX + at, d = DY + <usize>(row * ow) * cs;
      if (coded) {
        let k = CODE + <usize>(row * ow * c);
        for (let ox = 0; ox < full; ox++, q += cs << 1, d += cs, k += <usize>c) grad2x2Code(k, q, rs, cs, c, d);
      } else {
        let p = X + at;
        for (let ox = 0; ox < full; ox++, p += cs << 1, q += cs << 1, d += cs) grad2x2(p, q, rs, cs, c, d);
      }
      ox0 = full;
    }
    const y0 = max(0, oy * sh - pt), y1 = min(h, oy * sh - pt + fh);
    for (let ox = ox0; ox < ow; ox++) {
      const x0 = max(0, ox * sw - pl), x1 = min(w, ox * sw - pl + fw), o = (row * ow + ox) * c;
      if (coded) storeAtCode(CODE, DX, DY, b, h, w, c, y0, y1, x0, x1, o);
      else storeAtMax(X, DX, DY, b, h, w, c, y0, y1, x0, x1, o);
    }
  }
}

/**
 * The code gradient where windows overlap, gathered: a task is a block of input rows; each dx
 * pixel sums, in output order, dy of every window that contains it, masked by whether the
 * window's code names this pixel: 0 + dy₁ + dy₂ … over the windows that chose it, as the
 * reference's scatter adds them (the masked-out terms add +0, which leaves any sum that is not
 * −0 unchanged, and these sums never are). Each dx element is written once, by one task.
 */
function gradCodeGather(params: usize, t: i32): void {
  const m = word(params, PL_M), h = word(params, PL_H), w = word(params, PL_W), c = word(params, PL_C);
  const fh = word(params, PL_FH), fw = word(params, PL_FW), sh = word(params, PL_SH), sw = word(params, PL_SW);
  const pt = word(params, PL_PT), pl = word(params, PL_PL), oh = word(params, PL_OH), ow = word(params, PL_OW);
  const DX = <usize>word(params, PL_X), DY = <usize>word(params, PL_Y), CODE = <usize>word(params, PL_CODE);
  const per = word(params, PL_ROWS_PER_TASK);
  const r1 = min(m * h, (t + 1) * per);
  const zero = f32x4.splat(0);
  for (let row = t * per; row < r1; row++) {
    const b = row / h, iy = row % h;
    const wy = windows(iy, pt, fh, sh, oh);
    const oy0 = <i32>(wy >> 32), oy1 = <i32>wy;
    for (let ix = 0; ix < w; ix++) {
      const wx = windows(ix, pl, fw, sw, ow);
      const ox0 = <i32>(wx >> 32), ox1 = <i32>wx;
      const q = DX + (<usize>((row * w + ix) * c) << 2);
      // the first window stores, the next ones add (in output order); none: zeros
      let first = true;
      for (let oy = oy0; oy < oy1; oy++) {
        const dyy = iy - max(0, oy * sh - pt);
        for (let ox = ox0; ox < ox1; ox++) {
          const x0 = max(0, ox * sw - pl);
          const k = dyy * (min(w, ox * sw - pl + fw) - x0) + ix - x0;
          const o = ((b * oh + oy) * ow + ox) * c;
          const kv = i32x4.splat(k);
          let ch = 0;
          for (; ch + 4 <= c; ch += 4) {
            const hit = v128.and(v128.load(DY + (<usize>(o + ch) << 2)), i32x4.eq(loadCodes(CODE + <usize>(o + ch)), kv));
            const at = q + (<usize>ch << 2);
            v128.store(at, f32x4.add(first ? zero : v128.load(at), hit));
          }
          for (; ch < c; ch++) {
            const at = q + (<usize>ch << 2);
            const v: f32 = <i32>load<u8>(CODE + <usize>(o + ch)) == k ? load<f32>(DY + (<usize>(o + ch) << 2)) : 0;
            store<f32>(at, (first ? <f32>0 : load<f32>(at)) + v);
          }
          first = false;
        }
      }
      if (first) memory.fill(q, 0, <usize>c << 2);
    }
  }
}

/** grad2x2 from the codes at k (0…3 per channel) instead of x. */
@inline function grad2x2Code(k: usize, q: usize, rs: usize, cs: usize, c: i32, d: usize): void {
  if (c >= 4) {
    const zero = f32x4.splat(0);
    let ch = 0;
    for (;;) {
      const off = <usize>ch << 2;
      const idx = loadCodes(k + <usize>ch);
      const dv = f32x4.add(zero, v128.load(d + off));
      v128.store(q + off, v128.and(dv, i32x4.eq(idx, i32x4.splat(0))));
      v128.store(q + off + cs, v128.and(dv, i32x4.eq(idx, i32x4.splat(1))));
      v128.store(q + off + rs, v128.and(dv, i32x4.eq(idx, i32x4.splat(2))));
      v128.store(q + off + rs + cs, v128.and(dv, i32x4.eq(idx, i32x4.splat(3))));
      if (ch + 4 >= c) break;
      ch = min(ch + 4, c - 4);
    }
  } else {
    for (let ch = 0; ch < c; ch++) {
      const off = <usize>ch << 2;
      const code = load<u8>(k + <usize>ch);
      const dv: f32 = <f32>0 + load<f32>(d + off);
      store<f32>(q + off, code == 0 ? dv : 0);
      store<f32>(q + off + cs, code == 1 ? dv : 0);
      store<f32>(q + off + rs, code == 2 ? dv : 0);
      store<f32>(q + off + rs + cs, code == 3 ? dv : 0);
    }
  }
}

/**
 * The gradient of the 2×2 window at p (x) into q (dx), dy at d: every one of its 4·c elements is
 * stored, 0 + dy at the first maximum (the masks say which pixel won last), 0 elsewhere.
 */
@inline function grad2x2(p: usize, q: usize, rs: usize, cs: usize, c: i32, d: usize): void {
  if (c >= 4) {
    const zero = f32x4.splat(0);
    let ch = 0;
    for (;;) {
      const off = <usize>ch << 2;
      const best0 = v128.load(p + off);
      let v = v128.load(p + off + cs);
      const g1 = wins(v, best0);
      let best = v128.bitselect(v, best0, g1);
      v = v128.load(p + off + rs);
      const g2 = wins(v, best);
      best = v128.bitselect(v, best, g2);
      v = v128.load(p + off + rs + cs);
      const g3 = wins(v, best);
      const dv = f32x4.add(zero, v128.load(d + off));
      const s23 = v128.or(g2, g3);
      v128.store(q + off, v128.andnot(dv, v128.or(g1, s23)));
      v128.store(q + off + cs, v128.andnot(v128.and(dv, g1), s23));
      v128.store(q + off + rs, v128.andnot(v128.and(dv, g2), g3));
      v128.store(q + off + rs + cs, v128.and(dv, g3));
      if (ch + 4 >= c) break;
      ch = min(ch + 4, c - 4);
    }
  } else {
    for (let ch = 0; ch < c; ch++) {
      const off = <usize>ch << 2, k = code2x2(p + off, rs, cs);
      const dv: f32 = <f32>0 + load<f32>(d + off);
      store<f32>(q + off, k == 0 ? dv : 0);
      store<f32>(q + off + cs, k == 1 ? dv : 0);
      store<f32>(q + off + rs, k == 2 ? dv : 0);
      store<f32>(q + off + rs + cs, k == 3 ? dv : 0);
    }
  }
}

/**
 * A window's gradient into a zeroed dx (windows that do not overlap): 0 + dy stored at each
 * channel's first maximum. Groups of 4 channels find the winning position (its index in window
 * order) and store dy masked at every position; the last group overlaps the one before when c is
 * not a multiple of 4 (c ≥ 4), rewriting the same values.
 */
@inline function storeAtMax(X: usize, DX: usize, DY: usize, b: i32, h: i32, w: i32, c: i32, y0: i32, y1: i32, x0: i32, x1: i32, o: i32): void {
  const zero = f32x4.splat(0);
  if (c >= 4) {
    let ch = 0;
    for (;;) {
      storeMasked(DX, f32x4.add(zero, v128.load(DY + (<usize>(o + ch) << 2))), code4(X, b, h, w, c, y0, y1, x0, x1, ch, 0), b, h, w, c, y0, y1, x0, x1, ch);
      if (ch + 4 >= c) break;
      ch = min(ch + 4, c - 4);
    }
  } else {
    for (let ch = 0; ch < c; ch++) {
      const at = argmax1(X, b, h, w, c, y0, y1, x0, x1, ch, 0);
      store<f32>(DX + (<usize>at << 2), <f32>0 + load<f32>(DY + (<usize>(o + ch) << 2)));
    }
  }
}

/** dx[first maximum] += dy for each channel of one window (overlapping windows, in output order). */
@inline function addAtMax(X: usize, DX: usize, DY: usize, b: i32, h: i32, w: i32, c: i32, y0: i32, y1: i32, x0: i32, x1: i32, o: i32): void {
  let ch = 0;
  for (; ch + 4 <= c; ch += 4) {
    const arg = argmax4(X, b, h, w, c, y0, y1, x0, x1, ch, 0);
    const dv = v128.load(DY + (<usize>(o + ch) << 2));
    let a = DX + (<usize>i32x4.extract_lane(arg, 0) << 2);
    store<f32>(a, load<f32>(a) + f32x4.extract_lane(dv, 0));
    a = DX + (<usize>i32x4.extract_lane(arg, 1) << 2);
    store<f32>(a, load<f32>(a) + f32x4.extract_lane(dv, 1));
    a = DX + (<usize>i32x4.extract_lane(arg, 2) << 2);
    store<f32>(a, load<f32>(a) + f32x4.extract_lane(dv, 2));
    a = DX + (<usize>i32x4.extract_lane(arg, 3) << 2);
    store<f32>(a, load<f32>(a) + f32x4.extract_lane(dv, 3));
  }
  for (; ch < c; ch++) {
    const a = DX + (<usize>argmax1(X, b, h, w, c, y0, y1, x0, x1, ch, 0) << 2);
    store<f32>(a, load<f32>(a) + load<f32>(DY + (<usize>(o + ch) << 2)));
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
