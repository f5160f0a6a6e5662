// ResNets (He et al. 2015) as torchvision builds them: one builder fed a table of depths, the
// blocks from `cl.nn.residualBlock`, the layer names of Keras applications.
import * as nn from "../nn/index.js";
import { convUnit, chain } from "../nn/blocks.js";
import type { Model } from "../nn/model.js";
import { ValueError } from "../util/errors.js";
import { classifierConfig, type ClassifierOptions } from "./options.js";

/** One row of the family: the block kind and how many blocks each of the four stages stacks. */
export interface ResNetSpec {
  kind: "basic" | "bottleneck";
  /** Blocks in conv2_x, conv3_x, conv4_x, conv5_x (the paper's table 1). */
  blocks: readonly [number, number, number, number];
}

/** The ResNet family by depth, as in the paper's table 1 and torchvision's `resnet.py`. */
export const RESNETS: Readonly<Record<18 | 34 | 50 | 101 | 152, ResNetSpec>> = {
  18: { kind: "basic", blocks: [2, 2, 2, 2] },
  34: { kind: "basic", blocks: [3, 4, 6, 3] },
  50: { kind: "bottleneck", blocks: [3, 4, 6, 3] },
  101: { kind: "bottleneck", blocks: [3, 4, 23, 3] },
  152: { kind: "bottleneck", blocks: [3, 8, 36, 3] },
};

/** Widths of the four stages (a bottleneck stage outputs 4× as many channels). */
const WIDTHS = [64, 128, 256, 512] as const;

export interface ResNetOptions extends ClassifierOptions {
  /** 18, 34, 50, 101 or 152 (a key of `RESNETS`), or a spec of your own. */
  depth: 18 | 34 | 50 | 101 | 152 | ResNetSpec;
}

/**
 * A ResNet: stem `conv1` (7×7/2, 64, batch-norm, ReLU) and `pool1_pool` (3×3/2 max-pool, pad 1),
 * four stages `conv2` … `conv5` of residual blocks (`conv3_block1` …; the first block of
 * conv3–conv5 has stride 2 and a projection shortcut, the others the identity), then
 * `avg_pool` (global average) and `predictions` (dense logits).
 *
 * Like torchvision (and unlike the paper): "ResNet v1.5", a strided bottleneck block puts its
 * stride on the 3×3 conv instead of the first 1×1; convs before a batch-norm have no bias; padding
 * is explicit and symmetric (7×7 pads 3, 3×3 pads 1). Parameter counts at 224×224×3 and 1000
 * classes equal torchvision's (batch-norm counted as 2 per channel).
 *
 *   cl.models.resnet({ depth: 50 }).summary().totalParams   // 25,557,032
 */
export function resnet(opts: ResNetOptions): Model {
  const depth = opts?.depth;
  const spec = typeof depth === "number" ? RESNETS[depth] : depth;
  const net = typeof depth === "number" ? `resnet${depth}` : "resnet";
  if (
    !spec ||
    (spec.kind !== "basic" && spec.kind !== "bottleneck") ||
    !Array.isArray(spec.blocks) ||
    spec.blocks.length !== 4 ||
    !spec.blocks.every((n) => Number.isInteger(n) && n > 0)
  )
    throw new ValueError(`resnet: depth must be one of ${Object.keys(RESNETS).join(", ")} or { kind: "basic" | "bottleneck", blocks: [n2, n3, n4, n5] }, got ${JSON.stringify(depth)}`);
  const cfg = classifierConfig(net, opts);
  const x = nn.input(cfg.inputShape, { name: "input" });
  let h = chain(
    [
      ...convUnit("conv1", { filters: 64, size: 7, stride: 2, padding: 3, batchNorm: true, eps: 1e-5, activation: "relu", kernelInitializer: "heNormal" }),
      nn.maxPool2d({ name: "pool1_pool", size: 3, stride: 2, padding: 1 }),
    ],
    x,
  );
  spec.blocks.forEach((n, stage) => {
    for (let b = 0; b < n; b++)
      h = nn
        .residualBlock({ filters: WIDTHS[stage]!, kind: spec.kind, stride: stage > 0 && b === 0 ? 2 : 1, name: `conv${stage + 2}_block${b + 1}` })
        .apply(h);
  });
  if (cfg.includeTop) h = chain([nn.globalAvgPool2d({ name: "avg_pool" }), nn.dense({ name: "predictions", units: cfg.classes })], h);
  return nn.model({ inputs: x, outputs: h, ...cfg.model });
}

/** ResNet-18 (basic blocks [2, 2, 2, 2]): 11,689,512 parameters at 224×224×3 / 1000 classes. */
export const resnet18 = (opts: ClassifierOptions = {}): Model => resnet({ ...opts, depth: 18 });
/** ResNet-34 (basic blocks [3, 4, 6, 3]): 21,797,672 parameters. */
export const resnet34 = (opts: ClassifierOptions = {}): Model => resnet({ ...opts, depth: 34 });
/** ResNet-50 (bottleneck blocks [3, 4, 6, 3]): 25,557,032 parameters. */
export const resnet50 = (opts: ClassifierOptions = {}): Model => resnet({ ...opts, depth: 50 });
/** ResNet-101 (bottleneck blocks [3, 4, 23, 3]): 44,549,160 parameters. */
export const resnet101 = (opts: ClassifierOptions = {}): Model => resnet({ ...opts, depth: 101 });
/** ResNet-152 (bottleneck blocks [3, 8, 36, 3]): 60,192,808 parameters. */
export const resnet152 = (opts: ClassifierOptions = {}): Model => resnet({ ...opts, depth: 152 });
