import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";
import pngjs from "pngjs";

const { inspect } = cl;

/** PNG signature of a base64 image/png value. */
function isPng(b64: unknown): boolean {
  return typeof b64 === "string" && Array.from(inspect.fromBase64(b64).subarray(0, 8)).join() === "137,80,78,71,13,10,26,10";
}

function tinyCnn(): cl.nn.Sequential {
  return cl.nn.sequential(
    [cl.nn.conv2d({ name: "CONV1", filters: 4, size: 3, activation: "relu" }), cl.nn.maxPool2d({ name: "POOL1", size: 2 }), cl.nn.flatten(), cl.nn.dense({ name: "FC", units: 3 })],
    { inputShape: [6, 6, 1], seed: 0 },
  );
}

describe("featureMaps", () => {
  const model = tinyCnn();
  const x = cl.rand([2, 6, 6, 1], { seed: 1 });

  it("model [m,6,6,1] → conv f3 (4,4,4) and pool (2,2,4): maps channel after channel, example 1", () => {
    const fm = inspect.featureMaps(model, x, { example: 1 });
    const p = fm.payload;
    expect(p.layers.map((l) => [l.name, l.shape])).toEqual([["CONV1", [4, 4, 4]], ["POOL1", [2, 2, 4]]]);
    const conv = model.activations(x, { layers: ["CONV1"] })[0]!.output;
    const chw = inspect.unpackArray(p.layers[0]!.maps, 64);
    for (let c = 0; c < 4; c++)
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) expect(chw[c * 16 + i * 4 + j]).toBe(conv.data[64 + (i * 4 + j) * 4 + c]);
    for (let c = 0; c < 4; c++) {
      const map = Array.from(chw.subarray(c * 16, (c + 1) * 16));
      expect(p.layers[0]!.min[c]).toBe(Math.min(...map));
      expect(p.layers[0]!.max[c]).toBe(Math.max(...map));
    }
    expect(p.input?.width).toBeGreaterThanOrEqual(6);
    expect(inspect.parseFeatureMaps(JSON.parse(JSON.stringify(p))).ok).toBe(true);
  });

  it("bundle: the widget payload, a PNG grid and a text summary", () => {
    const b = inspect.featureMaps(model, x, { layers: ["CONV1", "FC"] }).toMimeBundle();
    expect(Object.keys(b.data).sort()).toEqual([inspect.FEATUREMAPS_MIME, "image/png", "text/plain"].sort());
    expect(isPng(b.data["image/png"])).toBe(true);
    expect(b.data["text/plain"]).toMatch(/^Feature maps of 'sequential_\d+', example 0:\n {2}CONV1 {2}Conv2D {2}\(4,4,4\)/);
    expect(b.data["text/plain"]).toMatch(/FC {2}Dense {2}\(1,3,1\)/);
  });

  it("one activation tensor (cl.conv2d's output), and uint8 precision within (max − min)/510", () => {
    const img = cl.tensor([[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3], [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]]).reshape([1, 6, 6, 1]);
    const edges = cl.conv2d(img, cl.filters.vertical.reshape([3, 3, 1, 1]));
    const p = inspect.featureMaps(edges, { name: "vertical edges", precision: "uint8" }).payload;
    expect(p.layers[0]!.shape).toEqual([4, 4, 1]);
    expect(p.layers[0]!.min).toEqual([-16]);
    expect(p.layers[0]!.max).toEqual([8]);
    const v = inspect.unpackArray(p.layers[0]!.maps, 16, 16);
    const want = [-5, -4, 0, 8, -10, -2, 2, 3, 0, -2, -4, -7, -3, -2, -3, -16];
    want.forEach((w, i) => expect(Math.abs(v[i]! - w)).toBeLessThanOrEqual(24 / 510 + 1e-6));
  });

  it("errors name the problem", () => {
    expect(() => inspect.featureMaps(model, x, { example: 2 })).toThrow(/featureMaps: example 2 is not in the batch of 2/);
    expect(() => inspect.featureMaps(cl.zeros([2, 3]))).toThrow(/featureMaps: expected an activation \[m,nH,nW,nC\] \(or \[nH,nW,nC\]\), got \[2,3\]/);
    expect(() => inspect.featureMaps(model, x, { layers: ["nope"] })).toThrow(/no layer named 'nope'/);
  });
});

