// cl.models.pretrained without the tfjs reference: summaries, weight mappings (strict loading,
// wrong shapes named), lazy building without weights, features/freeze, and clear errors for bad
// input to the nets' own methods.
import { describe, it, expect } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";

const DIR = cl.models.pretrained.faceApiModelDir();
const MANIFEST = join(DIR, "face_landmark_68_tiny_model-weights_manifest.json");

describe("models.pretrained: weights, summaries, errors", () => {
  it("summaries count face-api's parameters (the manifests' sizes)", async () => {
    const counts: [keyof typeof cl.models.pretrained, number][] = [
      ["tinyFaceDetector", 193_321], ["faceLandmark68", 356_840], ["faceLandmark68Tiny", 77_224], ["faceRecognition", 5_614_592],
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
    mb.freeze("conv11_pw_relu");
    const trainable = mb.trainableParameters().reduce((a, p) => a + p.size, 0);
    expect(trainable).toBeGreaterThan(0);
    expect(trainable).toBeLessThan(mb.summary().totalParams);
  });
});
