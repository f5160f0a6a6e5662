// Activation maximisation (issue 17): gradient ascent on the input raises the chosen unit's
// activation, beyond what any of a batch of random inputs reaches; jitter and blur keep it working.
import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

const net = () =>
  cl.nn.sequential(
    [
      cl.nn.conv2d({ name: "c1", filters: 4, size: 3, activation: "relu" }),
      cl.nn.maxPool2d({ name: "p1", size: 2 }),
      cl.nn.conv2d({ name: "c2", filters: 6, size: 3, activation: "relu" }),
      cl.nn.flatten({ name: "flat" }),
      cl.nn.dense({ name: "fc", units: 3 }),
    ],
    { inputShape: [12, 12, 3], seed: 5 },
  );

describe("maximizeActivation", () => {
  it("raises a conv unit's mean activation above its start and above 64 random images", async () => {
    const m = net();
    const r = await cl.inspect.maximizeActivation(m, "c2", 2, { steps: 40, lr: 0.05, seed: 1, progress: false });
    const rnd = m.features(cl.rand([64, 12, 12, 3], { seed: 9 }), ["c2"]).c2!;
    let best = -Infinity;
    for (let e = 0; e < 64; e++) {
      let s = 0;
      for (let p = 0; p < 9; p++) s += rnd.data[(e * 9 + p) * 6 + 2]!;
      best = Math.max(best, s / 9);
    }
    expect(r.final).toBeGreaterThan(r.initial);
    expect(r.final).toBeGreaterThan(best);
    // the reported final value is the unit's activation on the returned image
    const again = m.features(r.image, ["c2"]).c2!;
    let s = 0;
    for (let p = 0; p < 9; p++) s += again.data[p * 6 + 2]!;
    expect(Math.abs(s / 9 - r.final)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(r.final));
    expect(Math.min(...r.image.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r.image.data)).toBeLessThanOrEqual(1);
    expect(r.history).toHaveLength(40);
    // the model is left as it was: its weights still train, and no weight gradient was kept
    expect(m.parameters().every((p) => p.requiresGrad && p.grad === null)).toBe(true);
  });

  it("a dense logit, the centre-unit objective, no jitter or blur", async () => {
    const m = net();
    const r = await cl.inspect.maximizeActivation(m, "fc", 1, { steps: 20, jitter: 0, blurEvery: 0, progress: false });
    expect(r.final).toBeGreaterThan(r.initial + 0.1);
    const c = await cl.inspect.maximizeActivation(m, "c1", 0, { steps: 20, objective: "center", progress: false });
    expect(c.final).toBeGreaterThan(c.initial);
  });

  it("errors name the function and the argument", async () => {
    await expect(cl.inspect.maximizeActivation(net(), "c2", 9, { steps: 1 })).rejects.toThrow(/inspect\.maximizeActivation: layer 'c2' has 6 units \(channels\), got unit 9/);
    await expect(cl.inspect.maximizeActivation(net(), "c2", 0, { steps: 0 })).rejects.toThrow(/opts\.steps/);
    await expect(cl.inspect.maximizeActivation({} as never, "c2", 0)).rejects.toThrow(/inspect\.maximizeActivation: model must be/);
  });
});
