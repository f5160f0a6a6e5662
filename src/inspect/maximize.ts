/**
 * Activation maximisation ("what does this unit look for?"), the second view of what deep layers
 * learn beside the top-k patches: gradient ascent on the input pixels to raise one unit's (one
 * channel's) mean activation, through `cl.train.minimize`, with the usual regularisers — a random
 * jitter (the image is rolled by up to `jitter` pixels before each step, so the picture cannot
 * rely on exact pixel positions), a small Gaussian blur every `blurEvery` steps (high frequencies
 * fade) and an optional L2 decay; pixels stay in [0, 1].
 */
import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../autograd/tape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, functionArg, intArg, optBoolArg, optIntArg, optNumberArg, optOneOfArg, optionsArg, seedArg, stringArg, typeFail } from "../util/check.js";
import { Rng } from "../util/rng.js";
import { rand } from "../tensor/creation.js";
import { concat, slice } from "../ops/layout.js";
import { depthwiseConv2d } from "../ops/depthwise.js";
import { minimize } from "../train/minimize.js";
import { adam } from "../train/optimizers.js";

/** What maximisation needs of a model: differentiable features and its input shape. */
export interface FeatureModel {
  readonly name: string;
  features(x: Tensor, layers: readonly string[], opts?: { grad?: boolean }): Record<string, Tensor>;
  /** Its weights (cl.nn models): they stop requiring grad while the input is optimised, then get their flags back. */
  parameters?(): Tensor[];
  readonly inputs?: readonly { readonly shape: readonly number[] }[];
  summary?(): { rows: readonly { outputShape: readonly number[] }[] };
}

export interface MaximizeOptions {
  /** Ascent steps (default 64). */
  steps?: number;
  /** Adam's learning rate in pixel units (default 0.05). */
  lr?: number;
  seed?: number;
  /** Roll the image by up to this many pixels per axis before each step (default 2; 0: none). */
  jitter?: number;
  /** Blur the pixels every n steps (default 4; 0: never). */
  blurEvery?: number;
  /** The blur's Gaussian σ in pixels (default 0.5; 3×3 kernel). */
  blurSigma?: number;
  /** L2 decay weight on (x − 0.5) (default 0). */
  decay?: number;
  /** "mean" (default): the channel's mean over positions; "center": the unit at the centre position. */
  objective?: "mean" | "center";
  /** The image shape `[nH,nW,nC]` (default: the model's input). */
  inputShape?: readonly number[];
  /** Maps pixels in [0, 1] to the model's input range. */
  preprocess?: (x: Tensor) => Tensor;
  /** Show the kernel's live loss curve (default true). */
  progress?: boolean;
  signal?: AbortSignal;
}

export interface MaximizeResult {
  /** The input that excites the unit `[1,nH,nW,nC]`, pixels in [0, 1]. */
  image: Tensor;
  /** The objective (without jitter) at the start and at the end. */
  initial: number;
  final: number;
  /** The objective before each step (on the jittered image). */
  history: number[];
  steps: number;
  aborted?: boolean;
}

/**
 * Runs `fn` with the model's weights not requiring grad (no weight gradients are computed while
 * pixels are optimised), then restores each weight's flag: the model is left as it was.
 */
export async function withFrozenWeights<T>(model: { parameters?(): Tensor[] }, fn: () => Promise<T>): Promise<T> {
  const params = typeof model.parameters === "function" ? model.parameters() : [];
  const flags = Array.isArray(params) ? params.map((p) => (p instanceof Tensor ? p.requiresGrad : false)) : [];
  const list = Array.isArray(params) ? params.filter((p): p is Tensor => p instanceof Tensor) : [];
  for (const p of list) p.requiresGrad = false;
  try {
    return await fn();
  } finally {
    list.forEach((p, i) => {
      p.requiresGrad = flags[i]!;
      p.grad = null;
    });
  }
}

/** `x` rolled by `dy` rows and `dx` columns (differentiable: slices and a concat). */
function roll(x: Tensor, dy: number, dx: number): Tensor {
  const [m, h, w, c] = x.shape as [number, number, number, number];
  let y = x;
  if (dy % h !== 0) {
    const d = ((dy % h) + h) % h;
    y = concat([slice(y, [0, h - d, 0, 0], [m, d, w, c]), slice(y, [0, 0, 0, 0], [m, h - d, w, c])], 1);
  }
  if (dx % w !== 0) {
    const d = ((dx % w) + w) % w;
    y = concat([slice(y, [0, 0, w - d, 0], [m, h, d, c]), slice(y, [0, 0, 0, 0], [m, h, w - d, c])], 2);
  }
  return y;
}

/** A normalised 3×3 Gaussian blur in place (edges renormalised, so they do not darken). */
function blurInPlace(x: Tensor, sigma: number): void {
  const c = x.shape[3]!;
  const k1 = [-1, 0, 1].map((v) => Math.exp(-(v * v) / (2 * sigma * sigma)));
  const wd = new Float32Array(9 * c);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let q = 0; q < c; q++) wd[(i * 3 + j) * c + q] = k1[i]! * k1[j]!;
  const w = new Tensor(x.dtype === "float64" ? Float64Array.from(wd) : wd, [3, 3, c, 1]);
  noGrad(() => {
    const b = depthwiseConv2d(new Tensor(x.data, x.shape), w, { padding: "same" });
    const ones = new Tensor(x.dtype === "float64" ? new Float64Array(x.size).fill(1) : new Float32Array(x.size).fill(1), x.shape);
    const n = depthwiseConv2d(ones, w, { padding: "same" });
    for (let i = 0; i < x.size; i++) x.data[i] = b.data[i]! / n.data[i]!;
  });
}

