import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

const { mnistFromIdx, selectIndices } = cl.data;

/** Three 2×2 "images" with known bytes, and labels 7, 3, 9. */
const images: cl.data.IdxFile = { shape: [3, 2, 2], dtype: "uint8", data: new Uint8Array([0, 255, 51, 102, 1, 2, 3, 4, 255, 255, 0, 0]) };
const labels: cl.data.IdxFile = { shape: [3], dtype: "uint8", data: new Uint8Array([7, 3, 9]) };

describe("mnistFromIdx", () => {
  it("x [m,nH,nW,1] float32 = bytes / 255, y class ids [m], labels bytes", () => {
    const s = mnistFromIdx(images, labels);
    expect(s.x.shape).toEqual([3, 2, 2, 1]);
    expect(s.x.dtype).toBe("float32");
    expectClose(s.x.data.subarray(0, 4), [0, 1, 0.2, 0.4], { atol: 1e-7, rtol: 0 });
    expect(s.y.shape).toEqual([3]);
    expect(Array.from(s.y.data)).toEqual([7, 3, 9]);
    expect(Array.from(s.labels)).toEqual([7, 3, 9]);
    expect(Array.from(s.indices)).toEqual([0, 1, 2]);
  });

  it("pad32 zero-pads 2 pixels per side (2×2 → 6×6 here), normalize standardizes after padding", () => {
    const s = mnistFromIdx(images, labels, { pad32: true, limit: 1 });
    expect(s.x.shape).toEqual([1, 6, 6, 1]);
    const grid = s.x.toArray() as number[][][][];
    expect(grid[0]![2]![3]![0]).toBeCloseTo(1, 7);
    expect(grid[0]![0]![0]![0]).toBe(0);
    const n = mnistFromIdx(images, labels, { pad32: true, limit: 1, normalize: { mean: 0.5, std: 0.25 } });
    expectClose([n.x.data[0]!, (n.x.toArray() as number[][][][])[0]![2]![3]![0]!], [-2, 2], { atol: 1e-6, rtol: 0 });
    const d = mnistFromIdx(images, labels, { limit: 1, normalize: true });
    expectClose([d.x.data[1]!], [(1 - 0.1307) / 0.3081], { atol: 1e-6, rtol: 0 });
  });

  it("channels: 3 repeats the gray value", () => {
    const s = mnistFromIdx(images, labels, { channels: 3, offset: 2 });
    expect(s.x.shape).toEqual([1, 2, 2, 3]);
    expect(Array.from(s.x.data)).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(s.labels)).toEqual([9]);
  });

  it("offset/limit pick a range; a seed picks a seeded random sample in file order", () => {
    expect(Array.from(selectIndices(10, { offset: 3, limit: 4 }, "t"))).toEqual([3, 4, 5, 6]);
    expect(Array.from(selectIndices(10, { offset: 8, limit: 4 }, "t"))).toEqual([8, 9]);
    const a = selectIndices(1000, { limit: 50, seed: 7 }, "t");
    const b = selectIndices(1000, { limit: 50, seed: 7 }, "t");
    const c = selectIndices(1000, { limit: 50, seed: 8 }, "t");
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(new Set(a).size).toBe(50);
    for (let i = 1; i < a.length; i++) expect(a[i]!).toBeGreaterThan(a[i - 1]!);
    expect(Math.max(...a)).toBeGreaterThan(100); // spread over the file, not the first 50
  });

  it("throws for mismatched counts, wrong IDX shapes and bad options", () => {
    expect(() => mnistFromIdx(images, { ...labels, shape: [2], data: new Uint8Array(2) })).toThrow(/3 images but 2 labels/);
    expect(() => mnistFromIdx(labels, labels)).toThrow(/images must be a rank-3 uint8 IDX file \[n,nH,nW\], got uint8 \[3\]/);
    expect(() => mnistFromIdx(images, labels, { offset: 4 })).toThrow(/offset 4 is past the end of the 3 examples/);
    expect(() => mnistFromIdx(images, labels, { limit: -1 })).toThrow(/limit must be a non-negative integer, got -1/);
    expect(() => mnistFromIdx(images, labels, { normalize: { mean: 0, std: 0 } })).toThrow(/std > 0/);
  });
});
