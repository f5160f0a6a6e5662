// VGG-16 and VGG-19 (Simonyan & Zisserman 2014) as torchvision builds them, with the layer names
// of Keras applications (block1_conv1 … block5_pool, fc1, fc2, predictions).
import * as nn from "../nn/index.js";
import type { Layer } from "../nn/layer.js";
import type { Sequential } from "../nn/model.js";
import { classifierConfig, type ClassifierOptions } from "./options.js";

/** Convolutions per block (each 3×3, stride 1, pad 1, ReLU; a 2×2/2 max-pool ends a block); the widths are 64 → 128 → 256 → 512 → 512. */
export const VGGS: Readonly<Record<11 | 13 | 16 | 19, readonly number[]>> = {
  11: [1, 1, 2, 2, 2],
  13: [2, 2, 2, 2, 2],
  16: [2, 2, 3, 3, 3],
  19: [2, 2, 4, 4, 4],
};
const WIDTHS = [64, 128, 256, 512, 512] as const;

export interface VggOptions extends ClassifierOptions {
  /** A batch-norm after each conv, before its ReLU (torchvision's `vgg16_bn`); default false. */
  batchNorm?: boolean;
  /** Dropout rate after fc1 and fc2 (default 0.5). */
  dropout?: number;
}

function vgg(depth: 11 | 13 | 16 | 19, opts: VggOptions): Sequential {
  const net = `vgg${depth}${opts?.batchNorm ? "_bn" : ""}`;
  const cfg = classifierConfig(net, opts);
  const bn = opts.batchNorm ?? false;
  const layers: Layer[] = [];
  VGGS[depth].forEach((n, b) => {
    for (let i = 1; i <= n; i++) {
      const name = `block${b + 1}_conv${i}`;
      layers.push(nn.conv2d({ name, filters: WIDTHS[b]!, size: 3, padding: 1, kernelInitializer: "heNormal", ...(bn ? {} : { activation: "relu" }) }));
      if (bn) layers.push(nn.batchNorm({ name: `${name}_bn` }), nn.relu({ name: `${name}_relu` }));
    }
    layers.push(nn.maxPool2d({ name: `block${b + 1}_pool`, size: 2, stride: 2 }));
  });
  if (cfg.includeTop) {
    const rate = opts.dropout ?? 0.5;
    layers.push(
      nn.flatten({ name: "flatten" }),
      nn.dense({ name: "fc1", units: 4096, activation: "relu" }),
      nn.dropout({ name: "fc1_dropout", rate }),
      nn.dense({ name: "fc2", units: 4096, activation: "relu" }),
      nn.dropout({ name: "fc2_dropout", rate }),
      nn.dense({ name: "predictions", units: cfg.classes }),
    );
  }
  return nn.sequential(layers, { inputShape: cfg.inputShape, ...cfg.model });
}

/**
 * VGG-16: 13 convs 3×3/1 "same" in 5 blocks, each ending in a 2×2/2 max-pool (channels 64 → 128 →
 * 256 → 512 → 512), then fc1 4096 → fc2 4096 → 1000 logits (dropout 0.5 after fc1 and fc2, as
 * torchvision). 138,357,544 parameters at 224×224×3 (the flattened 7×7×512 = 25,088 features feed
 * fc1; another inputShape changes that count, as with Keras's VGG16).
 *
 *   cl.models.vgg16().summary().totalParams   // 138357544
 */
export const vgg16 = (opts: VggOptions = {}): Sequential => vgg(16, opts);
/** VGG-19: as VGG-16 with 4 convs in blocks 3–5; 143,667,240 parameters. */
export const vgg19 = (opts: VggOptions = {}): Sequential => vgg(19, opts);
/** VGG-11 (configuration A); 132,863,336 parameters. */
export const vgg11 = (opts: VggOptions = {}): Sequential => vgg(11, opts);
/** VGG-13 (configuration B); 133,047,848 parameters. */
export const vgg13 = (opts: VggOptions = {}): Sequential => vgg(13, opts);
