// Max pooling on the WASM kernels, bit for bit against the TypeScript reference: the forward with
// an argmax, without one and with window codes (the 2×2 stride-2 direct path and the general
// windows), and the gradients from the codes (maxPool2dGradCode) and recomputed from x
// (maxPool2dGradX) against the reference's argmax scatter — ties, ±0, NaN and
// ±Infinity in the windows, odd sizes, channel counts 1…17, windows, strides and padding
// (overlapping windows, gaps between windows, clipped windows at the borders).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import * as cl from "../../../src/index.js";
import { kernel, kernelBackend, referenceKernels } from "../../../src/kernels/index.js";
import type { Pool2dGeom } from "../../../src/kernels/types.js";
import { Rng } from "../../../src/util/rng.js";
import { label } from "./shapes.js";

/** Output size for window f, stride s, padding before pb and after pa. */
const out = (n: number, f: number, s: number, pb: number, pa: number): number => Math.floor((n + pb + pa - f) / s) + 1;

function geom(m: number, h: number, w: number, c: number, fh: number, fw: number, sh: number, sw: number, pt = 0, pl = 0, pb = pt, pr = pl): Pool2dGeom {
  return { m, h, w, c, fh, fw, sh, sw, padTop: pt, padLeft: pl, oh: out(h, fh, sh, pt, pb), ow: out(w, fw, sw, pl, pr) };
}

/** Values on a coarse grid (ties in most windows), with −0/+0 pairs, NaNs and infinities. */
function tiedData(n: number, rng: Rng, special = true): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    a[i] = Math.round(rng.uniform() * 6 - 3) / 2;
    if (a[i] === 0 && u < 0.5) a[i] = -0;
    if (special && u < 0.02) a[i] = NaN;
    else if (special && u < 0.03) a[i] = u < 0.025 ? Infinity : -Infinity;
  }
  return a;
}

/** dy: distinct-ish values with some −0 and NaN (0 + −0 is +0 in the reference's scatter). */
function gradData(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    a[i] = u < 0.05 ? -0 : u < 0.07 ? NaN : rng.uniform() * 2 - 1;
  }
  return a;
}

/** The first index where the bits differ (NaNs compare equal to NaNs), or −1. */
function firstBitDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length), ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i] && !(a[i] !== a[i] && b[i] !== b[i])) return i;
  return -1;
}

function expectSameBits(a: Float32Array, b: Float32Array, what: string): void {
  const i = firstBitDiff(a, b);
  expect(i, `${what}: first difference at ${i}: ${a[i]} vs ${b[i]}`).toBe(-1);
}

