import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

const { inspect, runtime } = cl;

/** A valid payload of each kind, small. */
export function samplePayloads(): Record<string, Record<string, unknown>> {
  const maps = inspect.packArray([0, 1, 2, 3, 4, 5, 6, 7], { dtype: "float32" });
  return {
    featuremaps: { version: 1, model: "m", example: 0, layers: [{ name: "conv", type: "Conv2D", shape: [2, 2, 2], maps, min: [0, 4], max: [3, 7] }] },
    activations: {
      version: 1, model: "m", step: 3,
      layers: [{ name: "conv", type: "Conv2D", shape: [2, 2, 2], count: 8, mean: 3.5, std: 2.29, fractionZero: 0.125, min: 0, max: 7, histogram: { edges: [0, 3.5, 7], counts: [4, 4] } }],
    },
    detections: {
      version: 1, width: 100, height: 100, classes: ["car", "person"],
      groundTruth: [{ box: { x1: 10, y1: 10, x2: 50, y2: 50 }, classId: 0 }],
      predictions: [{ box: { x1: 12, y1: 10, x2: 50, y2: 52 }, score: 0.9, classId: 0 }],
      nms: { scoreThreshold: 0.6, iouThreshold: 0.5, perClass: true },
      grid: { rows: 3, cols: 3 }, anchors: [{ width: 20, height: 40 }],
    },
    embeddings: {
      version: 1, count: 2, dim: 3, vectors: inspect.packArray([1, 0, 0, 0, 1, 0]), labels: [0, 1], identities: ["a", "b"],
      alpha: 0.2, tau: 1, triplets: [{ anchor: 0, positive: 0, negative: 1 }],
    },
    model: {
      version: 1, name: "net", type: "Sequential", totalParams: 10, trainableParams: 10, totalMults: 8,
      rows: [
        { name: "input", type: "Input", config: "", outputShape: [4], activationSize: 4, params: 0, mults: 0 },
        { name: "dense_1", type: "Dense", config: "2 units", outputShape: [2], activationSize: 2, params: 10, mults: 8, inputs: ["input"] },
      ],
    },
  };
}

