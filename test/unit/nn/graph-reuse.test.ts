// Reuse of intermediate activations in graph runs without autograd (nn/graph.ts): once all its
// consumers have run, an activation's array goes back to `allocate`. Nothing a caller or a layer
// can still see may be reused: model outputs, features, activations, views (Flatten shares its
// input's buffer), inputs, and the inputs of layers that may keep them (a user's layer class).
import { describe, it, expect, afterEach } from "vitest";
import * as cl from "../../../src/index.js";
import { Layer, type Shape } from "../../../src/nn/layer.js";
import { clearRecycled, recycledBytes, setRecycling } from "../../../src/tensor/pool.js";
import { collectSpent } from "../../../src/nn/graph.js";
import type { Tensor } from "../../../src/index.js";
import { allocate } from "../../../src/tensor/tensor.js";

/** Takes every recycled array of these lengths (as later ops would) and overwrites it. */
function churn(lengths: number[]): void {
  for (const n of new Set(lengths)) for (let i = 0; i < 6; i++) allocate("float32", n).fill(12345);
}

afterEach(() => {
  setRecycling(true);
  clearRecycled();
});

/** A user's layer that keeps its last input (it is not declared with keepsNoInputs). */
class Keeper extends Layer {
  last: Tensor | null = null;
  get type(): string { return "Keeper"; }
  get kind(): string { return "keeper"; }
  outputShape(inputShapes: Shape[]): number[] { return [...inputShapes[0]!]; }
  protected compute(xs: Tensor[]): Tensor {
    this.last = xs[0]!;
    return cl.mul(xs[0]!, 2);
  }
}

function net(keeper?: Keeper): cl.Model {
  const input = cl.nn.input([16, 16, 3]);
  let h = cl.nn.conv2d({ filters: 16, size: 3, padding: "same", activation: "relu", name: "c1" }).apply(input);
  h = cl.nn.batchNorm({ name: "bn" }).apply(h);
  h = cl.nn.conv2d({ filters: 16, size: 3, padding: "same", name: "c2" }).apply(h);
  if (keeper) h = keeper.apply(h);
  h = cl.nn.activation("relu", { name: "r2" }).apply(h);
  h = cl.nn.add({ name: "sum" }).apply([h, cl.nn.conv2d({ filters: 16, size: 1, name: "c3" }).apply(input)]);
  h = cl.nn.maxPool2d({ size: 2, name: "pool" }).apply(h);
  const flat = cl.nn.flatten({ name: "flat" }).apply(h);
  return cl.nn.model({ inputs: input, outputs: cl.nn.dense({ units: 5, name: "fc" }).apply(flat) });
}

const copy = (t: Tensor): Float32Array => Float32Array.from(t.data);
const x1 = cl.randn([4, 16, 16, 3], { seed: 1 }), x2 = cl.randn([4, 16, 16, 3], { seed: 2 });

describe("activation reuse in runs without autograd", () => {
  it("gives the bits of a run without reuse, and does reuse", () => {
    const m = net();
    setRecycling(false);
    const off = copy(m.predict(x1) as Tensor);
    setRecycling(true);
    const on1 = copy(m.predict(x1) as Tensor);
    expect(recycledBytes()).toBeGreaterThan(0);
    const on2 = copy(m.predict(x1) as Tensor); // now served from recycled arrays
    expect(on1).toEqual(off);
    expect(on2).toEqual(off);
  });
  it("never reuses what a caller holds: outputs, features, activations, the input", () => {
    const m = net();
    const y = m.predict(x1) as Tensor, yc = copy(y);
    const f = cl.noGrad(() => m.features(x1, ["c1", "sum", "flat"]));
    const fc = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, copy(v)]));
    const acts = m.activations(x2); // another input: a wrongly reused array would change
    const ac = acts.map((a) => copy(a.output));
    const xc = copy(x1);
    for (let i = 0; i < 3; i++) m.predict(i % 2 ? x1 : x2);
    churn([y, ...Object.values(f), ...acts.map((a) => a.output)].map((t) => t.size));
    expect(copy(y)).toEqual(yc);
    for (const [k, v] of Object.entries(f)) expect(copy(v), k).toEqual(fc[k]);
    acts.forEach((a, i) => expect(copy(a.output), a.name).toEqual(ac[i]));
    expect(copy(x1)).toEqual(xc);
  });
  it("never reuses the input of a layer that may keep it (a user's layer class)", () => {
    const keeper = new Keeper({ name: "keep" });
    const m = net(keeper);
    m.predict(x1);
    const kept = keeper.last!, kc = copy(kept);
    for (let i = 0; i < 3; i++) m.predict(x2);
    churn([kept.size]);
    keeper.last = null;
    expect(copy(kept)).toEqual(kc);
  });
  it("leaves autograd runs alone (their tensors belong to the tape)", () => {
    const m = net();
    clearRecycled();
    m.forward(x1, { training: false });
    expect(recycledBytes()).toBe(0);
  });
  it("collects the spent activations of a run under autograd (not the outputs, not views' buffers)", () => {
    const m = net();
    const { result: y, spent } = collectSpent(() => m.forward(x1, { training: true }) as Tensor);
    expect(spent.length).toBeGreaterThan(2);
    expect(spent.some((a) => a.buffer === y.data.buffer || a.buffer === x1.data.buffer)).toBe(false);
    expect(new Set(spent.map((a) => a.buffer)).size).toBe(spent.length);
    // nothing collected outside collectSpent
    clearRecycled();
    m.forward(x1, { training: true });
    expect(recycledBytes()).toBe(0);
  });
  it("fit gives each step's spent activations back after the step: the same weights as without", async () => {
    const m = net();
    m.predict(x1); // builds the weights
    const init = m.parameters().map(copy);
    const y = cl.tensor(Array.from({ length: 32 }, (_, i) => i % 5), [32]);
    const x = cl.randn([32, 16, 16, 3], { seed: 7 });
    const train = async (): Promise<Float32Array[]> => {
      m.parameters().forEach((p, i) => p.data.set(init[i]!));
      await m.fit({ x, y }, { optimizer: cl.train.adam({ lr: 1e-2 }), loss: "softmaxCrossEntropy", epochs: 2, batchSize: 8, seed: 1 });
      return m.parameters().map(copy);
    };
    setRecycling(false);
    const off = await train();
    setRecycling(true);
    clearRecycled();
    const on = await train();
    expect(recycledBytes()).toBeGreaterThan(0);
    expect(on.length).toBe(off.length);
    on.forEach((p, i) => expect(p, `parameter ${i}`).toEqual(off[i]));
  });
  it("fit keeps the inputs of a layer that may keep them", async () => {
    const keeper = new Keeper({ name: "keep" });
    const m = net(keeper);
    const y = cl.tensor(Array.from({ length: 16 }, (_, i) => i % 5), [16]);
    await m.fit({ x: cl.randn([16, 16, 16, 3], { seed: 8 }), y }, { optimizer: cl.train.sgd({ lr: 1e-2 }), loss: "softmaxCrossEntropy", epochs: 1, batchSize: 16, seed: 1 });
    const kept = keeper.last!, kc = copy(kept);
    churn([kept.size]);
    keeper.last = null;
    expect(copy(kept)).toEqual(kc);
  });
});
