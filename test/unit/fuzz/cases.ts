// The cases of the public-API fuzz suite (api-fuzz.test.ts runs them in a child process, one at
// a time, under a per-call guard). Every function, class and method the `convlab` entry exports
// is found by walking its namespaces, so a new export is fuzzed without being listed here:
// - "generic" calls: seeded random argument lists mixing malformed values with plausible ones;
// - "targeted" calls, for exports with a valid baseline call below: each argument in turn, and
//   each field of an options argument, replaced by malformed values.
// A case passes when the call returns, or throws a convlab error (`ConvlabError`); it fails when
// it throws anything else (V8's TypeError/RangeError...), or returns a tensor that is all NaN
// although no NaN or infinity went in, or a displayable whose widget payload its own validator
// refuses.
import fc from "fast-check";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type * as Convlab from "../../../src/index.js";

type Cl = typeof Convlab;
type Args = unknown[];

/**
 * Namespaces and exports left out, each with why. These are being reworked by other engineers
 * now; switch one on by deleting its line (its bad-input errors must then be convlab errors too).
 */
export const EXCLUDED: Record<string, string> = {
  nn: "model-platform engineer rewrites src/nn (issue 12) and adds its checks",
  train: "model-platform engineer rewrites src/train (issue 12) and adds its checks",
  // src/kernels (kernel engineer): backend switches and thread pool
  setFloat32Kernels: "kernel engineer (src/kernels)",
  useReferenceKernels: "kernel engineer (src/kernels)",
  useWasmKernels: "kernel engineer (src/kernels)",
  initWasm: "kernel engineer (src/kernels)",
  setThreads: "kernel engineer (src/kernels)",
  shutdownThreads: "kernel engineer (src/kernels)",
};

/**
 * Exports fuzzed only by replacing the fields of their baseline's options (no generic calls, no
 * whole-argument replacement): any valid call without a `dir` and a `limit` reads a whole real
 * dataset (60,000 images), so those calls would mostly measure that.
 */
export const HEAVY: Record<string, string> = {
  "io.loadMnist": "a valid call loads all of MNIST",
  "io.loadFashionMnist": "a valid call loads all of Fashion-MNIST",
};

export interface Case {
  /** "add", "inspect.featureMaps", "Tensor#reshape", "new data.Batches". */
  path: string;
  kind: "generic" | "targeted" | "baseline";
  run: () => unknown;
  /** The arguments, described for the report. */
  describe: string;
  /** Whether a NaN or infinity went in (then a NaN result is fine). */
  nonFinite: boolean;
}

export interface Export {
  path: string;
  value: unknown;
  isClass: boolean;
}

