// face-api's networks (github.com/vladmandic/face-api, MIT; after Vincent Mühler's face-api.js)
// rebuilt from convlab layers: the tiny face detector (tiny-YOLOv2 with separable convs), the
// MobileNetV1 backbone of its SSD detector, the 68-point landmark nets and the 128-D face
// encoder (dlib's ResNet-34-like). Each builder returns a cl.nn graph model (weights lazy until
// loaded) plus the preprocessing face-api applies to an image and the decoding of its output.
// The weights come as TensorFlow.js tensors named as in face-api's manifests; each net has a
// mapping from those names to its layers (see `*_MAPPING` below and docs/models.md).
import { Tensor } from "../../tensor/tensor.js";
import * as nn from "../../nn/index.js";
import type { Model } from "../../nn/model.js";
import type { SymbolicTensor } from "../../nn/layer.js";
import type { WeightSource, LoadReport } from "../../nn/state.js";
import { nms, type Box, type Detection } from "../../detection/boxes.js";
import { ShapeError, ValueError, fmtShape } from "../../util/errors.js";
import { numberArg, optionsArg, intArg, stringArg } from "../../util/check.js";
import { tensorArg } from "../../tensor/args.js";
import { noGrad } from "../../autograd/tape.js";
import { ChannelAffine, ChannelPad, leaky, relu6 } from "./layers.js";

// ---------------------------------------------------------------------------------------------
// Preprocessing (what face-api's NetInput.toBatchTensor does to a tensor image)

/** How an image was fitted into a net's square input. */
export interface InputFit {
  /** The image's size in pixels. */
  width: number;
  height: number;
  /** The square side the image was padded to (max(width, height)) and the net's input size. */
  side: number;
  inputSize: number;
  /** Zero pixels added before the image (left, top); the rest goes after it. */
  padLeft: number;
  padTop: number;
}

/** `[h,w,3]` or `[1,h,w,3]` → its height and width. */
function imageDims(fn: string, image: unknown): { h: number; w: number; data: Float32Array | Float64Array } {
  const t = tensorArg(fn, "image", image);
  const s = t.shape;
  const ok = (s.length === 3 && s[2] === 3) || (s.length === 4 && s[0] === 1 && s[3] === 3);
  if (!ok || t.size === 0) throw new ShapeError(`${fn}: image must be an RGB image [h,w,3] (or [1,h,w,3]) with values in [0, 1], got ${fmtShape(s)}`);
  return { h: s[s.length - 3]!, w: s[s.length - 2]!, data: t.data as Float32Array | Float64Array };
}

/**
 * face-api's input pipeline on an RGB image in [0, 1]: scaled to 0–255, zero-padded to a square
 * (after the image, or `center`ed: half before), resized to `size`×`size` with TensorFlow's
 * legacy bilinear sampling (`resizeBilinear(x, size, alignCorners = false, halfPixelCenters =
 * false)`), then `normalize(value, channel)`. Returns `[1,size,size,3]` and the fit.
 */
export function fitImage(fn: string, image: Tensor, size: number, center: boolean, normalize: (v: number, c: number) => number): { x: Tensor; fit: InputFit } {
  const { h, w, data } = imageDims(fn, image);
  const side = Math.max(h, w);
  const diff = side - Math.min(h, w);
  // padToSquare: round(diff · (center ? 0.5 : 1)) after the image, the rest before it
  const before = center ? diff - Math.round(diff * 0.5) : 0;
  const padTop = h < w ? before : 0, padLeft = w < h ? before : 0;
  // the padded square, 0–255 in float32 as tfjs holds it
  const sq = new Float32Array(side * side * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) sq[((y + padTop) * side + x + padLeft) * 3 + c] = Math.fround(data[(y * w + x) * 3 + c]! * 255);
  const out = new Float32Array(size * size * 3);
  if (side === size) {
    for (let i = 0; i < out.length; i++) out[i] = normalize(sq[i]!, i % 3);
  } else {
    // float32 arithmetic throughout, as TensorFlow's kernels compute it
    const f32 = Math.fround;
    const scale = f32(side / size);
    const lo = new Int32Array(size), hi = new Int32Array(size), t = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const src = f32(i * scale);
      const f = Math.floor(src);
      lo[i] = Math.min(f, side - 1);
      hi[i] = Math.min(f + 1, side - 1);
      t[i] = src - f;
    }
    for (let y = 0; y < size; y++) {
      const r0 = lo[y]! * side, r1 = hi[y]! * side, ty = t[y]!;
      for (let x = 0; x < size; x++) {
        const c0 = lo[x]!, c1 = hi[x]!, tx = t[x]!;
        for (let c = 0; c < 3; c++) {
          const tl = sq[(r0 + c0) * 3 + c]!, tr = sq[(r0 + c1) * 3 + c]!;
          const bl = sq[(r1 + c0) * 3 + c]!, br = sq[(r1 + c1) * 3 + c]!;
          const top = f32(tl + f32(f32(tr - tl) * tx)), bottom = f32(bl + f32(f32(br - bl) * tx));
          out[(y * size + x) * 3 + c] = normalize(f32(top + f32(f32(bottom - top) * ty)), c);
        }
      }
    }
  }
  return { x: new Tensor(out, [1, size, size, 3]), fit: { width: w, height: h, side, inputSize: size, padLeft, padTop } };
}

