// fit beyond (x, y): several inputs (a list or a record by name), several outputs with a loss
// per output, custom losses of (outputs, y), datasets read once per epoch, and bit-identical
// seeded runs through the new fit.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

/** Points of 4 classes in 4-D: class c around 2·e_c. */
function clusters(m: number, seed: number): { x: cl.Tensor; labels: number[] } {
  const rng = new cl.Rng(seed);
  const x = new Float32Array(m * 4), labels: number[] = [];
  for (let i = 0; i < m; i++) {
    const c = i % 4;
    labels.push(c);
    for (let j = 0; j < 4; j++) x[i * 4 + j] = (j === c ? 2 : 0) + 0.3 * rng.normal();
  }
  return { x: new cl.Tensor(x, [m, 4]), labels };
}

/** Pairs (i, j) with y = 1 for the same class, 0 otherwise (half and half). */
function pairs(m: number, seed: number): { left: cl.Tensor; right: cl.Tensor; same: cl.Tensor } {
  const { x, labels } = clusters(2 * m, seed);
  const rng = new cl.Rng(seed + 1);
  const li: number[] = [], ri: number[] = [], same: number[] = [];
  for (let k = 0; k < m; k++) {
    const i = rng.int(2 * m);
    let j = rng.int(2 * m);
    if (k % 2 === 0) while (labels[j] !== labels[i]) j = rng.int(2 * m);
    else while (labels[j] === labels[i]) j = rng.int(2 * m);
    li.push(i), ri.push(j), same.push(labels[i] === labels[j] ? 1 : 0);
  }
  return { left: cl.gather(x, li), right: cl.gather(x, ri), same: cl.tensor(same) };
}

/** Contrastive loss: same pairs pulled together (d²), different ones pushed beyond the margin (max(0, m − d)²). */
function contrastive([ea, eb]: readonly cl.Tensor[], same: cl.Tensor, margin = 1): cl.Tensor {
  const d2 = ea!.sub(eb!).square().sum(1);
  const d = d2.add(1e-9).sqrt();
  const push = cl.maximum(cl.sub(margin, d), 0).square();
  return same.mul(d2).add(cl.sub(1, same).mul(push)).mean();
}

