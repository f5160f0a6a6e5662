// Issue 18 item 4: TensorBoard event files and projector files written by convlab, read back by
// the real `tensorboard` Python package (local wheel): EventAccumulator and the TensorBoard
// server's HTTP API on a loopback port. Values must equal the fit history (float32-rounded).
import { describe, it, expect, afterAll, beforeAll } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, rmSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { crc32c, maskedCrc32c } from "../../../src/io/crc32c.js";
import { pythonMissing, runPython, VENV_BIN } from "./python.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-tb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const f32 = (v: number): number => Math.fround(v);

describe("event file framing", () => {
  it("CRC-32C check values (RFC 3720 / the TFRecord mask)", () => {
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    const c = crc32c(new Uint8Array([1, 2, 3]));
    expect(maskedCrc32c(new Uint8Array([1, 2, 3]))).toBe(((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });
  it("bad arguments name the function", () => {
    expect(() => cl.train.tensorboard("")).toThrow(/^train\.tensorboard: logdir must be a file path/);
    expect(() => cl.train.tensorboard(join(dir, "x"), { histograms: true })).toThrow(/^train\.tensorboard: opts\.model must be a model/);
    expect(() => cl.inspect.projector(join(dir, "p"), cl.zeros([3]))).toThrow(/^inspect\.projector: encodings must be a tensor \[n,d\]/);
    expect(() => cl.inspect.projector(join(dir, "p"), cl.zeros([3, 2]), { labels: ["a"] })).toThrow(/^inspect\.projector: opts\.labels has 1 entries but encodings has 3 rows/);
  });
});

interface Logged {
  history: cl.train.History;
  steps: { step: number; loss: number }[];
  logdir: string;
  encodings: cl.Tensor;
  labels: string[];
}

async function train(): Promise<Logged> {
  const logdir = join(dir, "run");
  const x = cl.randn([24, 6, 6, 1], { seed: 1 });
  const y = cl.tensor(Array.from({ length: 24 }, (_, i) => i % 3));
  const model = cl.nn.sequential([cl.nn.conv2d({ filters: 2, size: 3, activation: "relu" }), cl.nn.flatten(), cl.nn.dense({ units: 3 })], { inputShape: [6, 6, 1], seed: 3 });
  const tb = cl.train.tensorboard(logdir, { model, histograms: true, images: () => ({ "input/0": x.slice([0, 0, 0, 0], [1, 6, 6, 1]).reshape([6, 6]).sigmoid() }) });
  const steps: { step: number; loss: number }[] = [];
  const history = await model.fit({ x, y }, {
    optimizer: cl.train.sgd({ lr: 0.1 }), epochs: 3, batchSize: 8, seed: 2, metrics: ["accuracy"], validationData: { x, y },
    callbacks: { onBatchEnd: (l) => { steps.push({ step: l.step, loss: l.loss }); tb.onBatchEnd(l); }, onEpochEnd: tb.onEpochEnd },
  });
  tb.close();
  const encodings = cl.randn([10, 4], { seed: 5 });
  const labels = Array.from({ length: 10 }, (_, i) => `face ${i % 3}`);
  cl.inspect.projector(logdir, encodings, { labels, thumbnails: cl.rand([10, 5, 4], { seed: 6 }) });
  return { history, steps, logdir, encodings, labels };
}

const missing = pythonMissing(["tensorboard"]);
describe.skipIf(missing !== null)(`the real TensorBoard (local wheel)${missing ? ` (skipped: ${missing})` : ""}`, () => {
  let run: Logged;
  beforeAll(async () => {
    run = await train();
  });

  it("EventAccumulator reads the per-epoch and per-step scalars, histograms and images; the projector config parses", async () => {
    const out = await runPython(`
import json, sys, struct
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.projector import projector_config_pb2
from google.protobuf import text_format
acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "histograms": 0, "images": 0})
acc.Reload()
tags = acc.Tags()
res = {"tags": {k: sorted(v) for k, v in tags.items() if isinstance(v, list)}}
res["scalars"] = {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in tags["scalars"]}
h = acc.Histograms("conv2d_1/kernel")
res["hist"] = [[e.step, e.histogram_value.num, e.histogram_value.min, e.histogram_value.max] for e in h]
imgs = acc.Images("input/0")
res["image"] = [[i.step for i in imgs], imgs[0].width, imgs[0].height, imgs[0].encoded_image_string[:8].hex()]
cfg = projector_config_pb2.ProjectorConfig()
text_format.Parse(open(sys.argv[1] + "/projector_config.pbtxt").read(), cfg)
e = cfg.embeddings[0]
res["projector"] = {"name": e.tensor_name, "tensor": e.tensor_path, "meta": e.metadata_path, "sprite": e.sprite.image_path, "dims": list(e.sprite.single_image_dim)}
print(json.dumps(res))
`, [run.logdir]);
    const r = JSON.parse(out) as { scalars: Record<string, [number, number][]>; hist: number[][]; image: [number[], number, number, string]; projector: Record<string, unknown> };
    const h = run.history.epochs;
    expect(r.scalars["epoch/loss"]).toEqual(h.map((e) => [e.epoch, f32(e.loss)]));
    for (const k of ["accuracy", "valLoss", "valAccuracy"]) expect(r.scalars[`epoch/${k}`], k).toEqual(h.map((e) => [e.epoch, f32(e.metrics[k]!)]));
    expect(r.scalars["step/loss"]).toEqual(run.steps.map((s) => [s.step, f32(s.loss)]));
    expect(r.hist.map((x) => x.slice(0, 2))).toEqual([[0, 18], [1, 18], [2, 18]]);
    expect(r.image.slice(0, 3)).toEqual([[0, 1, 2], 6, 6]);
    expect(r.image[3]).toBe("89504e470d0a1a0a");
    expect(r.projector).toEqual({ name: "embedding", tensor: "embedding/tensors.tsv", meta: "embedding/metadata.tsv", sprite: "embedding/sprite.png", dims: [4, 5] });
  }, 120_000);

  it("the TensorBoard server (loopback port) serves the scalars over its HTTP API, equal to the history, and the projector's tensor", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const tbProc: ChildProcess = spawn(join(VENV_BIN, "tensorboard"), ["--logdir", run.logdir, "--host", "127.0.0.1", "--port", String(port), "--load_fast", "false"], { stdio: "ignore" });
    try {
      const base = `http://127.0.0.1:${port}`;
      let scalars: [number, number, number][] | null = null;
      for (let i = 0; i < 120 && !scalars; i++) {
        try {
          const r = await fetch(`${base}/data/plugin/scalars/scalars?run=.&tag=${encodeURIComponent("epoch/loss")}`);
          if (r.ok) {
            const j = (await r.json()) as [number, number, number][];
            if (j.length === run.history.epochs.length) scalars = j;
          }
        } catch { /* not up yet */ }
        if (!scalars) await new Promise((res) => setTimeout(res, 500));
      }
      expect(scalars, "TensorBoard answered within 60 s").not.toBeNull();
      expect(scalars!.map(([, step, v]) => [step, v])).toEqual(run.history.epochs.map((e) => [e.epoch, f32(e.loss)]));
      const val = (await (await fetch(`${base}/data/plugin/scalars/scalars?run=.&tag=${encodeURIComponent("epoch/valAccuracy")}`)).json()) as [number, number, number][];
      expect(val.map(([, s, v]) => [s, v])).toEqual(run.history.epochs.map((e) => [e.epoch, f32(e.metrics.valAccuracy!)]));
      const t = await fetch(`${base}/data/plugin/projector/tensor?run=.&name=embedding&num_rows=100`);
      expect(t.ok).toBe(true);
      const floats = new Float32Array(await t.arrayBuffer());
      expect(Array.from(floats)).toEqual(Array.from(run.encodings.data));
      const meta = await (await fetch(`${base}/data/plugin/projector/metadata?run=.&name=embedding&num_rows=100`)).text();
      expect(meta.trim().split("\n")).toEqual(run.labels);
    } finally {
      tbProc.kill("SIGKILL");
    }
  }, 120_000);

  it("the event file is a TFRecord stream: every record's length and data CRCs check", () => {
    const tb = cl.train.tensorboard(join(dir, "frame"));
    tb.close();
    const b = readFileSync(tb.path);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const n = Number(dv.getBigUint64(0, true));
    expect(dv.getUint32(8, true)).toBe(maskedCrc32c(b.subarray(0, 8)));
    expect(dv.getUint32(12 + n, true)).toBe(maskedCrc32c(b.subarray(12, 12 + n)));
    expect(b.length).toBe(16 + n);
  });
});
