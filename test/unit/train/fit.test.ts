// model.fit / evaluate / predictBatched: convergence on a separable problem, history and
// metrics, interrupts between batches (explicit signal and the kernel's cl.runtime), progress
// events, NaN loss and label errors, frozen layers, and bit-identical seeded runs.
import { describe, it, expect, afterEach } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

/** Two Gaussian blobs in 2-D (class 0 around (−1.5, −1), class 1 around (1.5, 1)), interleaved. */
function blobs(m: number, seed: number): { x: cl.Tensor; y: cl.Tensor } {
  const rng = new cl.Rng(seed);
  const x = new Float32Array(m * 2), y = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const c = i % 2;
    y[i] = c;
    x[2 * i] = (c ? 1.5 : -1.5) + 0.5 * rng.normal();
    x[2 * i + 1] = (c ? 1 : -1) + 0.5 * rng.normal();
  }
  return { x: new cl.Tensor(x, [m, 2]), y: new cl.Tensor(y, [m]) };
}

const mlp = (seed = 0, extra: cl.nn.Layer[] = []): cl.nn.Sequential =>
  cl.nn.sequential([cl.nn.dense({ name: "hidden", units: 8, activation: "relu" }), ...extra, cl.nn.dense({ name: "out", units: 2 })], { inputShape: [2], seed });

const weights = (m: cl.nn.Model): number[][] => Object.values(m.stateDict()).map((t) => Array.from(t.data));

afterEach(() => {
  // a test that installs a runtime restores {} itself; make sure nothing leaks
  cl.runtime.setRuntime({});
});

describe("fit on a tiny separable problem", () => {
  it("converges: accuracy 1 and a small loss; history has one entry per epoch", async () => {
    const train = blobs(64, 1), val = blobs(32, 2);
    const model = mlp(0);
    const h = await model.fit(train, { optimizer: cl.train.adam({ lr: 0.05 }), loss: "softmaxCrossEntropy", epochs: 20, batchSize: 16, seed: 3, validationData: val });
    expect(h.aborted).toBeUndefined();
    expect(h.epochs.map((e) => e.epoch)).toEqual([...Array(20).keys()]);
    expect(h.epochs.every((e) => e.batches === 4)).toBe(true);
    const last = h.epochs[19]!;
    expect(last.loss).toBeLessThan(0.05);
    expect(last.loss).toBeLessThan(h.epochs[0]!.loss / 5);
    expect(last.metrics.accuracy).toBe(1);
    expect(Object.keys(last.metrics).sort()).toEqual(["accuracy", "valAccuracy", "valLoss"]);
    expect(last.metrics.valAccuracy).toBe(1);
    const ev = await model.evaluate(val, { batchSize: 5 });
    expect(ev.loss).toBeCloseTo(last.metrics.valLoss!, 6);
    expect(ev.accuracy).toBe(1);
  });

  it("evaluate is the mean loss over all examples (batches weighted by size)", async () => {
    const data = blobs(10, 4);
    const model = mlp(5);
    const whole = cl.softmaxCrossEntropy(model.predict(data.x), data.y).item();
    const ev = await model.evaluate(data, { batchSize: 3 }); // batches of 3, 3, 3, 1
    expect(ev.loss).toBeCloseTo(whole, 6);
    expect(ev.accuracy).toBeCloseTo(cl.train.accuracy(model.predict(data.x), data.y), 12);
  });

  it("predictBatched gives predict's outputs", async () => {
    const { x } = blobs(11, 6);
    const model = mlp(7);
    expectClose(await model.predictBatched(x, { batchSize: 4 }), model.predict(x), { atol: 1e-6, rtol: 0 });
  });

  it("takes an async iterable of batches, mse on [m,1] outputs with [m] targets, and sgd with momentum", async () => {
    const { x } = blobs(32, 8);
    const target = cl.tensor(Array.from({ length: 32 }, (_, i) => 2 * x.data[2 * i]! - x.data[2 * i + 1]! + 0.5), [32]);
    const model = cl.nn.sequential([cl.nn.dense({ units: 1 })], { inputShape: [2], seed: 1 });
    const data = {
      async *[Symbol.asyncIterator]() {
        for (let s = 0; s < 32; s += 8) yield { x: x.slice([s, 0], [8, 2]), y: target.slice([s], [8]) };
      },
    };
    const h = await model.fit(data, { optimizer: cl.train.sgd({ lr: 0.05, momentum: 0.9 }), loss: "mse", epochs: 60 });
    expect(h.epochs[59]!.loss).toBeLessThan(1e-4);
    expect(h.epochs[0]!.metrics).toEqual({});
    const k = model.getLayer("dense_1").weight("kernel").data;
    expectClose([k[0]!, k[1]!, model.getLayer("dense_1").weight("bias").data[0]!], [2, -1, 0.5], { atol: 1e-2, rtol: 0 });
  });

  it("bce with one logit per example reports binary accuracy", async () => {
    const train = blobs(40, 9);
    const model = cl.nn.sequential([cl.nn.dense({ units: 1 })], { inputShape: [2], seed: 2 });
    const h = await model.fit(train, { optimizer: cl.train.rmsprop({ lr: 0.05 }), loss: "bce", epochs: 15, batchSize: 10, seed: 0 });
    expect(h.epochs[14]!.metrics.accuracy).toBe(1);
  });

  it("a frozen layer keeps its weights; the others train", async () => {
    const model = mlp(3);
    model.getLayer("hidden").trainable = false;
    const before = Array.from(model.getLayer("hidden").weight("kernel").data);
    const outBefore = Array.from(model.getLayer("out").weight("kernel").data);
    await model.fit(blobs(16, 1), { optimizer: cl.train.sgd({ lr: 0.1 }), epochs: 2, batchSize: 8 });
    expect(Array.from(model.getLayer("hidden").weight("kernel").data)).toEqual(before);
    expect(Array.from(model.getLayer("out").weight("kernel").data)).not.toEqual(outBefore);
    expect(model.summary().trainableParams).toBe(18);
  });
});

