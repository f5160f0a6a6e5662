import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

function residualBlock(x: cl.nn.SymbolicTensor, filters: number, name: string): cl.nn.SymbolicTensor {
  const z1 = cl.nn.conv2d({ name: `${name}_a`, filters, size: 3, padding: "same", activation: "relu" }).apply(x);
  const z2 = cl.nn.conv2d({ name: `${name}_b`, filters, size: 3, padding: "same" }).apply(z1);
  return cl.nn.relu().apply(cl.nn.add().apply([z2, x])); // a[l+2] = g(z[l+2] + a[l])
}

describe("graph models (functional API)", () => {
  it("a residual block computes g(z + a) with the identity shortcut", () => {
    const inp = cl.nn.input([6, 6, 4]);
    const m = cl.nn.model({ inputs: inp, outputs: residualBlock(inp, 4, "res1"), seed: 1 });
    const x = cl.randn([2, 6, 6, 4], { seed: 2 });
    const a = m.getLayer("res1_a"), b = m.getLayer("res1_b");
    const z1 = a.call(x);
    const want = cl.relu(b.call(z1).add(x));
    expectClose(m.predict(x), want);
    expect(m.summary().rows.map((r) => r.type)).toEqual(["Input", "Conv2D", "Conv2D", "Add", "Activation"]);
  });
  it("an inception-style module concatenates its branches on the channels", () => {
    const x = cl.nn.input([8, 8, 16]);
    const b1 = cl.nn.conv2d({ filters: 4, size: 1 }).apply(x);
    const b3 = cl.nn.conv2d({ filters: 6, size: 3, padding: "same" }).apply(cl.nn.conv2d({ filters: 2, size: 1 }).apply(x));
    const bp = cl.nn.conv2d({ filters: 3, size: 1 }).apply(cl.nn.maxPool2d({ size: 3, stride: 1, padding: "same" }).apply(x));
    const m = cl.nn.model({ inputs: x, outputs: cl.nn.concat().apply([b1, b3, bp]) });
    expect(m.predict(cl.randn([1, 8, 8, 16], { seed: 0 })).shape).toEqual([1, 8, 8, 13]);
    expect(m.layers.map((l) => l.name)).toEqual(["conv2d_1", "conv2d_2", "conv2d_3", "maxPool2d_1", "conv2d_4", "concat_1"]);
  });
  it("models nest as layers; parameters are counted once", () => {
    const block = cl.nn.sequential([cl.nn.conv2d({ filters: 2, size: 3, padding: "same" }), cl.nn.relu()], { name: "block" });
    const outer = cl.nn.sequential([block, cl.nn.flatten(), cl.nn.dense({ units: 3 })], { inputShape: [5, 5, 1], seed: 0 });
    expect(outer.predict(cl.ones([2, 5, 5, 1])).shape).toEqual([2, 3]);
    expect(outer.summary().totalParams).toBe(20 + 50 * 3 + 3);
    expect(Object.keys(outer.stateDict())).toEqual(["block/conv2d_1/kernel", "block/conv2d_1/bias", "dense_1/kernel", "dense_1/bias"]);
  });
  it("inputs not given to the model and duplicate names are errors", () => {
    const a = cl.nn.input([3]), b = cl.nn.input([3]);
    const y = cl.nn.add().apply([a, b]);
    expect(() => cl.nn.model({ inputs: a, outputs: y })).toThrow(/the output depends on input .* which is not among the model's inputs/);
    const c = cl.nn.input([3]);
    const h = cl.nn.dense({ units: 2, name: "fc" }).apply(c);
    expect(() => cl.nn.model({ inputs: c, outputs: cl.nn.dense({ units: 2, name: "fc" }).apply(h) })).toThrow(/two layers are named 'fc'/);
  });
  it("two-input models take a list of tensors", () => {
    const a = cl.nn.input([3]), b = cl.nn.input([3]);
    const m = cl.nn.model({ inputs: [a, b], outputs: cl.nn.add().apply([a, b]) });
    expect(m.predict([cl.ones([1, 3]), cl.ones([1, 3])]).toArray()).toEqual([[2, 2, 2]]);
    expect(() => m.predict(cl.ones([1, 3]))).toThrow(/expects 2 input tensor\(s\), got 1/);
  });
});

describe("sequential", () => {
  it("without inputShape it is built by its first batch", () => {
    const m = cl.nn.sequential([cl.nn.dense({ units: 4 }), cl.nn.dense({ units: 2 })], { seed: 0 });
    expect(() => m.summary()).toThrow(/the model is not built yet: give inputShape, or call it on a batch first/);
    expect(m.predict(cl.ones([3, 5])).shape).toEqual([3, 2]);
    expect(m.summary().totalParams).toBe(5 * 4 + 4 + 4 * 2 + 2);
  });
  it("a wrong input shape names the model and both shapes", () => {
    const m = cl.models.lenet5();
    expect(() => m.predict(cl.zeros([1, 28, 28, 1]))).toThrow(/sequential layer 'lenet5': expected input \[m,32,32,3\], got \[1,28,28,1\]/);
  });
  it("rejects a non-layer and multi-input layers", () => {
    expect(() => cl.nn.sequential([cl.nn.dense({ units: 2 }), 3 as never])).toThrow(/sequential: entry 1 is not a layer/);
    expect(() => cl.nn.sequential([cl.nn.add()])).toThrow(/add layer takes several inputs/);
  });
});

describe("model state", () => {
  it("activations gives every layer's output for feature maps", () => {
    const m = cl.models.lenet5({ seed: 0 });
    const acts = m.activations(cl.randn([1, 32, 32, 3], { seed: 1 }), { layers: ["CONV1", "POOL2"] });
    expect(acts.map((a) => [a.name, a.type, a.output.shape])).toEqual([["CONV1", "Conv2D", [1, 28, 28, 8]], ["POOL2", "MaxPool2D", [1, 5, 5, 16]]]);
    expect(() => m.activations(cl.zeros([1, 32, 32, 3]), { layers: ["nope"] })).toThrow(/no layer named 'nope'/);
  });
  it("frozen layers are left out of the trainable parameters", () => {
    const m = cl.models.lenet5();
    m.getLayer("CONV1").trainable = false;
    m.getLayer("CONV2").trainable = false;
    expect(m.trainableParameters().reduce((s, t) => s + t.size, 0)).toBe(62958 - 608 - 3216);
    expect(m.summary().trainableParams).toBe(62958 - 608 - 3216);
    expect(m.summary().toString()).toMatch(/Total params: 62,958\nTrainable params: 59,134\nNon-trainable params: 3,824$/);
  });
  it("stateDict/loadStateDict copy weights and check names and shapes", () => {
    const a = cl.models.lenet5({ seed: 1 }), b = cl.models.lenet5({ seed: 2 });
    const x = cl.randn([1, 32, 32, 3], { seed: 3 });
    b.loadStateDict(a.stateDict());
    expect(Array.from(b.predict(x).data)).toEqual(Array.from(a.predict(x).data));
    const classic = cl.models.lenet5({ variant: "classic" });
    expect(() => classic.loadStateDict(a.stateDict())).toThrow(/'CONV1\/kernel' has shape \[5,5,3,8\] in the state but \[5,5,1,6\] in the model/);
    const { "FC3/bias": _dropped, ...partial } = a.stateDict();
    expect(() => b.loadStateDict(partial)).toThrow(/the state does not fit the model; missing: FC3\/bias/);
  });
  it("summary prints as a table and as escaped HTML", () => {
    const m = cl.nn.sequential([cl.nn.dense({ units: 2, name: "<b>fc<b>" })], { inputShape: [3] });
    const bundle = m.toMimeBundle().data;
    expect(bundle["text/plain"]).toMatch(/<b>fc<b>\s+Dense\s+\(2\)\s+2\s+8\s+6/);
    expect(bundle["text/html"]).toContain("&lt;b&gt;fc&lt;b&gt;");
    expect(bundle["text/html"]).not.toContain("<b>");
  });
});
