// The host side of the WASM kernels: one WebAssembly memory (shared between threads in Node), a
// bump arena for each kernel call's operands, and the dispatch of a job to the threads. Kernel
// calls never nest (ops are synchronous), so every call starts with reset() and the arena never
// grows past the largest call: no allocation per training step once warm.
import * as L from "./layout.js";
import type { WasmInstance, WasmMemory } from "./wasmapi.js";

/** The functions the compiled module exports (see assembly/index.ts). */
export interface WasmExports {
  run(tid: number): void;
  packB(dst: number, n: number, ranges: number, nr: number): number;
  transpose(dst: number, src: number, rows: number, cols: number): void;
  sumSlices(dst: number, src: number, slices: number, n: number): void;
  probe(iters: number): number;
  /** y [rows, k] = act(y·scale + bias) in place; act 0 linear, 1 relu, 2 relu6, 3 leaky ReLU (slope alpha); bias/scale 0 for none. */
  biasAct(y: number, rows: number, k: number, bias: number, act: number, scale: number, alpha: number): void;
  /** y = act(x) over n floats (1 relu, 2 relu6). */
  activate(x: number, y: number, n: number, act: number): void;
  /** dz = dy masked by the activation's pass condition at ref; db (≠ 0) += Σ rows of dz [n/k, k]. */
  activationGrad(dy: number, ref: number, dz: number, n: number, k: number, db: number, act: number): void;
  /** y = x > 0 ? x : alpha·x over n floats; with dy ≠ 0 the gradient, y = x > 0 ? dy : alpha·dy. */
  leaky(x: number, dy: number, y: number, n: number, alpha: number): void;
  /** acc += x over n floats. */
  addInto(acc: number, x: number, n: number): void;
}

/**
 * Runs the job written into the control block on `threads` threads (the caller included) and
 * returns when all are done. The single-thread executor just calls run(0).
 */
export interface Executor {
  /** Threads a big job uses (the caller included). */
  readonly threads: number;
  /** Wakes the other threads on the job in the control block (they start taking tasks). */
  begin(exports: WasmExports, ctl: Int32Array): void;
  /** Takes part as thread 0, then blocks until every thread is done; rethrows a failure. */
  join(exports: WasmExports, ctl: Int32Array): void;
}

export const singleThread: Executor = {
  threads: 1,
  begin() {},
  join(exports) {
    exports.run(0);
  },
};

/** Publishes how many leading images of a streamed job's input are in place. */
export type Publish = (images: number) => void;

/** A kernel call that would need more than the WebAssembly memory's maximum. */
export class WasmMemoryError extends RangeError {}

/** Bytes of scratch each thread gets per job (storeRow's tail, row tables). */
const SCRATCH_BYTES = 8192;
/** Below this many flops a job runs on the calling thread alone (waking workers costs ~10–50 µs). */
export const PARALLEL_MIN_WORK = 4e6;

export class WasmEngine {
  readonly memory: WasmMemory;
  readonly exports: WasmExports;
  executor: Executor;
  private top = L.ARENA_BASE;
  private buffer: ArrayBufferLike;
  private f32view: Float32Array;
  private i32view: Int32Array;
  private f64view: Float64Array;
  private ctlView: Int32Array;
  /** The most memory a call may use (bytes): the WebAssembly memory's maximum. */
  maxBytes = L.MAXIMUM_PAGES * 65536;
  /** Whether jobs with other threads copy their input in while those threads start (see dispatch). */
  streaming = true;
  /** The largest arena extent any call used (bytes): the memory stays at this size. */
  highWater = L.ARENA_BASE;

  constructor(instance: WasmInstance, memory: WasmMemory, executor: Executor = singleThread) {
    this.memory = memory;
    this.exports = instance.exports as unknown as WasmExports;
    this.executor = executor;
    this.buffer = memory.buffer;
    this.f32view = new Float32Array(this.buffer);
    this.i32view = new Int32Array(this.buffer);
    this.f64view = new Float64Array(this.buffer);
    this.ctlView = new Int32Array(this.buffer, 0, 64);
  }

  /** The control block (the first words of the memory). */
  get ctl(): Int32Array {
    if (this.memory.buffer.byteLength !== this.buffer.byteLength) this.refresh();
    return this.ctlView;
  }

  /** A float view of the whole memory (renewed after the memory grows). */
  get f32(): Float32Array {
    if (this.memory.buffer.byteLength !== this.buffer.byteLength) this.refresh();
    return this.f32view;
  }

