// Node module hooks that run the TypeScript sources directly (for child processes that tests
// spawn: vitest transforms only its own process). A relative `./x.js` that does not exist
// resolves to `./x.ts`; `.ts` files are transpiled one by one with TypeScript (types erased,
// nothing checked).
import { readFile, writeFile, mkdir, rename } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Transpiled files are cached by the hash of their source (TypeScript itself is loaded only on a miss).
const CACHE = join(tmpdir(), "convlab-ts-hooks-cache");
let ts;

export async function resolve(specifier, context, next) {
  if ((specifier.startsWith(".") || specifier.startsWith("file:")) && specifier.endsWith(".js") && context.parentURL) {
    const url = new URL(specifier, context.parentURL);
    if (!existsSync(fileURLToPath(url))) {
      const ts = new URL(url.href.slice(0, -3) + ".ts");
      if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true, format: "module" };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith(".ts")) return next(url, context);
  const file = fileURLToPath(url);
  const source = await readFile(file, "utf8");
  const cached = join(CACHE, createHash("sha256").update(file).update("\0").update(source).digest("hex") + ".js");
  try {
    return { format: "module", source: await readFile(cached, "utf8"), shortCircuit: true };
  } catch { /* not cached yet */ }
  ts ??= (await import("typescript")).default;
  const out = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, isolatedModules: true, esModuleInterop: true, sourceMap: false },
  }).outputText;
  try {
    await mkdir(CACHE, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    await writeFile(tmp, out);
    await rename(tmp, cached);
  } catch { /* a cache is optional */ }
  return { format: "module", source: out, shortCircuit: true };
}
