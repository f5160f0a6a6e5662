import { expect } from "vitest";
import type { Tensor, NestedArray } from "../../src/index.js";

/** Asserts |a − b| ≤ atol + rtol·|b| elementwise, reporting the worst element. */
export function expectClose(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number> | NestedArray, { atol = 1e-5, rtol = 1e-4 } = {}): void {
  const a = toFlat(actual);
  const b = toFlat(expected);
  expect(a.length, "number of elements").toBe(b.length);
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs(a[i]! - b[i]!) - (atol + rtol * Math.abs(b[i]!));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) expect.fail(`element ${worst}: ${a[worst]} vs expected ${b[worst]} (atol ${atol}, rtol ${rtol})`);
}

function toFlat(v: Tensor | ArrayLike<number> | NestedArray): number[] {
  if (typeof v === "number") return [v];
  if (Array.isArray(v)) return (v as NestedArray[]).flat(Infinity as 1) as number[];
  if (typeof v === "object" && v !== null && "data" in v && "shape" in v) return Array.from((v as Tensor).data);
  return Array.from(v as ArrayLike<number>);
}
