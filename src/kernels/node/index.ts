// Node only: loads the shared-memory WASM kernels from disk and installs them with a worker pool
// over all cores (`convlab` calls installNodeKernels() at import, synchronously: no top-level
// await). Workers start on the first op big enough to want them.
import { readFileSync, existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { WasmEngine } from "../wasm/engine.js";
import { INITIAL_PAGES, MAXIMUM_PAGES } from "../wasm/layout.js";
import { wasmApi } from "../wasm/wasmapi.js";
import { installEngine } from "../accelerate.js";
import { WorkerPool } from "./pool.js";

/** Where the build puts kernels-shared.wasm: beside this module's kernels/wasm/, or in src/ from dist/. */
function wasmPath(): string | null {
  const candidates = ["../wasm/build/kernels-shared.wasm", "../../../src/kernels/wasm/build/kernels-shared.wasm"];
  for (const c of candidates) {
    const p = fileURLToPath(new URL(c, import.meta.url));
    if (existsSync(p)) return p;
  }
  return null;
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
export function installNodeKernels(): boolean {
  const api = wasmApi();
  const path = wasmPath();
  if (!api || !path) return false;
  try {
    const module = new api.Module(readFileSync(path));
    const memory = new api.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
    const instance = new api.Instance(module, { env: { memory } });
    const pool = new WorkerPool(module, memory, defaultThreads());
    installEngine(new WasmEngine(instance, memory, pool), pool);
    return true;
  } catch {
    return false;
  }
}
