// Issue 18 item 1: model.save(dir) writes model.safetensors + model.json; cl.nn.loadModel(dir)
// rebuilds the model with its weights (no random initialisation first); a save killed midway
// leaves a loadable checkpoint; damaged files name the file and the tensor; .ckpt files still load.
import { describe, it, expect, afterAll } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { ZOO, batchFor } from "./zoo.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-md-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const REGISTER = join(__dirname, "..", "support", "ts-register.mjs");

describe("model.save(dir) / cl.nn.loadModel(dir)", () => {
  ZOO.forEach((e, i) => {
    it(`${e.name}: the loaded model has the same architecture, state and outputs (bit for bit)`, () => {
      const m = e.make();
      const d = join(dir, `zoo${i}`);
      m.save(d, { note: "zoo" });
      expect(readdirSync(d).sort()).toEqual(["model.json", "model.safetensors"]);
      const back = cl.nn.loadModel(d);
      expect(back.summary().rows.map((r) => [r.name, r.type, r.outputShape])).toEqual(m.summary().rows.map((r) => [r.name, r.type, r.outputShape]));
      const a = m.stateDict(), b = back.stateDict();
      expect(Object.keys(b)).toEqual(Object.keys(a));
      for (const k of Object.keys(a)) expect(Array.from(b[k]!.data), k).toEqual(Array.from(a[k]!.data));
      const x = batchFor(e, 2, 50 + i);
      expect(Array.from((back.predict(x) as cl.Tensor).data)).toEqual(Array.from(m.predict(x).data));
      const file = JSON.parse(readFileSync(join(d, "model.json"), "utf8")) as { meta: unknown; weights: string };
      expect(file.meta).toEqual({ note: "zoo" });
      expect(file.weights).toBe("model.safetensors");
    });
  });

  it("the rebuilt model's weights are not initialised before they are loaded (lazy weights)", () => {
    const m = ZOO[0]!.make();
    const spec = cl.io.describeModel(m);
    const built = cl.io.buildModel(spec);
    expect(built.layers.flatMap((l) => l.weightSpecs()).every((w) => !w.allocated)).toBe(true);
    built.loadStateDict(m.stateDict());
    expect(built.layers.flatMap((l) => l.weightSpecs()).every((w) => w.allocated)).toBe(true);
  });

  it("model.loadWeights(dir) and readSafetensors(dir/model.safetensors) give the weights; the .ckpt format still loads", () => {
    const m = ZOO[0]!.make();
    const d = join(dir, "lw");
    m.save(d);
    const other = cl.models.lenet5({ seed: 99 });
    other.loadWeights(d);
    expect(Array.from(other.stateDict()["CONV1/kernel"]!.data)).toEqual(Array.from(m.stateDict()["CONV1/kernel"]!.data));
    const w = cl.io.readSafetensors(join(d, "model.safetensors")).tensors;
    const third = cl.models.lenet5({ seed: 98 });
    third.loadWeights(w);
    expect(Array.from(third.stateDict()["FC4/bias"]!.data)).toEqual(Array.from(m.stateDict()["FC4/bias"]!.data));
    const ck = join(dir, "old.ckpt");
    m.save(ck);
    expect(cl.io.loadTensors(ck).meta.convlab).toBeDefined();
    cl.models.lenet5({ seed: 97 }).loadWeights(ck);
  });

  it("damaged or mismatched checkpoints give errors naming the file and the tensor", () => {
    const m = ZOO[0]!.make();
    const d = join(dir, "bad");
    m.save(d);
    const st = join(d, "model.safetensors");
    const bytes = readFileSync(st);
    writeFileSync(st, bytes.subarray(0, bytes.length - 8));
    expect(() => cl.nn.loadModel(d)).toThrow(/^io\.readSafetensors: .*bad\/model\.safetensors: tensor "\S+": file is truncated/);
    m.save(d);
    const json = join(d, "model.json");
    const spec = JSON.parse(readFileSync(json, "utf8"));
    spec.architecture.layers.find((l: { name: string }) => l.name === "FC3").config.units = 83;
    writeFileSync(json, JSON.stringify(spec));
    expect(() => cl.nn.loadModel(d)).toThrow(/^nn\.loadModel: .*model\.safetensors does not fit the architecture .*'FC3\/kernel' has shape \[84,120\]|FC3\/kernel/);
    writeFileSync(json, "{ not json");
    expect(() => cl.nn.loadModel(d)).toThrow(/^nn\.loadModel: .*model\.json is not valid JSON/);
    expect(() => cl.nn.loadModel(join(dir, "nowhere"))).toThrow(/^nn\.loadModel: .*nowhere is not a model folder/);
  });
});

describe("SIGKILL during model.save(dir)", () => {
  it("5 kills at seeded moments: the folder always loads, with all weights from one complete save", async () => {
    const d = join(dir, "killed");
    const rng = new cl.Rng(18);
    let landed = 0;
    for (let round = 0; round < 5; round++) {
      const start = 1000 * (round + 1);
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", REGISTER, join(__dirname, "save-loop.child.ts"), d, String(start)], { stdio: ["ignore", "pipe", "pipe"] });
        let err = "";
        child.stderr.on("data", (b: Buffer) => (err += b.toString()));
        child.stdout.once("data", () => setTimeout(() => child.kill("SIGKILL"), 40 + Math.floor(rng.uniform() * 200)));
        child.on("exit", (code, signal) => (signal === "SIGKILL" ? resolve() : reject(new Error(`child exited (${code}): ${err}`))));
      });
      if (!existsSync(join(d, "model.json"))) continue;
      const m = cl.nn.loadModel(d);
      const values = new Set(Object.values(m.stateDict()).flatMap((t) => [t.data[0], t.data[t.size - 1]]));
      expect(values.size).toBe(1);
      landed++;
    }
    expect(landed).toBeGreaterThan(0);
  }, 120_000);
});
