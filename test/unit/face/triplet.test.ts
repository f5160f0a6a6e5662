// Issue 16 item 1: the course's triplet loss (values and gradients on hand-computed cases, an
// exactly-zero hinge, finite differences in float64) and the three mining strategies on a
// constructed batch.
import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

const f64 = (v: number[][]): cl.Tensor => cl.tensor(v, undefined, { dtype: "float64", requiresGrad: true });

describe("tripletLoss (J = Σ max(‖A−P‖² − ‖A−N‖² + α, 0))", () => {
  it("two triplets d=2, α=0.2: an inactive one (1 − 4 + 0.2 < 0) and an active one (2 − 1 + 0.2 = 1.2): J = 1.2", () => {
    const a = f64([[0, 0], [0, 0]]), p = f64([[1, 0], [1, 1]]), n = f64([[0, 2], [1, 0]]);
    const J = cl.face.tripletLoss(a, p, n, { alpha: 0.2 });
    expect(J.shape).toEqual([]);
    expectClose([J.item()], [1.2], { atol: 1e-12, rtol: 0 });
    J.backward();
    // active: ∂/∂A = 2(N − P), ∂/∂P = 2(P − A), ∂/∂N = 2(A − N); inactive rows get 0
    expectClose(a.grad!, [0, 0, 0, -2], { atol: 1e-12, rtol: 0 });
    expectClose(p.grad!, [0, 0, 2, 2], { atol: 1e-12, rtol: 0 });
    expectClose(n.grad!, [0, 0, -2, 0], { atol: 1e-12, rtol: 0 });
  });

  it("the default margin is α = 0.2; reduction 'none' gives one loss per triplet, 'mean' their mean", () => {
    const a = f64([[0, 0], [0, 0]]), p = f64([[1, 0], [1, 1]]), n = f64([[0, 2], [1, 0]]);
    expectClose([cl.face.tripletLoss(a, p, n).item()], [1.2], { atol: 1e-12, rtol: 0 });
    expectClose(cl.face.tripletLoss(a, p, n, { reduction: "none" }), [0, 1.2], { atol: 1e-12, rtol: 0 });
    expectClose([cl.face.tripletLoss(a, p, n, { reduction: "mean", alpha: 0.5 }).item()], [(0 + 1.5) / 2], { atol: 1e-12, rtol: 0 });
  });

  it("an exactly-zero hinge (d(A,P) = 1, d(A,N) = 1.25, α = 0.25): loss 0 and zero gradients", () => {
    const a = f64([[0, 0]]), p = f64([[1, 0]]), n = f64([[1, 0.5]]);
    const J = cl.face.tripletLoss(a, p, n, { alpha: 0.25 });
    expect(J.item()).toBe(0);
    J.backward();
    for (const t of [a, p, n]) expect(Array.from(t.grad!.data).every((v) => v === 0)).toBe(true);
  });

  it("one triplet as [d] vectors equals the [1,d] batch", () => {
    const v = cl.face.tripletLoss(cl.tensor([0, 0]), cl.tensor([1, 1]), cl.tensor([1, 0]), { alpha: 0.2 }).item();
    expectClose([v], [1.2], { atol: 1e-6, rtol: 0 });
  });

  it("gradients match central finite differences in float64 (m=6, d=5, α=0.3)", () => {
    const [a, p, n] = [1, 2, 3].map((s) => cl.randn([6, 5], { seed: s, dtype: "float64" }));
    // keep every hinge away from its kink, so finite differences are valid
    const hinge = cl.face.tripletLoss(a!, p!, n!, { alpha: 0.3, reduction: "none" });
    const losses = cl.sum(cl.square(cl.sub(a!, p!)), 1).sub(cl.sum(cl.square(cl.sub(a!, n!)), 1)).add(0.3);
    for (let i = 0; i < 6; i++) expect(Math.abs(losses.data[i]!)).toBeGreaterThan(1e-3);
    expect(Array.from(hinge.data).some((v) => v === 0) && Array.from(hinge.data).some((v) => v > 0)).toBe(true);
    const r = cl.gradcheck((x, y, z) => cl.face.tripletLoss(x!, y!, z!, { alpha: 0.3 }), [a!, p!, n!], { atol: 1e-6, rtol: 1e-5 });
    expect(r.ok, JSON.stringify(r).slice(0, 400)).toBe(true);
  });

  it("inputs of different sizes or embedding dimensions give errors naming tripletLoss and the shapes", () => {
    expect(() => cl.face.tripletLoss(cl.zeros([2, 3]), cl.zeros([2, 4]), cl.zeros([2, 3]))).toThrow(/tripletLoss: a \[2,3\] and p \[2,4\] must have the same shape/);
    expect(() => cl.face.tripletLoss(cl.zeros([2, 3]), cl.zeros([2, 3]), cl.zeros([3, 3]))).toThrow(/tripletLoss: a \[2,3\] and n \[3,3\]/);
    expect(() => cl.face.tripletLoss(cl.zeros([2, 3, 1]), cl.zeros([2, 3]), cl.zeros([2, 3]))).toThrow(/tripletLoss: a \(anchors\) must be encodings \[m,d\].*\[2,3,1\]/);
    expect(() => cl.face.tripletLoss(cl.zeros([2, 3]), cl.zeros([2, 3]), cl.zeros([2, 3]), { alpha: -1 })).toThrow(/tripletLoss: opts.alpha/);
  });
});

