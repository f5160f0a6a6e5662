import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-model-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("model checkpoints", () => {
  it("save then load gives identical predictions, batch-norm buffers included", () => {
    const make = (seed: number) => cl.nn.sequential([cl.nn.conv2d({ filters: 3, size: 3 }), cl.nn.batchNorm(), cl.nn.flatten(), cl.nn.dense({ units: 2 })], { inputShape: [5, 5, 1], seed });
    const a = make(1);
    const x = cl.randn([4, 5, 5, 1], { seed: 2 });
    a.forward(x, { training: true }); // moves the running statistics
    const path = join(dir, "m.ckpt");
    cl.io.saveModel(a, path, { note: "test" });
    const b = make(9);
    const meta = cl.io.loadWeights(b, path);
    expect(Array.from(b.predict(x).data)).toEqual(Array.from(a.predict(x).data));
    expect(meta.note).toBe("test");
    expect(readdirSync(dir)).toEqual(["m.ckpt"]);
  });
  it("a checkpoint of another architecture is refused with the reason", () => {
    const path = join(dir, "lenet.ckpt");
    cl.io.saveModel(cl.models.lenet5({ seed: 0 }), path);
    expect(() => cl.io.loadWeights(cl.models.lenet5({ variant: "classic" }), path)).toThrow(/loadWeights: .*lenet\.ckpt does not fit model 'lenet5-classic': .*'CONV1\/kernel' has shape \[5,5,3,8\]/);
  });
  it("a corrupted checkpoint is detected", () => {
    const path = join(dir, "bad.ckpt");
    cl.io.saveModel(cl.models.lenet5({ seed: 0 }), path);
    const bytes = readFileSync(path);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(path, bytes);
    expect(() => cl.io.loadWeights(cl.models.lenet5(), path)).toThrow(/checksum mismatch/);
  });
});
