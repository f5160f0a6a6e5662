// Transfer learning within convlab (COURSE.md week 2): a LeNet-5 trained on MNIST digits 0–4,
// cut at POOL2 (its conv features; cut at FC3/FC4, whose units were trained to tell 0–4 apart, the
// head did worse than training from scratch in a seeded exploration: 0.42–0.65 vs 0.75–0.83), frozen, re-headed for digits 5–9 from a few labels, against the same network trained
// from scratch on the same few labels; the activation cache (cl.io.cacheActivations).
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";

afterAll(() => cl.shutdownThreads());

/** The examples of `set` whose label is in [lo, hi], relabelled 0.. (label − lo), the first `n` per class. */
function digits(set: { x: cl.Tensor; y: cl.Tensor }, lo: number, hi: number, perClass = Infinity): { x: cl.Tensor; y: cl.Tensor } {
  const count = new Map<number, number>();
  const idx: number[] = [];
  set.y.data.forEach((v, i) => {
    if (v < lo || v > hi) return;
    const c = count.get(v) ?? 0;
    if (c >= perClass) return;
    count.set(v, c + 1);
    idx.push(i);
  });
  const s = cl.data.take(set, idx);
  return { x: s.x, y: cl.tensor(Array.from(s.y.data, (v) => v - lo)) };
}

const snapshot = (m: cl.nn.Model, upTo: string): Record<string, number[]> => {
  const names = m.layers.map((l) => l.name);
  const keep = new Set(names.slice(0, names.indexOf(upTo) + 1));
  return Object.fromEntries(Object.entries(m.stateDict()).filter(([k]) => keep.has(k.split("/")[0]!)).map(([k, t]) => [k, Array.from(t.data)]));
};

