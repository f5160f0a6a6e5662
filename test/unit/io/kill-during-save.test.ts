// Issue 11 items 5 and 6: a process killed (SIGKILL) at random moments while it saves
// checkpoints leaves the old file or the new one, complete and verified, never a partial one;
// the temporary file it was writing is swept by the next save or load of that path.
import { describe, it, expect, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";

const REGISTER = join(__dirname, "..", "support", "ts-register.mjs");
const CHILD = join(__dirname, "save-loop.child.ts");
const N = 1 << 19; // 2 MiB of float32 per checkpoint: a write takes a while
const ROUNDS = 12;

const dir = mkdtempSync(join(tmpdir(), "convlab-kill-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the saving child, waits until it saves, kills it `delayMs` later, resolves once it is gone. */
function killWhileSaving(path: string, start: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", REGISTER, CHILD, path, String(N), String(start)], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout.once("data", () => setTimeout(() => child.kill("SIGKILL"), delayMs));
    child.on("exit", (code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`child exited (${code}) before it was killed: ${err}`))));
  });
}

describe("SIGKILL during saveTensors", () => {
  it(`${ROUNDS} kills at seeded random moments: old-or-new content every time, nothing left after the next save or load`, async () => {
    const path = join(dir, "model.ckpt");
    const rng = new cl.Rng(11);
    let last = -1, leftovers = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const start = 1000 * (round + 1);
      await killWhileSaving(path, start, Math.floor(rng.uniform() * 60));
      const names = readdirSync(dir);
      const temps = names.filter((n) => n !== "model.ckpt");
      expect(temps.every((n) => /^\.model\.ckpt\.\d+\.[0-9a-f]{12}\.tmp$/.test(n)), temps.join()).toBe(true);
      leftovers += temps.length;
      if (names.includes("model.ckpt")) {
        // a complete, verified checkpoint: one the child finished, or the one before it
        const { tensors, meta } = cl.io.loadTensors(path);
        const v = meta.version as number;
        expect(v === last || v >= start).toBe(true);
        const w = tensors.w!;
        expect(w.shape).toEqual([N]);
        expect(w.data.every((x) => x === v)).toBe(true);
        last = v;
      } else expect(last).toBe(-1); // killed before its first save ever finished
      // the next save (odd rounds) or load (even rounds, when there is a file) sweeps the dead writer's temporary file
      if (round % 2 === 1 || last < 0) cl.io.saveTensors(path, { w: cl.full([N], (last = start + 999)) }, { version: last });
      else cl.io.loadTensors(path);
      expect(readdirSync(dir)).toEqual(["model.ckpt"]);
    }
    // the kills did land in the middle of writes (else this test would prove little)
    expect(leftovers).toBeGreaterThan(0);
  }, 240_000);
});
