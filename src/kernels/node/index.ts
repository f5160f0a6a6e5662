// Node only: loads the shared-memory WASM kernels from disk and installs them with a worker pool
// over all cores (`convlab` calls installNodeKernels() at import, synchronously: no top-level
// await). Workers start on the first op big enough to want them.
import { readFileSync, existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import v8 from "node:v8";
import { fileURLToPath } from "node:url";
import { WasmEngine } from "../wasm/engine.js";
import { INITIAL_PAGES, MAXIMUM_PAGES } from "../wasm/layout.js";
import { wasmApi, type WasmApi } from "../wasm/wasmapi.js";
import { installEngine } from "../accelerate.js";
import { WorkerPool } from "./pool.js";

/** Where the build puts a module (kernels-shared.wasm…): beside this module's kernels/wasm/, or in src/ from dist/. */
function wasmPath(file: string): string | null {
  const candidates = [`../wasm/build/${file}`, `../../../src/kernels/wasm/build/${file}`];
  for (const c of candidates) {
    const p = fileURLToPath(new URL(c, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
}

/**
 * The relaxed-SIMD module's bytes when this runtime accepts them, else null. Node 20 validates
 * relaxed SIMD only behind V8's --experimental-wasm-relaxed-simd, which convlab sets for its own
 * process before compiling (newer runtimes have it on; browsers since 2023).
 */
function relaxedModule(api: WasmApi): Uint8Array | null {
  const path = wasmPath("kernels-shared-relaxed.wasm");
  if (!path) return null;
  const bytes = readFileSync(path);
  if (api.validate(bytes)) return bytes;
  try {
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    return null;
  }
  return api.validate(bytes) ? bytes : null;
}

export interface NodeKernelOptions {
  /**
   * Use the relaxed-SIMD module (fused multiply-add) where it validates: default true unless
   * CONVLAB_WASM_RELAXED=0. `kernelBackend()` then says "wasm-relaxed".
   */
  relaxed?: boolean;
}

/** Threads by default: CONVLAB_THREADS when set, else every core. */
function defaultThreads(): number {
  const env = Number(process.env.CONVLAB_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : availableParallelism();
}

/**
 * Installs the WASM kernels with a worker pool. Returns false (leaving the TypeScript kernels in
 * place) when the compiled module is missing (run `npm run build`) or WebAssembly SIMD is absent.
 */
export function installNodeKernels(opts: NodeKernelOptions = {}): boolean {
  const api = wasmApi();
  const path = wasmPath("kernels-shared.wasm");
  if (!api || !path) return false;
  const wantRelaxed = opts.relaxed ?? process.env.CONVLAB_WASM_RELAXED !== "0";
  const relaxed = wantRelaxed ? relaxedModule(api) : null;
  try {
    const module = new api.Module(relaxed ?? readFileSync(path));
    const memory = new api.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    const instance = new api.Instance(module, { env: { memory } });
    const pool = new WorkerPool(module, memory, defaultThreads());
    installEngine(new WasmEngine(instance, memory, pool), pool, relaxed ? "wasm-relaxed" : "wasm");
    return true;
  } catch {
    return false;
  }
}
