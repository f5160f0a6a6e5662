import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asciiSource, loadWithCodeCache } from "./codecache.js";

const require = createRequire(import.meta.url);

describe("asciiSource", () => {
  it("writes non-ASCII characters as \\u escapes that mean the same in strings", () => {
    const src = 'module.exports = ["it’s", "→ ✓", "😀"]; // don’t';
    const out = asciiSource(src);
    expect(out).toMatch(/^[\x00-\x7f]*$/);
    expect(out).toContain("\\u2019");
    const m = { exports: undefined as unknown };
    new Function("module", out)(m);
    expect(m.exports).toEqual(["it’s", "→ ✓", "😀"]);
  });
});

describe("loadWithCodeCache", () => {
  let dir: string;
  let saved: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "convlab-codecache-"));
    saved = process.env.CONVLAB_CACHE_DIR;
    process.env.CONVLAB_CACHE_DIR = join(dir, "cache");
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.CONVLAB_CACHE_DIR;
    else process.env.CONVLAB_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const moduleFile = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(file, body);
    return file;
  };

  it("compiles, saves the code cache and an ASCII copy, then loads from both", () => {
    const file = moduleFile("m.cjs", 'exports.greet = (n) => `héllo ${n}`; // “quoted”\nexports.dir = __dirname;\n');
    const first = loadWithCodeCache(file);
    expect(first).toMatchObject({ hit: false, asciiCopy: false });
    expect((require(file) as { greet(n: string): string }).greet("x")).toBe("héllo x");
    first.save();
    const files = readdirSync(join(dir, "cache")).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^v8-[0-9a-f]+\.bin$/);
    expect(files[1]).toMatch(/^v8-[0-9a-f]+\.js$/);
    expect(readFileSync(join(dir, "cache", files[1]!), "latin1")).toMatch(/^[\x00-\x7f]*$/);

    delete require.cache[file];
    const second = loadWithCodeCache(file);
    expect(second).toMatchObject({ hit: true, asciiCopy: true });
    const m = require(file) as { greet(n: string): string; dir: string };
    expect(m.greet("y")).toBe("héllo y");
    expect(m.dir).toBe(dir);
    delete require.cache[file];
  });

  it("keeps the newest entries only, and the one just written", () => {
    const cache = join(dir, "cache");
    const firstKeys: string[] = [];
    for (let i = 0; i < 6; i++) {
      const file = moduleFile(`m${i}.cjs`, `exports.i = ${i};`);
      const before = new Set(i === 0 ? [] : readdirSync(cache));
      loadWithCodeCache(file).save();
      delete require.cache[file];
      // each entry a minute older than the next
      const t = new Date(Date.now() - (6 - i) * 60_000);
      for (const f of readdirSync(cache).filter((f) => !before.has(f))) {
        utimesSync(join(cache, f), t, t);
        firstKeys.push(f.replace(/\.(bin|js)$/, ""));
      }
    }
    const keys = [...new Set(firstKeys)];
    expect(keys).toHaveLength(6);
    expect(new Set(readdirSync(cache).map((f) => f.replace(/\.(bin|js)$/, "")))).toEqual(new Set(keys.slice(2)));
    expect(readdirSync(cache)).toHaveLength(8);
  });
});