describe("activations", () => {
  it("layerStats: mean, population std, fraction zero, range and a histogram that counts every value", () => {
    const t = cl.tensor([0, 0, 1, 2, 3, 4, 0, 6], [2, 4]);
    const s = inspect.layerStats("l", "Dense", t, 3);
    expect(s.shape).toEqual([4]);
    expect(s.count).toBe(8);
    expect(s.mean).toBe(2);
    expect(s.std).toBeCloseTo(Math.sqrt((4 + 4 + 1 + 0 + 1 + 4 + 4 + 16) / 8), 12);
    expect(s.fractionZero).toBe(3 / 8);
    expect([s.min, s.max]).toEqual([0, 6]);
    expect(s.histogram.edges).toEqual([0, 2, 4, 6]);
    expect(s.histogram.counts).toEqual([4, 2, 2]); // [0,2): 0,0,1,0 · [2,4): 2,3 · [4,6]: 4,6
  });

  it("receptive fields of the course's simple ConvNet 39×39×3 →(f3,s1) 37 →(f5,s2) 17 →(f5,s2) 7", () => {
    const m = cl.nn.sequential(
      [cl.nn.conv2d({ name: "c1", filters: 2, size: 3 }), cl.nn.conv2d({ name: "c2", filters: 2, size: 5, stride: 2 }), cl.nn.conv2d({ name: "c3", filters: 2, size: 5, stride: 2 })],
      { inputShape: [39, 39, 3] },
    );
    expect(inspect.receptiveField(m, "c3", 0, 0)).toEqual({ x1: 0, y1: 0, x2: 14, y2: 14 });
    expect(inspect.receptiveField(m, "c3", 6, 6)).toEqual({ x1: 24, y1: 24, x2: 38, y2: 38 });
    expect(inspect.receptiveField(m, "c1", 2, 5)).toEqual({ x1: 5, y1: 2, x2: 7, y2: 4 });
  });

  it("receptive fields through 'same' padding (clipped) and 2×2 pooling", () => {
    const m = cl.nn.sequential([cl.nn.conv2d({ name: "c", filters: 1, size: 3, padding: "same" }), cl.nn.relu(), cl.nn.maxPool2d({ name: "p", size: 2 })], { inputShape: [6, 6, 1] });
    expect(inspect.receptiveField(m, "c", 0, 0)).toEqual({ x1: 0, y1: 0, x2: 1, y2: 1 });
    expect(inspect.receptiveField(m, "p", 1, 2)).toEqual({ x1: 3, y1: 1, x2: 5, y2: 4 });
  });

  it("top patches: each example's strongest position, strongest examples first, cropped to the receptive field", () => {
    const model = tinyCnn();
    const x = cl.rand([5, 6, 6, 1], { seed: 3 });
    const out = model.activations(x, { layers: ["CONV1"] })[0]!.output;
    const u = inspect.topPatches(model, x, "CONV1", 2, 3);
    expect(u.patches).toHaveLength(3);
    const best = Array.from({ length: 5 }, (_, e) => Math.max(...Array.from({ length: 16 }, (_, p) => out.data[e * 64 + p * 4 + 2]!)));
    const sorted = [...best].sort((a, b) => b - a);
    expect(u.patches.map((q) => q.activation)).toEqual(sorted.slice(0, 3));
    for (const q of u.patches) {
      expect(q.box.x2 - q.box.x1).toBe(2);
      expect(q.box.y2 - q.box.y1).toBe(2);
      expect(isPng(q.image.png)).toBe(true);
    }
  });

  it("bundle: stats for every layer, units' patches, a source for the widget's requests, PNG histograms", () => {
    const model = tinyCnn();
    const x = cl.rand([4, 6, 6, 1], { seed: 4 });
    const a = inspect.activations(model, x, { units: [{ layer: "CONV1", units: [0, 1], k: 2 }], step: 7 });
    expect(a.payload.layers.map((l) => l.name)).toEqual(["CONV1", "POOL1", "flatten_1", "FC"]);
    expect(a.payload.units?.map((u) => [u.layer, u.unit, u.patches.length])).toEqual([["CONV1", 0, 2], ["CONV1", 1, 2]]);
    expect(a.payload.source).toMatch(/^activations-\d+$/);
    const b = a.toMimeBundle();
    expect(isPng(b.data["image/png"])).toBe(true);
    expect(b.data["text/plain"]).toMatch(/Activations of 'sequential_\d+' at step 7:/);
    expect(inspect.parseActivations(JSON.parse(JSON.stringify(b.data[inspect.ACTIVATIONS_MIME]))).ok).toBe(true);
  });

  it("the widget's comm method answers with a unit's patches over the registered dataset, its field and errors by name", async () => {
    const model = tinyCnn();
    const x = cl.rand([3, 6, 6, 1], { seed: 5 });
    const more = [0, 1].map((s) => ({ x: cl.rand([4, 6, 6, 1], { seed: 10 + s }) }));
    const a = inspect.activations(model, x, { dataset: more });
    const handler = cl.runtime.commHandler("inspect.topPatches")!;
    const ctx = { commId: "c", send: () => {} };
    type Reply = cl.inspect.UnitPatches;
    const r = (await handler({ source: a.payload.source, layer: "CONV1", unit: 3, k: 2, context: true }, ctx)) as Reply;
    // The same as topPatches over the registered batches (not x), plus the field and the count.
    const want = inspect.topPatches(model, "CONV1", 3, more, { k: 2 });
    expect(r.patches.map((q) => [q.example, q.activation, q.box])).toEqual(want.patches.map((q) => [q.example, q.activation, q.box]));
    expect(r.examples).toBe(8);
    const f = inspect.receptiveFieldOf(model, "CONV1");
    expect(r.field).toEqual({ size: f.size, stride: f.stride, offset: f.offset });
    // Each patch carries its whole example, one pixel per input pixel, and the reply validates.
    for (const q of r.patches) expect([q.context?.width, q.context?.height]).toEqual([6, 6]);
    expect(inspect.parseActivations({ version: 1, model: "m", layers: [], units: [JSON.parse(JSON.stringify(r))] }).ok).toBe(true);
    // Without context: no pictures of the whole examples.
    expect(((await handler({ source: a.payload.source, layer: "CONV1", unit: 0 }, ctx)) as Reply).patches.every((q) => q.context === undefined)).toBe(true);
    expect(() => handler({ source: a.payload.source, layer: "CONV1", unit: 4 }, ctx)).toThrow(/layer 'CONV1' has 4 units \(channels\), got unit 4/);
    expect(() => handler({ source: a.payload.source, layer: "NOPE", unit: 0 }, ctx)).toThrow(/NOPE/);
    expect(() => handler({ source: "gone", layer: "CONV1", unit: 0 }, ctx)).toThrow(/no longer holds the dataset of 'gone'/);
    expect(() => inspect.activations(model, x, { dataset: 3 as unknown as cl.Tensor })).toThrow(/opts\.dataset/);
  });

  it("2-D layers carry each unit's mean over the batch and positions", () => {
    const model = tinyCnn();
    const x = cl.rand([3, 6, 6, 1], { seed: 6 });
    const p = inspect.activations(model, x).payload;
    const conv = model.activations(x, { layers: ["CONV1"] })[0]!.output;
    const means = p.layers.find((l) => l.name === "CONV1")!.unitMeans!;
    expect(means).toHaveLength(4);
    for (let c = 0; c < 4; c++) {
      let s = 0;
      for (let i = c; i < conv.size; i += 4) s += conv.data[i]!;
      expect(Math.abs(means[c]! - s / (conv.size / 4))).toBeLessThanOrEqual(1e-6 + 1e-6 * Math.abs(s / (conv.size / 4)));
    }
    expect(p.layers.find((l) => l.name === "FC")!.unitMeans).toBeUndefined();
    const bad = { ...p, layers: p.layers.map((l) => (l.name === "CONV1" ? { ...l, unitMeans: [1, 2] } : l)) };
    expect(inspect.parseActivations(bad)).toMatchObject({ ok: false, error: expect.stringMatching(/unitMeans/) });
  });
});

