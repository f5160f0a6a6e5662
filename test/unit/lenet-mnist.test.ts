import { describe, it, expect, afterAll } from "vitest";
import * as cl from "../../src/index.js";

// COURSE.md week 1 / issue 3: LeNet-5 trained end to end on MNIST (padded to 32×32×1) through
// the public API: cl.io.loadMnist → cl.models.lenet5 → model.fit → model.evaluate.

afterAll(() => cl.shutdownThreads());

function train(seed: number, limit: number, epochs: number) {
  const data = cl.io.loadMnist({ split: "train", limit, seed: 0, pad32: true });
  const model = cl.models.lenet5({ inputShape: [32, 32, 1], seed });
  const history = model.fit(data, { optimizer: cl.train.adam({ lr: 2e-3 }), loss: "softmaxCrossEntropy", epochs, batchSize: 64, seed });
  return { model, history };
}

const weights = (m: cl.nn.Model): number[][] => m.parameters().map((p) => Array.from(p.data));

describe("LeNet-5 on MNIST", () => {
  it("a seeded 10k training subset reaches ≥ 95 % on the full 10k test set", async () => {
    const { model, history } = train(0, 10000, 3);
    const h = await history;
    expect(h.epochs).toHaveLength(3);
    expect(h.epochs[2]!.loss).toBeLessThan(h.epochs[0]!.loss);
    const test = cl.io.loadMnist({ split: "test", pad32: true });
    expect(test.x.shape).toEqual([10000, 32, 32, 1]);
    const { accuracy } = await model.evaluate(test, { batchSize: 500 });
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  }, 300_000);

  it("two runs with the same seed give bit-identical weights; another seed does not", async () => {
    const a = train(7, 2000, 1), b = train(7, 2000, 1), c = train(8, 2000, 1);
    await Promise.all([a.history, b.history, c.history]); // interleaved on the event loop, still independent
    expect(weights(a.model)).toEqual(weights(b.model));
    expect(weights(a.model)).not.toEqual(weights(c.model));
  }, 300_000);
});