function inputShapeOf(fn: string, model: FeatureModel): number[] {
  const s = model.inputs?.[0]?.shape ?? (typeof model.summary === "function" ? model.summary().rows?.[0]?.outputShape : undefined);
  if (!Array.isArray(s) || s.length !== 3) throw new ShapeError(`${fn}: model '${model.name}' must take images [nH,nW,nC]; pass opts.inputShape (got ${s ? fmtShape(s) : "no input shape"})`);
  return [...s];
}

/**
 * Gradient ascent on the input to maximise channel `unit` of `layer`.
 *
 * @example
 * const r = await cl.inspect.maximizeActivation(model, "conv3", 5, { steps: 64 });
 * cl.show(r.image)
 */
export async function maximizeActivation(model: FeatureModel, layer: string, unit: number, opts: MaximizeOptions = {}): Promise<MaximizeResult> {
  const fn = "inspect.maximizeActivation";
  if (typeof model !== "object" || model === null || typeof model.features !== "function") typeFail(fn, "model", "a model with features(x, names, { grad })", model);
  stringArg(fn, "model.name", model.name);
  stringArg(fn, "layer", layer);
  intArg(fn, "unit", unit, { min: 0 });
  const o = optionsArg(fn, opts);
  const steps = optIntArg(fn, "opts.steps", o.steps, { min: 1, max: 1_000_000 }) ?? 64;
  const lr = optNumberArg(fn, "opts.lr", o.lr, { above: 0 }) ?? 0.05;
  const seed = seedArg(fn, o.seed) ?? 0;
  const jitter = optIntArg(fn, "opts.jitter", o.jitter, { min: 0, max: 1024 }) ?? 2;
  const blurEvery = optIntArg(fn, "opts.blurEvery", o.blurEvery, { min: 0 }) ?? 4;
  const sigma = optNumberArg(fn, "opts.blurSigma", o.blurSigma, { above: 0, max: 100 }) ?? 0.5;
  const decay = optNumberArg(fn, "opts.decay", o.decay, { min: 0 }) ?? 0;
  const objective = optOneOfArg(fn, "opts.objective", o.objective, ["mean", "center"] as const) ?? "mean";
  const progress = optBoolArg(fn, "opts.progress", o.progress) ?? true;
  const preprocess = o.preprocess === undefined ? (x: Tensor) => x : functionArg<(x: Tensor) => Tensor>(fn, "opts.preprocess", o.preprocess);
  const shape = o.inputShape === undefined ? inputShapeOf(fn, model) : arrayArg(fn, "opts.inputShape", o.inputShape).map((v, i) => intArg(fn, `opts.inputShape[${i}]`, v, { min: 1, max: 4096 }));
  if (shape.length !== 3) throw new ShapeError(`${fn}: opts.inputShape must be [nH,nW,nC], got [${shape.join(",")}]`);
  const value = (x: Tensor, grad: boolean): Tensor => {
    const a = model.features(preprocess(x), [layer], { grad })[layer];
    if (!(a instanceof Tensor)) throw new ValueError(`${fn}: model '${model.name}' returned no activations for layer '${layer}'`);
    const nC = a.shape[a.rank - 1]!;
    if (unit >= nC) throw new ValueError(`${fn}: layer '${layer}' has ${nC} units (channels), got unit ${unit}`);
    if (a.rank === 2) return slice(a, [0, unit], [1, 1]).sum();
    if (a.rank !== 4) throw new ShapeError(`${fn}: layer '${layer}' must give [m,nH,nW,nC] or [m,nC], got ${fmtShape(a.shape)}`);
    const [, h, w] = a.shape as [number, number, number, number];
    if (objective === "center") return slice(a, [0, Math.floor(h / 2), Math.floor(w / 2), unit], [1, 1, 1, 1]).sum();
    return slice(a, [0, 0, 0, unit], [1, h, w, 1]).mean();
  };
  const x = rand([1, ...shape], { seed, low: 0.45, high: 0.55 });
  const initial = noGrad(() => value(x, false).item());
  const rng = new Rng(seed + 1);
  const r = await withFrozenWeights(model, () => minimize(
    (img: Tensor) => {
      const dy = jitter ? Math.round((2 * rng.uniform() - 1) * jitter) : 0, dx = jitter ? Math.round((2 * rng.uniform() - 1) * jitter) : 0;
      let loss = value(roll(img, dy, dx), true).neg();
      if (decay > 0) loss = loss.add(img.sub(0.5).square().mean().mul(decay));
      return loss;
    },
    x,
    {
      optimizer: adam({ lr }),
      steps,
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
      ...(progress ? {} : { onTraining: () => {} }),
      onStep: ({ step }) => {
        if (blurEvery > 0 && step % blurEvery === 0) blurInPlace(x, sigma);
        const d = x.data;
        for (let i = 0; i < d.length; i++) d[i] = d[i]! < 0 ? 0 : d[i]! > 1 ? 1 : d[i]!;
      },
    },
  ));
  x.requiresGrad = false;
  const final = noGrad(() => value(x, false).item());
  return { image: x, initial, final, history: r.losses.map((l) => -l), steps: r.steps, ...(r.aborted ? { aborted: true } : {}) };
}