const meanNormalize = (mean: readonly [number, number, number]) => (v: number, c: number): number => Math.fround(Math.fround(v - Math.fround(mean[c]!)) / 255);

/** Mean RGB face-api subtracts before the tiny face detector (then ÷255). */
export const TINY_FACE_DETECTOR_MEAN_RGB = [117.001, 114.697, 97.404] as const;
/** Mean RGB face-api subtracts before the landmark and recognition nets (then ÷255). */
export const FACE_MEAN_RGB = [122.782, 117.001, 104.298] as const;
/** The tiny face detector's 5 anchor boxes (width, height) in grid cells. */
export const TINY_FACE_DETECTOR_ANCHORS: readonly { width: number; height: number }[] = [
  { width: 1.603231, height: 2.094468 },
  { width: 6.041143, height: 7.080126 },
  { width: 2.882459, height: 3.518061 },
  { width: 4.266906, height: 5.178857 },
  { width: 9.041765, height: 10.66308 },
];

// ---------------------------------------------------------------------------------------------
// Common

/** What every pretrained net adds to its model. */
export interface PretrainedExtras {
  /** The net's square input size. */
  readonly inputSize: number;
  /** The image ([h,w,3] in [0, 1]) as the net's input [1,S,S,3], exactly as face-api prepares it. */
  preprocess(image: Tensor): Tensor;
  /** What loading the weights did (names loaded, unused, ignored). */
  readonly loadReport?: LoadReport;
}

/** The model's name: `opts.name` (a non-empty string) or the default. */
function modelName(fn: string, name: unknown, dflt: string): string {
  return name === undefined ? dflt : stringArg(fn, "opts.name", name);
}

