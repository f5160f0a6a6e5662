// model.features(x, names, { grad }): several layers' activations in one pass, differentiable
// with respect to the input when asked (style transfer, activation maximisation).
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

/** A layer that counts its calls (to see which layers a pass runs). */
class Counting extends cl.nn.ActivationLayer {
  calls = 0;
  constructor(name: string) {
    super("relu", { name });
  }
  override call(x: cl.Tensor | readonly cl.Tensor[], ctx?: cl.nn.CallContext): cl.Tensor {
    this.calls++;
    return super.call(x, ctx);
  }
}

const tinyNet = (seed = 0, after = new Counting("after")) =>
  cl.nn.sequential(
    [
      cl.nn.conv2d({ name: "c1", filters: 3, size: 3, padding: "same", activation: "tanh" }),
      cl.nn.avgPool2d({ name: "p1", size: 2 }),
      cl.nn.conv2d({ name: "c2", filters: 2, size: 2, activation: "sigmoid" }),
      after,
      cl.nn.flatten({ name: "flat" }),
      cl.nn.dense({ name: "fc", units: 2 }),
    ],
    { inputShape: [6, 6, 2], seed, name: "tiny" },
  );

describe("features", () => {
  it("returns a record of the named activations from one pass, equal to the layers' outputs", () => {
    const after = new Counting("after");
    const m = tinyNet(1, after);
    const x = cl.randn([2, 6, 6, 2], { seed: 2 });
    const f = m.features(x, ["c1", "c2"]);
    expect(Object.keys(f)).toEqual(["c1", "c2"]);
    expect(f.c1!.shape).toEqual([2, 6, 6, 3]);
    expectClose(f.c2!, m.getLayer("c2").call(m.getLayer("p1").call(f.c1!)), { atol: 0, rtol: 0 });
    expect(after.calls).toBe(0); // only the layers the features need were run
    expect(f.c1!.requiresGrad).toBe(false); // grad: false is evaluation without autograd
    const one = m.features(x, "fc");
    expect(after.calls).toBe(1);
    expectClose(one.fc!, m.predict(x), { atol: 0, rtol: 0 });
    expect(m.features(x, "input").input).toBe(x);
  });

  it("with grad: true the features are differentiable with respect to x: gradcheck in float64", () => {
    const m = tinyNet(3).setDtype("float64");
    const x = cl.randn([1, 6, 6, 2], { seed: 4, dtype: "float64" });
    // a style-transfer-like objective: a Gram-like product of c1 plus a mean of c2
    const objective = (t: cl.Tensor): cl.Tensor => {
      const f = m.features(t, ["c1", "c2"], { grad: true });
      const a = f.c1!.reshape([36, 3]);
      return a.matmul(a, { transA: true }).sum().add(f.c2!.mean());
    };
    const r = cl.gradcheck(objective, [x], { atol: 1e-6, rtol: 1e-4 });
    expect(r.failures).toEqual([]);
    // one forward pass computes both, and backward reaches x and the weights
    const xr = x.clone().requireGrad();
    objective(xr).backward();
    expect(xr.grad!.shape).toEqual([1, 6, 6, 2]);
    expect(m.getLayer("c1").weight("kernel").grad).not.toBeNull();
  });

  it("grad: true works inside noGrad; a frozen model gives input gradients only", () => {
    const m = tinyNet(5);
    m.freeze();
    const x = cl.randn([1, 6, 6, 2], { seed: 6 }).requireGrad();
    const f = cl.noGrad(() => m.features(x, ["c2"], { grad: true }));
    f.c2!.sum().backward();
    expect(x.grad).not.toBeNull();
    for (const p of m.parameters()) expect(p.grad).toBeNull();
  });

  it("reaches into nested models with 'inner/layer' names, differentiably, in the same pass", () => {
    const inner = tinyNet(7);
    const x = cl.nn.input([6, 6, 2], { name: "img" });
    const outer = cl.nn.model({ inputs: x, outputs: cl.nn.dense({ name: "head", units: 1 }).apply(inner.apply(x)), name: "outer" });
    const img = cl.randn([2, 6, 6, 2], { seed: 8 });
    const f = outer.features(img, ["tiny/c1", "tiny/c2", "tiny", "head"]);
    expect(Object.keys(f).sort()).toEqual(["head", "tiny", "tiny/c1", "tiny/c2"]);
    const own = inner.features(img, ["c1", "c2"]);
    expectClose(f["tiny/c1"]!, own.c1!, { atol: 0, rtol: 0 });
    expectClose(f["tiny/c2"]!, own.c2!, { atol: 0, rtol: 0 });
    expectClose(f.tiny!, inner.predict(img), { atol: 0, rtol: 0 });
    // differentiable with respect to the outer input through the nested model (float64 gradcheck)
    outer.setDtype("float64");
    const x64 = cl.randn([1, 6, 6, 2], { seed: 9, dtype: "float64" });
    const r = cl.gradcheck((t) => outer.features(t, ["tiny/c2"], { grad: true })["tiny/c2"]!.sum(), [x64], { atol: 1e-6, rtol: 1e-4 });
    expect(r.failures).toEqual([]);
    expect(() => outer.features(img, ["tiny/c9"])).toThrow(/no layer named 'c9'/);
    expect(() => outer.features(img, ["nope/c1"])).toThrow(/no layer named 'nope\/c1'/);
  });

  it("bad names and options are errors naming the model", () => {
    const m = tinyNet();
    const x = cl.zeros([1, 6, 6, 2]);
    expect(() => m.features(x, ["c9"])).toThrow(/sequential layer 'tiny': no layer named 'c9' \(layers: input, c1, p1, c2, after, flat, fc\)/);
    expect(() => m.features(x, [])).toThrow(/features: layers must be a layer name or a non-empty list of names, got \[\]/);
    expect(() => m.features(x, "c1", { grad: "yes" as never })).toThrow(/features: grad must be true or false, got "yes"/);
    expect(() => m.features(cl.zeros([1, 5, 5, 2]), "c1")).toThrow(/expected input \[m,6,6,2\], got \[1,5,5,2\]/);
  });
});
