// Helpers shared by the benchmarks: timing (warm-up, then the best of several repetitions, since
// the machine is shared and noisy), tables and a description of the machine and its load.
import { cpus, loadavg, availableParallelism } from "node:os";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Best wall time (ms) of `fn` over `reps` calls, after warming up for at least `warmup` calls and
 * `warmupMs` milliseconds (V8 compiles WASM in tiers: the first calls run ~3× slower).
 */
export function bestOf(fn, { reps = 7, warmup = 3, warmupMs = 1000 } = {}) {
  const t0 = performance.now();
  for (let i = 0; i < warmup || performance.now() - t0 < warmupMs; i++) {
    fn();
    if (i > 50) break;
  }
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    fn();
    best = Math.min(best, performance.now() - s);
  }
  return best;
}

/** bestOf for a function returning a Promise. */
export async function bestOfAsync(fn, { reps = 7, warmup = 3, warmupMs = 1000 } = {}) {
  const t0 = performance.now();
  for (let i = 0; i < warmup || performance.now() - t0 < warmupMs; i++) {
    await fn();
    if (i > 50) break;
  }
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const s = performance.now();
    await fn();
    best = Math.min(best, performance.now() - s);
  }
  return best;
}

/** GFLOP/s from flops and milliseconds. */
export const gflops = (flops, ms) => flops / (ms / 1e3) / 1e9;

/** A number for a table: 1 decimal, "–" for null. */
export const num = (v, digits = 1) => (v == null || !Number.isFinite(v) ? "–" : v.toFixed(digits));

/** A ratio a/b for a table ("1.52×"), "–" when either is missing. */
export const ratio = (a, b) => (a == null || b == null || !b ? "–" : `${(a / b).toFixed(2)}×`);

/** Prints rows (arrays of cells) as a Markdown table. */
export function printTable(header, rows) {
  const all = [header, ...rows].map((r) => r.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(all[0]));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of all.slice(1)) console.log(line(r));
}

/** The machine and its load (1-minute average) right now. */
export function machine() {
  return { cpu: cpus()[0]?.model ?? "unknown", cores: availableParallelism(), load1: Number(loadavg()[0].toFixed(2)), node: process.version };
}

/** The project's Python (in .venv), or null. */
export function venvPython() {
  const p = join(root, ".venv", "bin", "python");
  return existsSync(p) ? p : null;
}

/**
 * Runs `node <script> --worker <name> <JSON opts>` (each library in its own process: onnxruntime's
 * and tfjs's threads would starve convlab's pool in one) and parses the JSON it prints last; a
 * worker that fails, or prints `{ error }`, gives `{ error }`.
 */
export function runWorker(scriptUrl, name, opts, { threads, arg } = {}) {
  const r = spawnSync(process.execPath, [fileURLToPath(scriptUrl), "--worker", name, arg ?? JSON.stringify(opts)], {
    encoding: "utf8",
    maxBuffer: 1 << 24,
    env: threads === undefined ? process.env : { ...process.env, CONVLAB_THREADS: String(threads) },
  });
  const last = r.stdout.trim().split("\n").at(-1) ?? "";
  if (last.startsWith("{") && JSON.parse(last).error) return JSON.parse(last);
  if (r.status !== 0 || !last.startsWith("{")) return { error: `${name} worker failed (${r.status}): ${(r.stderr || r.stdout).trim().split("\n").slice(-3).join(" ")}` };
  return JSON.parse(last);
}

/** face-api (dist/face-api.node-wasm.js) on tfjs's wasm backend, with `threads` threads where it can set them, and its model folder. */
export async function faceApiWasm(threads) {
  const require = createRequire(import.meta.url);
  const tf = require("@tensorflow/tfjs");
  const wasm = require("@tensorflow/tfjs-backend-wasm");
  if (threads !== undefined && typeof wasm.setThreadsCount === "function") wasm.setThreadsCount(threads);
  const faceapi = require("@vladmandic/face-api/dist/face-api.node-wasm.js");
  if (!(await tf.setBackend("wasm")) || tf.getBackend() !== "wasm") throw new Error("tfjs wasm backend did not start");
  await tf.ready();
  const dir = require.resolve("@vladmandic/face-api/package.json").replace(/package\.json$/, "model");
  return { tf, wasm, faceapi, dir };
}

/**
 * In a worker process (`--worker <name> <JSON opts>`, see runWorker): runs `workers[name](opts)`,
 * prints its JSON result as the last line and exits. Returns false in the parent process.
 */
export async function workerMain(workers) {
  if (process.argv[2] !== "--worker") return false;
  const fn = workers[process.argv[3]];
  if (!fn) throw new Error(`no worker named ${process.argv[3]} (have ${Object.keys(workers).join(", ")})`);
  console.log(JSON.stringify(await fn(JSON.parse(process.argv[4] ?? "{}"))));
  process.exit(0);
}

/** tfjs on its wasm backend (the .wasm files from node_modules, never a CDN) with `threads` threads where it can set them. */
export async function tfjsWasm(threads) {
  const require = createRequire(import.meta.url);
  const tf = await import("@tensorflow/tfjs");
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  wasm.setWasmPaths(require.resolve("@tensorflow/tfjs-backend-wasm").replace(/[^/]+$/, ""));
  if (typeof wasm.setThreadsCount === "function") wasm.setThreadsCount(threads);
  if (!(await tf.setBackend("wasm")) || tf.getBackend() !== "wasm") throw new Error("tfjs wasm backend did not start");
  return { tf, wasm };
}

/**
 * convlab from dist/ with the kernel internals the kernel benches time directly (the engine, the
 * roofline probe, the registry's kernels), on `threads` threads; throws unless WASM kernels run.
 */
export async function convlabKernels(bench, threads) {
  const cl = await import("../dist/index.js");
  const { currentEngine } = await import("../dist/kernels/accelerate.js");
  const { probeGflops } = await import("../dist/kernels/wasm/probe.js");
  const { kernel } = await import("../dist/kernels/index.js");
  cl.setThreads(threads);
  if (!cl.kernelBackend().startsWith("wasm")) throw new Error(`bench ${bench}: the WASM kernels are not installed (run npm run build)`);
  return { cl, currentEngine, probeGflops, kernel };
}
