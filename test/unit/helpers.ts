import { expect } from "vitest";
import * as cl from "../../src/index.js";
import type { Tensor, NestedArray } from "../../src/index.js";
import { compareArrays, mismatch } from "../support/tolerance.js";

/**
 * Asserts |a − b| ≤ atol + rtol·|b| elementwise, reporting the first element out of tolerance.
 * NaN never passes (test/support/tolerance.ts); an infinity passes only against the same one.
 */
export function expectClose(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number> | NestedArray, { atol = 1e-5, rtol = 1e-4 } = {}): void {
  const a = toFlat(actual);
  const b = toFlat(expected);
  expect(a.length, "number of elements").toBe(b.length);
  const c = compareArrays(a, b, { atol, rtol });
  if (c.first) expect.fail(`element ${c.first.index}: ${c.first.reason} (${c.failures} of ${a.length} out of tolerance; atol ${atol}, rtol ${rtol})`);
}

function toFlat(v: Tensor | ArrayLike<number> | NestedArray): number[] {
  if (typeof v === "number") return [v];
  if (Array.isArray(v)) return (v as NestedArray[]).flat(Infinity as 1) as number[];
  if (typeof v === "object" && v !== null && "data" in v && "shape" in v) return Array.from((v as Tensor).data);
  return Array.from(v as ArrayLike<number>);
}

/**
 * Checks every parameter gradient of a model (float64) against central finite differences of
 * the loss, on up to `per` elements of each parameter.
 */
export function checkModelGrads(model: cl.nn.Model, x: cl.Tensor, loss: (y: cl.Tensor) => cl.Tensor, per = 12): { worst: number } {
  model.setDtype("float64");
  const params = model.parameters();
  for (const p of params) p.zeroGrad();
  loss(model.forward(x, { training: true })).backward();
  const f = () => cl.noGrad(() => loss(model.forward(x, { training: true })).item());
  let worst = 0;
  for (const p of params) {
    const step = Math.max(1, Math.floor(p.size / per));
    for (let i = 0; i < p.size; i += step) {
      const orig = p.data[i]!;
      p.data[i] = orig + 1e-6;
      const fp = f();
      p.data[i] = orig - 1e-6;
      const fm = f();
      p.data[i] = orig;
      const numeric = (fp - fm) / 2e-6;
      const analytic = p.grad!.data[i]!;
      // NaN-safe: a NaN gradient (or loss) fails, it is not "not greater than the tolerance"
      const why = mismatch(analytic, numeric, { atol: 1e-6, rtol: 1e-4 });
      if (why !== null) throw new Error(`${p.name}[${i}]: analytic ${analytic} vs numeric ${numeric} (${why})`);
      worst = Math.max(worst, Math.abs(analytic - numeric));
    }
  }
  return { worst };
}
