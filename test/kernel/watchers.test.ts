// A file the kernel's TypeScript program may watch (the notebook folder's package.json, a local
// module, a package's package.json) whose metadata changes while the kernel runs — chmod, a new
// hard link, `npm ci` in a copy sharing node_modules — must leave later cells working, and a real
// edit of a local module must still be seen. (A run of notebooks/08 in a worktree whose
// node_modules were hard-linked failed once with tslab's "Unexpected pending rebuildTimer"; this
// scenario did not reproduce it here — the converter's recovery is tested in
// kernel/src/capture.test.ts.)
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KernelClient } from "../../kernel/src/client.js";
import { ofType, resultText, startKernel, tempEnv } from "./helpers.js";

const env = tempEnv();
let k: KernelClient;

beforeAll(async () => {
  writeFileSync(join(env.dir, "package.json"), JSON.stringify({ name: "nb", private: true }));
  writeFileSync(join(env.dir, "helper.ts"), "export const base = 40;\n");
  // a package: its package.json is one of TypeScript's "affecting locations" for module resolution
  const pkg = join(env.dir, "node_modules", "fakepkg");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "fakepkg", version: "1.0.0", main: "index.js", types: "index.d.ts" }));
  writeFileSync(join(pkg, "index.js"), "exports.two = 2;\n");
  writeFileSync(join(pkg, "index.d.ts"), "export declare const two: number;\n");
  k = await startKernel(env.dir, env.env);
}, 60_000);
afterAll(async () => {
  await k?.shutdown();
  env.cleanup();
});

const errors = (iopub: { header: { msg_type: string }; content: unknown }[]) =>
  ofType(iopub as never, "error").map((m) => (m.content as { evalue: string }).evalue);

describe("kernel file watchers", () => {
  it("metadata-only changes to watched files (chmod) leave later cells working", async () => {
    const a = await k.execute('import { base } from "./helper";\nimport { two } from "fakepkg";\nbase + two - 1');
    expect(errors(a.iopub)).toEqual([]);
    expect(resultText(a.iopub)).toBe("41");
    const touch = (): void => {
      for (const f of ["package.json", "helper.ts", "node_modules/fakepkg/package.json", "node_modules/fakepkg/index.d.ts"]) chmodSync(join(env.dir, f), 0o644);
    };
    for (let round = 0; round < 3; round++) {
      // between cells, and while a cell is running (the events arrive during its await)
      touch();
      const running = k.execute("await new Promise((r) => setTimeout(r, 300)); 0");
      await new Promise((r) => setTimeout(r, 100));
      touch();
      expect(errors((await running).iopub)).toEqual([]);
      await new Promise((r) => setTimeout(r, 300));
      const b = await k.execute(`base + ${round + 2}`);
      expect(errors(b.iopub)).toEqual([]);
      expect(resultText(b.iopub)).toBe(String(42 + round));
    }
  }, 60_000);

  it("a real edit of a local module is still seen by the type checker", async () => {
    writeFileSync(join(env.dir, "helper.ts"), "export const base = 40;\nexport const extra: string = 'x';\n");
    await new Promise((r) => setTimeout(r, 400));
    const c = await k.execute('import { extra } from "./helper";\nextra.length');
    expect(errors(c.iopub)).toEqual([]);
    expect(resultText(c.iopub)).toBe("1");
  }, 60_000);
});
