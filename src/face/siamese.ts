/**
 * Siamese encoders: one ConvNet f(x) with shared weights applied to every input of a pair or a
 * triplet, trained with the triplet loss on mined triplets; and verification as binary
 * classification on the features `|f(xi) − f(xj)|` or the chi-square form.
 */
import { Tensor } from "../tensor/tensor.js";
import { sub, add, div } from "../ops/binary.js";
import { abs, square, sqrt } from "../ops/unary.js";
import { sum } from "../ops/reduce.js";
import { gather } from "../ops/layout.js";
import { Layer, type Shape, keepsNoInputs } from "../nn/layer.js";
import { Model, input, model, sequential, type Sequential } from "../nn/model.js";
import { conv2d } from "../nn/layers/conv.js";
import { maxPool2d } from "../nn/layers/pool.js";
import { dense } from "../nn/layers/dense.js";
import { flatten } from "../nn/layers/core.js";
import { minimize } from "../train/minimize.js";
import type { Optimizer } from "../train/optimizers.js";
import { adam } from "../train/optimizers.js";
import { Rng } from "../util/rng.js";
import type { Transform } from "../data/augment/example.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, optBoolArg, numbersArg, functionArg, intArg, optIntArg, optNumberArg, optOneOfArg, optionsArg, requiredOptionsArg, seedArg, typeFail } from "../util/check.js";
import { encodingsArg, labelsArg, minedTripletLoss, type MiningStrategy } from "./triplet.js";

const EPS = 1e-10;

/** Each row divided by its L2 norm, `x / sqrt(Σ x² + ε)` (FaceNet's embeddings lie on the unit sphere). */
export function l2Normalize(x: Tensor): Tensor {
  const X = encodingsArg("l2Normalize", "x", x);
  return div(X, sqrt(add(sum(square(X), 1, true), EPS)));
}

/** `l2Normalize` as a layer: `[m, d] → [m, d]` on the unit sphere. */
export class L2Normalize extends Layer {
  get type(): string { return "L2Normalize"; }
  get kind(): string { return "l2normalize"; }
  outputShape(inputShapes: Shape[]): number[] {
    const s = inputShapes[0]!;
    if (s.length !== 1) throw this.error(`expects encodings [m,d], got an input of shape [m,${s.join(",")}] (flatten first)`);
    return [...s];
  }
  protected compute(xs: Tensor[]): Tensor {
    return l2Normalize(xs[0]!);
  }
}

export interface EncoderOptions {
  /** Input shape without the batch (default [28, 28, 1]). */
  inputShape?: readonly number[];
  /** Embedding dimension d (default 64). */
  dim?: number;
  /** Filters of each conv 3×3 "same" + ReLU + max-pool 2 stage (default [16, 32, 64]). */
  filters?: readonly number[];
  /** Dense ReLU units before the embedding layer (default 0: none; the conv features feed the embedding). */
  hidden?: number;
  /** L2-normalize the embeddings (default true). */
  normalize?: boolean;
  seed?: number;
  name?: string;
}

/**
 * A small ConvNet encoder f(x) → d numbers: conv 3×3 + ReLU + max-pool 2 per stage, flatten, an
 * optional dense ReLU layer, a dense layer to d, then L2 normalization (squared distances in
 * [0, 4]). The default (three stages, no hidden layer) transferred best to classes not seen in
 * training in the one-shot MNIST runs of docs/faces.md.
 *
 * @example
 * const f = cl.face.encoder({ inputShape: [28, 28, 1], dim: 32, seed: 0 });   // f.predict(x) → [m, 32]
 */