function load(model: Model, weights: WeightSource | undefined, mapping: (name: string) => string | null | undefined): LoadReport | undefined {
  if (weights === undefined) return undefined;
  return model.loadWeights(weights, { mapping: (n) => mapping(n) });
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

// ---------------------------------------------------------------------------------------------
// Tiny face detector

export interface TinyFaceDetectorOptions {
  /** Input size, a multiple of 32 (default 416: a 13×13 grid). */
  inputSize?: number;
  /** Weights by face-api's names (`conv0/filters` …), e.g. from `cl.io.readTfjsWeights`. */
  weights?: WeightSource;
  name?: string;
}

export interface DetectOptions {
  /** Keep boxes with score > this (default 0.5, face-api's). */
  scoreThreshold?: number;
  /** NMS IoU threshold (default 0.4, face-api's). */
  iouThreshold?: number;
}

/** A detected face: corners in the image's pixels, the score, class 0 ("face"). */
export type FaceDetection = Detection;

export interface TinyFaceDetector extends Model, PretrainedExtras {
  readonly anchors: readonly { width: number; height: number }[];
  /**
   * Every grid cell's 5 boxes with score > `scoreThreshold` (default 0, all 845), in the image's
   * pixels (`fit` from `preprocess`'s image; see `fitOf`), before NMS: the candidates
   * `cl.inspect.detections` lets you threshold.
   */
  decode(output: Tensor, fit: InputFit, opts?: { scoreThreshold?: number }): FaceDetection[];
  /** How an image fits the input (for `decode`). */
  fitOf(image: Tensor): InputFit;
  /** Faces in an image ([h,w,3] in [0, 1]): preprocess, predict, decode, NMS (face-api's `detectAllFaces`). */
  detect(image: Tensor, opts?: DetectOptions): FaceDetection[];
}

/** face-api name → convlab target of the tiny face detector. */
export function tinyFaceDetectorMapping(name: string): string | undefined {
  const m = /^(conv\d+)\/(filters|depthwise_filter|pointwise_filter|bias)$/.exec(name);
  if (!m) return undefined;
  const [, l, p] = m;
  if (p === "filters") return `${l}/kernel`;
  if (p === "depthwise_filter") return `${l}_depthwise/kernel`;
  if (p === "pointwise_filter") return `${l}_pointwise/kernel`;
  return l === "conv0" || l === "conv8" ? `${l}/bias` : `${l}_pointwise/bias`;
}

/**
 * The tiny face detector: conv0 (3×3 "valid", 16, leaky 0.1), then five separable convs
 * (3×3 depthwise pad 1 + 1×1 pointwise with bias, leaky 0.1: 32, 64, 128, 256, 512) with 2×2
 * max-pools between (stride 2, the last stride 1, "same"), and conv8 (1×1, 25 = 5 anchors × (tx,
 * ty, tw, th, to)). Input 416×416 → a 13×13×25 grid.
 */
export function buildTinyFaceDetector(opts: TinyFaceDetectorOptions = {}): TinyFaceDetector {
  const fn = "models.pretrained.tinyFaceDetector";
  opts = optionsArg(fn, opts);
  const size = opts.inputSize === undefined ? 416 : intArg(fn, "opts.inputSize", opts.inputSize, { min: 32, max: 4096 });
  if (size % 32 !== 0) throw new ValueError(`${fn}: opts.inputSize must be a multiple of 32, got ${size}`);
  const x = nn.input([size, size, 3], { name: "input" });
  let h: SymbolicTensor = nn.conv2d({ filters: 16, size: 3, padding: "valid", activation: leaky, name: "conv0" }).apply(x);
  h = nn.maxPool2d({ size: 2, stride: 2, padding: "same", name: "pool0" }).apply(h);
  const widths = [32, 64, 128, 256, 512];
  widths.forEach((f, i) => {
    const k = i + 1;
    h = nn.depthwiseConv2d({ size: 3, padding: 1, useBias: false, name: `conv${k}_depthwise` }).apply(h);
    h = nn.conv2d({ filters: f, size: 1, activation: leaky, name: `conv${k}_pointwise` }).apply(h);
    h = nn.maxPool2d({ size: 2, stride: k < 5 ? 2 : 1, padding: "same", name: `pool${k}` }).apply(h);
  });
  const y = nn.conv2d({ filters: 25, size: 1, name: "conv8" }).apply(h);
  const model = nn.model({ inputs: x, outputs: y, name: modelName(fn, opts.name, "tiny_face_detector") });
  const loadReport = load(model, opts.weights, tinyFaceDetectorMapping);
  const anchors = TINY_FACE_DETECTOR_ANCHORS;
  const normalize = meanNormalize(TINY_FACE_DETECTOR_MEAN_RGB);
  const extras = {
    inputSize: size,
    anchors,
    loadReport,
    preprocess: (image: Tensor): Tensor => fitImage(`${fn}: preprocess`, image, size, false, normalize).x,
    fitOf: (image: Tensor): InputFit => {
      const { h: ih, w: iw } = imageDims(`${fn}: fitOf`, image);
      return { width: iw, height: ih, side: Math.max(ih, iw), inputSize: size, padLeft: 0, padTop: 0 };
    },
    decode(output: Tensor, fit: InputFit, o: { scoreThreshold?: number } = {}): FaceDetection[] {
      tensorArg(`${fn}: decode`, "output", output);
      o = optionsArg(`${fn}: decode`, o);
      const thr = o.scoreThreshold === undefined ? 0 : numberArg(`${fn}: decode`, "opts.scoreThreshold", o.scoreThreshold);
      return decodeTiny(output, fit, anchors, thr);
    },
    detect(image: Tensor, o: DetectOptions = {}): FaceDetection[] {
      o = optionsArg(`${fn}: detect`, o);
      const scoreThreshold = o.scoreThreshold === undefined ? 0.5 : numberArg(`${fn}: detect`, "opts.scoreThreshold", o.scoreThreshold, { min: 0, max: 1 });
      const iouThreshold = o.iouThreshold === undefined ? 0.4 : numberArg(`${fn}: detect`, "opts.iouThreshold", o.iouThreshold, { min: 0, max: 1 });
      const { x: input, fit } = fitImage(`${fn}: detect`, image, size, false, normalize);
      const out = noGrad(() => model.predict(input) as Tensor);
      return nms(decodeTiny(out, fit, anchors, scoreThreshold), { scoreThreshold, iouThreshold });
    },
  };
  return Object.assign(model, extras) as TinyFaceDetector;
}

/** face-api's `extractBoxes`: sigmoid offsets in the cell, exp sizes × anchors, in image pixels. */
function decodeTiny(output: Tensor, fit: InputFit, anchors: readonly { width: number; height: number }[], scoreThreshold: number): FaceDetection[] {
  const s = output.shape;
  const cells = s[s.length - 3]!;
  const A = anchors.length;
  if (!((s.length === 4 && s[0] === 1) || s.length === 3) || s[s.length - 2] !== cells || s[s.length - 1] !== A * 5)
    throw new ShapeError(`tinyFaceDetector.decode: output must be [1,S,S,${A * 5}] (or [S,S,${A * 5}]), got ${fmtShape(s)}`);
  // the image, scaled so its longer side is the input size (face-api's getReshapedInputDimensions)
  const k = fit.inputSize / Math.max(fit.width, fit.height);
  const rw = Math.round(fit.width * k), rh = Math.round(fit.height * k);
  const fx = fit.inputSize / rw, fy = fit.inputSize / rh;
  const d = output.data;
  const out: FaceDetection[] = [];
  for (let row = 0; row < cells; row++)
    for (let col = 0; col < cells; col++)
      for (let a = 0; a < A; a++) {
        const o = ((row * cells + col) * A + a) * 5;
        const score = sigmoid(d[o + 4]!);
        if (!(score > scoreThreshold) && scoreThreshold > 0) continue;
        const cx = ((col + sigmoid(d[o]!)) / cells) * fx;
        const cy = ((row + sigmoid(d[o + 1]!)) / cells) * fy;
        const w = ((Math.exp(d[o + 2]!) * anchors[a]!.width) / cells) * fx;
        const h = ((Math.exp(d[o + 3]!) * anchors[a]!.height) / cells) * fy;
        const box: Box = { x1: (cx - w / 2) * fit.width, y1: (cy - h / 2) * fit.height, x2: (cx + w / 2) * fit.width, y2: (cy + h / 2) * fit.height };
        out.push({ box, score, classId: 0 });
      }
  return out;
}

// ---------------------------------------------------------------------------------------------
// MobileNetV1 (the backbone of face-api's SSD)

export interface MobileNetV1Options {
  /** Input size (default 512, face-api's SSD input). */
  inputSize?: number;
  /** Weights by face-api's names (`MobilenetV1/Conv2d_0_pointwise/weights` …); the SSD heads' are ignored. */
  weights?: WeightSource;
  name?: string;
}

export interface MobileNetV1 extends Model, PretrainedExtras {
  /** Layer names of the 14 conv stages' outputs: `conv0_relu`, `conv1_pw_relu` … `conv13_pw_relu`. */
  readonly stages: readonly string[];
}

/** Strides of the 13 depthwise convs (conv1 … conv13). */
const MOBILENET_STRIDES = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];
const MOBILENET_WIDTHS = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024];

