/**
 * The `convlab` kernelspec and where Jupyter looks for it.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { launcherPath, packageRoot, packageVersion } from "./paths.js";

export const KERNEL_NAME = "convlab";
export const DISPLAY_NAME = "convlab (TypeScript)";

export interface KernelSpec {
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: "signal";
  metadata: Record<string, unknown>;
}

/** The kernelspec: this Node (absolute path) running this package's launcher. */
export function kernelSpec(): KernelSpec {
  return {
    argv: [process.execPath, launcherPath, "{connection_file}"],
    display_name: DISPLAY_NAME,
    language: "typescript",
    interrupt_mode: "signal",
    metadata: { convlab: { version: packageVersion(), root: packageRoot } },
  };
}

/**
 * The kernel's logo at `size` px: the course's first worked convolution (the 6×6 image ∗ the
 * vertical edge filter = 4×4) as a diverging heatmap, drawn by convlab itself.
 */
export function logoPng(size: 32 | 64): Uint8Array {
  const require = createRequire(import.meta.url);
  const cl = require("convlab/browser") as typeof import("convlab/browser");
  const map = cl.tensor([[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]);
  return cl.inspect.tensorToPng(map, { colormap: "diverging", upscale: size / 4 });
}

/** Writes `<kernelsDir>/convlab/kernel.json` and the logos; returns that folder. */
export function writeKernelSpec(kernelsDir: string, name = KERNEL_NAME): string {
  const dir = join(kernelsDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), JSON.stringify(kernelSpec(), null, 2) + "\n");
  try {
    for (const size of [32, 64] as const) writeFileSync(join(dir, `logo-${size}x${size}.png`), logoPng(size));
  } catch {
    // the core is not built: no logo
  }
  return dir;
}

/** Jupyter's per-user data folder (as `jupyter --data-dir` reports it). */
export function userDataDir(): string {
  if (process.env.JUPYTER_DATA_DIR) return resolve(process.env.JUPYTER_DATA_DIR);
  if (process.platform === "darwin") return join(homedir(), "Library", "Jupyter");
  if (process.platform === "win32") return join(process.env.APPDATA ?? join(homedir(), "AppData", "Roaming"), "jupyter");
  return join(process.env.XDG_DATA_HOME ?? join(homedir(), ".local", "share"), "jupyter");
}

/** The Python to ask for sys.prefix / to run nbclient: `$CONVLAB_PYTHON`, this repository's .venv, or python3. */
export function defaultPython(): string {
  if (process.env.CONVLAB_PYTHON) return process.env.CONVLAB_PYTHON;
  const venvPython = process.platform === "win32" ? join(packageRoot, ".venv", "Scripts", "python.exe") : join(packageRoot, ".venv", "bin", "python");
  if (existsSync(venvPython)) return venvPython;
  return process.platform === "win32" ? "python" : "python3";
}

export type InstallTarget = { kind: "user" } | { kind: "sys-prefix"; python?: string } | { kind: "prefix"; dir: string };

/** The kernels folder for an install target. */
export function kernelsDir(target: InstallTarget): string {
  switch (target.kind) {
    case "user":
      return join(userDataDir(), "kernels");
    case "prefix":
      return join(resolve(target.dir), "share", "jupyter", "kernels");
    case "sys-prefix": {
      const python = target.python ?? defaultPython();
      let prefix: string;
      try {
        prefix = execFileSync(python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
      } catch (e) {
        throw new Error(`--sys-prefix: could not run ${python} to find sys.prefix (${e instanceof Error ? e.message : String(e)}); pass --python PATH or use --prefix DIR`);
      }
      return join(prefix, "share", "jupyter", "kernels");
    }
  }
}

/** Registers the kernel; returns the kernelspec folder. */
export function installKernel(target: InstallTarget): string {
  return writeKernelSpec(kernelsDir(target));
}