export function encoder(opts: EncoderOptions = {}): Sequential {
  const fn = "encoder";
  const o = optionsArg(fn, opts);
  const inputShape = o.inputShape === undefined ? [28, 28, 1] : arrayArg(fn, "opts.inputShape", o.inputShape).map((v, i) => intArg(fn, `opts.inputShape[${i}]`, v, { min: 1, max: 4096 }));
  if (inputShape.length !== 3) throw new ShapeError(`${fn}: opts.inputShape must be [nH, nW, nC], got [${inputShape.join(", ")}]`);
  const dim = optIntArg(fn, "opts.dim", o.dim, { min: 1, max: 4096 }) ?? 64;
  const filters = o.filters === undefined ? [16, 32, 64] : arrayArg(fn, "opts.filters", o.filters).map((v, i) => intArg(fn, `opts.filters[${i}]`, v, { min: 1, max: 1024 }));
  const hidden = optIntArg(fn, "opts.hidden", o.hidden, { min: 0, max: 65536 }) ?? 0;
  const normalize = optBoolArg(fn, "opts.normalize", o.normalize) ?? true;
  seedArg(fn, o.seed, "opts.seed");
  let h = inputShape[0]!, w = inputShape[1]!;
  const layers: Layer[] = [];
  filters.forEach((f, i) => {
    if (h < 2 || w < 2) throw new ShapeError(`${fn}: ${filters.length} pooling stages need a larger input than [${inputShape.join(", ")}] (stage ${i + 1} would see ${h}×${w})`);
    layers.push(conv2d({ filters: f, size: 3, padding: "same", activation: "relu", name: `conv${i + 1}` }), maxPool2d({ size: 2, name: `pool${i + 1}` }));
    (h = Math.floor(h / 2)), (w = Math.floor(w / 2));
  });
  layers.push(flatten({ name: "flatten" }));
  if (hidden > 0) layers.push(dense({ units: hidden, activation: "relu", name: "fc" }));
  layers.push(dense({ units: dim, name: "embedding" }));
  if (normalize) layers.push(new L2Normalize({ name: "l2norm" }));
  const seqOpts: { inputShape: number[]; seed?: number; name?: string } = { inputShape };
  if (o.seed !== undefined) seqOpts.seed = o.seed;
  if (o.name !== undefined) seqOpts.name = o.name;
  return sequential(layers, seqOpts);
}

/**
 * A siamese network: `inputs` (2 for pairs, 3 for triplets) inputs of the encoder's input shape,
 * each encoded by the same encoder (shared weights: one set of parameters), outputs the list of
 * encodings in input order. `model.predict([x1, x2])` → `[f(x1), f(x2)]`.
 */
export function siamese(enc: Model, opts: { inputs?: number } = {}): Model<Tensor[]> {
  const fn = "siamese";
  if (!(enc instanceof Model)) typeFail(fn, "encoder", "a model (cl.face.encoder(...) or any cl.nn model with one input)", enc);
  const n = optIntArg(fn, "opts.inputs", optionsArg(fn, opts).inputs, { min: 2, max: 16 }) ?? 2;
  const shapes = enc.inputs.map((s) => s.shape);
  if (shapes.length !== 1) throw new ValueError(`${fn}: the encoder must have one built input (give it an inputShape), got ${shapes.length}`);
  const xs = Array.from({ length: n }, () => input(shapes[0]!));
  const outs = xs.map((x) => enc.apply(x));
  return model({ inputs: xs, outputs: outs }) as unknown as Model<Tensor[]>;
}

export interface TrainTripletsOptions {
  optimizer?: Optimizer;
  /** Updates (default 200). */
  steps?: number;
  /** P identities per batch (default 8, at most the number of classes). */
  classesPerBatch?: number;
  /** K examples of each (default 4). */
  perClass?: number;
  /** Mining: "hard" (default), "semiHard" or "all". */
  strategy?: MiningStrategy;
  /** Margin α (default 0.2). */
  alpha?: number;
  /** How the mined triplets' losses combine (default "mean"; see `minedTripletLoss`). */
  reduction?: "sum" | "mean" | "meanActive";
  /** A `cl.data.augment` transform applied to each sampled batch (new parameters every step). */
  augment?: Transform;
  seed?: number;
  signal?: AbortSignal;
  /** After each update, with its loss and the fraction of mined triplets still active. */
  onStep?: (log: { step: number; loss: number; activeFraction: number }) => void | Promise<void>;
}

export interface TrainTripletsResult {
  losses: number[];
  activeFractions: number[];
  steps: number;
  aborted?: boolean;
}