/** face-api name → convlab target of the MobileNetV1 backbone (null: an SSD tensor, ignored). */
export function mobilenetV1Mapping(name: string): string | null | undefined {
  let m = /^MobilenetV1\/Conv2d_(\d+)_pointwise\/(weights|convolution_bn_offset)$/.exec(name);
  if (m) {
    const l = m[1] === "0" ? "conv0" : `conv${m[1]}_pw`;
    return `${l}/${m[2] === "weights" ? "kernel" : "bias"}`;
  }
  m = /^MobilenetV1\/Conv2d_(\d+)_depthwise\/(depthwise_weights|BatchNorm\/(gamma|beta|moving_mean|moving_variance))$/.exec(name);
  if (m) {
    if (m[2] === "depthwise_weights") return `conv${m[1]}_dw/kernel`;
    const p = ({ gamma: "gamma", beta: "beta", moving_mean: "runningMean", moving_variance: "runningVar" } as Record<string, string>)[m[3]!]!;
    return `conv${m[1]}_dw_bn/${p}`;
  }
  return /^(Prediction|Output|Postprocessor|Preprocessor|concat)/.test(name) ? null : undefined;
}

/**
 * MobileNetV1 (Howard et al. 2017, width 1) as face-api's SSD uses it: conv0 (3×3/2 "same", 32,
 * bias, ReLU6), then 13 depthwise-separable stages (3×3 depthwise "same" → batch-norm eps 1e-3 →
 * ReLU6, 1×1 pointwise with bias → ReLU6). Input 512×512 in [−1, 1] → 16×16×1024; conv11
 * (32×32×512) feeds the SSD's first box predictor.
 */
export function buildMobileNetV1(opts: MobileNetV1Options = {}): MobileNetV1 {
  const fn = "models.pretrained.mobilenetV1";
  opts = optionsArg(fn, opts);
  const size = opts.inputSize === undefined ? 512 : intArg(fn, "opts.inputSize", opts.inputSize, { min: 32, max: 4096 });
  const x = nn.input([size, size, 3], { name: "input" });
  const { out, stages } = mobilenetLayers(x);
  const model = nn.model({ inputs: x, outputs: out, name: modelName(fn, opts.name, "mobilenet_v1") });
  const loadReport = load(model, opts.weights, mobilenetV1Mapping);
  const extras = {
    inputSize: size,
    stages,
    loadReport,
    preprocess: (image: Tensor): Tensor => fitImage(`${fn}: preprocess`, image, size, false, (v) => Math.fround(Math.fround(v / 127.5) - 1)).x,
  };
  return Object.assign(model, extras) as MobileNetV1;
}

/** The backbone's layers on `x`: the last stage, conv11's output and the stage names. */
function mobilenetLayers(x: SymbolicTensor): { out: SymbolicTensor; conv11: SymbolicTensor; stages: string[] } {
  let h: SymbolicTensor = nn.conv2d({ filters: 32, size: 3, stride: 2, padding: "same", name: "conv0" }).apply(x);
  h = nn.activation(relu6, { name: "conv0_relu" }).apply(h);
  const stages = ["conv0_relu"];
  let conv11: SymbolicTensor = h;
  MOBILENET_WIDTHS.forEach((f, i) => {
    const k = i + 1;
    h = nn.depthwiseConv2d({ size: 3, stride: MOBILENET_STRIDES[i]!, padding: "same", useBias: false, name: `conv${k}_dw` }).apply(h);
    // the trained statistics stay in use even in training mode (a frozen batch-norm, as in
    // fine-tuning a pretrained detector; style transfer differentiates through it unchanged)
    const bn = nn.batchNorm({ eps: 0.0010000000474974513, name: `conv${k}_dw_bn` });
    bn.inference = true;
    h = bn.apply(h);
    h = nn.activation(relu6, { name: `conv${k}_dw_relu` }).apply(h);
    h = nn.conv2d({ filters: f, size: 1, padding: "same", name: `conv${k}_pw` }).apply(h);
    h = nn.activation(relu6, { name: `conv${k}_pw_relu` }).apply(h);
    stages.push(`conv${k}_pw_relu`);
    if (k === 11) conv11 = h;
  });
  return { out: h, conv11, stages };
}

// ---------------------------------------------------------------------------------------------
// SSD MobileNetV1 (face-api's other face detector)

export interface SsdDetectOptions {
  /** Keep boxes with score > this (default 0.5, face-api's `minConfidence`). */
  minConfidence?: number;
  /** At most this many faces (default 100). */
  maxResults?: number;
  /** NMS IoU threshold (default 0.5, face-api's). */
  iouThreshold?: number;
}

