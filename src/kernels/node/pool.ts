// A persistent worker_threads pool for the WASM kernels. Every worker instantiates the same
// compiled module on the same shared WebAssembly.Memory; a job is dispatched by writing the
// control block and bumping a generation counter the workers wait on (Atomics.wait), and the
// caller takes part as thread 0, then blocks with Atomics.wait until the others are done. Ops
// stay synchronous. Workers are spawned lazily (on the first job big enough to want them),
// unref()'d so they never keep the process alive, and stopped by shutdown().
import { Worker } from "node:worker_threads";
import * as L from "../wasm/layout.js";
import type { Executor, WasmExports } from "../wasm/engine.js";
import type { WasmMemory, WasmModule } from "../wasm/wasmapi.js";

// The worker's whole program (plain JS, so it runs the same from src/ under vitest and from dist/).
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, tid, epoch, L } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const ctl = new Int32Array(memory.buffer, 0, 64);
let seen = Atomics.load(ctl, L.CTL_GEN);
if (Atomics.load(ctl, L.CTL_EPOCH) === epoch) {
  Atomics.add(ctl, L.CTL_READY, 1);
  Atomics.notify(ctl, L.CTL_READY);
}
for (;;) {
  for (let spin = 0; spin < 2000 && Atomics.load(ctl, L.CTL_GEN) === seen; spin++);
  while (Atomics.load(ctl, L.CTL_GEN) === seen) Atomics.wait(ctl, L.CTL_GEN, seen);
  seen = Atomics.load(ctl, L.CTL_GEN);
  if (Atomics.load(ctl, L.CTL_EPOCH) !== epoch) break;
  if (tid < Atomics.load(ctl, L.CTL_ACTIVE)) {
    try {
      instance.exports.run(tid);
    } catch (e) {
      Atomics.store(ctl, L.CTL_ERROR, 1);
    }
  }
  if (Atomics.sub(ctl, L.CTL_PENDING, 1) === 1) Atomics.notify(ctl, L.CTL_PENDING);
}
`;

/** How long the caller spins (polls) for the workers before sleeping in Atomics.wait. */
const SPIN = 20000;

export class WorkerPool implements Executor {
  private workers: Worker[] = [];
  private wanted: number;
  private readonly module: WasmModule;
  private readonly memory: WasmMemory;

  /** `threads` counts the caller: a pool of n threads runs n − 1 workers. */
  constructor(module: WasmModule, memory: WasmMemory, threads: number) {
    this.module = module;
    this.memory = memory;
    this.wanted = Math.max(1, Math.floor(threads));
  }

  get threads(): number {
    return this.wanted;
  }

  /** Sets the number of threads (the caller included); workers beyond it sit idle. */
  setThreads(n: number): void {
    this.wanted = Math.max(1, Math.floor(n));
  }

  /** Workers running now. */
  get size(): number {
    return this.workers.length;
  }

  private get ctl(): Int32Array {
    return new Int32Array(this.memory.buffer, 0, 64);
  }

  private spawn(n: number, ctl: Int32Array): void {
    const L0 = { ...L };
    const epoch = Atomics.load(ctl, L.CTL_EPOCH);
    while (this.workers.length < n) {
      const tid = this.workers.length + 1;
      // execArgv: [] so that the eval'd CommonJS source runs as such even when the process was
      // started with --input-type=module (`node --input-type=module -e ...`), which workers inherit
      const w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { module: this.module, memory: this.memory, tid, epoch, L: L0 } });
      w.unref();
      this.workers.push(w);
    }
    // wait until every worker has instantiated the module and is listening
    const t0 = Date.now();
    for (;;) {
      const ready = Atomics.load(ctl, L.CTL_READY);
      if (ready >= n) break;
      if (Date.now() - t0 > 30_000) throw new Error(`wasm kernels: ${n - ready} of ${n} worker threads did not start within 30 s`);
      Atomics.wait(ctl, L.CTL_READY, ready, 50);
    }
  }

  begin(_exports: WasmExports, ctl: Int32Array): void {
    const nw = this.wanted - 1;
    if (this.workers.length < nw) this.spawn(nw, ctl);
    // every worker wakes on a new generation and takes tasks until none is left
    const all = this.workers.length;
    Atomics.store(ctl, L.CTL_ACTIVE, this.wanted);
    Atomics.store(ctl, L.CTL_ERROR, 0);
    Atomics.store(ctl, L.CTL_PENDING, all);
    Atomics.add(ctl, L.CTL_GEN, 1);
    Atomics.notify(ctl, L.CTL_GEN);
  }

  join(exports: WasmExports, ctl: Int32Array): void {
    let failed: unknown = null;
    try {
      exports.run(0);
    } catch (e) {
      failed = e;
    }
    for (let spin = 0; spin < SPIN && Atomics.load(ctl, L.CTL_PENDING) !== 0; spin++);
    for (;;) {
      const p = Atomics.load(ctl, L.CTL_PENDING);
      if (p === 0) break;
      Atomics.wait(ctl, L.CTL_PENDING, p);
    }
    if (failed) throw failed;
    if (Atomics.load(ctl, L.CTL_ERROR) !== 0) throw new Error("wasm kernels: a worker failed while running a job");
  }

  /** Stops every worker (the next big job spawns them again). */
  shutdown(): void {
    if (this.workers.length === 0) return;
    // a new epoch makes the waiting workers leave their loop; then they are terminated
    const ctl = this.ctl;
    Atomics.add(ctl, L.CTL_EPOCH, 1);
    Atomics.store(ctl, L.CTL_READY, 0);
    Atomics.add(ctl, L.CTL_GEN, 1);
    Atomics.notify(ctl, L.CTL_GEN);
    for (const w of this.workers) void w.terminate();
    this.workers = [];
  }
}