/** Everything the WASM max-pool kernels give for (x, dy) against the reference. */
function check(g: Pool2dGeom, x: Float32Array, dy: Float32Array): void {
  const ny = g.m * g.oh * g.ow * g.c, nx = g.m * g.h * g.w * g.c;
  const yRef = new Float32Array(ny), argRef = new Int32Array(ny);
  referenceKernels.maxPool2d(x, yRef, argRef, g);
  const dxRef = new Float32Array(nx);
  referenceKernels.maxPool2dGrad(dy, argRef, dxRef, g);

  const y = new Float32Array(ny).fill(NaN);
  kernel("maxPool2d", "float32")(x, y, null, g);
  expectSameBits(y, yRef, "y without argmax");
  const y2 = new Float32Array(ny).fill(NaN), arg = new Int32Array(ny).fill(-1);
  kernel("maxPool2d", "float32")(x, y2, arg, g);
  expectSameBits(y2, yRef, "y with argmax");
  expect(Array.from(arg)).toEqual(Array.from(argRef));

  const dx = new Float32Array(nx).fill(NaN);
  kernel("maxPool2dGradX", "float32")(x, dy, dx, g);
  expectSameBits(dx, dxRef, "dx from x");
  const dxArg = new Float32Array(nx).fill(NaN);
  kernel("maxPool2dGrad", "float32")(dy, arg, dxArg, g);
  expectSameBits(dx, dxArg, "dx from x vs dx from the argmax");
  // window codes: the same maxima, each code the argmax's position in its clipped window
  const codeRef = new Uint8Array(ny), yc = new Float32Array(ny).fill(NaN), ycRef = new Float32Array(ny);
  referenceKernels.maxPool2dCode(x, ycRef, codeRef, g);
  expectSameBits(ycRef, yRef, "reference y with codes");
  const code = new Uint8Array(ny).fill(255);
  kernel("maxPool2dCode", "float32")(x, yc, code, g);
  expectSameBits(yc, yRef, "y with codes");
  expect(Array.from(code)).toEqual(Array.from(codeRef));
  const fromCodes = new Int32Array(ny);
  for (let b = 0, o = 0; b < g.m; b++)
    for (let oy = 0; oy < g.oh; oy++)
      for (let ox = 0; ox < g.ow; ox++)
        for (let ch = 0; ch < g.c; ch++, o++) {
          const y0 = Math.max(0, oy * g.sh - g.padTop), x0 = Math.max(0, ox * g.sw - g.padLeft);
          const ww = Math.min(g.w, ox * g.sw - g.padLeft + g.fw) - x0;
          fromCodes[o] = ((b * g.h + y0 + Math.floor(code[o]! / ww)) * g.w + x0 + (code[o]! % ww)) * g.c + ch;
        }
  expect(Array.from(fromCodes)).toEqual(Array.from(argRef));
  const dxc = new Float32Array(nx).fill(NaN);
  kernel("maxPool2dGradCode", "float32")(code, dy, dxc, g);
  expectSameBits(dxc, dxRef, "dx from the codes");
  const dxcRef = new Float32Array(nx).fill(NaN);
  referenceKernels.maxPool2dGradCode(codeRef, dy, dxcRef, g);
  expectSameBits(dxcRef, dxRef, "reference dx from the codes");
  // the reference's own gradient from x
  const dxRefX = new Float32Array(nx).fill(NaN);
  referenceKernels.maxPool2dGradX(x, dy, dxRefX, g);
  expectSameBits(dxRefX, dxRef, "reference dx from x");
}

beforeAll(() => {
  expect(kernelBackend()).toMatch(/^wasm/);
});

describe("wasm max pooling = reference, bit for bit", () => {
  const fixed: Pool2dGeom[] = [];
  for (const c of [1, 2, 3, 4, 5, 6, 7, 8, 16, 17]) {
    fixed.push(geom(2, 8, 8, c, 2, 2, 2, 2)); // 2×2 stride 2, every pixel in one window
    fixed.push(geom(2, 7, 9, c, 2, 2, 2, 2)); // odd sizes, valid: the last row/column in no window
    fixed.push(geom(1, 7, 5, c, 2, 2, 2, 2, 0, 0, 1, 1)); // "same": clipped windows at the end
    fixed.push(geom(2, 9, 9, c, 3, 3, 2, 2, 1, 1)); // 3×3 stride 2 pad 1: overlapping windows
    fixed.push(geom(1, 10, 11, c, 2, 2, 3, 3)); // stride 3 > window 2: gaps
    fixed.push(geom(1, 6, 6, c, 2, 2, 2, 2, 1, 1)); // 2×2 stride 2 with padding before
  }
  fixed.push(geom(64, 28, 28, 8, 2, 2, 2, 2)); // LeNet-5's POOL1
  fixed.push(geom(64, 10, 10, 16, 2, 2, 2, 2)); // POOL2
  fixed.push(geom(3, 1, 9, 6, 1, 3, 1, 3)); // maxPool1d-like: h = 1
  fixed.push(geom(2, 5, 4, 3, 1, 1, 1, 1)); // 1×1 windows
  fixed.push(geom(2, 8, 7, 5, 3, 2, 1, 2, 1, 0, 1, 1)); // overlap on one axis only
  const rng = new Rng(7);
  for (const g of fixed)
    it(label(g), () => {
      check(g, tiedData(g.m * g.h * g.w * g.c, rng), gradData(g.m * g.oh * g.ow * g.c, rng));
    });

  it("200 random geometries (windows, strides, padding, channels), tied data with ±0, NaN, ±Infinity", () => {
    const r = new Rng(11);
    const int = (lo: number, hi: number): number => lo + Math.floor(r.uniform() * (hi - lo + 1));
    const channels = [1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17];
    for (let t = 0; t < 200; t++) {
      const fh = int(1, 4), fw = int(1, 4);
      const sh = int(1, 4), sw = int(1, 4);
      const pt = int(0, fh - 1), pb = int(0, fh - 1), pl = int(0, fw - 1), pr = int(0, fw - 1);
      const h = int(Math.max(1, fh - pt - pb), 13), w = int(Math.max(1, fw - pl - pr), 13);
      const g = geom(int(1, 3), h, w, channels[int(0, channels.length - 1)]!, fh, fw, sh, sw, pt, pl, pb, pr);
      if (g.oh < 1 || g.ow < 1) continue;
      // every window holds at least one input pixel
      if ((g.oh - 1) * sh - pt >= h || (g.ow - 1) * sw - pl >= w) continue;
      check(g, tiedData(g.m * g.h * g.w * g.c, r, t % 3 !== 0), gradData(g.m * g.oh * g.ow * g.c, r));
    }
  });
});

