// cl.data.dataset: re-iterable pipelines with seeded shuffles and lazy maps per epoch, batching
// of example records (tensors stacked, numbers → [n], box lists kept per example), take, skip,
// concat and zip, and generator functions read again every pass.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

const ids = (b: { y: cl.Tensor }): number[] => Array.from(b.y.data);

/** m examples: x [m,2] with rows [i, 10·i], y [m] = i. */
function xy(m: number): { x: cl.Tensor; y: cl.Tensor } {
  const x = new Float32Array(2 * m);
  for (let i = 0; i < m; i++) [x[2 * i], x[2 * i + 1]] = [i, 10 * i];
  return { x: cl.tensor(x, [m, 2]), y: cl.arange(m) };
}

describe("dataset sources", () => {
  it("a record of tensors: examples are rows; batch(n) stacks them back", () => {
    const d = cl.data.dataset(xy(5));
    expect(d.length).toBe(5);
    const [first] = d.toArray();
    expect(first!.x.toArray()).toEqual([0, 0]);
    expect(first!.y.shape).toEqual([]);
    const batches = d.batch(2).toArray();
    expect(batches.map((b) => b.x.shape)).toEqual([[2, 2], [2, 2], [1, 2]]);
    expect(batches.map(ids)).toEqual([[0, 1], [2, 3], [4]]);
    expect(d.batch(2, { dropLast: true }).length).toBe(2);
  });

  it("a tensor, an array of examples, nested records; every pass starts over", () => {
    expect(cl.data.dataset(cl.arange(3)).toArray().map((t) => t.item())).toEqual([0, 1, 2]);
    const arr = cl.data.dataset([{ a: 1 }, { a: 2 }]);
    expect([...arr].map((e) => e.a)).toEqual([1, 2]);
    expect([...arr].map((e) => e.a)).toEqual([1, 2]);
    const nested = cl.data.dataset({ image: cl.zeros([3, 2, 2, 1]), meta: { id: cl.arange(3), name: ["a", "b", "c"] } });
    const [e0] = nested.toArray();
    expect(e0).toMatchObject({ meta: { name: "a" } });
    const b = nested.batch(3).toArray()[0]!;
    expect(b.image.shape).toEqual([3, 2, 2, 1]);
    expect(Array.from(b.meta.id.data)).toEqual([0, 1, 2]);
    expect(b.meta.name).toEqual(["a", "b", "c"]);
  });

  it("a generator function is called again for every pass; a generator object is refused", () => {
    let calls = 0;
    const d = cl.data.dataset(function* () {
      calls++;
      yield* [1, 2, 3];
    });
    expect([...d]).toEqual([1, 2, 3]);
    expect([...d]).toEqual([1, 2, 3]);
    expect(calls).toBe(2);
    expect(Number.isNaN(d.length)).toBe(true);
    expect(cl.data.dataset(() => [1, 2], { length: 2 }).length).toBe(2);
    function* once() {
      yield 1;
    }
    expect(() => cl.data.dataset(once() as never)).toThrow(/dataset: a generator object can be read only once; pass the generator function itself/);
    expect(() => cl.data.dataset(42 as never)).toThrow(/dataset: expected tensors, a record of tensors, an array of examples or a generator function, got 42/);
    expect(() => cl.data.dataset({ x: cl.zeros([3, 2]), y: cl.zeros([2]) })).toThrow(/dataset: 'x' has 3 examples but 'y' has 2 \(x \[3,2\], y \[2\]\)/);
  });
});

describe("shuffle and map: new every epoch, the same in every run with the same seeds", () => {
  it("shuffle: a permutation per pass, pass e equal across pipelines of one seed", () => {
    const make = (seed: number) => cl.data.dataset(xy(20)).shuffle({ seed }).batch(20);
    const a = make(1), b = make(1), c = make(2);
    const e0 = ids(a.iterate(0).next().value!), e1 = ids(a.iterate(1).next().value!);
    expect([...e0].sort((p, q) => p - q)).toEqual([...Array(20).keys()]);
    expect(e1).not.toEqual(e0);
    expect(ids(b.iterate(1).next().value!)).toEqual(e1);
    expect(ids(b.iterate(0).next().value!)).toEqual(e0);
    expect(ids(c.iterate(0).next().value!)).not.toEqual(e0);
    // rows stay with their labels after the gather
    const batch = a.iterate(3).next().value!;
    for (let r = 0; r < 20; r++) expect(batch.x.data[2 * r + 1]).toBe(10 * batch.y.data[r]!);
  });

  it("shuffle through a buffer for generator sources, seeded too", () => {
    const gen = () => cl.data.dataset(function* () {
      for (let i = 0; i < 30; i++) yield i;
    }).shuffle({ seed: 3, bufferSize: 8 });
    const a = gen().toArray(0), b = gen().toArray(0);
    expect(a).toEqual(b);
    expect([...a].sort((p, q) => p - q)).toEqual([...Array(30).keys()]);
    expect(a).not.toEqual([...Array(30).keys()]);
    expect(gen().toArray(1)).not.toEqual(a);
  });

  it("a mapped dataset gives different augmentations per epoch and identical ones per seed", () => {
    const make = (seed: number) =>
      cl.data
        .dataset({ x: cl.ones([6, 3]), y: cl.arange(6) })
        .map(({ x, y }, { rng }) => ({ x: x.mul(rng.uniform()), y }), { seed })
        .batch(6);
    const pass = (p: ReturnType<typeof make>, e: number) => Array.from(p.iterate(e).next().value!.x.data);
    const a = make(7), b = make(7), c = make(8);
    expect(pass(a, 0)).toEqual(pass(b, 0));
    expect(pass(a, 1)).toEqual(pass(b, 1));
    expect(pass(a, 1)).not.toEqual(pass(a, 0));
    expect(pass(c, 0)).not.toEqual(pass(a, 0));
    expect(pass(a, 0)).toEqual(pass(a, 0)); // a pass can be read again
    // iterating with for…of visits epochs 0, 1, 2… in order
    const it = make(7);
    const seen = [...it].map((batch) => Array.from(batch.x.data));
    expect(seen[0]).toEqual(pass(a, 0));
    expect([...it].map((batch) => Array.from(batch.x.data))[0]).toEqual(pass(a, 1));
  });

  it("map runs lazily, once per example and pass, with its epoch and index", () => {
    const calls: string[] = [];
    const d = cl.data.dataset([10, 20, 30]).map((v, { epoch, index }) => (calls.push(`${epoch}:${index}`), v + 1));
    expect(calls).toEqual([]);
    expect(d.toArray(0)).toEqual([11, 21, 31]);
    expect(d.take(2).toArray(4)).toEqual([11, 21]);
    expect(calls).toEqual(["0:0", "0:1", "0:2", "4:0", "4:1"]);
    expect(() => cl.data.dataset([1]).map((() => undefined) as never).toArray()).toThrow(/dataset\.map: the function returned undefined for example 0/);
    expect(() => cl.data.dataset([1]).map(async (v) => v).toArray()).toThrow(/dataset\.map: the function returned a Promise; map functions must be synchronous/);
    expect(() => cl.data.dataset([1]).map(3 as never)).toThrow(/dataset\.map: expected a function/);
  });
});