describe("detections", () => {
  const image = cl.rand([30, 40, 3], { seed: 0 });
  const preds = [
    { box: { x1: 5, y1: 5, x2: 15, y2: 15 }, score: 0.9, classId: 0 },
    { box: { x1: 6, y1: 5, x2: 16, y2: 15 }, score: 0.8, classId: 0 },
    { box: { x1: 20, y1: 10, x2: 30, y2: 25 }, score: 0.5, classId: 1 },
  ];

  it("frame from the image, classes, grid and anchors in the payload; NMS at the given thresholds for the fallbacks", () => {
    const d = inspect.detections({ image, classes: ["car", "person"], predictions: preds, groundTruth: [{ box: { x1: 5, y1: 5, x2: 15, y2: 16 }, classId: 0 }], grid: 3, anchors: [{ width: 10, height: 20 }] });
    expect([d.payload.width, d.payload.height]).toEqual([40, 30]);
    expect(d.payload.grid).toEqual({ rows: 3, cols: 3 });
    expect(d.payload.nms).toEqual({ scoreThreshold: 0.6, iouThreshold: 0.5, perClass: true });
    expect(d.kept()).toEqual([preds[0]]);
    const b = d.toMimeBundle();
    expect(isPng(b.data["image/png"])).toBe(true);
    expect(b.data["text/plain"]).toMatch(/^Detections: 1 of 3 boxes kept by NMS \(score > 0\.6, IoU < 0\.5, per class\); 1 ground truth\n {2}car 0\.9 \[5, 5, 15, 15\]/);
    expect(inspect.parseDetections(JSON.parse(JSON.stringify(b.data[inspect.DETECTIONS_MIME]))).ok).toBe(true);
    expect(inspect.detections({ predictions: preds, nms: { scoreThreshold: 0.4 } }).kept()).toEqual([preds[0], preds[2]]);
  });

  it("refuses unknown classes and corner-less boxes", () => {
    expect(() => inspect.detections({ classes: ["car"], predictions: preds })).toThrow(/detections: prediction 2 has classId 1, but there are 1 classes/);
    expect(() => inspect.detections({ predictions: [{ box: { x1: 3, y1: 0, x2: 1, y2: 1 }, score: 1, classId: 0 }] })).toThrow(/detections: prediction 0.box must have x2 ≥ x1 and y2 ≥ y1/);
  });
});

