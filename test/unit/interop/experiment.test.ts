// Issue 18 item 5: every recorded run stores seed, versions, git commit and dirty flag, dataset
// hashes, hyperparameters, per-epoch metrics and the final checkpoint; a seeded run reruns bit
// for bit; an unseeded one is caught; the kernel gets the record in the output's metadata.
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-exp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ROOT = join(__dirname, "..", "..", "..");
const REGISTER = join(__dirname, "..", "support", "ts-register.mjs");

/** Records an experiment in a plain Node child (so its source reads `cl.…`); returns the run folder. */
function recordInChild(mode: "seeded" | "unseeded", seed: number): string {
  const r = spawnSync(process.execPath, ["--import", REGISTER, join(__dirname, "experiment.child.ts"), dir, mode, String(seed)], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`experiment child failed: ${r.stderr}`);
  return r.stdout.trim().split("\n").pop()!;
}

// Self-contained (uses only `cl` and `run`), as rerun needs.
const seeded = async (run: cl.io.Run): Promise<unknown> => {
  const x = cl.randn([32, 6, 6, 1], { seed: run.seed + 1 });
  const y = cl.tensor(Array.from({ length: 32 }, (_, i) => i % 2));
  run.dataset("train", { x: x, y: y });
  run.params({ lr: 0.1, epochs: 2, batchSize: 8 });
  const model = cl.nn.sequential([cl.nn.conv2d({ filters: 2, size: 3, activation: "relu" }), cl.nn.dropout({ rate: 0.2 }), cl.nn.flatten(), cl.nn.dense({ units: 2 })], { inputShape: [6, 6, 1], seed: run.seed });
  const h = await run.fit(model, { x: x, y: y }, { optimizer: cl.train.adam({ lr: 0.1 }), epochs: 2, batchSize: 8, seed: run.seed, metrics: ["accuracy"] });
  run.log("finalLoss", h.epochs[h.epochs.length - 1]!.loss);
  return h;
};

describe("cl.experiment", () => {
  it("writes runs/<id>/record.json with everything a rerun needs, and the final checkpoint", async () => {
    const r = await cl.experiment("tiny-cnn", seeded, { seed: 7, dir, gitDir: ROOT });
    const rec = JSON.parse(readFileSync(join(r.dir, "record.json"), "utf8")) as cl.io.ExperimentRecord;
    expect(rec).toMatchObject({ format: "convlab-experiment", name: "tiny-cnn", seed: 7, status: "ok", params: { lr: 0.1, epochs: 2, batchSize: 8 } });
    expect(rec.convlab).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    expect(rec.node).toBe(process.version);
    const head = spawnSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
    expect(rec.git?.commit).toBe(head);
    expect(typeof rec.git?.dirty).toBe("boolean");
    expect(rec.datasets.train!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.datasets.train!.shapes).toEqual({ x: [32, 6, 6, 1], y: [32] });
    const h = r.value as cl.train.History;
    expect(rec.fits[0]!.epochs).toEqual(h.epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, metrics: e.metrics })));
    expect(rec.values.finalLoss).toBe(h.epochs[1]!.loss);
    expect(rec.source).toContain("run.fit(");
    expect(readdirSync(rec.checkpoint!).sort()).toEqual(["model.json", "model.safetensors"]);
    expect(cl.nn.loadModel(rec.checkpoint!).countParams()).toBe(2 * 9 + 2 + 2 * 16 * 2 + 2);
    // in a kernel: the summary shows, the record rides in the output's metadata
    const bundle = r.toMimeBundle();
    expect(bundle.data["text/plain"]).toMatch(/^experiment 'tiny-cnn' tiny-cnn-\S+ \(ok, seed 7, 1 fit\(s\), final loss/);
    expect((bundle.metadata.convlab as { experiment: cl.io.ExperimentRecord }).experiment.id).toBe(r.id);
  });

  it("a seeded run reruns bit for bit (io.rerun)", async () => {
    const runDir = recordInChild("seeded", 3);
    const original = cl.io.readRecord(runDir);
    const rep = await cl.io.rerun(runDir);
    expect(rep.differences).toEqual([]);
    expect(rep.match).toBe(true);
    expect(rep.rerun.rerunOf).toBe(original.id);
    expect(rep.rerun.fits[0]!.epochs.map((e) => e.loss)).toEqual(original.fits[0]!.epochs.map((e) => e.loss));
    expect(rep.rerun.fits[0]!.epochs).toHaveLength(2);
  });

  it("a run that depends on unseeded randomness is reported as a mismatch", async () => {
    const rep = await cl.io.rerun(recordInChild("unseeded", 0));
    expect(rep.match).toBe(false);
    expect(rep.differences.some((d) => /^dataset train: hash/.test(d))).toBe(true);
    expect(rep.differences.some((d) => /^fit 0 epoch 0 loss: /.test(d))).toBe(true);
  });

  it("a failing run is recorded as failed and rethrows; bad arguments name the function", async () => {
    await expect(cl.experiment("boom", async () => { throw new cl.ValueError("no data"); }, { dir })).rejects.toThrow(/no data/);
    const failed = readdirSync(dir).filter((d) => d.startsWith("boom-"));
    expect(failed).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dir, failed[0]!, "record.json"), "utf8"))).toMatchObject({ status: "failed", error: "ValueError: no data" });
    await expect(cl.experiment("", seeded)).rejects.toThrow(/^experiment: name must not be empty/);
    await expect(cl.experiment("x", 3 as never)).rejects.toThrow(/^experiment: fn must be a function/);
    await expect(cl.io.rerun(join(dir, "nowhere"))).rejects.toThrow(/^io\.rerun: cannot read .*record\.json/);
  });
});
