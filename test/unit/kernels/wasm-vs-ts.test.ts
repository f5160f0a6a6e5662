// The WASM SIMD float32 kernels against the TypeScript reference kernels run in float64 (the
// oracle), over odd sizes, strides, padding (also uneven), dilation, batch 1 and larger. Tolerance:
// |wasm − ref| ≤ atol + rtol·|ref| with atol = 1e-6·K (K = terms summed per output, the float32
// rounding bound grows with it) and rtol = 1e-5; max pooling must match exactly.
import { describe, it, expect, beforeAll } from "vitest";
import "../../../src/index.js";
import { kernel, kernelBackend, referenceKernels, type KernelSet } from "../../../src/kernels/index.js";
import type { Conv2dGeom, Conv3dGeom, DepthwiseGeom, Pool2dGeom } from "../../../src/kernels/types.js";
import { conv2dGeom, conv3dGeom, depthwiseGeom, poolGeom, randomData, worstRatio, label } from "./shapes.js";
import { currentEngine } from "../../../src/kernels/accelerate.js";
import { gradInputPhases, gradInputCol2im, preferCol2im, as3d as depth1 } from "../../../src/kernels/wasm/conv.js";

const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);
const RTOL = 1e-5;

function expectNear(actual: Float32Array, expected: Float64Array, terms: number): void {
  const ratio = worstRatio(actual, expected, 1e-6 * terms, RTOL);
  expect(ratio, `worst |a−b| / tolerance (K = ${terms})`).toBeLessThanOrEqual(1);
}

type Fn = (a: Float32Array | Float64Array, b: Float32Array | Float64Array, c: Float32Array | Float64Array, g: unknown) => void;
const fn = (name: keyof KernelSet, ref = false): Fn => (ref ? referenceKernels[name] : kernel(name, "float32")) as unknown as Fn;

/**
 * A conv family's forward, input gradient and filter gradient on the WASM kernels against the
 * reference in float64; `terms` are the terms summed per output of each (for the tolerance).
 */
function checkConvFamily(names: [keyof KernelSet, keyof KernelSet, keyof KernelSet], g: unknown, x: Float32Array, w: Float32Array, dy: Float32Array, terms: [number, number, number]): void {
  const [fwd, gradInput, gradFilter] = names;
  const y = new Float32Array(dy.length).fill(NaN), yRef = new Float64Array(dy.length);
  fn(fwd)(x, w, y, g);
  fn(fwd, true)(f64(x), f64(w), yRef, g);
  expectNear(y, yRef, terms[0]);
  const dx = new Float32Array(x.length).fill(NaN), dxRef = new Float64Array(x.length);
  fn(gradInput)(dy, w, dx, g);
  fn(gradInput, true)(f64(dy), f64(w), dxRef, g);
  expectNear(dx, dxRef, terms[1]);
  const dw = new Float32Array(w.length).fill(NaN), dwRef = new Float64Array(w.length);
  fn(gradFilter)(x, dy, dw, g);
  fn(gradFilter, true)(f64(x), f64(dy), dwRef, g);
  expectNear(dw, dwRef, terms[2]);
}

beforeAll(() => {
  expect(kernelBackend()).toMatch(/^wasm/);
});

describe("wasm gemm = reference gemm", () => {
  const cases: [number, number, number, boolean, boolean, boolean][] = [
    [1, 1, 1, false, false, false], [5, 7, 3, false, false, false], [33, 17, 65, false, false, true],
    [64, 120, 400, false, false, false], [64, 120, 400, true, false, false], [64, 120, 400, false, true, false],
    [9, 84, 120, true, true, true], [3, 10, 84, false, true, true], [130, 9, 31, true, false, true],
    [17, 3, 50, true, false, true], [21, 4, 7, false, true, false], [8, 1, 300, false, false, false],
  ];
  for (const [m, n, k, transA, transB, accumulate] of cases)
    it(`m=${m} n=${n} k=${k} transA=${transA} transB=${transB} accumulate=${accumulate}, with offsets`, () => {
      const aOffset = 3, bOffset = 5, cOffset = 7;
      const a = randomData(aOffset + m * k, 1), b = randomData(bOffset + k * n, 2), c0 = randomData(cOffset + m * n + 2, 3);
      const c = c0.slice();
      kernel("gemm", "float32")(a, b, c, { m, n, k, transA, transB, accumulate, aOffset, bOffset, cOffset });
      const ref = f64(c0);
      referenceKernels.gemm(f64(a), f64(b), ref, { m, n, k, transA, transB, accumulate, aOffset, bOffset, cOffset });
      expectNear(c, ref, k + 1);
      // outside [cOffset, cOffset + m·n) nothing changes
      expect(Array.from(c.subarray(0, cOffset))).toEqual(Array.from(c0.subarray(0, cOffset)));
      expect(Array.from(c.subarray(cOffset + m * n))).toEqual(Array.from(c0.subarray(cOffset + m * n)));
    });
});

