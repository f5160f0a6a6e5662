// The worker pool: identical results for 1 and 2 threads (every reduction has a fixed order),
// work really shared with the workers, setThreads validation, and the single-thread engine the
// browser entry compiles from the embedded base64 bytes giving the same bits.
import { describe, it, expect, afterAll } from "vitest";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as cl from "../../../src/index.js";
import { kernel, referenceKernels } from "../../../src/kernels/index.js";
import type { KernelSet } from "../../../src/kernels/index.js";
import { WasmEngine } from "../../../src/kernels/wasm/engine.js";
import { wasmKernelSet } from "../../../src/kernels/wasm/kernels.js";
import { KERNELS_SINGLE_WASM_BASE64 } from "../../../src/kernels/wasm/bytes.js";
import { fromBase64 } from "../../../src/kernels/wasm/wasmapi.js";
import { INITIAL_PAGES, MAXIMUM_PAGES, ARENA_BASE } from "../../../src/kernels/wasm/layout.js";
import { conv2dGeom, depthwiseGeom, poolGeom, randomData } from "./shapes.js";

type Run = (k: Pick<KernelSet, keyof KernelSet>) => Float32Array[];

// each case is big enough (≥ 4e6 flops) to be split over the threads
const g = conv2dGeom(4, 20, 20, 16, 16, 3, { p: 1 });
const gs = conv2dGeom(12, 21, 21, 8, 24, 3, { s: 2, p: 1 });
const gv = conv2dGeom(16, 14, 14, 8, 16, 5); // valid 5×5: the input gradient takes the col2im form
const gr = conv2dGeom(8, 4, 4, 160, 136, 3, { p: 1 }); // ResNet-like: the filter gradient packs dy and x
const gd = depthwiseGeom(8, 32, 32, 32, 1, 3, { p: 1 });
const gp = poolGeom(16, 64, 64, 16, 3, 2, 1);
const gp2 = poolGeom(32, 64, 63, 12, 2, 2, 0, 1); // 2×2 stride 2 ("same" on the odd width): the direct path
const gp3 = poolGeom(32, 97, 96, 12, 2, 3); // stride 3 > window 2: gaps, windows that do not overlap
const x = randomData(g.m * g.h * g.w * g.c, 1), w = randomData(9 * g.c * g.k, 2), dy = randomData(g.m * g.oh * g.ow * g.k, 3);
const xs = randomData(gs.m * gs.h * gs.w * gs.c, 4), ws = randomData(9 * gs.c * gs.k, 5), dys = randomData(gs.m * gs.oh * gs.ow * gs.k, 6);
const wv = randomData(25 * 8 * 16, 14), dyv = randomData(gv.m * gv.oh * gv.ow * gv.k, 15);
const xr = randomData(gr.m * gr.h * gr.w * gr.c, 20), wr = randomData(9 * gr.c * gr.k, 21), dyr = randomData(gr.m * gr.oh * gr.ow * gr.k, 22);
const xd = randomData(gd.m * gd.h * gd.w * gd.c, 7), wd = randomData(9 * gd.c, 8), dyd = randomData(gd.m * gd.oh * gd.ow * gd.c, 9);
const xp = randomData(gp.m * gp.h * gp.w * gp.c, 10), dyp = randomData(gp.m * gp.oh * gp.ow * gp.c, 11);
const xp2 = randomData(gp2.m * gp2.h * gp2.w * gp2.c, 20), dyp2 = randomData(gp2.m * gp2.oh * gp2.ow * gp2.c, 21);
const xp3 = randomData(gp3.m * gp3.h * gp3.w * gp3.c, 22), dyp3 = randomData(gp3.m * gp3.oh * gp3.ow * gp3.c, 23);
const a = randomData(256 * 300, 12), b = randomData(300 * 200, 13);
// batch norm over [20000, 13]: 16 row blocks of 1260 rows, the last one partial
const gb = { n: 20000, c: 13, eps: 1e-5, training: true };
const xb = randomData(gb.n * gb.c, 16).map((v) => 3 + v), dyb = randomData(gb.n * gb.c, 17);
const gammab = randomData(gb.c, 18), betab = randomData(gb.c, 19);
const bytes = (v: Float64Array): Float32Array => new Float32Array(v.buffer);