describe("fit with several inputs and outputs", () => {
  it("a two-input siamese model with a shared encoder, trained with a custom contrastive loss", async () => {
    const left = cl.nn.input([4], { name: "left" }), right = cl.nn.input([4], { name: "right" });
    const h = cl.nn.dense({ name: "enc1", units: 8, activation: "tanh" }), e = cl.nn.dense({ name: "enc2", units: 2 });
    const siamese = cl.nn.model({ inputs: [left, right], outputs: [e.apply(h.apply(left)), e.apply(h.apply(right))], name: "siamese", seed: 1 });
    expect(siamese.summary().totalParams).toBe(4 * 8 + 8 + 8 * 2 + 2); // one encoder, shared
    const train = pairs(128, 2), test = pairs(64, 9);
    const dist = (p: typeof test) => {
      const [a, b] = siamese.predict({ left: p.left, right: p.right });
      return Array.from(a.sub(b).square().sum(1).data);
    };
    const separation = (p: typeof test) => {
      const d = dist(p), s = Array.from(p.same.data);
      let right = 0;
      d.forEach((v, i) => (right += (v < 0.25) === (s[i] === 1) ? 1 : 0));
      return right / d.length;
    };
    const h0 = await siamese.fit(
      { x: { left: train.left, right: train.right }, y: train.same },
      { optimizer: cl.train.adam({ lr: 0.02 }), loss: (outs, y) => contrastive(outs, y), epochs: 25, batchSize: 32, seed: 3 },
    );
    const losses = h0.epochs.map((l) => l.loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 3);
    expect(h0.epochs[0]!.metrics).toEqual({}); // no default metric for a custom loss
    expect(separation(test)).toBeGreaterThanOrEqual(0.9);
  });

  it("a record of outputs with a loss per output, weights and per-output metrics", async () => {
    const { x, labels } = clusters(64, 4);
    const inp = cl.nn.input([4], { name: "x" });
    const h = cl.nn.dense({ name: "h", units: 8, activation: "relu" }).apply(inp);
    const m = cl.nn.model({ inputs: inp, outputs: { cls: cl.nn.dense({ name: "cls", units: 4 }).apply(h), sum: cl.nn.dense({ name: "sum", units: 1 }).apply(h) }, seed: 5 });
    const y = { cls: cl.tensor(labels), sum: x.sum(1, true) };
    const hist = await m.fit({ x, y }, {
      optimizer: cl.train.adam({ lr: 0.03 }), epochs: 30, batchSize: 16, seed: 0,
      loss: { cls: "softmaxCrossEntropy", sum: { loss: "mse", weight: 0.5 } },
      validationData: { x, y },
    });
    const last = hist.epochs.at(-1)!;
    expect(Object.keys(last.metrics).sort()).toEqual(["clsAccuracy", "clsLoss", "sumLoss", "valClsAccuracy", "valClsLoss", "valLoss", "valSumLoss"]);
    expect(last.metrics.clsAccuracy).toBe(1);
    expect(last.metrics.sumLoss!).toBeLessThan(0.2);
    expect(last.loss).toBeCloseTo(last.metrics.clsLoss! + 0.5 * last.metrics.sumLoss!, 5);
    const ev = await m.evaluate({ x, y }, { loss: { cls: "softmaxCrossEntropy", sum: { loss: "mse", weight: 0.5 } } });
    expect(ev.loss).toBeCloseTo(last.metrics.valLoss!, 5);
    // the targets may also be a list in output order
    const listed = await m.evaluate({ x, y: [y.cls, y.sum] }, { loss: { cls: "softmaxCrossEntropy", sum: "mse" }, metrics: { cls: ["accuracy"] } });
    expect(listed.clsAccuracy).toBe(1);
  });

  it("errors for losses and targets that do not fit the outputs", async () => {
    const inp = cl.nn.input([2]);
    const m = cl.nn.model({ inputs: inp, outputs: { a: cl.nn.dense({ units: 2 }).apply(inp), b: cl.nn.dense({ units: 1 }).apply(inp) } });
    const opt = () => cl.train.sgd({ lr: 0.1 });
    const data = { x: cl.ones([4, 2]), y: { a: cl.tensor([0, 1, 0, 1]), b: cl.ones([4, 1]) } };
    await expect(m.fit(data, { optimizer: opt() })).rejects.toThrow(/a named loss takes one output, but the output is an object \{ a, b \}; give a loss per output \(\{ a: \.\.\., b: \.\.\. \}\)/);
    await expect(m.fit(data, { optimizer: opt(), loss: { c: "mse" } })).rejects.toThrow(/^fit: the loss names output 'c', but the model's outputs are 'a', 'b'/);
    await expect(m.fit({ x: data.x, y: { a: data.y.a } }, { optimizer: opt(), loss: { a: "softmaxCrossEntropy", b: "mse" } })).rejects.toThrow(/y has no tensor 'b' \(keys: a\)/);
    await expect(m.fit({ x: data.x, y: { a: data.y.a, b: cl.ones([3, 1]) } }, { optimizer: opt(), loss: { a: "softmaxCrossEntropy", b: "mse" } })).rejects.toThrow(
      /^fit: x has 4 examples but y\.b has 3 \(x \[4,2\], y\.a \[4\], y\.b \[3,1\]\)/,
    );
    await expect(m.fit(data, { optimizer: opt(), loss: { a: "softmaxCrossEntropy", b: { loss: "mse", weight: -1 } } })).rejects.toThrow(/the weight of output 'b' must be a number ≥ 0, got -1/);
  });
});

describe("fit with datasets", () => {
  const flipX = (ex: { x: cl.Tensor; y: cl.Tensor }, { rng }: cl.data.MapContext) => ({ x: rng.uniform() < 0.5 ? ex.x.neg() : ex.x, y: ex.y });

  it("reads a mapped dataset once per epoch; two models of the same seed train bit-identically", async () => {
    const { x, labels } = clusters(48, 6);
    const run = async () => {
      const model = cl.nn.sequential([cl.nn.dense({ units: 8, activation: "relu" }), cl.nn.dropout({ rate: 0.2 }), cl.nn.dense({ units: 4 })], { inputShape: [4], seed: 11 });
      let mapped = 0;
      const data = cl.data.dataset({ x, y: cl.tensor(labels) }).shuffle({ seed: 1 }).map((e, ctx) => (mapped++, flipX(e, ctx)), { seed: 2 });
      const h = await model.fit(data, { optimizer: cl.train.adam({ lr: 0.01 }), epochs: 3, batchSize: 8 });
      return { w: Object.values(model.stateDict()).map((t) => Array.from(t.data)), h, mapped };
    };
    const a = await run(), b = await run();
    expect(a.mapped).toBe(3 * 48); // every example once per epoch, lazily
    expect(a.h.epochs.map((e) => e.batches)).toEqual([6, 6, 6]);
    expect(b.w).toEqual(a.w);
    expect(b.h.epochs.map((e) => e.loss)).toEqual(a.h.epochs.map((e) => e.loss));
  });

  it("a batched dataset is used as it is; a generator function is read again every epoch", async () => {
    const { x, labels } = clusters(16, 7);
    const model = cl.nn.sequential([cl.nn.dense({ units: 4 })], { inputShape: [4], seed: 0 });
    const batched = cl.data.dataset({ x, y: cl.tensor(labels) }).batch(5);
    const h = await model.fit(batched, { optimizer: cl.train.sgd({ lr: 0.1 }), epochs: 2, batchSize: 100 });
    expect(h.epochs.map((e) => e.batches)).toEqual([4, 4]);
    const gen = cl.data.dataset(function* () {
      for (let i = 0; i < 16; i += 8) yield { x: x.slice([i, 0], [8, 4]), y: cl.tensor(labels.slice(i, i + 8)) };
    }, { batched: true });
    const h2 = await model.fit(gen, { optimizer: cl.train.sgd({ lr: 0.1 }), epochs: 3 });
    expect(h2.epochs.map((e) => e.batches)).toEqual([2, 2, 2]);
  });
});
