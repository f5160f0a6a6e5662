import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

describe("dropout", () => {
  const x = cl.ones([100, 100]);
  it("is the identity when not training or at rate 0", () => {
    expect(cl.dropout(x, 0.5, { training: false })).toBe(x);
    expect(cl.dropout(x, 0, { training: true })).toBe(x);
  });
  it("inverted dropout: kept values scaled by 1/(1 − rate), about `rate` of them zeroed", () => {
    const y = cl.dropout(x, 0.25, { training: true, seed: 7 });
    const vals = new Set(Array.from(y.data));
    expect([...vals].sort()).toEqual([0, 1 / 0.75].map((v) => Math.fround(v)).sort());
    const zeros = Array.from(y.data).filter((v) => v === 0).length / y.size;
    expect(Math.abs(zeros - 0.25)).toBeLessThan(0.02); // 10 000 draws: 5 standard deviations ≈ 0.022
  });
  it("the same seed gives the same mask; an Rng continues its stream", () => {
    const a = cl.dropout(x, 0.5, { training: true, seed: 3 });
    const b = cl.dropout(x, 0.5, { training: true, seed: 3 });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    const rng = new cl.Rng(3);
    const c = cl.dropout(x, 0.5, { training: true, rng });
    const d = cl.dropout(x, 0.5, { training: true, rng });
    expect(Array.from(c.data)).toEqual(Array.from(a.data));
    expect(Array.from(d.data)).not.toEqual(Array.from(c.data));
  });
  it("the gradient uses the forward's mask", () => {
    const t = cl.randn([4, 5], { seed: 1 }).requireGrad();
    const y = cl.dropout(t, 0.4, { training: true, seed: 2 });
    y.sum().backward();
    for (let i = 0; i < t.size; i++) expect(t.grad!.data[i]).toBeCloseTo(y.data[i] === 0 ? 0 : 1 / 0.6, 6);
  });
  it("gradcheck with a fixed seed (the same mask on every evaluation)", () => {
    const t = cl.randn([3, 7], { seed: 4, dtype: "float64" });
    expect(cl.gradcheck((a) => cl.dropout(a!, 0.3, { training: true, seed: 5 }), [t]).failures).toEqual([]);
  });
  it("errors", () => {
    expect(() => cl.dropout(x, 1, { training: true })).toThrow(/dropout: rate must be in \[0, 1\), got 1/);
    expect(() => cl.dropout(x, -0.1, { training: true })).toThrow(/dropout: rate must be in \[0, 1\), got -0.1/);
    expect(() => cl.dropout(x, 0.5, undefined as unknown as cl.DropoutOptions)).toThrow(/dropout: opts.training must be true or false/);
  });
});
