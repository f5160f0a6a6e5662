// `convlab rerun runs/<id>` (issue 18 item 5): repeats a recorded experiment with its seed and
// source and exits 0 when every metric is bit-identical; a record whose metrics do not match
// (edited here) exits 1 and names the difference. Uses the built dist/ like a user's script.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { cliPath, coreEntry } from "../../kernel/src/paths.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-rerun-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import * as cl from ${JSON.stringify(pathToFileURL(coreEntry).href)};
const r = await cl.experiment("cli-run", async (run) => {
  const x = cl.randn([24, 5], { seed: run.seed });
  const y = cl.tensor(Array.from({ length: 24 }, (_, i) => i % 3));
  run.dataset("train", { x: x, y: y });
  const model = cl.nn.sequential([cl.nn.dense({ units: 8, activation: "relu" }), cl.nn.dense({ units: 3 })], { inputShape: [5], seed: run.seed });
  return run.fit(model, { x: x, y: y }, { optimizer: cl.train.sgd({ lr: 0.2 }), epochs: 3, batchSize: 6, seed: run.seed });
}, { seed: 5, dir: ${JSON.stringify(dir)} });
console.log(r.dir);
cl.shutdownThreads();
`;

describe("convlab rerun", () => {
  it("a recorded seeded run reruns bit for bit (exit 0); an edited record is a mismatch (exit 1)", () => {
    writeFileSync(join(dir, "make.mjs"), SCRIPT);
    const made = spawnSync(process.execPath, [join(dir, "make.mjs")], { encoding: "utf8", timeout: 120_000 });
    expect(made.status, made.stderr).toBe(0);
    const runDir = made.stdout.trim().split("\n").pop()!;
    const ok = spawnSync(process.execPath, [cliPath, "rerun", runDir], { encoding: "utf8", timeout: 120_000 });
    expect(ok.status, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stdout).toMatch(/^match: rerun cli-run-\S+ .*every metric is bit-identical/);
    const path = join(runDir, "record.json");
    const rec = JSON.parse(readFileSync(path, "utf8")) as { fits: { epochs: { loss: number }[] }[] };
    rec.fits[0]!.epochs[2]!.loss = rec.fits[0]!.epochs[2]!.loss * (1 + 1e-7);
    writeFileSync(path, JSON.stringify(rec));
    const bad = spawnSync(process.execPath, [cliPath, "rerun", runDir], { encoding: "utf8", timeout: 120_000 });
    expect(bad.status, bad.stderr + bad.stdout).toBe(1);
    expect(bad.stdout).toMatch(/^MISMATCH: rerun .*\n {2}fit 0 epoch 2 loss: /);
    const none = spawnSync(process.execPath, [cliPath, "rerun", join(dir, "nope")], { encoding: "utf8", timeout: 60_000 });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/convlab rerun: io\.rerun: cannot read .*record\.json/);
  });
});
