// add's own loops (equal shapes; b repeated along a's leading axes, a bias) give the sums of the
// generic broadcasting loop: each element a + b rounded to the dtype, for float32 and float64.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

/** a + b by explicit indices over the broadcast shape (the oracle). */
function oracle(a: cl.Tensor, b: cl.Tensor, shape: number[]): number[] {
  const n = shape.reduce((p, d) => p * d, 1), out: number[] = [];
  const at = (t: cl.Tensor, idx: number[]): number => {
    const off = shape.length - t.rank;
    let flat = 0;
    for (let d = 0; d < t.rank; d++) flat = flat * t.shape[d]! + (t.shape[d] === 1 ? 0 : idx[off + d]!);
    return t.data[flat]!;
  };
  for (let i = 0; i < n; i++) {
    const idx: number[] = [];
    let q = i;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = q % shape[d]!;
      q = Math.floor(q / shape[d]!);
    }
    const s = at(a, idx) + at(b, idx);
    out.push(a.dtype === "float32" ? Math.fround(s) : s);
  }
  return out;
}

describe("add: the fast loops equal the broadcasting oracle", () => {
  const cases: [number[], number[]][] = [
    [[64, 120], [120]], [[64, 120], [1, 120]], [[2, 3, 4], [3, 4]], [[2, 3, 4], [1, 1, 4]], [[5, 7], [5, 7]],
    [[3, 1], [3, 1]], [[2, 3, 4], [3, 1]], [[4, 1], [1, 5]], [[2, 3], [1]], [[6], [6]], [[2, 2, 3], [2, 1, 3]],
  ];
  for (const dtype of ["float32", "float64"] as const)
    for (const [sa, sb] of cases)
      it(`${dtype} [${sa}] + [${sb}]`, () => {
        const a = cl.randn(sa, { seed: 1, dtype }), b = cl.randn(sb, { seed: 2, dtype });
        const shape = cl.add(a, b).shape;
        expect(Array.from(cl.add(a, b).data)).toEqual(oracle(a, b, shape));
        expect(Array.from(cl.add(b, a).data)).toEqual(oracle(b, a, shape));
      });
});
