// Does every set-up step that is still missing, each skipped when its stamp is newer than its
// inputs: npm deps, the build (core, WASM kernels, kernel, extension), the Python virtualenv with
// JupyterLab, the kernelspec and the extension registered in it, and (for browser tests) Chromium.
//   node scripts/setup.mjs [--browser]
import { existsSync, mkdirSync, rmSync, cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import { root, venv, venvBin, run, output, isFresh, touchStamp, log, npmEnv } from "./lib.mjs";
import { build } from "./build.mjs";

export const JUPYTERLAB_SPEC = "jupyterlab==4.6.*";
const PY_PACKAGES = [JUPYTERLAB_SPEC, "nbclient", "nbformat", "jupyter_client"];
/**
 * The Python side of the interoperability tests (issue 18): PyTorch (CPU wheel from pip's
 * find-links folder), onnx (checker), onnxruntime, safetensors and tensorboard. Installed into
 * .venv from the configured (local) indexes only; where they are not available the set-up says
 * so and goes on, and the tests that need them report what is missing.
 */
export const INTEROP_PY_PACKAGES = ["torch==2.13.*", "onnx", "onnxruntime", "safetensors", "tensorboard"];

/**
 * True when node_modules holds what package-lock.json lists, by npm's own record of the install
 * (node_modules/.package-lock.json): same versions, nothing missing except optional packages for
 * other platforms.
 */
export function depsInstalled() {
  const hiddenFile = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(hiddenFile)) return false;
  try {
    const want = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")).packages ?? {};
    const have = JSON.parse(readFileSync(hiddenFile, "utf8")).packages ?? {};
    for (const [path, p] of Object.entries(want)) {
      if (!path.startsWith("node_modules/")) continue;
      const h = have[path];
      if (!h) {
        if (p.optional) continue;
        return false;
      }
      if (h.version !== p.version) return false;
    }
    return Object.keys(have).every((path) => path in want);
  } catch {
    return false;
  }
}

function installDeps() {
  if (depsInstalled()) return;
  log("installing npm dependencies (npm ci)");
  run("npm", ["ci", "--no-audit", "--no-fund"], { env: npmEnv });
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

export function setupVenv() {
  const py = venvBin("python");
  const stamp = join(venv, ".convlab-packages");
  const want = PY_PACKAGES.join(" ");
  if (existsSync(py) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  if (!existsSync(py)) {
    log("creating .venv (python3 -m venv)");
    run("python3", ["-m", "venv", venv]);
  }
  log(`installing ${PY_PACKAGES.join(", ")} into .venv`);
  // pip warns about every local index lacking a package; show its output only when it fails.
  const r = spawnSync(py, ["-m", "pip", "install", "--disable-pip-version-check", "-q", ...PY_PACKAGES], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...pipEnv() },
  });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`pip install into .venv failed (exit ${r.status})`);
  }
  writeFileSync(stamp, want);
}

/** Installs INTEROP_PY_PACKAGES into .venv (own stamp); a failure is reported, not fatal. */
export function setupInteropPython() {
  const py = venvBin("python");
  const stamp = join(venv, ".convlab-interop-packages");
  const want = INTEROP_PY_PACKAGES.join(" ");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  log(`installing ${INTEROP_PY_PACKAGES.join(", ")} into .venv (interop tests)`);
  const r = spawnSync(py, ["-m", "pip", "install", "--disable-pip-version-check", "-q", ...INTEROP_PY_PACKAGES], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, ...pipEnv() },
  });
  if (r.status !== 0) {
    log(`could not install the interop Python packages (the ONNX/PyTorch/TensorBoard tests will say so):\n${(r.stdout + r.stderr).trim().split("\n").slice(-5).join("\n")}`);
    return;
  }
  writeFileSync(stamp, want);
}

/**
 * The root package.json says "type": "module", and Node applies the nearest package.json to
 * every .js file below it, .venv included: JupyterLab's bundled yarn.js would then load as an ES
 * module and fail ("Dynamic require of util"). A package.json in .venv restores CommonJS there.
 */
