import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

/** m examples: x [m,2] with rows [i, 10·i], y [m] = i. */
function dataset(m: number): cl.data.Dataset {
  const x = new Float32Array(2 * m);
  for (let i = 0; i < m; i++) [x[2 * i], x[2 * i + 1]] = [i, 10 * i];
  return { x: cl.tensor(x, [m, 2]), y: cl.arange(m) };
}
const ids = (b: cl.data.Dataset): number[] => Array.from(b.y.data);

describe("batches", () => {
  it("unshuffled: batches in order, last one smaller; x rows stay with their y", () => {
    const bs = cl.data.batches(dataset(10), { batchSize: 4 });
    expect(bs.length).toBe(3);
    const all = [...bs];
    expect(all.map(ids)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(all[2]!.x.shape).toEqual([2, 2]);
    expect(Array.from(all[2]!.x.data)).toEqual([8, 80, 9, 90]);
  });

  it("dropLast skips the short batch", () => {
    const bs = cl.data.batches(dataset(10), { batchSize: 4, dropLast: true });
    expect(bs.length).toBe(2);
    expect([...bs].map(ids)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
  });

  it("shuffle with a seed: every example once per pass, same seed → same sequence, new order each pass", () => {
    const d = dataset(23);
    const a = cl.data.batches(d, { batchSize: 5, shuffle: true, seed: 42 });
    const b = cl.data.batches(d, { batchSize: 5, shuffle: true, seed: 42 });
    const c = cl.data.batches(d, { batchSize: 5, shuffle: true, seed: 43 });
    const a1 = [...a].flatMap(ids), a2 = [...a].flatMap(ids);
    const b1 = [...b].flatMap(ids), b2 = [...b].flatMap(ids);
    expect([...a1].sort((p, q) => p - q)).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(a1).toEqual(b1);
    expect(a2).toEqual(b2);
    expect(a1).not.toEqual(a2);
    expect([...c].flatMap(ids)).not.toEqual(a1);
    for (const batch of a) for (let r = 0; r < batch.x.shape[0]!; r++) expect(batch.x.data[2 * r + 1]).toBe(10 * batch.y.data[r]!);
  });

  it("y may be one-hot targets [m,k]", () => {
    const d = dataset(4);
    const [first] = cl.data.batches({ x: d.x, y: cl.data.oneHot(d.y, 4) }, { batchSize: 2 });
    expect(first!.y.toArray()).toEqual([[1, 0, 0, 0], [0, 1, 0, 0]]);
  });

  it("throws for x/y example counts that differ and for a bad batchSize", () => {
    expect(() => cl.data.batches({ x: cl.zeros([5, 2]), y: cl.zeros([4]) }, { batchSize: 2 })).toThrow(
      /batches: x has 5 examples but y has 4 \(x \[5,2\], y \[4\]\)/,
    );
    expect(() => cl.data.batches(dataset(3), { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
  });
});

describe("oneHot", () => {
  it("[m] class ids → [m,k]", () => {
    const t = cl.data.oneHot([2, 0, 1], 3);
    expect(t.shape).toEqual([3, 3]);
    expect(t.toArray()).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    expect(cl.data.oneHot(cl.tensor([1, 1]), 2).toArray()).toEqual([[0, 1], [0, 1]]);
  });
  it("throws for labels outside [0,k), non-integers and a non-vector tensor", () => {
    expect(() => cl.data.oneHot([0, 3], 3)).toThrow(/oneHot: label 3 at index 1 is not a class id in \[0, 3\)/);
    expect(() => cl.data.oneHot([0.5], 3)).toThrow(/label 0\.5 at index 0/);
    expect(() => cl.data.oneHot(cl.zeros([2, 2]), 3)).toThrow(/labels must be \[m\] class ids, got shape \[2,2\]/);
  });
});

describe("subset / split / take", () => {
  it("subset: seeded, the requested size, distinct examples in original order", () => {
    const d = dataset(100);
    const a = cl.data.subset(d, { size: 10, seed: 1 });
    expect(ids(a)).toEqual(ids(cl.data.subset(d, { size: 10, seed: 1 })));
    expect(ids(a)).not.toEqual(ids(cl.data.subset(d, { size: 10, seed: 2 })));
    expect(a.x.shape).toEqual([10, 2]);
    expect(new Set(ids(a)).size).toBe(10);
    expect(ids(a)).toEqual([...ids(a)].sort((p, q) => p - q));
    expect(() => cl.data.subset(d, { size: 101 })).toThrow(/size must be an integer in \[0, 100\], got 101/);
  });

  it("split: fraction or count, disjoint and complete, seeded", () => {
    const d = dataset(50);
    const { train, validation } = cl.data.split(d, { validation: 0.2, seed: 3 });
    expect(train.x.shape[0]).toBe(40);
    expect(validation.x.shape[0]).toBe(10);
    expect([...ids(train), ...ids(validation)].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(ids(cl.data.split(d, { validation: 0.2, seed: 3 }).validation)).toEqual(ids(validation));
    const tail = cl.data.split(d, { validation: 5, shuffle: false });
    expect(ids(tail.validation)).toEqual([45, 46, 47, 48, 49]);
    expect(() => cl.data.split(d, { validation: 1.5 })).toThrow(/validation must be a fraction in \(0, 1\) or a count in \[0, 50\], got 1\.5/);
  });

  it("take: rows by index; out-of-range index throws", () => {
    const t = cl.data.take(dataset(5), [4, 0]);
    expect(Array.from(t.x.data)).toEqual([4, 40, 0, 0]);
    expect(() => cl.data.take(dataset(5), [5])).toThrow(/take: index 5 at position 0 is outside \[0, 5\)/);
  });
});
