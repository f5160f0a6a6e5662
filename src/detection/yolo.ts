/**
 * YOLO as the course teaches it: an S×S grid, each object assigned to the cell holding its
 * midpoint and to the anchor whose shape has the highest IoU with its own; per cell and anchor
 * the vector `[pc, bx, by, bh, bw, c1..cK]` with (bx, by) the midpoint inside the cell (0..1) and
 * (bh, bw) the size in cell units (may exceed 1). A network predicts the raw YOLOv2 values
 * `t` of the same layout: `pc = σ(t0)`, `bx = σ(t1)`, `by = σ(t2)`, `bh = anchor.h·exp(t3)`,
 * `bw = anchor.w·exp(t4)`, class probabilities `softmax(t5..)`.
 *
 * Tensors are batched: targets `[m, S, S, A, 5 + K]`, outputs `[m, S, S, A·(5 + K)]` (a conv
 * layer's output) or `[m, S, S, A, 5 + K]`. Boxes are in the frame's unit (`width` × `height`,
 * default 1 × 1: fractions of the image); anchors `{ width, height }` in cell units.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, intArg, numberArg, oneOfArg, requiredOptionsArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { reshape, slice } from "../ops/layout.js";
import { sigmoid, logSoftmax, relu as reluOp } from "../ops/activations.js";
import { add, mul, sub } from "../ops/binary.js";
import { abs, exp, log, neg, square } from "../ops/unary.js";
import { sum } from "../ops/reduce.js";
import { noGrad } from "../autograd/tape.js";
import { checkBox, type Box, type Detection } from "./boxes.js";
import { Layer } from "../nn/layer.js";
import { Sequential, sequential } from "../nn/model.js";
import { conv2d } from "../nn/layers/conv.js";
import { maxPool2d } from "../nn/layers/pool.js";
import { batchNorm, relu } from "../nn/layers/core.js";

/** An anchor shape in cell units. */
export interface AnchorShape {
  width: number;
  height: number;
}

/** An object of an image: its box (frame units) and class. */
export interface LabeledBox {
  box: Box;
  classId: number;
}

export interface YoloGridOptions {
  /** S for an S×S grid, or `[rows, cols]`. */
  grid: number | readonly [number, number];
  /** Anchor shapes in cell units (A of them). */
  anchors: readonly AnchorShape[];
  /** K, the number of classes (0 allowed: one object kind, score = pc). */
  classes: number;
  /** The frame boxes are measured in (default 1 × 1: fractions of the image). */
  width?: number;
  height?: number;
  dtype?: "float32" | "float64";
}

export interface YoloDecodeOptions {
  anchors: readonly AnchorShape[];
  /** K (default: inferred from the depth, `depth / A − 5`). */
  classes?: number;
  width?: number;
  height?: number;
  /**
   * "yolo" (default): raw network values, activated as YOLOv2 (σ, exp·anchor, softmax);
   * "none": the values are already `[pc, bx, by, bh, bw, c..]` (e.g. an encoded target).
   */
  activation?: "yolo" | "none";
  /**
   * Order of the 5 box values per anchor: "course" `[pc, bx, by, bh, bw]` (default) or
   * "darknet" `[tx, ty, tw, th, to]` (YOLOv2/face-api's heads), classes after them in both.
   */
  layout?: "course" | "darknet";
  /** Keep only detections with score > this (default 0: every cell and anchor). */
  scoreThreshold?: number;
}

export interface YoloLossOptions {
  anchors: readonly AnchorShape[];
  /** Weight of the box terms (default 5, as in YOLO). */
  lambdaCoord?: number;
  /** Weight of the pc term of cells and anchors without an object (default 0.5). */
  lambdaNoobj?: number;
  /**
   * The pc term: "mse" (default, YOLO v1 and the course: squared error of σ(tpc)) or "bce"
   * (YOLOv3: binary cross-entropy on the logit, whose gradient does not vanish when σ is near 0).
   */
  objectness?: "mse" | "bce";
}

const OP = "yoloEncode";

function anchorsArg(fn: string, v: unknown, name = "opts.anchors"): AnchorShape[] {
  const a = arrayArg(fn, name, v);
  if (a.length === 0) throw new ValueError(`${fn}: ${name} must list at least one anchor { width, height }`);
  return a.map((x, i) => {
    const o = requiredOptionsArg(fn, x as AnchorShape, `${name}[${i}]`, "{ width, height }");
    return {
      width: numberArg(fn, `${name}[${i}].width`, o.width, { above: 0 }),
      height: numberArg(fn, `${name}[${i}].height`, o.height, { above: 0 }),
    };
  });
}

