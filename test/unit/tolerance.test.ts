// The comparison helpers the other tests rely on: each passes what is within tolerance and fails
// every NaN / infinity mismatch wherever it sits (a negative control per helper, including the
// case the old `worstRatio` let through: a NaN anywhere but last).
import { describe, it, expect } from "vitest";
import { compareArrays, isClose, mismatch } from "../support/tolerance.js";
import { worstRatio } from "./kernels/shapes.js";
import * as cl from "../../src/index.js";
import { checkModelGrads, expectClose } from "./helpers.js";

const tol = { atol: 1e-6, rtol: 1e-5 };

describe("isClose / mismatch", () => {
  it("passes within atol + rtol·|b| and fails just outside", () => {
    expect(isClose(1 + 0.9e-5, 1, { atol: 0, rtol: 1e-5 })).toBe(true);
    expect(isClose(1 + 1.1e-5, 1, { atol: 0, rtol: 1e-5 })).toBe(false);
    expect(isClose(0.5e-6, 0, tol)).toBe(true);
    expect(isClose(2e-6, 0, tol)).toBe(false);
  });
  it("NaN never passes, not even against NaN or with an infinite tolerance", () => {
    expect(isClose(NaN, 1, tol)).toBe(false);
    expect(isClose(1, NaN, tol)).toBe(false);
    expect(isClose(NaN, NaN, tol)).toBe(false);
    expect(isClose(NaN, 0, { atol: Infinity, rtol: Infinity })).toBe(false);
    expect(mismatch(NaN, 1, tol)).toMatch(/NaN never matches/);
  });
  it("an infinity matches only the same infinity", () => {
    expect(isClose(Infinity, Infinity, tol)).toBe(true);
    expect(isClose(-Infinity, -Infinity, tol)).toBe(true);
    expect(isClose(Infinity, -Infinity, tol)).toBe(false);
    expect(isClose(Infinity, 1e300, tol)).toBe(false);
    expect(isClose(1e300, Infinity, tol)).toBe(false); // rtol·|Infinity| would excuse anything
  });
});

describe("compareArrays", () => {
  it("counts failures, reports the first, and a length difference is a failure", () => {
    expect(compareArrays([1, 2, 3], [1, 2, 3], tol)).toEqual({ failures: 0, worstRatio: 0, first: null });
    const c = compareArrays([1, 5, NaN], [1, 2, 3], tol);
    expect(c.failures).toBe(2);
    expect(c.first!.index).toBe(1);
    expect(c.worstRatio).toBe(Infinity);
    expect(compareArrays([1, 2], [1, 2, 3], tol).failures).toBe(1);
    expect(compareArrays([1, 2, 3, 4], [1, 2, 3], tol).worstRatio).toBe(Infinity);
  });
  it("a NaN in any position fails", () => {
    for (let i = 0; i < 4; i++) {
      const a = [0, 1, 2, 3];
      a[i] = NaN;
      expect(compareArrays(a, [0, 1, 2, 3], tol).failures, `NaN at ${i}`).toBe(1);
    }
  });
});

describe("worstRatio (the WASM-vs-reference kernel tests)", () => {
  it("is ≤ 1 within tolerance and > 1 outside", () => {
    expect(worstRatio([0, 1, 2], [0, 1, 2], 1e-6, 1e-5)).toBe(0);
    expect(worstRatio([0, 1 + 0.5e-5, 2], [0, 1, 2], 0, 1e-5)).toBeLessThanOrEqual(1);
    expect(worstRatio([0, 1 + 2e-5, 2], [0, 1, 2], 0, 1e-5)).toBeGreaterThan(1);
  });
  it("negative control: an unwritten (NaN) element fails wherever it is, not only when last", () => {
    expect(worstRatio([NaN, 1, 2], [0, 1, 2], 1e-6, 1e-5)).toBe(Infinity); // the old helper returned 0 here
    expect(worstRatio([0, NaN, 2], [0, 1, 2], 1e-6, 1e-5)).toBe(Infinity);
    expect(worstRatio(new Float32Array([0, 1, 2]).fill(NaN, 0, 1), new Float64Array([0, 1, 2]), 1e-6, 1e-5)).toBeGreaterThan(1);
    expect(worstRatio([Infinity, 1], [5, 1], 1e-6, 1e-5)).toBe(Infinity);
  });
});

describe("expectClose (the op and model tests)", () => {
  it("passes within tolerance", () => {
    expectClose([1, 2, 3], [1, 2, 3 + 1e-7]);
    expectClose([Infinity, -Infinity], [Infinity, -Infinity]);
  });
  it("negative control: fails on a NaN first, in the middle or last, and on NaN vs NaN", () => {
    expect(() => expectClose([NaN, 2, 3], [1, 2, 3])).toThrow(/element 0: NaN/);
    expect(() => expectClose([1, NaN, 3], [1, 2, 3])).toThrow(/element 1: NaN/);
    expect(() => expectClose([1, 2, NaN], [1, 2, 3])).toThrow(/element 2: NaN/);
    expect(() => expectClose([NaN], [NaN])).toThrow(/NaN never matches/);
  });
  it("negative control: fails on an infinity against a finite value or the other infinity", () => {
    expect(() => expectClose([1, Infinity], [1, 1e30])).toThrow(/infinity/);
    expect(() => expectClose([-Infinity], [Infinity])).toThrow(/infinity/);
    expect(() => expectClose([1, 2], [1, 2, 3])).toThrow(/number of elements/);
  });
});

describe("checkModelGrads (gradients against finite differences)", () => {
  const model = () => cl.nn.sequential([cl.nn.dense({ units: 2 })], { inputShape: [3], seed: 1 });
  const x = cl.randn([2, 3], { seed: 2 });
  it("passes the true gradient of a finite loss", () => {
    expect(checkModelGrads(model(), x.astype("float64"), (y) => y.square().sum()).worst).toBeLessThan(1e-5);
  });
  it("negative control: a NaN loss (so NaN gradients) fails instead of passing as 'not above tolerance'", () => {
    expect(() => checkModelGrads(model(), x.astype("float64"), (y) => y.square().sum().mul(NaN))).toThrow(/NaN never matches/);
  });
});
