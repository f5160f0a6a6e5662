// Issue 18 item 2: ONNX export checked in the real onnxruntime (onnxruntime-node, in a child
// process) and by Python's onnx.checker; import reads the same op set back. Outputs of
// onnxruntime and of the imported model must equal convlab's: |a − b| ≤ 1e-5 + 1e-4·|b|.
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { ZOO, batchFor, channelsFirst } from "./zoo.js";
import { closeness, pythonMissing, runCommand, runPython } from "./python.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-onnx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ORT_CHILD = join(__dirname, "ort.child.cjs");

async function ort(model: string, feeds: Record<string, cl.Tensor>): Promise<Record<string, { dims: number[]; data: number[] }>> {
  const inp = join(dir, `in-${Math.random().toString(16).slice(2)}.json`), out = `${inp}.out`;
  writeFileSync(inp, JSON.stringify(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, { dims: t.shape, data: Array.from(t.data) }]))));
  await runCommand(process.execPath, [ORT_CHILD, model, inp, out], { timeoutMs: 60_000 });
  return (JSON.parse(readFileSync(out, "utf8")) as { results: Record<string, { dims: number[]; data: number[] }> }).results;
}

const ATOL = 1e-5, RTOL = 1e-4;

describe("exportOnnx → onnxruntime-node", () => {
  ZOO.forEach((e, i) => {
    it(`${e.name}: NCHW export runs in onnxruntime with convlab's outputs`, async () => {
      const m = e.make();
      const x = batchFor(e, 2, 10 + i);
      const want = m.predict(x);
      const path = join(dir, `zoo${i}.onnx`);
      const info = cl.io.exportOnnx(m, path);
      expect(info.layout).toBe("NCHW");
      expect(info.inputs[0]!.shape[0]).toBe("N");
      const res = await ort(path, { [info.inputs[0]!.name]: channelsFirst(x) });
      const got = res[info.outputs[0]!.name]!;
      const ref = channelsFirst(want);
      expect(got.dims).toEqual(ref.shape);
      const c = closeness(got.data, ref.data, ATOL, RTOL);
      expect(c.ok, `max |Δ| ${c.maxAbs}`).toBe(true);
    });
  });

  it("layout NHWC keeps convlab's order at the inputs and outputs", async () => {
    const e = ZOO[2]!;
    const m = e.make();
    const x = batchFor(e, 3, 21);
    const path = join(dir, "nhwc.onnx");
    const info = cl.io.exportOnnx(m, path, { layout: "NHWC", opset: 13 });
    expect(info.inputs[0]!.shape).toEqual(["N", 8, 8, 3]);
    const got = (await ort(path, { [info.inputs[0]!.name]: x }))[info.outputs[0]!.name]!;
    const c = closeness(got.data, m.predict(x).data, ATOL, RTOL);
    expect(c.ok, `max |Δ| ${c.maxAbs}`).toBe(true);
  });

  it("bad options and models name the function and the argument", () => {
    const m = ZOO[0]!.make();
    expect(() => cl.io.exportOnnx(m, join(dir, "x.onnx"), { layout: "NWHC" as never })).toThrow(/^io\.exportOnnx: opts\.layout must be/);
    expect(() => cl.io.exportOnnx(m, join(dir, "x.onnx"), { opset: 7 })).toThrow(/^io\.exportOnnx: opts\.opset must be/);
    expect(() => cl.io.exportOnnx({} as never, join(dir, "x.onnx"))).toThrow(/^io\.exportOnnx: model must be a cl\.nn model/);
    const custom = cl.nn.sequential([cl.nn.dense({ units: 2, activation: (t: cl.Tensor) => t.mul(2) })], { inputShape: [3] });
    expect(() => cl.io.exportOnnx(custom, join(dir, "x.onnx"))).toThrow(/dense layer 'dense_1' has a custom activation function/);
  });
});

describe("importOnnx", () => {
  ZOO.forEach((e, i) => {
    it(`${e.name}: export → import gives the same outputs (both layouts)`, () => {
      const m = e.make();
      const x = batchFor(e, 2, 30 + i);
      const want = m.predict(x);
      for (const layout of ["NCHW", "NHWC"] as const) {
        const path = join(dir, `rt${i}-${layout}.onnx`);
        cl.io.exportOnnx(m, path, { layout });
        const back = cl.io.importOnnx(path);
        const got = back.predict(x) as cl.Tensor;
        expect(got.shape).toEqual(want.shape);
        const c = closeness(got.data, want.data, ATOL, RTOL);
        expect(c.ok, `${layout}: max |Δ| ${c.maxAbs}`).toBe(true);
      }
    });
  });

  it("a corrupt or truncated file gives an error naming it", () => {
    const path = join(dir, "lenet.onnx");
    cl.io.exportOnnx(ZOO[0]!.make(), path);
    const bytes = readFileSync(path);
    const cut = join(dir, "cut.onnx");
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(() => cl.io.importOnnx(cut)).toThrow(/^io\.importOnnx: .*cut\.onnx.*truncated/);
    const junk = join(dir, "junk.onnx");
    writeFileSync(junk, Buffer.from("not an onnx file at all"));
    expect(() => cl.io.importOnnx(junk)).toThrow(/^io\.importOnnx: .*junk\.onnx/);
  });
});

const noOnnx = pythonMissing(["onnx", "onnxruntime"]);
describe.skipIf(noOnnx !== null)(`Python onnx.checker and onnxruntime${noOnnx ? ` (skipped: ${noOnnx})` : ""}`, () => {
  it("every exported model passes onnx.checker.check_model(full_check=True), and Python's onnxruntime agrees", async () => {
    const paths: string[] = [];
    const inputs: string[] = [];
    const wants: string[] = [];
    ZOO.forEach((e, i) => {
      const m = e.make();
      const p = join(dir, `py${i}.onnx`);
      cl.io.exportOnnx(m, p);
      const x = batchFor(e, 2, 40 + i);
      writeFileSync(`${p}.x.json`, JSON.stringify({ dims: channelsFirst(x).shape, data: Array.from(channelsFirst(x).data) }));
      paths.push(p);
      inputs.push(`${p}.x.json`);
      wants.push(JSON.stringify(Array.from(channelsFirst(m.predict(x)).data)));
    });
    const out = await runPython(`
import json, sys, onnx, numpy as np, onnxruntime as ort
res = []
for p in sys.argv[1:]:
    m = onnx.load(p)
    onnx.checker.check_model(m, full_check=True)
    x = json.load(open(p + ".x.json"))
    s = ort.InferenceSession(p, providers=["CPUExecutionProvider"])
    y = s.run(None, {s.get_inputs()[0].name: np.array(x["data"], dtype=np.float32).reshape(x["dims"])})[0]
    res.append(y.ravel().tolist())
print(json.dumps(res))
`, paths);
    const got = JSON.parse(out) as number[][];
    got.forEach((g, i) => {
      const c = closeness(g, JSON.parse(wants[i]!) as number[], ATOL, RTOL);
      expect(c.ok, `${ZOO[i]!.name}: max |Δ| ${c.maxAbs}`).toBe(true);
    });
  }, 180_000);
});
