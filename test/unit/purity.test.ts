import { describe, it, expect } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

// The core must run in the browser extension too: no Node built-ins (and no DOM) outside
// src/io/ and src/kernels/node/ (DESIGN.md, "Layout").
const SRC = join(__dirname, "..", "..", "src");
const ALLOWED = [/^io\//, /^kernels\/node\//, /^index\.ts$/];
const NODE_BUILTINS = /from\s+["'](node:[^"']+|fs|path|os|url|worker_threads|child_process|crypto|util|stream|zlib|module)["']|require\(\s*["'](node:|fs|path|os)/;
const DOM = /\b(document|window|HTMLElement|HTMLCanvasElement)\b\s*[.(]/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}

describe("core purity", () => {
  it("no Node built-ins or DOM outside src/io and src/kernels/node", () => {
    const offenders: string[] = [];
    for (const f of files(SRC)) {
      const rel = relative(SRC, f).replace(/\\/g, "/");
      if (ALLOWED.some((r) => r.test(rel))) continue;
      const text = readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      if (NODE_BUILTINS.test(text) || DOM.test(text)) offenders.push(rel);
    }
    expect(offenders).toEqual([]);
  });
  it("the browser entry does not import io or the node kernels", () => {
    const text = readFileSync(join(SRC, "browser.ts"), "utf8");
    expect(text).not.toMatch(/\.\/io\/|kernels\/node/);
  });
});
