// Geometric augmentations: mirroring, random cropping, rotation, shearing and local warping.
// Pixels move by inverse mapping (each output pixel centre looks up its source point, bilinear);
// boxes and landmarks move forward by the same map, so they stay on the pixels they marked.
import type { TypedArray } from "../../tensor/tensor.js";
import type { Box } from "../../detection/boxes.js";
import { ValueError } from "../../util/errors.js";
import type { Rng } from "../../util/rng.js";
import { perImage, like, mapBox, clippedBounds, checkNumber, type Frame, type Point, type Transform } from "./example.js";

/** Bilinear sample of channel-interleaved `src` [h, w, c] at the continuous point (x, y) into `out` at `o`; outside → fill. */
function sample(src: TypedArray, h: number, w: number, c: number, x: number, y: number, fill: number, out: TypedArray, o: number): void {
  const px = x - 0.5, py = y - 0.5; // pixel-centre coordinates
  const x0 = Math.floor(px), y0 = Math.floor(py);
  const tx = px - x0, ty = py - y0;
  const w00 = (1 - tx) * (1 - ty), w01 = tx * (1 - ty), w10 = (1 - tx) * ty, w11 = tx * ty;
  const in0 = y0 >= 0 && y0 < h, in1 = y0 + 1 >= 0 && y0 + 1 < h, jn0 = x0 >= 0 && x0 < w, jn1 = x0 + 1 >= 0 && x0 + 1 < w;
  for (let k = 0; k < c; k++) {
    const v00 = in0 && jn0 ? src[(y0 * w + x0) * c + k]! : fill;
    const v01 = in0 && jn1 ? src[(y0 * w + x0 + 1) * c + k]! : fill;
    const v10 = in1 && jn0 ? src[((y0 + 1) * w + x0) * c + k]! : fill;
    const v11 = in1 && jn1 ? src[((y0 + 1) * w + x0 + 1) * c + k]! : fill;
    out[o + k] = w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11;
  }
}

/** A geometric map of one image: `inverse` takes an output point to its source, `forward` the other way. */
interface Warp {
  inverse(u: number, v: number): Point;
  forward(p: Point): Point;
}

/** Points along a box's edges (n per edge) whose forward images bound the moved box. */
function edgePoints(b: Box, n: number): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const x = b.x1 + (b.x2 - b.x1) * t, y = b.y1 + (b.y2 - b.y1) * t;
    pts.push({ x, y: b.y1 }, { x, y: b.y2 }, { x: b.x1, y }, { x: b.x2, y });
  }
  return pts;
}

/**
 * Resamples a frame through `warp` (output of the same size), moving boxes (bounds of their
 * mapped edges — exact for affine maps with `edges` 1 — clipped to the frame, dropped once
 * outside) and landmarks (mapped; they may fall outside the frame).
 */
function resample(fr: Frame, warp: Warp, fill: number, edges: number): Frame {
  const { data, h, w, c } = fr;
  const out = like(data, data.length);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      const s = warp.inverse(j + 0.5, i + 0.5);
      sample(data, h, w, c, s.x, s.y, fill, out, (i * w + j) * c);
    }
  const boxes = fr.boxes?.flatMap((b) => clippedBounds(b, edgePoints(b, edges).map((p) => warp.forward(p)), w, h) ?? []);
  const landmarks = fr.landmarks?.map((p) => ({ ...p, ...warp.forward(p) }));
  return { data: out, h, w, c, boxes, landmarks };
}

/** The affine warp u = a·x + b·y + e, v = c·x + d·y + f and its inverse. */
function affine(a: number, b: number, c: number, d: number, e: number, f: number): Warp {
  const det = a * d - b * c;
  return {
    forward: (p) => ({ x: a * p.x + b * p.y + e, y: c * p.x + d * p.y + f }),
    inverse: (u, v) => {
      const du = u - e, dv = v - f;
      return { x: (d * du - b * dv) / det, y: (-c * du + a * dv) / det };
    },
  };
}

/** A uniform draw in [-max, max]. */
const symmetric = (rng: Rng, max: number): number => (rng.uniform() * 2 - 1) * max;

