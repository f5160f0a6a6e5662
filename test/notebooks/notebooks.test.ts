// Every notebook in notebooks/ executed on a fresh convlab kernel with nbclient (from .venv), as
// `convlab run` does, into a temporary copy (the notebooks in the repository stay unexecuted).
// A notebook fails on any error output; each must show the MIME types its lessons rely on.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runNotebook } from "../../kernel/src/run.js";

const root = join(import.meta.dirname, "..", "..");
const notebooksDir = join(root, "notebooks");
const python = join(root, ".venv", "bin", "python");

/** MIME types a notebook must show somewhere (every notebook also needs text/plain results). */
const EXPECTED: Record<string, string[]> = {
  "00-welcome.ipynb": ["text/plain", "image/png", "text/html"],
  "01-foundations.ipynb": ["text/plain", "image/png", "text/html", "application/vnd.convlab.training+json"],
  "02-widgets.ipynb": [
    "text/plain", "image/png", "text/html",
    "application/vnd.convlab.training+json", "application/vnd.convlab.model+json", "application/vnd.convlab.featuremaps+json",
    "application/vnd.convlab.activations+json", "application/vnd.convlab.detections+json", "application/vnd.convlab.embeddings+json",
  ],
  "10-experiments.ipynb": ["text/plain", "text/html", "application/vnd.convlab.model+json", "application/vnd.convlab.training+json"],
};

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
  name?: string;
  text?: string | string[];
}
interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
}

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

  for (const name of notebooks) {
    it(`${name} runs on a fresh kernel without errors and shows its outputs`, () => {
      const output = join(work, name);
      const r = runNotebook(join(notebooksDir, name), { output, timeout: 240, python });
      const nb = JSON.parse(readFileSync(output, "utf8")) as { cells: Cell[] };
      const code = nb.cells.filter((c) => c.cell_type === "code");
      const errors = code.flatMap((c) => (c.outputs ?? []).filter((o) => o.output_type === "error").map((o) => `${o.ename}: ${o.evalue}\n${[c.source].flat().join("")}`));
      expect(errors, errors.join("\n\n")).toEqual([]);
      expect(r.status, r.message).toBe(0);
      expect(code.every((c) => typeof c.execution_count === "number")).toBe(true);
      const mimes = new Set(code.flatMap((c) => (c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {}))));
      for (const mime of EXPECTED[name] ?? ["text/plain"]) expect([...mimes], `${name} shows no ${mime}`).toContain(mime);
      expect(code.some((c) => (c.outputs ?? []).some((o) => o.output_type === "execute_result")), `${name} has no execute_result`).toBe(true);
    }, 300_000);
  }
});
