// Recycling of gradient arrays (tensor/pool.ts, autograd/tape.ts): the backward pass gives the
// gradient arrays it has proven dead back to `allocate`. These tests check that nothing anyone
// can still reach is ever recycled — leaf and retained gradients, the caller's seed, buffers
// shared by views (reshape's pass-through, add's [dy, dy], concat's pieces) — that recycled
// arrays come back zeroed, that recycling does happen, and that gradients and whole training
// steps are bit-identical with and without it.
import { describe, it, expect, afterEach } from "vitest";
import * as cl from "../../src/index.js";
import { allocate } from "../../src/tensor/tensor.js";
import { clearRecycled, recycle, recycledBytes, setRecycling, POOL_MIN_LENGTH } from "../../src/tensor/pool.js";
import { retainGrad } from "../../src/autograd/tape.js";

const N = POOL_MIN_LENGTH * 2; // big enough to be recycled

afterEach(() => {
  setRecycling(true);
  clearRecycled();
});

/** A graph with shared buffers: reshape (forward and backward views), add ([dy, dy]), concat, a leaf used twice. */
function grads(seed: number): { a: Float32Array; b: Float32Array } {
  const a = cl.randn([N], { seed, requiresGrad: true }), b = cl.randn([N], { seed: seed + 1, requiresGrad: true });
  const r = cl.reshape(a.mul(b), [2, N / 2]);
  const s = r.add(r).relu(); // add hands dy on to both inputs
  const c = cl.concat([s, cl.reshape(b, [2, N / 2])], 1); // concat's gradient pieces
  const y = c.mul(c).sum().add(a.mul(a).sum());
  y.backward();
  return { a: a.grad!.data as Float32Array, b: b.grad!.data as Float32Array };
}

/** Allocates many arrays of these lengths (takes whatever the pool holds) and fills them. */
function churn(...lengths: number[]): void {
  for (let i = 0; i < 8; i++) for (const n of lengths) allocate("float32", n).fill(12345);
}

describe("gradient recycling", () => {
  it("gives the same gradients as without, and does recycle", () => {
    setRecycling(false);
    const off = grads(1);
    setRecycling(true);
    clearRecycled();
    const on = grads(1);
    expect(recycledBytes()).toBeGreaterThan(0);
    expect(Buffer.from(on.a.buffer)).toEqual(Buffer.from(off.a.buffer));
    expect(Buffer.from(on.b.buffer)).toEqual(Buffer.from(off.b.buffer));
  });
  it("never recycles a leaf's .grad, a retained .grad or the caller's seed", () => {
    const a = cl.randn([N], { seed: 3, requiresGrad: true });
    const h = retainGrad(a.mul(3));
    const y = h.relu().mul(h);
    const seed = cl.randn([N], { seed: 4 });
    const seedCopy = Float32Array.from(seed.data);
    y.backward(seed);
    const ga = Float32Array.from(a.grad!.data), gh = Float32Array.from(h.grad!.data);
    expect(recycledBytes()).toBeGreaterThan(0);
    churn(N, N / 2);
    expect(Float32Array.from(a.grad!.data)).toEqual(ga);
    expect(Float32Array.from(h.grad!.data)).toEqual(gh);
    expect(Float32Array.from(seed.data)).toEqual(seedCopy);
  });
  it("keeps gradients that views still share (reshape, add, concat) until the last is used", () => {
    const x = cl.randn([N], { seed: 5, requiresGrad: true });
    const parts = [cl.reshape(x, [N / 2, 2]), cl.reshape(x, [N / 2, 2])];
    const y = cl.concat(parts, 1).add(cl.concat(parts, 1)).square().sum();
    y.backward();
    const want = Float32Array.from(x.data, (v) => 16 * v); // d/dx Σ (2·[x x])² = 2·2·2·2x
    const got = x.grad!.data;
    for (let i = 0; i < N; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(want[i]!) + 1e-6);
  });
  it("hands recycled arrays out zeroed, by dtype and length", () => {
    const a = new Float32Array(N).fill(7);
    recycle(a);
    expect(recycledBytes()).toBe(a.byteLength);
    expect(allocate("float64", N)).not.toBe(a);
    const b = allocate("float32", N);
    expect(b).toBe(a);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(recycledBytes()).toBe(0);
    recycle(new Float32Array(16)); // small: left to the engine
    recycle(new Float32Array(2 * N).subarray(0, N)); // a view: never
    expect(recycledBytes()).toBe(0);
  });
  it("trains a residual conv net with batch norm to the same bits with and without it", () => {
    const input = cl.nn.input([8, 8, 3]);
    const c1 = cl.nn.conv2d({ filters: 8, size: 3, padding: "same" }).apply(input);
    const r1 = cl.nn.activation("relu").apply(cl.nn.batchNorm().apply(c1));
    const c2 = cl.nn.conv2d({ filters: 8, size: 3, padding: "same" }).apply(r1);
    const out = cl.nn.dense({ units: 4 }).apply(cl.nn.flatten().apply(cl.nn.add().apply([c2, r1])));
    const model = cl.nn.model({ inputs: input, outputs: out });
    const x = cl.randn([16, 8, 8, 3], { seed: 9 }), labels = cl.tensor(Array.from({ length: 16 }, (_, i) => i % 4), [16]);
    model.forward(x); // builds the weights
    const init = model.parameters().map((p) => Float32Array.from(p.data));
    const run = (): Float32Array[] => {
      model.parameters().forEach((p, i) => p.data.set(init[i]!));
      const opt = cl.train.adam({ lr: 1e-2 });
      for (let s = 0; s < 3; s++) {
        const ps = model.trainableParameters();
        for (const p of ps) p.grad = null;
        cl.softmaxCrossEntropy(model.forward(x, { training: true }), labels).backward();
        opt.step(ps);
      }
      return model.parameters().map((p) => Float32Array.from(p.data));
    };
    setRecycling(false);
    const off = run();
    setRecycling(true);
    const on = run();
    expect(recycledBytes()).toBeGreaterThan(0);
    expect(on.length).toBe(off.length);
    for (let i = 0; i < on.length; i++) expect(Buffer.from(on[i]!.buffer)).toEqual(Buffer.from(off[i]!.buffer));
    expect(Buffer.from(on[0]!.buffer)).not.toEqual(Buffer.from(init[0]!.buffer)); // it did train
  });
});
