// Issue 18 item 1: safetensors written by convlab load in Python's safetensors (local wheel)
// with equal values and vice versa; damaged files give errors naming the file and the tensor.
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { pythonMissing, runPython } from "./python.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-st-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sample = (): Record<string, cl.Tensor> => ({
  "conv1/kernel": cl.randn([3, 3, 2, 4], { seed: 1 }),
  "conv1/bias": cl.randn([4], { seed: 2 }),
  "fc/kernel64": cl.randn([5, 3], { seed: 3, dtype: "float64" }),
  empty: cl.zeros([0, 2]),
});

describe("safetensors in convlab", () => {
  it("write → read round trip: names, shapes, dtypes and values equal; metadata kept, version and checksum added", () => {
    const p = join(dir, "a.safetensors");
    const t = sample();
    cl.io.writeSafetensors(p, t, { epoch: "3" });
    const back = cl.io.readSafetensors(p);
    expect(Object.keys(back.tensors)).toEqual(Object.keys(t));
    for (const [k, v] of Object.entries(t)) {
      expect(back.tensors[k]!.shape).toEqual(v.shape);
      expect(back.tensors[k]!.dtype).toBe(v.dtype);
      expect(Array.from(back.tensors[k]!.data)).toEqual(Array.from(v.data));
    }
    expect(back.metadata.epoch).toBe("3");
    expect(back.metadata["convlab.sha256"]).toMatch(/^[0-9a-f]{64}$/);
    expect(back.metadata["convlab.version"]).toBe(JSON.parse(readFileSync(join(__dirname, "../../../package.json"), "utf8")).version);
    expect(cl.io.decodeSafetensors(cl.io.encodeSafetensors(t), "mem").tensors["conv1/bias"]!.data).toEqual(t["conv1/bias"]!.data);
  });

  it("a flipped data byte, a truncated file and a bad header give errors naming the file and tensor", () => {
    const p = join(dir, "b.safetensors");
    cl.io.writeSafetensors(p, sample());
    const bytes = readFileSync(p);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 20]! ^= 0xff;
    writeFileSync(join(dir, "flip.safetensors"), flipped);
    // the flipped byte lies in the last tensor with data ("fc/kernel64"): the error names it alone
    expect(() => cl.io.readSafetensors(join(dir, "flip.safetensors"))).toThrow(/^io\.readSafetensors: .*flip\.safetensors: checksum mismatch \(convlab\.sha256\): the data of tensor "fc\/kernel64" is corrupted$/);
    writeFileSync(join(dir, "cut.safetensors"), bytes.subarray(0, bytes.length - 30));
    expect(() => cl.io.readSafetensors(join(dir, "cut.safetensors"))).toThrow(/^io\.readSafetensors: .*cut\.safetensors: tensor "fc\/kernel64": file is truncated/);
    writeFileSync(join(dir, "head.safetensors"), bytes.subarray(0, 12));
    expect(() => cl.io.readSafetensors(join(dir, "head.safetensors"))).toThrow(/head\.safetensors: file is truncated or not safetensors/);
    const badShape = Buffer.from(bytes.toString("latin1").replace('"shape":[4]', '"shape":[5]'), "latin1");
    writeFileSync(join(dir, "shape.safetensors"), badShape);
    expect(() => cl.io.readSafetensors(join(dir, "shape.safetensors"))).toThrow(/shape\.safetensors: tensor "conv1\/bias": data_offsets .* hold 16 bytes but shape \[5\] F32 needs 20/);
    expect(() => cl.io.readSafetensors(join(dir, "none.safetensors"))).toThrow(/^io\.readSafetensors: cannot read .*none\.safetensors: no such file/);
    expect(() => cl.io.writeSafetensors(join(dir, "m.safetensors"), { a: cl.zeros([1]) }, { n: 3 as never })).toThrow(/^io\.writeSafetensors: metadata\.n must be a string/);
  });
});

const missing = pythonMissing(["torch", "safetensors"]);
describe.skipIf(missing !== null)(`Python safetensors (local wheel)${missing ? ` (skipped: ${missing})` : ""}`, () => {
  it("convlab's file loads in safetensors.torch with equal values; torch's file loads in convlab with equal values", async () => {
    const mine = join(dir, "mine.safetensors"), theirs = join(dir, "theirs.safetensors");
    const t = sample();
    cl.io.writeSafetensors(mine, t);
    const out = await runPython(`
import json, sys, torch
from safetensors.torch import load_file, save_file
from safetensors import safe_open
d = load_file(sys.argv[1])
meta = safe_open(sys.argv[1], "pt").metadata()
res = {k: {"dtype": str(v.dtype), "shape": list(v.shape), "data": v.double().ravel().tolist()} for k, v in d.items()}
g = torch.Generator().manual_seed(0)
w = {"a": torch.randn(2, 3, generator=g), "b64": torch.randn(4, dtype=torch.float64, generator=g),
     "h": torch.tensor([0.5, -2.0, 65504.0], dtype=torch.float16), "i": torch.tensor([[1, -7]], dtype=torch.int64)}
save_file(w, sys.argv[2], metadata={"who": "torch"})
print(json.dumps({"mine": res, "meta": meta, "theirs": {k: v.double().ravel().tolist() for k, v in w.items()}}))
`, [mine, theirs]);
    const r = JSON.parse(out) as { mine: Record<string, { dtype: string; shape: number[]; data: number[] }>; meta: Record<string, string>; theirs: Record<string, number[]> };
    for (const [k, v] of Object.entries(t)) {
      expect(r.mine[k]!.shape).toEqual(v.shape);
      expect(r.mine[k]!.dtype).toBe(v.dtype === "float64" ? "torch.float64" : "torch.float32");
      expect(r.mine[k]!.data).toEqual(Array.from(v.data));
    }
    expect(r.meta["convlab.sha256"]).toMatch(/^[0-9a-f]{64}$/);
    const back = cl.io.readSafetensors(theirs);
    expect(back.metadata.who).toBe("torch");
    expect(back.tensors.a!.shape).toEqual([2, 3]);
    expect(back.tensors.b64!.dtype).toBe("float64");
    for (const k of ["a", "b64", "h", "i"]) expect(Array.from(back.tensors[k]!.data)).toEqual(r.theirs[k]);
  }, 120_000);
});
