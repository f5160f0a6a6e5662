/**
 * An R-CNN pipeline on top of `selectiveSearch`: proposals → warped crops → a CNN with K + 1
 * class logits (class K: background) and 4 class-agnostic box deltas → refined boxes → per-class
 * NMS. The network is any model mapping `[n, h, w, c]` crops to `[n, K + 5]`.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, intArg, numberArg, optionsArg, requiredOptionsArg, seedArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { Rng } from "../util/rng.js";
import { slice } from "../ops/layout.js";
import { logSoftmax } from "../ops/activations.js";
import { add, mul, sub } from "../ops/binary.js";
import { square } from "../ops/unary.js";
import { sum } from "../ops/reduce.js";
import { noGrad } from "../autograd/tape.js";
import { nms, type Box, type Detection } from "./boxes.js";
import { applyBoxDeltas, boxDeltas, cropAndResize, labelProposals, selectiveSearch, type SelectiveSearchOptions } from "./proposals.js";
import type { LabeledBox } from "./yolo.js";

export interface RcnnOptions {
  /** K, the number of object classes (the network has K + 1 class logits). */
  classes: number;
  /** The classifier's input, h = w (default 16). */
  cropSize?: number;
  /** Options of `selectiveSearch`. */
  proposals?: SelectiveSearchOptions;
}

export interface RcnnTrainingOptions extends RcnnOptions {
  /** Background crops kept per image at most (default 8). */
  backgroundPerImage?: number;
  seed?: number;
}

export interface RcnnTrainingSet {
  /** `[n, cropSize, cropSize, c]` warped regions. */
  x: Tensor;
  /** `[n, K + 6]`: one-hot over K + 1 classes, 4 box deltas, and 1 where the deltas count (objects). */
  y: Tensor;
  /** The class of each crop (K: background). */
  labels: number[];
}

function imageAt(x: Tensor, i: number): Tensor {
  return slice(x, [i, 0, 0, 0], [1, x.shape[1]!, x.shape[2]!, x.shape[3]!]);
}

function common(fn: string, o: RcnnOptions): { K: number; crop: number } {
  const K = intArg(fn, "opts.classes", o.classes, { min: 1, max: 1e4 });
  const crop = o.cropSize === undefined ? 16 : intArg(fn, "opts.cropSize", o.cropSize, { min: 2, max: 512 });
  return { K, crop };
}

/**
 * R-CNN's training crops from images and their objects: every ground-truth box and every proposal
 * of IoU ≥ 0.5 with an object (labelled with its class, with deltas towards it), and up to
 * `backgroundPerImage` proposals of IoU < 0.3 with every object (background).
 */
export function rcnnTrainingSet(x: Tensor, objects: readonly (readonly LabeledBox[])[], opts: RcnnTrainingOptions): RcnnTrainingSet {
  const fn = "rcnnTrainingSet";
  tensorArg(fn, "x", x);
  if (x.rank !== 4) throw new ShapeError(`${fn}: x must be images [m, H, W, c], got ${fmtShape(x.shape)}`);
  const objs = arrayArg(fn, "objects", objects) as readonly (readonly LabeledBox[])[];
  if (objs.length !== x.shape[0]) throw new ValueError(`${fn}: objects lists ${objs.length} images but x has ${x.shape[0]}`);
  const o = requiredOptionsArg(fn, opts, "opts", "{ classes }");
  const { K, crop } = common(fn, o);
  const nBg = o.backgroundPerImage === undefined ? 8 : intArg(fn, "opts.backgroundPerImage", o.backgroundPerImage, { min: 0, max: 1e5 });
  const rng = new Rng(seedArg(fn, o.seed) ?? 0);
  const crops: Tensor[] = [];
  const rows: number[][] = [];
  const labels: number[] = [];
  const D = K + 6;
  objs.forEach((list, i) => {
    const img = imageAt(x, i);
    const props = selectiveSearch(img, o.proposals);
    const gtBoxes = list.map((g) => g.box);
    const all = [...gtBoxes, ...props];
    const lab = labelProposals(all, list, { classes: K });
    const keep: number[] = [];
    const bg: number[] = [];
    lab.labels.forEach((l, j) => (l === K ? bg.push(j) : l >= 0 ? keep.push(j) : 0));
    const perm = rng.permutation(bg.length);
    for (let j = 0; j < Math.min(nBg, bg.length); j++) keep.push(bg[perm[j]!]!);
    if (!keep.length) return;
    const boxes = keep.map((j) => all[j]!);
    crops.push(cropAndResize(img, boxes, [crop, crop]));
    keep.forEach((j) => {
      const row = new Array<number>(D).fill(0);
      const l = lab.labels[j]!;
      row[l] = 1;
      if (l < K) {
        const d = boxDeltas(all[j]!, list[lab.matches[j]!]!.box);
        row.splice(K + 1, 4, ...d);
        row[K + 5] = 1;
      }
      rows.push(row);
      labels.push(l);
    });
  });
  if (!crops.length) throw new ValueError(`${fn}: no training crops (no images or no proposals)`);
  const n = rows.length;
  const cat = new Float32Array(n * crop * crop * crops[0]!.shape[3]!);
  let off = 0;
  for (const c of crops) (cat.set(c.data, off), (off += c.size));
  return { x: new Tensor(cat, [n, crop, crop, crops[0]!.shape[3]!]), y: new Tensor(Float32Array.from(rows.flat()), [n, D]), labels };
}

