// The few parts of the WebAssembly JS API the kernels use, typed here because the core compiles
// with lib ES2022 only (no DOM lib, which is where TypeScript declares WebAssembly). At run time
// these are the engine's own globals, in Node and in browsers alike.

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

export interface WasmModule {
  readonly __wasmModule?: never;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Promise<WasmInstance>;
  validate(bytes: Uint8Array): boolean;
}

/** The global WebAssembly object, or null where the runtime has none. */
export function wasmApi(): WasmApi | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  return api ?? null;
}

/** Decodes base64 without Node's Buffer or the DOM's atob being assumed (the core's one codec). */
export { fromBase64 } from "../../util/base64.js";
