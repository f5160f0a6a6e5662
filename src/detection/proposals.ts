/**
 * R-CNN-style region proposals (COURSE.md week 3, "region proposals"): a graph-based
 * segmentation of the image (Felzenszwalb & Huttenlocher 2004), its regions grouped
 * hierarchically by colour, size and fill similarity (selective search, Uijlings et al. 2013),
 * every region met on the way proposing its bounding box. Then each proposal is warped to the
 * classifier's input (`cropAndResize`) and its box refined by regressed deltas (`boxDeltas` /
 * `applyBoxDeltas`, R-CNN's parametrisation).
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, intArg, numberArg, optionsArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { checkBox, iouUnchecked, type Box } from "./boxes.js";

function imageArg(fn: string, image: Tensor): { v: ArrayLike<number>; H: number; W: number; C: number } {
  tensorArg(fn, "image", image);
  const s = image.shape;
  if (image.rank === 4 && s[0] === 1) return { v: image.data, H: s[1]!, W: s[2]!, C: s[3]! };
  if (image.rank === 3) return { v: image.data, H: s[0]!, W: s[1]!, C: s[2]! };
  if (image.rank === 2) return { v: image.data, H: s[0]!, W: s[1]!, C: 1 };
  throw new ShapeError(`${fn}: image must be [H, W], [H, W, c] or [1, H, W, c], got ${fmtShape(s)}`);
}

export interface SegmentOptions {
  /** The scale k of the threshold k/|C|: larger k, larger regions (default 100, for values in [0, 255]·... see below). */
  k?: number;
  /** Regions smaller than this many pixels are merged into a neighbour (default 20). */
  minSize?: number;
  /** Gaussian smoothing before segmenting (default 0.8; 0: none). */
  sigma?: number;
}

export interface Segmentation {
  /** `H·W` region ids, row-major, 0..count−1. */
  labels: Int32Array;
  count: number;
  height: number;
  width: number;
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]!]!;
    x = parent[x]!;
  }
  return x;
}

function smooth(v: ArrayLike<number>, H: number, W: number, C: number, sigma: number): Float32Array {
  const out = Float32Array.from(v as ArrayLike<number>);
  if (sigma <= 0) return out;
  const r = Math.max(1, Math.ceil(4 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const ks = k.reduce((a, b) => a + b, 0);
  const tmp = new Float32Array(out.length);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let d = -r; d <= r; d++) s += k[d + r]! * out[(y * W + Math.min(W - 1, Math.max(0, x + d))) * C + c]!;
        tmp[(y * W + x) * C + c] = s / ks;
      }
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < C; c++) {
        let s = 0;
        for (let d = -r; d <= r; d++) s += k[d + r]! * tmp[(Math.min(H - 1, Math.max(0, y + d)) * W + x) * C + c]!;
        out[(y * W + x) * C + c] = s / ks;
      }
  return out;
}

/**
 * Felzenszwalb–Huttenlocher graph segmentation: pixels are nodes, 8-neighbours joined by edges
 * weighted by their colour distance; edges in increasing weight merge two components when the
 * weight is ≤ both components' internal difference + k/|C|. Colours are taken ×255 when the
 * image is in [0, 1], so k keeps the paper's scale.
 *
 * @example
 * const { labels, count } = segment(image, { k: 100, minSize: 20 })
 */