function checkFill(op: string, fill: unknown): number {
  if (typeof fill !== "number" || Number.isNaN(fill)) throw new ValueError(`${op}: fill must be a number, got ${JSON.stringify(fill)}`);
  return fill;
}

// ---------------------------------------------------------------------------------------------

/** Writes the left–right (or top–bottom) mirror image of `data` [h, w, c] into `out`. */
export function flipInto(data: TypedArray, h: number, w: number, c: number, horizontal: boolean, out: TypedArray): void {
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      const s = horizontal ? (i * w + (w - 1 - j)) * c : ((h - 1 - i) * w + j) * c;
      out.set(data.subarray(s, s + c), (i * w + j) * c);
    }
}

export interface MirrorOptions {
  /** Probability of flipping each image (default 0.5; 1 always flips). */
  p?: number;
  /** "horizontal" (default: left ↔ right, x → nW − x) or "vertical" (y → nH − y). */
  direction?: "horizontal" | "vertical";
  /**
   * Landmark index pairs that swap roles when flipped, e.g. [[0, 1]] for left and right eye:
   * after the flip, point 0 is the one that was point 1 (moved), and the other way round.
   */
  swap?: readonly (readonly [number, number])[];
}

/**
 * Mirroring: flips each image with probability `p` (drawing one uniform number per image,
 * flipped or not). Boxes become x1' = nW − x2, x2' = nW − x1; landmarks x' = nW − x.
 *
 *   const flipped = cl.data.augment.mirror({ p: 1 })({ image, boxes }, rng)
 */
export function mirror(opts: MirrorOptions = {}): Transform {
  const op = "augment.mirror";
  const p = checkNumber(op, "p", opts.p ?? 0.5, 0, 1);
  const dir = opts.direction ?? "horizontal";
  if (dir !== "horizontal" && dir !== "vertical") throw new ValueError(`${op}: direction must be "horizontal" or "vertical", got ${JSON.stringify(opts.direction)}`);
  const swap = opts.swap ?? [];
  if (!Array.isArray(swap) || !swap.every((s) => Array.isArray(s) && s.length === 2 && s.every((i) => Number.isInteger(i) && i >= 0)))
    throw new ValueError(`${op}: swap must be a list of [i, j] landmark index pairs, got ${JSON.stringify(opts.swap)}`);
  return perImage(op, (fr, rng) => {
    const flip = rng.uniform() < p;
    const { data, h, w, c } = fr;
    const out = like(data, data.length);
    if (!flip) {
      out.set(data);
      return { ...fr, data: out, boxes: fr.boxes?.map((b) => ({ ...b })), landmarks: fr.landmarks?.map((q) => ({ ...q })) };
    }
    const horizontal = dir === "horizontal";
    flipInto(data, h, w, c, horizontal, out);
    const boxes = fr.boxes?.map((b) => (horizontal ? mapBox(b, w - b.x2, b.y1, w - b.x1, b.y2) : mapBox(b, b.x1, h - b.y2, b.x2, h - b.y1)));
    let landmarks = fr.landmarks?.map((q) => (horizontal ? { ...q, x: w - q.x } : { ...q, y: h - q.y }));
    if (landmarks && swap.length) {
      const moved = [...landmarks];
      for (const [a, b] of swap) {
        if (a >= moved.length || b >= moved.length) throw new ValueError(`${op}: swap pair [${a}, ${b}] is out of range for ${moved.length} landmarks`);
        moved[a] = landmarks[b]!;
        moved[b] = landmarks[a]!;
      }
      landmarks = moved;
    }
    return { data: out, h, w, c, boxes, landmarks };
  });
}

// ---------------------------------------------------------------------------------------------

export interface RandomCropOptions {
  /** Crop size: h×w, or one number for a square. */
  size: number | readonly [number, number];
  /** Zero padding added on every side before cropping (e.g. 4 for CIFAR's pad-and-crop); default 0. */
  padding?: number;
  /** Value of the padding (default 0). */
  fill?: number;
}

/**
 * Random cropping: a window of `size` at a uniformly random integer offset (AlexNet takes 224×224
 * crops of 256×256 images). Boxes shift with the window, are clipped to it and dropped once
 * outside; landmarks shift.
 */
