// The classic ImageNet networks: exact parameter counts at 224×224×3 / 1000 classes as torchvision
// builds them (batch-norm = 2 trainable parameters per channel), layer names and shapes, and small
// forward passes. Until lazy (shape-only) weights land, each count allocates the model's weights
// (VGG-19: ≈ 575 MB, several seconds): the models are built one at a time and dropped at once.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { inceptionAux } from "../../../src/models/googlenet.js";

const row = (s: cl.nn.Summary, name: string): cl.nn.SummaryRow => {
  const r = s.rows.find((q) => q.name === name);
  if (!r) throw new Error(`no row '${name}' in ${s.name}`);
  return r;
};

type Check = (s: cl.nn.Summary, m: cl.nn.Model) => void;
const shapes = (s: cl.nn.Summary, names: string[]): string[] => names.map((n) => `${n} ${row(s, n).outputShape.join("x")}`);
/** Blocks per stage, from the layer names conv<stage>_block<b>_… */
const blocksPerStage = (m: cl.nn.Model): number[] =>
  [2, 3, 4, 5].map((st) => new Set(m.layers.map((l) => l.name).filter((n) => n.startsWith(`conv${st}_block`)).map((n) => n.split("_")[1])).size);

const CASES: [string, () => cl.nn.Model, number, Check][] = [
  ["alexnet", () => cl.models.alexnet(), 61_100_840, (s) => {
    expect(s.rows.map((r) => `${r.name} ${r.outputShape.join("x")}`)).toEqual([
      "input 224x224x3", "conv1 55x55x64", "pool1 27x27x64", "conv2 27x27x192", "pool2 13x13x192",
      "conv3 13x13x384", "conv4 13x13x256", "conv5 13x13x256", "pool5 6x6x256",
      "flatten 9216", "fc6_dropout 9216", "fc6 4096", "fc7_dropout 4096", "fc7 4096", "fc8 1000",
    ]);
    expect(row(s, "fc6").params).toBe(9216 * 4096 + 4096);
  }],
  ["vgg16", () => cl.models.vgg16(), 138_357_544, (s) => {
    // Keras applications' names; 3×3 same convs, 2×2/2 pools, channels 64 → 128 → 256 → 512 → 512
    expect(s.rows.filter((r) => r.type === "Conv2D" || r.type === "MaxPool2D").map((r) => `${r.name} ${r.outputShape.join("x")}`)).toEqual([
      "block1_conv1 224x224x64", "block1_conv2 224x224x64", "block1_pool 112x112x64",
      "block2_conv1 112x112x128", "block2_conv2 112x112x128", "block2_pool 56x56x128",
      "block3_conv1 56x56x256", "block3_conv2 56x56x256", "block3_conv3 56x56x256", "block3_pool 28x28x256",
      "block4_conv1 28x28x512", "block4_conv2 28x28x512", "block4_conv3 28x28x512", "block4_pool 14x14x512",
      "block5_conv1 14x14x512", "block5_conv2 14x14x512", "block5_conv3 14x14x512", "block5_pool 7x7x512",
    ]);
    expect(s.rows.slice(-6).map((r) => `${r.name} ${r.outputShape.join("x")}`)).toEqual(["flatten 25088", "fc1 4096", "fc1_dropout 4096", "fc2 4096", "fc2_dropout 4096", "predictions 1000"]);
    expect(s.totalMults).toBe(15_470_264_320);
  }],
  ["vgg19", () => cl.models.vgg19(), 143_667_240, (s) => {
    expect(s.rows.filter((r) => r.type === "Conv2D").length).toBe(16);
    expect(row(s, "block5_conv4").outputShape).toEqual([14, 14, 512]);
  }],
  ["resnet18", () => cl.models.resnet18(), 11_689_512, (s, m) => {
    expect(blocksPerStage(m)).toEqual([2, 2, 2, 2]);
    expect(row(s, "conv2_block2_out").outputShape).toEqual([56, 56, 64]);
    expect(s.rows.some((r) => r.name === "conv2_block1_0_conv")).toBe(false); // 64 → 64 at stride 1: identity
  }],
  ["resnet34", () => cl.models.resnet34(), 21_797_672, (_s, m) => expect(blocksPerStage(m)).toEqual([3, 4, 6, 3])],
  ["resnet50", () => cl.models.resnet50(), 25_557_032, (s, m) => {
    // stages conv2–conv5 with Keras's block names, 56 → 28 → 14 → 7
    expect(blocksPerStage(m)).toEqual([3, 4, 6, 3]);
    expect(shapes(s, ["conv1_relu", "pool1_pool", "conv2_block1_0_conv", "conv2_block3_out", "conv3_block1_1_conv", "conv3_block1_2_conv", "conv3_block4_out", "conv4_block6_out", "conv5_block3_out", "avg_pool", "predictions"])).toEqual([
      "conv1_relu 112x112x64", "pool1_pool 56x56x64", "conv2_block1_0_conv 56x56x256", "conv2_block3_out 56x56x256",
      "conv3_block1_1_conv 56x56x128", "conv3_block1_2_conv 28x28x128", // v1.5: the stride is on the 3×3
      "conv3_block4_out 28x28x512", "conv4_block6_out 14x14x1024", "conv5_block3_out 7x7x2048", "avg_pool 2048", "predictions 1000",
    ]);
    expect(s.rows.filter((r) => r.name.endsWith("_0_conv")).map((r) => r.name)).toEqual(["conv2_block1_0_conv", "conv3_block1_0_conv", "conv4_block1_0_conv", "conv5_block1_0_conv"]);
    expect(s.totalMults).toBe(4_089_184_256);
  }],
  ["googlenet without side branches", () => cl.models.googlenet({ auxClassifiers: false }), 6_624_904, (s) => {
    // stem, nine inception modules, avg_pool → dropout → predictions; 112 → 56 → 28 → 14 → 7
    expect(shapes(s, ["conv1_relu", "pool1", "conv3_relu", "pool2", "inception3a_concat", "inception3b_concat", "pool3", "inception4e_concat", "pool4", "inception5b_concat"])).toEqual([
      "conv1_relu 112x112x64", "pool1 56x56x64", "conv3_relu 56x56x192", "pool2 28x28x192", "inception3a_concat 28x28x256",
      "inception3b_concat 28x28x480", "pool3 14x14x480", "inception4e_concat 14x14x832", "pool4 7x7x832", "inception5b_concat 7x7x1024",
    ]);
    expect(s.rows.slice(-3).map((r) => r.name)).toEqual(["avg_pool", "dropout", "predictions"]);
    expect(s.rows.filter((r) => r.type === "Concat").length).toBe(9);
  }],
];

