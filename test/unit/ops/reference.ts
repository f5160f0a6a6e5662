// Direct-loop oracles for the convolution tests: written from the definition (one output element
// at a time), independent of the im2col kernels under test.
import * as cl from "../../../src/index.js";

/** Per axis: stride, dilation and padding before (the output size is given). */
export interface RefAxis {
  s: number;
  d: number;
  before: number;
  out: number;
}

/**
 * y[b, o..., k] = Σ over taps t... and channels ci of x[b, o·s − before + t·d ..., ci]·w[t..., ci, k(ci)],
 * skipping positions outside x. `depthwise`: w is [...f, c, mult] and output channel ci·mult + j.
 */
export function refConv(x: cl.Tensor, w: cl.Tensor, axes: RefAxis[], depthwise = false): cl.Tensor {
  const nd = axes.length;
  const m = x.shape[0]!, c = x.shape[nd + 1]!;
  const n = x.shape.slice(1, nd + 1), f = w.shape.slice(0, nd);
  const kOut = depthwise ? c * w.shape[nd + 1]! : w.shape[nd + 1]!;
  const outShape = [m, ...axes.map((a) => a.out), kOut];
  const y = cl.zeros(outShape, { dtype: "float64" });
  const xs = x.strides, ws = w.strides, ys = y.strides;
  const outIdx = new Array<number>(nd).fill(0);
  const tap = new Array<number>(nd).fill(0);
  const total = axes.reduce((p, a) => p * a.out, 1);
  const taps = f.reduce((p, v) => p * v, 1);
  for (let b = 0; b < m; b++)
    for (let o = 0; o < total; o++) {
      let r = o;
      for (let i = nd - 1; i >= 0; i--) {
        outIdx[i] = r % axes[i]!.out;
        r = Math.floor(r / axes[i]!.out);
      }
      for (let kk = 0; kk < kOut; kk++) {
        let s = 0;
        for (let t = 0; t < taps; t++) {
          let q = t;
          for (let i = nd - 1; i >= 0; i--) {
            tap[i] = q % f[i]!;
            q = Math.floor(q / f[i]!);
          }
          let xo = b * xs[0]!, wo = 0, inside = true;
          for (let i = 0; i < nd; i++) {
            const a = axes[i]!;
            const pos = outIdx[i]! * a.s - a.before + tap[i]! * a.d;
            if (pos < 0 || pos >= n[i]!) inside = false;
            xo += pos * xs[i + 1]!;
            wo += tap[i]! * ws[i]!;
          }
          if (!inside) continue;
          if (depthwise) {
            const mult = w.shape[nd + 1]!;
            const ci = Math.floor(kk / mult), j = kk % mult;
            s += x.data[xo + ci]! * w.data[wo + ci * ws[nd]! + j]!;
          } else for (let ci = 0; ci < c; ci++) s += x.data[xo + ci]! * w.data[wo + ci * ws[nd]! + kk]!;
        }
        let yo = b * ys[0]! + kk;
        for (let i = 0; i < nd; i++) yo += outIdx[i]! * ys[i + 1]!;
        y.data[yo] = s;
      }
    }
  return y;
}

/** TensorFlow's "same" for one axis. */
export function sameAxis(n: number, f: number, s: number, d = 1): RefAxis {
  const out = Math.ceil(n / s);
  const total = Math.max((out - 1) * s + (f - 1) * d + 1 - n, 0);
  return { s, d, before: Math.floor(total / 2), out };
}

/** Explicit padding p for one axis (0 = "valid"). */
export function padAxis(n: number, f: number, s: number, d = 1, p = 0): RefAxis {
  return { s, d, before: p, out: Math.floor((n + 2 * p - (f - 1) * d - 1) / s) + 1 };
}

export const f64 = { dtype: "float64" as const };
