// Issue 16 item 4: verification (1:1, d ≤ τ) and recognition (1:K, nearest identity or "not
// recognized") over a constructed database; the ROC / equal-error-rate numerics; pair features
// for verification as binary classification; the siamese model shares its encoder's weights.
import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

describe("verify (1:1)", () => {
  it("squared distance by default: d([0,0],[0.3,0.4]) = 0.25 ≤ τ 0.3 → same; τ 0.2 → different", () => {
    const a = cl.tensor([0, 0]), b = cl.tensor([[0.3, 0.4]]);
    const v = cl.face.verify(a, b, { threshold: 0.3 });
    expect(v.same).toBe(true);
    expectClose([v.distance], [0.25], { atol: 1e-6, rtol: 0 });
    expect(cl.face.verify(a, b, { threshold: 0.2 }).same).toBe(false);
  });
  it("metric 'euclidean' (the pretrained encoder's): d = 0.5, τ = 0.6 → same", () => {
    const v = cl.face.verify([0, 0], [0.3, 0.4], { threshold: 0.6, metric: "euclidean" });
    expect(v.same).toBe(true);
    expectClose([v.distance], [0.5], { atol: 1e-6, rtol: 0 });
    expectClose([cl.face.faceDistance([0, 0], [0.3, 0.4], { metric: "euclidean" })], [0.5], { atol: 1e-6, rtol: 0 });
  });
  it("wrong embedding dimensions or several encodings give clear errors", () => {
    expect(() => cl.face.verify(cl.zeros([128]), cl.zeros([64]), { threshold: 1 })).toThrow(/verify: encA has dimension 128 but encB 64/);
    expect(() => cl.face.verify(cl.zeros([2, 8]), cl.zeros([8]), { threshold: 1 })).toThrow(/verify: encA must be one encoding \[d\] or \[1,d\], got 2 encodings/);
    expect(() => cl.face.verify(cl.zeros([8]), cl.zeros([8]), {} as never)).toThrow(/verify: opts.threshold/);
  });
});

