// LeNet-5, as in the course (week 1) and as in LeCun et al. 1998.
import * as nn from "../nn/index.js";
import type { Sequential } from "../nn/model.js";

export interface LeNet5Options {
  /**
   * "course" (default): the course's table — input 32×32×3, CONV f5 s1 8 → max-pool f2 s2 →
   * CONV f5 s1 16 → max-pool → FC 120 → FC 84 → 10 logits, ReLU; 62,958 parameters.
   * "classic": LeCun 1998 — input 32×32×1, 6 and 16 filters, tanh, average pooling; 61,706 parameters.
   */
  variant?: "course" | "classic";
  /** Input shape without the batch axis (default [32,32,3] for "course", [32,32,1] for "classic"); MNIST padded to 32×32 is [32,32,1]. */
  inputShape?: readonly number[];
  /** Number of classes (default 10). */
  classes?: number;
  /** Seed of the weight initialization. */
  seed?: number;
  name?: string;
}

/**
 * LeNet-5. Layer names follow the course's table: CONV1, POOL1, CONV2, POOL2, FC3, FC4 and
 * `softmax` for the output layer, which produces logits (losses take logits; use
 * `model.predictProba` for probabilities).
 *
 *   cl.models.lenet5().summary().totalParams   // 62958
 */
export function lenet5(opts: LeNet5Options = {}): Sequential {
  const classic = opts.variant === "classic";
  if (opts.variant !== undefined && opts.variant !== "course" && opts.variant !== "classic")
    throw new Error(`lenet5: unknown variant ${JSON.stringify(opts.variant)} (expected "course" or "classic")`);
  const act = classic ? "tanh" : "relu";
  const pool = classic ? nn.avgPool2d : nn.maxPool2d;
  const [c1, c2] = classic ? [6, 16] : [8, 16];
  return nn.sequential(
    [
      nn.conv2d({ name: "CONV1", filters: c1, size: 5, stride: 1, activation: act }),
      pool({ name: "POOL1", size: 2, stride: 2 }),
      nn.conv2d({ name: "CONV2", filters: c2, size: 5, stride: 1, activation: act }),
      pool({ name: "POOL2", size: 2, stride: 2 }),
      nn.dense({ name: "FC3", units: 120, activation: act }),
      nn.dense({ name: "FC4", units: 84, activation: act }),
      nn.dense({ name: "softmax", units: opts.classes ?? 10 }),
    ],
    {
      inputShape: opts.inputShape ?? (classic ? [32, 32, 1] : [32, 32, 3]),
      name: opts.name ?? (classic ? "lenet5-classic" : "lenet5"),
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    },
  );
}