/** Every function and class the entry exports, by walking namespace objects (depth ≤ 3). */
export function exportsOf(cl: Cl): Export[] {
  const out: Export[] = [];
  const walk = (o: Record<string, unknown>, prefix: string, depth: number): void => {
    for (const k of Object.keys(o).sort()) {
      const path = prefix + k;
      if (EXCLUDED[path] !== undefined) continue;
      const v = o[k];
      if (typeof v === "function") out.push({ path, value: v, isClass: /^class[\s{]/.test(Function.prototype.toString.call(v)) });
      else if (v !== null && typeof v === "object" && Object.prototype.toString.call(v) === "[object Module]" && depth < 3) walk(v as Record<string, unknown>, `${path}.`, depth + 1);
    }
  };
  walk(cl as unknown as Record<string, unknown>, "", 0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Values

/** Malformed values of every kind: wrong types, odd numbers, impossible sizes, odd objects. */
function badValues(): unknown[] {
  const bare = Object.create(null) as object;
  return [
    null, undefined, NaN, Infinity, -Infinity, -1, 0, 1.5, -0.5, 1e300, 2 ** 53, 1e10,
    "abc", "", "1", "__proto__", true, false, Symbol("s"), 10n,
    {}, [], [null], ["a"], [NaN], [-1], [1e10, 1e10], [[]], [1, [2]],
    bare, new Date(0), new Map(), new Uint8Array(3), new BigInt64Array(2), () => 0,
    new Proxy({}, {}), { shape: "x" }, { length: 1e12 },
  ];
}

function isNonFinite(v: unknown, depth = 0): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  if (depth > 2 || v === null || typeof v !== "object") return false;
  if (ArrayBuffer.isView(v)) return false;
  try {
    return Object.values(v as object).some((x) => isNonFinite(x, depth + 1));
  } catch {
    return false;
  }
}

/** Short text of a value for the report. */
export function show(v: unknown): string {
  try {
    if (typeof v === "symbol") return "Symbol()";
    if (typeof v === "bigint") return `${v}n`;
    if (typeof v === "function") return "fn";
    if (typeof v === "string") return JSON.stringify(v);
    if (v === undefined) return "undefined";
    if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
    if (v === null || typeof v !== "object") return String(v);
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    if (name === "Tensor") return `Tensor[${(v as { shape: number[] }).shape}]`;
    if (ArrayBuffer.isView(v)) return `${name}(${(v as unknown as ArrayLike<number>).length})`;
    if (Array.isArray(v)) return `[${v.slice(0, 4).map(show).join(",")}${v.length > 4 ? ",…" : ""}]`;
    if (name === undefined) return "Object.create(null)";
    if (name !== "Object") return name;
    const entries = Object.entries(v).slice(0, 4).map(([k, x]) => `${k}:${show(x)}`);
    return `{${entries.join(",")}}`;
  } catch {
    return "?";
  }
}

// ---------------------------------------------------------------------------------------------
// Baselines: one valid call per export (arguments made fresh for every case)

type Baseline = (cl: Cl) => Args;

/** Positive values (so that log, sqrt and division give no NaN). */
const pos = (cl: Cl, shape: number[], seed = 1): Convlab.Tensor => cl.rand(shape, { low: 0.5, high: 2, seed });

function fakeModel(cl: Cl) {
  // What the inspect builders need of a model: a name, per-layer activations, a chain of layers and a summary.
  const model = {
    name: "fake",
    layers: [{ name: "conv", type: "Conv2D", config: { size: 3, stride: 1, padding: "same" } }],
    activations: (x: Convlab.Tensor) => [{ name: "conv", type: "Conv2D", output: cl.relu(cl.conv2d(x, pos(cl, [3, 3, 1, 2]), { padding: "same" })) }],
    summary: () => ({ rows: [{ name: "input", outputShape: [6, 6, 1] }, { name: "conv", outputShape: [6, 6, 2] }] }),
  };
  return model;
}

/** A 4-example MNIST-format folder in the working directory (gzipped for Fashion-MNIST's file names). */
function tinyIdx(cl: Cl, dir: string, gz: boolean): string {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    const images = cl.data.encodeIdx({ shape: [4, 28, 28], dtype: "uint8", data: new Uint8Array(4 * 784).fill(7) });
    const labels = cl.data.encodeIdx({ shape: [4], dtype: "uint8", data: new Uint8Array([0, 1, 2, 3]) });
    const put = (name: string, b: Uint8Array): void => writeFileSync(`${dir}/${name}${gz ? ".gz" : ""}`, gz ? gzipSync(b) : b);
    put("t10k-images-idx3-ubyte", images);
    put("t10k-labels-idx1-ubyte", labels);
  }
  return dir;
}

/** A real 2-D conv net (the fuzz excludes cl.nn itself, but builders that take a model need one). */
function tinyNet(cl: Cl) {
  return cl.nn.sequential([cl.nn.conv2d({ name: "c", filters: 2, size: 3, padding: "same", activation: "relu" })], { inputShape: [6, 6, 1], seed: 1 });
}

function tinyNet3(cl: Cl) {
  return cl.nn.sequential([cl.nn.conv2d({ name: "c", filters: 2, size: 3, padding: "same", activation: "relu" })], { inputShape: [6, 6, 3], seed: 1 });
}

function tinyNet3d(cl: Cl) {
  return cl.nn.sequential([cl.nn.conv3d({ name: "c", filters: 2, size: 2 })], { inputShape: [4, 4, 4, 1], seed: 1 });
}

const picture = (cl: Cl, shape: number[], seed = 1): Convlab.Tensor => cl.rand(shape, { low: 0, high: 1, seed });

const summaryLike = { name: "m", type: "Sequential", rows: [{ name: "input", type: "Input", config: "", outputShape: [2], activationSize: 2, params: 0, mults: 0 }], totalParams: 0, trainableParams: 0 };

export const BASELINES: Record<string, Baseline> = {
  // tensors and creation
  tensor: () => [[[1, 2], [3, 4]], [4], { dtype: "float32" }],
  scalar: () => [2, { dtype: "float64" }],
  zeros: () => [[2, 3], { dtype: "float32", requiresGrad: false }],
  ones: () => [[2, 3], {}],
  full: () => [[2, 2], 3, { dtype: "float64" }],
  zerosLike: (cl) => [pos(cl, [2]), {}],
  onesLike: (cl) => [pos(cl, [2]), {}],
  rand: () => [[2, 2], { seed: 1, low: 0, high: 1, dtype: "float32" }],
  randn: () => [[2, 2], { seed: 1, mean: 0, std: 1 }],
  arange: () => [0, 5, 1, {}],
  linspace: () => [0, 1, 5, {}],
  eye: () => [3, {}],
  formatTensor: (cl) => [pos(cl, [2, 2]), "x"],
  // autograd
  noGrad: (cl) => [() => cl.ones([1])],
  enableGrad: (cl) => [() => cl.ones([1])],
  retainGrad: (cl) => [pos(cl, [2])],
  gradcheck: (cl) => [(t: Convlab.Tensor) => cl.mul(t, t), [pos(cl, [3])], { eps: 1e-6, atol: 1e-5, rtol: 1e-3, seed: 0, maxElements: 3 }],
  // elementwise
  add: (cl) => [pos(cl, [2, 2]), pos(cl, [2])], sub: (cl) => [pos(cl, [2, 2]), 1], mul: (cl) => [2, pos(cl, [2])],
  div: (cl) => [pos(cl, [2, 2]), pos(cl, [2, 2], 2)], pow: (cl) => [pos(cl, [2]), 2],
  maximum: (cl) => [pos(cl, [2]), 1], minimum: (cl) => [pos(cl, [2]), 1],
  greater: (cl) => [pos(cl, [2]), 1], greaterEqual: (cl) => [pos(cl, [2]), 1], less: (cl) => [pos(cl, [2]), 1],
  lessEqual: (cl) => [pos(cl, [2]), 1], equal: (cl) => [pos(cl, [2]), 1],
  neg: (cl) => [pos(cl, [2])], exp: (cl) => [pos(cl, [2])], log: (cl) => [pos(cl, [2])], sqrt: (cl) => [pos(cl, [2])],
  abs: (cl) => [pos(cl, [2])], square: (cl) => [pos(cl, [2])], sign: (cl) => [pos(cl, [2])], clip: (cl) => [pos(cl, [2]), 0, 1],
  // reductions and layout
  sum: (cl) => [pos(cl, [2, 3]), 1, true], mean: (cl) => [pos(cl, [2, 3]), [0, 1], false],
  max: (cl) => [pos(cl, [2, 3]), 0, false], min: (cl) => [pos(cl, [2, 3]), -1, true],
  argmax: (cl) => [pos(cl, [2, 3]), 1, false], argmin: (cl) => [pos(cl, [2, 3]), 0, true],
  reshape: (cl) => [pos(cl, [2, 3]), [3, -1]], flatten: (cl) => [pos(cl, [2, 3, 1]), 1],
  squeeze: (cl) => [pos(cl, [2, 1]), 1], unsqueeze: (cl) => [pos(cl, [2]), 0], transpose: (cl) => [pos(cl, [2, 3]), [1, 0]],
  slice: (cl) => [pos(cl, [3, 3]), [1, 0], [2, -1]], gather: (cl) => [pos(cl, [3, 2]), [2, 0], 0],
  concat: (cl) => [[pos(cl, [2, 2]), pos(cl, [1, 2])], 0], stack: (cl) => [[pos(cl, [2]), pos(cl, [2])], 1],
  pad: (cl) => [pos(cl, [2, 2]), [[1, 0], [0, 2]], 0], flip: (cl) => [pos(cl, [2, 2]), [0]], broadcastTo: (cl) => [pos(cl, [1, 2]), [3, 2]],
  matmul: (cl) => [pos(cl, [2, 3]), pos(cl, [3, 2]), { transA: false, transB: false }],
  // convolution family and pooling
  conv2d: (cl) => [pos(cl, [1, 5, 5, 2]), pos(cl, [3, 3, 2, 2]), { stride: 1, padding: "same", dilation: 1, bias: pos(cl, [2]) }],
  convolve2d: (cl) => [pos(cl, [1, 5, 5, 1]), pos(cl, [3, 3, 1, 1]), { stride: [1, 1], padding: 1 }],
  conv2dShape: () => [[1, 39, 39, 3], [3, 3, 3, 10], { stride: 1, padding: "valid" }],
  outputSize: () => [6, 3, { padding: 1, stride: 1, dilation: 1 }],
  conv1d: (cl) => [pos(cl, [1, 8, 1]), pos(cl, [3, 1, 2]), { stride: 1, padding: "same", dilation: 1 }],
  conv1dShape: () => [[1, 14, 1], [5, 1, 16], { stride: 1 }],
  conv3d: (cl) => [pos(cl, [1, 4, 4, 4, 1]), pos(cl, [2, 2, 2, 1, 2]), { stride: 1, padding: "valid" }],
  conv3dShape: () => [[1, 14, 14, 14, 1], [5, 5, 5, 1, 16], { stride: 1 }],
  depthwiseConv2d: (cl) => [pos(cl, [1, 5, 5, 2]), pos(cl, [3, 3, 2, 1]), { padding: "same" }],
  depthwiseConv2dShape: () => [[1, 5, 5, 2], [3, 3, 2, 1], { padding: "valid" }],
  conv2dTranspose: (cl) => [pos(cl, [1, 3, 3, 2]), pos(cl, [3, 3, 1, 2]), { stride: 2, padding: "same" }],
  conv2dTransposeShape: () => [[1, 7, 7, 16], [3, 3, 8, 16], { stride: 2, padding: "same" }],
  maxPool2d: (cl) => [pos(cl, [1, 4, 4, 1]), { size: 2, stride: 2, padding: "valid" }],
  avgPool2d: (cl) => [pos(cl, [1, 4, 4, 1]), { size: [2, 2], stride: 1, padding: "same" }],
  maxPool1d: (cl) => [pos(cl, [1, 6, 2]), { size: 2 }], avgPool1d: (cl) => [pos(cl, [1, 6, 2]), { size: 3, stride: 1 }],
  maxPool3d: (cl) => [pos(cl, [1, 4, 4, 4, 1]), { size: 2 }], avgPool3d: (cl) => [pos(cl, [1, 4, 4, 4, 1]), { size: 2, stride: 2 }],
  globalAvgPool2d: (cl) => [pos(cl, [1, 2, 2, 3]), { keepDims: true }], globalMaxPool2d: (cl) => [pos(cl, [1, 2, 2, 3]), {}],
  pool1dShape: () => [[1, 6, 2], { size: 2 }], pool2dShape: () => [[1, 4, 4, 1], { size: 2 }], pool3dShape: () => [[1, 4, 4, 4, 1], { size: 2 }],
  // dense, activations, normalization, losses
  dense: (cl) => [pos(cl, [2, 3]), pos(cl, [3, 4]), pos(cl, [4])],
  relu: (cl) => [pos(cl, [2])], relu6: (cl) => [pos(cl, [2])], sigmoid: (cl) => [pos(cl, [2])], tanh: (cl) => [pos(cl, [2])],
  leakyRelu: (cl) => [pos(cl, [2]), 0.1], softmax: (cl) => [pos(cl, [2, 3]), -1], logSoftmax: (cl) => [pos(cl, [2, 3]), 1],
  batchNorm: (cl) => [pos(cl, [4, 2]), pos(cl, [2]), pos(cl, [2]), { training: true, runningMean: cl.zeros([2]), runningVar: cl.ones([2]), momentum: 0.1, eps: 1e-5 }],
  dropout: (cl) => [pos(cl, [4]), 0.5, { training: true, seed: 1 }],
  softmaxCrossEntropy: (cl) => [pos(cl, [2, 3]), [0, 2]],
  mse: (cl) => [pos(cl, [2, 2]), pos(cl, [2, 2], 2)],
  bce: (cl) => [pos(cl, [2]), cl.tensor([0, 1]), { fromLogits: true }],
  manualSeed: () => [3],
  // classes (called with `new`)
  Rng: () => [7],
  Tensor: () => [new Float32Array(4), [2, 2], false],
  // data
  "data.parseIdx": (cl) => [cl.data.encodeIdx({ shape: [2], dtype: "uint8", data: new Uint8Array([1, 2]) }), "labels"],
  "data.encodeIdx": () => [{ shape: [2], dtype: "uint8", data: new Uint8Array([1, 2]) }],
  "data.mnistFromIdx": () => [{ shape: [2, 2, 2], dtype: "uint8", data: new Uint8Array(8) }, { shape: [2], dtype: "uint8", data: new Uint8Array([1, 3]) }, { limit: 1, pad32: false }, "tiny"],
  "data.selectIndices": () => [10, { offset: 2, limit: 3, seed: 1 }, "op"],
  "data.batches": (cl) => [{ x: pos(cl, [4, 2]), y: cl.tensor([0, 1, 0, 1]) }, { batchSize: 2, shuffle: true, seed: 1 }],
  "data.Batches": (cl) => [{ x: pos(cl, [4, 2]), y: cl.tensor([0, 1, 0, 1]) }, { batchSize: 3 }],
  "data.take": (cl) => [{ x: pos(cl, [4, 2]), y: cl.tensor([0, 1, 0, 1]) }, [3, 1]],
  "data.takeRows": (cl) => [pos(cl, [4, 2]), [3, 1], "op"],
  "data.subset": (cl) => [{ x: pos(cl, [4, 2]), y: cl.tensor([0, 1, 0, 1]) }, { size: 2, seed: 1 }],
  "data.split": (cl) => [{ x: pos(cl, [4, 2]), y: cl.tensor([0, 1, 0, 1]) }, { validation: 0.5, seed: 1, shuffle: true }],
  "data.oneHot": () => [[2, 0], 3],
  "data.resize": (cl) => [pos(cl, [4, 4, 1]), [2, 3], { method: "bilinear", alignCorners: false }],
  // models
  "models.lenet5": () => [{ variant: "course", classes: 10, seed: 1 }],
  "models.googlenet": () => [{ inputShape: [72, 72, 3], classes: 3, auxClassifiers: true, size5x5: 3, dropout: 0.2, includeTop: true, seed: 1, name: "g" }],
  "models.withHead": (cl) => [cl.models.lenet5({ inputShape: [32, 32, 1], seed: 1 }), { at: "POOL2", classes: 3, freeze: true, seed: 2, name: "t" }],
  // inspect
  "inspect.encodePng": () => [{ width: 2, height: 1, channels: 1, data: new Uint8Array([0, 255]) }, {}],
  "inspect.toBase64": () => [new Uint8Array([1, 2, 3])],
  "inspect.fromBase64": () => ["AQID"],
  "inspect.pngDataUrl": () => [new Uint8Array([137, 80, 78, 71])],
  "inspect.crc32": () => [new Uint8Array([1, 2]), 0],
  "inspect.heatmapRgb": () => [[0, 0.5, 1], { colormap: "viridis", min: 0, max: 1 }],
  "inspect.heatmapRange": () => [[0, 0.5, 1], {}],
  "inspect.colorAt": () => [0.5, "gray"],
  "inspect.tensorToImage": (cl) => [pos(cl, [3, 3]), { colormap: "gray" }],
  "inspect.tensorToPng": (cl) => [pos(cl, [3, 3, 3]), { mode: "image" }],
  "inspect.upscaleNearest": () => [{ width: 1, height: 1, channels: 1, data: new Uint8Array([5]) }, 2],
  "inspect.show": (cl) => [pos(cl, [2]), {}],
  "inspect.toMimeBundle": (cl) => [pos(cl, [3, 3])],
  "inspect.tensorMimeBundle": (cl) => [pos(cl, [3, 3])],
  "inspect.isDisplayable": () => [{}],
  "inspect.parsePayload": () => ["application/vnd.convlab.model+json", { version: 1 }],
  "inspect.packArray": () => [[1, 2, 3, 4], { dtype: "uint8", sliceSize: 2 }],
  "inspect.unpackArray": () => [{ dtype: "float32", data: "AACAPw==" }, 1, 1],
  "inspect.Raster": () => [4, 3, [0, 0, 0]],
  "inspect.paletteRgb": () => [3],
  "inspect.imageRef": (cl) => [pos(cl, [3, 3]), {}],
  "inspect.exampleOf": (cl) => [pos(cl, [2, 3, 3, 1]), 1, "op"],
  "inspect.isPicture": (cl) => [pos(cl, [3, 3])],
  "inspect.featureMaps": (cl) => [fakeModel(cl), pos(cl, [1, 6, 6, 1]), { example: 0, scale: "shared", colormap: "gray", precision: "uint8" }],
  "inspect.activations": (cl) => [fakeModel(cl), pos(cl, [2, 6, 6, 1]), { bins: 5, step: 1, units: [{ layer: "conv", units: [0], k: 2 }], interactive: false }],
  "inspect.activationsCallback": (cl) => [fakeModel(cl), pos(cl, [1, 6, 6, 1]), { every: "epoch", id: "a" }],
  "inspect.layerStats": (cl) => ["l", "Dense", pos(cl, [2, 3]), 4],
  "inspect.topPatches": (cl) => [fakeModel(cl), pos(cl, [2, 6, 6, 1]), "conv", 1, 2],
  "inspect.receptiveField": (cl) => [fakeModel(cl), "conv", 2, 3],
  "inspect.receptiveFieldOf": (cl) => [fakeModel(cl), "conv"],
  "inspect.receptiveFields": (cl) => [fakeModel(cl)],
  "inspect.maximizeActivation": (cl) => [tinyNet(cl), "c", 1, { steps: 2, lr: 0.05, seed: 1, jitter: 1, blurEvery: 1, blurSigma: 0.5, decay: 0.1, objective: "mean", inputShape: [6, 6, 1], progress: false }],
  "inspect.volumeSlices": (cl) => [tinyNet3d(cl), pos(cl, [1, 4, 4, 4, 1]), { example: 0, axis: 1, slices: 2, input: true, colormap: "gray" }],
  "inspect.detections": (cl) => [{
    image: pos(cl, [8, 8, 3]), classes: ["a", "b"], predictions: [{ box: { x1: 1, y1: 1, x2: 4, y2: 4 }, score: 0.9, classId: 1 }],
    groundTruth: [{ box: { x1: 1, y1: 1, x2: 4, y2: 5 }, classId: 0 }], nms: { scoreThreshold: 0.5, iouThreshold: 0.5, perClass: true },
    grid: 2, anchors: [{ width: 2, height: 3 }], landmarks: [{ x: 1, y: 2 }], landmarkTruth: [{ x: 2, y: 2 }],
  }],
  "inspect.embeddings": (cl) => [pos(cl, [4, 3]), { labels: [0, 0, 1, 1], identities: ["a", "b"], triplets: [{ anchor: 0, positive: 1, negative: 2 }], alpha: 0.2, tau: 1, projection: "pca" }],
  "inspect.pca": () => [[1, 2, 3, 4, 5, 7], 3, 2, { dims: 1, seed: 0, iterations: 50 }],
  "inspect.tsne": (cl) => [pos(cl, [5, 2]), { dims: 2, perplexity: 1, iterations: 20, seed: 0, learningRate: 10 }],
  "inspect.tsneCoords": () => [[1, 2, 3, 4, 5, 6, 7, 8], 4, 2, { iterations: 10, perplexity: 1 }],
  "inspect.squaredDistance": () => [[1, 2, 3, 5], 2, 0, 1],
  "inspect.verificationPairs": () => [[1, 2, 3, 5, 0, 0], 3, 2, [0, 0, 1], { maxPairs: 10, seed: 0 }],
  "inspect.trainingCurves": () => [{ epochs: [{ epoch: 0, loss: 1, metrics: { accuracy: 0.5 } }] }],
  "inspect.modelPayload": () => [summaryLike],
  "inspect.fmtTuple": () => [[1, 2]],
  "inspect.linePlot": () => [{ series: [{ name: "a", x: [1, 2], y: [0.5, 0.25] }], title: "t", xLabel: "x", yLabel: "y", yMin: 0, yMax: 1, width: 200, height: 150 }],
  "inspect.LinePlot": () => [{ series: [{ name: "a", x: [1, 2], y: [0.5, 0.25] }, { name: "b", x: [1], y: [1] }] }],
  // style
  "style.gram": (cl) => [pos(cl, [1, 2, 2, 3])],
  "style.contentCost": (cl) => [pos(cl, [1, 2, 2, 3]), pos(cl, [1, 2, 2, 3], 2), { normalization: "assignment" }],
  "style.styleCost": (cl) => [pos(cl, [2, 2, 3]), pos(cl, [2, 2, 3], 2)],
  "style.styleCostLayers": (cl) => [{ a: pos(cl, [2, 2, 3]) }, { a: pos(cl, [2, 2, 3], 2) }, { a: 0.5 }],
  "style.totalCost": (cl) => [pos(cl, [1]).sum(), 2, { alpha: 1, beta: 2 }],
  "style.transfer": (cl) => [{
    content: picture(cl, [8, 8, 3]), style: picture(cl, [10, 10, 3], 2), extractor: tinyNet3(cl), contentLayer: "c", styleLayers: ["c"],
    alpha: 1, beta: 2, steps: 2, size: 6, init: "noise", noise: 0.1, lr: 0.01, seed: 1, contentNormalization: "course", previewEvery: 0, previewId: "p", progress: false,
  }],
  "style.costCurves": () => [[{ step: 0, total: 2, content: 1, style: 1 }, { step: 1, total: 1, content: 0.5, style: 0.5 }]],
  "style.randomFeatureNet": () => [{ inputShape: [8, 8, 3], sizes: [3, 5], filters: 2, seed: 1 }],
  "style.gallery": (cl) => [[{ title: "a", image: picture(cl, [4, 4, 3]) }, { title: "g", image: pos(cl, [3, 3]) }], { height: 16, caption: "c" }],
  "style.Gallery": (cl) => [[{ title: "a", image: picture(cl, [1, 4, 4, 1]) }], { height: 16 }],
  // data (synthetic)
  "data.ecgBeats": () => [{ n: 2, length: 48, noise: 0.05, seed: 1 }],
  "data.shapeVolumes": () => [{ n: 3, size: 8, noise: 0.1, seed: 1 }],
  // io (run in a temporary directory)
  "io.saveTensors": (cl) => ["t.ckpt", { w: pos(cl, [2]) }, { epoch: 1 }],
  "io.loadTensors": (cl) => {
    cl.io.saveTensors("l.ckpt", { w: pos(cl, [2]) });
    return ["l.ckpt"];
  },
  "io.encodeTensors": (cl) => [{ w: pos(cl, [2]) }, {}],
  "io.decodeTensors": (cl) => [cl.io.encodeTensors({ w: pos(cl, [2]) }), "name"],
  "io.writeFileAtomic": () => ["f.bin", [new Uint8Array([1]), new Uint8Array([2])]],
  "io.cacheActivations": (cl) => ["acts/a.ckpt", { model: cl.models.lenet5({ inputShape: [32, 32, 1], seed: 1 }), x: pos(cl, [2, 32, 32, 1]), layer: "FC4", batchSize: 1, onCorrupt: "recompute" }],
  // face (week 4): triplet loss and mining, verification / recognition, siamese encoders, alignment
  "face.tripletLoss": (cl) => [pos(cl, [2, 3], 1), pos(cl, [2, 3], 2), pos(cl, [2, 3], 3), { alpha: 0.2, reduction: "sum" }],
  "face.batchAll": (cl) => [pos(cl, [4, 2]), [0, 0, 1, 1], { alpha: 0.2 }],
  "face.batchHard": (cl) => [pos(cl, [4, 2]), [0, 0, 1, 1], { alpha: 0.2 }],
  "face.semiHard": (cl) => [pos(cl, [4, 2]), [0, 0, 1, 1], { alpha: 0.2 }],
  "face.minedTripletLoss": (cl) => [pos(cl, [4, 2]), [0, 0, 1, 1], { strategy: "semiHard", alpha: 0.2, reduction: "meanActive" }],
  "face.squaredDistance": () => [[1, 2, 3, 5], 2, 0, 1],
  "face.verificationPairs": () => [[1, 2, 3, 5, 0, 0], 3, 2, [0, 0, 1], { maxPairs: 10, seed: 0 }],
  "face.balancedPairs": () => [[1, 2, 3, 5, 0, 0], 3, 2, [0, 0, 1], { count: 4, seed: 0 }],
  "face.verificationAccuracy": () => [{ distance: [1, 2, 3], same: [1, 0, 0] }, 1.5],
  "face.rocCurve": () => [{ distance: [1, 2, 3], same: [1, 0, 0] }],
  "face.bestThreshold": () => [{ distance: [1, 2, 3], same: [1, 0, 0] }],
  "face.equalErrorRate": () => [{ distance: [1, 2, 3, 4], same: [1, 0, 1, 0] }],
  "face.tripletStats": () => [[0, 0, 1, 0, 0, 2], 2, [{ anchor: 0, positive: 1, negative: 2 }], 0.2],
  "face.verify": (cl) => [pos(cl, [3]), [1, 1, 1], { threshold: 0.5, metric: "euclidean" }],
  "face.faceDistance": (cl) => [pos(cl, [3]), [1, 1, 1], { metric: "squared" }],
  "face.database": (cl) => [{ a: pos(cl, [3]), b: pos(cl, [2, 3], 2) }],
  "face.FaceDatabase": () => [],
  "face.recognize": (cl) => [pos(cl, [3]), cl.face.database({ a: pos(cl, [3]), b: [1, 1, 1] }), { threshold: 0.5, metric: "squared" }],
  "face.oneShotAccuracy": (cl) => [pos(cl, [2, 3]), [0, 1], pos(cl, [3, 3], 2), [0, 1, 1], { metric: "squared" }],
  "face.encoder": () => [{ inputShape: [8, 8, 1], dim: 4, filters: [2], hidden: 3, normalize: true, seed: 0, name: "enc" }],
  "face.siamese": (cl) => [cl.face.encoder({ inputShape: [8, 8, 1], dim: 4, filters: [2], hidden: 0, seed: 0 }), { inputs: 3 }],
  "face.trainTriplets": (cl) => [
    cl.face.encoder({ inputShape: [8, 8, 1], dim: 4, filters: [2], hidden: 0, seed: 0 }),
    { x: pos(cl, [6, 8, 8, 1]), y: cl.tensor([0, 0, 0, 1, 1, 1]) },
    { steps: 1, classesPerBatch: 2, perClass: 2, strategy: "hard", alpha: 0.2, reduction: "mean", seed: 0 },
  ],
  "face.encode": (cl) => [cl.face.encoder({ inputShape: [8, 8, 1], dim: 4, filters: [2], hidden: 0, seed: 0 }), pos(cl, [3, 8, 8, 1]), { batchSize: 2, layer: "flatten" }],
  "face.selectClasses": (cl) => [{ x: pos(cl, [4, 2]), y: cl.tensor([0, 1, 2, 1]) }, [1]],
  "face.l2Normalize": (cl) => [pos(cl, [2, 3])],
  "face.L2Normalize": () => [{ name: "l2" }],
  "face.pairFeatures": (cl) => [pos(cl, [2, 3]), pos(cl, [2, 3], 2), { form: "chi2", eps: 1e-6 }],
  "face.pairBatch": (cl) => [pos(cl, [3, 2]), { i: [0, 1], j: [1, 2], same: [1, 0] }, { form: "abs" }],
  "face.verificationHead": () => [4, { seed: 0 }],
  "face.similarityTransform": () => [[{ x: 0, y: 0 }, { x: 1, y: 0 }], [{ x: 1, y: 1 }, { x: 1, y: 3 }]],
  "face.applySimilarity": () => [{ a: 1, b: 0, tx: 1, ty: 2 }, { x: 1, y: 1 }],
  "face.warpSimilarity": (cl) => [pos(cl, [4, 4, 3]), { a: 1, b: 0.1, tx: 0, ty: 0 }, 3],
  "face.landmarkAnchors": () => [Array.from({ length: 68 }, (_, i) => ({ x: i, y: i % 7 }))],
  "face.alignFace": (cl) => [pos(cl, [16, 16, 3]), Array.from({ length: 68 }, (_, i) => ({ x: 4 + (i % 8), y: 4 + (i % 9) })), { size: 8 }],
  "face.describeFaces": (cl) => [pos(cl, [16, 16, 3]), {
    detector: { detect: () => [{ box: { x1: 2, y1: 2, x2: 14, y2: 14 }, score: 0.9 }] },
    landmarks: { landmarks: () => Array.from({ length: 68 }, (_, i) => ({ x: 2 + (i % 8), y: 2 + (i % 9) })) },
    encoder: { descriptor: (img: Convlab.Tensor) => cl.face.l2Normalize(img.reshape([1, -1])).reshape([-1]) },
  }, { size: 8 }],

  // detection (issue 15)
  "detection.iou": () => [{ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 1, y1: 1, x2: 3, y2: 3 }],
  "detection.iouMatrix": () => [[{ x1: 0, y1: 0, x2: 2, y2: 2 }], [{ x1: 1, y1: 1, x2: 3, y2: 3 }, { x1: 0, y1: 0, x2: 1, y2: 1 }]],
  "detection.nms": () => [[{ box: { x1: 0, y1: 0, x2: 2, y2: 2 }, score: 0.9, classId: 0 }, { box: { x1: 0, y1: 0, x2: 2, y2: 1.9 }, score: 0.8, classId: 0 }], { scoreThreshold: 0.5, iouThreshold: 0.5, perClass: true }],
  "detection.fromMidpoint": () => [{ bx: 1, by: 1, bh: 2, bw: 1 }],
  "detection.toMidpoint": () => [{ x1: 0, y1: 0, x2: 2, y2: 3 }],
  "detection.boxArea": () => [{ x1: 0, y1: 0, x2: 2, y2: 3 }],
  "detection.shapeIou": () => [{ width: 1, height: 2 }, { width: 2, height: 1 }],
  "detection.bestAnchor": () => [{ width: 1, height: 2 }, [{ width: 2, height: 1 }, { width: 1, height: 2 }]],
  "detection.yoloAssign": () => [{ x1: 0.1, y1: 0.1, x2: 0.5, y2: 0.3 }, { grid: 3, anchors: [{ width: 1, height: 1 }], width: 1, height: 1 }],
  "detection.yoloEncode": () => [[[{ box: { x1: 0.1, y1: 0.1, x2: 0.5, y2: 0.3 }, classId: 1 }], []], { grid: 3, anchors: [{ width: 1, height: 1 }, { width: 2, height: 1 }], classes: 2, width: 1, height: 1, dtype: "float32" }],
  "detection.yoloDecode": (cl) => [pos(cl, [1, 2, 2, 14]), { anchors: [{ width: 1, height: 1 }, { width: 2, height: 1 }], classes: 2, width: 4, height: 4, activation: "yolo", layout: "course", scoreThreshold: 0.1 }],
  "detection.yoloLoss": (cl) => [pos(cl, [1, 2, 2, 7]), cl.detection.yoloEncode([[{ box: { x1: 0.1, y1: 0.1, x2: 0.5, y2: 0.3 }, classId: 1 }]], { grid: 2, anchors: [{ width: 1, height: 1 }], classes: 2 }), { anchors: [{ width: 1, height: 1 }], lambdaCoord: 5, lambdaNoobj: 0.5, objectness: "bce" }],
  "detection.yoloInverse": (cl) => [cl.detection.yoloEncode([[{ box: { x1: 0.1, y1: 0.1, x2: 0.5, y2: 0.3 }, classId: 1 }]], { grid: 2, anchors: [{ width: 1, height: 1 }], classes: 2 }), { anchors: [{ width: 1, height: 1 }], eps: 1e-4 }],
  "detection.yoloNet": () => [{ size: 8, grid: 2, anchors: [{ width: 1, height: 1 }], classes: 2, filters: 2, batchNorm: true, seed: 0 }],
  "detection.kmeansAnchors": () => [[{ width: 1, height: 2 }, { width: 1.1, height: 2 }, { x1: 0, y1: 0, x2: 3, y2: 1 }], 2, { seed: 1, iterations: 10 }],
  "detection.meanAveragePrecision": () => [[{ imageId: 0, box: { x1: 0, y1: 0, x2: 2, y2: 2 }, score: 0.9, classId: 0 }], [{ imageId: 0, box: { x1: 0, y1: 0, x2: 2, y2: 1.8 }, classId: 0 }], { iouThreshold: 0.5 }],
  "detection.averagePrecision": () => [[true, false, true], 3],
  "detection.localizationTarget": () => [[{ box: { x1: 1, y1: 1, x2: 3, y2: 4 }, classId: 1 }, null], { classes: 2, width: 4, height: 4, dtype: "float64" }],
  "detection.localizationLoss": (cl) => [pos(cl, [2, 7]), cl.detection.localizationTarget([{ box: { x1: 0, y1: 0, x2: 0.5, y2: 0.5 }, classId: 0 }, null], { classes: 2 })],
  "detection.localizationDecode": (cl) => [pos(cl, [2, 7]), { width: 4, height: 4, threshold: 0.5 }],
  "detection.slidingWindows": (cl) => [{ predict: (x: Convlab.Tensor) => cl.mean(x, [1, 2, 3], false).reshape([-1, 1]) }, pos(cl, [1, 5, 5, 1]), { size: 3, stride: 1 }],
  "detection.windowCrops": (cl) => [pos(cl, [5, 6, 1]), { size: [3, 2], stride: [2, 3] }],
  "detection.segment": (cl) => [pos(cl, [6, 6, 3]).div(2), { k: 50, minSize: 2, sigma: 0.5 }],
  "detection.selectiveSearch": (cl) => [pos(cl, [6, 6, 3]).div(2), { ks: [50], minSize: 2, sigma: 0, minArea: 1, maxProposals: 20 }],
  "detection.cropAndResize": (cl) => [pos(cl, [6, 6, 3]), [{ x1: 1, y1: 1, x2: 4, y2: 5 }], [3, 3]],
  "detection.boxDeltas": () => [{ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 0.5, y1: 0, x2: 2, y2: 3 }],
  "detection.applyBoxDeltas": () => [{ x1: 0, y1: 0, x2: 2, y2: 2 }, [0.1, -0.1, 0.2, 0]],
  "detection.labelProposals": () => [[{ x1: 0, y1: 0, x2: 2, y2: 2 }, { x1: 5, y1: 5, x2: 6, y2: 6 }], [{ box: { x1: 0, y1: 0, x2: 2, y2: 1.8 }, classId: 0 }], { classes: 2, fg: 0.5, bg: 0.3 }],
  "detection.rcnnTrainingSet": (cl) => [pos(cl, [1, 8, 8, 3]).div(2), [[{ box: { x1: 1, y1: 1, x2: 5, y2: 6 }, classId: 0 }]], { classes: 2, cropSize: 4, proposals: { ks: [50], minSize: 2 }, backgroundPerImage: 2, seed: 0 }],
  "detection.rcnnLoss": (cl) => [pos(cl, [2, 7]), cl.tensor([[1, 0, 0, 0.1, 0, 0, 0, 1], [0, 0, 1, 0, 0, 0, 0, 0]])],
  "detection.rcnnDetect": (cl) => [{ predict: (x: Convlab.Tensor) => cl.zeros([x.shape[0]!, 7]) }, pos(cl, [1, 8, 8, 3]).div(2), { classes: 2, cropSize: 4, proposals: { ks: [50], minSize: 2 }, scoreThreshold: 0.1, iouThreshold: 0.5 }],
  "data.synthetic.shapes": () => [{ n: 2, size: 16, classes: 3, minObjects: 1, maxObjects: 2, minSide: 0.2, maxSide: 0.5, maxOverlap: 0.3, noise: 0.05, seed: 1 }],
  "data.synthetic.landmarks": () => [{ n: 2, size: 16, noise: 0.05, seed: 1 }],
  "data.synthetic.ecgBeats": () => [{ n: 2, length: 48, noise: 0.05, seed: 1 }],
  "data.synthetic.shapeVolumes": () => [{ n: 3, size: 8, noise: 0.1, seed: 1 }],
  "nn.conv2dTranspose": () => [{ filters: 2, size: 3, stride: 2, padding: 1, outputPadding: 1, dilation: 1, activation: "relu", useBias: true, name: "up" }],
  "nn.toConvolutional": (cl) => [cl.nn.sequential([cl.nn.conv2d({ filters: 2, size: 3 }), cl.nn.flatten(), cl.nn.dense({ units: 3 })], { inputShape: [5, 5, 1] }), { inputShape: [7, 7, 1], name: "c" }],
  // models.pretrained (Node): face-api's weight files, read from the installed package
  "models.pretrained.faceApiModelDir": () => [],
  "models.pretrained.tinyFaceDetector": (cl) => [{ modelDir: cl.models.pretrained.faceApiModelDir(), inputSize: 64, name: "tfd" }],
  "models.pretrained.mobilenetV1": (cl) => [{ modelDir: cl.models.pretrained.faceApiModelDir(), inputSize: 64, name: "mb" }],
  "models.pretrained.ssdMobilenetV1": (cl) => [{ modelDir: cl.models.pretrained.faceApiModelDir(), name: "ssd" }],
  "models.pretrained.faceRecognition": (cl) => [{ modelDir: cl.models.pretrained.faceApiModelDir(), name: "fr" }],
  "models.pretrained.faceLandmark68": (cl) => [{ modelDir: cl.models.pretrained.faceApiModelDir(), name: "lm" }],
  "models.pretrained.faceLandmark68Tiny": (cl) => [{ weights: cl.io.readTfjsWeights(`${cl.models.pretrained.faceApiModelDir()}/face_landmark_68_tiny_model-weights_manifest.json`), name: "lmt" }],
  "io.readTfjsWeights": () => {
    writeFileSync("w.bin", new Uint8Array(new Float32Array([1, 2, 3]).buffer));
    writeFileSync("w-weights_manifest.json", JSON.stringify([{ paths: ["w.bin"], weights: [{ name: "a", shape: [3], dtype: "float32" }] }]));
    return ["w-weights_manifest.json", { dir: "." }];
  },
  "io.readImage": (cl) => {
    cl.io.writeImage("i.png", pos(cl, [2, 2, 3], 3).div(2));
    return ["i.png", { channels: 1, alpha: "drop" }];
  },
  "io.writeImage": (cl) => ["w.jpg", pos(cl, [2, 2]).div(2), { quality: 80 }],
  "io.decodeImage": (cl) => [cl.io.encodePng(pos(cl, [2, 2]).div(2)), { channels: 3 }, "img"],
  "io.encodeImage": (cl) => [pos(cl, [2, 2, 3]).div(2), { format: "jpeg", quality: 50 }],
  "io.encodePng": (cl) => [pos(cl, [2, 2, 4]).div(2)],
  "io.encodeJpeg": (cl) => [pos(cl, [2, 2, 3]).div(2), { quality: 10 }],
  "io.loadMnist": (cl) => [{ split: "test", dir: tinyIdx(cl, "mnist-tiny", false), limit: 3, offset: 1, seed: 1, pad32: true, normalize: true, channels: 3 }],
  "io.loadFashionMnist": (cl) => [{ split: "test", dir: tinyIdx(cl, "fashion-tiny", true), limit: 2, normalize: { mean: 0.5, std: 0.5 } }],
  // interoperability (issue 18): safetensors, model folders, ONNX, PyTorch, experiments, projector
  "io.writeSafetensors": (cl) => ["w.safetensors", { w: pos(cl, [2]) }, { note: "1" }],
  "io.readSafetensors": (cl) => {
    cl.io.writeSafetensors("r.safetensors", { w: pos(cl, [2]) });
    return ["r.safetensors"];
  },
  "io.encodeSafetensors": (cl) => [{ w: pos(cl, [2]) }, { note: "1" }],
  "io.decodeSafetensors": (cl) => [cl.io.encodeSafetensors({ w: pos(cl, [2]) }), "name"],
  "io.describeModel": (cl) => [tinyModel(cl)],
  "io.buildModel": (cl) => [cl.io.describeModel(tinyModel(cl))],
  "io.saveModelDir": (cl) => [tinyModel(cl), "md", { epoch: 1 }],
  "io.loadModelDir": (cl) => {
    cl.io.saveModelDir(tinyModel(cl), "ml");
    return ["ml"];
  },
  "io.exportOnnx": (cl) => [tinyModel(cl), "m.onnx", { opset: 17, layout: "NHWC" }],
  "io.encodeOnnx": (cl) => [tinyModel(cl), { opset: 13, layout: "NCHW" }],
  "io.decodeOnnx": (cl) => [cl.io.encodeOnnx(tinyModel(cl)).bytes, "m.onnx"],
  "io.importOnnx": (cl) => {
    cl.io.exportOnnx(tinyModel(cl), "i.onnx");
    return ["i.onnx"];
  },
  "io.exportPytorch": (cl) => [tinyModel(cl), "pt", { loss: "mse" }],
  "io.pytorchCode": (cl) => [tinyModel(cl)],
  "io.saveDataset": (cl) => [{ x: pos(cl, [2, 3]), y: pos(cl, [2]) }, "ds"],
  "io.readRecord": () => [tinyRecord("rr")],
  "io.rerun": () => [tinyRecord("rn"), { dir: "reruns" }],
  experiment: () => ["fuzz", async (run: { params(p: object): void }) => run.params({ a: 1 }), { seed: 1, dir: "runs" }],
  "inspect.projector": (cl) => ["tb", pos(cl, [3, 2]), { labels: ["a", "b", "c"], thumbnails: pos(cl, [3, 2, 2]).div(2), name: "emb" }],
};

/** A small model for the interop exports (conv, transposed conv with output padding, flatten, dense). */
function tinyModel(cl: Cl) {
  return cl.nn.sequential([
    cl.nn.conv2d({ filters: 2, size: 2, activation: "relu" }),
    cl.nn.conv2dTranspose({ filters: 1, size: 2, stride: 2, padding: 1, outputPadding: 1 }),
    cl.nn.flatten(),
    cl.nn.dense({ units: 2 }),
  ], { inputShape: [3, 3, 1], seed: 1 });
}

/** A minimal experiment record (runs/<id>/record.json) whose function does nothing. */
function tinyRecord(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/record.json`, JSON.stringify({ format: "convlab-experiment", version: 1, id: dir, name: dir, seed: 0, source: "async (run) => 1", fits: [], datasets: {} }));
  return dir;
}

/** Instances whose methods are fuzzed (each method with each malformed value in each of its first arguments). */
export const INSTANCES: Record<string, (cl: Cl) => object> = {
  Tensor: (cl) => pos(cl, [2, 3]),
  Rng: (cl) => new cl.Rng(1),
  "inspect.Raster": (cl) => new cl.inspect.Raster(4, 4),
  "face.FaceDatabase": (cl) => cl.face.database({ a: pos(cl, [3]) }),
};

// ---------------------------------------------------------------------------------------------
// Building the cases

/** Calls `f` as a function or a constructor. */
function invoke(e: Export, args: Args): unknown {
  const f = e.value as (...a: unknown[]) => unknown;
  return e.isClass ? Reflect.construct(f, args) : f(...args);
}

function argText(args: Args): string {
  return `(${args.map(show).join(", ")})`;
}

function isOptions(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

export interface BuildOptions {
  seed: number;
  /** Generic calls per export. */
  generic: number;
  /** Malformed values tried per argument (or option field) of a baseline. */
  perArgument: number;
}

/** The cases, deterministic for a seed (the order of exports is sorted). */
export function buildCases(cl: Cl, opts: BuildOptions): Case[] {
  const bads = badValues();
  const goods = (): unknown[] => [pos(cl, [2, 2]), pos(cl, [1, 4, 4, 1]), 1, 2, 0.5, [2, 2], [1, 2, 3], "valid", {}, true, () => pos(cl, [1])];
  const cases: Case[] = [];
  const exports = exportsOf(cl);
  exports.forEach((e, n) => {
    const seed = opts.seed + 7919 * n;
    const arity = Math.min(Math.max((e.value as () => void).length, 1) + 1, 4);
    // generic: random lists of indices into the good and bad pools (values are made fresh per case)
    const picks = HEAVY[e.path] ? [] : fc.sample(fc.array(fc.tuple(fc.boolean(), fc.nat()), { minLength: 0, maxLength: arity }), { seed, numRuns: opts.generic });
    for (const pick of picks) {
      const make = (): Args => {
        const g = goods();
        return pick.map(([good, k]) => (good ? g[k % g.length] : bads[k % bads.length]));
      };
      const sample = make();
      cases.push({ path: e.path, kind: "generic", run: () => invoke(e, make()), describe: argText(sample), nonFinite: isNonFinite(sample) });
    }
    const base = BASELINES[e.path];
    if (!base) return;
    const sample = base(cl);
    cases.push({ path: e.path, kind: "baseline", run: () => invoke(e, base(cl)), describe: argText(sample), nonFinite: isNonFinite(sample) });
    const choose = (salt: number): number[] => fc.sample(fc.nat({ max: bads.length - 1 }), { seed: seed + salt, numRuns: opts.perArgument });
    sample.forEach((arg, i) => {
      for (const b of HEAVY[e.path] ? [] : choose(i)) {
        const args = [...sample];
        args[i] = bads[b];
        cases.push({
          path: e.path, kind: "targeted", describe: argText(args), nonFinite: isNonFinite(bads[b]),
          run: () => {
            const fresh = base(cl);
            fresh[i] = bads[b];
            return invoke(e, fresh);
          },
        });
      }
      if (isOptions(arg))
        Object.keys(arg).forEach((key, j) => {
          for (const b of choose(100 * (i + 1) + j)) {
            const shown = [...sample];
            shown[i] = { ...arg, [key]: bads[b] };
            cases.push({
              path: e.path, kind: "targeted", describe: argText(shown), nonFinite: isNonFinite(bads[b]),
              run: () => {
                const fresh = base(cl);
                fresh[i] = { ...(fresh[i] as object), [key]: bads[b] };
                return invoke(e, fresh);
              },
            });
          }
        });
    });
  });
  // methods of a few instances, each argument position replaced by malformed values
  for (const [owner, make] of Object.entries(INSTANCES)) {
    if (EXCLUDED[owner] !== undefined) continue;
    const proto = Object.getPrototypeOf(make(cl)) as object;
    const names = Object.getOwnPropertyNames(proto).filter((k) => k !== "constructor" && typeof Object.getOwnPropertyDescriptor(proto, k)?.value === "function").sort();
    names.forEach((name, n) => {
      const len = Math.max(1, (Object.getOwnPropertyDescriptor(proto, name)!.value as () => void).length);
      const picks = fc.sample(fc.tuple(fc.nat({ max: len - 1 }), fc.nat({ max: bads.length - 1 })), { seed: opts.seed + 104729 * (n + 1), numRuns: opts.perArgument });
      for (const [i, b] of picks) {
        const args: Args = [];
        args[i] = bads[b];
        cases.push({
          path: `${owner}#${name}`, kind: "targeted", describe: argText(args), nonFinite: isNonFinite(bads[b]),
          run: () => (make(cl) as Record<string, (...a: unknown[]) => unknown>)[name]!(...args),
        });
      }
    });
  }
  return cases;
}