describe("fit: reproducibility", () => {
  const run = async (modelSeed: number, fitSeed: number): Promise<number[][]> => {
    const model = mlp(modelSeed, [cl.nn.dropout({ rate: 0.3 })]);
    await model.fit(blobs(48, 1), { optimizer: cl.train.adam({ lr: 0.01 }), epochs: 3, batchSize: 8, seed: fitSeed });
    return weights(model);
  };
  it("the same model seed and fit seed give bit-identical weights; another fit seed does not", async () => {
    const a = await run(11, 5), b = await run(11, 5), c = await run(11, 6);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});

describe("fit: interrupts, callbacks and progress events", () => {
  it("an aborted signal stops fit after the current batch; it resolves with the history so far", async () => {
    const ctrl = new AbortController();
    const model = mlp(1);
    const seen: number[] = [];
    let snapshot: number[][] = [];
    const h = await model.fit(blobs(64, 1), {
      optimizer: cl.train.adam({ lr: 0.01 }), epochs: 5, batchSize: 8, signal: ctrl.signal,
      callbacks: {
        onBatchEnd: (b) => {
          seen.push(b.step);
          if (b.epoch === 1 && b.batch === 2) {
            ctrl.abort();
            snapshot = weights(model);
          }
        },
      },
    });
    expect(h.aborted).toBe(true);
    expect(seen).toEqual([...Array(11).keys()].map((i) => i + 1)); // 8 batches of epoch 1, 3 of epoch 2
    expect(h.epochs.length).toBe(2);
    expect(h.epochs[0]!.partial).toBeUndefined();
    expect(h.epochs[1]).toMatchObject({ epoch: 1, partial: true, batches: 3 });
    expect(weights(model)).toEqual(snapshot); // nothing trained after the batch that saw the abort
  });

  it("a signal aborted before the start trains nothing; evaluate and predictBatched reject", async () => {
    const ctrl = new AbortController();
    ctrl.abort();
    const model = mlp(1);
    const before = weights(model);
    const data = blobs(16, 1);
    expect(await model.fit(data, { optimizer: cl.train.sgd({ lr: 0.1 }), epochs: 2, batchSize: 4, signal: ctrl.signal })).toEqual({ epochs: [], aborted: true });
    expect(weights(model)).toEqual(before);
    await expect(model.evaluate(data, { signal: ctrl.signal })).rejects.toThrow(/^evaluate: interrupted$/);
    await expect(model.predictBatched(data.x, { signal: ctrl.signal })).rejects.toMatchObject({ name: "AbortError" });
  });

  it("yields to the event loop between batches, so a timer can interrupt it", async () => {
    const ctrl = new AbortController();
    const model = mlp(1);
    setTimeout(() => ctrl.abort(), 0);
    const h = await model.fit(blobs(256, 1), { optimizer: cl.train.sgd({ lr: 0.01 }), epochs: 100, batchSize: 4, signal: ctrl.signal });
    expect(h.aborted).toBe(true);
    const batches = h.epochs.reduce((s, e) => s + e.batches, 0);
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(100 * 64);
  });

  it("without options it uses the kernel's runtime: its signal and onTraining events (start, batch, epoch, end)", async () => {
    const ctrl = new AbortController();
    const events: cl.runtime.TrainingEvent[] = [];
    const restore = cl.runtime.setRuntime({
      signal: ctrl.signal,
      onTraining: (e) => {
        events.push(e);
        if (e.kind === "batch" && e.step === 7) ctrl.abort();
      },
    });
    try {
      const h = await mlp(2).fit(blobs(24, 3), { optimizer: cl.train.adam({ lr: 0.01 }), epochs: 4, batchSize: 4, seed: 1 });
      expect(h.aborted).toBe(true);
    } finally {
      restore();
    }
    expect(events.map((e) => e.kind).join(",")).toBe(["start", ...Array(6).fill("batch"), "epoch", "batch", "end"].join(","));
    const [start, b1, , , , , b6, ep, b7, end] = events;
    expect(start).toMatchObject({ epoch: 0, epochs: 4, batches: 6, step: 0, history: [] });
    expect(b1).toMatchObject({ kind: "batch", epoch: 0, batch: 0, step: 1 });
    expect(b1!.metrics.accuracy).toBeGreaterThanOrEqual(0);
    expect(b6).toMatchObject({ batch: 5, step: 6 });
    expect(ep).toMatchObject({ kind: "epoch", epoch: 0, step: 6 });
    expect(ep!.history.length).toBe(1);
    expect(ep!.loss).toBeCloseTo(ep!.history[0]!.loss, 12);
    expect(b7).toMatchObject({ epoch: 1, batch: 0, step: 7 });
    expect(end).toMatchObject({ kind: "end", aborted: true, epoch: 1, step: 7 });
    expect(end!.history.map((h) => h.epoch)).toEqual([0, 1]);
    // the kernel's progress line reads these events
    const p = new cl.runtime.TrainingProgress();
    for (const e of events) p.update(e);
    expect(p.text()).toMatch(/^interrupted at epoch 2\/4, batch 1\/6 after [\d.]+ s · loss [\d.]+ · accuracy [\d.]+ \(the model keeps its weights\)$/);
  });

  it("onEpochEnd receives each epoch's log; callbacks.onTraining replaces the runtime's", async () => {
    const fromRuntime: string[] = [], mine: string[] = [];
    const restore = cl.runtime.setRuntime({ onTraining: (e) => fromRuntime.push(e.kind) });
    const logs: number[] = [];
    try {
      await mlp(2).fit(blobs(8, 3), {
        optimizer: cl.train.sgd({ lr: 0.01 }), epochs: 2, batchSize: 4,
        callbacks: { onEpochEnd: async (l) => void logs.push(l.epoch), onTraining: (e) => mine.push(e.kind) },
      });
    } finally {
      restore();
    }
    expect(logs).toEqual([0, 1]);
    expect(fromRuntime).toEqual([]);
    expect(mine).toEqual(["start", "batch", "batch", "epoch", "batch", "batch", "epoch", "end"]);
  });
});

describe("fit: bad input", () => {
  const opt = (): cl.train.Optimizer => cl.train.sgd({ lr: 0.1 });

  it("a NaN loss stops fit with an error naming the epoch and batch", async () => {
    const data = blobs(16, 1);
    data.x.data[2 * 9] = NaN; // example 9 → batch 3 of 4 (unshuffled)
    const events: string[] = [];
    await expect(mlp(1).fit(data, { optimizer: opt(), epochs: 2, batchSize: 4, shuffle: false, callbacks: { onTraining: (e) => events.push(e.kind) } }))
      .rejects.toThrow(/^fit: loss became NaN at epoch 1, batch 3 \(learning rate 0\.1/);
    expect(events.at(-1)).toBe("end"); // the live display is closed
  });

  it("a diverging loss too (gradient descent with a far too large learning rate)", async () => {
    const { x } = blobs(8, 1);
    const model = cl.nn.sequential([cl.nn.dense({ units: 1 })], { inputShape: [2], seed: 0 });
    const run = model.fit({ x, y: cl.ones([8]) }, { optimizer: cl.train.sgd({ lr: 50 }), loss: "mse", epochs: 1000, batchSize: 8 });
    await expect(run).rejects.toThrow(/^fit: loss became (Infinity|NaN) at epoch \d+, batch 1 \(learning rate 50;/);
  });

  it("labels that do not match the batch", async () => {
    const { x, y } = blobs(10, 1);
    await expect(mlp(1).fit({ x, y: y.slice([0], [9]) }, { optimizer: opt() })).rejects.toThrow(/^fit: x has 10 examples but y has 9 \(x \[10,2\], y \[9\]\)/);
    await expect(mlp(1).fit({ x, y: cl.full([10], 2) }, { optimizer: opt(), batchSize: 5 }))
      .rejects.toThrow(/^fit \(epoch 1, batch 1\): softmaxCrossEntropy: label 2 at position 0 is not a class id in 0\.\.1/);
    await expect(mlp(1).fit({ x, y: cl.zeros([10, 3]) }, { optimizer: opt(), batchSize: 5 }))
      .rejects.toThrow(/softmaxCrossEntropy: target probabilities have shape \[5,3\] but logits have shape \[5,2\]/);
    const bad = [{ x: x.slice([0, 0], [4, 2]), y: y.slice([0], [3]) }];
    await expect(mlp(1).fit(bad, { optimizer: opt() })).rejects.toThrow(/^fit: epoch 1, batch 1 has 4 inputs but 3 labels \(x \[4,2\], y \[3\]\)/);
    await expect(mlp(1).fit({ x: cl.zeros([4, 3]), y: cl.zeros([4]) }, { optimizer: opt() })).rejects.toThrow(/expected input \[m,2\], got \[4,3\]/);
  });

  it("bad options and one-shot generators", async () => {
    const data = blobs(8, 1);
    await expect(mlp(1).fit(data, { optimizer: undefined as unknown as cl.train.Optimizer })).rejects.toThrow(/fit: optimizer must be an optimizer such as cl.train.adam/);
    await expect(mlp(1).fit(data, { optimizer: opt(), epochs: 0 })).rejects.toThrow(/fit: epochs must be a positive integer, got 0/);
    await expect(mlp(1).fit(data, { optimizer: opt(), loss: "hinge" as "mse" })).rejects.toThrow(/fit: unknown loss "hinge"/);
    await expect(mlp(1).fit(data, { optimizer: opt(), metrics: ["f1" as "accuracy"] })).rejects.toThrow(/fit: unknown metric "f1"/);
    function* once() {
      yield data;
    }
    await expect(mlp(1).fit(once(), { optimizer: opt(), epochs: 2 })).rejects.toThrow(/fit: the data gave no batches in epoch 2 \(a generator can be iterated only once/);
    const frozen = mlp(1);
    for (const l of frozen.layers) l.trainable = false;
    await expect(frozen.fit(data, { optimizer: opt() })).rejects.toThrow(/fit: the model has no trainable parameters/);
  });
});