describe("payload validators", () => {
  const s = samplePayloads();

  it("accept a valid payload of each kind", () => {
    expect(inspect.parseFeatureMaps(s.featuremaps)).toMatchObject({ ok: true });
    expect(inspect.parseActivations(s.activations)).toMatchObject({ ok: true });
    expect(inspect.parseDetections(s.detections)).toMatchObject({ ok: true });
    expect(inspect.parseEmbeddings(s.embeddings)).toMatchObject({ ok: true });
    expect(inspect.parseModel(s.model)).toMatchObject({ ok: true });
    expect(inspect.parsePayload(inspect.DETECTIONS_MIME, s.detections)).toMatchObject({ ok: true });
  });

  it("validate the training payload the kernel builds from fit's events", () => {
    const p = new runtime.TrainingProgress();
    const base = { epoch: 0, epochs: 2, batch: 0, batches: 2, step: 0, loss: NaN, metrics: {}, history: [], elapsedMs: 0 };
    p.update({ ...base, kind: "start" });
    p.update({ ...base, kind: "batch", step: 1, loss: 2.5, metrics: { accuracy: 0.5 } });
    // Through JSON, as the notebook stores it (NaN becomes null).
    const json = JSON.parse(JSON.stringify({ ...p.payload(), loss: NaN }));
    const r = inspect.parseTraining(json);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.steps).toEqual([1]);
      expect(r.value.losses).toEqual([2.5]);
      expect(Number.isNaN(r.value.loss)).toBe(true);
    }
  });

  it("name the path and the expected value of a bad field", () => {
    const bad = (v: unknown) => {
      const r = inspect.parseDetections(v);
      return r.ok ? "" : r.error;
    };
    expect(bad(null)).toMatch(/^detections: payload: expected an object, got null/);
    expect(bad({ ...s.detections, version: 2 })).toMatch(/payload\.version: this widget reads version 1 payloads, got 2/);
    expect(bad({ ...s.detections, predictions: [{ box: { x1: 0, y1: 0, x2: 1 }, score: 1, classId: 0 }] })).toMatch(/payload\.predictions\[0\]\.box\.y2: expected a finite number, got undefined/);
    expect(bad({ ...s.detections, groundTruth: [{ box: { x1: 0, y1: 0, x2: 1, y2: 1 }, classId: 2 }] })).toMatch(/classId: class 2 is not among the 2 classes/);
    expect(bad({ ...s.detections, nms: { scoreThreshold: 1.5, iouThreshold: 0.5, perClass: true } })).toMatch(/scoreThreshold: expected a threshold in \[0, 1\], got 1\.5/);
  });

  it("check packed array sizes against the shapes", () => {
    const fm = s.featuremaps as { layers: Record<string, unknown>[] };
    const short = { ...fm, layers: [{ ...fm.layers[0], shape: [2, 2, 3], min: [0, 0, 0], max: [1, 1, 1] }] };
    const r = inspect.parseFeatureMaps(short);
    expect(r.ok ? "" : r.error).toMatch(/payload\.layers\[0\]\.maps\.data: expected 48 bytes \(12 float32 values\), got 32/);
    const html = { ...fm, layers: [{ ...fm.layers[0], maps: { dtype: "float32", data: "<img src=x onerror=alert(1)>" } }] };
    const r2 = inspect.parseFeatureMaps(html);
    expect(r2.ok ? "" : r2.error).toMatch(/maps\.data: expected base64 text/);
  });

  it("reject triplet and label indices out of range, and model inputs that are not earlier rows", () => {
    const e = s.embeddings;
    const r = inspect.parseEmbeddings({ ...e, triplets: [{ anchor: 0, positive: 1, negative: 2 }] });
    expect(r.ok ? "" : r.error).toMatch(/triplets\[0\]\.negative: point 2 is out of range \(2\)/);
    const m = s.model as { rows: Record<string, unknown>[] };
    const r2 = inspect.parseModel({ ...m, rows: [m.rows[0], { ...m.rows[1], inputs: ["later"] }] });
    expect(r2.ok ? "" : r2.error).toMatch(/rows\[1\]\.inputs\[0\]: 'later' is not an earlier row/);
  });

  it("never throw, whatever the input", () => {
    const odd: unknown[] = [undefined, 0, "x", [], { version: 1 }, { version: 1, layers: "no" }, { get version(): number { throw new Error("boom"); } }];
    for (const v of odd)
      for (const mime of inspect.CONVLAB_MIME_TYPES) {
        const r = inspect.parsePayload(mime, v);
        expect(r.ok).toBe(false);
      }
  });
});

describe("packed arrays", () => {
  it("float32 round-trips exactly through base64", () => {
    const v = [0, -1.5, 3.25, 1e-7, -65504, Math.fround(Math.PI)];
    const p = inspect.packArray(v);
    expect(Array.from(inspect.unpackArray(p, v.length))).toEqual(v.map(Math.fround));
    expect(inspect.fromBase64(inspect.toBase64(new Uint8Array([1, 2, 3, 250, 251])))).toEqual(new Uint8Array([1, 2, 3, 250, 251]));
  });

  it("uint8 keeps each slice's extremes and is within (hi − lo)/510 elsewhere", () => {
    const v = [0, 0.3, 1, /* slice 2 */ -10, 5, 10];
    const p = inspect.packArray(v, { dtype: "uint8", sliceSize: 3 });
    expect(p.lo).toEqual([0, -10]);
    expect(p.hi).toEqual([1, 10]);
    const back = inspect.unpackArray(p, 6, 3);
    v.forEach((x, i) => expect(Math.abs(back[i]! - x)).toBeLessThanOrEqual((i < 3 ? 1 : 20) / 510 + 1e-6));
    expect(back[0]).toBe(0);
    expect(back[5]).toBe(10);
  });

  it("fromBase64 refuses characters outside the alphabet", () => {
    expect(() => inspect.fromBase64("ab$d")).toThrow(/invalid character at 2/);
  });
});