/**
 * Trains an encoder with the triplet loss on mined triplets: each step samples a P×K batch
 * (P identities, K examples each) from `{ x, y }`, encodes it, mines triplets (batch-hard by
 * default), and takes one optimizer step on the mean triplet loss. Runs through
 * `cl.train.minimize`, so the kernel's interrupt and live loss display work.
 *
 * @example
 * await cl.face.trainTriplets(f, { x: seen.x, y: seen.y }, { steps: 300, strategy: "hard", seed: 0 });
 */
export async function trainTriplets(enc: Model, data: { x: Tensor; y: Tensor | ArrayLike<number> }, opts: TrainTripletsOptions = {}): Promise<TrainTripletsResult> {
  const fn = "trainTriplets";
  if (!(enc instanceof Model)) typeFail(fn, "encoder", "a model (cl.face.encoder(...))", enc);
  const d = requiredOptionsArg(fn, data, "data", "{ x, y }");
  if (!(d.x instanceof Tensor) || d.x.rank < 2) throw new ShapeError(`${fn}: data.x must be a batch of inputs [m, ...], got ${d.x instanceof Tensor ? fmtShape(d.x.shape) : typeof d.x}`);
  const m = d.x.shape[0]!;
  const y = labelsArg(fn, d.y, m);
  const o = optionsArg(fn, opts);
  const steps = optIntArg(fn, "opts.steps", o.steps, { min: 1, max: 1e7 }) ?? 200;
  const K = optIntArg(fn, "opts.perClass", o.perClass, { min: 2, max: 1024 }) ?? 4;
  const strategy = optOneOfArg(fn, "opts.strategy", o.strategy, ["all", "hard", "semiHard"] as const) ?? "hard";
  const alpha = optNumberArg(fn, "opts.alpha", o.alpha, { min: 0 }) ?? 0.2;
  const reduction = optOneOfArg(fn, "opts.reduction", o.reduction, ["sum", "mean", "meanActive"] as const) ?? "mean";
  seedArg(fn, o.seed, "opts.seed");
  const onStep = o.onStep === undefined ? undefined : functionArg<NonNullable<TrainTripletsOptions["onStep"]>>(fn, "opts.onStep", o.onStep);
  const augment = o.augment === undefined ? undefined : functionArg<Transform>(fn, "opts.augment", o.augment);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < m; i++) {
    if (!byClass.has(y[i]!)) byClass.set(y[i]!, []);
    byClass.get(y[i]!)!.push(i);
  }
  const classes = [...byClass.keys()].filter((c) => byClass.get(c)!.length >= 2);
  if (classes.length < 2) throw new ValueError(`${fn}: needs at least 2 identities with 2 examples each, got ${classes.length}`);
  const P = Math.min(optIntArg(fn, "opts.classesPerBatch", o.classesPerBatch, { min: 2, max: 1024 }) ?? 8, classes.length);
  const rng = new Rng(o.seed ?? 0);
  const params = enc.trainableParameters();
  if (params.length === 0) throw new ValueError(`${fn}: the encoder has no trainable parameters (is it frozen?)`);
  const optimizer = o.optimizer ?? adam({ lr: 1e-3 });
  const activeFractions: number[] = [];
  let lastActive = 0;
  const yTensor = (idx: number[]): number[] => idx.map((i) => y[i]!);
  const lossFn = (): Tensor => {
    // P distinct identities, K examples of each (with replacement when a class has fewer than K).
    const pool = [...classes];
    const idx: number[] = [];
    for (let c = 0; c < P; c++) {
      const cls = pool.splice(rng.int(pool.length), 1)[0]!;
      const members = byClass.get(cls)!;
      const picked = new Set<number>();
      for (let k = 0; k < K; k++) {
        let j = members[rng.int(members.length)]!;
        if (members.length >= K) while (picked.has(j)) j = members[rng.int(members.length)]!;
        picked.add(j);
        idx.push(j);
      }
    }
    let xb = gather(d.x, idx);
    if (augment) xb = augment({ image: xb }, rng).image;
    const f = enc.forward(xb, { training: true }) as Tensor;
    const r = minedTripletLoss(f, yTensor(idx), { strategy, alpha, reduction });
    lastActive = r.activeFraction;
    return r.loss;
  };
  const mopts: Parameters<typeof minimize>[2] = {
    optimizer, steps,
    onStep: async (s) => {
      activeFractions.push(lastActive);
      await onStep?.({ step: s.step, loss: s.loss, activeFraction: lastActive });
    },
  };
  if (o.signal !== undefined) mopts.signal = o.signal;
  const r = await minimize(() => lossFn(), params, mopts);
  return r.aborted ? { losses: r.losses, activeFractions, steps: r.steps, aborted: true } : { losses: r.losses, activeFractions, steps: r.steps };
}

