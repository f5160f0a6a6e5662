/** Image resizing (bilinear or nearest), pure TypeScript. */
import { Tensor, allocate } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, describeValue, optBoolArg, optOneOfArg, optionsArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";

export interface ResizeOptions {
  /** "bilinear" (default) or "nearest". */
  method?: "bilinear" | "nearest";
  /**
   * false (default): pixel centres are aligned (half-pixel centres, as in OpenCV, PIL and
   * TensorFlow's `half_pixel_centers=True`). true: the corner pixels of input and output coincide.
   */
  alignCorners?: boolean;
}

/** Source coordinate of each output row/column, split into the two neighbours and the weight of the second. */
function sampling(nIn: number, nOut: number, opts: ResizeOptions): { lo: Int32Array; hi: Int32Array; t: Float64Array } {
  const lo = new Int32Array(nOut), hi = new Int32Array(nOut), t = new Float64Array(nOut);
  const nearest = opts.method === "nearest";
  for (let i = 0; i < nOut; i++) {
    if (nearest) {
      // The input pixel that contains the output pixel's centre (or the rounded corner-aligned position).
      const k = opts.alignCorners ? Math.round(nOut > 1 ? (i * (nIn - 1)) / (nOut - 1) : 0) : Math.floor(((i + 0.5) * nIn) / nOut);
      lo[i] = hi[i] = Math.min(k, nIn - 1);
      continue;
    }
    let src = opts.alignCorners ? (nOut > 1 ? (i * (nIn - 1)) / (nOut - 1) : 0) : ((i + 0.5) * nIn) / nOut - 0.5;
    src = Math.min(Math.max(src, 0), nIn - 1);
    const f = Math.floor(src);
    lo[i] = f;
    hi[i] = Math.min(f + 1, nIn - 1);
    t[i] = src - f;
  }
  return { lo, hi, t };
}

/**
 * Resizes images to `[h, w]`: `image` is `[nH, nW]`, `[nH, nW, nC]` or `[m, nH, nW, nC]`;
 * the result has the same rank and dtype. Bilinear with half-pixel centres by default (same
 * values as `tf.image.resizeBilinear(x, size, false, true)`). Not recorded by autograd: this is
 * for preparing data (e.g. scaling a photo to a detector's 416×416 input).
 *
 * @example
 * const small = cl.data.resize(img, [64, 64]); // img [512,512,3] → [64,64,3]
 */
export function resize(image: Tensor, size: readonly [number, number], opts: ResizeOptions = {}): Tensor {
  tensorArg("resize", "image", image);
  arrayArg("resize", "size", size);
  opts = optionsArg("resize", opts);
  const [h, w] = size;
  if (size.length !== 2 || !Number.isSafeInteger(h) || !Number.isSafeInteger(w) || h! <= 0 || w! <= 0)
    throw new ValueError(`resize: size must be two positive integers [h, w], got [${size.map((v) => (typeof v === "number" ? String(v) : describeValue(v))).join(",")}]`);
  optOneOfArg("resize", "opts.method", opts.method, ["bilinear", "nearest"] as const);
  optBoolArg("resize", "opts.alignCorners", opts.alignCorners);
  const s = image.shape;
  let m: number, nH: number, nW: number, nC: number;
  if (s.length === 2) [m, nH, nW, nC] = [1, s[0]!, s[1]!, 1];
  else if (s.length === 3) [m, nH, nW, nC] = [1, s[0]!, s[1]!, s[2]!];
  else if (s.length === 4) [m, nH, nW, nC] = s as [number, number, number, number];
  else throw new ShapeError(`resize: image must be [nH,nW], [nH,nW,nC] or [m,nH,nW,nC], got ${fmtShape(s)}`);
  if (nH === 0 || nW === 0) throw new ShapeError(`resize: cannot resize an empty image ${fmtShape(s)}`);
  const rows = sampling(nH, h, opts), cols = sampling(nW, w, opts);
  const src = image.data;
  const out = allocate(image.dtype, m * h * w * nC, "resize");
  for (let e = 0; e < m; e++) {
    const sBase = e * nH * nW * nC, oBase = e * h * w * nC;
    for (let i = 0; i < h; i++) {
      const r0 = sBase + rows.lo[i]! * nW * nC, r1 = sBase + rows.hi[i]! * nW * nC, ty = rows.t[i]!;
      for (let j = 0; j < w; j++) {
        const c0 = cols.lo[j]! * nC, c1 = cols.hi[j]! * nC, tx = cols.t[j]!;
        const o = oBase + (i * w + j) * nC;
        for (let c = 0; c < nC; c++) {
          const a = src[r0 + c0 + c]!, b = src[r0 + c1 + c]!, cc = src[r1 + c0 + c]!, d = src[r1 + c1 + c]!;
          const top = a + (b - a) * tx, bottom = cc + (d - cc) * tx;
          out[o + c] = top + (bottom - top) * ty;
        }
      }
    }
  }
  const outShape = s.length === 2 ? [h, w] : s.length === 3 ? [h, w, nC] : [m, h, w, nC];
  return new Tensor(out, outShape);
}
