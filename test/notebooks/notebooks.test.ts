// Every notebook in notebooks/ executed on a fresh convlab kernel with nbclient (from .venv), as
// `convlab run` does, into a temporary copy (the notebooks in the repository stay unexecuted).
// A notebook fails on any error output, and on any miss of its expectations file
// test/notebooks/expected/<name>.json (MIME types it must show, and the worked numbers and texts
// its cells must print: docs/notebooks.md). A notebook without an expectations file fails, and so
// does an expectations file without its notebook: a later notebook plugs in by adding its file.
// Each notebook also has an executed copy in docs/notebooks/ (node scripts/render-notebooks.mjs),
// for readers on GitHub; it must have the notebook's sources, pass the same expectations and show
// what this fresh run shows.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runNotebook } from "../../kernel/src/run.js";
import { checkNotebook, compareRendered, expectationsPath, loadExpectations, type Notebook } from "./expectations.js";

const root = join(import.meta.dirname, "..", "..");
const notebooksDir = join(root, "notebooks");
const expectedDir = join(import.meta.dirname, "expected");
const renderedDir = join(root, "docs", "notebooks");
const python = join(root, ".venv", "bin", "python");

const work = mkdtempSync(join(tmpdir(), "convlab-notebooks-"));
// Jupyter's folders isolated; the kernelspec comes from .venv (and `runNotebook`'s own entry).
process.env.JUPYTER_CONFIG_DIR = join(work, "config");
process.env.JUPYTER_DATA_DIR = join(work, "data");
process.env.JUPYTER_RUNTIME_DIR = join(work, "runtime");
process.env.JUPYTER_PATH = join(root, ".venv", "share", "jupyter");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const notebooks = readdirSync(notebooksDir).filter((f) => f.endsWith(".ipynb")).sort();

describe("notebooks", () => {
  it("include the welcome tour and week 1", () => {
    expect(notebooks).toEqual(expect.arrayContaining(["00-welcome.ipynb", "01-foundations.ipynb"]));
    expect(existsSync(python), `${python} is missing: run node scripts/setup.mjs`).toBe(true);
  });

  it("each has an expectations file in test/notebooks/expected/, and each file its notebook", () => {
    const missing = notebooks.filter((n) => !existsSync(expectationsPath(expectedDir, n)));
    expect(missing, `notebooks without test/notebooks/expected/<name>.json (see docs/notebooks.md): ${missing.join(", ")}`).toEqual([]);
    const orphans = readdirSync(expectedDir).filter((f) => f.endsWith(".json") && !notebooks.includes(f.replace(/\.json$/, ".ipynb")));
    expect(orphans, `expectations without a notebook in notebooks/: ${orphans.join(", ")}`).toEqual([]);
  });

  it("each has an executed copy in docs/notebooks/ for readers (node scripts/render-notebooks.mjs NAME)", () => {
    const missing = notebooks.filter((n) => !existsSync(join(renderedDir, n)));
    expect(missing, `notebooks without an executed copy in docs/notebooks/: ${missing.join(", ")}; run node scripts/render-notebooks.mjs ${missing.map((m) => m.replace(/\.ipynb$/, "")).join(" ")}`).toEqual([]);
  });

  for (const name of notebooks) {
    it(`${name} runs on a fresh kernel without errors and shows the values its expectations name`, () => {
      const expected = loadExpectations(expectationsPath(expectedDir, name)); // throws when missing or malformed
      const output = join(work, name);
      const r = runNotebook(join(notebooksDir, name), { output, timeout: 240, python });
      const nb = JSON.parse(readFileSync(output, "utf8")) as Notebook;
      const code = nb.cells.filter((c) => c.cell_type === "code");
      const errors = code.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}\n${[c.source].flat().join("")}`));
      expect(errors, errors.join("\n\n")).toEqual([]);
      expect(r.status, r.message).toBe(0);
      expect(code.every((c) => typeof c.execution_count === "number")).toBe(true);
      expect(code.some((c) => (c.outputs ?? []).some((o) => o.output_type === "execute_result")), `${name} has no execute_result`).toBe(true);
      const failures = checkNotebook(nb, expected);
      expect(failures, `${name}: ${failures.length} expectation(s) not met:\n${failures.join("\n")}`).toEqual([]);
      const copy = join(renderedDir, name);
      if (existsSync(copy)) {
        const committed = JSON.parse(readFileSync(copy, "utf8")) as Notebook;
        const source = JSON.parse(readFileSync(join(notebooksDir, name), "utf8")) as Notebook;
        const diffs = [...compareRendered(committed, source, nb), ...checkNotebook(committed, expected).map((f) => `its outputs: ${f}`)];
        expect(diffs, `docs/notebooks/${name} does not match the notebook and a fresh run (re-render: node scripts/render-notebooks.mjs ${name.replace(/\.ipynb$/, "")}):\n${diffs.join("\n")}`).toEqual([]);
      }
    }, 600_000); // 04-case-studies trains a few small nets: ≈ 40 s alone, minutes on a loaded machine
  }
});