function gridArg(fn: string, v: unknown): [number, number] {
  if (typeof v === "number") {
    const s = intArg(fn, "opts.grid", v, { min: 1, max: 4096 });
    return [s, s];
  }
  const g = arrayArg(fn, "opts.grid", v);
  if (g.length !== 2) throw new ValueError(`${fn}: opts.grid must be S or [rows, cols], got a list of ${g.length}`);
  return [intArg(fn, "opts.grid[0]", g[0], { min: 1, max: 4096 }), intArg(fn, "opts.grid[1]", g[1], { min: 1, max: 4096 })];
}

function frameArg(fn: string, o: { width?: unknown; height?: unknown }): [number, number] {
  const w = o.width === undefined ? 1 : numberArg(fn, "opts.width", o.width, { above: 0 });
  const h = o.height === undefined ? 1 : numberArg(fn, "opts.height", o.height, { above: 0 });
  return [w, h];
}

function shapeArg(fn: string, name: string, v: unknown): AnchorShape {
  const o = requiredOptionsArg(fn, v as AnchorShape, name, "{ width, height }");
  return { width: numberArg(fn, `${name}.width`, o.width, { min: 0 }), height: numberArg(fn, `${name}.height`, o.height, { min: 0 }) };
}

/** IoU of two shapes `{ width, height }` sharing a centre (how anchors are matched to objects). */
export function shapeIou(a: AnchorShape, b: AnchorShape): number {
  return shapeIouUnchecked(shapeArg("shapeIou", "a", a), shapeArg("shapeIou", "b", b));
}