export interface SsdMobileNetV1 extends Model<Record<string, Tensor>>, PretrainedExtras {
  /** The 5,118 prior boxes [ymin, xmin, ymax, xmax] (fractions of the input), from the weights' `Output/extra_dim`. */
  readonly priors: Tensor;
  /**
   * The 12 head outputs of `predict` (`box0` … `box5` [1,H,W,A·4], `class0` … `class5`
   * [1,H,W,A·3]) → all 5,118 boxes in the image's pixels with their face scores (sigmoid of the
   * face logit), before NMS.
   */
  decode(outputs: Record<string, Tensor>, fit: InputFit): FaceDetection[];
  fitOf(image: Tensor): InputFit;
  /** Faces in an image ([h,w,3] in [0, 1]), as face-api's `ssdMobilenetv1.locateFaces`. */
  detect(image: Tensor, opts?: SsdDetectOptions): FaceDetection[];
}

/** face-api name → convlab target of the SSD detector (backbone, extra layers, box predictors). */
export function ssdMobilenetV1Mapping(name: string): string | null | undefined {
  const b = mobilenetV1Mapping(name);
  if (b !== null) return b;
  let m = /^Prediction\/Conv2d_(\d+)_pointwise\/(weights|convolution_bn_offset)$/.exec(name);
  if (m) return `extra${m[1]}/${m[2] === "weights" ? "kernel" : "bias"}`;
  m = /^Prediction\/BoxPredictor_(\d+)\/(BoxEncodingPredictor|ClassPredictor)\/(weights|biases)$/.exec(name);
  if (m) return `${m[2] === "ClassPredictor" ? "class" : "box"}${m[1]}/${m[3] === "weights" ? "kernel" : "bias"}`;
  return null; // Output/extra_dim (the priors, kept apart) and the graph's constants
}

/**
 * face-api's SSD MobileNetV1 face detector: the backbone, 8 extra layers (1×1 then 3×3/2,
 * "same", ReLU6) down to 1×1, and 6 box predictors (1×1 convs: 4 box offsets and 3 class logits
 * per anchor) on conv11 (32×32, 3 anchors), conv13 (16×16) and the extra layers' 8×8 … 1×1 (6
 * anchors each): 5,118 boxes at 512×512, decoded against the prior boxes as the TensorFlow object
 * detection API does (offsets scaled by 10, 10, 5, 5).
 */
export function buildSsdMobileNetV1(opts: { weights?: WeightSource; name?: string } = {}): SsdMobileNetV1 {
  const fn = "models.pretrained.ssdMobilenetV1";
  opts = optionsArg(fn, opts);
  const size = 512;
  const x = nn.input([size, size, 3], { name: "input" });
  const { out, conv11 } = mobilenetLayers(x);
  const extra: SymbolicTensor[] = [];
  let h = out;
  [256, 512, 128, 256, 128, 256, 64, 128].forEach((f, i) => {
    const odd = i % 2 === 1;
    h = nn.conv2d({ filters: f, size: odd ? 3 : 1, stride: odd ? 2 : 1, padding: "same", activation: relu6, name: `extra${i}` }).apply(h);
    extra.push(h);
  });
  const sources = [conv11, out, extra[1]!, extra[3]!, extra[5]!, extra[7]!];
  const outputs: Record<string, SymbolicTensor> = {};
  sources.forEach((src, i) => {
    const anchors = i === 0 ? 3 : 6;
    outputs[`box${i}`] = nn.conv2d({ filters: anchors * 4, size: 1, padding: "same", name: `box${i}` }).apply(src);
    outputs[`class${i}`] = nn.conv2d({ filters: anchors * 3, size: 1, padding: "same", name: `class${i}` }).apply(src);
  });
  const model = nn.model({ inputs: x, outputs, name: modelName(fn, opts.name, "ssd_mobilenet_v1") });
  const loadReport = load(model as unknown as Model, opts.weights, ssdMobilenetV1Mapping);
  let priors: Tensor;
  const src = opts.weights instanceof Map ? opts.weights.get("Output/extra_dim") : opts.weights ? (opts.weights as Record<string, Tensor>)["Output/extra_dim"] : undefined;
  if (src !== undefined) {
    if (!(src instanceof Tensor) || src.size !== 5118 * 4) throw new ShapeError(`${fn}: the weights' 'Output/extra_dim' (the prior boxes) must be [1,5118,4], got ${src instanceof Tensor ? fmtShape(src.shape) : typeof src}`);
    priors = new Tensor(Float32Array.from(src.data), [5118, 4]);
  } else if (opts.weights !== undefined) throw new ValueError(`${fn}: the weights have no 'Output/extra_dim' (the 5,118 prior boxes)`);
  else priors = new Tensor(new Float32Array(5118 * 4), [5118, 4]);
  const normalize = (v: number): number => Math.fround(Math.fround(v / 127.5) - 1);
  const fitOf = (image: Tensor): InputFit => {
    const { h: ih, w: iw } = imageDims(`${fn}: fitOf`, image);
    return { width: iw, height: ih, side: Math.max(ih, iw), inputSize: size, padLeft: 0, padTop: 0 };
  };
  const decode = (outs: Record<string, Tensor>, fit: InputFit): FaceDetection[] => decodeSsd(fn, outs, fit, priors);
  const extras = {
    inputSize: size,
    priors,
    loadReport,
    preprocess: (image: Tensor): Tensor => fitImage(`${fn}: preprocess`, image, size, false, normalize).x,
    fitOf,
    decode,
    detect(image: Tensor, o: SsdDetectOptions = {}): FaceDetection[] {
      o = optionsArg(`${fn}: detect`, o);
      const minConfidence = o.minConfidence === undefined ? 0.5 : numberArg(`${fn}: detect`, "opts.minConfidence", o.minConfidence, { min: 0, max: 1 });
      const maxResults = o.maxResults === undefined ? 100 : intArg(`${fn}: detect`, "opts.maxResults", o.maxResults, { min: 1 });
      const iouThreshold = o.iouThreshold === undefined ? 0.5 : numberArg(`${fn}: detect`, "opts.iouThreshold", o.iouThreshold, { min: 0, max: 1 });
      const { x: input, fit } = fitImage(`${fn}: detect`, image, size, false, normalize);
      const outs = noGrad(() => model.predict(input) as Record<string, Tensor>);
      return nms(decode(outs, fit), { scoreThreshold: minConfidence, iouThreshold }).slice(0, maxResults);
    },
  };
  return Object.assign(model, extras) as unknown as SsdMobileNetV1;
}

