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
/** The two faces, cropped at convlab's tiny-detector boxes (the same crops go to face-api). */
let faceA: cl.Tensor, faceH: cl.Tensor;

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
  const det = await cl.models.pretrained.tinyFaceDetector();
  faceA = crop(astronaut, det.detect(astronaut)[0]!.box);
  faceH = crop(hopper, det.detect(hopper)[0]!.box);
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

/** face-api's MobileNetV1 (src/ssdMobilenetv1/mobileNetV1.ts) in tfjs ops on its loaded params: the backbone is not exported. */
function refMobilenet(x: Tf.Tensor4D, p: FaceApi): Tf.Tensor4D {
  const pw = (h: Tf.Tensor4D, q: FaceApi, s: number): Tf.Tensor4D => tf.clipByValue(tf.add(tf.conv2d(h, q.filters, s, "same"), q.batch_norm_offset), 0, 6);
  let out = pw(x, p.conv_0, 2);
  for (let i = 1; i <= 13; i++) {
    const d = p[`conv_${i}`].depthwise_conv;
    const s = [2, 4, 6, 12].includes(i) ? 2 : 1;
    out = tf.clipByValue(tf.batchNorm(tf.depthwiseConv2d(out, d.filters, s, "same"), d.batch_norm_mean, d.batch_norm_variance, d.batch_norm_offset, d.batch_norm_scale, 0.0010000000474974513), 0, 6);
    out = pw(out, p[`conv_${i}`].pointwise_conv, 1);
  }
  return out;
}

describe("models.pretrained.mobilenetV1", () => {
  it("equals face-api's SSD backbone on tfjs-wasm (Grace Hopper at 256×256: 8×8×1024 features)", async () => {
    const net = await cl.models.pretrained.mobilenetV1({ inputSize: 256 });
    expect(net.loadReport!.loaded).toHaveLength(93);
    expect(net.stages).toHaveLength(14);
    const ni = await faceapi.toNetInput(toTf(hopper));
    const refIn = tf.sub(tf.div(ni.toBatchTensor(256, false), 127.5), 1) as Tf.Tensor4D;
    const x = net.preprocess(hopper);
    expectClose(x, data(refIn), { atol: 1e-6, rtol: 1e-6 });
    const ref = refMobilenet(refIn, faceapi.nets.ssdMobilenetv1.params.mobilenetv1);
    const y = net.predict(x) as cl.Tensor;
    expect(y.shape).toEqual([1, 8, 8, 1024]);
    console.log(`mobilenetV1: max |convlab − tfjs| = ${maxDiff(y.data, data(ref)).toExponential(2)} (max |y| ${data(ref).reduce((a, v) => Math.max(a, Math.abs(v)), 0).toFixed(2)})`);
    expectClose(y, data(ref), TOL);
  });
});

describe("models.pretrained.faceRecognition", () => {
  it("equals face-api's descriptor on tfjs-wasm; mirror < 0.3 < 0.6 < Grace Hopper", async () => {
    const enc = await cl.models.pretrained.faceRecognition();
    expect(enc.summary().totalParams).toBe(5_614_592);
    const faceM = cl.flip(faceA, [1]);
    const ds: cl.Tensor[] = [];
    for (const f of [faceA, faceM, faceH]) {
      const x = enc.preprocess(f);
      const ni = await faceapi.toNetInput(toTf(f));
      const refIn = tf.div(faceapi.normalize(ni.toBatchTensor(150, true), [122.782, 117.001, 104.298]), 255);
      expectClose(x, data(refIn), { atol: 1e-5, rtol: 1e-5 });
      const d = enc.descriptor(f);
      const ref = data(await faceapi.nets.faceRecognitionNet.forward(toTf(f)));
      console.log(`faceRecognition ${f.shape}: max |convlab − tfjs| = ${maxDiff(d.data, ref).toExponential(2)}`);
      expectClose(d, ref, { atol: 1e-3, rtol: 0 });
      expect(maxDiff(d.data, ref)).toBeLessThanOrEqual(1e-3);
      ds.push(d);
    }
    const mirror = enc.distance(ds[0]!, ds[1]!), other = enc.distance(ds[0]!, ds[2]!);
    console.log(`descriptor distances: astronaut–mirror ${mirror.toFixed(3)}, astronaut–Hopper ${other.toFixed(3)}`);
    expect(mirror).toBeLessThan(0.3);
    expect(other).toBeGreaterThan(0.6);
    expect(Math.abs(other - faceapi.euclideanDistance(Array.from(ds[0]!.data), Array.from(ds[2]!.data)))).toBeLessThan(1e-6);
  });
});

