import { describe, it, expect } from "vitest";
import { existsSync } from "node:fs";
import * as cl from "../../../src/index.js";

const weighted = (m: cl.nn.Model): number => m.layers.filter((l) => l.type === "Conv2D" || l.type === "Dense").length;

describe("cl.models.cifarResnet: plain and residual nets of depth 6n + 2 (He et al. §4.2)", () => {
  it("depth 20: 19 convs + 1 dense; the residual net has 9 additions and 2 projections, the plain one none; same widths and output shapes", () => {
    const plain = cl.models.cifarResnet({ depth: 20, residual: false });
    const res = cl.models.cifarResnet({ depth: 20 });
    expect(plain.name).toBe("plain20");
    expect(res.name).toBe("resnet20");
    // the projections (1×1 convs) are not counted among the 20 weighted layers
    expect(weighted(plain)).toBe(20);
    expect(weighted(res) - res.layers.filter((l) => l.name.endsWith("_0_conv")).length).toBe(20);
    expect(res.layers.filter((l) => l.type === "Add").length).toBe(9);
    expect(plain.layers.filter((l) => l.type === "Add").length).toBe(0);
    expect(res.layers.filter((l) => l.name.endsWith("_0_conv")).map((l) => l.name)).toEqual(["stage2_block1_0_conv", "stage3_block1_0_conv"]);
    const shape = (m: cl.nn.Model, n: string): number[] => m.summary().rows.find((r) => r.name === n)!.outputShape;
    for (const m of [plain, res]) {
      expect(shape(m, "stage1_block3_out")).toEqual([28, 28, 16]);
      expect(shape(m, "stage2_block1_out")).toEqual([14, 14, 32]);
      expect(shape(m, "stage3_block3_out")).toEqual([7, 7, 64]);
      expect(shape(m, "predictions")).toEqual([10]);
    }
    // the shortcuts' only parameters: two 1×1 projections with batch-norm
    expect(res.countParams() - plain.countParams()).toBe(16 * 32 + 2 * 32 + 32 * 64 + 2 * 64);
    expect(cl.models.cifarResnet({ depth: 8, inputShape: undefined, classes: undefined }).summary().rows[0]!.outputShape).toEqual([28, 28, 1]);
    expect(() => cl.models.cifarResnet({ depth: 21 })).toThrow(/cifarResnet: depth must be 6n \+ 2 with n ≥ 1/);
  });
});

describe("cl.train.residualVsPlain: the depth experiment", () => {
  const present = existsSync(cl.io.FASHION_MNIST_DIR);
  it("trains plain and residual nets per depth with one seed; the same seed repeats the numbers exactly", async () => {
    // Fashion-MNIST when installed (the setup installs it), else a synthetic stand-in of the same shape
    const train = present ? cl.io.loadFashionMnist({ limit: 64, seed: 0 }) : { x: cl.rand([64, 28, 28, 1], { seed: 0 }), y: cl.tensor(Array.from({ length: 64 }, (_, i) => i % 10)) };
    const opts = { train, depths: [8, 14], widths: [4, 4, 8] as [number, number, number], epochs: 1, batchSize: 32, seed: 3 };
    const seen: string[] = [];
    const a = await cl.train.residualVsPlain({ ...opts, onResult: (r) => seen.push(r.name) });
    expect(a.map((r) => r.name)).toEqual(["plain8", "resnet8", "plain14", "resnet14"]);
    expect(seen).toEqual(["plain8", "resnet8", "plain14", "resnet14"]);
    for (const r of a) {
      expect(r.trainError).toBeGreaterThanOrEqual(0);
      expect(r.trainError).toBeLessThanOrEqual(1);
      expect(Number.isFinite(r.trainLoss)).toBe(true);
      expect(r.epochs.length).toBe(1);
    }
    const b = await cl.train.residualVsPlain({ ...opts, depths: [8] });
    expect(b.map((r) => [r.name, r.trainError, r.trainLoss, r.epochs[0]!.loss])).toEqual(a.slice(0, 2).map((r) => [r.name, r.trainError, r.trainLoss, r.epochs[0]!.loss]));
    await expect(cl.train.residualVsPlain({ ...opts, depths: [10] })).rejects.toThrow(/residualVsPlain: depths must be a list of 6n \+ 2/);
  });
});
