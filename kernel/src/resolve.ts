/**
 * `import ... from "convlab"` in cells, wherever the notebook is. tslab resolves modules the
 * node10 way from the notebook's folder, where convlab is usually not installed (inside this
 * repository the package is the root itself). Two hooks make the name mean this package, for
 * the type checker and at run time, so that cells, local `.ts` files and the preloaded `cl`
 * share one instance of the core (and its `cl.runtime`).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type { LazyDocs } from "./jsdoc.js";
import type { Ts } from "./tslab.js";

const require = createRequire(import.meta.url);

/** The file a "convlab" or "convlab/…" request loads; undefined for other requests. */
export function convlabTarget(request: string, root: string): string | undefined {
  if (request === "convlab") return join(root, "dist", "index.js");
  if (request === "convlab/browser") return join(root, "dist", "browser.js");
  if (request.startsWith("convlab/")) return join(root, request.slice("convlab/".length));
  return undefined;
}

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;

/** Makes `require("convlab")` (cells, local .ts files) load the package at `root`. */
export function installRuntimeResolution(root: string): void {
  const Module = require("node:module") as { _resolveFilename: ResolveFilename };
  const original = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, isMain, options) {
    const target = typeof request === "string" ? convlabTarget(request, root) : undefined;
    return original.call(this, target ?? request, parent, isMain, options);
  };
}

/** `p` with forward slashes, as TypeScript writes paths. */
export const slash = (p: string) => p.replace(/\\/g, "/");

/**
 * Adjusts what TypeScript's `sys` (which tslab's converter delegates to) shows the type checker:
 *
 * - with `root`, a `node_modules/convlab` in `cwd` that is the package at `root`, the way tslab
 *   itself forwards `node_modules/tslab`: paths under the virtual folder map to `root`, and
 *   `realpath` reports the real files, as for a symlink;
 * - in `node_modules/@types` folders only `node` is listed, so cells get Node's globals but not
 *   every other `@types` package's (in this repository that halves the converter's start-up);
 *   packages a cell imports still find their `@types` through module resolution;
 * - with `docs`, package declaration files without their documentation comments until the first
 *   inspection asks for them, and without file watchers (see jsdoc.ts).
 */
export function installTypeResolution(ts: Ts, cwd: string, root: string | undefined, docs?: LazyDocs): void {
  const virtual = slash(join(cwd, "node_modules", "convlab"));
  const real = root === undefined ? undefined : slash(root);
  const map = (p: string): string => (real !== undefined && (p === virtual || p.startsWith(virtual + "/")) ? real + p.slice(virtual.length) : p);
  const sys = ts.sys as unknown as Record<string, unknown>;
  // No directory watchers. TypeScript watches the folders of failed module lookups (every
  // node_modules up the tree) to notice new packages, but (1) tslab's converter keeps one pending
  // rebuild timer and throws "Unexpected pending rebuildTimer" in every later cell once such a
  // watcher fires, and (2) Node 20 on Linux has no recursive fs.watch, so TypeScript emulates it
  // by walking every folder below (a project's node_modules: about a third of the start-up).
  // A package installed while the kernel runs is therefore found after a kernel restart.
  if (typeof sys.watchDirectory === "function") sys.watchDirectory = () => ({ close: () => undefined });
  for (const name of ["fileExists", "readFile", "directoryExists", "getDirectories", "readDirectory", "realpath", "getModifiedTime", "getFileSize"]) {
    const original = sys[name];
    if (typeof original !== "function") continue;
    sys[name] = function (this: unknown, path: string, ...rest: unknown[]) {
      const p = typeof path === "string" ? slash(path) : undefined;
      const result = (original as (...a: unknown[]) => unknown).call(ts.sys, p === undefined ? path : map(p), ...rest);
      if (name === "readFile" && docs && p !== undefined) return docs.read(p, result as string | undefined);
      if (name === "getDirectories" && p !== undefined && /\/node_modules\/@types\/?$/.test(p) && Array.isArray(result))
        return result.filter((d) => d === "node");
      return result;
    };
  }
  // Library declaration files (see jsdoc.ts) get no file watcher: like a package installed while
  // the kernel runs, a package updated while it runs is seen after a restart (its code too, as
  // Node caches modules). That is ≈ 230 fs watchers fewer at start. Their converters' callbacks
  // are kept by `docs`, which announces the files once when the documentation is loaded.
  const watchFile = sys.watchFile;
  if (docs && typeof watchFile === "function") {
    sys.watchFile = function (this: unknown, path: string, callback: (fileName: string, kind: number) => void, ...rest: unknown[]) {
      const p = slash(path);
      return docs.isLibrary(p) ? { close: docs.watch(p, callback) } : (watchFile as (...a: unknown[]) => { close(): void }).call(ts.sys, path, callback, ...rest);
    };
  }
}
