// Graph runs without autograd compute an Add and the relu/relu6 Activation after it in one pass
// (nn/fusion.ts, addActivation): the same bits as the two layers, whether the sum has other
// consumers (kept) or not, wanted as a feature or not; with autograd the layers run as they are.
import { describe, it, expect, afterEach } from "vitest";
import * as cl from "../../../src/index.js";
import { setFusion } from "../../../src/nn/fusion.js";
import type { Tensor } from "../../../src/index.js";

afterEach(() => void setFusion(true));

const exact = (t: Tensor): string[] => Array.from(t.data, (v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : String(v)));

function net(): cl.Model {
  const input = cl.nn.input([16, 16, 8]);
  const a = cl.nn.conv2d({ filters: 8, size: 3, padding: "same", name: "a" }).apply(input);
  const b = cl.nn.conv2d({ filters: 8, size: 1, name: "b" }).apply(input);
  const s1 = cl.nn.add({ name: "s1" }).apply([a, b, input]);
  const r1 = cl.nn.relu({ name: "r1" }).apply(s1); // s1 also feeds s2: kept
  const s2 = cl.nn.add({ name: "s2" }).apply([s1, r1]);
  const r2 = cl.nn.activation("relu6", { name: "r2" }).apply(s2); // s2's only consumer
  return cl.nn.model({ inputs: input, outputs: cl.nn.flatten({ name: "flat" }).apply(r2) });
}

describe("Add → relu/relu6 in one pass", () => {
  it("equals the unfused layers bit for bit (predict and features)", () => {
    const m = net();
    const x = cl.randn([4, 16, 16, 8], { seed: 3 });
    m.predict(x);
    const calls = { r1: 0, r2: 0 };
    for (const n of ["r1", "r2"] as const) {
      const l = m.getLayer(n) as unknown as { compute: (...a: unknown[]) => unknown };
      const orig = l.compute.bind(l);
      l.compute = (...a: unknown[]) => (calls[n]++, orig(...a));
    }
    const fused = exact(m.predict(x) as Tensor);
    expect(calls).toEqual({ r1: 0, r2: 0 }); // both ran inside their Add's pass
    const feats = cl.noGrad(() => m.features(x, ["s2", "r1"]));
    setFusion(false);
    expect(fused).toEqual(exact(m.predict(x) as Tensor));
    const plain = cl.noGrad(() => m.features(x, ["s2", "r1"]));
    expect(exact(feats.s2!)).toEqual(exact(plain.s2!));
    expect(exact(feats.r1!)).toEqual(exact(plain.r1!));
    expect(fused.some((v) => v === "0") && fused.some((v) => v === "6")).toBe(true);
  });
  it("runs the layers under autograd (gradients as before)", () => {
    const m = net();
    const x = cl.randn([2, 16, 16, 8], { seed: 4 });
    const y = m.forward(x, { training: false }) as Tensor;
    expect(y.requiresGrad).toBe(true);
    y.sum().backward();
    expect(m.parameters()[0]!.grad).not.toBeNull();
  });
});
