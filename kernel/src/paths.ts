/** Where the kernel's files and the convlab package it preloads live. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";

/** The convlab package root (the folder with package.json, dist/ and kernel/). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The kernel's entry: `node launcher.js CONNECTION_FILE` (the kernelspec's argv). */
export const launcherPath = join(packageRoot, "kernel", "dist", "launcher.js");
/** The `convlab` command line. */
export const cliPath = join(packageRoot, "kernel", "dist", "cli.js");
/** convlab's Node entry (`import ... from "convlab"`). */
export const coreEntry = join(packageRoot, "dist", "index.js");

/** Version of the convlab package. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}
