// Issue 15 item 7: a real pretrained detector decoded by convlab's own YOLO code. face-api's tiny
// face detector is YOLOv2-style (13×13 grid, 5 anchors, per anchor [tx, ty, tw, th, to], no
// classes); its raw head output, computed by convlab's rebuild of the net, is decoded with
// cl.detection.yoloDecode (layout "darknet") + cl.detection.nms and compared with face-api's own
// locateFaces on tfjs-wasm with the same weights.
import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { faceApiReference, type FaceApi } from "../support/faceapi-ref.js";
import type * as Tf from "@tensorflow/tfjs";

const DATA = join(__dirname, "../../../notebooks/data");
let tf: typeof Tf;
let faceapi: FaceApi;
let astronaut: cl.Tensor, hopper: cl.Tensor;

beforeAll(async () => {
  ({ tf, faceapi } = await faceApiReference(["tinyFaceDetector"]));
  astronaut = cl.io.readImage(join(DATA, "astronaut.png"), { channels: 3 });
  hopper = cl.io.readImage(join(DATA, "grace_hopper.jpg"), { channels: 3 });
}, 120_000);

describe("the tiny face detector decoded by yoloDecode", () => {
  it("finds the astronaut's face with face-api's box (IoU ≥ 0.95) and score", async () => {
    const det = await cl.models.pretrained.tinyFaceDetector();
    const [h, w] = astronaut.shape as [number, number, number];
    const raw = det.predict(det.preprocess(astronaut)) as cl.Tensor;
    expect(raw.shape).toEqual([1, 13, 13, 25]); // 5 anchors × (tx, ty, tw, th, to)
    // the grid covers the image padded to a square (padding after it): the frame is side × side
    const side = Math.max(h, w);
    const all = cl.detection.yoloDecode(raw, { anchors: det.anchors, classes: 0, layout: "darknet", width: side, height: side })[0]!;
    expect(all).toHaveLength(13 * 13 * 5);
    const faces = cl.detection.nms(all, { scoreThreshold: 0.5, iouThreshold: 0.4 });
    const t = tf.tensor3d(Float32Array.from(astronaut.data, (v) => Math.fround(v * 255)), [h, w, 3], "float32");
    const ref = await faceapi.nets.tinyFaceDetector.locateFaces(t, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }));
    expect(faces).toHaveLength(1);
    expect(ref).toHaveLength(1);
    const r = ref[0].box;
    const refBox = { x1: r.x, y1: r.y, x2: r.x + r.width, y2: r.y + r.height };
    console.log(`tiny face detector via yoloDecode: score ${faces[0]!.score.toFixed(4)} (face-api ${ref[0].score.toFixed(4)}), IoU with face-api's box ${cl.detection.iou(faces[0]!.box, refBox).toFixed(5)}`);
    expect(cl.detection.iou(faces[0]!.box, refBox)).toBeGreaterThanOrEqual(0.95);
    expect(Math.abs(faces[0]!.score - ref[0].score)).toBeLessThan(1e-3);
    // and the same candidates as the net's own decode
    const own = det.decode(raw, det.fitOf(astronaut));
    expect(own).toHaveLength(all.length);
    own.forEach((d, i) => expect(cl.detection.iou(d.box, all[i]!.box)).toBeGreaterThan(0.9999));
  }, 120_000);
  it("finds Grace Hopper's face too (a 600×512 portrait: the grid covers it padded to 600×600)", async () => {
    const det = await cl.models.pretrained.tinyFaceDetector();
    const [h, w] = hopper.shape as [number, number, number];
    const raw = det.predict(det.preprocess(hopper)) as cl.Tensor;
    const side = Math.max(h, w);
    const faces = cl.detection.nms(cl.detection.yoloDecode(raw, { anchors: det.anchors, layout: "darknet", width: side, height: side })[0]!, { scoreThreshold: 0.5, iouThreshold: 0.4 });
    const t = tf.tensor3d(Float32Array.from(hopper.data, (v) => Math.fround(v * 255)), [h, w, 3], "float32");
    const ref = await faceapi.nets.tinyFaceDetector.locateFaces(t, new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }));
    expect(faces).toHaveLength(ref.length);
    expect(faces.length).toBeGreaterThanOrEqual(1);
    const r = ref[0].box;
    expect(cl.detection.iou(faces[0]!.box, { x1: r.x, y1: r.y, x2: r.x + r.width, y2: r.y + r.height })).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});