/** `shapeIou` without checks. */
export function shapeIouUnchecked(a: AnchorShape, b: AnchorShape): number {
  const inter = Math.min(a.width, b.width) * Math.min(a.height, b.height);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** The anchor (index) whose shape has the highest IoU with `shape` (the first on ties). */
export function bestAnchor(shape: AnchorShape, anchors: readonly AnchorShape[]): number {
  return bestAnchorUnchecked(shapeArg("bestAnchor", "shape", shape), anchorsArg("bestAnchor", anchors, "anchors"));
}

function bestAnchorUnchecked(shape: AnchorShape, anchors: readonly AnchorShape[]): number {
  let best = 0, bestIou = -1;
  anchors.forEach((a, i) => {
    const v = shapeIouUnchecked(shape, a);
    if (v > bestIou) (best = i), (bestIou = v);
  });
  return best;
}

/** Where an object goes: its cell (row, col), anchor, and the course's (bx, by, bh, bw) in cell units. */
export interface YoloAssignment {
  row: number;
  col: number;
  anchor: number;
  bx: number;
  by: number;
  bh: number;
  bw: number;
}

/** The cell, anchor and cell-relative midpoint/size of one box (frame units in, cell units out). */
export function yoloAssign(box: Box, opts: Omit<YoloGridOptions, "classes" | "dtype">): YoloAssignment {
  const fn = "yoloAssign";
  const o = requiredOptionsArg(fn, opts, "opts", "{ grid, anchors }");
  checkBox(box, fn, "box");
  const [rows, cols] = gridArg(fn, o.grid);
  const anchors = anchorsArg(fn, o.anchors);
  const [W, H] = frameArg(fn, o);
  return assign(box, rows, cols, anchors, W, H);
}

function assign(box: Box, rows: number, cols: number, anchors: readonly AnchorShape[], W: number, H: number): YoloAssignment {
  const cw = W / cols, ch = H / rows;
  const x = (box.x1 + box.x2) / 2 / cw, y = (box.y1 + box.y2) / 2 / ch;
  const col = Math.min(cols - 1, Math.max(0, Math.floor(x)));
  const row = Math.min(rows - 1, Math.max(0, Math.floor(y)));
  const bw = (box.x2 - box.x1) / cw, bh = (box.y2 - box.y1) / ch;
  return { row, col, anchor: bestAnchorUnchecked({ width: bw, height: bh }, anchors), bx: x - col, by: y - row, bh, bw };
}

/**
 * The YOLO training target of a batch of images: `objects[i]` lists image i's boxes; the result
 * is `[m, S, S, A, 5 + K]` with `[pc, bx, by, bh, bw, c1..cK]` per cell and anchor (zeros where
 * no object). When two objects fall on the same cell and anchor, the first one is kept.
 *
 * @example
 * // COURSE.md: a 3×3 grid, 2 anchors, 3 classes → y is 3×3×2×8 per image
 * yoloEncode([[{ box, classId: 1 }]], { grid: 3, anchors, classes: 3 }).shape  // [1, 3, 3, 2, 8]
 */
export function yoloEncode(objects: readonly (readonly LabeledBox[])[], opts: YoloGridOptions): Tensor {
  const o = requiredOptionsArg(OP, opts, "opts", "{ grid, anchors, classes }");
  const imgs = arrayArg(OP, "objects", objects);
  const [rows, cols] = gridArg(OP, o.grid);
  const anchors = anchorsArg(OP, o.anchors);
  const K = intArg(OP, "opts.classes", o.classes, { min: 0, max: 1e5 });
  const [W, H] = frameArg(OP, o);
  const dtype = o.dtype === undefined ? "float32" : oneOfArg(OP, "opts.dtype", o.dtype, ["float32", "float64"] as const);
  const A = anchors.length, D = 5 + K;
  const size = imgs.length * rows * cols * A * D;
  if (size > 2 ** 28) throw new ValueError(`${OP}: the target would have ${size} values (too many)`);
  const data = dtype === "float64" ? new Float64Array(size) : new Float32Array(size);
  imgs.forEach((list, i) => {
    arrayArg(OP, `objects[${i}]`, list).forEach((ob, j) => {
      const obj = requiredOptionsArg(OP, ob as LabeledBox, `objects[${i}][${j}]`, "{ box, classId }");
      checkBox(obj.box, OP, `objects[${i}][${j}].box`);
      const c = K > 0 ? intArg(OP, `objects[${i}][${j}].classId`, obj.classId, { min: 0, max: K - 1 }) : 0;
      const a = assign(obj.box, rows, cols, anchors, W, H);
      const at = ((((i * rows + a.row) * cols + a.col) * A + a.anchor) * D);
      if (data[at] === 1) return;
      data[at] = 1;
      data[at + 1] = a.bx;
      data[at + 2] = a.by;
      data[at + 3] = a.bh;
      data[at + 4] = a.bw;
      if (K > 0) data[at + 5 + c] = 1;
    });
  });
  return new Tensor(data, [imgs.length, rows, cols, A, D]);
}

function yoloShape(fn: string, name: string, t: Tensor, A: number, K: number | undefined): { m: number; rows: number; cols: number; D: number } {
  if (t.rank === 5) {
    if (t.shape[3] !== A) throw new ShapeError(`${fn}: ${name} ${fmtShape(t.shape)} has ${t.shape[3]} anchors but opts.anchors lists ${A}`);
    const D = t.shape[4]!;
    if (D < 5 || (K !== undefined && D !== 5 + K)) throw new ShapeError(`${fn}: ${name} ${fmtShape(t.shape)} needs 5 + K = ${K === undefined ? "5 + K" : 5 + K} values per anchor, got ${D}`);
    return { m: t.shape[0]!, rows: t.shape[1]!, cols: t.shape[2]!, D };
  }
  if (t.rank === 4) {
    const depth = t.shape[3]!;
    if (depth % A !== 0 || depth / A < 5) throw new ShapeError(`${fn}: ${name} ${fmtShape(t.shape)} must have A·(5 + K) channels for A = ${A} anchors, got ${depth}`);
    const D = depth / A;
    if (K !== undefined && D !== 5 + K) throw new ShapeError(`${fn}: ${name} ${fmtShape(t.shape)} has ${D} values per anchor but 5 + K = ${5 + K} (K = opts.classes)`);
    return { m: t.shape[0]!, rows: t.shape[1]!, cols: t.shape[2]!, D };
  }
  throw new ShapeError(`${fn}: ${name} must be [m, S, S, A·(5 + K)] or [m, S, S, A, 5 + K], got ${fmtShape(t.shape)}`);
}

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * Detections from a YOLO output (or an encoded target with `activation: "none"`): one list per
 * image, every cell and anchor with score > `scoreThreshold`; score = pc · the best class
 * probability (pc alone when K = 0). Boxes in the frame's unit. Run `nms` on each list.
 *
 * @example
 * const dets = yoloDecode(model.predict(x), { anchors, scoreThreshold: 0.1 }).map((d) => nms(d))
 */
export function yoloDecode(output: Tensor, opts: YoloDecodeOptions): Detection[][] {
  const fn = "yoloDecode";
  tensorArg(fn, "output", output);
  const o = requiredOptionsArg(fn, opts, "opts", "{ anchors }");
  const anchors = anchorsArg(fn, o.anchors);
  const K0 = o.classes === undefined ? undefined : intArg(fn, "opts.classes", o.classes, { min: 0, max: 1e5 });
  const [W, H] = frameArg(fn, o);
  const activation = o.activation === undefined ? "yolo" : oneOfArg(fn, "opts.activation", o.activation, ["yolo", "none"] as const);
  const layout = o.layout === undefined ? "course" : oneOfArg(fn, "opts.layout", o.layout, ["course", "darknet"] as const);
  const thr = o.scoreThreshold === undefined ? 0 : numberArg(fn, "opts.scoreThreshold", o.scoreThreshold, { min: 0, max: 1 });
  const A = anchors.length;
  const { m, rows, cols, D } = yoloShape(fn, "output", output, A, K0);
  const K = D - 5;
  const v = output.data;
  const cw = W / cols, ch = H / rows;
  // value positions per layout: pc, bx, by, bh, bw
  const [iP, iX, iY, iH, iW] = layout === "course" ? [0, 1, 2, 3, 4] : [4, 0, 1, 3, 2];
  const out: Detection[][] = [];
  const probs = new Float64Array(Math.max(K, 1));
  for (let i = 0; i < m; i++) {
    const dets: Detection[] = [];
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++)
        for (let a = 0; a < A; a++) {
          const at = (((i * rows + r) * cols + c) * A + a) * D;
          let pc: number, bx: number, by: number, bh: number, bw: number;
          if (activation === "yolo") {
            pc = sig(v[at + iP]!);
            bx = sig(v[at + iX]!);
            by = sig(v[at + iY]!);
            bh = anchors[a]!.height * Math.exp(v[at + iH]!);
            bw = anchors[a]!.width * Math.exp(v[at + iW]!);
          } else {
            pc = v[at + iP]!;
            bx = v[at + iX]!;
            by = v[at + iY]!;
            bh = v[at + iH]!;
            bw = v[at + iW]!;
          }
          let best = 0, bestP = 1;
          if (K > 0) {
            if (activation === "yolo") {
              let mx = -Infinity;
              for (let k = 0; k < K; k++) mx = Math.max(mx, v[at + 5 + k]!);
              let s = 0;
              for (let k = 0; k < K; k++) s += probs[k] = Math.exp(v[at + 5 + k]! - mx);
              for (let k = 0; k < K; k++) probs[k]! /= s;
            } else for (let k = 0; k < K; k++) probs[k] = v[at + 5 + k]!;
            bestP = -Infinity;
            for (let k = 0; k < K; k++) if (probs[k]! > bestP) (bestP = probs[k]!), (best = k);
          }
          const score = pc * bestP;
          if (!(score > thr) || !Number.isFinite(bx + by + bh + bw) || bh < 0 || bw < 0) continue;
          const xc = (c + bx) * cw, yc = (r + by) * ch, w = bw * cw, h = bh * ch;
          dets.push({ box: { x1: xc - w / 2, y1: yc - h / 2, x2: xc + w / 2, y2: yc + h / 2 }, score, classId: best });
        }
    out.push(dets);
  }
  return out;
}