/** face-api's outputLayer + locateFaces: box offsets against the priors, clipped to [0, 1], in the image's pixels. */
function decodeSsd(fn: string, outs: Record<string, Tensor>, fit: InputFit, priors: Tensor): FaceDetection[] {
  if (outs === null || typeof outs !== "object") throw new ValueError(`${fn}: decode: outputs must be the record predict returns ({ box0, class0, … }), got ${typeof outs}`);
  const k = fit.inputSize / Math.max(fit.width, fit.height);
  const padX = fit.inputSize / Math.round(fit.width * k), padY = fit.inputSize / Math.round(fit.height * k);
  const p = priors.data;
  const dets: FaceDetection[] = [];
  let n = 0;
  for (let i = 0; i < 6; i++) {
    const box = outs[`box${i}`], cls = outs[`class${i}`];
    if (!(box instanceof Tensor) || !(cls instanceof Tensor) || box.size / 4 !== cls.size / 3)
      throw new ShapeError(`${fn}: decode: outputs.box${i} and outputs.class${i} must be the heads' tensors [1,H,W,A·4] and [1,H,W,A·3]`);
    const b = box.data, c = cls.data;
    for (let j = 0; j < box.size / 4; j++, n++) {
      if (n >= 5118) throw new ShapeError(`${fn}: decode: the heads hold more boxes than the 5,118 priors`);
      const [y0, x0, y1, x1] = [p[4 * n]!, p[4 * n + 1]!, p[4 * n + 2]!, p[4 * n + 3]!];
      const ph = y1 - y0, pw = x1 - x0, cy = y0 + ph / 2, cx = x0 + pw / 2;
      const [ty, tx, th, tw] = [b[4 * j]!, b[4 * j + 1]!, b[4 * j + 2]!, b[4 * j + 3]!];
      const hh = (Math.exp(th / 5) * ph) / 2, hw = (Math.exp(tw / 5) * pw) / 2;
      const my = (ty / 10) * ph + cy, mx = (tx / 10) * pw + cx;
      const top = Math.max(0, my - hh) * padY, bottom = Math.min(1, my + hh) * padY;
      const left = Math.max(0, mx - hw) * padX, right = Math.min(1, mx + hw) * padX;
      const score = sigmoid(c[3 * j + 1]!);
      dets.push({ box: { x1: left * fit.width, y1: top * fit.height, x2: Math.max(left, right) * fit.width, y2: Math.max(top, bottom) * fit.height }, score, classId: 0 });
    }
  }
  if (n !== 5118) throw new ShapeError(`${fn}: decode: the heads hold ${n} boxes, not the 5,118 priors`);
  return dets;
}

// ---------------------------------------------------------------------------------------------
// Face recognition (128-D descriptor)

export interface FaceRecognitionOptions {
  /** Weights by face-api's names (`conv32_down/conv/filters` …). */
  weights?: WeightSource;
  name?: string;
}

export interface FaceRecognition extends Model, PretrainedExtras {
  /** The 128-D descriptor of a face crop ([h,w,3] in [0, 1]): `[128]`. */
  descriptor(image: Tensor): Tensor;
  /** Euclidean distance of two descriptors (face-api's threshold for the same person: < 0.6). */
  distance(a: Tensor, b: Tensor): number;
}

