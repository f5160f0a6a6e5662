// Helpers shared by the benchmarks: timing (warm-up, then the best of several repetitions, since
// the machine is shared and noisy), tables and a description of the machine and its load.
import { cpus, loadavg, availableParallelism } from "node:os";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

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
