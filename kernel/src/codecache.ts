/**
 * Loads one big CommonJS file (tslab's 8 MB TypeScript compiler) with V8's code cache, so a
 * kernel start does not compile it from scratch (Node 20 has no built-in compile cache). The
 * cache is written after the kernel has used the compiler once (so it holds the functions the
 * start-up needs) into `$CONVLAB_CACHE_DIR`, else `$XDG_CACHE_HOME/convlab` or `~/.cache/convlab`,
 * and is only used when V8 accepts it (same Node, same flags, same file).
 *
 * Beside the code cache goes a pure-ASCII copy of the source: tslab's compiler has four
 * non-ASCII characters (in comments), which make V8 hold the whole 8 MB as a two-byte string,
 * slower to decode from UTF-8 and to hash (≈ 75 ms of each start). In the copy every non-ASCII
 * character is written as a `\uXXXX` escape, which means the same in string literals and
 * comments, and it is read as one-byte text.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
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

/** How many compiled files the cache keeps (older ones, e.g. of a replaced node_modules, go). */
const KEEP_ENTRIES = 4;

/** `source` with each non-ASCII UTF-16 code unit written as a `\uXXXX` escape. */
export function asciiSource(source: string): string {
  return source.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export interface CachedLoad {
  /** Whether V8 used the cache. */
  hit: boolean;
  /** Whether the source came from the cache's ASCII copy. */
  asciiCopy: boolean;
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
  const dir = cacheDir();
  const cacheFile = join(dir, `v8-${key}.bin`);
  const copyFile = join(dir, `v8-${key}.js`);
  let cachedData: Buffer | undefined;
  let source: string | undefined;
  try {
    cachedData = readFileSync(cacheFile);
    source = readFileSync(copyFile, "latin1");
  } catch {
    cachedData = undefined;
    source = undefined;
  }
  const asciiCopy = source !== undefined;
  // a const, so the closures below see a string (narrowing of a `let` does not reach them)
  const text: string = source ?? asciiSource(readFileSync(file, "utf8"));
  const M = Module as unknown as ModuleInternals & (new (id: string, parent: unknown) => NodeJS.Module);
  const script = new vm.Script(M.wrap(text), { filename: file, cachedData });
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
    asciiCopy,
    save() {
      if (hit) return;
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `.${process.pid}.tmp`;
        if (!asciiCopy) {
          writeFileSync(copyFile + tmp, text, "latin1");
          renameSync(copyFile + tmp, copyFile);
        }
        writeFileSync(cacheFile + tmp, script.createCachedData());
        renameSync(cacheFile + tmp, cacheFile);
        prune(dir, key);
      } catch {
        // no cache then; the next start compiles again
      }
    },
  };
}

/** Removes all but the newest `KEEP_ENTRIES` cache entries (`keep` always stays). */
function prune(dir: string, keep: string): void {
  const entries = new Map<string, number>();
  for (const name of readdirSync(dir)) {
    const m = /^v8-([0-9a-f]+)\.(bin|js)$/.exec(name);
    if (!m || m[1] === keep) continue;
    const mtime = statSync(join(dir, name)).mtimeMs;
    entries.set(m[1], Math.max(entries.get(m[1]) ?? 0, mtime));
  }
  const old = [...entries].sort((a, b) => b[1] - a[1]).slice(KEEP_ENTRIES - 1);
  for (const [k] of old)
    for (const ext of ["bin", "js"])
      try {
        unlinkSync(join(dir, `v8-${k}.${ext}`));
      } catch {
        // already gone
      }
}
