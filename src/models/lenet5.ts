// LeNet-5, as in the course (week 1) and as in LeCun et al. 1998.
import * as nn from "../nn/index.js";
import type { Sequential } from "../nn/model.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { optIntArg, optOneOfArg, optStringArg, optionsArg, seedArg } from "../util/check.js";
import { checkShape } from "../tensor/shape.js";

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
  const fn = "models.lenet5";
  opts = optionsArg(fn, opts);
  if (typeof opts.variant === "string" && opts.variant !== "course" && opts.variant !== "classic")
    throw new ValueError(`lenet5: unknown variant ${JSON.stringify(opts.variant)} (expected "course" or "classic")`);
  optOneOfArg(fn, "opts.variant", opts.variant, ["course", "classic"] as const);
  if (opts.inputShape !== undefined) {
    checkShape(opts.inputShape, fn, "opts.inputShape");
    if (opts.inputShape.length !== 3 || opts.inputShape.some((d) => d < 1))
      throw new ShapeError(`lenet5: opts.inputShape must be [nH, nW, nC] of positive sizes (without the batch), got ${fmtShape(opts.inputShape)}`);
  }
  optIntArg(fn, "opts.classes", opts.classes, { min: 1 });
  seedArg(fn, opts.seed, "opts.seed");
  optStringArg(fn, "opts.name", opts.name);
  const classic = opts.variant === "classic";
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