describe("models.pretrained.faceLandmark68 / faceLandmark68Tiny", () => {
  for (const [name, refNet] of [["faceLandmark68", "faceLandmark68Net"], ["faceLandmark68Tiny", "faceLandmark68TinyNet"]] as const) {
    it(`${name} equals face-api on tfjs-wasm: 136 outputs and 68 points on the faces`, async () => {
      const net = await cl.models.pretrained[name]();
      for (const face of [faceA, faceH]) {
        const t = toTf(face);
        const ni = await faceapi.toNetInput(t);
        const raw = data(faceapi.nets[refNet].runNet(ni));
        const y = net.predict(net.preprocess(face)) as cl.Tensor;
        expect(y.shape).toEqual([1, 136]);
        console.log(`${name} ${face.shape}: max |convlab − tfjs| = ${maxDiff(y.data, raw).toExponential(2)}`);
        expectClose(y, raw, TOL);
        const pts = net.landmarks(face);
        const ref = await faceapi.nets[refNet].detectLandmarks(t);
        expect(pts).toHaveLength(68);
        const refPts = ref.positions as { x: number; y: number }[];
        expectClose(pts.flatMap((p) => [p.x, p.y]), refPts.flatMap((p) => [p.x, p.y]), { atol: 1e-2, rtol: 1e-4 });
      }
    });
  }
});

describe("models.pretrained.ssdMobilenetV1", () => {
  it("equals face-api's SSD detector on tfjs-wasm: 5,118 scores and boxes (Grace Hopper), the astronaut's face", async () => {
    const ssd = await cl.models.pretrained.ssdMobilenetV1();
    expect(ssd.loadReport!.loaded).toHaveLength(93 + 16 + 24);
    {
      const img = hopper; // not square: the padding and the box scaling of locateFaces
      const t = toTf(img);
      const outs = ssd.predict(ssd.preprocess(img)) as Record<string, cl.Tensor>;
      const dets = ssd.decode(outs, ssd.fitOf(img));
      const ref = await faceapi.nets.ssdMobilenetv1.forward(t);
      const scores = data(ref.scores[0]);
      console.log(`ssdMobilenetV1 ${img.shape}: max |score − tfjs| = ${maxDiff(dets.map((d) => d.score), scores).toExponential(2)}`);
      expectClose(dets.map((d) => d.score), scores, TOL);
      // face-api's boxes [ymin, xmin, ymax, xmax] clipped to [0, 1], in pixels (the input is square-padded at the bottom/right)
      const b = data(ref.boxes[0]);
      const [h, w] = img.shape as [number, number];
      // locateFaces: × inputSize / (the image's side scaled to fit 512, rounded), × the image's size
      const side = Math.max(h, w);
      const sx = (512 / Math.round((w * 512) / side)) * w, sy = (512 / Math.round((h * 512) / side)) * h;
      const refPx = Array.from({ length: 5118 }, (_, i) => [Math.max(0, b[4 * i + 1]!) * sx, Math.max(0, b[4 * i]!) * sy, Math.min(1, b[4 * i + 3]!) * sx, Math.min(1, b[4 * i + 2]!) * sy]);
      const mine = dets.map((d) => [d.box.x1, d.box.y1, d.box.x2, d.box.y2]);
      const ok = refPx.map((r, i) => r[2]! >= r[0]! && r[3]! >= r[1]! ? i : -1).filter((i) => i >= 0);
      expectClose(ok.flatMap((i) => mine[i]!), ok.flatMap((i) => refPx[i]!), { atol: 1e-2, rtol: 1e-4 });
    }
    const faces = ssd.detect(astronaut);
    const refFaces = await faceapi.nets.ssdMobilenetv1.locateFaces(toTf(astronaut), new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }));
    expect(faces).toHaveLength(refFaces.length);
    expect(faces[0]!.score).toBeGreaterThanOrEqual(0.95);
    const r = refFaces[0].box;
    expect(iou(faces[0]!.box, { x1: r.x, y1: r.y, x2: r.x + r.width, y2: r.y + r.height })).toBeGreaterThanOrEqual(0.99);
  });
});