const cases: [string, Run][] = [
  ["conv2d forward, 3×3 same", (k) => [call(g.m * g.oh * g.ow * g.k, (o) => k.conv2d(x, w, o, g))]],
  ["conv2d input gradient, stride 2", (k) => [call(xs.length, (o) => k.conv2dGradInput(dys, ws, o, gs))]],
  ["conv2d input gradient, col2im form", (k) => [call(gv.m * gv.h * gv.w * gv.c, (o) => k.conv2dGradInput(dyv, wv, o, gv))]],
  ["conv2d filter gradient", (k) => [call(w.length, (o) => k.conv2dGradFilter(x, dy, o, g)), call(ws.length, (o) => k.conv2dGradFilter(xs, dys, o, gs))]],
  ["conv2d, 160 → 136 channels at 4×4: forward and both gradients", (k) => [
    call(dyr.length, (o) => k.conv2d(xr, wr, o, gr)),
    call(xr.length, (o) => k.conv2dGradInput(dyr, wr, o, gr)),
    call(wr.length, (o) => k.conv2dGradFilter(xr, dyr, o, gr)),
  ]],
  ["gemm 256×300·300×200", (k) => [call(256 * 200, (o) => k.gemm(a, b, o, { m: 256, n: 200, k: 300 }))]],
  ["depthwise forward and gradients", (k) => [
    call(dyd.length, (o) => k.depthwise(xd, wd, o, gd)),
    call(xd.length, (o) => k.depthwiseGradInput(dyd, wd, o, gd)),
    call(wd.length, (o) => k.depthwiseGradFilter(xd, dyd, o, gd)),
  ]],
  ["batch norm forward (training and inference) and gradients", (k) => {
    const mean = new Float64Array(gb.c), variance = new Float64Array(gb.c), invStd = new Float64Array(gb.c);
    const y = call(xb.length, (o) => k.batchNorm(xb, gammab, betab, o, mean, variance, invStd, gb));
    const dGamma = new Float64Array(gb.c), dBeta = new Float64Array(gb.c);
    const dx = call(xb.length, (o) => k.batchNormGrad(dyb, xb, gammab, mean, invStd, o, dGamma, dBeta, gb));
    const evalGeom = { ...gb, training: false };
    const yEval = call(xb.length, (o) => k.batchNorm(xb, gammab, betab, o, mean.slice(), variance.slice(), new Float64Array(gb.c), evalGeom));
    const dxEval = call(xb.length, (o) => k.batchNormGrad(dyb, xb, gammab, mean, invStd, o, new Float64Array(gb.c), new Float64Array(gb.c), evalGeom));
    return [y, bytes(mean), bytes(variance), bytes(invStd), dx, bytes(dGamma), bytes(dBeta), yEval, dxEval];
  }],
  ["pooling forward and gradients", (k) => {
    const arg = new Int32Array(dyp.length);
    const y = call(dyp.length, (o) => k.maxPool2d(xp, o, arg, gp));
    return [y, new Float32Array(arg.buffer), call(xp.length, (o) => k.maxPool2dGrad(dyp, arg, o, gp)),
      call(dyp.length, (o) => k.avgPool2d(xp, o, gp)), call(xp.length, (o) => k.avgPool2dGrad(dyp, o, gp))];
  }],
  ["max pooling without an argmax, gradient from x (overlapping, 2×2 stride 2, gaps)", (k) => [
    call(dyp.length, (o) => k.maxPool2d(xp, o, null, gp)), call(xp.length, (o) => k.maxPool2dGradX(xp, dyp, o, gp)),
    call(dyp2.length, (o) => k.maxPool2d(xp2, o, null, gp2)), call(xp2.length, (o) => k.maxPool2dGradX(xp2, dyp2, o, gp2)),
    call(dyp3.length, (o) => k.maxPool2d(xp3, o, null, gp3)), call(xp3.length, (o) => k.maxPool2dGradX(xp3, dyp3, o, gp3)),
  ]],
  ["max pooling with window codes (overlapping, 2×2 stride 2, gaps)", (k) => [gp, gp2, gp3].flatMap((gq, i) => {
    const [xq, dyq] = [[xp, dyp], [xp2, dyp2], [xp3, dyp3]][i]!;
    const code = new Uint8Array(dyq.length);
    const y = call(dyq.length, (o) => k.maxPool2dCode(xq, o, code, gq));
    return [y, new Float32Array(code.slice().buffer), call(xq.length, (o) => k.maxPool2dGradCode(code, dyq, o, gq))];
  })],
];

function call(n: number, fn: (out: Float32Array) => void): Float32Array {
  const out = new Float32Array(n);
  fn(out);
  return out;
}

const current = (): Pick<KernelSet, keyof KernelSet> => {
  const names = ["gemm", "conv2d", "conv2dGradInput", "conv2dGradFilter", "depthwise", "depthwiseGradInput", "depthwiseGradFilter", "maxPool2d", "maxPool2dGrad", "maxPool2dGradX", "maxPool2dCode", "maxPool2dGradCode", "avgPool2d", "avgPool2dGrad", "batchNorm", "batchNormGrad"] as const;
  return Object.fromEntries(names.map((n) => [n, kernel(n, "float32")])) as unknown as KernelSet;
};