describe("embeddings numerics", () => {
  // Columns of a Hadamard matrix: zero mean, orthogonal, |column|² = 8.
  const H = [
    [1, 1, 1], [-1, 1, 1], [1, -1, 1], [-1, -1, 1],
    [1, 1, -1], [-1, 1, -1], [1, -1, -1], [-1, -1, -1],
  ];
  // Rotation about z by 30°, then scaled 3, 2, 1 along its columns.
  const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
  const R = [[c, -s, 0], [s, c, 0], [0, 0, 1]];
  const scale = [3, 2, 1];
  const X = H.flatMap((z) => R.map((row) => row.reduce((acc, r, k) => acc + r * scale[k]! * z[k]!, 0)));

  it("PCA finds the rotated axes, variances 9·8/7, 4·8/7, 1·8/7 (sign: largest entry positive)", () => {
    const r = inspect.pca(X, 8, 3, { dims: 3, seed: 1 });
    const want = [[c, s, 0], [-s, c, 0], [0, 0, 1]];
    // Second column of R is (−s, c, 0): its largest entry c is positive already.
    for (let k = 0; k < 3; k++) for (let j = 0; j < 3; j++) expect(Math.abs(r.components[k * 3 + j]! - want[k]![j]!)).toBeLessThan(1e-9);
    [9, 4, 1].forEach((v, k) => expect(Math.abs(r.variances[k]! - (v * 8) / 7)).toBeLessThan(1e-9));
    expect(r.explained.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Projections are the scaled Hadamard entries.
    for (let i = 0; i < 8; i++) expect(Math.abs(r.coords[i * 3]! - 3 * H[i]![0]!)).toBeLessThan(1e-9);
  });

  it("PCA is the same for the same seed, and rejects bad sizes", () => {
    expect(inspect.pca(X, 8, 3, { seed: 4 }).coords).toEqual(inspect.pca(X, 8, 3, { seed: 4 }).coords);
    expect(() => inspect.pca(X, 8, 4)).toThrow(/pca: expected m·d = 8·4 values, got 24/);
    expect(() => inspect.pca(X, 8, 3, { dims: 4 })).toThrow(/pca: dims must be an integer in \[1, 3\], got 4/);
  });

  it("t-SNE keeps three separated clusters apart (each point's nearest neighbour in its cluster) and is seeded", () => {
    const rng = new cl.Rng(7);
    const pts: number[] = [], lab: number[] = [];
    for (let k = 0; k < 3; k++) for (let i = 0; i < 12; i++) { for (let j = 0; j < 5; j++) pts.push(10 * (j === k ? 1 : 0) + 0.3 * rng.normal()); lab.push(k); }
    const y = inspect.tsne(cl.tensor(pts, [36, 5]), { perplexity: 5, iterations: 300, seed: 3 });
    expect(y.shape).toEqual([36, 2]);
    for (let i = 0; i < 36; i++) {
      let best = -1, bd = Infinity;
      for (let j = 0; j < 36; j++) {
        if (j === i) continue;
        const d = (y.data[2 * i]! - y.data[2 * j]!) ** 2 + (y.data[2 * i + 1]! - y.data[2 * j + 1]!) ** 2;
        if (d < bd) (bd = d), (best = j);
      }
      expect(lab[best]).toBe(lab[i]);
    }
    expect(inspect.tsne(cl.tensor(pts, [36, 5]), { perplexity: 5, iterations: 50, seed: 3 }).data).toEqual(inspect.tsne(cl.tensor(pts, [36, 5]), { perplexity: 5, iterations: 50, seed: 3 }).data);
    expect(() => inspect.tsne(cl.tensor(pts, [36, 5]), { perplexity: 40 })).toThrow(/tsne: perplexity must be in \(0, m − 1 = 35\], got 40/);
  });

  it("verification: d ≤ τ is 'same'; accuracy, ROC from (0,0) to (1,1) and AUC by trapezoids", () => {
    // Points on a line: identities 0,0,1,1 at 0, 1, 3, 4 → pair distances 1, 9, 16, 4, 9, 1.
    const v = [0, 1, 3, 4];
    const pairs = inspect.verificationPairs(v, 4, 1, [0, 0, 1, 1]);
    expect(Array.from(pairs.distance)).toEqual([1, 9, 16, 4, 9, 1]);
    expect(Array.from(pairs.same)).toEqual([1, 0, 0, 0, 0, 1]);
    expect(inspect.verificationAccuracy(pairs, 1)).toEqual({ accuracy: 1, tp: 2, fp: 0, tn: 4, fn: 0 });
    expect(inspect.verificationAccuracy(pairs, 4).accuracy).toBe(5 / 6);
    const roc = inspect.rocCurve(pairs);
    expect(roc.fpr).toEqual([0, 0, 0.25, 0.75, 1]);
    expect(roc.tpr).toEqual([0, 1, 1, 1, 1]);
    expect(roc.thresholds).toEqual([-Infinity, 1, 4, 9, 16]);
    expect(roc.auc).toBe(1);
    expect(inspect.bestThreshold(pairs)).toBe(2.5);
  });

  it("triplet loss max(‖A−P‖² − ‖A−N‖² + α, 0) per triplet, violations where it is positive", () => {
    const v = [0, 0, 1, 0, 0, 2, 0.5, 0]; // A=(0,0), P=(1,0), N=(0,2), N2=(0.5,0)
    const s = inspect.tripletStats(v, 2, [{ anchor: 0, positive: 1, negative: 2 }, { anchor: 0, positive: 1, negative: 3 }], 0.2);
    expect(s[0]).toEqual({ dAP: 1, dAN: 4, loss: 0, violated: false });
    expect(s[1]!.loss).toBeCloseTo(1 - 0.25 + 0.2, 15);
    expect(s[1]!.violated).toBe(true);
  });
});

describe("embeddings widget value", () => {
  it("names as labels, t-SNE projection, thumbnails, best τ and a scatter PNG", () => {
    const f = cl.tensor([0, 0, 0.1, 0, 5, 5, 5, 5.1, 0, 0.2], [5, 2]);
    const images = cl.rand([5, 4, 4, 1], { seed: 0 });
    const e = inspect.embeddings(f, { labels: ["ann", "ann", "bob", "bob", "ann"], images, triplets: [{ anchor: 0, positive: 1, negative: 2 }], projection: "tsne", tsne: { perplexity: 1, iterations: 50 } });
    const p = e.payload;
    expect(p.identities).toEqual(["ann", "bob"]);
    expect(p.labels).toEqual([0, 0, 1, 1, 0]);
    expect(p.projection?.coords).toHaveLength(10);
    expect(p.thumbnails).toHaveLength(5);
    expect(p.tau).toBeGreaterThan(0.04);
    expect(p.tau).toBeLessThan(50);
    const b = e.toMimeBundle();
    expect(isPng(b.data["image/png"])).toBe(true);
    expect(b.data["text/plain"]).toMatch(/Embeddings: 5 points of dimension 2, 2 identities\n {2}verification at τ = [\d.]+: accuracy 1 over 10 pairs \(AUC 1\)\n {2}triplets: 1, violating the margin α = 0\.2: 0/);
    expect(inspect.parseEmbeddings(JSON.parse(JSON.stringify(b.data[inspect.EMBEDDINGS_MIME]))).ok).toBe(true);
  });

  it("the widget's t-SNE request is answered from the payload's vectors", async () => {
    const e = inspect.embeddings(cl.randn([6, 3], { seed: 1 }), { labels: [0, 0, 1, 1, 2, 2] });
    const handler = cl.runtime.commHandler("inspect.tsne")!;
    const r = (await handler({ vectors: e.payload.vectors.data, count: 6, dim: 3, perplexity: 1.5, iterations: 20, seed: 0 }, { commId: "c", send: () => {} })) as { coords: number[] };
    expect(r.coords).toHaveLength(12);
    expect(() => handler({ vectors: "AAAA", count: 6, dim: 3 }, { commId: "c", send: () => {} })).toThrow(/expected 72 bytes of vectors, got 3/);
  });
});

describe("model summary and training payloads", () => {
  it("lenet5's summary carries the model payload: rows, totals, a chain (each row fed by the previous)", () => {
    const m = cl.models.lenet5();
    const b = m.summary().toMimeBundle();
    const r = inspect.parseModel(JSON.parse(JSON.stringify(b.data[inspect.MODEL_MIME])));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.rows.map((x) => x.params)).toEqual(m.summary().rows.map((x) => x.params));
    expect(r.value.totalParams).toBe(m.summary().totalParams);
    r.value.rows.slice(1).forEach((row, i) => expect(row.inputs).toEqual([r.value.rows[i]!.name]));
    expect(b.data["text/html"]).toMatch(/^<table class="convlab-summary">/);
  });

  it("graph models list each layer's inputs (a residual Add has two)", () => {
    const x = cl.nn.input([4, 4, 2]);
    const y = cl.nn.conv2d({ name: "c", filters: 2, size: 3, padding: "same" }).apply(x);
    const m = cl.nn.model({ inputs: x, outputs: cl.nn.add({ name: "sum" }).apply([y, x]) });
    const p = inspect.modelPayload(m.summary());
    expect(p.type).toBe("Model");
    expect(p.rows.find((q) => q.name === "sum")?.inputs).toEqual(["c", "input"]);
  });

  it("trainingCurves(history) shows a finished fit's epochs", () => {
    const t = inspect.trainingCurves({ epochs: [{ epoch: 0, loss: 1.5, metrics: { accuracy: 0.5 }, batches: 10 }, { epoch: 1, loss: 0.5, metrics: { accuracy: 0.8 }, batches: 10 }] });
    expect(t.payload.status).toBe("done");
    expect(t.payload.step).toBe(20);
    expect(inspect.parseTraining(JSON.parse(JSON.stringify(t.payload))).ok).toBe(true);
    expect(t.toString()).toBe("Training over 2 epoch(s):\n  epoch 1: loss 1.5000 · accuracy 0.5000\n  epoch 2: loss 0.5000 · accuracy 0.8000");
  });

  it("trainingPng draws the loss (blue) from 0 to its largest value and [0,1] metrics (orange) over the epochs", () => {
    const t = inspect.trainingCurves({ epochs: [{ epoch: 0, loss: 2, metrics: { accuracy: 0.5 } }, { epoch: 1, loss: 1, metrics: { accuracy: 1 } }] });
    const b = t.toMimeBundle();
    expect(Object.keys(b.data).sort()).toEqual(["application/vnd.convlab.training+json", "image/png", "text/plain"]);
    const img = readPng(b.data["image/png"]);
    expect([img.width, img.height]).toEqual([360, 200]);
    const at = (x: number, y: number): number[] => Array.from(img.data.subarray(4 * (y * img.width + x), 4 * (y * img.width + x) + 3));
    // Plot area inside the margins: x from 48 to 330 over epochs 0..2, y from 168 (0) to 20 (top). Loss 2 at epoch 1 is the top.
    const { left, right, top, bottom } = inspect.TRAINING_PNG_MARGINS;
    expect([left, right, top, bottom]).toEqual([48, 30, 20, 32]);
    const blue = [0x4e, 0x79, 0xa7], orange = [0xf2, 0x8e, 0x2b];
    expect(at(189, 20)).toEqual(blue); // (epoch 1, loss 2 = max)
    expect(at(330, 94)).toEqual(blue); // (epoch 2, loss 1 = half)
    expect(at(330, 20)).toEqual(orange); // (epoch 2, accuracy 1)
    expect(at(189, 94)).toEqual(orange); // (epoch 1, accuracy 0.5)
    expect(at(100, 150)).toEqual([255, 255, 255]);
    // Text is drawn: a title above the plot, the x axis's name under it, tick labels left of it, and the legend.
    expect(inkIn(img, 48, 0, 60, 18)).toBeGreaterThan(20); // "Training"
    expect(inkIn(img, 150, 185, 80, 15)).toBeGreaterThan(10); // "epoch"
    expect(inkIn(img, 0, 14, 46, 14)).toBeGreaterThan(5); // "2" at the top of the loss axis
    expect(inkIn(img, 200, 0, 160, 18)).toBeGreaterThan(30); // legend: loss, accuracy
    expect(b.metadata!["image/png"]).toEqual({ width: 360, height: 200, alt: "Training over 2 epoch(s)" });
  });

  it("trainingPng names the x axis after what it shows: steps (batches) for a live fit's per-batch losses", () => {
    const base = inspect.trainingCurves({ epochs: [{ epoch: 0, loss: 2, metrics: {} }] }).payload;
    const perEpoch = readPng(inspect.trainingPng(base).base64);
    const perBatch = readPng(inspect.trainingPng({ ...base, steps: [1, 2, 3], losses: [2, 1.5, 1] }).base64);
    // same picture size, different axis name under the plot
    expect(inkIn(perBatch, 48, 183, 282, 16)).toBeGreaterThan(inkIn(perEpoch, 48, 183, 282, 16) + 20);
    expect(() => inspect.trainingPng(base, 100, 200)).toThrow(/trainingPng: width must be .*160/);
  });

  it("the feature-map and activation pictures head each layer with its name; widget PNGs carry alt text", () => {
    const model = tinyCnn();
    const x = cl.randn([1, 6, 6, 1], { seed: 3 });
    const fm = inspect.featureMaps(model, x, { layers: ["CONV1"] }).toMimeBundle();
    const p = fm.data[inspect.FEATUREMAPS_MIME] as inspect.FeatureMapsPayload;
    const a = readPng(fm.data["image/png"]);
    const renamed = readPng(inspect.featureMapsPng({ ...p, layers: p.layers.map((l) => ({ ...l, name: "OTHER_NAME_LONGER" })) }).base64);
    expect(renamed.width).toBeGreaterThan(a.width); // the heading is wider than the maps
    expect(inkIn(a, 0, 0, a.width, 14)).toBeGreaterThan(30);
    expect((fm.metadata!["image/png"] as { alt: string }).alt).toBe(String(fm.data["text/plain"]).split("\n")[0]!.trim().replace(/:$/, ""));
    const act = inspect.activations(model, x).toMimeBundle();
    const ap = act.data[inspect.ACTIVATIONS_MIME] as inspect.ActivationsPayload;
    const one = readPng(inspect.activationsPng(ap).base64);
    const other = readPng(inspect.activationsPng({ ...ap, layers: ap.layers.map((l) => ({ ...l, name: "ZZZZZZZZ" })) }).base64);
    expect([one.width, one.height]).toEqual([other.width, other.height]);
    expect(Buffer.compare(one.data, other.data)).not.toBe(0); // the names are drawn
    expect((act.metadata!["image/png"] as { alt: string }).alt.length).toBeGreaterThan(5);
    const tensor = inspect.toMimeBundle(cl.randn([6, 6], { seed: 1 }))!;
    expect((tensor.metadata!["image/png"] as { alt: string }).alt).toBe("heatmap of a 6×6 map (float32 tensor of shape [6,6])");
  });

  it("Raster.text draws the built-in font: known glyph pixels, clipping, and clear errors", () => {
    const r = new inspect.Raster(30, 13);
    expect(r.text(0, 0, "Il")).toBe(14);
    const ink = (x0: number, w: number): number => {
      let n = 0;
      for (let y = 0; y < 13; y++) for (let x = x0; x < x0 + w; x++) if (r.data[3 * (y * 30 + x)]! < 128) n++;
      return n;
    };
    expect(ink(0, 7)).toBeGreaterThan(8); // "I": a bar
    expect(ink(7, 7)).toBeGreaterThan(8); // "l"
    expect(ink(14, 16)).toBe(0); // nothing beyond the text
    r.text(25, -5, "WW"); // clipped at the edges without throwing
    expect(() => r.text(0, 0, 5 as never)).toThrow("Raster.text: text must be a string, got the number 5");
  });
});