describe("transfer learning: LeNet-5 on digits 0–4 re-headed for 5–9 with few labels", () => {
  const opts = (seed: number) => ({ optimizer: cl.train.adam({ lr: 2e-3 }), loss: "softmaxCrossEntropy" as const, batchSize: 32, seed });
  let dir = "";
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it("the frozen backbone is unchanged by training the head, and the transfer (cut at POOL2) beats training from scratch on the same 50 images", async () => {
    const train = cl.io.loadMnist({ split: "train", limit: 6000, seed: 0, pad32: true });
    const test = digits(cl.io.loadMnist({ split: "test", limit: 2000, seed: 1, pad32: true }), 5, 9);
    const base = cl.models.lenet5({ inputShape: [32, 32, 1], classes: 5, seed: 0 });
    await base.fit(digits(train, 0, 4), { ...opts(0), epochs: 2 });
    const few = digits(train, 5, 9, 10); // 10 labels per digit
    expect(few.x.shape[0]).toBe(50);

    const m = cl.models.withHead(base, { at: "POOL2", classes: 5, seed: 1 });
    expect(m.layers.map((l) => l.name).slice(-2)).toEqual(["head_flatten", "head_predictions"]);
    expect(m.trainableCount()).toBe(400 * 5 + 5);
    const before = snapshot(base, "POOL2");
    await m.fit(few, { ...opts(2), epochs: 30 });
    expect(snapshot(base, "POOL2")).toEqual(before); // shared layers, frozen: bit-identical
    expect(snapshot(m, "POOL2")).toEqual(before);

    const scratch = cl.models.lenet5({ inputShape: [32, 32, 1], classes: 5, seed: 1 });
    await scratch.fit(few, { ...opts(2), epochs: 30 });
    const acc = async (net: cl.nn.Model): Promise<number> => (await net.evaluate(test, { batchSize: 500 })).accuracy!;
    const [t, s] = [await acc(m), await acc(scratch)];
    expect(t).toBeGreaterThan(s + 0.02);

    // unfreezing CONV2 onward fine-tunes the last conv too: it changes, CONV1 does not
    const conv1 = snapshot(base, "POOL1");
    m.unfreeze("CONV2");
    expect(m.trainableCount()).toBe(5 * 5 * 8 * 16 + 16 + 400 * 5 + 5);
    await m.fit(few, { ...opts(3), epochs: 2, optimizer: cl.train.adam({ lr: 1e-4 }) });
    expect(snapshot(base, "POOL1")).toEqual(conv1);
    expect(snapshot(base, "POOL2")).not.toEqual(before);
  }, 300_000);

  it("cacheActivations: computed once, read back on a second call, recomputed when stale or corrupt, or the reader's error with onCorrupt: 'throw'", async () => {
    dir = mkdtempSync(join(tmpdir(), "convlab-cache-"));
    const path = join(dir, "fc4.ckpt");
    const net = cl.models.lenet5({ inputShape: [32, 32, 1], seed: 4 });
    const x = cl.rand([40, 32, 32, 1], { seed: 5 });
    const a = await cl.io.cacheActivations(path, { model: net, x, layer: "FC4", batchSize: 16 });
    expect(a.source).toBe("computed");
    expect(a.activations.shape).toEqual([40, 84]);
    const direct = net.features(x, "FC4").FC4!;
    expect(Array.from(a.activations.data)).toEqual(Array.from(direct.data));

    const b = await cl.io.cacheActivations(path, { model: net, x, layer: "FC4" });
    expect(b.source).toBe("cache");
    expect(b.key).toBe(a.key);
    expect(Array.from(b.activations.data)).toEqual(Array.from(direct.data));

    // other inputs: stale, recomputed
    const c = await cl.io.cacheActivations(path, { model: net, x: cl.rand([40, 32, 32, 1], { seed: 6 }), layer: "FC4" });
    expect(c.source).toBe("computed");
    expect(c.reason).toMatch(/^stale: the inputs, the layer or the weights changed/);
    // changed weights: stale too
    await cl.io.cacheActivations(path, { model: net, x, layer: "FC4" });
    const w = net.getLayer("CONV1").parameters()[0]!;
    w.data[0] += 0.5;
    const d = await cl.io.cacheActivations(path, { model: net, x, layer: "FC4" });
    expect(d.source).toBe("computed");
    expect(d.key).not.toBe(a.key);

    // a flipped byte in the payload: never used
    const bytes = readFileSync(path);
    bytes[bytes.length - 3] ^= 0xff;
    writeFileSync(path, bytes);
    await expect(cl.io.cacheActivations(path, { model: net, x, layer: "FC4", onCorrupt: "throw" })).rejects.toThrow(/loadTensors: checksum mismatch/);
    const e = await cl.io.cacheActivations(path, { model: net, x, layer: "FC4" });
    expect(e.source).toBe("recomputed");
    expect(e.reason).toMatch(/^corrupt: .*checksum mismatch/);
    expect((await cl.io.cacheActivations(path, { model: net, x, layer: "FC4" })).source).toBe("cache");

    await expect(cl.io.cacheActivations(path, { model: net, x, layer: "FC9" })).rejects.toThrow(/no layer named 'FC9'/);
    await expect(cl.io.cacheActivations(path, { model: {} as cl.nn.Model, x })).rejects.toThrow(/cacheActivations: opts.model/);
  });

  it("withHead: errors name the function and the argument", () => {
    const net = cl.models.lenet5({ inputShape: [32, 32, 1] });
    expect(() => cl.models.withHead(net, { at: "FC4" })).toThrow(/withHead: give exactly one of opts.classes .* got neither/);
    expect(() => cl.models.withHead(net, { at: "FC4", classes: 2, head: cl.nn.dense({ units: 2 }) })).toThrow(/got both/);
    expect(() => cl.models.withHead(net, { at: "nope", classes: 2 })).toThrow(/no layer named 'nope'/);
    expect(() => cl.models.withHead(net, { classes: 0 })).toThrow(/withHead: opts.classes/);
    // a conv cut gets a flatten before the dense head
    const m = cl.models.withHead(net, { at: "POOL2", classes: 3 });
    expect(m.summary().rows.slice(-2).map((r) => [r.name, r.outputShape.join("x")])).toEqual([["head_flatten", "400"], ["head_predictions", "3"]]);
    expect(m.predict(cl.rand([2, 32, 32, 1], { seed: 0 })).shape).toEqual([2, 3]);
  });
});
