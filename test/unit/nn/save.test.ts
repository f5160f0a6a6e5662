// model.save / model.loadWeights (Node entry): the model-facing side of cl.io's checkpoints.
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-save-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("model.save / model.loadWeights", () => {
  it("a trained LeNet-5 saved and loaded into a fresh one predicts the same", async () => {
    const a = cl.models.lenet5({ inputShape: [32, 32, 1], seed: 1 });
    const x = cl.randn([6, 32, 32, 1], { seed: 2 });
    await a.fit({ x, y: cl.tensor([0, 1, 2, 3, 4, 5]) }, { optimizer: cl.train.adam({ lr: 1e-3 }), epochs: 2, batchSize: 3, seed: 0 });
    const path = join(dir, "lenet.ckpt");
    a.save(path, { epochs: 2 });
    const b = cl.models.lenet5({ inputShape: [32, 32, 1], seed: 9 });
    expect(Array.from(b.predict(x).data)).not.toEqual(Array.from(a.predict(x).data));
    expect(b.loadWeights(path)).toMatchObject({ epochs: 2 });
    expect(Array.from(b.predict(x).data)).toEqual(Array.from(a.predict(x).data));
  });
  it("another architecture is refused, naming the model and the mismatch", () => {
    const path = join(dir, "course.ckpt");
    cl.models.lenet5({ seed: 0 }).save(path);
    expect(() => cl.models.lenet5({ variant: "classic" }).loadWeights(path)).toThrow(/loadWeights: .*course\.ckpt does not fit model 'lenet5-classic'/);
  });
});
