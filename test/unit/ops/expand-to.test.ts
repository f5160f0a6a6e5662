// expandTo (broadcast a tensor into a contiguous one: the backward of mean, sums and broadcasting
// ops, batch-norm's statistics) runs its innermost axis as one loop; it must give exactly the
// elements of the element-by-element odometer it replaced, written out here as the oracle, on
// random shapes (ranks 1–5, broadcast axes of size 1 and missing leading axes) in both dtypes.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expandTo } from "../../../src/ops/reduce.js";
import { broadcastStrides, sizeOf } from "../../../src/tensor/shape.js";
import { Rng } from "../../../src/util/rng.js";

function oracle(data: Float32Array | Float64Array, from: readonly number[], shape: readonly number[]): number[] {
  const st = broadcastStrides(from, shape);
  const out: number[] = [];
  const n = sizeOf(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < shape.length; d++) off += idx[d]! * st[d]!;
    out.push(data[off]!);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

describe("expandTo equals the element-by-element broadcast", () => {
  it("random shapes and broadcast patterns, float32 and float64, 200 trials", () => {
    const rng = new Rng(19);
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + rng.int(5);
      const shape = Array.from({ length: rank }, () => 1 + rng.int(5));
      const lead = rng.int(rank); // leading axes the source lacks
      const from = shape.slice(lead).map((d) => (rng.uniform() < 0.4 ? 1 : d));
      const dtype = trial % 2 ? "float64" : "float32";
      const t = cl.randn(from, { seed: trial, dtype: dtype });
      const e = expandTo(t, shape);
      expect(e.shape).toEqual(shape);
      expect(e.dtype).toBe(dtype);
      expect(Array.from(e.data)).toEqual(oracle(t.data, from, shape));
    }
  });

  it("a scalar, a zero-size axis and the same shape (returned as is)", () => {
    const s = cl.tensor([2.5]).reshape([]);
    expect(Array.from(expandTo(s, [2, 3]).data)).toEqual([2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
    expect(expandTo(cl.tensor([1, 2, 3]).reshape([1, 3]), [0, 3]).size).toBe(0);
    const same = cl.tensor([1, 2]);
    expect(expandTo(same, [2])).toBe(same);
  });

  it("mean's gradient through it (keepDims off, the batch-norm pattern of axes [0, 1, 2])", () => {
    const x = cl.randn([3, 4, 5, 6], { seed: 1 });
    x.requiresGrad = true;
    cl.mean(x, [0, 1, 2]).sum().backward();
    expect(Array.from(x.grad!.data).every((v) => v === Math.fround(1 / 60))).toBe(true);
  });
});
