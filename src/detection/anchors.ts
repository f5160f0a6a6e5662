/**
 * Choosing anchor shapes by k-means on the training boxes' (width, height) with the distance
 * `1 − IoU` of shapes sharing a centre (YOLOv2's choice: plain Euclidean k-means would favour
 * large boxes). Seeded k-means++ start, then Lloyd iterations with mean updates.
 */
import { ValueError } from "../util/errors.js";
import { arrayArg, intArg, numberArg, optionsArg, seedArg } from "../util/check.js";
import { Rng } from "../util/rng.js";
import { shapeIouUnchecked as shapeIou, type AnchorShape } from "./yolo.js";
import { shown, type Box } from "./boxes.js";

export interface KmeansAnchorsOptions {
  seed?: number;
  /** Lloyd iterations at most (default 100). */
  iterations?: number;
}

export interface KmeansAnchorsResult {
  /** The k shapes, smallest area first. */
  anchors: AnchorShape[];
  /** For each input shape, the index of its anchor. */
  assignments: number[];
  /** Mean over the inputs of the IoU with their anchor. */
  meanIoU: number;
  iterations: number;
}

function shapeOf(v: unknown, i: number): AnchorShape {
  const fn = "kmeansAnchors";
  if (v === null || typeof v !== "object") throw new ValueError(`${fn}: boxes[${i}] must be { width, height } or { x1, y1, x2, y2 }, got ${v === null ? "null" : typeof v}`);
  const o = v as Partial<AnchorShape & Box>;
  if (o.width !== undefined || o.height !== undefined)
    return { width: numberArg(fn, `boxes[${i}].width`, o.width, { above: 0 }), height: numberArg(fn, `boxes[${i}].height`, o.height, { above: 0 }) };
  const [x1, y1, x2, y2] = [o.x1, o.y1, o.x2, o.y2].map((c, j) => numberArg(fn, `boxes[${i}].${["x1", "y1", "x2", "y2"][j]}`, c));
  if (!(x2! > x1!) || !(y2! > y1!)) throw new ValueError(`${fn}: boxes[${i}] must have x2 > x1 and y2 > y1, got ${shown(v)}`);
  return { width: x2! - x1!, height: y2! - y1! };
}

/**
 * k anchor shapes from box shapes (`{ width, height }` or corner boxes), clustered with the
 * `1 − IoU` distance.
 *
 * @example
 * const { anchors, meanIoU } = kmeansAnchors(allTrainingBoxes, 5, { seed: 0 })
 */
export function kmeansAnchors(boxes: readonly (AnchorShape | Box)[], k: number, opts: KmeansAnchorsOptions = {}): KmeansAnchorsResult {
  const fn = "kmeansAnchors";
  const shapes = arrayArg(fn, "boxes", boxes).map(shapeOf);
  const K = intArg(fn, "k", k, { min: 1, max: 1e4 });
  const o = optionsArg(fn, opts);
  const rng = new Rng(seedArg(fn, o.seed) ?? 0);
  const maxIt = o.iterations === undefined ? 100 : intArg(fn, "opts.iterations", o.iterations, { min: 1, max: 1e5 });
  if (shapes.length < K) throw new ValueError(`${fn}: needs at least k = ${K} boxes, got ${shapes.length}`);
  const n = shapes.length;
  // k-means++: the first centre at random, each next one with probability ∝ distance²
  const centres: AnchorShape[] = [shapes[rng.int(n)]!];
  const d = new Float64Array(n);
  while (centres.length < K) {
    let tot = 0;
    for (let i = 0; i < n; i++) {
      let best = Infinity;
      for (const c of centres) best = Math.min(best, 1 - shapeIou(shapes[i]!, c));
      d[i] = best * best;
      tot += d[i]!;
    }
    let pick = 0;
    if (tot > 0) {
      let u = rng.uniform() * tot;
      for (pick = 0; pick < n - 1; pick++) if ((u -= d[pick]!) <= 0) break;
    } else pick = rng.int(n);
    centres.push({ ...shapes[pick]! });
  }
  const assign = new Int32Array(n).fill(-1);
  let it = 0;
  for (; it < maxIt; it++) {
    let changed = false;
    for (let i = 0; i < n; i++) {
      let best = 0, bd = Infinity;
      centres.forEach((c, j) => {
        const v = 1 - shapeIou(shapes[i]!, c);
        if (v < bd) (bd = v), (best = j);
      });
      if (assign[i] !== best) (assign[i] = best), (changed = true);
    }
    if (!changed) break;
    const sw = new Float64Array(K), sh = new Float64Array(K), cnt = new Float64Array(K);
    for (let i = 0; i < n; i++) {
      sw[assign[i]!] += shapes[i]!.width;
      sh[assign[i]!] += shapes[i]!.height;
      cnt[assign[i]!]++;
    }
    for (let j = 0; j < K; j++) if (cnt[j]! > 0) centres[j] = { width: sw[j]! / cnt[j]!, height: sh[j]! / cnt[j]! };
  }
  const order = centres.map((c, j) => ({ c, j })).sort((a, b) => a.c.width * a.c.height - b.c.width * b.c.height);
  const rank = new Int32Array(K);
  order.forEach((e, r) => (rank[e.j] = r));
  const assignments = Array.from(assign, (a) => rank[a]!);
  const anchors = order.map((e) => e.c);
  let s = 0;
  for (let i = 0; i < n; i++) s += shapeIou(shapes[i]!, anchors[assignments[i]!]!);
  return { anchors, assignments, meanIoU: s / n, iterations: it };
}
