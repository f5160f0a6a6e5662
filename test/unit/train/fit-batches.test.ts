// fit's shuffled { x, y } batches: the rows of each epoch's seeded permutation, gathered into
// buffers fit reuses from batch to batch. Checked against a manual loop (trainStep over takeRows
// batches of the same permutation: the same losses, bit-identical weights), and that the reuse
// shows nowhere it should not: the step sees its own batch's rows (a short last batch included),
// the data is left as it was, and what fit hands to callbacks holds no tensors or arrays.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { mix } from "../../../src/data/dataset.js";

/** Random inputs of shape [m, ...shape] and class ids in 0..k-1 (float32). */
function data(m: number, shape: number[], k: number, seed: number): { x: cl.Tensor; y: cl.Tensor } {
  const rng = new cl.Rng(seed);
  const row = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(m * row), y = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    y[i] = i % k;
    for (let j = 0; j < row; j++) x[i * row + j] = rng.normal() + (j % k === i % k ? 1 : 0);
  }
  return { x: new cl.Tensor(x, [m, ...shape]), y: new cl.Tensor(y, [m]) };
}

const mlp = (seed: number): cl.nn.Sequential =>
  cl.nn.sequential([cl.nn.dense({ units: 8, activation: "relu" }), cl.nn.dropout({ rate: 0.2 }), cl.nn.dense({ units: 3 })], { inputShape: [5], seed });

const convnet = (seed: number): cl.nn.Sequential =>
  cl.nn.sequential(
    [cl.nn.conv2d({ filters: 4, size: 3, activation: "relu" }), cl.nn.maxPool2d({ size: 2 }), cl.nn.flatten(), cl.nn.dense({ units: 3 })],
    { inputShape: [6, 6, 2], seed },
  );

const weights = (m: cl.nn.Model): Float32Array[] => m.trainableParameters().map((p) => Float32Array.from(p.data));

/** The rows fit's shuffled batch b of `epoch` holds (seed, m examples, batch size bs). */
const batchRows = (seed: number, epoch: number, m: number, bs: number, b: number): Int32Array =>
  new cl.Rng(mix(seed, epoch)).permutation(m).slice(b * bs, Math.min((b + 1) * bs, m));

/** Runs fit and, on a twin model, trainStep over takeRows batches of the same permutations. */
async function fitAndManual(
  make: (seed: number) => cl.nn.Sequential,
  d: { x: cl.Tensor; y: cl.Tensor },
  target: (y: cl.Tensor) => cl.Tensor,
  opts: { epochs: number; batchSize: number; seed: number },
): Promise<{ fitLosses: number[]; manualLosses: number[]; fitWeights: Float32Array[]; manualWeights: Float32Array[]; history: cl.train.History }> {
  const y = target(d.y);
  const a = make(3), b = make(3);
  const fitLosses: number[] = [];
  const history = await a.fit({ x: d.x, y }, {
    optimizer: cl.train.adam({ lr: 0.01 }), loss: "softmaxCrossEntropy", ...opts, callbacks: { onBatchEnd: (l) => void fitLosses.push(l.loss) },
  });
  const manualLosses: number[] = [];
  const optimizer = cl.train.adam({ lr: 0.01 });
  const m = d.x.shape[0]!;
  for (let e = 0; e < opts.epochs; e++) {
    const perm = new cl.Rng(mix(opts.seed, e)).permutation(m);
    for (let s = 0; s < m; s += opts.batchSize) {
      const idx = perm.subarray(s, Math.min(s + opts.batchSize, m));
      const r = cl.train.trainStep(b, { x: cl.data.takeRows(d.x, idx), y: cl.data.takeRows(y, idx) }, { optimizer, loss: "softmaxCrossEntropy" });
      manualLosses.push(r.loss);
    }
  }
  return { fitLosses, manualLosses, fitWeights: weights(a), manualWeights: weights(b), history };
}