/** Decodes a base64 PNG value. */
function readPng(b64: unknown): pngjs.PNG {
  return pngjs.PNG.sync.read(Buffer.from(b64 as string, "base64"));
}

/** Pixels darker than mid-grey in a rectangle (text and lines). */
function inkIn(img: pngjs.PNG, x0: number, y0: number, w: number, h: number): number {
  let n = 0;
  for (let y = y0; y < Math.min(img.height, y0 + h); y++)
    for (let x = x0; x < Math.min(img.width, x0 + w); x++) {
      const o = 4 * (y * img.width + x);
      if (img.data[o]! + img.data[o + 1]! + img.data[o + 2]! < 3 * 150) n++;
    }
  return n;
}

describe("activationsCallback", () => {
  it("redraws one display (same id) as fit goes: at the start and every n batches, steps increasing", async () => {
    const shown: { id: string | undefined; step: number | undefined; ok: boolean }[] = [];
    const restore = cl.runtime.setRuntime({
      display: (value, opts) => {
        const b = cl.inspect.toMimeBundle(value)!;
        const r = cl.inspect.parseActivations(JSON.parse(JSON.stringify(b.data[cl.inspect.ACTIVATIONS_MIME])));
        shown.push({ id: opts?.id, step: r.ok ? r.value.step : undefined, ok: r.ok && "image/png" in b.data });
      },
    });
    try {
      const model = cl.nn.sequential([cl.nn.conv2d({ filters: 2, size: 3, activation: "relu", name: "c" }), cl.nn.flatten(), cl.nn.dense({ units: 2 })], { inputShape: [6, 6, 1], seed: 0 });
      const x = cl.randn([32, 6, 6, 1], { seed: 1 }), y = cl.tensor(Array.from({ length: 32 }, (_, i) => i % 2));
      const callbacks = cl.inspect.activationsCallback(model, x.slice([0, 0, 0, 0], [4, 6, 6, 1]), { every: 2 });
      await model.fit({ x, y }, { optimizer: cl.train.sgd({ lr: 0.01 }), epochs: 1, batchSize: 8, callbacks });
    } finally {
      restore();
    }
    expect(shown.map((s) => s.step)).toEqual([0, 2, 4]);
    expect(new Set(shown.map((s) => s.id)).size).toBe(1);
    expect(shown[0]!.id).toMatch(/^convlab-activations-/);
    expect(shown.every((s) => s.ok)).toBe(true);
    expect(() => cl.inspect.activationsCallback(cl.models.lenet5(), cl.randn([1, 32, 32, 3]), { every: 0 })).toThrow(/every must be "epoch" or a positive integer, got 0/);
  });
});