describe("summary().totalParams at 224×224×3 / 1000 classes, as torchvision; layer names and shapes", () => {
  for (const [name, build, total, check] of CASES)
    it(`${name}: ${total.toLocaleString("en-US")}`, () => {
      const m = build();
      const s = m.summary();
      expect(s.totalParams).toBe(total);
      expect(s.rows[0]!.outputShape).toEqual([224, 224, 3]);
      check(s, m);
    });

  it("googlenet with its two side branches (the default, after inception4a and 4d): 13,004,888; three outputs { predictions, aux1, aux2 }", () => {
    const m = cl.models.googlenet();
    const s = m.summary();
    expect(s.totalParams).toBe(13_004_888);
    expect(m.outputNames).toEqual(["predictions", "aux1", "aux2"]);
    expect(row(s, "inception4a_concat").outputShape).toEqual([14, 14, 512]);
    expect(row(s, "inception4d_concat").outputShape).toEqual([14, 14, 528]);
    expect(s.rows.filter((r) => r.name.startsWith("aux1_")).map((r) => [r.name, r.outputShape.join("x")])).toEqual([
      ["aux1_pool", "4x4x512"], ["aux1_proj_conv", "4x4x128"], ["aux1_proj_bn", "4x4x128"], ["aux1_proj_relu", "4x4x128"],
      ["aux1_fc1", "1024"], ["aux1_dropout", "1024"], ["aux1_predictions", "1000"],
    ]);
    // the heads alone, on inputs of those shapes: the difference of the two totals
    const head = (shape: number[], name: string): cl.nn.Summary => {
      const x = cl.nn.input(shape);
      return cl.nn.model({ inputs: x, outputs: inceptionAux(x, { name, classes: 1000 }) }).summary();
    };
    const aux1 = head([14, 14, 512], "aux1"), aux2 = head([14, 14, 528], "aux2");
    expect(cl.models.googlenet({ auxClassifiers: false }).summary().totalParams + aux1.totalParams + aux2.totalParams).toBe(13_004_888);
    expect(row(s, "aux2_fc1").params).toBe(row(aux2, "aux2_fc1").params);
  });

  it("googlenet's three outputs train together: trainStep with the paper's 0.3-weighted side losses", () => {
    const g = cl.models.googlenet({ inputShape: [72, 72, 3], classes: 4, seed: 0 });
    const x = cl.randn([2, 72, 72, 3], { seed: 1 });
    const y = cl.tensor([1, 3]);
    const out = g.predict(x);
    expect([out.predictions.shape, out.aux1.shape, out.aux2.shape]).toEqual([[2, 4], [2, 4], [2, 4]]);
    const r = cl.train.trainStep(g, { x, y: { predictions: y, aux1: y, aux2: y } }, {
      optimizer: cl.train.sgd({ lr: 0.01 }),
      loss: { predictions: "softmaxCrossEntropy", aux1: { loss: "softmaxCrossEntropy", weight: 0.3 }, aux2: { loss: "softmaxCrossEntropy", weight: 0.3 } },
    });
    const { predictions, aux1, aux2 } = r.losses;
    expect(Math.abs(r.loss - (predictions! + 0.3 * aux1! + 0.3 * aux2!))).toBeLessThanOrEqual(1e-5 + 1e-5 * r.loss);
    // the side branches' weights got gradients and moved
    expect(Array.from(r.outputs.aux1.data).every(Number.isFinite)).toBe(true);
  });

  it("googlenet with the paper's 5×5 kernels: 7,005,832 (6,624,904 + (25 − 9)·reduce5x5·filters5x5 per module)", () => {
    const extra = cl.models.GOOGLENET_MODULES.reduce((a, [, , , , r5, f5]) => a + 16 * r5 * f5, 0);
    expect(6_624_904 + extra).toBe(7_005_832);
    expect(cl.models.googlenet({ size5x5: 5, auxClassifiers: false }).summary().totalParams).toBe(7_005_832);
  });

  it("includeTop: false ends at the last features: resnet18 at 32×32 → conv5_block2_out 1×1×512, 11,176,512; vgg16 convs 14,714,688 (Keras's VGG16 without top)", () => {
    const r = cl.models.resnet18({ includeTop: false, inputShape: [32, 32, 3] }).summary();
    expect(r.rows.at(-1)!.name).toBe("conv5_block2_out");
    expect(r.rows.at(-1)!.outputShape).toEqual([1, 1, 512]);
    expect(r.totalParams).toBe(11_689_512 - (512 * 1000 + 1000));
    const v = cl.models.vgg16({ includeTop: false, inputShape: [32, 32, 3] }).summary();
    expect(v.rows.at(-1)!.name).toBe("block5_pool");
    expect(v.totalParams).toBe(14_714_688);
  });
});

