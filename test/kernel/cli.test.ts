// The `convlab` command: install (kernelspec with absolute paths) and run (a notebook executed
// headless with nbclient and saved).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath, launcherPath } from "../../kernel/src/paths.js";
import { tempEnv } from "./helpers.js";

const env = tempEnv("convlab-cli-test-");
afterAll(() => env.cleanup());

const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [cliPath, ...args], { env: { ...env.env, ...extraEnv }, encoding: "utf8", timeout: 240_000 });

interface Notebook {
  cells: { cell_type: string; source: string; outputs?: { output_type: string; data?: Record<string, unknown>; ename?: string; text?: string }[]; execution_count?: number | null }[];
}

/** Reads a saved notebook, joining the line lists nbformat writes multi-line strings as. */
function readNotebook(path: string): Notebook {
  return JSON.parse(readFileSync(path, "utf8"), (key, v: unknown) =>
    Array.isArray(v) && (key === "text" || key === "source" || key.includes("/")) && v.every((x) => typeof x === "string") ? v.join("") : v,
  ) as Notebook;
}

function notebook(path: string, sources: string[]): void {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "convlab", display_name: "convlab (TypeScript)", language: "typescript" } },
    cells: sources.map((source, i) => ({ id: `c${i}`, cell_type: "code", metadata: {}, source, outputs: [], execution_count: null })),
  };
  writeFileSync(path, JSON.stringify(nb));
}

describe("convlab install", () => {
  it("writes the convlab kernelspec with absolute paths into --prefix", () => {
    const r = cli(["install", "--prefix", join(env.dir, "prefix")]);
    expect(r.status, r.stderr).toBe(0);
    const spec = JSON.parse(readFileSync(join(env.dir, "prefix", "share", "jupyter", "kernels", "convlab", "kernel.json"), "utf8")) as { argv: string[]; display_name: string; language: string; interrupt_mode: string };
    expect(spec.display_name).toBe("convlab (TypeScript)");
    expect(spec.language).toBe("typescript");
    expect(spec.interrupt_mode).toBe("signal");
    expect(spec.argv).toEqual([process.execPath, launcherPath, "{connection_file}"]);
    expect(spec.argv.slice(0, 2).every(isAbsolute)).toBe(true);
    expect(existsSync(spec.argv[1]!)).toBe(true);
    const logo = readFileSync(join(env.dir, "prefix", "share", "jupyter", "kernels", "convlab", "logo-64x64.png"));
    expect([logo.readUInt32BE(16), logo.readUInt32BE(20)]).toEqual([64, 64]);
  });

  it("installs for the user into Jupyter's data folder by default", () => {
    const r = cli(["install"]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(env.env.JUPYTER_DATA_DIR!, "kernels", "convlab", "kernel.json"))).toBe(true);
  });

  it("rejects conflicting or unknown options", () => {
    expect(cli(["install", "--user", "--prefix", env.dir]).status).toBe(2);
    expect(cli(["install", "--bogus"]).stderr).toMatch(/unknown option --bogus/);
    expect(cli(["frobnicate"]).status).toBe(2);
  });
});

describe("convlab run", () => {
  it("executes a notebook on a fresh kernel and saves its outputs", () => {
    const path = join(env.dir, "ok.ipynb");
    notebook(path, ["const m = cl.eye(3);\nm.sum().item()", "cl.show(m)", "console.log('done')"]);
    const r = cli(["run", path]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const nb = readNotebook(path);
    const [a, b, c] = nb.cells;
    expect(a!.execution_count).toBe(1);
    expect(a!.outputs![0]).toMatchObject({ output_type: "execute_result", data: { "text/plain": "3" } });
    expect(Object.keys(b!.outputs![0]!.data!).sort()).toEqual(["image/png", "text/plain"]);
    expect(c!.outputs![0]).toMatchObject({ output_type: "stream", text: "done\n" });
  });

  it("stops at a failing cell, saves the error to --output and exits 1", () => {
    const path = join(env.dir, "bad.ipynb");
    const out = join(env.dir, "bad.out.ipynb");
    notebook(path, ["1 + 1", "throw new Error('cell two fails')", "'never'"]);
    const r = cli(["run", path, "--output", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cell two fails/);
    const nb = readNotebook(out);
    expect(nb.cells[1]!.outputs![0]).toMatchObject({ output_type: "error", ename: "Error" });
    expect(nb.cells[2]!.outputs).toEqual([]);
    expect(readNotebook(path).cells[0]!.outputs).toEqual([]); // the input is untouched
  });

  it("reports a missing notebook", () => {
    const r = cli(["run", join(env.dir, "missing.ipynb")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no notebook at/);
  });
});
