// conv/pool/dense/softmax-CE forward values and gradients against @tensorflow/tfjs (CPU backend)
// run in the test on the same random float32 inputs: |a − b| ≤ 1e-5 + 1e-4·|b|.
import { describe, it, expect, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

const tol = { atol: 1e-5, rtol: 1e-4 };

beforeAll(async () => {
  await tf.setBackend("cpu");
});

const toTf = (t: cl.Tensor): tf.Tensor => tf.tensor(Array.from(t.data), t.shape, "float32");
const fromTf = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;

/** The float32 backends to check: the active one (WASM when installed) and the TS reference. */
const active = cl.kernelBackend();
function onBackend(name: string, fn: () => void): void {
  if (name === active) return fn();
  cl.useReferenceKernels();
  try {
    fn();
  } finally {
    if (active.startsWith("wasm")) cl.useWasmKernels();
  }
}
const backends = active === "ts" ? ["ts"] : [active, "ts"];

/**
 * Compares f_ours(...inputs) with f_tf(...inputs) and the gradients of Σ y·P (P random, the
 * shape of y) with respect to every input, on every float32 backend.
 */
function compare(
  inputs: cl.Tensor[],
  ours: (...xs: cl.Tensor[]) => cl.Tensor,
  theirs: (...xs: tf.Tensor[]) => tf.Tensor,
  { grads = true, seed = 99 }: { grads?: boolean; seed?: number } = {},
): void {
  const tfXs = inputs.map(toTf);
  const ty = theirs(...tfXs);
  let tgrads: tf.Tensor[] = [];
  if (grads) {
    const tp = toTf(cl.randn(ty.shape, { seed }));
    tgrads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(theirs(...a), tp)))(tfXs);
  }
  for (const backend of backends)
    onBackend(backend, () => {
      const xs = inputs.map((t) => t.clone().requireGrad());
      const y = ours(...xs);
      expect(y.shape, `shape (${backend})`).toEqual(ty.shape);
      expectClose(y, fromTf(ty), tol);
      if (!grads) return;
      y.backward(cl.randn(y.shape, { seed }));
      xs.forEach((x, i) => expectClose(x.grad!, fromTf(tgrads[i]!), tol));
    });
}

it("runs on the active float32 backend and on the TS reference", () => {
  expect(backends).toContain("ts");
  expect(cl.kernelBackend()).toBe(active);
});

const r = (shape: number[], seed: number): cl.Tensor => cl.randn(shape, { seed });