afterAll(() => {
  cl.setThreads(2);
});

describe("worker pool", () => {
  it("setThreads takes a positive integer and reports the count in effect", () => {
    expect(cl.setThreads(1)).toBe(1);
    expect(cl.getThreads()).toBe(1);
    expect(cl.setThreads(2)).toBe(2);
    expect(() => cl.setThreads(0)).toThrow(/setThreads: expected a positive integer, got 0/);
    expect(() => cl.setThreads(1.5)).toThrow(/setThreads: expected a positive integer, got 1.5/);
  });

  for (const [name, run] of cases)
    it(`${name}: 1 and 2 threads give identical bits`, () => {
      cl.setThreads(1);
      const one = run(current());
      cl.setThreads(2);
      const before = cl.wasmMemoryStats()!.workerTasks;
      let two = run(current());
      // a worker may be slow to wake on a busy machine; repeat until it has taken a task
      for (let i = 0; i < 50 && cl.wasmMemoryStats()!.workerTasks === before; i++) two = run(current());
      expect(cl.wasmMemoryStats()!.workerTasks).toBeGreaterThan(before);
      expect(two.length).toBe(one.length);
      for (let i = 0; i < one.length; i++) expect(Buffer.from(two[i]!.buffer).equals(Buffer.from(one[i]!.buffer)), `output ${i}`).toBe(true);
    });

  it("shutdownThreads stops the workers and the next big op starts them again", () => {
    cl.shutdownThreads();
    const k = current();
    const again = call(g.m * g.oh * g.ow * g.k, (o) => k.conv2d(x, w, o, g));
    cl.setThreads(1);
    const one = call(g.m * g.oh * g.ow * g.k, (o) => k.conv2d(x, w, o, g));
    expect(Array.from(again)).toEqual(Array.from(one));
  });
});

describe("single-thread engine of the browser entry", () => {
  it("bytes.ts holds exactly the compiled kernels-single.wasm", () => {
    const onDisk = readFileSync(fileURLToPath(new URL("../../../src/kernels/wasm/build/kernels-single.wasm", import.meta.url)));
    expect(Buffer.from(fromBase64(KERNELS_SINGLE_WASM_BASE64)).equals(onDisk)).toBe(true);
  });

  // the browser's module is the plain-SIMD build: it equals the pool when the pool runs that build
  // too (the "simd" suite, CONVLAB_WASM_RELAXED=0); the relaxed build rounds its multiply-adds once
  it.runIf(cl.kernelBackend() === "wasm")("gives the same bits as the pool (plain-SIMD build)", () => {
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(fromBase64(KERNELS_SINGLE_WASM_BASE64)), { env: { memory } });
    const single = wasmKernelSet(new WasmEngine(instance, memory));
    cl.setThreads(2);
    for (const [, run] of cases) {
      const ref = run(current());
      const got = run(single);
      for (let i = 0; i < ref.length; i++) expect(Buffer.from(got[i]!.buffer).equals(Buffer.from(ref[i]!.buffer))).toBe(true);
    }
  });

  it("initWasm resolves to the active backend", async () => {
    const active = cl.kernelBackend();
    expect(active).toMatch(/^wasm(-relaxed)?$/);
    await expect(cl.initWasm()).resolves.toBe(active);
    cl.useReferenceKernels();
    expect(cl.kernelBackend()).toBe("ts");
    expect(cl.useWasmKernels()).toBe(true);
    expect(cl.kernelBackend()).toBe(active);
  });
});

describe("a call too big for the WebAssembly memory", () => {
  // compared bit for bit with the plain-SIMD build's GEMM inside the reference (the "simd" suite)
  it.runIf(cl.kernelBackend() === "wasm")("runs on the reference kernel instead (same result, no error)", () => {
    const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(fromBase64(KERNELS_SINGLE_WASM_BASE64)), { env: { memory } });
    const eng = new WasmEngine(instance, memory);
    eng.maxBytes = 1 << 20; // 1 MiB: the conv below needs ~2.5 MiB
    const small = wasmKernelSet(eng);
    const y = call(g.m * g.oh * g.ow * g.k, (o) => small.conv2d(x, w, o, g));
    const yRef = call(y.length, (o) => referenceKernels.conv2d(x, w, o, g));
    expect(Array.from(y)).toEqual(Array.from(yRef));
    // and a call that fits still runs on the engine
    const yd = new Float32Array(4);
    small.gemm(Float32Array.of(1, 2), Float32Array.of(3, 4), yd, { m: 2, n: 2, k: 1 });
    expect(Array.from(yd)).toEqual([3, 4, 6, 8]);
    expect(eng.highWater).toBeGreaterThan(ARENA_BASE);
    expect(eng.highWater).toBeLessThanOrEqual(1 << 20);
  });
});
