// Issue 19: Node runs the relaxed-SIMD build of the kernels (f32x4.relaxed_madd, a fused
// multiply-add, in the GEMM-like loops) where WebAssembly.validate accepts it, after setting V8's
// --experimental-wasm-relaxed-simd for its own process, and the plain-SIMD build otherwise or with
// CONVLAB_WASM_RELAXED=0; kernelBackend() says which. Both builds run the kernel comparisons and
// thread bit-identity tests: the "unit" suite on the default, the "simd" suite with
// CONVLAB_WASM_RELAXED=0 (vitest.config.ts).
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import * as cl from "../../../src/index.js";

const relaxedBytes = readFileSync(join(__dirname, "../../../src/kernels/wasm/build/kernels-shared-relaxed.wasm"));

describe("the WASM kernel build in use", () => {
  it("is named by kernelBackend(): wasm-relaxed where relaxed SIMD validates, unless CONVLAB_WASM_RELAXED=0", () => {
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd"); // what the installer does
    const relaxedOk = WebAssembly.validate(relaxedBytes);
    const want = process.env.CONVLAB_WASM_RELAXED === "0" || !relaxedOk ? "wasm" : "wasm-relaxed";
    expect(cl.kernelBackend()).toBe(want);
  });
  it("the relaxed build really uses relaxed SIMD (the plain build does not validate as it)", () => {
    const plain = readFileSync(join(__dirname, "../../../src/kernels/wasm/build/kernels-shared.wasm"));
    // relaxed_madd is opcode 0xfd 0x85 0x02: present in the relaxed build only
    const has = (b: Buffer): boolean => {
      for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xfd && b[i + 1] === 0x85 && b[i + 2] === 0x02) return true;
      return false;
    };
    expect(has(relaxedBytes)).toBe(true);
    expect(has(plain)).toBe(false);
  });
  it("a convolution on 2 threads equals 1 thread bit for bit on this build", () => {
    const x = cl.randn([8, 16, 16, 32], { seed: 1 }), w = cl.randn([3, 3, 32, 32], { seed: 2 });
    const before = cl.getThreads();
    cl.setThreads(2);
    const y2 = cl.conv2d(x, w, { padding: "same" });
    cl.setThreads(1);
    const y1 = cl.conv2d(x, w, { padding: "same" });
    cl.setThreads(before);
    expect(Buffer.from(y2.data.buffer).equals(Buffer.from(y1.data.buffer))).toBe(true);
  });
  it("worker threads start in a process run with --input-type=module (node --input-type=module -e ...)", () => {
    const register = join(__dirname, "../support/ts-register.mjs");
    const entry = pathToFileURL(join(__dirname, "../../../src/index.ts")).href;
    const code = `const cl = await import(${JSON.stringify(entry)});
      cl.setThreads(2);
      cl.conv2d(cl.randn([8, 32, 32, 32], { seed: 1 }), cl.randn([3, 3, 32, 32], { seed: 2 }), { padding: "same" });
      console.log("worker tasks " + cl.wasmMemoryStats().workerTasks);
      process.exit(0);`;
    const r = spawnSync(process.execPath, ["--import", register, "--input-type=module", "-e", code], { encoding: "utf8", timeout: 25_000 });
    expect(r.status, r.stderr.slice(-500)).toBe(0);
    expect(Number(/worker tasks (\d+)/.exec(r.stdout)?.[1])).toBeGreaterThan(0);
  });
});