// ---------------------------------------------------------------------------------------------
// Judging a result

/** What is wrong with a case's outcome, or null when it is fine. */
export async function judge(cl: Cl, c: Case): Promise<string | null> {
  let value: unknown;
  try {
    value = c.run();
    if (value instanceof Promise) value = await value;
  } catch (e) {
    if (e instanceof cl.ConvlabError) return c.kind === "baseline" ? `the baseline call threw ${e.name}: ${e.message}` : null;
    const name = e instanceof Error ? e.name : typeof e;
    const message = e instanceof Error ? e.message : String(e);
    return `threw ${name} (not a convlab error): ${message.split("\n")[0]}`;
  }
  const tensors: Convlab.Tensor[] = [];
  const collect = (v: unknown, depth: number): void => {
    if (v instanceof cl.Tensor) tensors.push(v);
    else if (depth < 2 && v !== null && typeof v === "object" && !ArrayBuffer.isView(v)) for (const x of Object.values(v)) collect(x, depth + 1);
  };
  collect(value, 0);
  if (!c.nonFinite)
    for (const t of tensors) {
      if (t.size > 0 && t.data.every((x) => Number.isNaN(x))) return `returned a tensor ${show(t)} of NaN only`;
    }
  if (cl.inspect.isDisplayable(value)) {
    let bundle: ReturnType<typeof cl.inspect.toMimeBundle>;
    try {
      bundle = cl.inspect.toMimeBundle(value);
    } catch (e) {
      return e instanceof cl.ConvlabError ? null : `toMimeBundle() threw ${(e as Error).name}: ${(e as Error).message}`;
    }
    for (const mime of cl.inspect.CONVLAB_MIME_TYPES)
      if (bundle && mime in bundle.data) {
        const r = cl.inspect.parsePayload(mime, bundle.data[mime]);
        if (!r.ok) return `built a payload its widget refuses: ${r.error}`;
      }
  }
  return null;
}
