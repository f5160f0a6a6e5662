// cl.nn.conv2dTranspose: the transposed-convolution layer over cl.conv2dTranspose. Shapes follow
// PyTorch's ConvTranspose2d rule out = (n − 1)·s − 2p + d·(f − 1) + op + 1 (Keras' for "same":
// n·s); the kernel is [f, f, filters, nC_prev] (Keras' layout). Checked against torch's own
// F.conv_transpose2d (local wheel, in a Python subprocess) within |a − b| ≤ 1e-5 + 1e-4·|b|.
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { closeness, pythonMissing, runPython } from "../interop/python.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-convT-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ATOL = 1e-5, RTOL = 1e-4;

interface Case {
  n: [number, number];
  c: number;
  filters: number;
  size: number | [number, number];
  stride?: number | [number, number];
  padding?: "valid" | "same" | number | [number, number];
  dilation?: number;
  outputPadding?: number | [number, number];
  useBias?: boolean;
}

const CASES: Case[] = [
  { n: [5, 5], c: 2, filters: 3, size: 3 },
  { n: [4, 6], c: 3, filters: 2, size: 3, stride: 2, padding: "same" },
  { n: [4, 4], c: 2, filters: 4, size: 4, stride: 2, padding: 1 },
  { n: [3, 5], c: 1, filters: 2, size: 3, stride: 2, padding: 1, outputPadding: 1 },
  { n: [3, 3], c: 2, filters: 2, size: [2, 3], stride: [3, 2], padding: [0, 1], outputPadding: [2, 1], useBias: false },
  { n: [4, 4], c: 2, filters: 2, size: 3, dilation: 2, stride: 3, outputPadding: 2 },
  { n: [3, 4], c: 2, filters: 3, size: 2, stride: 3, padding: "same" },
];

const pair = (v: number | [number, number] | undefined, d: number): [number, number] => (v === undefined ? [d, d] : typeof v === "number" ? [v, v] : v);

/** PyTorch's ConvTranspose2d output size; n·s for "same". */
function expectedShape(k: Case): number[] {
  const f = pair(k.size, 1), s = pair(k.stride, 1), op = pair(k.outputPadding, 0);
  const d = k.dilation ?? 1;
  const p = k.padding === "same" ? null : pair(k.padding === "valid" ? 0 : k.padding, 0);
  return [0, 1].map((i) => (p === null ? k.n[i]! * s[i]! : (k.n[i]! - 1) * s[i]! - 2 * p[i]! + d * (f[i]! - 1) + op[i]! + 1)).concat([k.filters]);
}

const label = (k: Case): string => `n=${k.n.join("×")}×${k.c} f=${JSON.stringify(k.size)} s=${JSON.stringify(k.stride ?? 1)} p=${JSON.stringify(k.padding ?? "valid")} d=${k.dilation ?? 1} op=${JSON.stringify(k.outputPadding ?? 0)}`;

function layerModel(k: Case, seed: number) {
  const { n: _n, c: _c, ...opts } = k;
  return cl.nn.sequential([cl.nn.conv2dTranspose({ ...opts, name: "up" })], { inputShape: [k.n[0], k.n[1], k.c], seed });
}

