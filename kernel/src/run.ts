/**
 * `convlab run NOTEBOOK`: executes a notebook headless on a fresh convlab kernel with nbclient
 * (from this repository's .venv, `$CONVLAB_PYTHON`, `--python`, or python3) and saves it with
 * its outputs. The kernelspec used is this package's own, from a temporary JUPYTER_PATH entry,
 * so it works without `convlab install`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { defaultPython, KERNEL_NAME, writeKernelSpec } from "./kernelspec.js";

export interface RunOptions {
  /** Where to save the executed notebook (default: in place). */
  output?: string;
  /** Seconds one cell may run (default 600; 0 or negative: no limit). */
  timeout?: number;
  /** Keep going after a cell fails (the notebook is saved either way). */
  allowErrors?: boolean;
  python?: string;
  /** Let nbclient's messages through to this process's stdout/stderr instead of collecting them. */
  echo?: boolean;
}

export interface RunResult {
  /** 0: every cell ran; 1: a cell failed (saved with the error); 2: nothing could run. */
  status: 0 | 1 | 2;
  output: string;
  message: string;
}

const SCRIPT = String.raw`
import json, sys, time
args = json.loads(sys.argv[1])
try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
except ImportError as e:
    print("nbclient is not installed in %s (%s): pip install nbclient" % (sys.executable, e), file=sys.stderr)
    sys.exit(2)
nb = nbformat.read(args["path"], as_version=4)
client = NotebookClient(nb, kernel_name=args["kernel"], timeout=args["timeout"], allow_errors=args["allow_errors"],
                        resources={"metadata": {"path": args["cwd"]}})
t0 = time.time()
status = 0
try:
    client.execute()
except CellExecutionError as e:
    print(str(e), file=sys.stderr)
    status = 1
except Exception as e:
    print("%s: %s" % (type(e).__name__, e), file=sys.stderr)
    status = 2
nbformat.write(nb, args["output"])
cells = sum(1 for c in nb.cells if c.cell_type == "code")
print("ran %d code cells in %.1f s" % (cells, time.time() - t0))
sys.exit(status)
`;

export function runNotebook(path: string, opts: RunOptions = {}): RunResult {
  const notebook = resolve(path);
  const output = resolve(opts.output ?? path);
  if (!existsSync(notebook)) return { status: 2, output, message: `no notebook at ${notebook}` };
  const python = opts.python ?? defaultPython();
  const jupyterPath = mkdtempSync(join(tmpdir(), "convlab-run-"));
  try {
    writeKernelSpec(join(jupyterPath, "kernels"));
    const env = { ...process.env, JUPYTER_PATH: [jupyterPath, process.env.JUPYTER_PATH].filter(Boolean).join(delimiter) };
    const timeout = opts.timeout === undefined ? 600 : opts.timeout > 0 ? opts.timeout : null;
    const args = { path: notebook, output, kernel: KERNEL_NAME, timeout, allow_errors: opts.allowErrors ?? false, cwd: dirname(notebook) };
    const r = spawnSync(python, ["-c", SCRIPT, JSON.stringify(args)], { env, encoding: "utf8", stdio: opts.echo ? "inherit" : ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
    if (r.error) return { status: 2, output, message: `could not run ${python}: ${r.error.message} (set CONVLAB_PYTHON or pass --python)` };
    const status = r.status === 0 ? 0 : r.status === 1 ? 1 : 2;
    return { status, output, message: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
  } finally {
    rmSync(jupyterPath, { recursive: true, force: true });
  }
}
