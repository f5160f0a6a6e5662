// face-api's networks rebuilt from convlab layers (cl.models.pretrained) against face-api's own
// implementation on tfjs-wasm with the same weights, on real portraits (NASA's astronaut, the US
// Navy's Grace Hopper): the preprocessed input, the raw outputs and the decoded results.
import { describe, it, expect, beforeAll } from "vitest";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { faceApiReference, type FaceApi } from "../support/faceapi-ref.js";
import type * as Tf from "@tensorflow/tfjs";

const DATA = join(__dirname, "../../../notebooks/data");
const TOL = { atol: 1e-4, rtol: 1e-4 };

let tf: typeof Tf;
let faceapi: FaceApi;
let astronaut: cl.Tensor, hopper: cl.Tensor;

/** A convlab image in [0, 1] as the 0–255 float32 tfjs tensor face-api takes. */
const toTf = (img: cl.Tensor): Tf.Tensor3D => tf.tensor3d(Float32Array.from(img.data, (v) => Math.fround(v * 255)), img.shape as [number, number, number], "float32");
const data = (t: Tf.Tensor): Float32Array => t.dataSync() as Float32Array;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
/** The crop [y1, y2) × [x1, x2) of an image [h,w,3]. */
const crop = (img: cl.Tensor, b: { x1: number; y1: number; x2: number; y2: number }): cl.Tensor => {
  const [h, w] = img.shape as [number, number, number];
  const x1 = Math.max(0, Math.round(b.x1)), y1 = Math.max(0, Math.round(b.y1));
  const x2 = Math.min(w, Math.round(b.x2)), y2 = Math.min(h, Math.round(b.y2));
  return cl.slice(img, [y1, x1, 0], [y2 - y1, x2 - x1, 3]);
};
const iou = (a: cl.detection.Box, b: cl.detection.Box): number => cl.detection.iou(a, b);

beforeAll(async () => {
  ({ tf, faceapi } = await faceApiReference(["tinyFaceDetector", "faceRecognitionNet", "faceLandmark68Net", "faceLandmark68TinyNet", "ssdMobilenetv1"]));
  astronaut = cl.io.readImage(join(DATA, "astronaut.png"), { channels: 3 });
  hopper = cl.io.readImage(join(DATA, "grace_hopper.jpg"), { channels: 3 });
}, 120_000);

describe("models.pretrained.tinyFaceDetector", () => {
  it("equals face-api on tfjs-wasm: input, 13×13×25 output, and the astronaut's face", async () => {
    const det = await cl.models.pretrained.tinyFaceDetector();
    expect(det.loadReport!.loaded).toHaveLength(19);
    for (const img of [astronaut, hopper]) {
      const t = toTf(img);
      const x = det.preprocess(img);
      const ref = await faceapi.nets.tinyFaceDetector.forward(t, 416);
      // face-api's own input: the padded, resized batch, mean-subtracted, ÷255
      const ni = await faceapi.toNetInput(t);
      const refIn = tf.div(faceapi.normalize(ni.toBatchTensor(416, false), [117.001, 114.697, 97.404]), 255);
      expectClose(x, data(refIn), { atol: 1e-5, rtol: 1e-5 });
      const y = det.predict(x) as cl.Tensor;
      expect(y.shape).toEqual([1, 13, 13, 25]);
      console.log(`tinyFaceDetector ${img.shape}: max |convlab − tfjs| = ${maxDiff(y.data, data(ref)).toExponential(2)}`);
      expectClose(y, data(ref), TOL);
    }
    const faces = det.detect(astronaut);
    const refFaces = await faceapi.nets.tinyFaceDetector.locateFaces(toTf(astronaut), new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }));
    expect(faces).toHaveLength(1);
    expect(refFaces).toHaveLength(1);
    const r = refFaces[0].box;
    expect(faces[0]!.score).toBeGreaterThanOrEqual(0.95);
    expect(Math.abs(faces[0]!.score - refFaces[0].score)).toBeLessThan(1e-4);
    expect(iou(faces[0]!.box, { x1: r.x, y1: r.y, x2: r.x + r.width, y2: r.y + r.height })).toBeGreaterThanOrEqual(0.95);
  });
});