function venvPackageJson() {
  const p = join(venv, "package.json");
  const want = '{ "type": "commonjs", "private": true }\n';
  if (!existsSync(p) || readFileSync(p, "utf8") !== want) writeFileSync(p, want);
}

/**
 * JupyterLab's settings overrides in .venv: a newcomer's first JupyterLab would ask "Would you
 * like to get notified about official Jupyter news?" over the notebook, and the machine may have
 * no network for news or update checks anyway. Other keys in an existing overrides.json are kept.
 */
export const LAB_OVERRIDES = {
  "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
};

function labSettings() {
  const dir = join(venv, "share", "jupyter", "lab", "settings");
  const p = join(dir, "overrides.json");
  let current = {};
  if (existsSync(p)) {
    try {
      current = JSON.parse(readFileSync(p, "utf8"));
    } catch {
      current = {}; // an unreadable overrides file is replaced
    }
  }
  const merged = { ...current };
  for (const [plugin, values] of Object.entries(LAB_OVERRIDES)) merged[plugin] = { ...(current[plugin] ?? {}), ...values };
  const want = JSON.stringify(merged, null, 2) + "\n";
  if (existsSync(p) && readFileSync(p, "utf8") === want) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(p, want);
}

async function registerKernel() {
  const cli = join(root, "kernel", "dist", "cli.js");
  if (!existsSync(cli)) return; // the kernel is not built in this checkout
  const spec = join(venv, "share", "jupyter", "kernels", "convlab", "kernel.json");
  // Registered when the spec there differs from the one this checkout and this Node would write.
  const { kernelSpec } = await import(pathToFileURL(join(root, "kernel", "dist", "kernelspec.js")).href);
  const want = JSON.stringify(kernelSpec(), null, 2) + "\n";
  if (existsSync(spec) && readFileSync(spec, "utf8") === want) return;
  log("registering the convlab kernel in .venv");
  run(process.execPath, [cli, "install", "--prefix", venv]);
}

function installExtension() {
  const built = join(root, "extension", "labextension");
  if (!existsSync(join(built, "package.json"))) return; // the extension is not built here
  const name = JSON.parse(readFileSync(join(root, "extension", "package.json"), "utf8")).name;
  const dest = join(venv, "share", "jupyter", "labextensions", name);
  // Its own stamp: the build's "labextension" stamp is newer than the build output by design.
  if (existsSync(join(dest, "package.json")) && isFresh("labextension-installed", ["extension/labextension"], /(^|\/)node_modules(\/|$)/)) return;
  log(`installing the JupyterLab extension into .venv (${name})`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(join(dest, ".."), { recursive: true });
  cpSync(built, dest, { recursive: true });
  touchStamp("labextension-installed");
}

export const CHROMIUM = "/usr/bin/chromium";
export const FASHION_MNIST = "/usr/share/datasets/fashion-mnist";

/**
 * Debian packages the tests use: chromium (browser tests) and dataset-fashion-mnist (the
 * Fashion-MNIST loader's test). Installed with apt-get (as root, or through passwordless sudo).
 */
function installDebianPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push("chromium");
  if (!existsSync(FASHION_MNIST)) missing.push("dataset-fashion-mnist");
  if (!missing.length) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = (args) => (isRoot ? run("apt-get", args) : run("sudo", ["-n", "apt-get", ...args]));
  log(`installing Debian packages for the tests: ${missing.join(", ")} (apt-get)`);
  apt(["update", "-q"]);
  apt(["install", "-y", "-q", "--no-install-recommends", ...missing]);
}

export async function setup({ browser = false } = {}) {
  const t0 = Date.now();
  installDeps();
  await build();
  setupVenv();
  setupInteropPython();
  venvPackageJson();
  labSettings();
  await registerKernel();
  installExtension();
  if (browser) installDebianPackages();
  log(`set-up done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  setup({ browser: process.argv.includes("--browser") }).catch((e) => {
    log(`set-up failed: ${e.message}`);
    process.exit(1);
  });
}
