// Issue 11 item 6: a seeded fuzz suite over the public API. Every export of the `convlab` entry
// (walked programmatically; see fuzz/cases.ts for the cases and the exclusion list) is called
// with malformed arguments; each call must return normally or throw a convlab error, never V8's
// TypeError/RangeError, never a NaN-only tensor, never a payload its widget refuses. The calls
// run in a child process one at a time under a per-call guard: a call still running after
// GUARD_S seconds (a hang) is reported with its arguments, the child is killed and the run
// continues with the next case. FUZZ_SEED, FUZZ_GENERIC, FUZZ_PER_ARGUMENT and FUZZ_GUARD_S
// change the run; FUZZ_REPORT=file writes the failures there.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXCLUDED } from "./fuzz/cases.js";
import * as cl from "../../src/index.js";

const GUARD_S = Number(process.env.FUZZ_GUARD_S ?? 30);
const REGISTER = join(__dirname, "support", "ts-register.mjs");
const CHILD = join(__dirname, "fuzz", "child.ts");

interface Failure {
  path: string;
  kind: string;
  args: string;
  problem: string;
}

/** Runs the child from case `from`; resolves with the index to resume at (or -1 when done). */
function runFrom(from: number, cwd: string, failures: Failure[], seen: { total: number; ran: number }): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", REGISTER, CHILD], {
      cwd,
      env: { ...process.env, FUZZ_FROM: String(from) },
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let current: { i: number; info: Omit<Failure, "problem"> } | null = null;
    let stderr = "";
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (current) failures.push({ ...current.info, problem: `still running after ${GUARD_S} s (hang)` });
        child.kill("SIGKILL");
      }, GUARD_S * 1000);
    };
    arm();
    child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    let buf = "";
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("N ")) seen.total = Number(line.slice(2));
        else if (line.startsWith("S ")) {
          const sp = line.indexOf(" ", 2);
          current = { i: Number(line.slice(2, sp)), info: JSON.parse(line.slice(sp + 1)) };
          arm();
        } else if (line.startsWith("R ")) {
          const sp = line.indexOf(" ", 2);
          const problem = JSON.parse(line.slice(sp + 1)) as string | null;
          if (problem !== null && current) failures.push({ ...current.info, problem });
          seen.ran++;
          current = null;
        } else if (line === "D") done = true;
      }
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (done) return resolve(-1);
      if (current) {
        if (!failures.some((f) => f.path === current!.info.path && f.args === current!.info.args))
          failures.push({ ...current.info, problem: `the process died (${signal ?? `exit ${code}`}): ${stderr.trim().split("\n").slice(-3).join(" | ")}` });
        return resolve(current.i + 1);
      }
      failures.push({ path: "(child)", kind: "-", args: "", problem: `exited before any case (${signal ?? `exit ${code}`}): ${stderr.trim().slice(-1500)}` });
      resolve(-1);
    });
  });
}

const failures: Failure[] = [];
const seen = { total: 0, ran: 0 };
let cwd = "";

beforeAll(async () => {
  cwd = mkdtempSync(join(tmpdir(), "convlab-fuzz-"));
  let from = 0;
  while (from >= 0) from = await runFrom(from, cwd, failures, seen);
}, 900_000);

afterAll(() => {
  // FUZZ_REPORT=file writes every failure there, one a line (for working through them).
  if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, report(failures) + "\n");
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

function report(fs: Failure[]): string {
  return fs.map((f) => `${f.path}${f.args} [${f.kind}]: ${f.problem}`).join("\n");
}

describe("public API fuzz (seeded, every export of convlab but the listed exclusions)", () => {
  it("ran every case", () => {
    expect(seen.total).toBeGreaterThan(1000);
    expect(seen.ran + failures.filter((f) => /hang|died/.test(f.problem)).length).toBe(seen.total);
  });
  it("every exclusion names a namespace or export that exists (a stale line is caught)", () => {
    expect(Object.keys(EXCLUDED).filter((k) => !(k in cl))).toEqual([]);
  });
  // "core": the top level and any namespace not named here (a new one is fuzzed at once)
  for (const ns of ["core", "data", "inspect", "io", "models", "runtime", "style"]) {
    it(`${ns}: malformed arguments give convlab errors, no hang, no NaN-only result`, () => {
      const mine = failures.filter((f) => (ns === "core" ? !/^(data|inspect|io|models|runtime|style)\./.test(f.path) : f.path.startsWith(`${ns}.`)));
      expect(report(mine)).toBe("");
    });
  }
});
