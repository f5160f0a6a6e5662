// Options shared by the ImageNet-style classifiers (AlexNet, VGG, ResNet, GoogLeNet).
import { ValueError } from "../util/errors.js";
import { describeValue } from "../util/check.js";

export interface ClassifierOptions {
  /** Input shape without the batch axis (default [224, 224, 3]). */
  inputShape?: readonly number[];
  /** Number of classes of the last dense layer (default 1000, ImageNet's). */
  classes?: number;
  /**
   * Keep the classifier head (default true). false ends the model at the last convolutional
   * features (before flattening / global pooling), as Keras's `include_top=False`: a backbone for
   * transfer learning.
   */
  includeTop?: boolean;
  /** Seed of the weight initialization: the same seed gives bit-identical weights. */
  seed?: number;
  /** The model's name (default the network's, e.g. "vgg16"). */
  name?: string;
}

export interface ClassifierConfig {
  inputShape: number[];
  classes: number;
  includeTop: boolean;
  /** Options for `cl.nn.model` / `cl.nn.sequential`. */
  model: { name: string; seed?: number };
}

/** Checks the common options and fills in the defaults; errors name the network's builder. */
export function classifierConfig(net: string, opts: ClassifierOptions | undefined): ClassifierConfig {
  if (opts !== undefined && (typeof opts !== "object" || opts === null)) throw new ValueError(`${net}: expected an options object, got ${String(opts)}`);
  const o = opts ?? {};
  const shown = (v: unknown): string => (Array.isArray(v) && v.every((d) => typeof d === "number") ? JSON.stringify(v) : typeof v === "number" ? String(v) : describeValue(v));
  if (o.inputShape !== undefined && !Array.isArray(o.inputShape))
    throw new ValueError(`${net}: inputShape must be [nH, nW, nC] of positive integers (no batch axis), got ${shown(o.inputShape)}`);
  const inputShape = o.inputShape === undefined ? [224, 224, 3] : [...o.inputShape];
  if (inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0))
    throw new ValueError(`${net}: inputShape must be [nH, nW, nC] of positive integers (no batch axis), got ${shown(o.inputShape)}`);
  const classes = o.classes ?? 1000;
  if (!Number.isInteger(classes) || classes < 1) throw new ValueError(`${net}: classes must be a positive integer, got ${shown(o.classes)}`);
  if (o.includeTop !== undefined && typeof o.includeTop !== "boolean") throw new ValueError(`${net}: includeTop must be true or false, got ${shown(o.includeTop)}`);
  if (o.seed !== undefined && (typeof o.seed !== "number" || !Number.isFinite(o.seed))) throw new ValueError(`${net}: seed must be a number, got ${shown(o.seed)}`);
  return {
    inputShape,
    classes,
    includeTop: o.includeTop ?? true,
    model: { name: o.name ?? net, ...(o.seed !== undefined ? { seed: o.seed } : {}) },
  };
}
