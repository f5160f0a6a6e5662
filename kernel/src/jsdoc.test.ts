import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Node, SourceFile } from "@tslab/typescript-for-tslab";
import { describe, expect, it } from "vitest";
import { hideJSDoc, isLibraryDeclaration, LazyDocs } from "./jsdoc.js";
import { packageRoot } from "./paths.js";
import { tslab, typescriptPath, type Ts } from "./tslab.js";

const ts: Ts = tslab().ts;

describe("hideJSDoc", () => {
  it("turns each JSDoc opening into a plain comment and keeps the length", () => {
    const src = "/** Doc. */\nexport declare function f(): void;\n  /**\n   * @param x a value\n   */\n  g(x: number): void;";
    const out = hideJSDoc(src);
    expect(out).toHaveLength(src.length);
    expect(out).toBe("/*  Doc. */\nexport declare function f(): void;\n  /* \n   * @param x a value\n   */\n  g(x: number): void;");
  });

  it("leaves strings, template literal types, line comments, plain and empty comments alone", () => {
    const cases = [
      `type A = "/** not a comment */";`,
      `type B = '/** nor this */' | "say \\"/**\\"";`,
      "type C = `/** ${string} /** ${`/** ${number}`} */`;",
      "// a line comment with /** inside\ntype D = 1;",
      "/* a plain comment with /** inside */ type E = 1;",
      "/**/ type F = 1;",
      "declare const enum G { X = 4 / 2 }",
    ];
    for (const src of cases) expect(hideJSDoc(src)).toBe(src);
  });

  it("finds JSDoc after template literal types with nested braces", () => {
    const src = "type T = `a${ { x: `b${ number }` }['x'] }c`;\n/** Doc. */\ndeclare const t: T;";
    expect(hideJSDoc(src)).toBe(src.replace("/** Doc", "/*  Doc"));
  });

  it("handles unterminated comments, strings and templates without throwing", () => {
    for (const src of ["/** open", "'open", "`open ${", "`a ${ {", "x }"]) expect(hideJSDoc(src)).toHaveLength(src.length);
  });

  // The reference: TypeScript's own parser, on every declaration file a kernel start reads
  // (TypeScript's lib files, @types/node, convlab's declarations). The hidden text must parse to
  // the same syntax tree (kinds and positions of all nodes) with no JSDoc left, and the original
  // must have had JSDoc wherever something was hidden.
  it("gives TypeScript the same syntax tree without JSDoc for the lib files, @types/node and convlab's declarations", () => {
    const files = declarationFiles();
    expect(files.length).toBeGreaterThan(150);
    let hiddenFiles = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const hidden = hideJSDoc(text);
      const a = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
      const b = ts.createSourceFile(file, hidden, ts.ScriptTarget.ES2022, true);
      const shape = (sf: typeof a) => {
        const out: number[] = [];
        const visit = (n: Node) => {
          out.push(n.kind, n.pos, n.end);
          ts.forEachChild(n, visit);
        };
        visit(sf);
        return out;
      };
      expect(shape(b), file).toEqual(shape(a));
      expect(jsDocCount(b), file).toBe(0);
      if (hidden !== text) {
        hiddenFiles++;
        expect(jsDocCount(a), file).toBeGreaterThan(0);
      }
    }
    expect(hiddenFiles).toBeGreaterThan(100);
  }, 60_000);
});

function jsDocCount(sf: SourceFile): number {
  let count = 0;
  const visit = (n: Node) => {
    count += (n as { jsDoc?: unknown[] }).jsDoc?.length ?? 0;
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return count;
}

function declarationFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.d\.ts$/.test(e.name) ? [join(dir, e.name)] : []));
  const require = createRequire(import.meta.url);
  const typesNode = dirname(createRequire(require.resolve("tslab/package.json")).resolve("@types/node/package.json"));
  return [...walk(dirname(typescriptPath())).filter((f) => /lib\.[^/]*\.d\.ts$/.test(f)), ...walk(typesNode), ...walk(join(packageRoot, "dist"))];
}

describe("isLibraryDeclaration", () => {
  it("takes declaration files in packages and below the given roots, nothing else", () => {
    expect(isLibraryDeclaration("/a/node_modules/@types/node/fs.d.ts")).toBe(true);
    expect(isLibraryDeclaration("/a/node_modules/pkg/index.d.mts")).toBe(true);
    expect(isLibraryDeclaration("/a/node_modules/pkg/index.js")).toBe(false);
    expect(isLibraryDeclaration("/notebooks/types.d.ts")).toBe(false);
    expect(isLibraryDeclaration("/notebooks/helper.ts")).toBe(false);
    expect(isLibraryDeclaration("/repo/dist/index.d.ts", ["/repo/dist/"])).toBe(true);
    expect(isLibraryDeclaration("/repo/src/index.ts", ["/repo/dist/"])).toBe(false);
  });
});

describe("LazyDocs", () => {
  const CHANGED = 1;
  const lib = "/x/node_modules/p/index.d.ts";
  const own = "/notebooks/own.d.ts";
  const text = "/** Doc. */ export declare const a: number;";

  it("hides library documentation until show(), then tells each watcher of a hidden file once", () => {
    const docs = new LazyDocs(CHANGED);
    expect(docs.read(lib, text)).toBe(hideJSDoc(text));
    expect(docs.read(own, text)).toBe(text);
    expect(docs.read(lib, undefined)).toBeUndefined();
    const calls: [string, number][] = [];
    docs.watch(lib, (f, k) => calls.push([f, k]));
    docs.watch(own, (f, k) => calls.push([f, k]));
    const forget = docs.watch(lib, () => calls.push(["closed", 0]));
    forget();
    expect(docs.loaded).toBe(false);
    expect(docs.show()).toBe(1);
    expect(calls).toEqual([[lib, CHANGED]]);
    expect(docs.loaded).toBe(true);
    expect(docs.read(lib, text)).toBe(text);
    expect(docs.show()).toBe(0);
    expect(calls).toHaveLength(1);
  });

  it("shows everything from the start with hide: false", () => {
    const docs = new LazyDocs(CHANGED, [], false);
    expect(docs.loaded).toBe(true);
    expect(docs.read(lib, text)).toBe(text);
    expect(docs.show()).toBe(0);
  });
});
