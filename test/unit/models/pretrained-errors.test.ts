// cl.models.pretrained without the tfjs reference: summaries, weight mappings (strict loading,
// wrong shapes named), lazy building without weights, features/freeze, and clear errors for bad
// input to the nets' own methods.
import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { ChannelAffine, ChannelPad, relu6, leaky } from "../../../src/models/pretrained/layers.js";
import { checkModelGrads, expectClose } from "../helpers.js";

const DIR = cl.models.pretrained.faceApiModelDir();
const MANIFEST = join(DIR, "face_landmark_68_tiny_model-weights_manifest.json");

describe("models.pretrained: weights, summaries, errors", () => {
  it("summaries count face-api's parameters (the manifests' sizes)", async () => {
    const counts: [keyof typeof cl.models.pretrained, number][] = [
      ["tinyFaceDetector", 193_321], ["faceLandmark68", 356_840], ["faceLandmark68Tiny", 77_224], ["faceRecognition", 5_614_592], ["ssdMobilenetV1", 5_525_127],
    ];
    for (const [name, n] of counts) {
      const net = await (cl.models.pretrained[name] as () => Promise<cl.nn.Model>)();
      expect(net.summary().totalParams, name).toBe(n);
    }
    // the SSD manifest also holds the box predictors and the anchors: the backbone is 3,200,992 of them
    const mb = await cl.models.pretrained.mobilenetV1({ inputSize: 64 });
    expect(mb.summary().totalParams).toBe(3_200_992);
    expect(mb.loadReport!.ignored.length).toBeGreaterThan(50);
    expect(mb.loadReport!.unused).toEqual([]);
  });

  it("loads a weights record (from readTfjsWeights) strictly: a wrong shape or a missing tensor is named", async () => {
    const w = cl.io.readTfjsWeights(MANIFEST);
    const net = await cl.models.pretrained.faceLandmark68Tiny({ weights: w });
    expect(net.loadReport!.loaded).toHaveLength(28);
    const bad = { ...w, "fc/bias": cl.zeros([135]) };
    await expect(cl.models.pretrained.faceLandmark68Tiny({ weights: bad })).rejects.toThrow(/'fc\/bias' → 'fc\/bias'.*\[136\].*\[135\]/);
    const { ["dense2/conv2/bias"]: _, ...missing } = w;
    await expect(cl.models.pretrained.faceLandmark68Tiny({ weights: missing })).rejects.toThrow(/missing: dense2_conv2_pointwise\/bias/);
    await expect(cl.models.pretrained.faceLandmark68Tiny({ weights: { ...w, extra: cl.zeros([1]) } })).rejects.toThrow(/unused: extra/);
  });

  it("a folder without the manifest, or with a truncated .bin, is an error naming the file", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "convlab-pretrained-"));
    try {
      await expect(cl.models.pretrained.faceLandmark68Tiny({ modelDir: tmp })).rejects.toThrow(/no weights manifest .*face_landmark_68_tiny_model-weights_manifest\.json/);
      copyFileSync(MANIFEST, join(tmp, "face_landmark_68_tiny_model-weights_manifest.json"));
      const bin = readFileSync(join(DIR, "face_landmark_68_tiny_model.bin"));
      writeFileSync(join(tmp, "face_landmark_68_tiny_model.bin"), bin.subarray(0, bin.length - 100));
      await expect(cl.models.pretrained.faceLandmark68Tiny({ modelDir: tmp })).rejects.toThrow(/tensor 'fc\/bias' .*runs past the end .*100 bytes missing.*face_landmark_68_tiny_model\.bin truncated/);
    } finally {
      rmSync(tmp, { recursive: true });
    }
  });

  it("the nets' methods refuse bad input with named errors", async () => {
    const det = await cl.models.pretrained.tinyFaceDetector({ inputSize: 64 });
    expect(() => det.preprocess(cl.zeros([10, 10]))).toThrow(/tinyFaceDetector: preprocess: image must be an RGB image \[h,w,3\].*got \[10,10\]/);
    expect(() => det.detect(cl.zeros([8, 8, 3]), { iouThreshold: 2 })).toThrow(/opts\.iouThreshold/);
    expect(() => det.decode(cl.zeros([1, 2, 2, 24]), det.fitOf(cl.zeros([8, 8, 3])))).toThrow(/output must be \[1,S,S,25\]/);
    await expect(cl.models.pretrained.tinyFaceDetector({ inputSize: 100 })).rejects.toThrow(/multiple of 32, got 100/);
    const enc = await cl.models.pretrained.faceRecognition();
    expect(() => enc.distance(cl.zeros([128]), cl.zeros([64]))).toThrow(/same size/);
    expect(() => enc.descriptor("x" as unknown as cl.Tensor)).toThrow(cl.ConvlabError);
    const lm = await cl.models.pretrained.faceLandmark68Tiny();
    expect(() => lm.decode(cl.zeros([1, 10]), lm.fitOf(cl.zeros([4, 4, 3])))).toThrow(/output must be \[1,136\]/);
  });

  it("works with features and freeze (MobileNet stages for transfer learning and style)", async () => {
    const mb = await cl.models.pretrained.mobilenetV1({ inputSize: 64 });
    const x = mb.preprocess(cl.rand([64, 64, 3], { seed: 1 }));
    expect(x.shape).toEqual([1, 64, 64, 3]);
    const f = mb.features(x, ["conv5_pw_relu", "conv13_pw_relu"]);
    expect(f["conv5_pw_relu"]!.shape).toEqual([1, 8, 8, 256]);
    expect(f["conv13_pw_relu"]!.shape).toEqual([1, 2, 2, 1024]);
    for (const v of f["conv13_pw_relu"]!.data) expect(v >= 0 && v <= 6).toBe(true);
    // the batch-norms keep the trained statistics in training mode too
    const yTrain = mb.forward(x, { training: true }) as cl.Tensor;
    const yEval = mb.forward(x, { training: false }) as cl.Tensor;
    expect(Array.from(yTrain.data)).toEqual(Array.from(yEval.data));
    // predict (no autograd) folds each batch-norm into its convolution: the same values within
    // float32 rounding accumulated over 27 layers (outputs up to 6)
    expectClose(mb.predict(x) as cl.Tensor, yEval, { atol: 1e-4, rtol: 1e-4 });
    mb.freeze("conv11_pw_relu");
    const trainable = mb.trainableParameters().reduce((a, p) => a + p.size, 0);
    expect(trainable).toBeGreaterThan(0);
    expect(trainable).toBeLessThan(mb.summary().totalParams);
  });

  it("the extra layers: ChannelAffine (x·scale + bias), ChannelPad, relu6, leaky 0.1 — values and float64 gradients", () => {
    const x = cl.nn.input([3, 3, 2]);
    let h = new ChannelAffine({ name: "aff" }).apply(x);
    h = cl.nn.activation(relu6, { name: "r6" }).apply(h);
    h = new ChannelPad({ channels: 4, name: "pad" }).apply(h);
    h = cl.nn.conv2d({ filters: 2, size: 2, activation: leaky, name: "conv" }).apply(h);
    const m = cl.nn.model({ inputs: x, outputs: h, seed: 3 });
    m.getLayer("aff").assignWeight("scale", cl.tensor([2, -3]));
    m.getLayer("aff").assignWeight("bias", cl.tensor([0.5, 1]));
    const xv = cl.randn([2, 3, 3, 2], { seed: 4 });
    const aff = m.features(xv, ["aff"])["aff"]!;
    expectClose(aff, Array.from(xv.data, (v, i) => (i % 2 === 0 ? 2 * v + 0.5 : -3 * v + 1)), { atol: 1e-6, rtol: 1e-6 });
    const padded = m.features(xv, ["pad"])["pad"]!;
    expect(padded.shape).toEqual([2, 3, 3, 4]);
    for (let i = 0; i < padded.size; i++) if (i % 4 >= 2) expect(padded.data[i]).toBe(0);
    for (const v of m.features(xv, ["r6"])["r6"]!.data) expect(v >= 0 && v <= 6).toBe(true);
    expect(() => new ChannelPad({ channels: 1 }).apply(cl.nn.input([2, 2, 3]))).toThrow(/3 channels, more than the 1/);
    // x scaled into relu6's linear range so finite differences do not straddle its kinks
    expect(checkModelGrads(m, cl.rand([2, 3, 3, 2], { seed: 5, low: 0.05, high: 0.9, dtype: "float64" }), (y) => y.square().sum()).worst).toBeLessThan(1e-5);
  });

  it("MobileNet features are differentiable with respect to the image (style transfer), matching finite differences", async () => {
    const mb = await cl.models.pretrained.mobilenetV1({ inputSize: 32 });
    mb.setDtype("float64");
    const x = cl.rand([1, 32, 32, 3], { seed: 7, low: -0.9, high: 0.9, dtype: "float64" });
    x.requiresGrad = true;
    const cost = (t: cl.Tensor): cl.Tensor => mb.features(t, ["conv3_pw_relu"], { grad: true })["conv3_pw_relu"]!.square().mean();
    cost(x).backward();
    expect(x.grad).toBeTruthy();
    let nonzero = 0;
    for (const i of [0, 100, 1000, 2000, 3071]) {
      const orig = x.data[i]!;
      x.data[i] = orig + 1e-6;
      const fp = cl.noGrad(() => cost(x).item());
      x.data[i] = orig - 1e-6;
      const fm = cl.noGrad(() => cost(x).item());
      x.data[i] = orig;
      const numeric = (fp - fm) / 2e-6;
      expect(Math.abs(x.grad!.data[i]! - numeric)).toBeLessThanOrEqual(1e-6 + 1e-3 * Math.abs(numeric));
      if (numeric !== 0) nonzero++;
    }
    expect(nonzero).toBeGreaterThan(0);
  });
});