export interface EncodeOptions {
  batchSize?: number;
  /**
   * Encode with the output of this layer instead of the model's (e.g. `"flatten"`, the conv
   * features of `cl.face.encoder` before its embedding layer), flattened to `[m, d]` and
   * L2-normalized like the embeddings. On classes never seen in training these generic features
   * separate better than the 64-D embedding, which is specialised to the training classes
   * (docs/faces.md).
   */
  layer?: string;
}

/** Encodes `x` in batches without the tape: `[m, d]` (the model's output, or `opts.layer`'s, flattened and L2-normalized). */
export function encode(enc: Model, x: Tensor, opts: EncodeOptions = {}): Tensor {
  const fn = "encode";
  if (!(enc instanceof Model)) typeFail(fn, "encoder", "a model", enc);
  if (!(x instanceof Tensor) || x.rank < 2) throw new ShapeError(`${fn}: x must be a batch [m, ...], got ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
  const o = optionsArg(fn, opts);
  const bs = optIntArg(fn, "opts.batchSize", o.batchSize, { min: 1 }) ?? 256;
  const layer = o.layer;
  if (layer !== undefined && (typeof layer !== "string" || layer === "")) typeFail(fn, "opts.layer", "a layer name (string)", layer);
  const run = (xb: Tensor): Tensor => {
    if (layer === undefined) return enc.predict(xb) as Tensor;
    const a = enc.features(xb, [layer])[layer]!;
    return l2Normalize(a.reshape([a.shape[0]!, a.size / a.shape[0]!]));
  };
  const m = x.shape[0]!;
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let s = 0; s < m; s += bs) {
    const idx = Array.from({ length: Math.min(bs, m - s) }, (_, k) => s + k);
    const f = run(gather(x, idx));
    if (f.rank !== 2) throw new ShapeError(`${fn}: the encoder must output encodings [m,d], got ${fmtShape(f.shape)}`);
    dim = f.shape[1]!;
    parts.push(Float32Array.from(f.data));
  }
  const out = new Float32Array(m * dim);
  let off = 0;
  for (const p of parts) out.set(p, off), (off += p.length);
  return new Tensor(out, [m, dim]);
}

/** The examples of `{ x, y }` whose class is in `classes` (e.g. the seen or the unseen digits). */
export function selectClasses(data: { x: Tensor; y: Tensor }, classes: readonly number[]): { x: Tensor; y: Tensor } {
  const fn = "selectClasses";
  const d = requiredOptionsArg(fn, data, "data", "{ x, y }");
  if (!(d.x instanceof Tensor) || !(d.y instanceof Tensor) || d.x.rank < 1 || d.y.rank !== 1 || d.x.shape[0] !== d.y.shape[0])
    throw new ShapeError(`${fn}: data must be { x [m,...], y [m] } tensors, got x ${d.x instanceof Tensor ? fmtShape(d.x.shape) : typeof d.x}, y ${d.y instanceof Tensor ? fmtShape(d.y.shape) : typeof d.y}`);
  const want = new Set(arrayArg(fn, "classes", classes).map((c, i) => intArg(fn, `classes[${i}]`, c)));
  const idx: number[] = [];
  for (let i = 0; i < d.y.size; i++) if (want.has(d.y.data[i]!)) idx.push(i);
  if (idx.length === 0) throw new ValueError(`${fn}: no example of the classes [${[...want].join(", ")}]`);
  return { x: gather(d.x, idx), y: gather(d.y, idx) };
}

// ---------------------------------------------------------------------------------------------
// Verification as binary classification

export type PairForm = "abs" | "chi2";

/**
 * The features a logistic head classifies pairs on, `[m, d]` from encodings `[m, d]` each:
 * `"abs"`: `|f(xi)_k − f(xj)_k|`; `"chi2"`: `(f(xi)_k − f(xj)_k)² / (|f(xi)_k + f(xj)_k| + ε)`
 * (the course's chi-square form, written for non-negative encodings; the absolute value keeps it
 * finite and non-negative for signed ones). Differentiable, so a siamese model can be trained end
 * to end through it.
 */
export function pairFeatures(encA: Tensor, encB: Tensor, opts: { form?: PairForm; eps?: number } = {}): Tensor {
  const fn = "pairFeatures";
  const A = encodingsArg(fn, "encA", encA), B = encodingsArg(fn, "encB", encB);
  if (A.shape[0] !== B.shape[0] || A.shape[1] !== B.shape[1]) throw new ShapeError(`${fn}: encA ${fmtShape(A.shape)} and encB ${fmtShape(B.shape)} must have the same shape [m,d]`);
  const o = optionsArg(fn, opts);
  const form = optOneOfArg(fn, "opts.form", o.form, ["abs", "chi2"] as const) ?? "abs";
  const eps = optNumberArg(fn, "opts.eps", o.eps, { above: 0 }) ?? 1e-6;
  const diff = sub(A, B);
  return form === "abs" ? abs(diff) : div(square(diff), add(abs(add(A, B)), eps));
}

/**
 * The logistic head `ŷ = σ(Σ_k w_k·feature_k + b)` on pair features of dimension `dim`: one dense
 * unit producing the logit (train with `loss: "bce"`, which takes logits).
 */
export function verificationHead(dim: number, opts: { seed?: number } = {}): Sequential {
  const fn = "verificationHead";
  intArg(fn, "dim", dim, { min: 1, max: 65536 });
  const o = optionsArg(fn, opts);
  seedArg(fn, o.seed, "opts.seed");
  const so: { inputShape: number[]; seed?: number } = { inputShape: [dim] };
  if (o.seed !== undefined) so.seed = o.seed;
  return sequential([dense({ units: 1, name: "logit" })], so);
}

/** Pair features and 0/1 targets `[m, 1]` for pairs `(i[k], j[k])` of precomputed encodings. */
export function pairBatch(encodings: Tensor, pairs: { i: ArrayLike<number>; j: ArrayLike<number>; same: ArrayLike<number> }, opts: { form?: PairForm } = {}): { x: Tensor; y: Tensor } {
  const fn = "pairBatch";
  const E = encodingsArg(fn, "encodings", encodings);
  const p = requiredOptionsArg(fn, pairs, "pairs", "{ i, j, same }");
  const m = E.shape[0]!;
  const ii = numbersArg(fn, "pairs.i", p.i), jj = numbersArg(fn, "pairs.j", p.j), same = numbersArg(fn, "pairs.same", p.same);
  if (jj.length !== ii.length || same.length !== ii.length) throw new ShapeError(`${fn}: pairs.i, pairs.j and pairs.same must have one entry per pair, got ${ii.length}, ${jj.length} and ${same.length}`);
  for (const [name, v] of [["pairs.i", ii], ["pairs.j", jj]] as const)
    for (let k = 0; k < v.length; k++) if (!Number.isInteger(v[k]!) || v[k]! < 0 || v[k]! >= m) throw new ValueError(`${fn}: ${name}[${k}] = ${v[k]} is not the index of one of the ${m} encodings`);
  const x = pairFeatures(gather(E, Array.from(ii)), gather(E, Array.from(jj)), opts);
  const y = new Tensor(Float32Array.from(same, (s) => (s ? 1 : 0)), [ii.length, 1]);
  return { x: x.detach(), y };
}

keepsNoInputs(L2Normalize);