  get i32(): Int32Array {
    if (this.memory.buffer.byteLength !== this.buffer.byteLength) this.refresh();
    return this.i32view;
  }

  get f64(): Float64Array {
    if (this.memory.buffer.byteLength !== this.buffer.byteLength) this.refresh();
    return this.f64view;
  }

  private refresh(): void {
    this.buffer = this.memory.buffer;
    this.f32view = new Float32Array(this.buffer);
    this.i32view = new Int32Array(this.buffer);
    this.f64view = new Float64Array(this.buffer);
    this.ctlView = new Int32Array(this.buffer, 0, 64);
  }

  /** Frees the whole arena (start of every kernel call). */
  reset(): void {
    this.top = L.ARENA_BASE;
  }

  /**
   * Reserves `bytes` (64-byte aligned, with 64 bytes of slack after it, which kernels may read
   * past a partial block) and returns the byte address. Grows the memory when needed; throws a
   * WasmMemoryError when the call would need more than maxBytes or the memory cannot grow.
   */
  alloc(bytes: number): number {
    const at = this.top;
    const end = at + Math.ceil((bytes + 64) / 64) * 64;
    if (end > this.maxBytes) throw new WasmMemoryError(`wasm kernels: a call needs ${(end / 2 ** 20).toFixed(0)} MiB, more than the ${(this.maxBytes / 2 ** 20).toFixed(0)} MiB maximum`);
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / 65536));
      } catch (e) {
        throw new WasmMemoryError(`wasm kernels: cannot grow the memory to ${(end / 2 ** 20).toFixed(0)} MiB (${(e as Error).message})`);
      }
    }
    this.top = end;
    if (end > this.highWater) this.highWater = end;
    return at;
  }

  /** Copies `n` floats of `src` from `srcOffset` into the arena; returns the byte address. */
  put(src: ArrayLike<number> & { subarray(a: number, b: number): Float32Array | Float64Array }, srcOffset: number, n: number): number {
    const at = this.alloc(n * 4);
    this.f32.set(src.subarray(srcOffset, srcOffset + n), at >> 2);
    return at;
  }

  /** Writes i32 values to the arena; returns the byte address. */
  ints(values: ArrayLike<number>): number {
    const at = this.alloc(values.length * 4);
    this.i32.set(values, at >> 2);
    return at;
  }

  /**
   * Runs job `job` over `ntasks` tasks with the parameter block at `params`; `work` (flops or a
   * similar count) decides whether other threads are worth waking. `produce`, when given, copies
   * the input in (calling publish(n) once the first n images are in place): with other threads
   * it runs while they already work on the images that are ready (streamed jobs wait for theirs).
   */
  dispatch(job: number, ntasks: number, params: number, work: number, produce?: (publish: Publish) => void): void {
    if (ntasks <= 0) {
      produce?.(() => {});
      return;
    }
    const threads = this.executor.threads;
    const scratch = this.alloc(SCRATCH_BYTES * threads);
    const ctl = this.ctl;
    ctl[L.CTL_JOB] = job;
    ctl[L.CTL_NTASKS] = ntasks;
    ctl[L.CTL_PARAMS] = params;
    ctl[L.CTL_SCRATCH] = scratch;
    ctl[L.CTL_SCRATCH_BYTES] = SCRATCH_BYTES;
    Atomics.store(ctl, L.CTL_COUNTER, 0);
    Atomics.store(ctl, L.CTL_PROGRESS, 0);
    const publish: Publish = (images) => Atomics.store(ctl, L.CTL_PROGRESS, images);
    if (threads === 1 || ntasks === 1 || work < PARALLEL_MIN_WORK || !this.streaming) {
      if (produce) produce(publish);
      Atomics.store(ctl, L.CTL_PROGRESS, 0x7fffffff);
      if (threads === 1 || ntasks === 1 || work < PARALLEL_MIN_WORK) this.exports.run(0);
      else {
        this.executor.begin(this.exports, ctl);
        this.executor.join(this.exports, ctl);
      }
      return;
    }
    // streamed: the workers start on the first images while this thread copies the rest in
    this.executor.begin(this.exports, ctl);
    try {
      produce?.(publish);
    } finally {
      Atomics.store(ctl, L.CTL_PROGRESS, 0x7fffffff);
      this.executor.join(this.exports, ctl);
    }
  }
}
