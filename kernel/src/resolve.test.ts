import { describe, expect, it } from "vitest";
import { LazyDocs } from "./jsdoc.js";
import { installTypeResolution } from "./resolve.js";
import type { Ts } from "./tslab.js";

// A stand-in for TypeScript's `sys` recording what reaches the file system.
function fakeTs() {
  const watched: string[] = [];
  const closed: string[] = [];
  const files: Record<string, string> = {
    "/repo/dist/index.d.ts": "/** Doc. */ export declare const a: number;",
    "/nb/own.d.ts": "/** Mine. */ export declare const b: number;",
  };
  const sys = {
    readFile: (p: string) => files[p],
    fileExists: (p: string) => p in files,
    directoryExists: () => true,
    getDirectories: () => ["node", "react"],
    watchFile: (p: string) => {
      watched.push(p);
      return { close: () => closed.push(p) };
    },
    watchDirectory: () => {
      throw new Error("no directory watchers expected");
    },
  };
  return { ts: { sys } as unknown as Ts, sys, watched, closed };
}

describe("installTypeResolution", () => {
  it("maps the virtual node_modules/convlab to the package and lists only @types/node", () => {
    const { ts, sys } = fakeTs();
    installTypeResolution(ts, "/nb", "/repo");
    expect(sys.readFile("/nb/node_modules/convlab/dist/index.d.ts")).toContain("Doc.");
    expect(sys.getDirectories("/nb/node_modules/@types")).toEqual(["node"]);
    expect(sys.getDirectories("/nb/other")).toEqual(["node", "react"]);
    expect(() => (sys.watchDirectory as () => { close(): void })().close()).not.toThrow();
  });

  it("with docs: hides library documentation and gives library declarations no file watcher", () => {
    const { ts, sys, watched, closed } = fakeTs();
    const docs = new LazyDocs(1, ["/repo/dist/"]);
    installTypeResolution(ts, "/nb", "/repo", docs);
    expect(sys.readFile("/nb/node_modules/convlab/dist/index.d.ts")).toBe("/*  Doc. */ export declare const a: number;");
    expect(sys.readFile("/nb/own.d.ts")).toContain("/** Mine.");
    const calls: string[] = [];
    const w1 = sys.watchFile("/nb/node_modules/convlab/dist/index.d.ts", (f: string) => calls.push(f));
    const w2 = sys.watchFile("/nb/own.d.ts", (f: string) => calls.push(f));
    expect(watched).toEqual(["/nb/own.d.ts"]);
    w1.close();
    w2.close();
    expect(closed).toEqual(["/nb/own.d.ts"]);
    const w3 = sys.watchFile("/nb/node_modules/convlab/dist/index.d.ts", (f: string) => calls.push(f));
    expect(docs.show()).toBe(1);
    expect(calls).toEqual(["/nb/node_modules/convlab/dist/index.d.ts"]);
    expect(sys.readFile("/nb/node_modules/convlab/dist/index.d.ts")).toContain("/** Doc.");
    w3.close();
  });
});
