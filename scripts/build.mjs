// Builds what is stale: the WASM kernels (when their sources exist), the TypeScript projects
// (core → dist/, kernel → kernel/dist/, extension → extension/lib/) and the prebuilt JupyterLab
// extension (extension/labextension/). Each step is skipped when its outputs are newer than its inputs.
//   node scripts/build.mjs [--force]
import { existsSync } from "node:fs";
import { join } from "node:path";
import { root, run, isFresh, touchStamp, log } from "./lib.mjs";

const force = process.argv.includes("--force");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

function step(name, inputs, fn) {
  if (!force && isFresh(name, inputs)) return;
  const t0 = Date.now();
  fn();
  touchStamp(name);
  log(`built ${name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

export async function build() {
  const wasmScript = join(root, "scripts", "build-wasm.mjs");
  if (existsSync(wasmScript)) {
    step("wasm", ["src/kernels/wasm", "scripts/build-wasm.mjs"], () => run(process.execPath, [wasmScript]));
  }
  step("tsc", ["src", "kernel/src", "extension/src", "tsconfig.json", "tsconfig.base.json", "package.json"], () =>
    run(process.execPath, [tsc, "-b", "tsconfig.json"]),
  );
  const extScript = join(root, "scripts", "build-extension.mjs");
  if (existsSync(extScript)) {
    step("labextension", ["extension/src", "extension/style", "extension/package.json", "dist", "scripts/build-extension.mjs"], () =>
      run(process.execPath, [extScript]),
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  build().catch((e) => {
    log(`build failed: ${e.message}`);
    process.exit(1);
  });
}