describe("forward passes at small sizes and options", () => {
  it("googlenet on [1,64,64,3] and resnet50 on [1,32,32,3] give [1,classes] finite logits", () => {
    const g = cl.models.googlenet({ inputShape: [64, 64, 3], classes: 5, seed: 0, auxClassifiers: false });
    expect(g.predict(cl.randn([1, 64, 64, 3], { seed: 2 })).shape).toEqual([1, 5]);
    const r = cl.models.resnet50({ inputShape: [32, 32, 3], classes: 7, seed: 0 }).predict(cl.randn([1, 32, 32, 3], { seed: 2 }));
    expect(r.shape).toEqual([1, 7]);
    expect(Array.from(r.data).every(Number.isFinite)).toBe(true);
  });

  it("bad options give errors naming the network", () => {
    expect(() => cl.models.resnet50({ classes: 0 })).toThrow(/resnet50: classes must be a positive integer, got 0/);
    expect(() => cl.models.vgg16({ inputShape: [224, 224] })).toThrow(/vgg16: inputShape must be \[nH, nW, nC\] of positive integers \(no batch axis\), got \[224,224\]/);
    expect(() => cl.models.resnet({ depth: 20 as 18 })).toThrow(/resnet: depth must be one of 18, 34, 50, 101, 152 or \{ kind/);
    expect(() => cl.models.googlenet({ inputShape: [64, 64, 3] })).toThrow(/googlenet: the side branches \(auxClassifiers: true\) pool 5×5\/3 over inception4a's output, which is 4×4 for inputShape \[64,64,3\]/);
    expect(cl.models.googlenet({ inputShape: [64, 64, 3], includeTop: false }).outputNames).toEqual(["inception5b_concat"]);
    expect(() => cl.models.googlenet({ auxClassifiers: 1 as unknown as boolean })).toThrow(/googlenet: auxClassifiers must be true or false, got the number 1/);
    expect(() => cl.models.googlenet({ size5x5: 7 as 5 })).toThrow(/googlenet: size5x5 must be 3 \(torchvision\) or 5 \(the paper\), got 7/);
    // too small for AlexNet's three 3×3/2 pools: the layer that cannot fit says so
    expect(() => cl.models.alexnet({ inputShape: [32, 32, 3] })).toThrow(/maxPool2d layer 'pool5'/);
  });
});
