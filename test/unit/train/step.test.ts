// cl.train.trainStep (the step fit takes, for custom loops) and cl.train.minimize (optimising
// arbitrary tensors, e.g. an image's pixels): interruptible, with the kernel's live progress.
import { describe, it, expect, afterEach } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

afterEach(() => {
  cl.runtime.setRuntime({});
});

const mlp = (seed: number) => cl.nn.sequential([cl.nn.dense({ name: "h", units: 6, activation: "tanh" }), cl.nn.dense({ name: "out", units: 3 })], { inputShape: [4], seed });
const weights = (m: cl.nn.Model): number[][] => Object.values(m.stateDict()).map((t) => Array.from(t.data));

describe("trainStep", () => {
  it("is the step fit takes: a custom loop over the same batches reaches bit-identical weights", async () => {
    const x = cl.randn([12, 4], { seed: 1 }), y = cl.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    const a = mlp(2), b = mlp(2);
    await a.fit({ x, y }, { optimizer: cl.train.adam({ lr: 0.01 }), epochs: 2, batchSize: 4, shuffle: false });
    const opt = cl.train.adam({ lr: 0.01 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 2; epoch++)
      for (const batch of cl.data.dataset({ x, y }).batch(4)) losses.push(cl.train.trainStep(b, batch, { loss: "softmaxCrossEntropy", optimizer: opt }).loss);
    expect(weights(b)).toEqual(weights(a));
    expect(losses.length).toBe(6);
  });

  it("returns the loss and the outputs; a loss function of (outputs, y) works too", () => {
    const m = mlp(3);
    const batch = { x: cl.randn([5, 4], { seed: 4 }), y: cl.randn([5, 3], { seed: 5 }) };
    const before = cl.mse(m.predict(batch.x), batch.y).item();
    const r = cl.train.trainStep(m, batch, { loss: (out, y) => cl.mse(out, y), optimizer: cl.train.sgd({ lr: 0.1 }) });
    expect(r.loss).toBeCloseTo(before, 5);
    expect(r.outputs.shape).toEqual([5, 3]);
    expect(cl.mse(m.predict(batch.x), batch.y).item()).toBeLessThan(before);
  });

  it("bad arguments name trainStep and the argument", () => {
    const m = mlp(0);
    const batch = { x: cl.ones([2, 4]), y: cl.tensor([0, 1]) };
    expect(() => cl.train.trainStep(m, batch, {} as never)).toThrow(/^trainStep: optimizer must be an optimizer such as cl\.train\.adam\(\{ lr: 1e-3 \}\), got undefined/);
    expect(() => cl.train.trainStep(m, batch, null as never)).toThrow(/^trainStep: expected options \{ optimizer, loss\? \}, got null/);
    expect(() => cl.train.trainStep(m, { x: cl.ones([2, 4]) } as never, { optimizer: cl.train.sgd({ lr: 1 }) })).toThrow(/^trainStep: the batch is not a batch \{ x, y \} of tensors/);
    expect(() => cl.train.trainStep({} as never, batch, { optimizer: cl.train.sgd({ lr: 1 }) })).toThrow(/^trainStep: expected a model \(with forward and trainableParameters\), got an object/);
    expect(() => cl.train.trainStep(m, batch, { optimizer: cl.train.sgd({ lr: 1 }), loss: "hinge" as never })).toThrow(/^trainStep: unknown loss "hinge"/);
  });
});

describe("minimize", () => {
  it("lowers a function of an image tensor: pixels pulled towards a target through a conv filter", async () => {
    const target = cl.conv2d(cl.rand([1, 12, 12, 1], { seed: 1 }), cl.filters.sobel.reshape([3, 3, 1, 1]));
    const img = cl.zeros([1, 12, 12, 1]);
    const sobel = cl.filters.sobel.reshape([3, 3, 1, 1]);
    const loss = (x: cl.Tensor) => cl.conv2d(x, sobel).sub(target).square().mean();
    const start = loss(img).item();
    const steps: number[] = [];
    const r = await cl.train.minimize(loss, img, { optimizer: cl.train.adam({ lr: 0.05 }), steps: 60, onStep: (s) => void steps.push(s.step) });
    expect(r.steps).toBe(60);
    expect(r.aborted).toBeUndefined();
    expect(steps).toEqual([...Array(60).keys()].map((i) => i + 1));
    expect(r.losses[0]).toBeCloseTo(start, 6);
    expect(loss(img).item()).toBeLessThan(start / 10); // img was updated in place
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]!);
    expect(img.grad).toBeNull();
  });

  it("optimises several tensors through a frozen model's features (activation maximisation) without weight gradients", async () => {
    const net = cl.nn.sequential([cl.nn.conv2d({ name: "c", filters: 2, size: 3, activation: "relu" })], { inputShape: [6, 6, 1], seed: 0 });
    net.freeze();
    const a = cl.randn([1, 6, 6, 1], { seed: 1, std: 0.1 }), b = cl.randn([1, 6, 6, 1], { seed: 2, std: 0.1 });
    const unit = (x: cl.Tensor) => net.features(x, "c", { grad: true }).c!.slice([0, 0, 0, 1], [1, 4, 4, 1]).mean();
    const objective = ([p, q]: readonly cl.Tensor[]) => unit(p!).add(unit(q!)).neg().add(p!.square().mean().add(q!.square().mean()).mul(0.1));
    const start = objective([a, b]).item();
    await cl.train.minimize(objective, [a, b], { optimizer: cl.train.sgd({ lr: 0.5 }), steps: 20 });
    expect(objective([a, b]).item()).toBeLessThan(start);
    expect(net.getLayer("c").weight("kernel").grad).toBeNull();
  });

  it("is interruptible and sends the kernel's training events (start, batch…, end), which its progress line reads", async () => {
    const ctrl = new AbortController();
    const events: cl.runtime.TrainingEvent[] = [];
    const restore = cl.runtime.setRuntime({
      signal: ctrl.signal,
      onTraining: (e) => {
        events.push(e);
        if (e.kind === "batch" && e.step === 5) ctrl.abort();
      },
    });
    const w = cl.tensor([3, -2]);
    let r: cl.train.MinimizeResult;
    try {
      r = await cl.train.minimize((t) => t.square().sum(), w, { optimizer: cl.train.sgd({ lr: 0.1 }), steps: 50 });
    } finally {
      restore();
    }
    expect(r.aborted).toBe(true);
    expect(r.steps).toBe(5);
    expect(events.map((e) => e.kind).join(",")).toBe(["start", "batch", "batch", "batch", "batch", "batch", "end"].join(","));
    expect(events[1]).toMatchObject({ kind: "batch", epoch: 0, epochs: 1, batch: 0, batches: 50, step: 1 });
    expect(events.at(-1)).toMatchObject({ kind: "end", aborted: true, step: 5 });
    expectClose(w, [3 * 0.8 ** 5, -2 * 0.8 ** 5]);
    const p = new cl.runtime.TrainingProgress();
    for (const e of events) p.update(e);
    expect(p.text()).toMatch(/^interrupted at epoch 1\/1, batch 5\/50 after [\d.]+ s · loss [\d.]+ \(the model keeps its weights\)$/);
    expect(cl.inspect.parseTraining(JSON.parse(JSON.stringify(p.payload()))).ok).toBe(true);
  });

  it("a finished run ends with an epoch and an end event; a timer can interrupt it through a signal", async () => {
    const kinds: string[] = [];
    await cl.train.minimize((t) => t.square().sum(), cl.tensor([1]), { optimizer: cl.train.sgd({ lr: 0.1 }), steps: 3, onTraining: (e) => void kinds.push(e.kind) });
    expect(kinds).toEqual(["start", "batch", "batch", "batch", "epoch", "end"]);
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 0);
    const r = await cl.train.minimize((t) => t.square().sum(), cl.tensor([1]), { optimizer: cl.train.sgd({ lr: 1e-3 }), steps: 100000, signal: ctrl.signal });
    expect(r.aborted).toBe(true);
    expect(r.steps).toBeLessThan(100000);
  });

  it("bad input: a non-scalar or constant loss, a NaN loss, a non-leaf tensor, bad options", async () => {
    const opt = () => cl.train.sgd({ lr: 0.1 });
    const w = cl.tensor([1, 2]);
    await expect(cl.train.minimize((t) => t.mul(2), w, { optimizer: opt() })).rejects.toThrow(/^minimize: lossFn must return a scalar tensor, got \[2\] \(step 1\)/);
    await expect(cl.train.minimize(() => cl.tensor([1]).sum(), w, { optimizer: opt() })).rejects.toThrow(/^minimize: the loss does not depend on the tensors being optimised/);
    await expect(cl.train.minimize((t) => t.log().sum().mul(NaN), w, { optimizer: opt() })).rejects.toThrow(/^minimize: loss became NaN at step 1/);
    await expect(cl.train.minimize((t) => t.sum(), w.requireGrad().mul(2), { optimizer: opt() })).rejects.toThrow(/^minimize: tensors\[0\] \[2\] was computed by an op/);
    await expect(cl.train.minimize((t) => t.sum(), w, { optimizer: opt(), steps: 0 })).rejects.toThrow(/^minimize: steps must be a positive integer, got 0/);
    await expect(cl.train.minimize((t) => t.sum(), [] as never, { optimizer: opt() })).rejects.toThrow(/^minimize: tensors must be a tensor or a non-empty list of tensors/);
    await expect(cl.train.minimize("f" as never, w, { optimizer: opt() })).rejects.toThrow(/^minimize: lossFn must be a function, got "f"/);
    await expect(cl.train.minimize((t) => t.sum(), w, { optimizer: opt(), signal: {} as never })).rejects.toThrow(/^minimize: signal must be an AbortSignal/);
  });
});