describe("recognize (1:K) over a database of precomputed encodings", () => {
  const db = cl.face.database({ ada: cl.tensor([0, 0]), alan: cl.tensor([[3, 0], [3, 1]]), grace: [0, 3] });

  it("the nearest identity within τ; several references per person (the nearest counts)", () => {
    expect(db.names).toEqual(["ada", "alan", "grace"]);
    expect(db.size).toBe(4);
    const r = cl.face.recognize(cl.tensor([2.9, 0.9]), db, { threshold: 0.5 });
    expect(r.identity).toBe("alan");
    expect(r.label).toBe("alan");
    expectClose([r.distance], [0.01 + 0.01], { atol: 1e-6, rtol: 0 });
    expect(db.identify([0.1, 2.8], { threshold: 0.5 }).identity).toBe("grace");
  });
  it('"not recognized" when even the nearest is farther than τ', () => {
    const r = cl.face.recognize([1.5, 1.5], db, { threshold: 0.5 });
    expect(r.identity).toBeNull();
    expect(r.label).toBe("not recognized");
    expect(r.nearest).toBe("alan"); // d to [3,1] = 2.25 + 0.25 = 2.5 < 4.5 (ada, grace)
    expectClose([r.distance], [2.5], { atol: 1e-6, rtol: 0 });
  });
  it("a database from encodings [m,d] and names; encodingOf returns a person's references", () => {
    const d2 = cl.face.database(cl.tensor([[0, 0], [1, 1], [0, 1]]), ["a", "b", "a"]);
    expect(d2.encodingOf("a").toArray()).toEqual([[0, 0], [0, 1]]);
    expect(cl.face.recognize([0.9, 1], d2, { threshold: 0.1 }).identity).toBe("b");
  });
  it("an encoding of the wrong dimension, a mixed database, an empty one: clear errors", () => {
    expect(() => cl.face.recognize(cl.zeros([3]), db, { threshold: 1 })).toThrow(/recognize: the encoding has dimension 3 but the database's encodings have 2/);
    expect(() => db.add("x", cl.zeros([5]))).toThrow(/FaceDatabase.add: x's encodings have dimension 5 but the database's have 2/);
    expect(() => cl.face.recognize([0, 0], new cl.face.FaceDatabase(), { threshold: 1 })).toThrow(/recognize: the database is empty/);
    expect(() => cl.face.recognize([0, 0], {} as never, { threshold: 1 })).toThrow(/recognize: database/);
  });
});

describe("one-shot accuracy, ROC and equal-error rate", () => {
  it("each query takes the label of its nearest reference", () => {
    const refs = cl.tensor([[0, 0], [5, 5]]);
    const q = cl.tensor([[0.5, 0], [4, 4], [3, 3], [2, 2]]);
    const r = cl.face.oneShotAccuracy(refs, [7, 9], q, [7, 9, 9, 9]);
    expect(r.predictions).toEqual([7, 9, 9, 7]); // [2,2]: d 8 to [0,0] vs 18 to [5,5]
    expect(r.accuracy).toBe(3 / 4);
    expect(() => cl.face.oneShotAccuracy(refs, [7, 9], cl.zeros([2, 3]), [7, 9])).toThrow(/oneShotAccuracy: references have dimension 2 but queries 3/);
  });
  it("EER on hand pairs: same d = 1, 2, 4; different d = 3, 5, 6 → FPR = FNR = 1/3 at τ between 2 and 4", () => {
    const pairs = { distance: Float64Array.from([1, 2, 4, 3, 5, 6]), same: Uint8Array.from([1, 1, 1, 0, 0, 0]) };
    // ROC points by τ: (1: fpr 0, tpr 1/3), (2: 0, 2/3), (3: 1/3, 2/3), (4: 1/3, 1) — FNR − FPR: 1/3 at τ=2, 0 at τ=3
    const e = cl.face.equalErrorRate(pairs);
    expectClose([e.eer, e.threshold], [1 / 3, 3], { atol: 1e-12, rtol: 0 });
    expectClose([cl.face.rocCurve(pairs).auc], [8 / 9], { atol: 1e-12, rtol: 0 });
  });
  it("balancedPairs: half same-identity pairs, the distances of the named rows", () => {
    const v = Float32Array.from([0, 1, 5, 6, 10]);
    const p = cl.face.balancedPairs(v, 5, 1, [0, 0, 1, 1, 2], { count: 40, seed: 3 });
    let same = 0;
    for (let k = 0; k < 40; k++) {
      same += p.same[k]!;
      expect(p.distance[k]).toBe((v[p.i[k]!]! - v[p.j[k]!]!) ** 2);
      expect(p.i[k]).not.toBe(p.j[k]);
    }
    expect(same).toBe(20);
  });
});

describe("verification as binary classification, siamese sharing", () => {
  it("pairFeatures: |a − b| and the chi-square form (a − b)² / (|a + b| + ε)", () => {
    const a = cl.tensor([[1, 2, -1]]), b = cl.tensor([[3, 2, 0.5]]);
    expectClose(cl.face.pairFeatures(a, b), [2, 0, 1.5], { atol: 1e-6, rtol: 0 });
    expectClose(cl.face.pairFeatures(a, b, { form: "chi2", eps: 1e-6 }), [4 / (4 + 1e-6), 0, 2.25 / (0.5 + 1e-6)], { atol: 1e-5, rtol: 1e-5 });
    expect(() => cl.face.pairFeatures(cl.zeros([2, 3]), cl.zeros([2, 4]))).toThrow(/pairFeatures: encA \[2,3\] and encB \[2,4\] must have the same shape/);
  });
  it("a logistic head on |f(xi) − f(xj)| learns which pairs are the same (constructed encodings)", async () => {
    // identities: encodings near e0, e1, e2 in 3-D, with noise
    const rng = new cl.Rng(0);
    const rows: number[][] = [], labels: number[] = [];
    for (let i = 0; i < 60; i++) {
      const c = i % 3;
      rows.push([0, 1, 2].map((k) => (k === c ? 1 : 0) + 0.15 * rng.normal()));
      labels.push(c);
    }
    const enc = cl.tensor(rows);
    const pairs = cl.face.balancedPairs(enc.data, 60, 3, labels, { count: 400, seed: 1 });
    const batch = cl.face.pairBatch(enc, pairs);
    expect(batch.x.shape).toEqual([400, 3]);
    const head = cl.face.verificationHead(3, { seed: 0 });
    await head.fit(batch, { optimizer: cl.train.adam({ lr: 0.1 }), loss: "bce", epochs: 30, batchSize: 400, seed: 0 });
    const p = head.predict(batch.x);
    let correct = 0;
    for (let k = 0; k < 400; k++) if ((p.data[k]! > 0) === (pairs.same[k] === 1)) correct++;
    expect(correct / 400).toBeGreaterThan(0.95);
    // the weights on |Δ| are negative: larger differences mean "different"
    const w = head.getLayer("logit").parameters()[0]!;
    expect(Array.from(w.data).every((v) => v < 0)).toBe(true);
  });
  it("siamese(encoder, { inputs: 3 }): three inputs through one set of weights; outputs equal encoder.predict", () => {
    const f = cl.face.encoder({ inputShape: [8, 8, 1], dim: 4, filters: [2], hidden: 0, seed: 0 });
    const s = cl.face.siamese(f, { inputs: 3 });
    expect(s.trainableParameters().length).toBe(f.trainableParameters().length);
    const xs = [1, 2, 3].map((seed) => cl.rand([2, 8, 8, 1], { seed }));
    const outs = s.predict(xs) as cl.Tensor[];
    expect(outs.length).toBe(3);
    outs.forEach((o, i) => expectClose(o, f.predict(xs[i]!), { atol: 1e-6, rtol: 1e-5 }));
    // L2-normalized rows
    for (let r = 0; r < 2; r++) expectClose([Math.hypot(...Array.from(outs[0]!.data.subarray(4 * r, 4 * r + 4)))], [1], { atol: 1e-5, rtol: 0 });
  });
});
