// AlexNet (Krizhevsky et al. 2012) in torchvision's single-tower form: no local response
// normalisation, 64/192/384/256/256 filters (the paper's two GPU halves merged: 96/256/384/384/256).
import * as nn from "../nn/index.js";
import type { Layer } from "../nn/layer.js";
import type { Sequential } from "../nn/model.js";
import { classifierConfig, type ClassifierOptions } from "./options.js";

export interface AlexNetOptions extends ClassifierOptions {
  /** Dropout rate before fc6 and fc7 (default 0.5). */
  dropout?: number;
}

/**
 * AlexNet as torchvision builds it: conv1 11×11/4 pad 2, 64 → pool1 3×3/2 → conv2 5×5 pad 2, 192 →
 * pool2 → conv3 3×3 384 → conv4 256 → conv5 256 → pool5 (6×6×256 at 224×224) → fc6 4096 → fc7
 * 4096 → fc8 logits, ReLU after every conv and fc6/fc7, dropout before fc6 and fc7.
 * 61,100,840 parameters at 224×224×3 / 1000 classes. Layer names are the paper's (conv1 … fc8),
 * the ones visualisation papers use.
 *
 *   cl.models.alexnet().summary().totalParams   // 61100840
 */
export function alexnet(opts: AlexNetOptions = {}): Sequential {
  const cfg = classifierConfig("alexnet", opts);
  const conv = (name: string, filters: number, size: number, stride: number, padding: number): Layer =>
    nn.conv2d({ name, filters, size, stride, padding, activation: "relu", kernelInitializer: "heNormal" });
  const pool = (name: string): Layer => nn.maxPool2d({ name, size: 3, stride: 2 });
  const layers: Layer[] = [
    conv("conv1", 64, 11, 4, 2), pool("pool1"),
    conv("conv2", 192, 5, 1, 2), pool("pool2"),
    conv("conv3", 384, 3, 1, 1),
    conv("conv4", 256, 3, 1, 1),
    conv("conv5", 256, 3, 1, 1), pool("pool5"),
  ];
  if (cfg.includeTop) {
    const rate = opts.dropout ?? 0.5;
    layers.push(
      nn.flatten({ name: "flatten" }),
      nn.dropout({ name: "fc6_dropout", rate }),
      nn.dense({ name: "fc6", units: 4096, activation: "relu" }),
      nn.dropout({ name: "fc7_dropout", rate }),
      nn.dense({ name: "fc7", units: 4096, activation: "relu" }),
      nn.dense({ name: "fc8", units: cfg.classes }),
    );
  }
  return nn.sequential(layers, { inputShape: cfg.inputShape, ...cfg.model });
}
