/**
 * Loads one big CommonJS file (tslab's 8 MB TypeScript compiler) with V8's code cache, so a
 * kernel start does not compile it from scratch (Node 20 has no built-in compile cache). The
 * cache is written after the kernel has used the compiler once (so it holds the functions the
 * start-up needs) into `$CONVLAB_CACHE_DIR`, else `$XDG_CACHE_HOME/convlab` or `~/.cache/convlab`,
 * and is only used when V8 accepts it (same Node, same flags, same file).
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import vm from "node:vm";

interface ModuleInternals {
  _nodeModulePaths(dir: string): string[];
  _cache: Record<string, unknown>;
  wrap(src: string): string;
}

export function cacheDir(): string {
  return process.env.CONVLAB_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "convlab");
}

export interface CachedLoad {
  /** Whether V8 used the cache. */
  hit: boolean;
  /** Writes the cache (now holding what ran so far) unless it was used; never throws. */
  save(): void;
}

/**
 * Compiles and runs `file` as a CommonJS module and puts it in `require.cache`, so later
 * `require(file)` calls (e.g. tslab's) get this instance.
 */
export function loadWithCodeCache(file: string): CachedLoad {
  const st = statSync(file);
  const key = createHash("sha256").update([file, st.size, st.mtimeMs, process.version, process.arch, process.execArgv.join(" ")].join("\n")).digest("hex").slice(0, 24);
  const cacheFile = join(cacheDir(), `v8-${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const M = Module as unknown as ModuleInternals & (new (id: string, parent: unknown) => NodeJS.Module);
  const script = new vm.Script(M.wrap(readFileSync(file, "utf8")), { filename: file, cachedData });
  const hit = cachedData !== undefined && !script.cachedDataRejected;
  const mod = new M(file, null) as NodeJS.Module & { paths: string[]; loaded: boolean; filename: string };
  mod.filename = file;
  mod.paths = M._nodeModulePaths(dirname(file));
  const fn = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  M._cache[file] = mod;
  return {
    hit,
    save() {
      if (hit) return;
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // no cache then; the next start compiles again
      }
    },
  };
}