export function randomCrop(opts: RandomCropOptions): Transform {
  const op = "augment.randomCrop";
  const size = opts?.size;
  const [ch, cw] = typeof size === "number" ? [size, size] : Array.isArray(size) && size.length === 2 ? size : [NaN, NaN];
  if (!Number.isInteger(ch) || !Number.isInteger(cw) || ch! < 1 || cw! < 1)
    throw new ValueError(`${op}: size must be a positive integer or [h, w] of them, got ${JSON.stringify(size)}`);
  const pad = opts.padding ?? 0;
  if (!Number.isInteger(pad) || pad < 0) throw new ValueError(`${op}: padding must be an integer ≥ 0, got ${JSON.stringify(opts.padding)}`);
  const fill = checkFill(op, opts.fill ?? 0);
  return perImage(op, (fr, rng) => {
    const { h, w } = fr;
    if (ch! > h + 2 * pad || cw! > w + 2 * pad)
      throw new ValueError(`${op}: a ${ch}×${cw} crop does not fit in a ${h}×${w} image${pad ? ` padded by ${pad}` : ""}`);
    const top = rng.int(h + 2 * pad - ch! + 1) - pad, left = rng.int(w + 2 * pad - cw! + 1) - pad;
    return cropFrame(fr, top, left, ch!, cw!, fill);
  });
}

/** The window [top, top + ch) × [left, left + cw) of a frame (outside → fill), with boxes and landmarks moved into it. */
export function cropFrame(fr: Frame, top: number, left: number, ch: number, cw: number, fill = 0): Frame {
  const { data, h, w, c } = fr;
  const out = like(data, ch * cw * c);
  if (fill !== 0) out.fill(fill);
  for (let i = 0; i < ch; i++) {
    const si = top + i;
    if (si < 0 || si >= h) continue;
    const j0 = Math.max(0, -left), j1 = Math.min(cw, w - left);
    if (j1 > j0) out.set(data.subarray((si * w + left + j0) * c, (si * w + left + j1) * c), (i * cw + j0) * c);
  }
  const shift = (p: Point): Point => ({ x: p.x - left, y: p.y - top });
  const boxes = fr.boxes?.flatMap((b) => clippedBounds(b, [shift({ x: b.x1, y: b.y1 }), shift({ x: b.x2, y: b.y2 })], cw, ch) ?? []);
  const landmarks = fr.landmarks?.map((p) => ({ ...p, ...shift(p) }));
  return { data: out, h: ch, w: cw, c, boxes, landmarks };
}

// ---------------------------------------------------------------------------------------------

export interface RotateOptions {
  /** Largest angle in degrees: each image turns by a uniform angle in [−degrees, degrees] about its centre (positive: counter-clockwise on screen). */
  degrees: number;
  /** Value where the turned image does not cover the frame (default 0). */
  fill?: number;
}

/**
 * Rotation about the image centre by a random angle, same output size, bilinear. Boxes become
 * the axis-aligned bounds of their turned corners (clipped to the frame); landmarks turn exactly.
 */
export function rotate(opts: RotateOptions): Transform {
  const op = "augment.rotate";
  const deg = checkNumber(op, "degrees", opts?.degrees, 0, 180);
  const fill = checkFill(op, opts.fill ?? 0);
  return perImage(op, (fr, rng) => {
    const t = (symmetric(rng, deg) * Math.PI) / 180;
    const cos = Math.cos(t), sin = Math.sin(t);
    const cx = fr.w / 2, cy = fr.h / 2;
    // u − cx = cos·(x − cx) + sin·(y − cy), v − cy = −sin·(x − cx) + cos·(y − cy)  (y points down)
    return resample(fr, affine(cos, sin, -sin, cos, cx - cos * cx - sin * cy, cy + sin * cx - cos * cy), fill, 1);
  });
}

export interface ShearOptions {
  /** Largest shear angle in degrees: the factor is tan of a uniform angle in [−degrees, degrees]. */
  degrees: number;
  /** "x" (default: rows slide sideways, u = x + k·(y − cy)), "y" (columns slide), or "both" (two draws). */
  axis?: "x" | "y" | "both";
  fill?: number;
}