describe("conv2d = tf.conv2d", () => {
  it("x=[2,7,5,3] w=[3,2,3,4] valid", () =>
    compare([r([2, 7, 5, 3], 1), r([3, 2, 3, 4], 2)], (x, w) => cl.conv2d(x!, w!), (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid")));
  it("x=[2,7,5,3] w=[3,3,3,4] s=2 same", () =>
    compare([r([2, 7, 5, 3], 3), r([3, 3, 3, 4], 4)], (x, w) => cl.conv2d(x!, w!, { stride: 2, padding: "same" }), (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same")));
  it("x=[1,8,8,2] w=[2,2,2,3] s=1 same (even filter: the odd pixel of padding goes bottom/right)", () =>
    compare([r([1, 8, 8, 2], 5), r([2, 2, 2, 3], 6)], (x, w) => cl.conv2d(x!, w!, { stride: 1, padding: "same" }), (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same")));
  // Even filters with stride 2 and "same": TF pads (ceil(n/s) − 1)·s + f − n in total, the odd pixel after.
  it("x=[2,7,9,2] w=[2,2,2,3] s=2 same (even filter; 1 pixel of padding, after, on both axes)", () =>
    compare([r([2, 7, 9, 2], 51), r([2, 2, 2, 3], 52)], (x, w) => cl.conv2d(x!, w!, { stride: 2, padding: "same" }), (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same")));
  it("x=[1,7,8,3] w=[4,4,3,2] s=2 same (even filter; 3 rows of padding, 1 before and 2 after; 2 columns, 1 and 1)", () =>
    compare([r([1, 7, 8, 3], 53), r([4, 4, 3, 2], 54)], (x, w) => cl.conv2d(x!, w!, { stride: 2, padding: "same" }), (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same")));
  it("x=[1,8,6,2] w=[4,2,2,2] s=[2,3] same (even filter, different strides per axis)", () =>
    compare([r([1, 8, 6, 2], 55), r([4, 2, 2, 2], 56)], (x, w) => cl.conv2d(x!, w!, { stride: [2, 3], padding: "same" }), (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [2, 3], "same")));
  it("x=[2,7,5,3] w=[3,2,3,2] p=[1,2] s=[2,1] (explicit padding)", () =>
    compare(
      [r([2, 7, 5, 3], 7), r([3, 2, 3, 2], 8)],
      (x, w) => cl.conv2d(x!, w!, { stride: [2, 1], padding: [1, 2] }),
      (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, [2, 1], [[0, 0], [1, 1], [2, 2], [0, 0]]),
    ));
  it("x=[1,9,8,2] w=[3,3,2,2] d=2 valid and same (forward; tfjs has no dilated conv gradient)", () => {
    const x = r([1, 9, 8, 2], 9), w = r([3, 3, 2, 2], 10);
    compare([x, w], (a, b) => cl.conv2d(a!, b!, { dilation: 2 }), (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid", "NHWC", 2), { grads: false });
    compare([x, w], (a, b) => cl.conv2d(a!, b!, { dilation: [2, 1], padding: "same" }), (a, b) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same", "NHWC", [2, 1]), { grads: false });
  });
  it("with bias: x=[2,6,6,3] w=[3,3,3,4] p=1", () =>
    compare(
      [r([2, 6, 6, 3], 11), r([3, 3, 3, 4], 12), r([4], 13)],
      (x, w, b) => cl.conv2d(x!, w!, { padding: 1, bias: b! }),
      (x, w, b) => tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]), b!),
    ));
});

describe("conv1d / conv3d / depthwise = tfjs", () => {
  it("conv1d x=[2,9,3] w=[3,3,2] s=2 same", () =>
    compare([r([2, 9, 3], 21), r([3, 3, 2], 22)], (x, w) => cl.conv1d(x!, w!, { stride: 2, padding: "same" }), (x, w) => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, "same")));
  it("conv3d x=[1,5,6,4,2] w=[3,2,3,2,3] s=2 same", () =>
    compare(
      [r([1, 5, 6, 4, 2], 23), r([3, 2, 3, 2, 3], 24)],
      (x, w) => cl.conv3d(x!, w!, { stride: 2, padding: "same" }),
      (x, w) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 2, "same"),
    ));
  it("conv3d x=[2,5,5,5,2] w=[3,3,3,2,2] valid", () =>
    compare([r([2, 5, 5, 5, 2], 25), r([3, 3, 3, 2, 2], 26)], (x, w) => cl.conv3d(x!, w!), (x, w) => tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, 1, "valid")));
  it("depthwise x=[2,7,5,3] w=[3,3,3,2] s=2 same", () =>
    compare(
      [r([2, 7, 5, 3], 27), r([3, 3, 3, 2], 28)],
      (x, w) => cl.depthwiseConv2d(x!, w!, { stride: 2, padding: "same" }),
      (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, "same"),
    ));
  it("depthwise x=[1,6,7,2] w=[2,3,2,1] valid", () =>
    compare([r([1, 6, 7, 2], 29), r([2, 3, 2, 1], 30)], (x, w) => cl.depthwiseConv2d(x!, w!), (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "valid")));
  it("depthwise x=[1,9,9,2] w=[3,3,2,2] d=2 same (forward)", () =>
    compare(
      [r([1, 9, 9, 2], 31), r([3, 3, 2, 2], 32)],
      (x, w) => cl.depthwiseConv2d(x!, w!, { dilation: 2, padding: "same" }),
      (x, w) => tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same", "NHWC", 2),
      { grads: false },
    ));
});

describe("conv2dTranspose = tf.conv2dTranspose", () => {
  it("x=[2,4,3,3] w=[3,3,2,3] s=2 same", () =>
    compare(
      [r([2, 4, 3, 3], 33), r([3, 3, 2, 3], 34)],
      (x, w) => cl.conv2dTranspose(x!, w!, { stride: 2, padding: "same" }),
      (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, 8, 6, 2], 2, "same"),
    ));
  it("x=[1,4,5,2] w=[2,3,3,2] s=[1,2] valid", () =>
    compare(
      [r([1, 4, 5, 2], 35), r([2, 3, 3, 2], 36)],
      (x, w) => cl.conv2dTranspose(x!, w!, { stride: [1, 2] }),
      (x, w) => tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [1, 5, 11, 3], [1, 2], "valid"),
    ));
});

describe("pooling = tfjs", () => {
  it("maxPool2d x=[2,7,5,3] f=3 s=2 same", () =>
    compare([r([2, 7, 5, 3], 41)], (x) => cl.maxPool2d(x!, { size: 3, stride: 2, padding: "same" }), (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, "same")));
  it("maxPool2d x=[2,6,6,2] f=2 (stride = size) valid", () =>
    compare([r([2, 6, 6, 2], 42)], (x) => cl.maxPool2d(x!, { size: 2 }), (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, "valid")));
  // (tfjs sizes a numerically padded pool by the window's height on both axes: square windows here)
  it("maxPool2d x=[1,7,5,2] f=3 s=2 p=1", () =>
    compare([r([1, 7, 5, 2], 43)], (x) => cl.maxPool2d(x!, { size: 3, stride: 2, padding: 1 }), (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 1)));
  it("maxPool2d x=[1,7,6,2] f=[3,2] s=[2,1] valid", () =>
    compare([r([1, 7, 6, 2], 48)], (x) => cl.maxPool2d(x!, { size: [3, 2], stride: [2, 1] }), (x) => tf.maxPool(x as tf.Tensor4D, [3, 2], [2, 1], "valid")));
  it("avgPool2d x=[2,7,5,3] f=3 s=2 valid", () =>
    compare([r([2, 7, 5, 3], 44)], (x) => cl.avgPool2d(x!, { size: 3, stride: 2 }), (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, "valid")));
  // tfjs's avgPool gradient divides by the whole window even where its forward left padding out;
  // ours is the derivative of the forward (gradcheck in pool.test.ts), so only values are compared here.
  it("avgPool2d x=[2,7,5,3] f=3 s=2 same (forward: padding left out of the average)", () =>
    compare([r([2, 7, 5, 3], 45)], (x) => cl.avgPool2d(x!, { size: 3, stride: 2, padding: "same" }), (x) => tf.avgPool(x as tf.Tensor4D, 3, 2, "same"), { grads: false }));
  it("maxPool3d / avgPool3d x=[1,5,6,4,2] f=2 s=2 same", () => {
    const x = r([1, 5, 6, 4, 2], 46);
    compare([x], (a) => cl.maxPool3d(a!, { size: 2, padding: "same" }), (a) => tf.maxPool3d(a as tf.Tensor5D, 2, 2, "same"));
    compare([x], (a) => cl.avgPool3d(a!, { size: [3, 2, 2], stride: [2, 2, 1] }), (a) => tf.avgPool3d(a as tf.Tensor5D, [3, 2, 2], [2, 2, 1], "valid"));
  });
  it("globalAvgPool2d / globalMaxPool2d x=[2,5,4,3]", () => {
    const x = r([2, 5, 4, 3], 47);
    compare([x], (a) => cl.globalAvgPool2d(a!), (a) => tf.mean(a!, [1, 2]));
    compare([x], (a) => cl.globalMaxPool2d(a!), (a) => tf.max(a!, [1, 2]));
  });
});

describe("dense and losses = tfjs", () => {
  it("dense x=[4,7] w=[7,5] b=[5]", () =>
    compare([r([4, 7], 51), r([7, 5], 52), r([5], 53)], (x, w, b) => cl.dense(x!, w!, b!), (x, w, b) => tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b!)));
  it("softmaxCrossEntropy logits=[5,4] with class ids", () => {
    const labels = [3, 0, 1, 3, 2];
    const onehot = tf.oneHot(tf.tensor1d(labels, "int32"), 4);
    compare([r([5, 4], 54).mul(3)], (z) => cl.softmaxCrossEntropy(z!, labels), (z) => tf.losses.softmaxCrossEntropy(onehot, z!));
  });
  it("softmaxCrossEntropy logits=[3,6] with target probabilities", () => {
    const t = cl.softmax(r([3, 6], 55));
    compare([r([3, 6], 56)], (z) => cl.softmaxCrossEntropy(z!, t), (z) => tf.losses.softmaxCrossEntropy(toTf(t), z!));
  });
  it("softmax / logSoftmax / sigmoid / tanh / relu / leakyRelu x=[3,5]", () => {
    const x = r([3, 5], 57).mul(4);
    compare([x], (a) => cl.softmax(a!), (a) => tf.softmax(a!));
    compare([x], (a) => cl.logSoftmax(a!), (a) => tf.logSoftmax(a!));
    compare([x], (a) => cl.sigmoid(a!), (a) => tf.sigmoid(a!));
    compare([x], (a) => cl.tanh(a!), (a) => tf.tanh(a!));
    compare([x], (a) => cl.relu(a!), (a) => tf.relu(a!));
    compare([x], (a) => cl.leakyRelu(a!, 0.2), (a) => tf.leakyRelu(a!, 0.2));
  });
  it("mse and bce (from logits) x=[4,3]", () => {
    const t = cl.rand([4, 3], { seed: 58 });
    compare([r([4, 3], 59)], (p) => cl.mse(p!, t), (p) => tf.losses.meanSquaredError(toTf(t), p!));
    compare([r([4, 3], 60).mul(3)], (z) => cl.bce(z!, t), (z) => tf.losses.sigmoidCrossEntropy(toTf(t), z!));
  });
});
