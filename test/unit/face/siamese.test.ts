// Issue 16 items 2–3: the siamese encoder's training loop on a constructed problem, and its errors.
import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

/** 8×8 pictures of three "identities": a bright bar in row 1, column 6 or the diagonal, plus noise. */
function bars(m: number, seed: number): { x: cl.Tensor; y: cl.Tensor } {
  const rng = new cl.Rng(seed);
  const x = new Float32Array(m * 64), y = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const c = i % 3;
    y[i] = c;
    for (let k = 0; k < 8; k++) {
      const [r, col] = c === 0 ? [1, k] : c === 1 ? [k, 6] : [k, k];
      x[i * 64 + r * 8 + col] = 1;
    }
    for (let k = 0; k < 64; k++) x[i * 64 + k]! += 0.3 * rng.uniform();
  }
  return { x: new cl.Tensor(x, [m, 8, 8, 1]), y: new cl.Tensor(y, [m]) };
}

describe("trainTriplets", () => {
  it("P×K batches, semi-hard mining (8×8 bars, 3 identities): a loss per step, and new pictures of the identities separate (AUC > 0.95)", async () => {
    const data = bars(60, 0);
    const f = cl.face.encoder({ inputShape: [8, 8, 1], dim: 8, filters: [4], hidden: 16, seed: 0 });
    const steps: number[] = [];
    const r = await cl.face.trainTriplets(f, data, {
      steps: 40, classesPerBatch: 3, perClass: 4, strategy: "semiHard", alpha: 0.2, optimizer: cl.train.adam({ lr: 0.01 }), seed: 0,
      onStep: (l) => void steps.push(l.step),
    });
    expect(r.steps).toBe(40);
    expect(steps).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(r.losses.length).toBe(40);
    const test = bars(30, 1);
    const enc = cl.face.encode(f, test.x, { batchSize: 7 });
    expect(enc.shape).toEqual([30, 8]);
    const pairs = cl.face.verificationPairs(enc.data, 30, 8, test.y.data);
    expect(cl.face.rocCurve(pairs).auc).toBeGreaterThan(0.95);
  });
  it("encode({ layer }): an inner layer's output, flattened and L2-normalized, in batches; unknown layers are refused", () => {
    const f = cl.face.encoder({ inputShape: [8, 8, 1], dim: 4, filters: [2], hidden: 0, seed: 0 });
    const x = bars(5, 2).x;
    const got = cl.face.encode(f, x, { layer: "flatten", batchSize: 2 });
    // reference: pool1's output [5, 4, 4, 2] computed in one pass, each row divided by its norm by hand (float64)
    const a = f.features(x, ["pool1"]).pool1!;
    expect(a.shape).toEqual([5, 4, 4, 2]);
    expect(got.shape).toEqual([5, 32]);
    for (let i = 0; i < 5; i++) {
      const row = Array.from(a.data.subarray(i * 32, (i + 1) * 32));
      const n = Math.sqrt(row.reduce((s, v) => s + v * v, 0) + 1e-10);
      for (let k = 0; k < 32; k++) expect(Math.abs(got.data[i * 32 + k]! - row[k]! / n)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(row[k]! / n));
    }
    // without a layer: the model's own (already L2-normalized) output
    const out = cl.face.encode(f, x);
    expect(out.shape).toEqual([5, 4]);
    expect(() => cl.face.encode(f, x, { layer: "nope" })).toThrow(/nope/);
    expect(() => cl.face.encode(f, x, { layer: 3 as unknown as string })).toThrow(/encode: opts.layer/);
  });
  it("errors: one identity, a frozen encoder, labels of the wrong length", async () => {
    const f = cl.face.encoder({ inputShape: [8, 8, 1], dim: 4, filters: [2], hidden: 0, seed: 0 });
    const x = cl.zeros([4, 8, 8, 1]);
    await expect(cl.face.trainTriplets(f, { x: x, y: cl.tensor([0, 0, 0, 0]) }, { steps: 1 })).rejects.toThrow(/trainTriplets: needs at least 2 identities with 2 examples each, got 1/);
    await expect(cl.face.trainTriplets(f, { x: x, y: [0, 1] }, { steps: 1 })).rejects.toThrow(/trainTriplets: expected one label per encoding \(4\), got 2/);
    f.freeze();
    await expect(cl.face.trainTriplets(f, { x: x, y: [0, 0, 1, 1] }, { steps: 1 })).rejects.toThrow(/trainTriplets: the encoder has no trainable parameters/);
    expect(() => cl.face.encoder({ inputShape: [2, 2, 1], filters: [4, 4] })).toThrow(/encoder: 2 pooling stages need a larger input/);
  });
});