/** Shearing about the image centre by a random factor, same output size, bilinear; boxes and landmarks sheared with it. */
export function shear(opts: ShearOptions): Transform {
  const op = "augment.shear";
  const deg = checkNumber(op, "degrees", opts?.degrees, 0, 89);
  const axis = opts.axis ?? "x";
  if (axis !== "x" && axis !== "y" && axis !== "both") throw new ValueError(`${op}: axis must be "x", "y" or "both", got ${JSON.stringify(opts.axis)}`);
  const fill = checkFill(op, opts.fill ?? 0);
  return perImage(op, (fr, rng) => {
    const kx = axis === "y" ? 0 : Math.tan((symmetric(rng, deg) * Math.PI) / 180);
    const ky = axis === "x" ? 0 : Math.tan((symmetric(rng, deg) * Math.PI) / 180);
    if (kx * ky === 1) throw new ValueError(`${op}: the two shear factors (${kx}, ${ky}) collapse the image`);
    const cx = fr.w / 2, cy = fr.h / 2;
    // u = x + kx·(y − cy), v = y + ky·(x − cx)
    return resample(fr, affine(1, kx, ky, 1, -kx * cy, -ky * cx), fill, 1);
  });
}

// ---------------------------------------------------------------------------------------------

export interface LocalWarpOptions {
  /** Largest displacement in pixels of a control point (default 4% of the image's shorter side). */
  magnitude?: number;
  /** Cells of the control grid along each axis (default 4: 5×5 control points). */
  grid?: number;
  fill?: number;
}

/** C¹ interpolation weight between neighbouring control points. */
const smooth = (t: number): number => t * t * (3 - 2 * t);

/**
 * Local warping: a smooth random displacement field d moves the pixels locally (elastic-like
 * distortion). Each of the (grid+1)² control points, spread evenly over the image, draws a
 * displacement uniform in [−magnitude, magnitude]² and the field interpolates them smoothly (C¹),
 * so |d| ≤ magnitude everywhere. An output point p shows the input at p + d(p); a landmark q moves
 * to the p with p + d(p) = q (found by fixed-point iteration, exact while the field does not
 * fold: keep magnitude well under a third of a grid cell); a box becomes the bounds of its moved
 * edges.
 */
export function localWarp(opts: LocalWarpOptions = {}): Transform {
  const op = "augment.localWarp";
  const grid = opts.grid ?? 4;
  if (!Number.isInteger(grid) || grid < 1) throw new ValueError(`${op}: grid must be an integer ≥ 1, got ${JSON.stringify(opts.grid)}`);
  const mag = opts.magnitude === undefined ? undefined : checkNumber(op, "magnitude", opts.magnitude, 0);
  const fill = checkFill(op, opts.fill ?? 0);
  return perImage(op, (fr, rng) => {
    const { h, w } = fr;
    const m = mag ?? 0.04 * Math.min(h, w);
    const n = grid + 1;
    const dx = new Float64Array(n * n), dy = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) {
      dx[i] = symmetric(rng, m);
      dy[i] = symmetric(rng, m);
    }
    const field = (u: number, v: number): Point => {
      const gx = Math.min(Math.max((u / w) * grid, 0), grid), gy = Math.min(Math.max((v / h) * grid, 0), grid);
      const j = Math.min(Math.floor(gx), grid - 1), i = Math.min(Math.floor(gy), grid - 1);
      const sx = smooth(gx - j), sy = smooth(gy - i);
      const at = (a: Float64Array): number =>
        (1 - sy) * ((1 - sx) * a[i * n + j]! + sx * a[i * n + j + 1]!) + sy * ((1 - sx) * a[(i + 1) * n + j]! + sx * a[(i + 1) * n + j + 1]!);
      return { x: at(dx), y: at(dy) };
    };
    const warp: Warp = {
      inverse: (u, v) => {
        const d = field(u, v);
        return { x: u + d.x, y: v + d.y };
      },
      forward: (q) => {
        let p = { x: q.x, y: q.y };
        for (let it = 0; it < 50; it++) {
          const d = field(p.x, p.y);
          const next = { x: q.x - d.x, y: q.y - d.y };
          const moved = Math.abs(next.x - p.x) + Math.abs(next.y - p.y);
          p = next;
          if (moved < 1e-9) break;
        }
        return p;
      },
    };
    return resample(fr, warp, fill, 16);
  });
}