/** face-api name → convlab target of the face recognition net. */
export function faceRecognitionMapping(name: string): string | undefined {
  if (name === "fc") return "fc/kernel";
  const m = /^(.+)\/(conv\/filters|conv\/bias|scale\/weights|scale\/biases)$/.exec(name);
  if (!m) return undefined;
  const l = m[1]!.replace(/\//g, "_");
  return ({ "conv/filters": `${l}/kernel`, "conv/bias": `${l}/bias`, "scale/weights": `${l}_scale/scale`, "scale/biases": `${l}_scale/bias` } as Record<string, string>)[m[2]!];
}

/**
 * The face encoder (dlib's `dlib_face_recognition_resnet_model_v1` as face-api ports it): a 7×7/2
 * conv (32) and a 3×3/2 max-pool, residual blocks of two 3×3 convs at 32, 64, 128 and 256
 * channels (each conv followed by a per-channel scale: the folded batch-norm), the "down"
 * blocks striding their first conv ("valid") with a 2×2 average-pooled, zero-channel-padded
 * shortcut, a global average pool and a 256→128 linear map (no bias). Input 150×150.
 */
export function buildFaceRecognition(opts: FaceRecognitionOptions = {}): FaceRecognition {
  const fn = "models.pretrained.faceRecognition";
  opts = optionsArg(fn, opts);
  const x = nn.input([150, 150, 3], { name: "input" });
  const conv = (h: SymbolicTensor, name: string, f: number, size: number, stride: number, padding: "same" | "valid", relu: boolean): SymbolicTensor => {
    h = nn.conv2d({ filters: f, size, stride, padding, name }).apply(h);
    h = new ChannelAffine({ name: `${name}_scale` }).apply(h);
    return relu ? nn.relu({ name: `${name}_relu` }).apply(h) : h;
  };
  const residual = (h: SymbolicTensor, name: string, f: number): SymbolicTensor => {
    let y = conv(h, `${name}_conv1`, f, 3, 1, "same", true);
    y = conv(y, `${name}_conv2`, f, 3, 1, "same", false);
    y = nn.add({ name: `${name}_add` }).apply([y, h]);
    return nn.relu({ name: `${name}_out` }).apply(y);
  };
  const residualDown = (h: SymbolicTensor, name: string, f: number): SymbolicTensor => {
    let y = conv(h, `${name}_conv1`, f, 3, 2, "valid", true);
    y = conv(y, `${name}_conv2`, f, 3, 1, "same", false);
    let s: SymbolicTensor = nn.avgPool2d({ size: 2, stride: 2, name: `${name}_pool` }).apply(h);
    const [ph, pw, pc] = s.shape as unknown as [number, number, number];
    const [yh, yw] = y.shape as unknown as [number, number];
    if (ph !== yh || pw !== yw) y = nn.zeroPad2d({ padding: [[0, ph - yh], [0, pw - yw]], name: `${name}_pad` }).apply(y);
    if (pc !== f) s = new ChannelPad({ channels: f, name: `${name}_shortcut` }).apply(s);
    y = nn.add({ name: `${name}_add` }).apply([s, y]);
    return nn.relu({ name: `${name}_out` }).apply(y);
  };
  let h = conv(x, "conv32_down", 32, 7, 2, "valid", true);
  h = nn.maxPool2d({ size: 3, stride: 2, name: "pool" }).apply(h);
  h = residual(h, "conv32_1", 32);
  h = residual(h, "conv32_2", 32);
  h = residual(h, "conv32_3", 32);
  h = residualDown(h, "conv64_down", 64);
  h = residual(h, "conv64_1", 64);
  h = residual(h, "conv64_2", 64);
  h = residual(h, "conv64_3", 64);
  h = residualDown(h, "conv128_down", 128);
  h = residual(h, "conv128_1", 128);
  h = residual(h, "conv128_2", 128);
  h = residualDown(h, "conv256_down", 256);
  h = residual(h, "conv256_1", 256);
  h = residual(h, "conv256_2", 256);
  h = residualDown(h, "conv256_down_out", 256);
  h = nn.globalAvgPool2d({ name: "avg_pool" }).apply(h);
  const y = nn.dense({ units: 128, useBias: false, name: "fc" }).apply(h);
  const model = nn.model({ inputs: x, outputs: y, name: modelName(fn, opts.name, "face_recognition") });
  const loadReport = load(model, opts.weights, faceRecognitionMapping);
  const normalize = meanNormalize(FACE_MEAN_RGB);
  const preprocess = (image: Tensor): Tensor => fitImage(`${fn}: preprocess`, image, 150, true, normalize).x;
  const extras = {
    inputSize: 150,
    loadReport,
    preprocess,
    descriptor: (image: Tensor): Tensor => {
      const out = noGrad(() => model.predict(preprocess(image)) as Tensor);
      return new Tensor(Float32Array.from(out.data), [128]);
    },
    distance: (a: Tensor, b: Tensor): number => {
      tensorArg(`${fn}: distance`, "a", a);
      tensorArg(`${fn}: distance`, "b", b);
      if (a.size !== b.size) throw new ShapeError(`${fn}: distance: descriptors must have the same size, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
      let s = 0;
      for (let i = 0; i < a.size; i++) s += (a.data[i]! - b.data[i]!) ** 2;
      return Math.sqrt(s);
    },
  };
  return Object.assign(model, extras) as FaceRecognition;
}

// ---------------------------------------------------------------------------------------------
// 68-point landmarks

export interface FaceLandmarkOptions {
  /** Weights by face-api's names (`dense0/conv0/filters` … `fc/weights`). */
  weights?: WeightSource;
  name?: string;
}

export interface FaceLandmark68 extends Model, PretrainedExtras {
  /** The 68 points of a face crop ([h,w,3] in [0, 1]) in its pixels (face-api's `detectLandmarks`). */
  landmarks(image: Tensor): { x: number; y: number }[];
  /** The net's output [1,136] (x0, y0, x1, … as fractions of the input) → points in the pixels of an image of that fit. */
  decode(output: Tensor, fit: InputFit): { x: number; y: number }[];
  /** How an image fits the input (for `decode`). */
  fitOf(image: Tensor): InputFit;
}

/** face-api name → convlab target of the landmark nets. */
export function faceLandmarkMapping(name: string): string | undefined {
  const m = /^(dense\d+)\/(conv\d+)\/(filters|depthwise_filter|pointwise_filter|bias)$/.exec(name);
  if (m) {
    const l = `${m[1]}_${m[2]}`;
    if (m[3] === "filters") return `${l}/kernel`;
    if (m[3] === "depthwise_filter") return `${l}_depthwise/kernel`;
    if (m[3] === "pointwise_filter") return `${l}_pointwise/kernel`;
    return l === "dense0_conv0" ? `${l}/bias` : `${l}_pointwise/bias`;
  }
  if (name === "fc/weights") return "fc/kernel";
  if (name === "fc/bias") return "fc/bias";
  return undefined;
}

/**
 * face-api's landmark nets: dense blocks of separable convs (each conv's input is the ReLU of the
 * sum of all earlier outputs in the block; the first conv of a block strides 2), 4 blocks (32, 64,
 * 128, 256) + a 7×7 average pool (`tiny`: 3 blocks of 3 convs to 128 + a 14×14 pool), then a
 * dense layer to 136 = 68 × (x, y) as fractions of the 112×112 input.
 */
export function buildFaceLandmark68(opts: FaceLandmarkOptions & { tiny?: boolean } = {}): FaceLandmark68 {
  const fn = opts?.tiny ? "models.pretrained.faceLandmark68Tiny" : "models.pretrained.faceLandmark68";
  opts = optionsArg(fn, opts);
  const tiny = opts.tiny === true;
  const convs = tiny ? 3 : 4;
  const widths = tiny ? [32, 64, 128] : [32, 64, 128, 256];
  const x = nn.input([112, 112, 3], { name: "input" });
  const sep = (h: SymbolicTensor, name: string, f: number, stride: number): SymbolicTensor => {
    h = nn.depthwiseConv2d({ size: 3, stride, padding: "same", useBias: false, name: `${name}_depthwise` }).apply(h);
    return nn.conv2d({ filters: f, size: 1, name: `${name}_pointwise` }).apply(h);
  };
  let h: SymbolicTensor = x;
  widths.forEach((f, b) => {
    const p = `dense${b}`;
    const first = b === 0 ? nn.conv2d({ filters: f, size: 3, stride: 2, padding: "same", name: `${p}_conv0` }).apply(h) : sep(h, `${p}_conv0`, f, 2);
    const outs: SymbolicTensor[] = [nn.relu({ name: `${p}_conv0_relu` }).apply(first)];
    // sum_j = out_0 + … + out_{j-1}, each from the one before (sum_{j-1} + out_{j-1}: the same
    // float32 sums, left to right, as adding all j at once, with one addition per element)
    let sum: SymbolicTensor | null = null;
    const next = (j: number): SymbolicTensor => nn.add({ name: `${p}_sum${j}` }).apply([sum ?? outs[0]!, outs[j - 1]!]);
    for (let j = 1; j < convs; j++) {
      if (j > 1) sum = next(j);
      outs.push(sep(j === 1 ? outs[0]! : nn.relu({ name: `${p}_in${j}` }).apply(sum!), `${p}_conv${j}`, f, 1));
    }
    h = nn.relu({ name: `${p}_out` }).apply(next(convs));
  });
  h = nn.avgPool2d({ size: tiny ? 14 : 7, stride: 2, name: "avg_pool" }).apply(h);
  h = nn.flatten({ name: "flatten" }).apply(h);
  const y = nn.dense({ units: 136, name: "fc" }).apply(h);
  const model = nn.model({ inputs: x, outputs: y, name: modelName(fn, opts.name, (tiny ? "face_landmark_68_tiny" : "face_landmark_68")) });
  const loadReport = load(model, opts.weights, faceLandmarkMapping);
  const normalize = meanNormalize(FACE_MEAN_RGB);
  const decode = (output: Tensor, fit: InputFit): { x: number; y: number }[] => {
    tensorArg(`${fn}: decode`, "output", output);
    if (output.size !== 136) throw new ShapeError(`${fn}: decode: output must be [1,136], got ${fmtShape(output.shape)}`);
    // face-api's postProcess: fractions of the padded square → the image's pixels
    const k = 112 / Math.max(fit.width, fit.height);
    const w = fit.width * k, hh = fit.height * k;
    const padX = w < hh ? Math.abs(w - hh) / 2 : 0, padY = hh < w ? Math.abs(w - hh) / 2 : 0;
    const pts: { x: number; y: number }[] = [];
    for (let i = 0; i < 68; i++)
      pts.push({ x: ((output.data[2 * i]! * 112 - padX) / w) * fit.width, y: ((output.data[2 * i + 1]! * 112 - padY) / hh) * fit.height });
    return pts;
  };
  const fitOf = (image: Tensor): InputFit => fitImage(`${fn}: fitOf`, image, 112, true, normalize).fit;
  const extras = {
    inputSize: 112,
    loadReport,
    preprocess: (image: Tensor): Tensor => fitImage(`${fn}: preprocess`, image, 112, true, normalize).x,
    fitOf,
    decode,
    landmarks: (image: Tensor): { x: number; y: number }[] => {
      const { x: input, fit } = fitImage(`${fn}: landmarks`, image, 112, true, normalize);
      return decode(noGrad(() => model.predict(input) as Tensor), fit);
    },
  };
  return Object.assign(model, extras) as FaceLandmark68;
}
