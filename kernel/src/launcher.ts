#!/usr/bin/env node
/**
 * The convlab kernel process: `node launcher.js CONNECTION_FILE` (the kernelspec's argv).
 */
// Jupyter interrupts with SIGINT; until the kernel installs its handler, ignore it rather than exit.
const ignoreSigint = () => {};
process.on("SIGINT", ignoreSigint);

const connectionFile = process.argv[2];
if (!connectionFile) {
  process.stderr.write("usage: node launcher.js CONNECTION_FILE\n");
  process.exit(2);
}
// A start runs much of the 8 MB TypeScript compiler once or a few times: V8's default tiering
// budget has it optimize many functions that are then barely used, on a machine whose cores the
// optimizing compiler shares. A larger budget (V8's counter of bytecode executed before a
// function is considered for optimization) leaves them in the baseline tiers longer; long-running
// code (training loops) is optimized as before, just a little later. CONVLAB_KERNEL_V8_BUDGET
// sets the value (0: V8's default).
const budget = process.env.CONVLAB_KERNEL_V8_BUDGET ?? "200000";
if (budget !== "0" && /^\d+$/.test(budget)) (await import("node:v8")).setFlagsFromString(`--interrupt-budget=${budget}`);
const { startKernel } = await import("./kernel.js");
await startKernel(connectionFile);
process.off("SIGINT", ignoreSigint);