/**
 * The YOLO loss of raw outputs against `yoloEncode` targets, averaged over the batch:
 * `λcoord Σobj [(σ(tx) − bx)² + (σ(ty) − by)² + (th − log(bh/ah))² + (tw − log(bw/aw))²]
 *  + Σobj (σ(tpc) − 1)² + λnoobj Σnoobj σ(tpc)² − Σobj log softmax(tc)[class]`.
 * Differentiable in `output` (works in float64 for gradcheck).
 */
export function yoloLoss(output: Tensor, target: Tensor, opts: YoloLossOptions): Tensor {
  const fn = "yoloLoss";
  tensorArg(fn, "output", output);
  tensorArg(fn, "target", target);
  const o = requiredOptionsArg(fn, opts, "opts", "{ anchors }");
  const anchors = anchorsArg(fn, o.anchors);
  const lc = o.lambdaCoord === undefined ? 5 : numberArg(fn, "opts.lambdaCoord", o.lambdaCoord, { min: 0 });
  const ln = o.lambdaNoobj === undefined ? 0.5 : numberArg(fn, "opts.lambdaNoobj", o.lambdaNoobj, { min: 0 });
  const objectness = o.objectness === undefined ? "mse" : oneOfArg(fn, "opts.objectness", o.objectness, ["mse", "bce"] as const);
  const A = anchors.length;
  const so = yoloShape(fn, "output", output, A, undefined);
  if (target.rank !== 5) throw new ShapeError(`${fn}: target must be [m, S, S, A, 5 + K] (from yoloEncode), got ${fmtShape(target.shape)}`);
  const st = yoloShape(fn, "target", target, A, so.D - 5);
  if (st.m !== so.m || st.rows !== so.rows || st.cols !== so.cols)
    throw new ShapeError(`${fn}: output ${fmtShape(output.shape)} and target ${fmtShape(target.shape)} differ in batch or grid`);
  const { m, rows, cols, D } = so;
  const K = D - 5;
  const n = m * rows * cols * A;
  const dtype = output.dtype;
  const mk = (): Float32Array | Float64Array => (dtype === "float64" ? new Float64Array(n) : new Float32Array(n));
  // per-cell constants from the target (no gradient)
  const obj = mk(), noobj = mk(), tx = mk(), ty = mk(), th = mk(), tw = mk();
  const cls = dtype === "float64" ? new Float64Array(n * Math.max(K, 1)) : new Float32Array(n * Math.max(K, 1));
  const t = target.data;
  for (let j = 0; j < n; j++) {
    const at = j * D, a = j % A;
    const p = t[at]!;
    if (!Number.isFinite(p)) throw new ValueError(`${fn}: target has a non-finite pc at cell ${j}`);
    if (p > 0.5) {
      obj[j] = 1;
      tx[j] = t[at + 1]!;
      ty[j] = t[at + 2]!;
      const bh = t[at + 3]!, bw = t[at + 4]!;
      if (!(bh > 0) || !(bw > 0)) throw new ValueError(`${fn}: target has an object with bh = ${bh}, bw = ${bw} at cell ${j} (sizes must be > 0)`);
      th[j] = Math.log(bh / anchors[a]!.height);
      tw[j] = Math.log(bw / anchors[a]!.width);
      for (let k = 0; k < K; k++) cls[j * K + k] = t[at + 5 + k]!;
    } else noobj[j] = 1;
  }
  const out5 = reshape(output, [n, D]);
  const col = (k: number): Tensor => reshape(slice(out5, [0, k], [n, 1]), [n]);
  const T = (d: Float32Array | Float64Array, shape = [n]): Tensor => new Tensor(d, shape);
  const objT = T(obj), noobjT = T(noobj);
  const pc = sigmoid(col(0));
  const coord = add(
    add(square(sub(sigmoid(col(1)), T(tx))), square(sub(sigmoid(col(2)), T(ty)))),
    add(square(sub(col(3), T(th))), square(sub(col(4), T(tw)))),
  );
  let objTerm: Tensor;
  if (objectness === "mse") objTerm = add(sum(mul(square(sub(pc, 1)), objT)), mul(sum(mul(square(pc), noobjT)), ln));
  else {
    // −log σ(t) = softplus(−t), −log(1 − σ(t)) = softplus(t); softplus(t) = max(t, 0) + log(1 + e^−|t|)
    const t0 = col(0);
    const soft = (z: Tensor): Tensor => add(reluOp(z), log(add(exp(neg(abs(z))), 1)));
    objTerm = add(sum(mul(soft(neg(t0)), objT)), mul(sum(mul(soft(t0), noobjT)), ln));
  }
  let total = add(mul(sum(mul(coord, objT)), lc), objTerm);
  if (K > 0) {
    const logits = slice(out5, [0, 5], [n, K]);
    const ce = mul(sum(mul(mul(logSoftmax(logits, -1), T(cls, [n, K])), reshape(objT, [n, 1]))), -1);
    total = add(total, ce);
  }
  return mul(total, 1 / m);
}

