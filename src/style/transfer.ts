/**
 * `cl.style.transfer(...)`: neural style transfer (Gatys et al.; course week 4). Gradient descent
 * (Adam) on the generated image G's pixels through `cl.train.minimize`, on the costs of costs.ts
 * computed from a frozen feature extractor's activations; pixels are kept in [0, 1] after every
 * step. In a notebook a preview (content | style | G) is redrawn in place every `previewEvery`
 * steps and the kernel's interrupt stops the loop after the current step (G keeps what it reached).
 */
import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../autograd/tape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, functionArg, intArg, numberArg, optBoolArg, optIntArg, optNumberArg, optOneOfArg, optStringArg, requiredOptionsArg, seedArg, stringArg, typeFail } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { rand } from "../tensor/creation.js";
import { resize } from "../data/resize.js";
import { minimize } from "../train/minimize.js";
import { adam, type Optimizer } from "../train/optimizers.js";
import { currentRuntime } from "../runtime/index.js";
import { show } from "../inspect/display.js";
import { trainingCurves, type TrainingCurves } from "../inspect/training.js";
import { contentCost, gram, squaredDistance, type ContentCostOptions } from "./costs.js";
import { add, mul } from "../ops/binary.js";
import { Gallery } from "./gallery.js";
import { withFrozenWeights } from "../inspect/maximize.js";

/** What transfer needs of a network: `model.features(x, names, { grad })` (any `cl.nn` model has it). */
export interface FeatureExtractor {
  features(x: Tensor, layers: readonly string[], opts?: { grad?: boolean }): Record<string, Tensor>;
  /** Its weights (cl.nn models): they stop requiring grad during the loop (no weight gradients), then get their flags back. */
  parameters?(): Tensor[];
}

/** Costs at one step (before that step's update). */
export interface TransferStep {
  /** Steps done before these costs were measured (0: the initial G). */
  step: number;
  /** J(G) = α J_content + β J_style. */
  total: number;
  content: number;
  style: number;
}

export interface TransferOptions {
  /** Content image C `[h,w,3]` or `[1,h,w,3]`, values in [0, 1]. */
  content: Tensor;
  /** Style image S, the same layout (resized to G's size). */
  style: Tensor;
  extractor: FeatureExtractor;
  /** The layer l of J_content (a middle layer). */
  contentLayer: string;
  /** Style layers, each λ = 1/L, or a record layer → λ. */
  styleLayers: readonly string[] | Readonly<Record<string, number>>;
  /** α (default 10). */
  alpha?: number;
  /** β (default 40). */
  beta?: number;
  /** Updates (default 100). */
  steps?: number;
  /** G's size: n (n×n) or [h, w] (default: the content's size). */
  size?: number | readonly [number, number];
  /** "content" (default): C plus uniform noise of amplitude `noise`; "noise": uniform in [0, 1]. */
  init?: "noise" | "content";
  /** Noise amplitude for init "content" (default 0.1). */
  noise?: number;
  /** Adam's learning rate in pixel units (default 0.02); ignored with `optimizer`. */
  lr?: number;
  optimizer?: Optimizer;
  seed?: number;
  /** Maps pixels in [0, 1] to what the extractor expects (e.g. `x => x.mul(2).sub(1)` for MobileNet). */
  preprocess?: (x: Tensor) => Tensor;
  /**
   * J_content's normalisation (default "assignment", `1/(4 nH nW nC)`, which the exercise's
   * α = 10, β = 40 go with; "course" is ½‖·‖², and then β must be far larger, ~1e4).
   */
  contentNormalization?: ContentCostOptions["normalization"];
  /** Redraw the preview every n steps (default 10 inside a kernel; 0 turns it off). */
  previewEvery?: number;
  /** Display id of the preview (default a fresh one per call). */
  previewId?: string;
  /** Also show the kernel's live loss curve (default true). */
  progress?: boolean;
  signal?: AbortSignal;
  onStep?: (log: TransferStep) => void | Promise<void>;
}

/** What transfer resolves to. */
export interface TransferResult {
  /** G `[1,h,w,3]` in [0, 1]. */
  image: Tensor;
  /** Costs before each step, then after the last one (steps + 1 entries). */
  history: TransferStep[];
  steps: number;
  aborted?: boolean;
  /** Content, style and G side by side. */
  gallery(): Gallery;
  /** J, J_content and J_style per step as training curves. */
  curves(): TrainingCurves;
}

let previews = 0;

function picture(fn: string, name: string, t: unknown): Tensor {
  const x = tensorArg(fn, name, t);
  const s = x.shape;
  const ok = (s.length === 3 && s[2] === 3) || (s.length === 4 && s[0] === 1 && s[3] === 3);
  if (!ok) throw new ShapeError(`${fn}: ${name} must be an RGB image [h,w,3] or [1,h,w,3] with values in [0, 1], got ${fmtShape(s)}`);
  return s.length === 3 ? new Tensor(x.data, [1, ...s]) : x;
}