describe("mining on a constructed batch (1-D encodings, squared distances)", () => {
  // identity 0: x = 0 (#0), 1 (#1); identity 1: x = 0.5 (#2), 1.1 (#3), 3 (#4)
  const emb = cl.tensor([[0], [1], [0.5], [1.1], [3]]);
  const labels = [0, 0, 1, 1, 1];
  const key = (t: { anchor: number; positive: number; negative: number }): string => `${t.anchor}${t.positive}${t.negative}`;

  it("batchHard: per anchor the farthest positive and the closest negative", () => {
    const r = cl.face.batchHard(emb, labels, { alpha: 0.5 });
    // #0: pos #1 (d 1), negs d 0.25/1.21/9 → #2. #1: pos #0, negs d 0.25/0.01/4 → #3.
    // #2: pos d(#3)=0.36, d(#4)=6.25 → #4; negs d 0.25/0.25 → #0 (first). #3: pos #4 (3.61 > 0.36); negs 1.21/0.01 → #1.
    // #4: pos #2 (6.25 > 3.61); negs 9/4 → #1.
    expect(r.triplets.map(key)).toEqual(["012", "103", "240", "341", "421"]);
    // all violate: 1−0.25, 1−0.01, 6.25−0.25, 3.61−0.01, 6.25−4 are > −0.5
    expect(r.active).toBe(5);
    expect(r.activeFraction).toBe(1);
    expectClose(r.dAP, [1, 1, 6.25, 3.61, 6.25], { atol: 1e-5, rtol: 1e-5 });
    expectClose(r.dAN, [0.25, 0.01, 0.25, 0.01, 4], { atol: 1e-5, rtol: 1e-5 });
  });

  it("semiHard: per anchor–positive pair the closest negative farther than the positive, else the farthest negative", () => {
    const r = cl.face.semiHard(emb, labels, { alpha: 0.5 });
    const got = Object.fromEntries(r.triplets.map((t) => [`${t.anchor}${t.positive}`, t.negative] as const));
    expect(r.triplets.length).toBe(2 * 1 + 3 * 2); // ordered anchor–positive pairs
    expect(got["01"]).toBe(3); // d(A,P) = 1; negatives 0.25, 1.21, 9 → 1.21 (#3), inside the margin 1 + 0.5
    expect(got["10"]).toBe(4); // d(A,P) = 1; negatives 0.25, 0.01, 4 → 4 (#4)
    expect(got["23"]).toBe(0); // d(A,P) = 0.36; negatives 0.25, 0.25: none farther → the farthest, the first of the tie (#0)
    expect(got["24"]).toBe(0); // d(A,P) = 6.25; none farther → #0 again
    expect(got["34"]).toBe(0); // d(A,P) = 3.61; negatives 1.21, 0.01: none farther → the farthest, #0
    expect(got["32"]).toBe(0); // d(A,P) = 0.36; negatives 1.21 (#0), 0.01 → #0 (1.21 > 0.36)
    expect(got["42"]).toBe(0); // d(A,P) = 6.25; negatives 9 (#0), 4 → #0
    expect(got["43"]).toBe(1); // d(A,P) = 3.61; negatives 9 (#0), 4 (#1) both farther → the closest, #1
  });

  it("batchAll: every valid triplet, m·(k−1)·(m−k) summed over identities, and its active fraction", () => {
    const r = cl.face.batchAll(emb, labels, { alpha: 0.2 });
    expect(r.triplets.length).toBe(2 * 1 * 3 + 3 * 2 * 2);
    expect(new Set(r.triplets.map(key)).size).toBe(r.triplets.length);
    for (const t of r.triplets) {
      expect(labels[t.anchor]).toBe(labels[t.positive]);
      expect(t.anchor).not.toBe(t.positive);
      expect(labels[t.negative]).not.toBe(labels[t.anchor]);
    }
    let active = 0;
    r.triplets.forEach((t, k) => {
      const x = (i: number): number => emb.data[i]!;
      const dap = (x(t.anchor) - x(t.positive)) ** 2, dan = (x(t.anchor) - x(t.negative)) ** 2;
      expectClose([r.dAP[k]!, r.dAN[k]!], [dap, dan], { atol: 1e-6, rtol: 1e-6 });
      if (dap - dan + 0.2 > 0) active++;
    });
    expect(r.active).toBe(active);
    expect(r.activeFraction).toBeCloseTo(active / r.triplets.length, 12);
  });

  it("minedTripletLoss gathers the mined rows: its value is the mean triplet loss, its gradient reaches the batch", () => {
    const x = cl.tensor([[0], [1], [0.5], [1.1], [3]], undefined, { dtype: "float64", requiresGrad: true });
    const r = cl.face.minedTripletLoss(x, labels, { strategy: "hard", alpha: 0.5 });
    const expected = [1 - 0.25, 1 - 0.01, 6.25 - 0.25, 3.61 - 0.01, 6.25 - 4].map((v) => v + 0.5);
    expectClose([r.loss.item()], [expected.reduce((s, v) => s + v, 0) / 5], { atol: 1e-12, rtol: 1e-12 });
    r.loss.backward();
    expect(x.grad!.shape).toEqual([5, 1]);
    // finite differences on a batch without distance ties (a tie can switch the mined negative)
    const y = cl.tensor([[0], [1], [0.45], [1.1], [3]], undefined, { dtype: "float64" });
    const g = cl.gradcheck((e) => cl.face.minedTripletLoss(e!, labels, { strategy: "hard", alpha: 0.5 }).loss, [y], { atol: 1e-6, rtol: 1e-5 });
    expect(g.ok).toBe(true);
  });

  it("bad batches give clear errors: label count, no triplet possible", () => {
    expect(() => cl.face.batchHard(emb, [0, 1])).toThrow(/batchHard: expected one label per encoding \(5\), got 2/);
    expect(() => cl.face.minedTripletLoss(emb, [0, 1, 2, 3, 4])).toThrow(/minedTripletLoss: no triplet in this batch/);
    expect(() => cl.face.semiHard(cl.zeros([2, 2, 2]), [0, 1])).toThrow(/semiHard: embeddings must be encodings \[m,d\]/);
  });
});
