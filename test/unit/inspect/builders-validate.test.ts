// Issue 11 item 4: builders check what they build with the validator the widget runs before
// drawing, so a payload that reaches a notebook always draws; bad options are named errors; the
// validator lookup by MIME type is safe for any string.
import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

const { inspect, ValueError, ArgumentTypeError } = cl;

const pred = (score: number) => ({ box: { x1: 1, y1: 1, x2: 4, y2: 4 }, score, classId: 0 });

describe("parsePayload: the validator lookup is safe for any MIME name", () => {
  it.each(["__proto__", "toString", "constructor", "hasOwnProperty", "valueOf", "", "application/vnd.convlab.nope+json"])("%j → { ok: false, error }", (mime) => {
    const r = inspect.parsePayload(mime as never, { version: 1 });
    expect(r).toEqual({ ok: false, error: `convlab: unknown MIME type ${JSON.stringify(mime)}` });
  });
  it("non-strings too", () => {
    for (const m of [null, undefined, 42, {}, Symbol("s")]) expect(inspect.parsePayload(m as never, {}).ok).toBe(false);
    expect(inspect.isConvlabMime("toString")).toBe(false);
    expect(inspect.isConvlabMime(inspect.MODEL_MIME)).toBe(true);
  });
});

describe("detections", () => {
  it("NMS thresholds outside [0, 1] are refused, naming the option", () => {
    expect(() => inspect.detections({ predictions: [pred(0.9)], nms: { scoreThreshold: 2 } })).toThrow(/^detections: opts\.nms\.scoreThreshold must be in \[0, 1\], got 2$/);
    expect(() => inspect.detections({ predictions: [pred(0.9)], nms: { iouThreshold: -0.1 } })).toThrow(/opts\.nms\.iouThreshold must be in \[0, 1\], got -0\.1/);
    expect(() => inspect.detections({ predictions: [pred(0.9)], nms: { iouThreshold: NaN } })).toThrow(ValueError);
  });
  it("infinite anchors, scores and frames are refused", () => {
    expect(() => inspect.detections({ predictions: [], anchors: [{ width: Infinity, height: 1 }] })).toThrow(/anchor 0 must have a finite positive width and height/);
    expect(() => inspect.detections({ predictions: [pred(Infinity)] })).toThrow(/^detections: prediction 0\.score must be a finite number, got Infinity$/);
    expect(() => inspect.detections({ predictions: [], width: Infinity, height: 1 })).toThrow(/opts\.width must be a finite number/);
    expect(() => inspect.detections({ predictions: [{ box: { x1: 0, y1: 0, x2: NaN, y2: 1 }, score: 1, classId: 0 }] })).toThrow(/prediction 0\.box\.x2 must be a finite number/);
  });
  it("valid options give a payload the widget's validator accepts", () => {
    const d = inspect.detections({ predictions: [pred(0.9)], nms: { scoreThreshold: 0, iouThreshold: 1 }, anchors: [{ width: 2, height: 3 }] });
    expect(inspect.parseDetections(d.payload).ok).toBe(true);
  });
});

describe("embeddings", () => {
  const f = cl.tensor([[0, 0], [0, 1], [5, 5], [5, 6]]);
  it("NaN or infinite α and τ are refused", () => {
    expect(() => inspect.embeddings(f, { labels: [0, 0, 1, 1], alpha: NaN })).toThrow(/^embeddings: opts\.alpha must be a finite number, got NaN$/);
    expect(() => inspect.embeddings(f, { labels: [0, 0, 1, 1], tau: Infinity })).toThrow(/^embeddings: opts\.tau must be a finite number, got Infinity$/);
    expect(() => inspect.embeddings(f, { labels: [0, 0, 1, 1], tau: "1" as never })).toThrow(ArgumentTypeError);
  });
  it("non-finite encodings are refused (they cannot be drawn)", () => {
    expect(() => inspect.embeddings(cl.tensor([[0, NaN], [1, 1]]), { labels: [0, 1] })).toThrow(/encodings must be finite, value 1 is NaN/);
  });
});

describe("the builders' last check is the widget's own validator", () => {
  const row = { name: "input", type: "Input", config: "", outputShape: [2], activationSize: 2, params: 0, mults: 0 };
  it("a summary the model widget would refuse is a named error, not an error box", () => {
    const s = { name: "m", type: "Sequential", rows: [{ ...row, params: -1 }], totalParams: 0, trainableParams: 0 };
    expect(() => inspect.modelPayload(s)).toThrow(/^modelPayload: the application\/vnd\.convlab\.model\+json payload would not draw: model: payload\.rows\[0\]\.params: expected an integer ≥ 0, got -1$/);
    expect(inspect.parseModel(inspect.modelPayload({ ...s, rows: [row] })).ok).toBe(true);
  });
  it("a fit history with a NaN loss (a diverged run) still draws: non-finite values travel as null", () => {
    const c = inspect.trainingCurves({ epochs: [{ epoch: 0, loss: NaN, metrics: { accuracy: 0.5 } }] });
    expect(inspect.parseTraining(JSON.parse(JSON.stringify(c.payload))).ok).toBe(true);
    expect(() => inspect.trainingCurves({ epochs: [{ epoch: -1, loss: 1, metrics: {} }] })).toThrow(/history\.epochs\[0\]\.epoch must be an integer ≥ 0, got -1/);
  });
  it("widget classes and PNG fallbacks refuse payloads their widget would refuse", () => {
    expect(() => new inspect.FeatureMaps({ version: 1 } as never)).toThrow(/^FeatureMaps: payload is not a valid payload: feature maps: payload\.model: expected a string, got undefined$/);
    expect(() => inspect.featureMapsPng(null as never)).toThrow(ArgumentTypeError);
    expect(() => inspect.trainingPng({ version: 2 } as never)).toThrow(/payload\.version: this widget reads version 1 payloads, got 2/);
    expect(() => inspect.detectionsPng({ version: 1, width: 1 } as never)).toThrow(ValueError);
  });
});