describe("fit: shuffled batches", () => {
  it("are the rows of each epoch's seeded permutation: the same losses and bit-identical weights as trainStep over takeRows batches", async () => {
    // 37 examples in batches of 8: four full batches and a last one of 5, three epochs; dropout draws from the model's generator
    const r = await fitAndManual(mlp, data(37, [5], 3, 1), (y) => y, { epochs: 3, batchSize: 8, seed: 9 });
    expect(r.fitLosses.length).toBe(15);
    expect(r.fitLosses).toEqual(r.manualLosses);
    expect(r.fitWeights).toEqual(r.manualWeights);
    expect(r.history.epochs.map((e) => e.batches)).toEqual([5, 5, 5]);
  });

  it("the same for a conv net on images and one-hot targets (rows of several values on both sides)", async () => {
    const r = await fitAndManual(convnet, data(21, [6, 6, 2], 3, 2), (y) => cl.data.oneHot(y, 3), { epochs: 2, batchSize: 4, seed: 4 });
    expect(r.fitLosses.length).toBe(12);
    expect(r.fitLosses).toEqual(r.manualLosses);
    expect(r.fitWeights).toEqual(r.manualWeights);
  });

  it("a batch as large as the data (one batch per epoch) and a batch size above it", async () => {
    for (const batchSize of [13, 50]) {
      const r = await fitAndManual(mlp, data(13, [5], 3, 3), (y) => y, { epochs: 2, batchSize, seed: 1 });
      expect(r.fitLosses).toEqual(r.manualLosses);
      expect(r.fitWeights).toEqual(r.manualWeights);
    }
  });

  it("the same for a two-input model fed a record { a, b } (one buffer per input)", async () => {
    const make = (): cl.nn.Model => {
      const a = cl.nn.input([5], { name: "a" }), b = cl.nn.input([2, 2], { name: "b" });
      const h = cl.nn.concat().apply([cl.nn.dense({ units: 6, activation: "relu" }).apply(a), cl.nn.flatten().apply(b)]);
      return cl.nn.model({ inputs: [a, b], outputs: cl.nn.dense({ name: "out", units: 3 }).apply(h), seed: 4 });
    };
    const m = 19, bs = 5, seed = 8, epochs = 2;
    const da = data(m, [5], 3, 10), db = data(m, [2, 2], 3, 11);
    const fitted = make(), manual = make();
    const fitLosses: number[] = [];
    await fitted.fit({ x: { a: da.x, b: db.x }, y: da.y }, {
      optimizer: cl.train.adam({ lr: 0.01 }), epochs, batchSize: bs, seed, callbacks: { onBatchEnd: (l) => void fitLosses.push(l.loss) },
    });
    const optimizer = cl.train.adam({ lr: 0.01 }), manualLosses: number[] = [];
    for (let e = 0; e < epochs; e++)
      for (let b = 0; b * bs < m; b++) {
        const idx = batchRows(seed, e, m, bs, b);
        const x = { a: cl.data.takeRows(da.x, idx), b: cl.data.takeRows(db.x, idx) };
        manualLosses.push(cl.train.trainStep(manual, { x, y: cl.data.takeRows(da.y, idx) }, { optimizer, loss: "softmaxCrossEntropy" }).loss);
      }
    expect(fitLosses.length).toBe(8);
    expect(fitLosses).toEqual(manualLosses);
    expect(weights(fitted)).toEqual(weights(manual));
  });

  it("the model, the loss and the metrics see their own batch's rows, the short last batch exactly its rows; the data is unchanged", async () => {
    const m = 23, bs = 6, seed = 5;
    const d = data(m, [5], 3, 6);
    const y2 = cl.data.oneHot(d.y, 3);
    const x0 = Float32Array.from(d.x.data), y0 = Float32Array.from(y2.data);
    const net = mlp(1);
    let epoch = 0, b = 0;
    const seen: { x: number[]; y: number[]; loss: number[] }[] = [];
    const expectRows = (t: cl.Tensor, src: Float32Array, row: number): boolean => {
      const idx = batchRows(seed, epoch, m, bs, b);
      if (t.shape[0] !== idx.length || t.size !== idx.length * row) return false;
      for (let i = 0; i < idx.length; i++) for (let j = 0; j < row; j++) if (t.data[i * row + j] !== src[idx[i]! * row + j]) return false;
      return true;
    };
    const model: cl.train.Trainable = {
      forward(x, opts) {
        seen.push({ x: [Number(expectRows(x as cl.Tensor, x0, 5))], y: [], loss: [] });
        return net.forward(x, opts);
      },
      trainableParameters: () => net.trainableParameters(),
    };
    await cl.train.fit(model, { x: d.x, y: y2 }, {
      optimizer: cl.train.sgd({ lr: 0.1 }),
      loss: (out: cl.Tensor, y: cl.Tensor) => {
        seen.at(-1)!.loss.push(Number(expectRows(y, y0, 3)));
        return cl.softmaxCrossEntropy(out, y);
      },
      metrics: [{ name: "rows", fn: (_out, y) => Number(expectRows(y, y0, 3)) }],
      epochs: 2, batchSize: bs, seed,
      callbacks: {
        onBatchEnd: (l) => {
          seen.at(-1)!.y.push(l.metrics.rows!);
          expect(l.size).toBe(b === 3 ? m - 3 * bs : bs);
          b++;
        },
        onEpochEnd: () => {
          epoch++;
          b = 0;
        },
      },
    });
    expect(seen.length).toBe(8);
    expect(seen).toEqual(Array.from({ length: 8 }, () => ({ x: [1], y: [1], loss: [1] })));
    expect(d.x.data).toEqual(x0);
    expect(y2.data).toEqual(y0);
  });

  it("callbacks and progress events get numbers only: no tensor or array of a batch reaches them", async () => {
    const found: string[] = [];
    const check = (v: unknown, path: string): void => {
      if (v instanceof cl.Tensor || ArrayBuffer.isView(v)) found.push(path);
      else if (Array.isArray(v)) v.forEach((e, i) => check(e, `${path}[${i}]`));
      else if (typeof v === "object" && v !== null) for (const [k, e] of Object.entries(v)) check(e, `${path}.${k}`);
      else if (typeof v !== "number" && typeof v !== "string" && typeof v !== "boolean" && v !== undefined) found.push(`${path}: ${typeof v}`);
    };
    const d = data(20, [5], 3, 7);
    const h = await mlp(2).fit(d, {
      optimizer: cl.train.adam({ lr: 0.01 }), epochs: 2, batchSize: 6, seed: 1, validationData: data(7, [5], 3, 8),
      callbacks: { onBatchEnd: (l) => check(l, "batch"), onEpochEnd: (l) => check(l, "epoch"), onTraining: (e) => check(e, "event") },
    });
    check(h, "history");
    expect(found).toEqual([]);
  });

  it("documented: a batch tensor kept past its step is a view of fit's buffer, overwritten by the next batch (copy it to keep it)", async () => {
    const d = data(12, [5], 3, 9);
    const kept: cl.Tensor[] = [], copies: Float32Array[] = [];
    await mlp(3).fit(d, {
      optimizer: cl.train.sgd({ lr: 0.1 }), epochs: 1, batchSize: 4, seed: 2,
      metrics: [{ name: "keep", fn: (_o, y) => (kept.push(y), copies.push(Float32Array.from(y.data)), 0) }],
    });
    expect(kept.length).toBe(3);
    // the buffer is shared: the first two batches' tensors now show the last batch's rows
    expect(kept[0]!.data.buffer).toBe(kept[2]!.data.buffer);
    expect(kept[0]!.data).toEqual(copies[2]);
    expect(copies[0]).toEqual(Float32Array.from(batchRows(2, 0, 12, 4, 0), (i) => d.y.data[i]!));
  });
});
