// The full ResNet-50 (cl.models.resnet50: 53 convs, 53 batch-norms, 16 bottleneck adds, 1000
// classes) and GoogLeNet (cl.models.googlenet with both side classifiers: nine inception
// modules, three outputs) exported to ONNX and to PyTorch: onnx.checker.check_model(full_check)
// passes, and Python's onnxruntime and the generated torch Module compute convlab's outputs.
//
// Size: the architectures are the full ones (every layer, every channel count, 1000 classes);
// only the input is small, batch 1: 64×64 for ResNet-50 (the smallest that keeps a 2×2 map for
// the final global pool after its five stride-2 stages) and 96×96 for GoogLeNet (its side
// classifiers need inception4a's map ≥ 5×5, i.e. inputs ≥ 65). At 224×224 the forward passes
// would cost ~12× (ResNet-50) and ~5× (GoogLeNet) more on the test machine's shared CPUs while
// checking no other op or weight: the exported graphs and weights do not depend on the input size.
//
// Tolerance: 53 layers of float32 convolutions are summed in a different order by convlab,
// onnxruntime and torch; outputs compare as |a − b| ≤ 1e-4·max|b| + 1e-4·|b| (max|b| the output's
// largest magnitude), with the measured max |Δ| printed.
import { describe, it, expect, afterAll } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import type { Model } from "../../../src/nn/model.js";
import { closeness, pythonMissing, runPython } from "./python.js";
import { channelsFirst, stirBatchNorm } from "./zoo.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-classic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const RTOL = 1e-4;

const SCRIPT = `
import importlib.util, json, sys, numpy as np, onnx, onnxruntime as ort, torch
torch.set_num_threads(1)
res = {}
for d in sys.argv[1:]:
    model = onnx.load(d + "/model.onnx")
    onnx.checker.check_model(model, full_check=True)
    ops = sorted({n.op_type for n in model.graph.node})
    x = json.load(open(d + "/x.json"))
    xn = np.array(x["data"], dtype=np.float32).reshape(x["dims"])
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    s = ort.InferenceSession(d + "/model.onnx", so, providers=["CPUExecutionProvider"])
    onnx_out = {o.name: y.ravel().tolist() for o, y in zip(s.get_outputs(), s.run(None, {s.get_inputs()[0].name: xn}))}
    spec = importlib.util.spec_from_file_location("exported_" + d.replace("/", "_"), d + "/pt/model.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    m = mod.load(d + "/pt").eval()
    with torch.no_grad():
        y = m(torch.from_numpy(xn))
    ys = y if isinstance(y, dict) else {"output": y}
    res[d] = {"ops": ops, "nodes": len(model.graph.node), "onnx": onnx_out, "torch": {k: v.ravel().tolist() for k, v in ys.items()}}
print(json.dumps(res))
`;

type AnyModel = Model<cl.Tensor>;
const missing = pythonMissing(["torch", "onnx", "onnxruntime", "safetensors"]);
describe.skipIf(missing !== null)(`full ResNet-50 and GoogLeNet → ONNX and PyTorch${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("ResNet-50 (64×64) and GoogLeNet with side classifiers (96×96): onnx.checker passes, onnxruntime and torch give convlab's outputs", async () => {
    const nets = [
      { name: "resnet50", make: () => cl.models.resnet50({ inputShape: [64, 64, 3], seed: 1 }) as unknown as AnyModel, input: [64, 64, 3] },
      { name: "googlenet", make: () => cl.models.googlenet({ inputShape: [96, 96, 3], seed: 2 }) as unknown as AnyModel, input: [96, 96, 3] },
    ];
    const wants: Record<string, Record<string, cl.Tensor>> = {};
    const params: Record<string, number> = {};
    for (const [i, n] of nets.entries()) {
      const m = stirBatchNorm(n.make(), 10 + i);
      params[n.name] = m.summary().totalParams;
      const x = cl.randn([1, ...n.input], { seed: 20 + i });
      const y = m.predict(x) as unknown;
      wants[n.name] = y instanceof cl.Tensor ? { output: y } : (y as Record<string, cl.Tensor>);
      const d = join(dir, n.name);
      mkdirSync(d);
      const info = cl.io.exportOnnx(m, join(d, "model.onnx"));
      expect(info.outputs.map((o) => o.name).sort()).toEqual(Object.keys(wants[n.name]!).sort());
      cl.io.exportPytorch(m, join(d, "pt"));
      writeFileSync(join(d, "x.json"), JSON.stringify({ dims: channelsFirst(x).shape, data: Array.from(channelsFirst(x).data) }));
    }
    // the full architectures: torchvision's parameter counts (ResNet-50 25,557,032; GoogLeNet with its side classifiers
    // 13,004,888 at 224×224, where each side classifier's fc1 reads 128·4·4 = 2048 values; at 96×96 it reads 128·1·1)
    expect(params.resnet50).toBe(25_557_032);
    expect(params.googlenet).toBe(13_004_888 - 2 * (2048 - 128) * 1024);
    const out = await runPython(SCRIPT, nets.map((n) => join(dir, n.name)), { timeoutMs: 400_000 });
    const got = JSON.parse(out) as Record<string, { ops: string[]; nodes: number; onnx: Record<string, number[]>; torch: Record<string, number[]> }>;
    const lines: string[] = [];
    for (const n of nets) {
      const g = got[join(dir, n.name)]!;
      expect(g.ops).toEqual(expect.arrayContaining(["Conv", "BatchNormalization", "Relu", "MaxPool", "GlobalAveragePool", "Gemm"]));
      for (const [k, want] of Object.entries(wants[n.name]!)) {
        const scale = want.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
        for (const engine of ["onnx", "torch"] as const) {
          const c = closeness(g[engine][k]!, want.data, RTOL * scale, RTOL);
          lines.push(`${n.name}.${k} ${engine} ${c.maxAbs.toExponential(2)} (max|b| ${scale.toPrecision(3)})`);
          expect(c.ok, `${n.name} ${k} (${engine}): max |Δ| ${c.maxAbs}, max |b| ${scale}`).toBe(true);
        }
      }
      lines.push(`${n.name}: ${g.nodes} ONNX nodes, ${params[n.name]} params`);
    }
    expect(got[join(dir, "googlenet")]!.ops).toEqual(expect.arrayContaining(["Concat", "AveragePool"]));
    expect(got[join(dir, "resnet50")]!.ops).toContain("Add");
    console.info(`[classic export] ${lines.join("; ")}`);
  }, 600_000);
});
