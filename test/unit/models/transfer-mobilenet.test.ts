// Transfer learning from real pretrained weights (issue 14 item 3): face-api's MobileNetV1 (the
// backbone of its SSD face detector, cl.models.pretrained.mobilenetV1) frozen and cut after conv5,
// its activations of 1,000 Fashion-MNIST pictures (resized to 32×32, grey replicated to RGB, in
// [−1, 1] as the backbone expects) cached with cl.io.cacheActivations, a new softmax head trained on
// the cache — against the same network (cl.models.mobilenetV1, fresh weights) trained from scratch
// on the same 1,000 pictures.
import { describe, it, expect, afterAll } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";

afterAll(() => cl.shutdownThreads());
const present = existsSync(cl.io.FASHION_MNIST_DIR);
const toMobileNet = (x: cl.Tensor): cl.Tensor => {
  const r = cl.data.resize(x, [32, 32]);
  return cl.concat([r, r, r], 3).mul(2).sub(1);
};
const snapshot = (m: cl.nn.Model): number[][] => m.parameters().map((p) => Array.from(p.data));

describe.skipIf(!present)("transfer from face-api's MobileNetV1 to Fashion-MNIST with 1,000 labels", () => {
  const dir = mkdtempSync(join(tmpdir(), "convlab-mobilenet-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the frozen backbone + a head trained on the cached conv5 activations beats the same network trained from scratch", async () => {
    const train = cl.io.loadFashionMnist({ limit: 1000, seed: 0 });
    const test = cl.io.loadFashionMnist({ split: "test", limit: 500, seed: 0 });
    const x = toMobileNet(train.x), xTest = toMobileNet(test.x);
    expect(x.shape).toEqual([1000, 32, 32, 3]);

    const backbone = await cl.models.pretrained.mobilenetV1({ inputSize: 32 });
    backbone.freeze();
    const before = snapshot(backbone);
    const path = join(dir, "conv5.ckpt");
    const cached = await cl.io.cacheActivations(path, { model: backbone, x: x, layer: "conv5_pw_relu", batchSize: 100 });
    expect(cached.source).toBe("computed");
    expect(cached.activations.shape).toEqual([1000, 4, 4, 256]);
    const cachedTest = await cl.io.cacheActivations(join(dir, "conv5-test.ckpt"), { model: backbone, x: xTest, layer: "conv5_pw_relu", batchSize: 100 });

    const head = cl.nn.sequential([cl.nn.flatten({ name: "head_flatten" }), cl.nn.dense({ units: 10, name: "head_predictions" })], { inputShape: [4, 4, 256], seed: 1 });
    await head.fit({ x: cached.activations, y: train.y }, { optimizer: cl.train.adam({ lr: 1e-3 }), loss: "softmaxCrossEntropy", epochs: 20, batchSize: 32, seed: 2 });
    const transfer = cl.models.withHead(backbone, { at: "conv5_pw_relu", head: head });
    const accTransfer = cl.train.accuracy(transfer.predictProba(xTest), test.y);
    // the head on the cache and the whole transferred network agree
    expect(Math.abs(cl.train.accuracy(head.predictProba(cachedTest.activations), test.y) - accTransfer)).toBeLessThanOrEqual(0.002);
    // one more (frozen) pass through fit leaves every backbone weight bit-identical
    await transfer.fit({ x: x.slice([0, 0, 0, 0], [64, 32, 32, 3]), y: train.y.slice([0], [64]) }, { optimizer: cl.train.adam({ lr: 1e-3 }), loss: "softmaxCrossEntropy", epochs: 1, batchSize: 32, seed: 3 });
    expect(snapshot(backbone)).toEqual(before);
    // a second call reads the cache
    expect((await cl.io.cacheActivations(path, { model: backbone, x: x, layer: "conv5_pw_relu" })).source).toBe("cache");

    cl.manualSeed(0);
    const scratch = cl.models.withHead(cl.models.mobilenetV1({ inputSize: 32, name: "mobilenet_scratch" }), { at: "conv5_pw_relu", classes: 10, freeze: false, seed: 1 });
    expect(scratch.countParams()).toBe(transfer.countParams()); // the same network
    expect(transfer.trainableCount()).toBe(4 * 4 * 256 * 10 + 10); // only the head trains
    await scratch.fit({ x: x, y: train.y }, { optimizer: cl.train.adam({ lr: 1e-3 }), loss: "softmaxCrossEntropy", epochs: 2, batchSize: 32, seed: 2 });
    const accScratch = cl.train.accuracy(scratch.predictProba(xTest), test.y);
    console.log(`MobileNetV1 conv5 transfer ${accTransfer.toFixed(3)} vs from scratch ${accScratch.toFixed(3)} (1,000 Fashion-MNIST pictures, 500 test)`);
    expect(accTransfer).toBeGreaterThan(accScratch + 0.05);
  }, 600_000);
});