describe("cl.nn.conv2dTranspose", () => {
  CASES.forEach((k) => {
    it(`${label(k)} → PyTorch's output size, f·f·nC_prev·nC + nC params, kernel [f,f,nC,nC_prev]`, () => {
      const m = layerModel(k, 1);
      const row = m.summary().rows[1]!;
      expect(row.type).toBe("Conv2DTranspose");
      expect(row.outputShape).toEqual(expectedShape(k));
      const [fh, fw] = pair(k.size, 1);
      expect(row.params).toBe(fh * fw * k.c * k.filters + (k.useBias === false ? 0 : k.filters));
      expect(row.mults).toBe(k.n[0] * k.n[1] * k.c * fh * fw * k.filters);
      expect(m.stateDict()["up/kernel"]!.shape).toEqual([fh, fw, k.filters, k.c]);
      expect(m.predict(cl.randn([2, k.n[0], k.n[1], k.c], { seed: 2 })).shape).toEqual([2, ...expectedShape(k)]);
    });
  });

  it("summary shows s, p and op; the model saves and loads with its weights", () => {
    const m = cl.nn.sequential([
      cl.nn.conv2d({ filters: 4, size: 3, padding: "same", activation: "relu" }),
      cl.nn.conv2dTranspose({ filters: 2, size: 3, stride: 2, padding: 1, outputPadding: 1, activation: "sigmoid", name: "up" }),
    ], { inputShape: [5, 5, 1], seed: 3 });
    const row = m.summary().rows.find((r) => r.name === "up")!;
    expect(row.config).toBe("f=3 s=2 p=1 op=1 sigmoid");
    expect(row.outputShape).toEqual([10, 10, 2]);
    const x = cl.randn([2, 5, 5, 1], { seed: 4 });
    m.save(join(dir, "m"));
    const back = cl.nn.loadModel(join(dir, "m"));
    expect(back.summary().rows.map((r) => [r.name, r.type, r.config, r.params])).toEqual(m.summary().rows.map((r) => [r.name, r.type, r.config, r.params]));
    expect(Array.from((back.predict(x) as cl.Tensor).data)).toEqual(Array.from(m.predict(x).data));
  });

  it("trains: its gradient flows to the kernel and the input (a fit step lowers the loss)", async () => {
    const m = cl.nn.sequential([
      cl.nn.conv2dTranspose({ filters: 2, size: 3, stride: 2, padding: 1, outputPadding: 1, activation: "relu" }),
      cl.nn.conv2d({ filters: 1, size: 3, padding: "same" }),
    ], { inputShape: [3, 3, 2], seed: 5 });
    const x = cl.randn([4, 3, 3, 2], { seed: 6 }), y = cl.randn([4, 6, 6, 1], { seed: 7 });
    const h = await m.fit({ x, y }, { optimizer: cl.train.sgd({ lr: 0.05 }), loss: "mse", epochs: 5, batchSize: 4, seed: 8 });
    expect(h.epochs[4]!.loss).toBeLessThan(h.epochs[0]!.loss);
  });

  it("bad configs name the layer, the option, expected and actual", () => {
    expect(() => cl.nn.conv2dTranspose({ filters: 0, size: 3 })).toThrow(/^conv2dTranspose layer: filters must be a positive integer, got 0/);
    expect(() => cl.nn.conv2dTranspose({ filters: 2, size: 3, stride: 2, outputPadding: 2 })).toThrow(/^conv2dTranspose layer: outputPadding must be smaller than the stride or the dilation \(PyTorch's rule\), got 2 with stride 2 and dilation 1/);
    expect(() => cl.nn.conv2dTranspose({ filters: 2, size: 3, stride: 2, padding: "same", outputPadding: 1 })).toThrow(/^conv2dTranspose layer: outputPadding 1 needs "valid" or explicit padding/);
    expect(() => cl.nn.conv2dTranspose({ filters: 2, size: 3, outputPadding: -1 as never })).toThrow(/^conv2dTranspose layer: outputPadding must be a non-negative integer \(or 2 of them\), got -1/);
    expect(() => cl.nn.conv2dTranspose({ filters: 2, size: 3, name: "up" }).apply(cl.nn.input([4, 4]))).toThrow(/^conv2dTranspose layer 'up': expected input \[m,nH,nW,nC_prev\], got \[m,4,4\]/);
    expect(() => cl.nn.sequential([cl.nn.conv2dTranspose({ filters: 2, size: 5, padding: 3 })], { inputShape: [1, 1, 1] })).toThrow(/conv2dTranspose.*leaves no output/);
  });
});

const missing = pythonMissing(["torch"]);
describe.skipIf(missing !== null)(`against torch.nn.functional.conv_transpose2d${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("every case's layer output equals torch's, with convlab's kernel permuted to [nC_prev, nC, f, f]", async () => {
    const jobs = CASES.map((k, i) => {
      const m = layerModel(k, 20 + i);
      const x = cl.randn([2, k.n[0], k.n[1], k.c], { seed: 30 + i });
      const sd = m.stateDict();
      const f = pair(k.size, 1), s = pair(k.stride, 1), op = pair(k.outputPadding, 0), d = k.dilation ?? 1;
      // "same" as explicit crops: before floor(t/2), after the rest, t = f_eff − s; s − f_eff extra when negative
      const same = k.padding === "same";
      const crop = [0, 1].map((a) => {
        if (!same) return [pair(k.padding === "valid" ? 0 : k.padding, 0)[a]!, pair(k.padding === "valid" ? 0 : k.padding, 0)[a]!, op[a]!];
        const t = (f[a]! - 1) * d + 1 - s[a]!;
        return t >= 0 ? [Math.floor(t / 2), t - Math.floor(t / 2), 0] : [0, 0, -t];
      });
      const path = join(dir, `case${i}.json`);
      writeFileSync(path, JSON.stringify({
        x: { dims: x.shape, data: Array.from(x.data) }, w: { dims: sd["up/kernel"]!.shape, data: Array.from(sd["up/kernel"]!.data) },
        b: sd["up/bias"] ? Array.from(sd["up/bias"].data) : null, s, d, crop,
      }));
      return { path, want: m.predict(x) };
    });
    const out = await runPython(`
import json, sys, torch, torch.nn.functional as F
res = []
for p in sys.argv[1:]:
    c = json.load(open(p))
    x = torch.tensor(c["x"]["data"]).reshape(c["x"]["dims"]).permute(0, 3, 1, 2)
    w = torch.tensor(c["w"]["data"]).reshape(c["w"]["dims"]).permute(3, 2, 0, 1)  # [f,f,nC,nC_prev] -> [nC_prev,nC,f,f]
    b = torch.tensor(c["b"]) if c["b"] is not None else None
    # full output, then crop before/after and pad output_padding rows (zeros + bias) at the end
    y = F.conv_transpose2d(x, w, None, stride=c["s"], dilation=c["d"])
    (bh, ah, oh), (bw, aw, ow) = c["crop"]
    y = F.pad(y, (0, ow, 0, oh))[:, :, bh:y.shape[2] + oh - ah, bw:y.shape[3] + ow - aw]
    if b is not None:
        y = y + b.reshape(1, -1, 1, 1)
    res.append({"dims": list(y.permute(0, 2, 3, 1).shape), "y": y.permute(0, 2, 3, 1).ravel().tolist()})
print(json.dumps(res))
`, jobs.map((j) => j.path));
    const got = JSON.parse(out) as { dims: number[]; y: number[] }[];
    let worst = 0;
    got.forEach((g, i) => {
      expect(g.dims, label(CASES[i]!)).toEqual(jobs[i]!.want.shape);
      const c = closeness(g.y, jobs[i]!.want.data, ATOL, RTOL);
      worst = Math.max(worst, c.maxAbs);
      expect(c.ok, `${label(CASES[i]!)}: max |Δ| ${c.maxAbs}`).toBe(true);
    });
    console.info(`[conv2dTranspose] max |convlab − torch| over ${got.length} cases: ${worst.toExponential(2)}`);
  }, 120_000);

  it("with output padding the added rows are torch's ConvTranspose2d(output_padding=...) rows, not zeros", async () => {
    // independent of the crop arithmetic above: torch.nn.ConvTranspose2d itself, with output_padding
    const k = CASES[3]!;
    const m = layerModel(k, 40);
    const x = cl.randn([1, k.n[0], k.n[1], k.c], { seed: 41 });
    const sd = m.stateDict();
    const path = join(dir, "op.json");
    writeFileSync(path, JSON.stringify({ x: { dims: x.shape, data: Array.from(x.data) }, w: { dims: sd["up/kernel"]!.shape, data: Array.from(sd["up/kernel"]!.data) }, b: Array.from(sd["up/bias"]!.data) }));
    const out = await runPython(`
import json, sys, torch
c = json.load(open(sys.argv[1]))
w = torch.tensor(c["w"]["data"]).reshape(c["w"]["dims"]).permute(3, 2, 0, 1)
t = torch.nn.ConvTranspose2d(w.shape[0], w.shape[1], 3, stride=2, padding=1, output_padding=1)
with torch.no_grad():
    t.weight.copy_(w)
    t.bias.copy_(torch.tensor(c["b"]))
    y = t(torch.tensor(c["x"]["data"]).reshape(c["x"]["dims"]).permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
print(json.dumps({"dims": list(y.shape), "y": y.ravel().tolist()}))
`, [path]);
    const g = JSON.parse(out) as { dims: number[]; y: number[] };
    const want = m.predict(x);
    expect(g.dims).toEqual(want.shape);
    const c = closeness(g.y, want.data, ATOL, RTOL);
    expect(c.ok, `max |Δ| ${c.maxAbs}`).toBe(true);
  }, 60_000);
});
