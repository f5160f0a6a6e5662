// Installing the WASM SIMD float32 kernels and choosing how many threads they use.
// `convlab` (Node) installs them at import with a worker pool (kernels/node/); `convlab/browser`
// runs them on one thread after `await initWasm()` (browsers only compile small modules
// synchronously on the main thread). The TypeScript kernels stay the reference and serve float64.
import { setFloat32Kernels } from "./index.js";
import type { KernelSet } from "./index.js";
import { WasmEngine } from "./wasm/engine.js";
import { wasmKernelSet } from "./wasm/kernels.js";
import { INITIAL_PAGES, MAXIMUM_PAGES, CTL_WORKER_TASKS } from "./wasm/layout.js";
import { KERNELS_SINGLE_WASM_BASE64 } from "./wasm/bytes.js";
import { wasmApi, fromBase64, type WasmModule } from "./wasm/wasmapi.js";
import { ValueError } from "../util/errors.js";

/** Thread control of an executor with workers (the Node pool). */
export interface ThreadControl {
  readonly threads: number;
  setThreads(n: number): void;
  shutdown(): void;
}

let engine: WasmEngine | null = null;
let control: ThreadControl | null = null;
let kernels: Partial<KernelSet> | null = null;
let engineName = "wasm";

/**
 * Makes `eng` the float32 kernel engine (with its thread control, if any) and installs it under
 * `name` (what `kernelBackend()` says: "wasm", or "wasm-relaxed" for the relaxed-SIMD module).
 */
export function installEngine(eng: WasmEngine, threads: ThreadControl | null = null, name = "wasm"): void {
  control?.shutdown();
  engine = eng;
  control = threads;
  kernels = wasmKernelSet(eng);
  engineName = name;
  setFloat32Kernels(name, kernels);
}

function singleThreadEngine(module: WasmModule): WasmEngine {
  const api = wasmApi()!;
  const memory = new api.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES });
  return new WasmEngine(new api.Instance(module, { env: { memory } }), memory);
}

/**
 * Switches float32 back to the WASM kernels after `useReferenceKernels()`. Without an engine yet
 * it compiles the single-thread one synchronously, which browsers refuse on their main thread for
 * modules this size (use `initWasm()` there). Returns whether WASM kernels are now active.
 */
export function useWasmKernels(): boolean {
  if (!engine) {
    const api = wasmApi();
    if (!api) return false;
    try {
      installEngine(singleThreadEngine(new api.Module(fromBase64(KERNELS_SINGLE_WASM_BASE64))));
    } catch {
      return false;
    }
  }
  setFloat32Kernels(engineName, kernels!);
  return true;
}

/**
 * Compiles and installs the single-thread WASM kernels asynchronously (for the browser, where a
 * synchronous compile is refused on the main thread). Resolves to the active backend name,
 * "wasm", or "ts" when this runtime lacks WebAssembly SIMD. In Node the entry `convlab` has
 * already installed them with a worker pool, and this just resolves.
 *
 * @example
 * import * as cl from "convlab/browser";
 * await cl.initWasm(); // "wasm"
 */
export async function initWasm(): Promise<string> {
  if (engine) return useWasmKernels() ? engineName : "ts";
  const api = wasmApi();
  if (!api) return "ts";
  try {
    const module = await api.compile(fromBase64(KERNELS_SINGLE_WASM_BASE64));
    if (!engine) installEngine(singleThreadEngine(module));
  } catch {
    return "ts";
  }
  return useWasmKernels() ? engineName : "ts";
}

/**
 * Sets how many threads the WASM kernels use (the calling thread included) and returns the number
 * in effect: at most 1 without a worker pool (the browser entry). Results do not depend on it —
 * every reduction runs in a fixed order.
 *
 * @example
 * cl.setThreads(1); // e.g. to time one core
 */
export function setThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`setThreads: expected a positive integer, got ${n}`);
  if (!control) return 1;
  control.setThreads(n);
  return control.threads;
}

/** Threads the WASM kernels use (1 without a worker pool). */
export function getThreads(): number {
  return control ? control.threads : 1;
}

/** Stops the worker threads, if any (the next big op starts them again). */
export function shutdownThreads(): void {
  control?.shutdown();
}

/**
 * Memory of the WASM kernels: `bytes` is the WebAssembly memory's size, `highWater` the most any
 * call has used; both stop growing once every shape of a training step has been seen.
 * `workerTasks` counts the tasks worker threads (not the caller) have run. Null before the
 * kernels are installed.
 */
export function wasmMemoryStats(): { bytes: number; highWater: number; workerTasks: number } | null {
  return engine ? { bytes: engine.memory.buffer.byteLength, highWater: engine.highWater, workerTasks: Atomics.load(engine.ctl, CTL_WORKER_TASKS) } : null;
}

/** The engine (for the benchmarks and tests). @internal */
export function currentEngine(): WasmEngine | null {
  return engine;
}
