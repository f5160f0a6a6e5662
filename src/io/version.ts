// convlab's version, from its package.json (two folders above dist/io and src/io).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | null = null;

/** The `version` of convlab's package.json ("0.0.0" when it cannot be read). */
export function convlabVersion(): string {
  if (cached !== null) return cached;
  try {
    const dir = dirname(fileURLToPath(import.meta.url));
    cached = String((JSON.parse(readFileSync(join(dir, "..", "..", "package.json"), "utf8")) as { version?: unknown }).version ?? "0.0.0");
  } catch {
    cached = "0.0.0";
  }
  return cached;
}

/** The root folder of the convlab package (where package.json is). */
export function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "..", "..");
}
