// The CIFAR-10 nets of He et al. 2015 §4.2, plain and residual, for the depth experiment:
// depth 6n + 2 = a 3×3 conv, three stages of n two-conv blocks (16, 32, 64 filters; the last two
// stages start with stride 2), global average pooling and a dense layer.
import * as nn from "../nn/index.js";
import { convUnit, chain } from "../nn/blocks.js";
import type { Model } from "../nn/model.js";
import { ValueError } from "../util/errors.js";
import { classifierConfig, type ClassifierOptions } from "./options.js";

export interface CifarResnetOptions extends ClassifierOptions {
  /** 6n + 2 weighted layers (8, 14, 20, 32, 44, 56, 110 …). */
  depth: number;
  /** true (default): residual blocks; false: the same blocks without shortcuts (the "plain" net). */
  residual?: boolean;
  /** Filters of the three stages (default [16, 32, 64]). */
  widths?: readonly [number, number, number];
}

/**
 * A plain or residual net of `depth` = 6n + 2 layers as in He et al. §4.2 (input
 * `[28, 28, 1]` and 10 classes by default, Fashion-MNIST). Same widths and layers either way; the
 * residual one adds the shortcuts (a projection where a stage changes shape: the paper's option
 * B). Layers: `conv1_*`, `stage<s>_block<b>_*` (from `cl.nn.residualBlock`, `shortcut: "none"` for
 * plain), `avg_pool`, `predictions`.
 *
 *   cl.models.cifarResnet({ depth: 20, residual: false })   // plain-20
 */
export function cifarResnet(opts: CifarResnetOptions): Model {
  const depth = opts?.depth;
  if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0)
    throw new ValueError(`cifarResnet: depth must be 6n + 2 with n ≥ 1 (8, 14, 20, 32, 44, 56, 110 …), got ${JSON.stringify(depth)}`);
  const residual = opts.residual ?? true;
  const widths = opts.widths ?? [16, 32, 64];
  if (!Array.isArray(widths) || widths.length !== 3 || !widths.every((w) => Number.isInteger(w) && w > 0))
    throw new ValueError(`cifarResnet: widths must be 3 positive integers, got ${JSON.stringify(opts.widths)}`);
  const net = `${residual ? "resnet" : "plain"}${depth}`;
  const cfg = classifierConfig(net, { ...opts, inputShape: opts.inputShape ?? [28, 28, 1], classes: opts.classes ?? 10 });
  const n = (depth - 2) / 6;
  const x = nn.input(cfg.inputShape, { name: "input" });
  let h = chain(convUnit("conv1", { filters: widths[0]!, size: 3, padding: 1, batchNorm: true, eps: 1e-5, activation: "relu", kernelInitializer: "heNormal" }), x);
  widths.forEach((filters, s) => {
    for (let b = 0; b < n; b++)
      h = nn
        .residualBlock({ filters, stride: s > 0 && b === 0 ? 2 : 1, shortcut: residual ? "auto" : "none", name: `stage${s + 1}_block${b + 1}` })
        .apply(h);
  });
  if (cfg.includeTop) h = chain([nn.globalAvgPool2d({ name: "avg_pool" }), nn.dense({ name: "predictions", units: cfg.classes })], h);
  return nn.model({ inputs: x, outputs: h, ...cfg.model });
}
