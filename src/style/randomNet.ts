/**
 * A multi-scale network of random filters, the texture-synthesis baseline that needs no training
 * (Ustyuzhaninov, Brendel, Gatys & Bethge, "Texture synthesis using shallow convolutional
 * networks with random filters", 2016): one layer of random convolutions per filter size, each
 * followed by a ReLU, all on the image. Their Gram matrices already capture much of a texture.
 */
import { intArg, optIntArg, optionsArg, arrayArg, seedArg } from "../util/check.js";
import { ValueError } from "../util/errors.js";
import { input } from "../nn/layers/input.js";
import { conv2d } from "../nn/layers/conv.js";
import { model, type Model } from "../nn/model.js";
import type { Tensor } from "../tensor/tensor.js";

export interface RandomFeatureNetOptions {
  /** Input `[nH, nW, nC]` (default [64, 64, 3]). */
  inputShape?: readonly number[];
  /** Filter sizes f, one layer `scale<f>` each (default [3, 5, 7, 11]). */
  sizes?: readonly number[];
  /** Filters per scale (default 32). */
  filters?: number;
  seed?: number;
}

/** The random-filter network and the names of its layers (`scale3`, `scale5` …) to use as style layers. */
export function randomFeatureNet(opts: RandomFeatureNetOptions = {}): { model: Model<Record<string, Tensor>>; layers: string[] } {
  const fn = "style.randomFeatureNet";
  const o = optionsArg(fn, opts);
  const shape = o.inputShape === undefined ? [64, 64, 3] : arrayArg(fn, "opts.inputShape", o.inputShape).map((v, i) => intArg(fn, `opts.inputShape[${i}]`, v, { min: 1, max: 4096 }));
  if (shape.length !== 3) throw new ValueError(`${fn}: opts.inputShape must be [nH, nW, nC], got [${shape.join(",")}]`);
  const sizes = o.sizes === undefined ? [3, 5, 7, 11] : arrayArg(fn, "opts.sizes", o.sizes).map((v, i) => intArg(fn, `opts.sizes[${i}]`, v, { min: 1, max: 64 }));
  if (sizes.length === 0 || new Set(sizes).size !== sizes.length) throw new ValueError(`${fn}: opts.sizes must be distinct filter sizes, got [${sizes.join(",")}]`);
  const filters = optIntArg(fn, "opts.filters", o.filters, { min: 1, max: 1024 }) ?? 32;
  const seed = seedArg(fn, o.seed) ?? 0;
  const x = input(shape, { name: "image" });
  const outs: Record<string, ReturnType<typeof input>> = {};
  for (const f of sizes) outs[`scale${f}`] = conv2d({ name: `scale${f}`, filters, size: f, padding: "same", activation: "relu", kernelInitializer: "heNormal" }).apply(x);
  const m = model({ inputs: x, outputs: outs, name: "random_features", seed });
  m.freeze();
  return { model: m as unknown as Model<Record<string, Tensor>>, layers: Object.keys(outs) };
}