describe("the maxPool2d op keeps the reference's bits", () => {
  afterAll(() => void cl.useWasmKernels());
  it("forward and backward, float32, on the WASM and the reference kernels (codes, argmax for overlapping windows, x for a 17×17 window)", () => {
    const shapes: [number[], cl.Pool2dOptions][] = [
      [[4, 12, 12, 8], { size: 2 }],
      [[3, 9, 7, 6], { size: 3, stride: 2, padding: "same" }],
      [[2, 7, 7, 17], { size: 2, padding: "same" }],
      [[2, 11, 10, 3], { size: 2, stride: 3 }],
      [[2, 20, 19, 5], { size: 17, stride: 2 }],
      [[2, 40, 38, 5], { size: 17, stride: 17 }],
    ];
    const run = (): Float32Array[] => shapes.flatMap(([shape, opts], i) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = cl.tensor(tiedData(n, new Rng(100 + i)), shape, { requiresGrad: true });
      const y = cl.maxPool2d(x, opts);
      const dy = gradData(y.size, new Rng(200 + i));
      cl.sum(cl.mul(y, cl.tensor(dy, y.shape))).backward();
      return [y.data as Float32Array, x.grad!.data as Float32Array];
    });
    const fast = run();
    cl.useReferenceKernels();
    const ref = run();
    fast.forEach((a, i) => expectSameBits(a, ref[i]!, `output ${i}`));
  });

  it("maxPool1d and maxPool3d (the 2-D kernels per slice, then over depth), float32, WASM = reference", () => {
    cl.useWasmKernels();
    const cases: [number[], (x: cl.Tensor) => cl.Tensor][] = [
      [[3, 17, 6], (x) => cl.maxPool1d(x, { size: 2 })],
      [[2, 15, 5], (x) => cl.maxPool1d(x, { size: 3, stride: 2, padding: "same" })],
      [[2, 6, 8, 7, 4], (x) => cl.maxPool3d(x, { size: 2 })],
      [[1, 5, 6, 6, 3], (x) => cl.maxPool3d(x, { size: 3, stride: 2, padding: "same" })],
    ];
    const run = (): Float32Array[] => cases.flatMap(([shape, f], i) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = cl.tensor(tiedData(n, new Rng(300 + i)), shape, { requiresGrad: true });
      const y = f(x);
      cl.sum(cl.mul(y, cl.tensor(gradData(y.size, new Rng(400 + i)), y.shape))).backward();
      return [y.data as Float32Array, x.grad!.data as Float32Array];
    });
    const fast = run();
    cl.useReferenceKernels();
    const ref = run();
    fast.forEach((a, i) => expectSameBits(a, ref[i]!, `output ${i}`));
  });
});