/**
 * Runs neural style transfer and resolves to G.
 *
 * @example
 * const r = await cl.style.transfer({ content, style, extractor: net, contentLayer: "conv4",
 *   styleLayers: ["conv1", "conv2", "conv3", "conv4"], steps: 100, size: 64 });
 * cl.show(r.gallery());
 */
export async function transfer(opts: TransferOptions): Promise<TransferResult> {
  const fn = "style.transfer";
  const o = requiredOptionsArg(fn, opts, "opts", "{ content, style, extractor, contentLayer, styleLayers }");
  let content = picture(fn, "opts.content", o.content);
  let style = picture(fn, "opts.style", o.style);
  const ex = o.extractor;
  if (typeof ex !== "object" || ex === null || typeof ex.features !== "function") typeFail(fn, "opts.extractor", "a network with features(x, names, { grad }) (a cl.nn model)", ex);
  const contentLayer = stringArg(fn, "opts.contentLayer", o.contentLayer);
  let lambdas: Record<string, number>;
  if (Array.isArray(o.styleLayers)) {
    const names = arrayArg(fn, "opts.styleLayers", o.styleLayers).map((v, i) => stringArg(fn, `opts.styleLayers[${i}]`, v));
    if (names.length === 0) throw new ValueError(`${fn}: opts.styleLayers must name at least one layer`);
    lambdas = Object.fromEntries(names.map((n) => [n, 1 / names.length]));
  } else if (typeof o.styleLayers === "object" && o.styleLayers !== null) {
    lambdas = Object.fromEntries(Object.entries(o.styleLayers).map(([n, v]) => [n, numberArg(fn, `opts.styleLayers.${n}`, v, { min: 0 })]));
    if (Object.keys(lambdas).length === 0) throw new ValueError(`${fn}: opts.styleLayers must name at least one layer`);
  } else typeFail(fn, "opts.styleLayers", "a list of layer names or a record layer → λ", o.styleLayers);
  const alpha = optNumberArg(fn, "opts.alpha", o.alpha, { min: 0 }) ?? 10;
  const beta = optNumberArg(fn, "opts.beta", o.beta, { min: 0 }) ?? 40;
  const steps = optIntArg(fn, "opts.steps", o.steps, { min: 1, max: 1_000_000 }) ?? 100;
  const init = optOneOfArg(fn, "opts.init", o.init, ["noise", "content"] as const) ?? "content";
  const noise = optNumberArg(fn, "opts.noise", o.noise, { min: 0, max: 1 }) ?? 0.1;
  const lr = optNumberArg(fn, "opts.lr", o.lr, { above: 0 }) ?? 0.02;
  const seed = seedArg(fn, o.seed) ?? 0;
  const preprocess = o.preprocess === undefined ? (x: Tensor) => x : functionArg<(x: Tensor) => Tensor>(fn, "opts.preprocess", o.preprocess);
  const normalization = optOneOfArg(fn, "opts.contentNormalization", o.contentNormalization, ["course", "assignment"] as const) ?? "assignment";
  const rt = currentRuntime();
  const previewEvery = optIntArg(fn, "opts.previewEvery", o.previewEvery, { min: 0 }) ?? (rt.display ? 10 : 0);
  const previewId = optStringArg(fn, "opts.previewId", o.previewId) ?? `convlab-style-${++previews}`;
  const progress = optBoolArg(fn, "opts.progress", o.progress) ?? true;
  const onStep = o.onStep === undefined ? undefined : functionArg<(l: TransferStep) => void | Promise<void>>(fn, "opts.onStep", o.onStep);
  let size: [number, number];
  if (o.size === undefined) size = [content.shape[1]!, content.shape[2]!];
  else if (typeof o.size === "number") size = [intArg(fn, "opts.size", o.size, { min: 4, max: 4096 }), o.size];
  else {
    const s = arrayArg(fn, "opts.size", o.size);
    if (s.length !== 2) throw new ValueError(`${fn}: opts.size must be n or [h, w], got an array of ${s.length}`);
    size = [intArg(fn, "opts.size[0]", s[0], { min: 4, max: 4096 }), intArg(fn, "opts.size[1]", s[1], { min: 4, max: 4096 })];
  }
  const fit = (t: Tensor): Tensor => (t.shape[1] === size[0] && t.shape[2] === size[1] ? t : resize(t, size));
  content = noGrad(() => fit(content));
  style = noGrad(() => fit(style));

  const styleNames = Object.keys(lambdas);
  const names = [...new Set([contentLayer, ...styleNames])];
  const feats = (x: Tensor, grad: boolean): Record<string, Tensor> => {
    const f = ex.features(preprocess(x), names, { grad });
    for (const n of names) if (!(f?.[n] instanceof Tensor)) throw new ValueError(`${fn}: the extractor returned no activations for layer '${n}'`);
    return f;
  };
  const { aC, gS } = noGrad(() => {
    const fc = feats(content, false), fs = feats(style, false);
    return { aC: fc[contentLayer]!, gS: Object.fromEntries(styleNames.map((n) => [n, { gram: gram(fs[n]!), act: fs[n]! }])) };
  });

  // G, a leaf tensor of pixels
  const [h, w] = size;
  const g0 = rand([1, h, w, 3], { seed, dtype: content.dtype });
  const gd = g0.data;
  if (init === "content") for (let i = 0; i < gd.length; i++) gd[i] = Math.min(1, Math.max(0, content.data[i]! + (2 * gd[i]! - 1) * noise));
  const G = new Tensor(gd, [1, h, w, 3]);

  const history: TransferStep[] = [];
  const costs = (g: Tensor, grad: boolean): { J: Tensor; c: number; s: number } => {
    const f = feats(g, grad);
    const jc = contentCost(aC, f[contentLayer]!, { normalization });
    let js: Tensor | null = null;
    for (const n of styleNames) {
      const aG = f[n]!;
      const [nH, nW, nC] = aG.rank === 4 ? aG.shape.slice(1) : aG.shape;
      // the style Gram is precomputed once; styleCost(aS, aG) would recompute it every step
      const j = mul(squaredDistance(gram(aG), gS[n]!.gram), lambdas[n]! / (2 * nH! * nW! * nC!) ** 2);
      js = js === null ? j : add(js, j);
    }
    const J = add(mul(jc, alpha), mul(js!, beta));
    return { J, c: jc.item(), s: js!.item() };
  };
  const draw = (step: number): void => {
    const last = history.at(-1);
    show(new Gallery([{ title: "content C", image: content }, { title: "style S", image: style }, { title: `G (step ${step})`, image: G }], {
      caption: last ? `step ${step}: J = ${last.total.toPrecision(4)}, J_content = ${last.content.toPrecision(4)}, J_style = ${last.style.toPrecision(4)}` : `step ${step}`,
    }), { id: previewId });
  };

  let pending: { c: number; s: number; J: number } | null = null;
  const optimizer = o.optimizer ?? adam({ lr });
  if (previewEvery > 0) draw(0);
  const r = await withFrozenWeights(ex, () => minimize(
    (g: Tensor) => {
      const k = costs(g, true);
      pending = { c: k.c, s: k.s, J: k.J.item() };
      return k.J;
    },
    G,
    {
      optimizer,
      steps,
      ...(o.signal !== undefined ? { signal: o.signal } : {}),
      ...(progress ? {} : { onTraining: () => {} }),
      onStep: async ({ step }) => {
        const d = G.data;
        for (let i = 0; i < d.length; i++) d[i] = d[i]! < 0 ? 0 : d[i]! > 1 ? 1 : d[i]!;
        const p = pending!;
        const log = { step: step - 1, total: p.J, content: p.c, style: p.s };
        history.push(log);
        if (previewEvery > 0 && step % previewEvery === 0) draw(step);
        await onStep?.(log);
      },
    },
  ));
  G.requiresGrad = false;
  const fin = noGrad(() => costs(G, false));
  history.push({ step: r.steps, total: fin.J.item(), content: fin.c, style: fin.s });
  if (previewEvery > 0) draw(r.steps);
  const image = G;
  return {
    image,
    history,
    steps: r.steps,
    ...(r.aborted ? { aborted: true } : {}),
    gallery: () => new Gallery([{ title: "content C", image: content }, { title: "style S", image: style }, { title: "generated G", image }]),
    curves: () => costCurves(history),
  };
}

/** J, J_content and J_style per step (from `transfer(...).history`) as the training-curves widget. */
export function costCurves(history: readonly TransferStep[]): TrainingCurves {
  const fn = "style.costCurves";
  const list = arrayArg(fn, "history", history);
  return trainingCurves({
    epochs: list.map((h, i) => {
      if (typeof h !== "object" || h === null) typeFail(fn, `history[${i}]`, "{ step, total, content, style }", h);
      const q = h as TransferStep;
      return { epoch: intArg(fn, `history[${i}].step`, q.step, { min: 0 }), loss: numberArg(fn, `history[${i}].total`, q.total, { finite: false }), metrics: { content: numberArg(fn, `history[${i}].content`, q.content, { finite: false }), style: numberArg(fn, `history[${i}].style`, q.style, { finite: false }) } };
    }),
  });
}
