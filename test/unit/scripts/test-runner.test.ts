// scripts/test.mjs (`npm test`), run for real on one suite with vitest filters: a suite that
// executes no test fails the run with a line saying why, and the last line stays "N passed, N failed".
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const results = mkdtempSync(join(tmpdir(), "convlab-test-runner-"));
afterAll(() => rmSync(results, { recursive: true, force: true }));

function runner(...vitestArgs: string[]): { status: number | null; lines: string[] } {
  const env: Record<string, string | undefined> = { ...process.env, CONVLAB_TEST_RESULTS: results };
  for (const k of Object.keys(env)) if (k.startsWith("VITEST")) delete env[k];
  const r = spawnSync(process.execPath, [join(root, "scripts", "test.mjs"), "--no-setup", "unit", "--", ...vitestArgs], { cwd: root, env, encoding: "utf8" });
  return { status: r.status, lines: `${r.stdout}`.trim().split("\n") };
}

describe("scripts/test.mjs", () => {
  it("a suite whose filters match no file fails: '0 passed, 1 failed' and why", () => {
    const r = runner("test/unit/no-such-folder-for-the-runner-test");
    expect(r.status).toBe(1);
    expect(r.lines.at(-1)).toBe("0 passed, 1 failed");
    expect(r.lines).toContainEqual(expect.stringMatching(/^unit: 0 passed, 1 failed, 0 skipped .* FAILED: no test file matched$/));
  }, 60_000);
  it("a suite whose every test is filtered out (skipped) fails", () => {
    const r = runner("test/unit/tolerance.test.ts", "-t", "no test is called this");
    expect(r.status).toBe(1);
    expect(r.lines.at(-1)).toMatch(/^0 passed, 1 failed, \d+ skipped$/);
    expect(r.lines).toContainEqual(expect.stringMatching(/FAILED: all \d+ test\(s\) in 1 file\(s\) were skipped or filtered out$/));
  }, 60_000);
  it("control: the same file run for real passes", () => {
    const r = runner("test/unit/tolerance.test.ts");
    expect(r.lines.at(-1)).toMatch(/^\d+ passed, 0 failed$/);
    expect(r.status).toBe(0);
  }, 60_000);
});