export function segment(image: Tensor, opts: SegmentOptions = {}): Segmentation {
  const fn = "segment";
  const { v, H, W, C } = imageArg(fn, image);
  const o = optionsArg(fn, opts);
  const k = o.k === undefined ? 100 : numberArg(fn, "opts.k", o.k, { min: 0 });
  const minSize = o.minSize === undefined ? 20 : intArg(fn, "opts.minSize", o.minSize, { min: 0, max: 1e9 });
  const sigma = o.sigma === undefined ? 0.8 : numberArg(fn, "opts.sigma", o.sigma, { min: 0, max: 100 });
  const n = H * W;
  if (n > 2 ** 22) throw new ValueError(`${fn}: the image ${H}×${W} is too large (at most 4M pixels)`);
  let hi = 0;
  for (let i = 0; i < v.length; i++) if (v[i]! > hi) hi = v[i]!;
  if (!Number.isFinite(hi)) throw new ValueError(`${fn}: the image has non-finite values`);
  const scale = hi <= 1 ? 255 : 1;
  const px = smooth(v, H, W, C, sigma);
  // edges: right, down, down-right, down-left
  const ea: number[] = [], eb: number[] = [], ew: number[] = [];
  const dist = (a: number, b: number): number => {
    let s = 0;
    for (let c = 0; c < C; c++) s += (px[a * C + c]! - px[b * C + c]!) ** 2;
    return Math.sqrt(s) * scale;
  };
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const a = y * W + x;
      const add = (b: number): void => {
        ea.push(a);
        eb.push(b);
        ew.push(dist(a, b));
      };
      if (x + 1 < W) add(a + 1);
      if (y + 1 < H) add(a + W);
      if (x + 1 < W && y + 1 < H) add(a + W + 1);
      if (x > 0 && y + 1 < H) add(a + W - 1);
    }
  const order = Array.from(ew.keys()).sort((i, j) => ew[i]! - ew[j]! || i - j);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const size = new Int32Array(n).fill(1);
  const thr = new Float64Array(n).fill(k);
  for (const e of order) {
    const a = find(parent, ea[e]!), b = find(parent, eb[e]!);
    if (a === b) continue;
    const w = ew[e]!;
    if (w <= thr[a]! && w <= thr[b]!) {
      const [big, small] = size[a]! >= size[b]! ? [a, b] : [b, a];
      parent[small] = big;
      size[big] += size[small]!;
      thr[big] = w + k / size[big]!;
    }
  }
  for (const e of order) {
    const a = find(parent, ea[e]!), b = find(parent, eb[e]!);
    if (a !== b && (size[a]! < minSize || size[b]! < minSize)) {
      const [big, small] = size[a]! >= size[b]! ? [a, b] : [b, a];
      parent[small] = big;
      size[big] += size[small]!;
    }
  }
  const labels = new Int32Array(n);
  const ids = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = find(parent, i);
    let id = ids.get(r);
    if (id === undefined) ids.set(r, (id = ids.size));
    labels[i] = id;
  }
  return { labels, count: ids.size, height: H, width: W };
}

export interface SelectiveSearchOptions {
  /** Segmentation scales, one grouping per k (default [50, 100, 200]: diversification). */
  ks?: readonly number[];
  minSize?: number;
  sigma?: number;
  /** Drop proposals smaller than this many pixels of area (default 16). */
  minArea?: number;
  /** Keep at most this many proposals (default 2000, R-CNN's budget). */
  maxProposals?: number;
}

interface Region {
  box: Box;
  size: number;
  hist: Float64Array;
  nb: Set<number>;
  alive: boolean;
}

const BINS = 8;

/**
 * Selective-search proposals: for each k, segment, then merge the two most similar neighbouring
 * regions (colour-histogram intersection + small size first + fill of their joint box) until one
 * region is left; every region's box is a proposal. Boxes in pixels, deduplicated.
 *
 * @example
 * const boxes = selectiveSearch(image, { ks: [50, 100] })   // Box[]
 */
