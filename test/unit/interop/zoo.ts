// Small models covering every layer the exporters handle, for the interop tests.
import * as cl from "../../../src/index.js";
import type { Model } from "../../../src/nn/model.js";

type AnyModel = Model<cl.Tensor>;

/** Randomises batch-norm running statistics so that exports must carry them. */
export function stirBatchNorm(m: AnyModel, seed: number): AnyModel {
  const rng = new cl.Rng(seed);
  const sd = m.stateDict();
  const next: Record<string, cl.Tensor> = {};
  for (const [k, t] of Object.entries(sd)) {
    if (/runningVar$|gamma$/.test(k)) next[k] = cl.tensor(Array.from(t.data, () => 0.5 + rng.uniform()), t.shape);
    else if (/runningMean$|beta$/.test(k)) next[k] = cl.tensor(Array.from(t.data, () => rng.uniform() - 0.5), t.shape);
    else if (/bias$/.test(k)) next[k] = cl.tensor(Array.from(t.data, () => 0.2 * (rng.uniform() - 0.5)), t.shape);
    else next[k] = t;
  }
  m.loadStateDict(next);
  return m;
}

/** Multiplies a layer's kernel by `k` (so that relu6 clips at 6 somewhere). */
function scaleKernel(m: AnyModel, layer: string, k: number): AnyModel {
  const sd = m.stateDict();
  m.loadStateDict({ ...sd, [`${layer}/kernel`]: sd[`${layer}/kernel`]!.mul(k) });
  return m;
}

export interface ZooEntry {
  name: string;
  make: () => AnyModel;
  /** Input shape without the batch. */
  input: number[];
}

export const ZOO: ZooEntry[] = [
  { name: "lenet5 (conv, avg-pool, flatten, dense)", input: [32, 32, 3], make: () => cl.models.lenet5({ seed: 1 }) as unknown as AnyModel },
  {
    name: "sequential: same/strided conv, max-pool, batch-norm, dropout, leaky, softmax",
    input: [9, 9, 3],
    make: () => stirBatchNorm(cl.nn.sequential([
      cl.nn.conv2d({ filters: 4, size: 3, padding: "same", activation: "relu" }),
      cl.nn.batchNorm(),
      cl.nn.conv2d({ filters: 5, size: [3, 2], stride: 2, padding: "same", dilation: 1 }),
      cl.nn.leakyRelu(),
      cl.nn.maxPool2d({ size: 2, stride: 1, padding: "same" }),
      cl.nn.zeroPad2d({ padding: [[1, 0], [0, 2]] }),
      cl.nn.avgPool2d({ size: 2, padding: 1 }),
      cl.nn.dropout({ rate: 0.3 }),
      cl.nn.flatten(),
      cl.nn.dense({ units: 6, activation: "tanh" }),
      cl.nn.dense({ units: 3 }),
      cl.nn.softmax(),
    ], { inputShape: [9, 9, 3], seed: 2 }) as unknown as AnyModel, 3),
  },
  {
    name: "graph: residual block (batch-norm, add), inception module (concat), depthwise, global pool",
    input: [8, 8, 3],
    make: () => {
      const x = cl.nn.input([8, 8, 3]);
      let h = cl.nn.conv2d({ filters: 4, size: 3, padding: 1 }).apply(x);
      h = cl.nn.residualBlock({ filters: 4, name: "res" }).apply(h);
      h = cl.nn.residualBlock({ filters: 6, stride: 2, name: "down" }).apply(h);
      h = cl.nn.inceptionModule({ filters1x1: 2, reduce3x3: 2, filters3x3: 3, reduce5x5: 1, filters5x5: 2, poolProj: 2, name: "inc" }).apply(h);
      h = cl.nn.depthwiseConv2d({ size: 3, padding: "same", depthMultiplier: 2, activation: "sigmoid" }).apply(h);
      h = cl.nn.globalAvgPool2d().apply(h);
      const y = cl.nn.dense({ units: 4 }).apply(h);
      return stirBatchNorm(cl.nn.model({ inputs: x, outputs: y, seed: 4 }) as unknown as AnyModel, 5);
    },
  },
  {
    name: "conv1d + max-pool1d, global max pool after conv",
    input: [12, 2],
    make: () => cl.nn.sequential([
      cl.nn.conv1d({ filters: 3, size: 3, stride: 1, padding: "same", activation: "relu" }),
      cl.nn.maxPool1d({ size: 2 }),
      cl.nn.conv1d({ filters: 2, size: 2, dilation: 2 }),
      cl.nn.flatten(),
      cl.nn.dense({ units: 2 }),
    ], { inputShape: [12, 2], seed: 6 }) as unknown as AnyModel,
  },
  {
    name: "conv3d + avg-pool3d",
    input: [5, 6, 6, 2],
    make: () => cl.nn.sequential([
      cl.nn.conv3d({ filters: 3, size: 3, padding: 1, activation: "relu" }),
      cl.nn.avgPool3d({ size: 2 }),
      cl.nn.flatten(),
      cl.nn.dense({ units: 2 }),
    ], { inputShape: [5, 6, 6, 2], seed: 7 }) as unknown as AnyModel,
  },
  {
    name: "conv2dTranspose: same (odd crop, and f < s), explicit padding + outputPadding, dilation, no bias; relu6 (Clip)",
    input: [4, 4, 2],
    make: () => scaleKernel(cl.nn.sequential([
      cl.nn.conv2dTranspose({ filters: 3, size: 3, stride: 2, padding: "same", activation: "relu" }),
      cl.nn.conv2dTranspose({ filters: 2, size: 3, stride: 2, padding: 1, outputPadding: 1, useBias: false }),
      cl.nn.conv2d({ filters: 3, size: 3, stride: 2, activation: "relu6", name: "clip6" }),
      cl.nn.conv2dTranspose({ filters: 2, size: [2, 3], stride: [3, 2], padding: "same" }),
      cl.nn.conv2dTranspose({ filters: 2, size: 3, dilation: 2, activation: "tanh" }),
      cl.nn.maxPool2d({ size: 4 }),
      cl.nn.flatten(),
      cl.nn.dense({ units: 3 }),
    ], { inputShape: [4, 4, 2], seed: 8 }) as unknown as AnyModel, "clip6", 60),
  },
];

/** A seeded batch for a zoo entry. */
export function batchFor(e: ZooEntry, m = 2, seed = 9): cl.Tensor {
  return cl.randn([m, ...e.input], { seed });
}

/** NHWC → NCHW (or the 1-D/3-D equivalents) for a batch. */
export function channelsFirst(t: cl.Tensor): cl.Tensor {
  const r = t.rank;
  if (r <= 2) return t;
  return t.transpose([0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)]);
}