const conv2dCases: Conv2dGeom[] = [
  conv2dGeom(1, 6, 6, 1, 1, 3),
  conv2dGeom(2, 7, 9, 3, 5, 3, { p: 1 }),
  conv2dGeom(1, 8, 8, 4, 8, 3, { s: 2, p: 1 }),
  conv2dGeom(3, 11, 6, 5, 13, 5, { s: 2, p: 2 }),
  conv2dGeom(2, 9, 9, 6, 3, 3, { p: 2, d: 2 }),
  conv2dGeom(1, 5, 5, 2, 2, 1, { s: 2 }),
  conv2dGeom(2, 10, 10, 3, 17, 4, { s: 3, p: 1 }),
  conv2dGeom(1, 10, 7, 8, 16, 2, { s: 1, p: 0, pa: 1 }), // "same" for an even filter: the extra pixel after
  conv2dGeom(1, 13, 13, 7, 9, [3, 5], { s: [2, 1], p: 2 }),
  conv2dGeom(9, 12, 12, 16, 24, 3, { p: 1 }),
  conv2dGeom(4, 14, 14, 19, 8, 1),
  conv2dGeom(5, 16, 16, 3, 8, 5), // S1-like
  conv2dGeom(2, 12, 12, 8, 16, 3, { s: 2, p: 1, d: 2 }),
  conv2dGeom(1, 4, 4, 3, 2, 4, { p: 3 }), // padding larger than half the filter
  conv2dGeom(2, 9, 9, 5, 6, 3, { s: 4, p: 0 }), // stride larger than the filter: some inputs unused
  conv2dGeom(2, 4, 5, 2, 8, 2, { p: 3 }), // windows entirely inside the padding
  conv2dGeom(2, 4, 5, 2, 8, 2, { p: 3, d: 2 }), // the same, dilated
  conv2dGeom(3, 12, 12, 16, 32, 5), // valid 5×5 with 16 channels (col2im chosen)
  conv2dGeom(2, 7, 7, 1, 6, 3), // kd = 9 (a 16-wide panel for col2im's dcol), 6 filters
  conv2dGeom(2, 9, 8, 12, 13, 3, { p: 1 }), // 13 filters, 12 channels: the 2×16 blocks
  // the filter gradient's packed operands (rows ≥ 512 bytes apart): dy with k ≥ 128 (a partial
  // last panel), x with a pixel stride ≥ 512 bytes (c ≥ 128, or c ≥ 64 at stride 2)
  conv2dGeom(2, 4, 4, 130, 131, 3, { p: 1 }),
  conv2dGeom(2, 6, 6, 64, 129, 3, { s: 2, p: 1 }),
  conv2dGeom(2, 9, 9, 45, 20, 3, { s: 3, p: 1 }), // packed x, blocks ending short of 4 kd
  conv2dGeom(17, 8, 8, 128, 128, 3, { p: 1 }), // 1088 pixels: two pixel groups
  conv2dGeom(3, 4, 4, 256, 136, 1, { s: 2 }), // 1×1 stride-2 projection
];

describe("wasm conv2d = reference (forward, input gradient, filter gradient)", () => {
  for (const g of conv2dCases)
    it(label(g), () => {
      const x = randomData(g.m * g.h * g.w * g.c, 11), w = randomData(g.fh * g.fw * g.c * g.k, 12);
      const dy = randomData(g.m * g.oh * g.ow * g.k, 13);
      checkConvFamily(["conv2d", "conv2dGradInput", "conv2dGradFilter"], g, x, w, dy, [g.fh * g.fw * g.c, g.fh * g.fw * g.k, g.m * g.oh * g.ow]);
    });
});

const conv3dCases: Conv3dGeom[] = [
  conv3dGeom(1, 4, 5, 6, 2, 3, 3, { p: 1 }),
  conv3dGeom(2, 5, 5, 5, 3, 9, 2, { s: 2 }),
  conv3dGeom(1, 7, 6, 5, 4, 8, 3, { s: 2, p: 1, d: 1 }),
  conv3dGeom(2, 6, 6, 6, 1, 4, 2, { p: 1, d: 2 }),
];

describe("wasm conv3d = reference", () => {
  for (const g of conv3dCases)
    it(label(g), () => {
      const x = randomData(g.m * g.d * g.h * g.w * g.c, 21), w = randomData(g.fd * g.fh * g.fw * g.c * g.k, 22);
      const dy = randomData(g.m * g.od * g.oh * g.ow * g.k, 23);
      const taps = g.fd * g.fh * g.fw;
      checkConvFamily(["conv3d", "conv3dGradInput", "conv3dGradFilter"], g, x, w, dy, [taps * g.c, taps * g.k, g.m * g.od * g.oh * g.ow]);
    });
});

const depthwiseCases: DepthwiseGeom[] = [
  depthwiseGeom(1, 6, 6, 4, 1, 3, { p: 1 }),
  depthwiseGeom(2, 9, 7, 5, 1, 3, { s: 2, p: 1 }),
  depthwiseGeom(2, 8, 8, 17, 1, 3, { p: 2, d: 2 }),
  depthwiseGeom(3, 10, 10, 33, 1, 5, { s: 2, p: 2 }),
  depthwiseGeom(1, 7, 7, 3, 2, 3, { p: 1 }),
  depthwiseGeom(2, 6, 9, 4, 3, 2, { s: 2, p: 0, pa: 1 }),
  depthwiseGeom(4, 12, 12, 16, 1, 3, { p: 1 }),
];

