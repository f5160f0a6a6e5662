// `node scripts/render-notebooks.mjs [NN-name ...]`: executes notebooks/NN-name.ipynb on a fresh
// kernel (as `npx convlab run` does) and saves the executed copy, with its outputs, to
// docs/notebooks/NN-name.ipynb, so a reader on GitHub sees the figures and numbers without running
// anything. The copies are kept deterministic: seeded notebooks, and the per-cell execution
// timestamps removed. The notebooks suite checks that each committed copy has the notebook's
// sources, passes the notebook's expectations and shows what a fresh run shows
// (docs/notebooks.md). Needs the build (`node scripts/build.mjs`) and .venv (`node scripts/setup.mjs`).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, log, venvBin } from "./lib.mjs";

const { runNotebook } = await import(join(root, "kernel", "dist", "run.js"));
const notebooksDir = join(root, "notebooks");
const outDir = join(root, "docs", "notebooks");

/** An executed notebook without what changes from run to run and says nothing to a reader. */
function normalizeExecuted(nb) {
  for (const cell of nb.cells) {
    if (cell.metadata) delete cell.metadata.execution;
  }
  return nb;
}

const wanted = process.argv.slice(2).map((a) => a.replace(/\.ipynb$/, ""));
const all = readdirSync(notebooksDir).filter((f) => f.endsWith(".ipynb")).sort();
const names = wanted.length ? wanted.map((w) => `${w}.ipynb`) : all;
const unknown = names.filter((n) => !all.includes(n));
if (unknown.length) {
  log(`no such notebook(s) in notebooks/: ${unknown.join(", ")}`);
  process.exit(2);
}
const python = venvBin("python");
if (!existsSync(python)) {
  log(`${python} is missing: run node scripts/setup.mjs`);
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), "convlab-render-"));
process.env.JUPYTER_CONFIG_DIR = join(work, "config");
process.env.JUPYTER_DATA_DIR = join(work, "data");
process.env.JUPYTER_RUNTIME_DIR = join(work, "runtime");
process.env.JUPYTER_PATH = join(root, ".venv", "share", "jupyter");
mkdirSync(outDir, { recursive: true });
let failed = 0;
try {
  for (const name of names) {
    const tmp = join(work, name);
    const t0 = Date.now();
    const r = runNotebook(join(notebooksDir, name), { output: tmp, timeout: 240, python });
    if (r.status !== 0) {
      log(`${name} failed (status ${r.status}); nothing written:\n${r.message}`);
      failed++;
      continue;
    }
    const nb = normalizeExecuted(JSON.parse(readFileSync(tmp, "utf8")));
    writeFileSync(join(outDir, name), JSON.stringify(nb, null, 1) + "\n");
    log(`docs/notebooks/${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
