// GoogLeNet / Inception v1 (Szegedy et al. 2014) as torchvision builds it: a batch-norm after
// every conv, nine inception modules from `cl.nn.inceptionModule`, two side-branch classifiers.
import * as nn from "../nn/index.js";
import { convUnit, chain } from "../nn/blocks.js";
import type { SymbolicTensor } from "../nn/layer.js";
import type { Model } from "../nn/model.js";
import type { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { classifierConfig, type ClassifierOptions } from "./options.js";
import { requiredOptionsArg, stringArg, intArg, optNumberArg, describeValue } from "../util/check.js";

/**
 * The nine modules: [name, filters1x1, reduce3x3, filters3x3, reduce5x5, filters5x5, poolProj]
 * (the paper's table 1). A max-pool 3×3/2 comes before 4a, 2×2/2 before 5a.
 */
export const GOOGLENET_MODULES: readonly (readonly [string, number, number, number, number, number, number])[] = [
  ["inception3a", 64, 96, 128, 16, 32, 32],
  ["inception3b", 128, 128, 192, 32, 96, 64],
  ["inception4a", 192, 96, 208, 16, 48, 64],
  ["inception4b", 160, 112, 224, 24, 64, 64],
  ["inception4c", 128, 128, 256, 24, 64, 64],
  ["inception4d", 112, 144, 288, 32, 64, 64],
  ["inception4e", 256, 160, 320, 32, 128, 128],
  ["inception5a", 256, 160, 320, 32, 128, 128],
  ["inception5b", 384, 192, 384, 48, 128, 128],
];

export interface GoogLeNetOptions extends ClassifierOptions {
  /**
   * The two side-branch classifiers after inception4a and inception4d (`aux1_*`, `aux2_*`),
   * whose losses are added (×0.3 in the paper) while training. Default true: the model then has
   * three outputs, the record `{ predictions, aux1, aux2 }` (logits each; train with the loss
   * record `{ predictions: "softmaxCrossEntropy", aux1: { loss: "softmaxCrossEntropy", weight:
   * 0.3 }, aux2: { ... weight: 0.3 } }` and y `{ predictions: y, aux1: y, aux2: y }`, and at test
   * time read `predictions` alone, as torchvision does in eval mode). The side branches pool 5×5/3,
   * so they need inception4a's output to be at least 5×5 (inputs of 65×65 and more); false builds
   * the single-output network (`predict` returns the logits). Ignored when `includeTop` is false.
   */
  auxClassifiers?: boolean;
  /** Kernel size of the "5×5" branches: 3 (default, torchvision's — a slip it keeps for its weights) or 5 (the paper's). */
  size5x5?: 3 | 5;
  /** Dropout rate before the main classifier (default 0.2, torchvision's; the paper used 0.4). */
  dropout?: number;
}

export interface InceptionAuxOptions {
  /** Prefix of the layer names ("aux1", "aux2"). */
  name: string;
  classes: number;
  /** Dropout rate before the last dense layer (default 0.7). */
  dropout?: number;
}

/**
 * A side-branch classifier: 5×5/3 average pool (14×14 → 4×4 at 224×224) → 1×1 conv 128
 * (+ batch-norm, ReLU) → fc1 1024, ReLU → dropout 0.7 → logits. torchvision pools adaptively to
 * 4×4 instead, which is the same thing at 224×224. Layers `<name>_pool`, `<name>_proj_*`,
 * `<name>_fc1`, `<name>_dropout`, `<name>_predictions`.
 */
export function inceptionAux(x: SymbolicTensor, opts: InceptionAuxOptions): SymbolicTensor {
  const o = requiredOptionsArg("inceptionAux", opts, "opts", "{ name: 'aux1', classes: 1000 }");
  const name = stringArg("inceptionAux", "opts.name", o.name);
  const classes = intArg("inceptionAux", "opts.classes", o.classes, { min: 1 });
  const dropout = optNumberArg("inceptionAux", "opts.dropout", o.dropout, { min: 0, max: 1 }) ?? 0.7;
  return chain(
    [
      nn.avgPool2d({ name: `${name}_pool`, size: 5, stride: 3 }),
      ...convUnit(`${name}_proj`, { filters: 128, size: 1, batchNorm: true, eps: 1e-3, activation: "relu", kernelInitializer: "glorotUniform" }),
      nn.dense({ name: `${name}_fc1`, units: 1024, activation: "relu" }),
      nn.dropout({ name: `${name}_dropout`, rate: dropout }),
      nn.dense({ name: `${name}_predictions`, units: classes }),
    ],
    x,
  );
}

/** The outputs of `googlenet({ auxClassifiers: true })` (the default): three logits tensors `[m, classes]`. */
export type GoogLeNetOutputs = {
  predictions: Tensor;
  aux1: Tensor;
  aux2: Tensor;
};

/**
 * GoogLeNet: stem conv1 7×7/2 64 → pool1 3×3/2 → conv2 1×1 64 → conv3 3×3 192 → pool2 3×3/2,
 * inception3a, 3b → pool3 → 4a … 4e → pool4 2×2/2 → 5a, 5b → avg_pool (global) → dropout →
 * predictions. Every conv is followed by a batch-norm (eps 1e-3) and ReLU (torchvision's
 * `BasicConv2d`); the max-pools are "same" (torchvision's `ceil_mode=True`, the same windows).
 * No local response normalisation (torchvision has none). 6,624,904 parameters without the side
 * branches, 13,004,888 with them (224×224×3, 1000 classes, size5x5 3). With the side branches
 * (the default) the outputs are the record `{ predictions, aux1, aux2 }`.
 *
 *   cl.models.googlenet().summary().totalParams                            // 13004888
 *   cl.models.googlenet({ auxClassifiers: false }).summary().totalParams   // 6624904
 */
export function googlenet(opts: GoogLeNetOptions & ({ auxClassifiers: false } | { includeTop: false })): Model;
export function googlenet(opts?: GoogLeNetOptions): Model<GoogLeNetOutputs>;
export function googlenet(opts: GoogLeNetOptions = {}): Model | Model<GoogLeNetOutputs> {
  const cfg = classifierConfig("googlenet", opts);
  const aux = opts.auxClassifiers ?? true;
  if (typeof aux !== "boolean") throw new ValueError(`googlenet: auxClassifiers must be true or false, got ${describeValue(opts.auxClassifiers)}`);
  const size5x5 = opts.size5x5 ?? 3;
  if (size5x5 !== 3 && size5x5 !== 5) throw new ValueError(`googlenet: size5x5 must be 3 (torchvision) or 5 (the paper), got ${typeof opts.size5x5 === "number" ? opts.size5x5 : describeValue(opts.size5x5)}`);
  const unit = (name: string, filters: number, size: number, stride = 1): nn.Layer[] =>
    convUnit(name, { filters, size, stride, padding: (size - 1) / 2, batchNorm: true, eps: 1e-3, activation: "relu", kernelInitializer: "glorotUniform" });
  const pool = (name: string, size = 3): nn.Layer => nn.maxPool2d({ name, size, stride: 2, padding: "same" });
  const withAux = aux && cfg.includeTop;
  if (withAux) {
    // conv1 (7×7/2, pad 3) and the three "same" stride-2 max-pools each give ceil(n / 2)
    const at4a = (n: number): number => [0, 1, 2, 3].reduce((m) => Math.ceil(m / 2), n);
    const [nH, nW] = [at4a(cfg.inputShape[0]!), at4a(cfg.inputShape[1]!)];
    if (nH < 5 || nW < 5)
      throw new ValueError(
        `googlenet: the side branches (auxClassifiers: true) pool 5×5/3 over inception4a's output, which is ${nH}×${nW} for inputShape ${JSON.stringify(cfg.inputShape)}; they need at least 5×5 (inputs of 65×65 or more): use a larger input or auxClassifiers: false`,
      );
  }
  const sides: SymbolicTensor[] = [];
  const x = nn.input(cfg.inputShape, { name: "input" });
  let h = chain([...unit("conv1", 64, 7, 2), pool("pool1"), ...unit("conv2", 64, 1), ...unit("conv3", 192, 3), pool("pool2")], x);
  for (const [name, filters1x1, reduce3x3, filters3x3, reduce5x5, filters5x5, poolProj] of GOOGLENET_MODULES) {
    if (name === "inception4a") h = pool("pool3").apply(h);
    if (name === "inception5a") h = pool("pool4", 2).apply(h);
    h = nn.inceptionModule({ name, filters1x1, reduce3x3, filters3x3, reduce5x5, filters5x5, poolProj, size5x5 }).apply(h);
    if (withAux && name === "inception4a") sides.push(inceptionAux(h, { name: "aux1", classes: cfg.classes }));
    if (withAux && name === "inception4d") sides.push(inceptionAux(h, { name: "aux2", classes: cfg.classes }));
  }
  if (cfg.includeTop)
    h = chain([nn.globalAvgPool2d({ name: "avg_pool" }), nn.dropout({ name: "dropout", rate: opts.dropout ?? 0.2 }), nn.dense({ name: "predictions", units: cfg.classes })], h);
  if (withAux) return nn.model({ inputs: x, outputs: { predictions: h, aux1: sides[0]!, aux2: sides[1]! }, ...cfg.model });
  return nn.model({ inputs: x, outputs: h, ...cfg.model });
}
