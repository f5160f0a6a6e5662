// No allocation growth per training step: 1000 LeNet-5-shaped steps through the WASM kernels
// (conv, pool and dense, forward and both gradients, with the worker pool) leave the WebAssembly
// memory at the size the first step reached, and the JS heap (after a full GC) where it was after
// 100 steps.
import { describe, it, expect } from "vitest";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as cl from "../../../src/index.js";
import { kernel } from "../../../src/kernels/index.js";
import { conv2dGeom, poolGeom, randomData } from "./shapes.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("memory over 1000 training steps", () => {
  it("WASM memory and JS heap stay flat", () => {
    cl.setThreads(2);
    const m = 8;
    const c1 = conv2dGeom(m, 32, 32, 3, 8, 5), p1 = poolGeom(m, 28, 28, 8, 2, 2);
    const c2 = conv2dGeom(m, 14, 14, 8, 16, 5), p2 = poolGeom(m, 10, 10, 16, 2, 2);
    const x = randomData(m * 32 * 32 * 3, 1), w1 = randomData(5 * 5 * 3 * 8, 2), w2 = randomData(5 * 5 * 8 * 16, 3), w3 = randomData(400 * 120, 4);
    const conv = kernel("conv2d", "float32"), convDx = kernel("conv2dGradInput", "float32"), convDw = kernel("conv2dGradFilter", "float32");
    const pool = kernel("maxPool2d", "float32"), poolGrad = kernel("maxPool2dGrad", "float32"), gemm = kernel("gemm", "float32");
    let last = new Float32Array(0);
    const step = (): void => {
      const a1 = new Float32Array(m * 28 * 28 * 8), z1 = new Float32Array(m * 14 * 14 * 8), arg1 = new Int32Array(z1.length);
      conv(x, w1, a1, c1);
      pool(a1, z1, arg1, p1);
      const a2 = new Float32Array(m * 10 * 10 * 16), z2 = new Float32Array(m * 400), arg2 = new Int32Array(z2.length);
      conv(z1, w2, a2, c2);
      pool(a2, z2, arg2, p2);
      const h = new Float32Array(m * 120);
      gemm(z2, w3, h, { m, n: 120, k: 400 });
      // backward with dh = h
      const dw3 = new Float32Array(400 * 120), dz2 = new Float32Array(m * 400);
      gemm(z2, h, dw3, { m: 400, n: 120, k: m, transA: true });
      gemm(h, w3, dz2, { m, n: 400, k: 120, transB: true });
      const da2 = new Float32Array(a2.length), dw2 = new Float32Array(w2.length), dz1 = new Float32Array(z1.length);
      poolGrad(dz2, arg2, da2, p2);
      convDw(z1, da2, dw2, c2);
      convDx(da2, w2, dz1, c2);
      const da1 = new Float32Array(a1.length), dw1 = new Float32Array(w1.length);
      poolGrad(dz1, arg1, da1, p1);
      convDw(x, da1, dw1, c1);
      last = dw1;
    };
    step();
    const bytes = cl.wasmMemoryStats()!.bytes;
    for (let i = 1; i < 100; i++) step();
    gc();
    const heap100 = process.memoryUsage().heapUsed;
    // WASM memory is checked after every step, but asserted once: an `expect` per step keeps
    // vitest's assertion records on the JS heap (≈ 600 bytes each), which is what we measure.
    const grown: number[] = [];
    for (let i = 100; i < 1000; i++) {
      step();
      const now = cl.wasmMemoryStats()!.bytes;
      if (now !== bytes && grown.length < 5) grown.push(i, now);
    }
    gc();
    const heap1000 = process.memoryUsage().heapUsed;
    expect(grown, `WASM memory changed from ${bytes} bytes at (step, bytes)`).toEqual([]);
    expect(heap1000 - heap100, `heap after 100 steps ${heap100}, after 1000 ${heap1000}`).toBeLessThan(512 * 1024);
    expect(last.every((v) => Number.isFinite(v)) && last.some((v) => v !== 0)).toBe(true);
  });
});
