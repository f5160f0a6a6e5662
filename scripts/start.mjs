// `npm start`: does every set-up step still missing (scripts/setup.mjs), then opens JupyterLab on
// notebooks/ with the convlab kernel. Arguments after `--` go to `jupyter lab` (e.g. --no-browser,
// --port 8899).
import { existsSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { root, venvBin, log } from "./lib.mjs";
import { setup } from "./setup.mjs";

const args = process.argv.slice(2);
try {
  await setup();
} catch (e) {
  log(`set-up failed: ${e.message}`);
  process.exit(1);
}
const jupyter = venvBin("jupyter");
if (!existsSync(jupyter)) {
  log("JupyterLab is missing from .venv after set-up");
  process.exit(1);
}
// Defaults the user's own flags override: serve notebooks/, and new notebooks use the convlab kernel.
const given = (name) => args.some((a) => a === name || a.startsWith(`${name}=`));
const defaults = [];
if (!given("--notebook-dir") && !given("--ServerApp.root_dir")) defaults.push(`--ServerApp.root_dir=${join(root, "notebooks")}`);
if (!given("--MappingKernelManager.default_kernel_name")) defaults.push("--MappingKernelManager.default_kernel_name=convlab");
// Jupyter refuses to run as root unless told; containers and CI machines often are root.
if (process.getuid?.() === 0 && !given("--allow-root")) defaults.push("--allow-root");
log(`starting JupyterLab on notebooks/ ${args.join(" ")}`);
const child = spawn(jupyter, ["lab", ...defaults, ...args], { stdio: "inherit", cwd: root });
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
