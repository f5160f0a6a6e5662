// Builds the JupyterLab extension: its TypeScript (extension/src → extension/lib, after the core
// it imports as convlab/browser) and the prebuilt extension (extension/labextension/) with
// JupyterLab 4.6's builder, @jupyter/builder (rspack). scripts/build.mjs calls this when the
// extension's inputs changed; scripts/setup.mjs copies the result into .venv.
//   node scripts/build-extension.mjs [--development]
import { existsSync } from "node:fs";
import { join } from "node:path";
import { root, run, log } from "./lib.mjs";

export function buildExtension({ development = false } = {}) {
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const builder = join(root, "node_modules", "@jupyter", "builder", "lib", "build-labextension.js");
  const corePackage = join(root, "node_modules", "@jupyterlab", "core-meta", "core.package.json");
  for (const f of [builder, corePackage]) if (!existsSync(f)) throw new Error(`build-extension: ${f} is missing (run npm ci)`);
  run(process.execPath, [tsc, "-b", join(root, "extension")]);
  const args = [builder, "--core-package-file", corePackage];
  if (development) args.push("--development");
  args.push(join(root, "extension"));
  // rspack's stats go to stdout; keep them out of the set-up's output unless the build fails.
  run(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
  log("built the JupyterLab extension into extension/labextension/");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    buildExtension({ development: process.argv.includes("--development") });
  } catch (e) {
    log(`extension build failed: ${e.message}`);
    process.exit(1);
  }
}
