/**
 * `cl.inspect.volumeSlices(model, x)`: 3-D feature maps `[m,nD,nH,nW,nC]` (conv3d layers, CT-like
 * volumes) drawn with the feature-maps widget, one entry per (layer, slice): the widget's layer
 * picker is the slice selector ("conv1 · z 5/10"). The input volume's slices come first.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, intArg, optIntArg, optOneOfArg, optionsArg, stringArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { activationsOf, featureMaps, FeatureMaps, type ActivationSource } from "./featuremaps.js";
import { checkedPayload, FEATUREMAPS_MIME, type FeatureMapsLayer } from "./payloads.js";

export interface VolumeSlicesOptions {
  /** Layers with 3-D outputs to show (default: every layer whose output is `[m,nD,nH,nW,nC]`). */
  layers?: readonly string[];
  /** Example of the batch (default 0). */
  example?: number;
  /** Slicing axis of the volume: 0 (z, default), 1 (y) or 2 (x). */
  axis?: number;
  /** Slices per layer, evenly spaced (default 4), or the slice indices. */
  slices?: number | readonly number[];
  /** Include the input volume's slices (default true). */
  input?: boolean;
  colormap?: "viridis" | "gray" | "diverging";
}

const AXES = ["z", "y", "x"];

/** `[m, a, b, nC]` slice `k` of `[m, nD, nH, nW, nC]` along spatial `axis`. */
function sliceOf(t: Tensor, axis: number, k: number): Tensor {
  const [m, D, H, W, C] = t.shape as [number, number, number, number, number];
  const dims = [D, H, W];
  const keep = [0, 1, 2].filter((a) => a !== axis);
  const A = dims[keep[0]!]!, B = dims[keep[1]!]!;
  const out = new Float32Array(m * A * B * C);
  for (let e = 0; e < m; e++)
    for (let i = 0; i < A; i++)
      for (let j = 0; j < B; j++) {
        const idx = [0, 0, 0];
        idx[axis] = k;
        idx[keep[0]!] = i;
        idx[keep[1]!] = j;
        const src = ((((e * D + idx[0]!) * H + idx[1]!) * W + idx[2]!) * C);
        out.set(t.data.subarray(src, src + C), ((e * A + i) * B + j) * C);
      }
  return new Tensor(out, [m, A, B, C]);
}

/** Slices of the 3-D feature maps of `model`'s layers for `x` `[m,nD,nH,nW,nC]`, in the feature-maps widget. */
export function volumeSlices(model: ActivationSource, x: Tensor, opts: VolumeSlicesOptions = {}): FeatureMaps {
  const fn = "inspect.volumeSlices";
  if (typeof model !== "object" || model === null || typeof model.activations !== "function") throw new ValueError(`${fn}: expected a model (with activations(x)), got ${model === null ? "null" : typeof model}`);
  const name = stringArg(fn, "model.name", model.name);
  tensorArg(fn, "x", x);
  if (x.rank !== 5) throw new ShapeError(`${fn}: x must be a batch of volumes [m,nD,nH,nW,nC], got ${fmtShape(x.shape)}`);
  const o = optionsArg(fn, opts);
  const example = optIntArg(fn, "opts.example", o.example, { min: 0 }) ?? 0;
  if (example >= x.shape[0]!) throw new ValueError(`${fn}: example ${example} is not in the batch of ${x.shape[0]}`);
  const axis = optIntArg(fn, "opts.axis", o.axis, { min: 0, max: 2 }) ?? 0;
  const colormap = optOneOfArg(fn, "opts.colormap", o.colormap, ["viridis", "gray", "diverging"] as const);
  const wanted = o.layers === undefined ? undefined : arrayArg(fn, "opts.layers", o.layers).map((v, i) => stringArg(fn, `opts.layers[${i}]`, v));
  const one = new Tensor(x.data.subarray(example * (x.size / x.shape[0]!), (example + 1) * (x.size / x.shape[0]!)), [1, ...x.shape.slice(1)]);
  const outs = activationsOf(fn, model, one, wanted).filter((l) => l.output.rank === 5);
  if (outs.length === 0) throw new ValueError(`${fn}: model '${name}' has no layer with a volume output [m,nD,nH,nW,nC]${wanted ? ` among ${wanted.join(", ")}` : ""}`);
  const picks = (depth: number): number[] => {
    if (o.slices === undefined || typeof o.slices === "number") {
      const n = Math.min(depth, o.slices === undefined ? 4 : intArg(fn, "opts.slices", o.slices, { min: 1, max: 1024 }));
      return [...new Set(Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * depth) / n)))];
    }
    return arrayArg(fn, "opts.slices", o.slices).map((v, i) => intArg(fn, `opts.slices[${i}]`, v, { min: 0, max: depth - 1 }));
  };
  const sources = [...(o.input === false ? [] : [{ name: "input", type: "Input", output: one }]), ...outs];
  const layers: FeatureMapsLayer[] = [];
  for (const l of sources) {
    const depth = l.output.shape[1 + axis]!;
    for (const k of picks(depth)) {
      const fm = featureMaps(sliceOf(l.output, axis, k), { name: `${l.name} · ${AXES[axis]} ${k + 1}/${depth}` });
      layers.push({ ...fm.payload.layers[0]!, type: l.type });
    }
  }
  const payload = { version: 1 as const, model: name, example: 0, layers, ...(colormap ? { colormap } : {}) };
  return new FeatureMaps(checkedPayload(fn, FEATUREMAPS_MIME, payload));
}