describe("wasm depthwise conv2d = reference", () => {
  for (const g of depthwiseCases)
    it(label(g), () => {
      const k = g.c * g.mult;
      const x = randomData(g.m * g.h * g.w * g.c, 31), w = randomData(g.fh * g.fw * k, 32), dy = randomData(g.m * g.oh * g.ow * k, 33);
      checkConvFamily(["depthwise", "depthwiseGradInput", "depthwiseGradFilter"], g, x, w, dy, [g.fh * g.fw, g.fh * g.fw * g.mult, g.m * g.oh * g.ow]);
    });
});

const poolCases: Pool2dGeom[] = [
  poolGeom(1, 4, 4, 1, 2, 2),
  poolGeom(2, 7, 9, 3, 3, 2),
  poolGeom(2, 8, 8, 6, 3, 1, 1),
  poolGeom(3, 9, 9, 8, 2, 2, 0, 1), // "same": the extra pixel after
  poolGeom(1, 5, 11, 13, 5, 3, 2),
  poolGeom(4, 28, 28, 8, 2, 2),
];

/** Values on a coarse grid so that windows hold ties. */
function tiedData(n: number, seed: number): Float32Array {
  return randomData(n, seed).map((v) => Math.round(v * 2) / 2);
}

describe("wasm pooling = reference", () => {
  for (const g of poolCases)
    it(label(g), () => {
      const nx = g.m * g.h * g.w * g.c, ny = g.m * g.oh * g.ow * g.c;
      const x = tiedData(nx, 41);
      x[5] = NaN; // NaN propagates through max
      const y = new Float32Array(ny), arg = new Int32Array(ny);
      const yRef = new Float32Array(ny), argRef = new Int32Array(ny);
      kernel("maxPool2d", "float32")(x, y, arg, g);
      referenceKernels.maxPool2d(x, yRef, argRef, g);
      expect(Array.from(y)).toEqual(Array.from(yRef));
      expect(Array.from(arg)).toEqual(Array.from(argRef));
      const dy = randomData(ny, 42);
      const dx = new Float32Array(nx).fill(NaN), dxRef = new Float64Array(nx);
      kernel("maxPool2dGrad", "float32")(dy, arg, dx, g);
      referenceKernels.maxPool2dGrad(f64(dy), arg, dxRef, g);
      expectNear(dx, dxRef, g.fh * g.fw);

      const xa = randomData(nx, 43);
      const ya = new Float32Array(ny), yaRef = new Float64Array(ny);
      kernel("avgPool2d", "float32")(xa, ya, g);
      referenceKernels.avgPool2d(f64(xa), yaRef, g);
      expectNear(ya, yaRef, g.fh * g.fw);
      const dxa = new Float32Array(nx).fill(NaN), dxaRef = new Float64Array(nx);
      kernel("avgPool2dGrad", "float32")(dy, dxa, g);
      referenceKernels.avgPool2dGrad(f64(dy), dxaRef, g);
      expectNear(dxa, dxaRef, g.fh * g.fw);
    });
});

describe("both forms of the wasm input gradient = reference", () => {
  const eng = currentEngine()!;
  const cases: Conv3dGeom[] = [...conv2dCases.map(depth1), ...conv3dCases];
  it("the chooser takes col2im for few channels or valid padding, phases otherwise", () => {
    expect(preferCol2im(depth1(conv2dGeom(64, 32, 32, 3, 8, 5)))).toBe(true); // S1: 3 channels
    expect(preferCol2im(depth1(conv2dGeom(64, 14, 14, 8, 16, 5)))).toBe(true); // LeNet conv2: valid 5×5
    expect(preferCol2im(depth1(conv2dGeom(8, 56, 56, 64, 64, 3, { p: 1 })))).toBe(false); // S2
    expect(preferCol2im(depth1(conv2dGeom(16, 56, 56, 64, 128, 3, { s: 2, p: 1 })))).toBe(false); // S4
    expect(preferCol2im(depth1(conv2dGeom(16, 28, 28, 192, 16, 1)))).toBe(false); // S3
  });
  for (const g of cases)
    it(label(g), () => {
      const dy = randomData(g.m * g.od * g.oh * g.ow * g.k, 51), w = randomData(g.fd * g.fh * g.fw * g.c * g.k, 52);
      const nx = g.m * g.d * g.h * g.w * g.c;
      const ref = new Float64Array(nx);
      referenceKernels.conv3dGradInput(f64(dy), f64(w), ref, g);
      for (const form of [gradInputPhases, gradInputCol2im]) {
        const dx = new Float32Array(nx).fill(NaN);
        form(eng, dy, w, dx, g);
        expectNear(dx, ref, g.fd * g.fh * g.fw * g.k);
      }
    });
});
