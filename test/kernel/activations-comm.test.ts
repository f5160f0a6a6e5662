// The activations widget's comm method in the real kernel process, over ZeroMQ as Jupyter drives
// it: a cell shows cl.inspect.activations(..., { dataset }), and `inspect.topPatches` on a
// `convlab` comm answers with what cl.inspect.topPatches computes over that dataset (plus the
// receptive field, the examples searched and each patch's whole example), or an error by name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KernelClient } from "../../kernel/src/client.js";
import { one, startKernel, streamText, tempEnv } from "./helpers.js";

let k: KernelClient;
const env = tempEnv();

beforeAll(async () => {
  k = await startKernel(env.dir, env.env);
}, 60_000);

afterAll(async () => {
  await k?.shutdown();
  env.cleanup();
});

const CELL = `
const net = cl.nn.sequential([
  cl.nn.conv2d({ name: "conv1", filters: 4, size: 3, activation: "relu" }), cl.nn.maxPool2d({ name: "pool", size: 2 }),
  cl.nn.conv2d({ name: "conv2", filters: 8, size: 3, activation: "relu" }),
], { inputShape: [16, 16, 3], seed: 0 });
const data = [0, 1].map((s) => ({ x: cl.rand([12, 16, 16, 3], { seed: 20 + s }) }));
cl.inspect.activations(net, cl.rand([4, 16, 16, 3], { seed: 1 }), { dataset: data })`;

interface Patch {
  example: number;
  activation: number;
  box: { x1: number; y1: number; x2: number; y2: number };
  context?: { width: number; height: number };
}

describe("inspect.topPatches over the convlab comm", () => {
  it("answers a clicked unit with topPatches over the display's dataset, its field and each whole example", async () => {
    const { iopub } = await k.execute(CELL);
    const data = one(iopub, "execute_result").content.data as Record<string, { source?: string; layers: { name: string; unitMeans?: unknown[] }[] }>;
    const payload = data["application/vnd.convlab.activations+json"]!;
    expect(payload.source).toMatch(/^activations-\d+$/);
    expect(payload.layers.find((l) => l.name === "conv2")!.unitMeans).toHaveLength(8);

    await k.request("comm_open", { comm_id: "act", target_name: "convlab", data: {} }, { noReply: true });
    const call = async (id: number, params: Record<string, unknown>) => {
      const r = await k.request("comm_msg", { comm_id: "act", data: { id, method: "inspect.topPatches", params } }, { noReply: true });
      const msg = one(r.iopub, "comm_msg");
      expect(msg.content.comm_id).toBe("act");
      return msg.content.data as { id: number; result?: { layer: string; unit: number; patches: Patch[]; field?: unknown; examples?: number }; error?: { name: string; message: string } };
    };
    const answer = await call(1, { source: payload.source, layer: "conv2", unit: 6, k: 9, context: true });
    expect(answer.id).toBe(1);
    expect(answer.error).toBeUndefined();
    const got = answer.result!;
    const want = JSON.parse(streamText((await k.execute('console.log(JSON.stringify({ t: cl.inspect.topPatches(net, "conv2", 6, data, { k: 9 }), f: cl.inspect.receptiveFieldOf(net, "conv2") }))')).iopub)) as {
      t: { patches: Patch[] };
      f: { size: number[]; stride: number[]; offset: number[] };
    };
    expect([got.layer, got.unit, got.examples]).toEqual(["conv2", 6, 24]);
    expect(got.patches.map((q) => [q.example, q.activation, q.box])).toEqual(want.t.patches.map((q) => [q.example, q.activation, q.box]));
    expect(got.field).toEqual({ size: want.f.size, stride: want.f.stride, offset: want.f.offset });
    // conv 3×3 → pool 2/2 → conv 3×3: 8×8 fields, stride 2 (docs/week4.md).
    expect(want.f.size).toEqual([8, 8]);
    for (const q of got.patches) expect(q.context).toMatchObject({ width: 16, height: 16 });
    // strongest first
    const acts = got.patches.map((q) => q.activation);
    expect([...acts].sort((a, b) => b - a)).toEqual(acts);

    expect((await call(2, { source: payload.source, layer: "conv2", unit: 8 })).error).toEqual({ name: "ValueError", message: "topPatches: layer 'conv2' has 8 units (channels), got unit 8" });
    expect((await call(3, { source: "activations-424242", layer: "conv2", unit: 0 })).error?.message).toMatch(/no longer holds the dataset of 'activations-424242'/);
    expect((await call(4, { source: payload.source, layer: "nope", unit: 0 })).error?.message).toMatch(/nope/);
    expect((await call(5, { source: payload.source, layer: "conv2" })).error?.message).toMatch(/inspect\.topPatches: unit/);
    await k.request("comm_close", { comm_id: "act", data: {} }, { noReply: true });
    expect(k.alive).toBe(true);
  });
});
