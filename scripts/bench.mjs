// Benchmarks (not tests): `npm run bench [-- NAME ...] [--json] [--quick] [--full] [--install-torch]`.
// --quick: fewer repetitions; --full: also the very slow peers (tfjs cpu backward);
// --install-torch: pip-install torch into .venv from the local wheels for the PyTorch column.
// NAME is a module bench/NAME.mjs exporting `run(options)` (conv, lenet, kernel, models, step, …); without one
// the default set runs. Builds first (fresh steps are skipped). Each benchmark prints its table;
// with --json the last line printed is one JSON object merging every benchmark's result.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { root, log } from "./lib.mjs";
import { build } from "./build.mjs";

const DEFAULT = ["lenet", "conv", "kernel"];

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith("--")));
const known = new Set(["--json", "--quick", "--full", "--install-torch"]);
for (const f of flags) if (!known.has(f)) {
  log(`bench: unknown option ${f} (known: ${[...known].join(", ")})`);
  process.exit(2);
}
const benchDir = join(root, "bench");
const available = readdirSync(benchDir).filter((f) => f.endsWith(".mjs") && f !== "lib.mjs").map((f) => f.replace(/\.mjs$/, ""));
let names = args.filter((a) => !a.startsWith("--"));
if (names.length === 0) names = DEFAULT.filter((n) => available.includes(n));
for (const n of names) if (!available.includes(n)) {
  log(`bench: no benchmark "${n}" (available: ${available.join(", ")})`);
  process.exit(2);
}

await build();
const options = { json: flags.has("--json"), quick: flags.has("--quick"), full: flags.has("--full"), installTorch: flags.has("--install-torch") };
const results = {};
for (const n of names) {
  const mod = await import(pathToFileURL(join(benchDir, `${n}.mjs`)).href);
  Object.assign(results, await mod.run(options));
}
// stop worker threads so the process can exit promptly
try {
  const cl = await import(pathToFileURL(join(root, "dist", "index.js")).href);
  cl.shutdownThreads();
} catch {
  // convlab not built: nothing to stop
}
if (options.json) console.log(JSON.stringify(results));
process.exit(0);
