// The accuracy effect of data augmentation on a small training set (COURSE.md week 2; issue 14,
// part 4), as notebooks/04-case-studies.ipynb shows it and scripts/augment-experiment.mjs measures it
// at more sizes and seeds (docs/models.md): LeNet-5 on 300 MNIST digits for 40 epochs, once on the
// pictures as they are and once on views augmented on the fly through a dataset's `.map` (random
// shifts of ±2 px and rotations of ±10°, the invariances of handwriting; no mirror), the same
// seed, optimizer and epochs; evaluated on 1,000 held-out test digits.
import { describe, it, expect, afterAll } from "vitest";
import * as cl from "../../../src/index.js";

afterAll(() => cl.shutdownThreads());

const A = cl.data.augment;

describe("data augmentation on a small training set: the augmented run beats the un-augmented one on held-out digits", () => {
  it("300 digits, 40 epochs, seed 0: the plain net fits its pictures (≥ 99 % train) but generalises worse; shift + rotate (a new view per picture and epoch) is ≥ 1.5 points ahead on the 1,000 test digits", async () => {
    const train = cl.io.loadMnist({ limit: 300, seed: 1, pad32: true });
    const test = cl.io.loadMnist({ split: "test", limit: 1000, seed: 1, pad32: true });
    const train28 = { x: cl.data.centerCrop(train.x, 28), y: train.y };
    const test28 = { x: cl.data.centerCrop(test.x, 28), y: test.y };
    const shiftRotate = A.compose([A.rotate({ degrees: 10 }), A.randomCrop({ size: 28 })]);
    const acc = (net: cl.nn.Model, set: { x: cl.Tensor; y: cl.Tensor }): number => cl.train.accuracy(net.predictProba(set.x), set.y);
    const seed = 0, epochs = 40;
    // a fresh optimizer per run: an optimizer keeps its state (Adam's step count) from one fit to the next
    const opts = () => ({ optimizer: cl.train.adam({ lr: 2e-3 }), loss: "softmaxCrossEntropy" as const, epochs, batchSize: 32, seed });
    const plain = cl.models.lenet5({ inputShape: [28, 28, 1], seed });
    await plain.fit(train28, opts());
    const augmented = cl.models.lenet5({ inputShape: [28, 28, 1], seed });
    let views = 0;
    const onTheFly = cl.data.dataset({ x: train.x, y: train.y }).shuffle({ seed }).map((e, { rng }) => {
      views++;
      return { x: shiftRotate({ image: e.x }, rng).image, y: e.y };
    }, { seed });
    await augmented.fit(onTheFly, opts());
    expect(views).toBe(epochs * 300); // a new view of every picture every epoch
    const p = { train: acc(plain, train28), test: acc(plain, test28) };
    const a = { train: acc(augmented, train28), test: acc(augmented, test28) };
    expect(p.train, "the plain net fits its 300 pictures").toBeGreaterThanOrEqual(0.99);
    expect(p.test, "… and does worse on held-out digits (overfitting)").toBeLessThan(p.train - 0.05);
    expect(a.test - p.test, `augmented ${a.test} vs plain ${p.test} on the test digits`).toBeGreaterThanOrEqual(0.015);
  }, 180_000);
});