/**
 * R-CNN's loss, averaged over the crops: cross-entropy over the K + 1 classes plus the squared
 * error of the 4 deltas on object crops. `output` `[n, K + 5]`, `y` `[n, K + 6]` from `rcnnTrainingSet`.
 */
export function rcnnLoss(output: Tensor, y: Tensor): Tensor {
  const fn = "rcnnLoss";
  tensorArg(fn, "output", output);
  tensorArg(fn, "y", y);
  if (output.rank !== 2 || y.rank !== 2 || y.shape[0] !== output.shape[0] || y.shape[1] !== output.shape[1]! + 1 || output.shape[1]! < 6)
    throw new ShapeError(`${fn}: output must be [n, K + 5] and y [n, K + 6], got ${fmtShape(output.shape)} and ${fmtShape(y.shape)}`);
  const [n, D] = output.shape as [number, number];
  const K = D - 5;
  const cls = slice(y, [0, 0], [n, K + 1]), deltas = slice(y, [0, K + 1], [n, 4]), fg = slice(y, [0, K + 5], [n, 1]);
  const ce = mul(sum(mul(logSoftmax(slice(output, [0, 0], [n, K + 1]), -1), cls)), -1);
  const reg = sum(mul(square(sub(slice(output, [0, K + 1], [n, 4]), deltas)), fg));
  return mul(add(ce, reg), 1 / n);
}

export interface RcnnDetectOptions extends RcnnOptions {
  /** NMS thresholds (defaults 0.5 score, 0.3 IoU... as `nms`: 0.6 and 0.5). */
  scoreThreshold?: number;
  iouThreshold?: number;
}

/** The model R-CNN classifies crops with. */
export interface CropClassifier {
  predict(x: Tensor): unknown;
}

/**
 * Detections in one image `[1, H, W, c]` (or `[H, W, c]`): proposals, crops, the network's class
 * probabilities (score = the best object class's probability) and deltas, refined boxes, per-class NMS.
 */
export function rcnnDetect(model: CropClassifier, image: Tensor, opts: RcnnDetectOptions): Detection[] {
  const fn = "rcnnDetect";
  if (model === null || typeof model !== "object" || typeof (model as CropClassifier).predict !== "function") throw new ValueError(`${fn}: model must have predict(x)`);
  tensorArg(fn, "image", image);
  const o = requiredOptionsArg(fn, opts, "opts", "{ classes }");
  const { K, crop } = common(fn, o);
  const scoreThreshold = o.scoreThreshold === undefined ? 0.6 : numberArg(fn, "opts.scoreThreshold", o.scoreThreshold, { min: 0, max: 1 });
  const iouThreshold = o.iouThreshold === undefined ? 0.5 : numberArg(fn, "opts.iouThreshold", o.iouThreshold, { min: 0, max: 1 });
  optionsArg(fn, o.proposals, "opts.proposals");
  return noGrad(() => {
    const props: Box[] = selectiveSearch(image, o.proposals);
    if (!props.length) return [];
    const out = model.predict(cropAndResize(image, props, [crop, crop]));
    if (!(out instanceof Tensor) || out.rank !== 2 || out.shape[0] !== props.length || out.shape[1] !== K + 5)
      throw new ShapeError(`${fn}: model.predict must return [${props.length}, ${K + 5}] for ${props.length} crops, got ${out instanceof Tensor ? fmtShape(out.shape) : typeof out}`);
    const v = out.data, D = K + 5;
    const dets: Detection[] = [];
    props.forEach((p, i) => {
      let mx = -Infinity;
      for (let k = 0; k <= K; k++) mx = Math.max(mx, v[i * D + k]!);
      let s = 0;
      for (let k = 0; k <= K; k++) s += Math.exp(v[i * D + k]! - mx);
      let best = 0;
      for (let k = 1; k < K; k++) if (v[i * D + k]! > v[i * D + best]!) best = k;
      const score = Math.exp(v[i * D + best]! - mx) / s;
      const d = [0, 1, 2, 3].map((j) => v[i * D + K + 1 + j]!);
      if (!d.every(Number.isFinite)) return;
      dets.push({ box: applyBoxDeltas(p, d), score, classId: best });
    });
    return nms(dets, { scoreThreshold, iouThreshold, perClass: true });
  });
}