/** The raw YOLOv2 values that decode to this target (`t` with σ(t) = pc, bx, by clipped to (0, 1)): a perfect prediction, for tests and demos. */
export function yoloInverse(target: Tensor, opts: { anchors: readonly AnchorShape[]; eps?: number }): Tensor {
  const fn = "yoloInverse";
  tensorArg(fn, "target", target);
  const o = requiredOptionsArg(fn, opts, "opts", "{ anchors }");
  const anchors = anchorsArg(fn, o.anchors);
  const eps = o.eps === undefined ? 1e-4 : numberArg(fn, "opts.eps", o.eps, { above: 0, max: 0.5 });
  if (target.rank !== 5) throw new ShapeError(`${fn}: target must be [m, S, S, A, 5 + K], got ${fmtShape(target.shape)}`);
  const { D } = yoloShape(fn, "target", target, anchors.length, undefined);
  const K = D - 5, A = anchors.length;
  return noGrad(() => {
    const t = target.data;
    const r = target.dtype === "float64" ? new Float64Array(t.length) : new Float32Array(t.length);
    const logit = (p: number): number => {
      const q = Math.min(1 - eps, Math.max(eps, p));
      return Math.log(q / (1 - q));
    };
    for (let at = 0, j = 0; at < t.length; at += D, j++) {
      const a = j % A;
      r[at] = logit(t[at]!);
      r[at + 1] = logit(t[at + 1]!);
      r[at + 2] = logit(t[at + 2]!);
      r[at + 3] = t[at]! > 0.5 ? Math.log(t[at + 3]! / anchors[a]!.height) : 0;
      r[at + 4] = t[at]! > 0.5 ? Math.log(t[at + 4]! / anchors[a]!.width) : 0;
      for (let k = 0; k < K; k++) r[at + 5 + k] = t[at + 5 + k]! > 0.5 ? 10 : 0;
    }
    return new Tensor(r, [...target.shape]);
  });
}

