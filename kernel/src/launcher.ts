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
const { startKernel } = await import("./kernel.js");
await startKernel(connectionFile);
process.off("SIGINT", ignoreSigint);
