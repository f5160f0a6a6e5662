// ONNX files written by PyTorch itself (torch 2.13's TorchScript exporter,
// `torch.onnx.export(..., dynamo=False)`, which needs no onnxscript) are read by
// cl.io.importOnnx, and the convlab model computes torch's outputs: |a − b| ≤ 1e-5 + 1e-4·|b|.
// The nets use what such exports hold: Conv (+ BatchNormalization kept, or folded into the conv),
// Relu, Clip (relu6), Add, MaxPool, AveragePool, ConvTranspose with output_padding, Concat, Sigmoid,
// GlobalAveragePool, Flatten of an NCHW tensor and `x.view(x.size(0), -1)` (Shape → Gather →
// Unsqueeze → Concat → Reshape, Constant nodes) before Gemm with transB = 1.
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { closeness, pythonMissing, runPython } from "./python.js";
import { channelsFirst } from "./zoo.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-torch-onnx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ATOL = 1e-5, RTOL = 1e-4;

const SCRIPT = `
import json, sys, torch, torch.nn as nn, torch.nn.functional as F, onnx
out = sys.argv[1]
torch.manual_seed(0)

class Net(nn.Module):
    """conv + BN + relu, a residual add, max-pool, a transposed conv, concat, avg-pool, flatten, two linears."""
    def __init__(self, view):
        super().__init__()
        self.view = view
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 6, 3, padding=1, bias=False)
        self.pool = nn.MaxPool2d(2)
        self.up = nn.ConvTranspose2d(6, 4, 3, stride=2, padding=1, output_padding=1)
        self.side = nn.Conv2d(6, 2, 1)
        self.down = nn.Conv2d(6, 5, 3, padding=1)
        self.avg = nn.AvgPool2d(2)
        self.fc1 = nn.Linear(5 * 2 * 2, 7)
        self.fc2 = nn.Linear(7, 3)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc3 = nn.Linear(8, 2)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = h + self.conv2(h)
        h = self.pool(h)                                   # [N, 6, 4, 4]
        up = torch.sigmoid(self.up(h))                     # [N, 4, 8, 8]
        d = self.avg(F.relu6(self.down(h)))                # [N, 5, 2, 2]; relu6 exports as Clip(0, 6)
        flat = d.view(d.size(0), -1) if self.view else torch.flatten(d, 1)
        logits = self.fc2(F.relu(self.fc1(flat)))
        g = torch.flatten(self.gap(torch.cat([h, self.side(h)], 1)), 1)   # [N, 8]
        return logits, up, self.fc3(g)

res = {}
x = torch.randn(2, 3, 8, 8)
# the third keeps a fresh batch-norm: its weight and running_var (all ones), bias and running_mean
# (all zeros) are deduplicated by the exporter into Identity nodes of one initializer
for name, view, mode, stir in [("flatten_bn", False, torch.onnx.TrainingMode.PRESERVE, True), ("view_folded", True, torch.onnx.TrainingMode.EVAL, True),
                               ("fresh_bn", False, torch.onnx.TrainingMode.PRESERVE, False)]:
    m = Net(view)
    with torch.no_grad():
      m.down.weight.mul_(40)  # so that relu6 clips
      if stir:
        m.bn1.running_mean.uniform_(-0.5, 0.5)
        m.bn1.running_var.uniform_(0.5, 1.5)
        m.bn1.weight.uniform_(0.5, 1.5)
        m.bn1.bias.uniform_(-0.5, 0.5)
    m.eval()
    path = f"{out}/{name}.onnx"
    torch.onnx.export(m, (x,), path, dynamo=False, opset_version=17, training=mode,
                      input_names=["x"], output_names=["logits", "up", "gap"], dynamic_axes={"x": {0: "N"}})
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    seen = []
    hook = m.down.register_forward_hook(lambda mod, i, o: seen.append((o > 6).float().mean().item()))
    with torch.no_grad():
        ys = m(x)
    hook.remove()
    res[name] = {"ops": sorted({n.op_type for n in model.graph.node}), "x": x.ravel().tolist(), "dims": list(x.shape),
                 "clipped": seen[0], "ys": [{"dims": list(y.shape), "data": y.ravel().tolist()} for y in ys]}
print(json.dumps(res))
`;

const missing = pythonMissing(["torch", "onnx"]);
describe.skipIf(missing !== null)(`importOnnx of torch.onnx.export files${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("three exports of a small torch CNN (BN kept / folded / deduplicated, flatten / view) import and give torch's three outputs", async () => {
    const got = JSON.parse(await runPython(SCRIPT, [dir], { timeoutMs: 180_000 })) as Record<string, { ops: string[]; clipped: number; x: number[]; dims: number[]; ys: { dims: number[]; data: number[] }[] }>;
    expect(got.flatten_bn!.ops).toEqual(expect.arrayContaining(["BatchNormalization", "ConvTranspose", "Flatten", "Gemm", "MaxPool", "AveragePool", "GlobalAveragePool", "Add", "Concat", "Sigmoid", "Relu", "Clip", "Conv"]));
    expect(got.view_folded!.ops).toEqual(expect.arrayContaining(["Shape", "Gather", "Unsqueeze", "Concat", "Reshape", "Constant", "Gemm"]));
    expect(got.view_folded!.ops).not.toContain("BatchNormalization");
    expect(got.fresh_bn!.ops).toEqual(expect.arrayContaining(["BatchNormalization", "Identity"]));
    // relu6 clips somewhere (so Clip's upper bound matters)
    for (const r of Object.values(got)) expect(r.clipped).toBeGreaterThan(0);
    const lines: string[] = [];
    for (const [name, r] of Object.entries(got)) {
      const m = cl.io.importOnnx<cl.Tensor[]>(join(dir, `${name}.onnx`));
      expect(m.inputs[0]!.shape).toEqual([8, 8, 3]);
      // NCHW → convlab's NHWC
      const x = cl.tensor(r.x, r.dims).transpose([0, 2, 3, 1]);
      const ys = m.predict(x) as unknown as cl.Tensor[];
      expect(ys.length).toBe(3);
      ys.forEach((y, i) => {
        const ref = r.ys[i]!;
        const mine = y.rank > 2 ? channelsFirst(y) : y;
        expect(mine.shape, `${name} output ${i}`).toEqual(ref.dims);
        // not a degenerate output (all equal, e.g. dead ReLUs)
        expect(Math.max(...ref.data) - Math.min(...ref.data), `${name} output ${i} spread`).toBeGreaterThan(1e-3);
        const c = closeness(mine.data, ref.data, ATOL, RTOL);
        lines.push(`${name}[${i}] ${c.maxAbs.toExponential(2)}`);
        expect(c.ok, `${name} output ${i}: max |Δ| ${c.maxAbs}`).toBe(true);
      });
    }
    console.info(`[torch → onnx → convlab] max |Δ|: ${lines.join(", ")}`);
  }, 240_000);
});
