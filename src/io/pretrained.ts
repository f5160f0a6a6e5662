// cl.models.pretrained (Node): face-api's trained networks rebuilt from convlab layers, their
// weights read from the TensorFlow.js manifests of the npm package @vladmandic/face-api (MIT).
import { join } from "node:path";
import { existsSync } from "node:fs";
import { ValueError } from "../util/errors.js";
import { optionsArg } from "../util/check.js";
import type { WeightSource } from "../nn/state.js";
import { pathArg, packageDir } from "./files.js";
import { readTfjsWeights } from "./tfjs.js";
import {
  buildTinyFaceDetector, buildMobileNetV1, buildSsdMobileNetV1, buildFaceRecognition, buildFaceLandmark68,
  type TinyFaceDetector, type MobileNetV1, type SsdMobileNetV1, type FaceRecognition, type FaceLandmark68,
} from "../models/pretrained/faceapi.js";

export {
  TINY_FACE_DETECTOR_ANCHORS, TINY_FACE_DETECTOR_MEAN_RGB, FACE_MEAN_RGB,
  type TinyFaceDetector, type MobileNetV1, type SsdMobileNetV1, type SsdDetectOptions, type FaceRecognition, type FaceLandmark68,
  type FaceDetection, type DetectOptions, type InputFit, type PretrainedExtras,
} from "../models/pretrained/faceapi.js";

export interface PretrainedOptions {
  /** Folder holding face-api's `*-weights_manifest.json` + `.bin` files (default: the installed package's `model/`). */
  modelDir?: string;
  /** Weights by face-api's names instead (e.g. from `cl.io.readTfjsWeights`); nothing is read then. */
  weights?: WeightSource;
  /** The model's name. */
  name?: string;
}

/** The `model/` folder of the installed @vladmandic/face-api package. */
export function faceApiModelDir(): string {
  return packageDir("models.pretrained", "@vladmandic/face-api", "model");
}

function weightsFor(fn: string, opts: PretrainedOptions, file: string): { weights: WeightSource; name?: string } {
  const o = optionsArg(fn, opts);
  if (o.weights !== undefined) return { weights: o.weights, name: o.name };
  const dir = o.modelDir === undefined ? faceApiModelDir() : pathArg(fn, o.modelDir, "opts.modelDir");
  const manifest = join(dir, `${file}-weights_manifest.json`);
  if (!existsSync(manifest)) throw new ValueError(`${fn}: no weights manifest ${manifest} (opts.modelDir must hold face-api's model files)`);
  return { weights: readTfjsWeights(manifest), name: o.name };
}

/**
 * face-api's tiny face detector with its trained weights: `const det = await
 * cl.models.pretrained.tinyFaceDetector(); det.detect(cl.io.readImage("astronaut.png"))`.
 * Options: `{ inputSize = 416 (a multiple of 32), modelDir?, weights?, name? }`.
 */
export async function tinyFaceDetector(opts: PretrainedOptions & { inputSize?: number } = {}): Promise<TinyFaceDetector> {
  const fn = "models.pretrained.tinyFaceDetector";
  const w = weightsFor(fn, opts, "tiny_face_detector_model");
  return buildTinyFaceDetector({ inputSize: optionsArg(fn, opts).inputSize, ...w });
}

/**
 * The MobileNetV1 backbone of face-api's SSD face detector (COCO-trained, then trained on faces),
 * a feature extractor with named stages (`conv0_relu`, `conv1_pw_relu` … `conv13_pw_relu`).
 * Options: `{ inputSize = 512, modelDir?, weights?, name? }`.
 */
export async function mobilenetV1(opts: PretrainedOptions & { inputSize?: number } = {}): Promise<MobileNetV1> {
  const fn = "models.pretrained.mobilenetV1";
  const w = weightsFor(fn, opts, "ssd_mobilenetv1_model");
  return buildMobileNetV1({ inputSize: optionsArg(fn, opts).inputSize, ...w });
}

/**
 * face-api's SSD MobileNetV1 face detector (the MobileNetV1 backbone, extra layers and six box
 * predictors; 5,118 prior boxes at 512×512): `detect(image, { minConfidence = 0.5, maxResults =
 * 100, iouThreshold = 0.5 })`. Options: `{ modelDir?, weights?, name? }`.
 */
export async function ssdMobilenetV1(opts: PretrainedOptions = {}): Promise<SsdMobileNetV1> {
  return buildSsdMobileNetV1(weightsFor("models.pretrained.ssdMobilenetV1", opts, "ssd_mobilenetv1_model"));
}

/** face-api's face encoder (dlib's ResNet): a face crop → a 128-D descriptor; `distance(a, b) < 0.6`: the same person. */
export async function faceRecognition(opts: PretrainedOptions = {}): Promise<FaceRecognition> {
  return buildFaceRecognition(weightsFor("models.pretrained.faceRecognition", opts, "face_recognition_model"));
}

/** face-api's 68-point landmark net (350 k parameters): a face crop → 68 (x, y) points. */
export async function faceLandmark68(opts: PretrainedOptions = {}): Promise<FaceLandmark68> {
  return buildFaceLandmark68(weightsFor("models.pretrained.faceLandmark68", opts, "face_landmark_68_model"));
}

/** face-api's tiny 68-point landmark net (80 k parameters). */
export async function faceLandmark68Tiny(opts: PretrainedOptions = {}): Promise<FaceLandmark68> {
  return buildFaceLandmark68({ ...weightsFor("models.pretrained.faceLandmark68Tiny", opts, "face_landmark_68_tiny_model"), tiny: true });
}
