#!/usr/bin/env node
/**
 * The `convlab` command:
 *   convlab install [--user | --sys-prefix | --prefix DIR] [--python PY]   register the kernel with Jupyter
 *   convlab run NOTEBOOK [--output PATH] [--timeout S] [--allow-errors] [--python PY]
 *   convlab kernel CONNECTION_FILE                                          start the kernel (what Jupyter runs)
 *   convlab rerun RUN_DIR                                                   repeat a recorded experiment, compare bit for bit
 */
import { pathToFileURL } from "node:url";
import { coreEntry, packageVersion } from "./paths.js";

const USAGE = `usage:
  convlab install [--user | --sys-prefix | --prefix DIR] [--python PY]
      register the "convlab" kernel (default --user; --sys-prefix uses the sys.prefix of PY,
      by default this repository's .venv or python3)
  convlab run NOTEBOOK [--output PATH] [--timeout SECONDS] [--allow-errors] [--python PY]
      execute NOTEBOOK on a fresh convlab kernel with nbclient and save it (in place by default);
      exits 1 when a cell fails (the notebook is saved with the error)
  convlab kernel CONNECTION_FILE
      start the kernel (what Jupyter runs)
  convlab rerun RUN_DIR
      repeat the experiment recorded in RUN_DIR (runs/<id>, from cl.experiment) with its seed
      and source, beside it; exits 0 when every metric matches bit for bit, 1 otherwise
  convlab --version
`;

function fail(msg: string): never {
  process.stderr.write(`convlab: ${msg}\n\n${USAGE}`);
  process.exit(2);
}

/** Splits argv into positionals and `--flag [value]` options (`valued` lists the flags that take a value). */
function parse(argv: string[], valued: string[], flags: string[]): { pos: string[]; opts: Map<string, string | true> } {
  const pos: string[] = [];
  const opts = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) {
      pos.push(a);
      continue;
    }
    const [name, inline] = a.split(/=(.*)/s, 2) as [string, string | undefined];
    if (valued.includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined) fail(`${name} needs a value`);
      opts.set(name, v);
    } else if (flags.includes(name)) opts.set(name, true);
    else fail(`unknown option ${name}`);
  }
  return { pos, opts };
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case "install": {
    const { pos, opts } = parse(rest, ["--prefix", "--python"], ["--user", "--sys-prefix"]);
    if (pos.length) fail(`install takes no arguments, got ${pos.join(" ")}`);
    const chosen = ["--user", "--sys-prefix", "--prefix"].filter((o) => opts.has(o));
    if (chosen.length > 1) fail(`choose one of ${chosen.join(", ")}`);
    const { installKernel } = await import("./kernelspec.js");
    const python = opts.get("--python") as string | undefined;
    const dir = opts.has("--prefix")
      ? installKernel({ kind: "prefix", dir: opts.get("--prefix") as string })
      : opts.has("--sys-prefix")
        ? installKernel({ kind: "sys-prefix", python })
        : installKernel({ kind: "user" });
    process.stdout.write(`installed the convlab kernel in ${dir}\n`);
    break;
  }
  case "run": {
    const { pos, opts } = parse(rest, ["--output", "--timeout", "--python"], ["--allow-errors"]);
    if (pos.length !== 1) fail("run takes one notebook");
    const timeout = opts.has("--timeout") ? Number(opts.get("--timeout")) : undefined;
    if (timeout !== undefined && !Number.isFinite(timeout)) fail(`--timeout must be a number of seconds, got ${String(opts.get("--timeout"))}`);
    const { runNotebook } = await import("./run.js");
    const r = runNotebook(pos[0]!, {
      output: opts.get("--output") as string | undefined,
      timeout,
      allowErrors: opts.has("--allow-errors"),
      python: opts.get("--python") as string | undefined,
      echo: true,
    });
    if (r.message) process.stderr.write(r.message + "\n");
    process.stdout.write(r.status === 2 ? `could not run ${pos[0]}\n` : `saved ${r.output}${r.status === 1 ? " (a cell failed)" : ""}\n`);
    process.exit(r.status);
    break;
  }
  case "kernel": {
    if (rest.length !== 1) fail("kernel takes one connection file");
    const { startKernel } = await import("./kernel.js");
    await startKernel(rest[0]!);
    break;
  }
  case "rerun": {
    if (rest.length !== 1) fail("rerun takes one run folder (runs/<id>)");
    const cl = (await import(pathToFileURL(coreEntry).href)) as { io: { rerun(dir: string): Promise<{ match: boolean; differences: string[]; rerun: { id: string; dir: string } }> } };
    try {
      const r = await cl.io.rerun(rest[0]!);
      process.stdout.write(`${r.match ? "match" : "MISMATCH"}: rerun ${r.rerun.id} (${r.rerun.dir})${r.match ? ": every metric is bit-identical" : ""}\n`);
      for (const d of r.differences) process.stdout.write(`  ${d}\n`);
      await shutdown(cl);
      process.exit(r.match ? 0 : 1);
    } catch (e) {
      process.stderr.write(`convlab rerun: ${(e as Error).message}\n`);
      process.exit(2);
    }
    break;
  }
  case "--version":
    process.stdout.write(`convlab ${packageVersion()}\n`);
    break;
  case "--help":
  case "-h":
  case undefined:
    process.stdout.write(USAGE);
    break;
  default:
    fail(`unknown command ${command}`);
}

/** Stops convlab's worker pool (if any) so that the process can exit. */
async function shutdown(cl: unknown): Promise<void> {
  const f = (cl as { shutdownThreads?: () => unknown }).shutdownThreads;
  if (typeof f === "function") await f();
}
