// The WASM depthwise kernels' 3×3 mult-1 paths (fused epilogue in the forward store, pixel-major
// rows when ow < 24, pixels c + 16 floats apart in the arena when c is a multiple of 512, filter
// gradient over fixed row blocks summed in task order) and the generic paths beside them, against
// the TypeScript reference run in float64 over randomised geometries: odd sizes, strides 1/2,
// padding same/valid (also uneven), dilation 1/2, mult 1/2, channels not a multiple of 4.
// Tolerance |wasm − ref| ≤ 1e-6·K + 1e-5·|ref| (K = terms per output). Then 1 and 2 threads give
// identical bits on shapes large enough to be split.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import * as cl from "../../../src/index.js";
import { kernel, kernelBackend, referenceKernels } from "../../../src/kernels/index.js";
import { applyEpilogue } from "../../../src/kernels/ts/epilogue.js";
import type { DepthwiseGeom, Epilogue } from "../../../src/kernels/types.js";
import { Rng } from "../../../src/util/rng.js";
import { depthwiseGeom, randomData, worstRatio, label } from "./shapes.js";

const f64 = (a: Float32Array): Float64Array => Float64Array.from(a);
type Fn = (a: unknown, b: unknown, c: unknown, g: DepthwiseGeom, ep?: Epilogue) => void;
const wasm = (n: "depthwise" | "depthwiseGradInput" | "depthwiseGradFilter"): Fn => kernel(n, "float32") as unknown as Fn;
const ref = (n: "depthwise" | "depthwiseGradInput" | "depthwiseGradFilter"): Fn => referenceKernels[n] as unknown as Fn;

function near(a: Float32Array, b: Float64Array, terms: number, what: string): void {
  expect(worstRatio(a, b, 1e-6 * terms, 1e-5), `${what}: worst |a−b| / tolerance (K = ${terms})`).toBeLessThanOrEqual(1);
}

/** A random geometry; every fourth one forced onto the 3×3 mult-1 path with c = 128 or 512. */
function randomGeom(r: Rng, i: number): DepthwiseGeom {
  const big = i % 4 === 3;
  const f = big || r.uniform() < 0.7 ? 3 : [1, 2, 5][r.int(3)]!;
  const mult = big || r.uniform() < 0.7 ? 1 : 2;
  const c = big ? [128, 512][r.int(2)]! : [1, 3, 4, 5, 8, 13, 16, 31][r.int(8)]!;
  const s = 1 + r.int(2), d = r.uniform() < 0.2 ? 2 : 1;
  // every eighth: rows of ≥ 24 pixels (channel-major loops, skewed pixels)
  const wide = i % 8 === 7;
  const h = (big ? 3 : 5) + r.int(big ? 8 : 30), w = wide ? 24 + r.int(6) : (big ? 3 : 5) + r.int(big ? 8 : 30);
  const same = r.uniform() < 0.6;
  const p = same ? Math.floor((d * (f - 1)) / 2) : 0, pa = same ? d * (f - 1) - p : 0;
  return depthwiseGeom(1 + r.int(3), Math.max(h, d * (f - 1) + 1), Math.max(w, d * (f - 1) + 1), c, mult, f, { s, p, pa, d });
}

beforeAll(() => {
  expect(kernelBackend()).toMatch(/^wasm/);
});

afterAll(() => {
  cl.setThreads(2);
});

describe("wasm depthwise = reference, randomised", () => {
  const r = new Rng(1904);
  for (let i = 0; i < 40; i++) {
    const g = randomGeom(r, i);
    const acts = ["linear", "relu", "relu6"] as const;
    const act = acts[i % 3]!, withBias = i % 2 === 0, withScale = i % 5 < 2;
    it(`${label(g)} act=${act} bias=${withBias} scale=${withScale}`, () => {
      const k = g.c * g.mult, nx = g.m * g.h * g.w * g.c, ny = g.m * g.oh * g.ow * k, nf = g.fh * g.fw * k;
      const x = randomData(nx, 10 + i), w = randomData(nf, 100 + i), dy = randomData(ny, 200 + i);
      const bias = withBias ? randomData(k, 300 + i).map((v) => 3 * v) : null;
      const scale = withScale ? randomData(k, 400 + i).map((v) => 4 * v) : null;
      const ep: Epilogue = { bias, act, scale };
      const y = new Float32Array(ny).fill(NaN), yRef = new Float64Array(ny);
      wasm("depthwise")(x, w, y, g, ep);
      ref("depthwise")(f64(x), f64(w), yRef, g);
      // the reference epilogue on the float64 sums: the tolerance then also covers the rounding
      // the float32 kernel does before its scale and bias
      applyEpilogue(yRef, k, { bias: bias && f64(bias), act, scale: scale && f64(scale) });
      near(y, yRef, (g.fh * g.fw + 2) * (withScale ? 4 : 1), "forward with epilogue");
      const y0 = new Float32Array(ny).fill(NaN), y0Ref = new Float64Array(ny);
      wasm("depthwise")(x, w, y0, g);
      ref("depthwise")(f64(x), f64(w), y0Ref, g);
      near(y0, y0Ref, g.fh * g.fw, "forward");
      const dx = new Float32Array(nx).fill(NaN), dxRef = new Float64Array(nx);
      wasm("depthwiseGradInput")(dy, w, dx, g);
      ref("depthwiseGradInput")(f64(dy), f64(w), dxRef, g);
      near(dx, dxRef, g.fh * g.fw * g.mult, "input gradient");
      const dw = new Float32Array(nf).fill(NaN), dwRef = new Float64Array(nf);
      wasm("depthwiseGradFilter")(x, dy, dw, g);
      ref("depthwiseGradFilter")(f64(x), f64(dy), dwRef, g);
      near(dw, dwRef, g.m * g.oh * g.ow, "filter gradient");
    });
  }
});

describe("wasm depthwise 3×3: 1 and 2 threads give identical bits", () => {
  const shapes: DepthwiseGeom[] = [
    depthwiseGeom(8, 28, 28, 37, 1, 3, { p: 1 }), // ch-major rows, channel tail
    depthwiseGeom(4, 14, 14, 256, 1, 3, { s: 2, p: 0, pa: 1 }), // pixel-major rows, skewed pixels
    depthwiseGeom(2, 9, 9, 513, 1, 3, { p: 1 }),
    depthwiseGeom(2, 26, 26, 512, 1, 3, { p: 1 }), // channel-major rows, skewed pixels, dx as a flipped forward
  ];
  for (const g of shapes)
    it(label(g), () => {
      const k = g.c, nx = g.m * g.h * g.w * g.c, ny = g.m * g.oh * g.ow * k;
      const x = randomData(nx, 1), w = randomData(9 * k, 2), dy = randomData(ny, 3);
      const ep: Epilogue = { bias: randomData(k, 4), act: "relu6", scale: randomData(k, 5) };
      const run = (): Buffer[] => {
        const y = new Float32Array(ny), dx = new Float32Array(nx), dw = new Float32Array(9 * k);
        wasm("depthwise")(x, w, y, g, ep);
        wasm("depthwiseGradInput")(dy, w, dx, g);
        wasm("depthwiseGradFilter")(x, dy, dw, g);
        return [y, dx, dw].map((a) => Buffer.from(a.buffer));
      };
      cl.setThreads(1);
      const one = run();
      cl.setThreads(2);
      const two = run();
      for (let i = 0; i < 3; i++) expect(two[i]!.equals(one[i]!), `output ${i}`).toBe(true);
    });
});
