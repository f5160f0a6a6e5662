/**
 * `cl.data.synthetic.shapes` / `.landmarks`: seeded synthetic scenes for the detection week (no downloads): images of
 * coloured shapes (square, circle, triangle, cross) on a noisy background, with their boxes, and
 * triangles with their corner landmarks. Pixels in [0, 1], NHWC float32; boxes in pixels.
 */
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { intArg, numberArg, optionsArg, seedArg } from "../util/check.js";
import { Rng } from "../util/rng.js";
import type { Box } from "../detection/boxes.js";

export const SHAPE_CLASSES = ["square", "circle", "triangle", "cross"] as const;

export interface ShapesOptions {
  /** Number of images (default 100). */
  n?: number;
  /** Side of the square images in pixels (default 64). */
  size?: number;
  /** How many shape classes, 1..4 (default 3: square, circle, triangle). */
  classes?: number;
  /** Objects per image, drawn uniformly in [minObjects, maxObjects] (defaults 1, 3). */
  minObjects?: number;
  maxObjects?: number;
  /** Object width range, as fractions of the image side (defaults 0.15, 0.45). */
  minSide?: number;
  maxSide?: number;
  /** Largest IoU allowed between two objects' boxes of an image (default 0.3: they overlap, none hides another). */
  maxOverlap?: number;
  /** Standard deviation of the background noise (default 0.05). */
  noise?: number;
  seed?: number;
}

export interface ShapesSet {
  /** `[n, size, size, 3]`, values in [0, 1]. */
  x: Tensor;
  /** Per image, its objects (boxes in pixels). */
  objects: { box: Box; classId: number }[][];
  classes: string[];
}

interface Painter {
  img: Float32Array;
  size: number;
  base: number;
}

function paint(p: Painter, box: Box, inside: (u: number, v: number) => boolean, rgb: readonly number[]): void {
  const { img, size, base } = p;
  const x0 = Math.max(0, Math.floor(box.x1)), x1 = Math.min(size - 1, Math.ceil(box.x2));
  const y0 = Math.max(0, Math.floor(box.y1)), y1 = Math.min(size - 1, Math.ceil(box.y2));
  const w = box.x2 - box.x1, h = box.y2 - box.y1;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      // the pixel centre in the box's own [0, 1]² frame
      const u = (x + 0.5 - box.x1) / w, v = (y + 0.5 - box.y1) / h;
      if (u < 0 || u > 1 || v < 0 || v > 1 || !inside(u, v)) continue;
      const at = base + (y * size + x) * 3;
      img[at] = rgb[0]!;
      img[at + 1] = rgb[1]!;
      img[at + 2] = rgb[2]!;
    }
}

const INSIDE: ((u: number, v: number) => boolean)[] = [
  () => true, // square (the box itself)
  (u, v) => (u - 0.5) ** 2 + (v - 0.5) ** 2 <= 0.25, // circle (ellipse in the box)
  (u, v) => v >= 1 - 2 * Math.min(u, 1 - u) * 1, // triangle: apex at the top middle, base at the bottom
  (u, v) => Math.abs(u - 0.5) <= 0.17 || Math.abs(v - 0.5) <= 0.17, // cross
];

function iou(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1), ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  const inter = iw > 0 && ih > 0 ? iw * ih : 0;
  return inter / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter);
}

function background(p: Painter, rng: Rng, noise: number): void {
  const g = [0.05 + 0.25 * rng.uniform(), 0.05 + 0.25 * rng.uniform(), 0.05 + 0.25 * rng.uniform()];
  for (let i = 0; i < p.size * p.size; i++)
    for (let c = 0; c < 3; c++) p.img[p.base + i * 3 + c] = g[c]! + noise * rng.normal();
}

function clamp01(img: Float32Array): void {
  for (let i = 0; i < img.length; i++) img[i] = Math.min(1, Math.max(0, img[i]!));
}

function colour(rng: Rng): number[] {
  // bright and saturated: one channel high, the others anywhere
  const c = [0.3 + 0.7 * rng.uniform(), 0.3 + 0.7 * rng.uniform(), 0.3 + 0.7 * rng.uniform()];
  c[rng.int(3)] = 0.85 + 0.15 * rng.uniform();
  return c;
}

/**
 * Images of overlapping shapes of `classes` kinds with their boxes.
 *
 * @example
 * const { x, objects, classes } = cl.data.synthetic.shapes({ n: 200, size: 64, classes: 3, maxObjects: 3, seed: 0 })
 */
