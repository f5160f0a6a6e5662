// Issue 15: detectors trained end to end on the seeded synthetic scenes, scored with convlab's
// own mAP@0.5 on held-out scenes: a small YOLO (k-means anchors, yoloEncode/yoloLoss/yoloDecode
// + NMS) and the R-CNN pipeline (selective search → warped crops → classifier + box deltas).
import { afterAll, describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

afterAll(() => cl.shutdownThreads());

const SIZE = 32, S = 4, K = 3;
const scenes = { size: SIZE, classes: K, maxObjects: 2, minSide: 0.25, maxSide: 0.5 };
const truthOf = (objects: { box: cl.detection.Box; classId: number }[][]) => objects.flatMap((o, i) => o.map((g) => ({ ...g, imageId: i })));

describe("YOLO trained end to end", () => {
  it("a short seeded training reaches mAP@0.5 ≥ 0.5 on held-out scenes", async () => {
    const train = cl.data.synthetic.shapes({ n: 600, ...scenes, seed: 1 });
    const test = cl.data.synthetic.shapes({ n: 200, ...scenes, seed: 2 });
    const cell = SIZE / S;
    const { anchors } = cl.detection.kmeansAnchors(train.objects.flat().map((o) => ({ width: (o.box.x2 - o.box.x1) / cell, height: (o.box.y2 - o.box.y1) / cell })), 2, { seed: 0 });
    const y = cl.detection.yoloEncode(train.objects, { grid: S, anchors, classes: K, width: SIZE, height: SIZE });
    const net = cl.detection.yoloNet({ size: SIZE, grid: S, anchors, classes: K, seed: 0 });
    const before = cl.detection.yoloLoss(net.predict(cl.slice(train.x, [0, 0, 0, 0], [64, SIZE, SIZE, 3])), cl.slice(y, [0, 0, 0, 0, 0], [64, S, S, 2, 5 + K]), { anchors }).item();
    const h = await net.fit({ x: train.x, y }, { optimizer: cl.train.adam({ lr: 6e-3 }), loss: (o: cl.Tensor, t: cl.Tensor) => cl.detection.yoloLoss(o, t, { anchors }), epochs: 15, batchSize: 32, seed: 0 });
    expect(h.epochs[14]!.loss).toBeLessThan(before / 3);
    const out = await net.predict(test.x);
    const dets = cl.detection.yoloDecode(out, { anchors, width: SIZE, height: SIZE, scoreThreshold: 0.01 });
    const preds = dets.flatMap((d, i) => cl.detection.nms(d, { scoreThreshold: 0.01, iouThreshold: 0.5 }).map((q) => ({ ...q, imageId: i })));
    const { mAP, ap } = cl.detection.meanAveragePrecision(preds, truthOf(test.objects));
    console.log(`YOLO (15 epochs, 600 scenes): mAP@0.5 = ${mAP.toFixed(3)}`, ap);
    expect(mAP).toBeGreaterThanOrEqual(0.5);
  }, 600_000);
});

describe("R-CNN trained end to end", () => {
  it("selective search + a crop classifier with box deltas reaches mAP@0.5 ≥ 0.5", async () => {
    const train = cl.data.synthetic.shapes({ n: 150, ...scenes, seed: 1 });
    const test = cl.data.synthetic.shapes({ n: 60, ...scenes, seed: 2 });
    const proposals = { ks: [50, 150], minSize: 10, sigma: 0.5 };
    const set = cl.detection.rcnnTrainingSet(train.x, train.objects, { classes: K, cropSize: 16, proposals, backgroundPerImage: 4, seed: 0 });
    expect(set.y.shape).toEqual([set.x.shape[0], K + 6]);
    expect(new Set(set.labels)).toEqual(new Set([0, 1, 2, 3]));
    const net = cl.nn.sequential([
      cl.nn.conv2d({ filters: 16, size: 3, padding: "same", activation: "relu" }), cl.nn.maxPool2d({ size: 2 }),
      cl.nn.conv2d({ filters: 32, size: 3, padding: "same", activation: "relu" }), cl.nn.maxPool2d({ size: 2 }),
      cl.nn.flatten(), cl.nn.dense({ units: 64, activation: "relu" }), cl.nn.dense({ units: K + 5 }),
    ], { inputShape: [16, 16, 3], seed: 0 });
    await net.fit({ x: set.x, y: set.y }, { optimizer: cl.train.adam({ lr: 2e-3 }), loss: cl.detection.rcnnLoss, epochs: 8, batchSize: 32, seed: 0 });
    const preds = test.objects.flatMap((_, i) =>
      cl.detection.rcnnDetect(net, cl.slice(test.x, [i, 0, 0, 0], [1, SIZE, SIZE, 3]), { classes: K, cropSize: 16, proposals, scoreThreshold: 0.01 }).map((d) => ({ ...d, imageId: i })));
    const { mAP } = cl.detection.meanAveragePrecision(preds, truthOf(test.objects));
    console.log(`R-CNN (8 epochs, 150 scenes): mAP@0.5 = ${mAP.toFixed(3)}`);
    expect(mAP).toBeGreaterThanOrEqual(0.5);
  }, 600_000);
  it("rcnnLoss: gradcheck (float64)", () => {
    const y = cl.tensor([[0, 1, 0, 0.1, -0.2, 0.3, 0.05, 1], [0, 0, 1, 0, 0, 0, 0, 0]], undefined, { dtype: "float64" });
    const o = cl.randn([2, 7], { seed: 1, dtype: "float64" });
    expect(cl.gradcheck((t) => cl.detection.rcnnLoss(t, y), [o], { atol: 1e-7, rtol: 1e-5 }).ok).toBe(true);
  });
});