export interface YoloNetOptions {
  /** The square input side in pixels (a power-of-two multiple of the grid). */
  size: number;
  /** S: the output grid (the net halves the side with 2×2 max-pools until it reaches S). */
  grid: number;
  anchors: readonly AnchorShape[];
  classes: number;
  /** Filters of the first conv (default 8), doubled after every pool up to 64. */
  filters?: number;
  /** Batch norm after each conv (default true). */
  batchNorm?: boolean;
  seed?: number;
}

/**
 * A small YOLO network: [3×3 conv (+ batch norm) + ReLU, 2×2 max-pool] until the side is S,
 * one more 3×3 conv, then a 1×1 conv to A·(5 + K) channels: output `[m, S, S, A·(5 + K)]`.
 *
 * @example
 * const net = yoloNet({ size: 32, grid: 4, anchors, classes: 3, seed: 0 })
 */
export function yoloNet(opts: YoloNetOptions): Sequential {
  const fn = "yoloNet";
  const o = requiredOptionsArg(fn, opts, "opts", "{ size, grid, anchors, classes }");
  const size = intArg(fn, "opts.size", o.size, { min: 1, max: 4096 });
  const S = intArg(fn, "opts.grid", o.grid, { min: 1, max: 4096 });
  const anchors = anchorsArg(fn, o.anchors);
  const K = intArg(fn, "opts.classes", o.classes, { min: 0, max: 1e4 });
  const f0 = o.filters === undefined ? 8 : intArg(fn, "opts.filters", o.filters, { min: 1, max: 1024 });
  const bn = o.batchNorm ?? true;
  let s = size, pools = 0;
  while (s > S && s % 2 === 0) (s /= 2), pools++;
  if (s !== S) throw new ValueError(`${fn}: opts.size ${size} must be the grid ${S} times a power of two`);
  const layers: Layer[] = [];
  const block = (f: number): Layer[] =>
    bn ? [conv2d({ filters: f, size: 3, padding: "same", useBias: false }), batchNorm(), relu()] : [conv2d({ filters: f, size: 3, padding: "same", activation: "relu" })];
  let f = f0;
  for (let i = 0; i < pools; i++) {
    layers.push(...block(f), maxPool2d({ size: 2 }));
    f = Math.min(2 * f, 64);
  }
  layers.push(...block(f), conv2d({ filters: anchors.length * (5 + K), size: 1 }));
  return sequential(layers, { inputShape: [size, size, 3], seed: o.seed, name: "yolo" });
}
