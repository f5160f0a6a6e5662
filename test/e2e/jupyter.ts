// A real JupyterLab from .venv for browser tests: isolated Jupyter folders, a copy of the
// notebooks to work on, a free port and a random token; Debian Chromium through playwright-core.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const root = join(import.meta.dirname, "..", "..");
export const venv = join(root, ".venv");
export const CHROMIUM = "/usr/bin/chromium";
/** Screenshots and figures of the browser tests (gitignored). */
export const artefacts = join(root, "test-results", "e2e");

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Lab {
  url: string;
  token: string;
  /** The folder JupyterLab serves (a copy of notebooks/). */
  dir: string;
  /** Everything JupyterLab wrote to stdout/stderr so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Jupyter's environment: config, data and runtime folders inside `home`, kernels and extensions from .venv. */
export function jupyterEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JUPYTER_CONFIG_DIR: join(home, "config"),
    JUPYTER_DATA_DIR: join(home, "data"),
    JUPYTER_RUNTIME_DIR: join(home, "runtime"),
    JUPYTERLAB_SETTINGS_DIR: join(home, "lab-settings"),
    JUPYTERLAB_WORKSPACES_DIR: join(home, "lab-workspaces"),
    JUPYTER_PATH: join(venv, "share", "jupyter"),
  };
}

/** Starts `jupyter lab` on a copy of notebooks/ (plus `extra` files) and waits until it answers. */
export async function startLab(extra: Record<string, string> = {}): Promise<Lab> {
  const home = mkdtempSync(join(tmpdir(), "convlab-e2e-"));
  const dir = join(home, "notebooks");
  cpSync(join(root, "notebooks"), dir, { recursive: true });
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  // No news pop-up over the notebook: answered by the set-up's settings overrides in .venv (tested).
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const args = [
    "lab", "--no-browser", "--ip=127.0.0.1", `--port=${port}`, `--ServerApp.token=${token}`,
    `--ServerApp.root_dir=${dir}`, "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0",
  ];
  if (process.getuid?.() === 0) args.push("--allow-root");
  const proc: ChildProcess = spawn(join(venv, "bin", "jupyter"), args, { env: jupyterEnv(home), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(home, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`jupyter lab exited with ${proc.exitCode}:\n${output}`);
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`jupyter lab did not answer within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, token, dir, log: () => output, stop };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/** Runs a JupyterLab command through the app the server exposes (`window.jupyterapp`). */
export async function command(page: Page, id: string, args: Record<string, unknown> = {}): Promise<unknown> {
  await page.waitForFunction(() => (window as unknown as { jupyterapp?: unknown }).jupyterapp !== undefined);
  return page.evaluate(
    ([id, args]) => (window as unknown as { jupyterapp: { commands: { execute(id: string, args: unknown): Promise<unknown> } } }).jupyterapp.commands.execute(id, args).then(() => null),
    [id, args] as const,
  );
}

/** Opens a notebook of the lab in a fresh workspace and waits until its kernel is idle. */
export async function openNotebook(page: Page, lab: Lab, name: string): Promise<void> {
  await page.goto(`${lab.url}/lab/tree/${name}?reset&token=${lab.token}`);
  await page.waitForSelector(".jp-Notebook", { timeout: 90_000 });
  await waitForKernelIdle(page);
}

/** Waits until the notebook's kernel is named convlab and idle. */
export async function waitForKernelIdle(page: Page, timeout = 90_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const name = document.querySelector(".jp-KernelName")?.textContent ?? "";
      const status = document.querySelector(".jp-Notebook-ExecutionIndicator")?.getAttribute("data-status");
      return name.includes("convlab") && status === "idle";
    },
    undefined,
    { timeout },
  );
}

/** `jupyter labextension list` in the lab's environment (output of both streams). */
export function labextensionList(): string {
  const home = mkdtempSync(join(tmpdir(), "convlab-e2e-list-"));
  try {
    const r = spawnSync(join(venv, "bin", "jupyter"), ["labextension", "list"], { env: jupyterEnv(home), encoding: "utf8" });
    return `${r.stdout}${r.stderr}`;
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
