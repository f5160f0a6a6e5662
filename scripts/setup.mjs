// Does every set-up step that is still missing, each skipped when its stamp is newer than its
// inputs: npm deps, the build (core, WASM kernels, kernel, extension), the Python virtualenv with
// JupyterLab, the kernelspec and the extension registered in it, and (for browser tests) Chromium.
//   node scripts/setup.mjs [--browser]
import { existsSync, mkdirSync, rmSync, cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { root, venv, venvBin, run, output, isFresh, touchStamp, log, npmEnv } from "./lib.mjs";
import { build } from "./build.mjs";

export const JUPYTERLAB_SPEC = "jupyterlab==4.6.*";
const PY_PACKAGES = [JUPYTERLAB_SPEC, "nbclient", "nbformat", "jupyter_client"];

function installDeps() {
  if (isFresh("npm-ci", ["package-lock.json", "package.json", "extension/package.json"]) && existsSync(join(root, "node_modules"))) return;
  log("installing npm dependencies (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"], { env: npmEnv });
  touchStamp("npm-ci");
}

/**
 * pip's configuration on some machines lists local file:// indexes as extra indexes while the
 * default index is unreachable; pip then waits minutes on the default. Use the first local index
 * as the main one where such indexes are configured; elsewhere plain pip is used.
 */
export function pipEnv() {
  if (process.env.PIP_INDEX_URL) return {};
  const cfg = output("python3", ["-m", "pip", "config", "list"]);
  const urls = [];
  for (const line of cfg.split("\n")) {
    const m = /^[^=]*(extra-index-url|index-url)='([^']*)'/.exec(line.trim());
    if (m) urls.push(...m[2].split(/\s+/).filter(Boolean));
  }
  const local = urls.find((u) => u.startsWith("file://"));
  return local ? { PIP_INDEX_URL: local } : {};
}

function setupVenv() {
  const py = venvBin("python");
  if (existsSync(py) && isFresh("venv", ["scripts/setup.mjs"])) return;
  if (!existsSync(py)) {
    log("creating .venv (python3 -m venv)");
    run("python3", ["-m", "venv", venv]);
  }
  log(`installing ${PY_PACKAGES.join(", ")} into .venv`);
  run(py, ["-m", "pip", "install", "--disable-pip-version-check", "-q", ...PY_PACKAGES], { env: pipEnv() });
  touchStamp("venv");
}

function registerKernel() {
  const cli = join(root, "kernel", "dist", "cli.js");
  if (!existsSync(cli)) return; // the kernel is not built in this checkout
  const spec = join(venv, "share", "jupyter", "kernels", "convlab", "kernel.json");
  if (existsSync(spec) && isFresh("kernelspec", ["kernel/dist", "scripts/setup.mjs"])) return;
  log("registering the convlab kernel in .venv");
  run(process.execPath, [cli, "install", "--prefix", venv]);
  touchStamp("kernelspec");
}

function installExtension() {
  const built = join(root, "extension", "labextension");
  if (!existsSync(join(built, "package.json"))) return; // the extension is not built here
  const name = JSON.parse(readFileSync(join(root, "extension", "package.json"), "utf8")).name;
  const dest = join(venv, "share", "jupyter", "labextensions", name);
  if (existsSync(join(dest, "package.json")) && isFresh("labextension", ["extension/labextension"])) return;
  log(`installing the JupyterLab extension into .venv (${name})`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(join(dest, ".."), { recursive: true });
  cpSync(built, dest, { recursive: true });
  touchStamp("labextension");
}

export const CHROMIUM = "/usr/bin/chromium";

function installChromium() {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const sudo = isRoot ? [] : ["sudo", "-n"];
  log("installing Debian chromium for the browser tests (apt-get)");
  const apt = (args) => (sudo.length ? run(sudo[0], [...sudo.slice(1), "apt-get", ...args]) : run("apt-get", args));
  apt(["update", "-q"]);
  apt(["install", "-y", "-q", "--no-install-recommends", "chromium"]);
}

export async function setup({ browser = false } = {}) {
  const t0 = Date.now();
  installDeps();
  await build();
  setupVenv();
  registerKernel();
  installExtension();
  if (browser) installChromium();
  log(`set-up done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  setup({ browser: process.argv.includes("--browser") }).catch((e) => {
    log(`set-up failed: ${e.message}`);
    process.exit(1);
  });
}
