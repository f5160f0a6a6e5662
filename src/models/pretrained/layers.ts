// Small layers the face-api networks need beyond cl.nn's: a per-channel affine map (dlib's
// "scale" layer), zero channels appended (the shortcut of a ResNet block that doubles its
// channels), and the activations relu6 and leaky ReLU with slope 0.1.
import { Tensor, allocate } from "../../tensor/tensor.js";
import type { Rng } from "../../util/rng.js";
import { record } from "../../autograd/tape.js";
import { pad } from "../../ops/layout.js";
import { leakyRelu } from "../../ops/activations.js";
import { Layer, batchShape, type LayerOptions, type Shape, keepsNoInputs } from "../../nn/layer.js";
import { fusableAs } from "../../nn/activation.js";

/** `min(max(x, 0), 6)`, MobileNet's activation (`cl.relu6`: the WASM elementwise kernel). */
export { relu6 } from "../../ops/activations.js";

/**
 * Leaky ReLU with slope 0.1 for x < 0 (tiny YOLO's activation); a conv layer with it runs it in
 * the convolution's output pass.
 */
export const leaky = fusableAs(function leaky(x: Tensor): Tensor {
  return leakyRelu(x, 0.1);
}, { activation: "leakyRelu", alpha: 0.1 });

/** `y = x · scale + bias` per channel (last axis): trainable `scale` and `bias` [nC]. */
export class ChannelAffine extends Layer {
  get type(): string { return "ChannelAffine"; }
  get kind(): string { return "channelAffine"; }
  outputShape(inputShapes: Shape[]): number[] {
    return this.perChannelShape(inputShapes);
  }
  protected override createWeights(inputShapes: Shape[], rng: Rng): void {
    const x = inputShapes[0]!;
    const c = x[x.length - 1]!;
    this.addWeight("scale", [c], "ones", rng);
    this.addWeight("bias", [c], "zeros", rng);
  }
  protected compute(xs: Tensor[]): Tensor {
    return channelAffine(xs[0]!, this.weight("scale"), this.weight("bias"));
  }
}

/** `x · scale + bias` over the last axis in one pass, with its gradient (dx = dy·scale, dscale = Σ dy·x, dbias = Σ dy). */
function channelAffine(x: Tensor, scale: Tensor, bias: Tensor): Tensor {
  const c = scale.size, n = x.size, xd = x.data, s = scale.data, b = bias.data;
  const dtype = x.dtype === "float64" || scale.dtype === "float64" ? "float64" : "float32";
  const y = allocate(dtype, n);
  for (let i = 0; i < n; i += c) for (let k = 0; k < c; k++) y[i + k] = xd[i + k]! * s[k]! + b[k]!;
  return record("channelAffine", new Tensor(y, x.shape), [x, scale, bias], (dy) => {
    const g = dy.data;
    const dx = allocate(x.dtype, n), ds = allocate(dtype, c), db = allocate(dtype, c);
    for (let i = 0; i < n; i += c)
      for (let k = 0; k < c; k++) {
        const v = g[i + k]!;
        dx[i + k] = v * s[k]!;
        ds[k] += v * xd[i + k]!;
        db[k] += v;
      }
    return [new Tensor(dx, x.shape), new Tensor(ds, scale.shape), new Tensor(db, bias.shape)];
  });
}

export interface ChannelPadOptions extends LayerOptions {
  /** Output channels (≥ the input's); the new ones are zeros, after the input's. */
  channels: number;
}

/** Appends zero channels to [m,nH,nW,nC] up to `channels`. */
export class ChannelPad extends Layer {
  readonly channels: number;
  constructor(opts: ChannelPadOptions) {
    super(opts);
    this.positiveInt("channels", opts?.channels);
    this.channels = opts.channels;
  }
  get type(): string { return "ChannelPad"; }
  get kind(): string { return "channelPad"; }
  outputShape(inputShapes: Shape[]): number[] {
    const x = inputShapes[0]!;
    if (x.length !== 3) throw this.error(`expected input [m,nH,nW,nC], got ${batchShape(x)}`);
    if (x[2]! > this.channels) throw this.error(`input has ${x[2]} channels, more than the ${this.channels} to pad to`);
    return [x[0]!, x[1]!, this.channels];
  }
  protected compute(xs: Tensor[]): Tensor {
    const x = xs[0]!;
    return pad(x, [[0, 0], [0, 0], [0, 0], [0, this.channels - x.shape[3]!]]);
  }
  override describe(): string {
    return `to ${this.channels} channels`;
  }
}

keepsNoInputs(ChannelAffine, ChannelPad);
