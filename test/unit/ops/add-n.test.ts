// addN (the Add layer's sum of several same-shape inputs in one pass) gives the bits of adding the
// inputs pairwise from the left — float32 rounds after each addition — for 2–5 inputs, in float32
// and float64, signed zeros and infinities included; every input's gradient is dy.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { addN } from "../../../src/ops/binary.js";
import type { Tensor } from "../../../src/index.js";

const SPECIAL = [0, -0, Infinity, -Infinity, NaN, 1e-45, 3e38, -3e38, 1, -1];

function inputs(n: number, dtype: "float32" | "float64", shape = [3, 5, 7]): Tensor[] {
  return Array.from({ length: n }, (_, j) => {
    const t = cl.randn(shape, { seed: 10 + j, dtype }).mul(1e4);
    for (let i = 0; i < t.size; i += 4 + j) t.data[i] = SPECIAL[(i + j) % SPECIAL.length]!;
    t.data[1] = -0; // −0 + −0 + … stays −0
    return t;
  });
}

/** Every value exactly (round-trip strings), −0 apart from 0; any NaN equals any NaN (its sign and payload are not specified). */
const bitsOf = (t: Tensor): string[] => Array.from(t.data, (v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : String(v)));

describe("addN", () => {
  for (const dtype of ["float32", "float64"] as const)
    for (const n of [2, 3, 4, 5])
      it(`${n} ${dtype} inputs: the bits of the pairwise sums (small, and large enough for the WASM kernel)`, () => {
        for (const shape of [[3, 5, 7], [8, 24, 33]]) {
          const xs = inputs(n, dtype, shape);
          const pairwise = xs.slice(1).reduce((acc, x) => cl.add(acc, x), xs[0]!);
          expect(bitsOf(addN(xs))).toEqual(bitsOf(pairwise));
        }
        const xs = inputs(n, dtype);
        const pairwise = xs.slice(1).reduce((acc, x) => cl.add(acc, x), xs[0]!);
        expect(bitsOf(addN(xs))).toEqual(bitsOf(pairwise));
      });
  it("hands dy to every input, as the Add layer's gradient", () => {
    const xs = inputs(4, "float32").map((t) => {
      const c = t.clone();
      c.requiresGrad = true;
      return c;
    });
    const r = cl.randn([3, 5, 7], { seed: 3 });
    addN(xs).mul(r).sum().backward();
    for (const x of xs) expect(Array.from(x.grad!.data)).toEqual(Array.from(r.data));
  });
  it("adds broadcasting shapes pairwise", () => {
    const y = addN([cl.ones([2, 3]), cl.ones([3]), cl.ones([1, 3])]);
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.data)).toEqual([3, 3, 3, 3, 3, 3]);
  });
});