export function shapes(opts: ShapesOptions = {}): ShapesSet {
  const fn = "synthetic.shapes";
  const o = optionsArg(fn, opts);
  const n = o.n === undefined ? 100 : intArg(fn, "opts.n", o.n, { min: 0, max: 1e6 });
  const size = o.size === undefined ? 64 : intArg(fn, "opts.size", o.size, { min: 8, max: 1024 });
  const K = o.classes === undefined ? 3 : intArg(fn, "opts.classes", o.classes, { min: 1, max: SHAPE_CLASSES.length });
  const minO = o.minObjects === undefined ? 1 : intArg(fn, "opts.minObjects", o.minObjects, { min: 0, max: 100 });
  const maxO = o.maxObjects === undefined ? Math.max(3, minO) : intArg(fn, "opts.maxObjects", o.maxObjects, { min: 0, max: 100 });
  if (maxO < minO) throw new ValueError(`${fn}: opts.maxObjects (${maxO}) must be ≥ opts.minObjects (${minO})`);
  const minS = o.minSide === undefined ? 0.15 : numberArg(fn, "opts.minSide", o.minSide, { above: 0, max: 1 });
  const maxS = o.maxSide === undefined ? Math.max(0.45, minS) : numberArg(fn, "opts.maxSide", o.maxSide, { above: 0, max: 1 });
  if (maxS < minS) throw new ValueError(`${fn}: opts.maxSide (${maxS}) must be ≥ opts.minSide (${minS})`);
  const maxOverlap = o.maxOverlap === undefined ? 0.3 : numberArg(fn, "opts.maxOverlap", o.maxOverlap, { min: 0, max: 1 });
  const noise = o.noise === undefined ? 0.05 : numberArg(fn, "opts.noise", o.noise, { min: 0, max: 1 });
  if (n * size * size * 3 > 2 ** 28) throw new ValueError(`${fn}: ${n} images of ${size}×${size}×3 are too many values`);
  const rng = new Rng(seedArg(fn, o.seed) ?? 0);
  const img = new Float32Array(n * size * size * 3);
  const objects: { box: Box; classId: number }[][] = [];
  for (let i = 0; i < n; i++) {
    const p: Painter = { img, size, base: i * size * size * 3 };
    background(p, rng, noise);
    const count = minO + rng.int(maxO - minO + 1);
    const mine: { box: Box; classId: number }[] = [];
    for (let t = 0; t < 50 * count && mine.length < count; t++) {
      const w = size * (minS + (maxS - minS) * rng.uniform());
      const h = Math.min(size, w * (0.75 + 0.5 * rng.uniform()));
      const x1 = rng.uniform() * (size - w), y1 = rng.uniform() * (size - h);
      const box = { x1, y1, x2: x1 + w, y2: y1 + h };
      if (mine.some((m) => iou(m.box, box) > maxOverlap)) continue;
      const classId = rng.int(K);
      paint(p, box, INSIDE[classId]!, colour(rng));
      mine.push({ box, classId });
    }
    objects.push(mine);
  }
  clamp01(img);
  return { x: new Tensor(img, [n, size, size, 3]), objects, classes: SHAPE_CLASSES.slice(0, K) as unknown as string[] };
}

export interface LandmarksOptions {
  n?: number;
  size?: number;
  noise?: number;
  seed?: number;
}

export interface LandmarksSet {
  /** `[n, size, size, 3]`. */
  x: Tensor;
  /** `[n, 6]`: (l1x, l1y, l2x, l2y, l3x, l3y) as fractions of the image — the top corner first, then clockwise. */
  points: Tensor;
}

/**
 * Images of one filled triangle each, with its three corners as landmarks (the course's
 * `(l1x, l1y, …, lnx, lny)` output).
 *
 * @example
 * const { x, points } = cl.data.synthetic.landmarks({ n: 500, size: 32, seed: 0 })
 */
export function landmarks(opts: LandmarksOptions = {}): LandmarksSet {
  const fn = "synthetic.landmarks";
  const o = optionsArg(fn, opts);
  const n = o.n === undefined ? 100 : intArg(fn, "opts.n", o.n, { min: 0, max: 1e6 });
  const size = o.size === undefined ? 32 : intArg(fn, "opts.size", o.size, { min: 8, max: 1024 });
  const noise = o.noise === undefined ? 0.05 : numberArg(fn, "opts.noise", o.noise, { min: 0, max: 1 });
  if (n * size * size * 3 > 2 ** 28) throw new ValueError(`${fn}: ${n} images of ${size}×${size}×3 are too many values`);
  const rng = new Rng(seedArg(fn, o.seed) ?? 0);
  const img = new Float32Array(n * size * size * 3);
  const pts = new Float32Array(n * 6);
  for (let i = 0; i < n; i++) {
    const p: Painter = { img, size, base: i * size * size * 3 };
    background(p, rng, noise);
    let v: [number, number][] = [];
    for (;;) {
      v = [0, 1, 2].map(() => [0.1 + 0.8 * rng.uniform(), 0.1 + 0.8 * rng.uniform()] as [number, number]);
      const area = Math.abs((v[1]![0] - v[0]![0]) * (v[2]![1] - v[0]![1]) - (v[2]![0] - v[0]![0]) * (v[1]![1] - v[0]![1])) / 2;
      if (area > 0.08) break;
    }
    // the top corner first (smallest y), then clockwise on screen (y down)
    v.sort((a, b) => a[1] - b[1]);
    const [t, a, b] = v as [[number, number], [number, number], [number, number]];
    const cross = (a[0] - t[0]) * (b[1] - t[1]) - (a[1] - t[1]) * (b[0] - t[0]);
    const ordered = cross > 0 ? [t, a, b] : [t, b, a];
    ordered.forEach((q, k) => pts.set(q, i * 6 + 2 * k));
    const rgb = colour(rng);
    const P = ordered.map((q) => [q[0] * size, q[1] * size] as const);
    const side = (x: number, y: number, a: readonly number[], b: readonly number[]): number => (b[0]! - a[0]!) * (y - a[1]!) - (b[1]! - a[1]!) * (x - a[0]!);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const s1 = side(x + 0.5, y + 0.5, P[0]!, P[1]!), s2 = side(x + 0.5, y + 0.5, P[1]!, P[2]!), s3 = side(x + 0.5, y + 0.5, P[2]!, P[0]!);
        if ((s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0)) img.set(rgb, p.base + (y * size + x) * 3);
      }
  }
  clamp01(img);
  return { x: new Tensor(img, [n, size, size, 3]), points: new Tensor(pts, [n, 6]) };
}