export function selectiveSearch(image: Tensor, opts: SelectiveSearchOptions = {}): Box[] {
  const fn = "selectiveSearch";
  const { v, H, W, C } = imageArg(fn, image);
  const o = optionsArg(fn, opts);
  const ks = o.ks === undefined ? [50, 100, 200] : arrayArg(fn, "opts.ks", o.ks).map((x, i) => numberArg(fn, `opts.ks[${i}]`, x, { min: 0 }));
  const minArea = o.minArea === undefined ? 16 : numberArg(fn, "opts.minArea", o.minArea, { min: 0 });
  const maxP = o.maxProposals === undefined ? 2000 : intArg(fn, "opts.maxProposals", o.maxProposals, { min: 1, max: 1e7 });
  let hi = 0;
  for (let i = 0; i < v.length; i++) if (v[i]! > hi) hi = v[i]!;
  const scale = hi <= 1 ? 1 : 1 / 255;
  const imSize = H * W;
  const out: Box[] = [];
  const seen = new Set<string>();
  const push = (b: Box): void => {
    if ((b.x2 - b.x1) * (b.y2 - b.y1) < minArea) return;
    const key = `${b.x1},${b.y1},${b.x2},${b.y2}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(b);
  };
  for (const k of ks) {
    const seg = segment(image, { k, minSize: o.minSize, sigma: o.sigma });
    const R: Region[] = Array.from({ length: seg.count }, () => ({ box: { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity }, size: 0, hist: new Float64Array(BINS * C), nb: new Set<number>(), alive: true }));
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const id = seg.labels[y * W + x]!, r = R[id]!;
        r.size++;
        r.box.x1 = Math.min(r.box.x1, x);
        r.box.y1 = Math.min(r.box.y1, y);
        r.box.x2 = Math.max(r.box.x2, x + 1);
        r.box.y2 = Math.max(r.box.y2, y + 1);
        for (let c = 0; c < C; c++) {
          const val = Math.min(0.999999, Math.max(0, v[(y * W + x) * C + c]! * scale));
          r.hist[c * BINS + Math.floor(val * BINS)]++;
        }
        if (x + 1 < W) {
          const j = seg.labels[y * W + x + 1]!;
          if (j !== id) (r.nb.add(j), R[j]!.nb.add(id));
        }
        if (y + 1 < H) {
          const j = seg.labels[(y + 1) * W + x]!;
          if (j !== id) (r.nb.add(j), R[j]!.nb.add(id));
        }
      }
    for (const r of R) {
      for (let i = 0; i < r.hist.length; i++) r.hist[i]! /= r.size * C;
      push({ ...r.box });
    }
    const sim = (a: Region, b: Region): number => {
      let colour = 0;
      for (let i = 0; i < a.hist.length; i++) colour += Math.min(a.hist[i]!, b.hist[i]!);
      const bw = Math.max(a.box.x2, b.box.x2) - Math.min(a.box.x1, b.box.x1), bh = Math.max(a.box.y2, b.box.y2) - Math.min(a.box.y1, b.box.y1);
      return colour + (1 - (a.size + b.size) / imSize) + (1 - (bw * bh - a.size - b.size) / imSize);
    };
    for (;;) {
      let best = -Infinity, bi = -1, bj = -1;
      R.forEach((a, i) => {
        if (!a.alive) return;
        for (const j of a.nb) {
          if (j <= i || !R[j]!.alive) continue;
          const s = sim(a, R[j]!);
          if (s > best) (best = s), (bi = i), (bj = j);
        }
      });
      if (bi < 0) break;
      const a = R[bi]!, b = R[bj]!;
      const size = a.size + b.size;
      const hist = new Float64Array(a.hist.length);
      for (let i = 0; i < hist.length; i++) hist[i] = (a.hist[i]! * a.size + b.hist[i]! * b.size) / size;
      const box = { x1: Math.min(a.box.x1, b.box.x1), y1: Math.min(a.box.y1, b.box.y1), x2: Math.max(a.box.x2, b.box.x2), y2: Math.max(a.box.y2, b.box.y2) };
      const nb = new Set<number>([...a.nb, ...b.nb]);
      nb.delete(bi);
      nb.delete(bj);
      a.alive = b.alive = false;
      const id = R.length;
      for (const j of nb) R[j]!.nb.add(id);
      R.push({ box, size, hist, nb, alive: true });
      push({ ...box });
    }
  }
  return out.slice(0, maxP);
}

/**
 * Crops each box out of the image and resizes it (bilinear) to `[h, w]`: the warped regions
 * R-CNN feeds its classifier. Boxes in pixels; the result `[n, h, w, c]`.
 */
export function cropAndResize(image: Tensor, boxes: readonly Box[], size: readonly [number, number]): Tensor {
  const fn = "cropAndResize";
  const { v, H, W, C } = imageArg(fn, image);
  const list = arrayArg(fn, "boxes", boxes) as readonly Box[];
  list.forEach((b, i) => checkBox(b, fn, `boxes[${i}]`));
  const sz = arrayArg(fn, "size", size);
  if (sz.length !== 2) throw new ValueError(`${fn}: size must be [h, w], got a list of ${sz.length}`);
  const h = intArg(fn, "size[0]", sz[0], { min: 1, max: 4096 }), w = intArg(fn, "size[1]", sz[1], { min: 1, max: 4096 });
  if (list.length * h * w * C > 2 ** 27) throw new ValueError(`${fn}: ${list.length} crops of ${h}×${w}×${C} are too many values`);
  const out = new Float32Array(list.length * h * w * C);
  const at = (y: number, x: number, c: number): number => v[(Math.min(H - 1, Math.max(0, y)) * W + Math.min(W - 1, Math.max(0, x))) * C + c]!;
  list.forEach((b, n) => {
    const sy = (b.y2 - b.y1) / h, sx = (b.x2 - b.x1) / w;
    for (let i = 0; i < h; i++) {
      const y = b.y1 + (i + 0.5) * sy - 0.5, y0 = Math.floor(y), fy = y - y0;
      for (let j = 0; j < w; j++) {
        const x = b.x1 + (j + 0.5) * sx - 0.5, x0 = Math.floor(x), fx = x - x0;
        for (let c = 0; c < C; c++)
          out[((n * h + i) * w + j) * C + c] =
            (1 - fy) * ((1 - fx) * at(y0, x0, c) + fx * at(y0, x0 + 1, c)) + fy * ((1 - fx) * at(y0 + 1, x0, c) + fx * at(y0 + 1, x0 + 1, c));
      }
    }
  });
  return new Tensor(out, [list.length, h, w, C]);
}

/** R-CNN's box-regression targets of `box` towards `target`: `[(gx − px)/pw, (gy − py)/ph, log(gw/pw), log(gh/ph)]`. */
export function boxDeltas(box: Box, target: Box): [number, number, number, number] {
  const fn = "boxDeltas";
  checkBox(box, fn, "box");
  checkBox(target, fn, "target");
  const pw = box.x2 - box.x1, ph = box.y2 - box.y1, gw = target.x2 - target.x1, gh = target.y2 - target.y1;
  if (!(pw > 0 && ph > 0 && gw > 0 && gh > 0)) throw new ValueError(`${fn}: both boxes need a positive width and height`);
  return [((target.x1 + target.x2) / 2 - (box.x1 + box.x2) / 2) / pw, ((target.y1 + target.y2) / 2 - (box.y1 + box.y2) / 2) / ph, Math.log(gw / pw), Math.log(gh / ph)];
}

/** The box that `deltas` (from `boxDeltas` or a regressor) move `box` to. */
export function applyBoxDeltas(box: Box, deltas: readonly number[]): Box {
  const fn = "applyBoxDeltas";
  checkBox(box, fn, "box");
  const d = arrayArg(fn, "deltas", deltas).map((x, i) => numberArg(fn, `deltas[${i}]`, x));
  if (d.length !== 4) throw new ValueError(`${fn}: deltas must be [dx, dy, dw, dh], got ${d.length} values`);
  const pw = box.x2 - box.x1, ph = box.y2 - box.y1;
  const cx = (box.x1 + box.x2) / 2 + d[0]! * pw, cy = (box.y1 + box.y2) / 2 + d[1]! * ph;
  const w = pw * Math.exp(Math.min(d[2]!, 10)), h = ph * Math.exp(Math.min(d[3]!, 10));
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
}

export interface ProposalLabels {
  /** Per proposal: the class of its best-matching object, K (background), or −1 (ignored: in between). */
  labels: number[];
  /** Per proposal: the object it matches best (−1 when none). */
  matches: number[];
  ious: number[];
}

/**
 * R-CNN's training labels: a proposal with IoU ≥ `fg` (default 0.5) with an object takes its
 * class, IoU < `bg` (default 0.3) with every object is background (label K), the rest ignored.
 */
export function labelProposals(proposals: readonly Box[], objects: readonly { box: Box; classId: number }[], opts: { classes: number; fg?: number; bg?: number }): ProposalLabels {
  const fn = "labelProposals";
  const ps = arrayArg(fn, "proposals", proposals) as readonly Box[];
  const os = arrayArg(fn, "objects", objects) as readonly { box: Box; classId: number }[];
  const o = optionsArg(fn, opts);
  const K = intArg(fn, "opts.classes", o.classes, { min: 1, max: 1e5 });
  const fg = o.fg === undefined ? 0.5 : numberArg(fn, "opts.fg", o.fg, { min: 0, max: 1 });
  const bg = o.bg === undefined ? 0.3 : numberArg(fn, "opts.bg", o.bg, { min: 0, max: 1 });
  ps.forEach((b, i) => checkBox(b, fn, `proposals[${i}]`));
  os.forEach((g, i) => {
    checkBox(g?.box, fn, `objects[${i}].box`);
    intArg(fn, `objects[${i}].classId`, g.classId, { min: 0, max: K - 1 });
  });
  const labels: number[] = [], matches: number[] = [], ious: number[] = [];
  for (const p of ps) {
    let best = -1, bi = -1;
    os.forEach((g, j) => {
      const v = iouUnchecked(p, g.box);
      if (v > bi) (bi = v), (best = j);
    });
    ious.push(Math.max(0, bi));
    matches.push(best);
    labels.push(best >= 0 && bi >= fg ? os[best]!.classId : bi < bg ? K : -1);
  }
  return { labels, matches, ious };
}
