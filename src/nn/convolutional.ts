/**
 * `cl.nn.toConvolutional(model, { inputShape })`: the convolutional implementation of sliding
 * windows (COURSE.md week 3). A trained classifier `conv… → flatten → dense…` becomes a fully
 * convolutional net: the first dense layer (after its flatten) becomes an f×f convolution over
 * the whole h×w×c volume it read (its kernel [h·w·c, n] reshaped to [h, w, c, n]: NHWC flatten
 * order is exactly the filter layout), each next dense layer a 1×1 convolution. On the window
 * size the new net gives the classifier's outputs as a 1×1 map; on a larger image one output per
 * window position, in one pass that shares the computation of overlapping windows.
 * Conv, pooling, activation and normalisation layers are shared with the original model (the
 * same instances and weights); dropout is left out (inference).
 */
import { ValueError } from "../util/errors.js";
import { arrayArg, intArg, optionsArg, stringArg } from "../util/check.js";
import { Layer } from "./layer.js";
import { Model, Sequential } from "./model.js";
import { Conv2D } from "./layers/conv.js";
import { Dense } from "./layers/dense.js";
import { Dropout, Flatten } from "./layers/core.js";
import { reshape } from "../ops/layout.js";
import type { Tensor } from "../tensor/tensor.js";

export interface ToConvolutionalOptions {
  /** The input the new net is built for, without the batch (default: the model's own input shape). */
  inputShape?: readonly number[];
  name?: string;
}

/**
 * The fully convolutional equivalent of a sequential classifier.
 *
 * @example
 * // COURSE.md: a 14×14×3 classifier run on a 16×16×3 image gives a 2×2×4 map
 * const conv = cl.nn.toConvolutional(model, { inputShape: [16, 16, 3] })
 * conv.predict(x16).shape   // [1, 2, 2, 4]
 */
export function toConvolutional(model: Model, opts: ToConvolutionalOptions = {}): Sequential {
  const fn = "toConvolutional";
  if (!(model instanceof Model)) throw new ValueError(`${fn}: model must be a convlab model (e.g. cl.nn.sequential([...])), got ${model === null ? "null" : typeof model}`);
  const o = optionsArg(fn, opts);
  const rows = model.summary().rows;
  const layers = model.layers.filter((l) => l.type !== "Input");
  if (rows.length !== layers.length + 1) throw new ValueError(`${fn}: ${model.label} is not a chain of layers (use a sequential model)`);
  const shapeBefore = (i: number): number[] => [...rows[i]!.outputShape];
  const inputShape = o.inputShape === undefined ? shapeBefore(0) : arrayArg(fn, "opts.inputShape", o.inputShape).map((d, i) => intArg(fn, `opts.inputShape[${i}]`, d, { min: 1, max: 1e6 }));
  if (o.name !== undefined) stringArg(fn, "opts.name", o.name);
  if (shapeBefore(0).length !== 3) throw new ValueError(`${fn}: the model must take images [nH, nW, nC], its input is [${shapeBefore(0).join(", ")}]`);
  const out: Layer[] = [];
  const pending: { conv: Conv2D; w: Tensor; bias: Tensor | undefined }[] = [];
  let seenDense = false;
  layers.forEach((l, i) => {
    const before = shapeBefore(i); // the input shape of layer i in the original model
    if (l instanceof Flatten || l instanceof Dropout) return;
    if (l instanceof Dense) {
      const units = l.config.units;
      const kernel = l.weight("kernel");
      const first = !seenDense;
      seenDense = true;
      let f: [number, number], c: number;
      if (first) {
        // the volume the dense layer read: the input of the flatten before it (or its own)
        let j = i;
        while (j > 0 && (layers[j - 1] instanceof Flatten || layers[j - 1] instanceof Dropout)) j--;
        const vol = shapeBefore(j);
        if (vol.length !== 3) throw new ValueError(`${fn}: ${l.label} reads a [${vol.join(", ")}] input; expected a [nH, nW, nC] volume before the first dense layer`);
        f = [vol[0]!, vol[1]!];
        c = vol[2]!;
      } else {
        if (before.length !== 1) throw new ValueError(`${fn}: ${l.label} reads [${before.join(", ")}], expected a vector after the first dense layer`);
        f = [1, 1];
        c = before[0]!;
      }
      const useBias = l.config.useBias ?? true;
      const conv = new Conv2D({ filters: units, size: f, activation: l.config.activation, useBias, name: `${l.name}_conv` });
      const w = reshape(kernel, [f[0], f[1], c, units]);
      out.push(conv);
      pending.push({ conv, w, bias: useBias ? l.weight("bias") : undefined });
      return;
    }
    if (seenDense) throw new ValueError(`${fn}: ${l.label} (${l.type}) comes after a dense layer; only dense, flatten and dropout layers may follow the first dense layer`);
    out.push(l);
  });
  if (!seenDense) throw new ValueError(`${fn}: ${model.label} has no dense layer to turn into a convolution`);
  const net = new Sequential(out, { inputShape: [...inputShape], name: o.name ?? `${model.name}_conv` });
  for (const p of pending) {
    p.conv.assignWeight("kernel", p.w);
    if (p.bias) p.conv.assignWeight("bias", p.bias);
  }
  return net;
}