describe("batching example records; take, skip, concat, zip", () => {
  it("images, boxes and landmarks travel together: tensors stacked, numbers → [n], box lists kept per example", () => {
    const examples = [
      { image: cl.zeros([4, 4, 3]), boxes: [{ x1: 0, y1: 0, x2: 2, y2: 2 }], landmarks: cl.zeros([5, 2]), classId: 1 },
      { image: cl.ones([4, 4, 3]), boxes: [{ x1: 1, y1: 1, x2: 3, y2: 3 }, { x1: 0, y1: 2, x2: 1, y2: 4 }], landmarks: cl.ones([5, 2]), classId: 0 },
    ];
    const [b] = cl.data.dataset(examples).batch(2).toArray();
    expect(b!.image.shape).toEqual([2, 4, 4, 3]);
    expect(b!.landmarks.shape).toEqual([2, 5, 2]);
    expect(Array.from(b!.classId.data)).toEqual([1, 0]);
    expect(b!.boxes.map((l) => l.length)).toEqual([1, 2]);
    const bad = [{ image: cl.zeros([4, 4, 3]) }, { image: cl.zeros([5, 4, 3]) }];
    expect(() => cl.data.dataset(bad).batch(2).toArray()).toThrow(/dataset\.batch: 'image' of example 1 has shape \[5,4,3\] but example 0 has \[4,4,3\]/);
    expect(() => cl.data.dataset([{ a: 1 }, { b: 2 }]).batch(2).toArray()).toThrow(/dataset\.batch: example 1 has no 'a'/);
    expect(() => cl.data.dataset([1]).batch(0)).toThrow(/dataset\.batch: size must be a positive integer, got 0/);
    expect(() => cl.data.dataset([1]).batch(1).batch(1)).toThrow(/the pipeline is batched already/);
  });

  it("take, skip and concat keep random access (and the fast row gather)", () => {
    const d = cl.data.dataset(xy(10));
    expect(d.skip(7).batch(5).toArray().map(ids)).toEqual([[7, 8, 9]]);
    expect(d.take(3).concat(d.skip(8)).batch(10).toArray().map(ids)).toEqual([[0, 1, 2, 8, 9]]);
    expect(d.take(20).length).toBe(10);
    const gen = cl.data.dataset(function* () {
      yield* [1, 2, 3, 4];
    });
    expect(gen.skip(1).take(2).toArray()).toEqual([2, 3]);
    expect(gen.concat(cl.data.dataset([9])).toArray()).toEqual([1, 2, 3, 4, 9]);
  });

  it("zip joins record examples; cl.data.zip names the parts", () => {
    const images = cl.data.dataset({ x: cl.arange(4) }), labels = cl.data.dataset({ y: cl.arange(3) });
    const z = images.zip(labels);
    expect(z.length).toBe(3);
    expect(z.toArray().map((e) => [e.x.item(), e.y.item()])).toEqual([[0, 0], [1, 1], [2, 2]]);
    const named = cl.data.zip({ image: cl.data.dataset(cl.zeros([2, 3])), label: cl.data.dataset([7, 8]) }).batch(2).toArray()[0]!;
    expect(named.image.shape).toEqual([2, 3]);
    expect(Array.from(named.label.data)).toEqual([7, 8]);
    expect(() => cl.data.dataset([1]).zip(cl.data.dataset([2])).toArray()).toThrow(/dataset\.zip: example 0 is not a record on both sides \(1, 2\)/);
    expect(() => images.zip(images).toArray()).toThrow(/dataset\.zip: both pipelines have 'x' in example 0/);
  });
});
