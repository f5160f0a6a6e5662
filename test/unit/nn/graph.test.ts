// The functional API grown for weeks 2–4: residual and inception blocks, several outputs (list and
// record), cutting sub-models at any layer without copying weights, shared layers, and the errors
// a graph gives for bad input.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

/** a[l+2] = g(z[l+2] + a[l]), with a 1×1 projection when the channels change. */
function residualBlock(x: cl.nn.SymbolicTensor, filters: number, name: string): cl.nn.SymbolicTensor {
  const z1 = cl.nn.conv2d({ name: `${name}_1`, filters, size: 3, padding: "same", activation: "relu" }).apply(x);
  const z2 = cl.nn.conv2d({ name: `${name}_2`, filters, size: 3, padding: "same" }).apply(z1);
  const shortcut = x.shape[2] === filters ? x : cl.nn.conv2d({ name: `${name}_proj`, filters, size: 1 }).apply(x);
  return cl.nn.relu({ name: `${name}_out` }).apply(cl.nn.add({ name: `${name}_add` }).apply([z2, shortcut]));
}

/** The course's inception module: 1×1, 1×1→3×3, 1×1→5×5 and pool→1×1 branches, concatenated. */
function inceptionModule(x: cl.nn.SymbolicTensor, name: string): cl.nn.SymbolicTensor {
  const c = (n: string, filters: number, size: number) => cl.nn.conv2d({ name: `${name}_${n}`, filters, size, padding: "same", activation: "relu" });
  const b1 = c("1x1", 64, 1).apply(x);
  const b3 = c("3x3", 128, 3).apply(c("3x3_reduce", 96, 1).apply(x));
  const b5 = c("5x5", 32, 5).apply(c("5x5_reduce", 16, 1).apply(x));
  const bp = c("pool_proj", 32, 1).apply(cl.nn.maxPool2d({ name: `${name}_pool`, size: 3, stride: 1, padding: "same" }).apply(x));
  return cl.nn.concat({ name: `${name}_concat` }).apply([b1, b3, b5, bp]);
}

describe("residual and inception blocks with the functional API", () => {
  it("two residual blocks (the second projects 4 → 6 channels): shapes, rows with their inputs, params", () => {
    const x = cl.nn.input([8, 8, 4], { name: "image" });
    const m = cl.nn.model({ inputs: x, outputs: residualBlock(residualBlock(x, 4, "res1"), 6, "res2"), name: "resnet-mini", seed: 1 });
    const s = m.summary();
    const rows = s.rows.map((r) => [r.name, r.type, r.outputShape, r.params, r.inputs ?? []]);
    expect(rows).toEqual([
      ["image", "Input", [8, 8, 4], 0, []],
      ["res1_1", "Conv2D", [8, 8, 4], 3 * 3 * 4 * 4 + 4, ["image"]],
      ["res1_2", "Conv2D", [8, 8, 4], 148, ["res1_1"]],
      ["res1_add", "Add", [8, 8, 4], 0, ["res1_2", "image"]],
      ["res1_out", "Activation", [8, 8, 4], 0, ["res1_add"]],
      ["res2_1", "Conv2D", [8, 8, 6], 3 * 3 * 4 * 6 + 6, ["res1_out"]],
      ["res2_2", "Conv2D", [8, 8, 6], 3 * 3 * 6 * 6 + 6, ["res2_1"]],
      ["res2_proj", "Conv2D", [8, 8, 6], 4 * 6 + 6, ["res1_out"]],
      ["res2_add", "Add", [8, 8, 6], 0, ["res2_2", "res2_proj"]],
      ["res2_out", "Activation", [8, 8, 6], 0, ["res2_add"]],
    ]);
    expect(s.totalParams).toBe(148 + 148 + 222 + 330 + 30);
    // a graph's text table shows each row's inbound layers, as Keras does
    const text = s.toString();
    expect(text.split("\n")[1]).toMatch(/connected to$/);
    expect(text).toMatch(/res2_add\s+Add\s+\(8,8,6\)\s+384\s+0\s+0\s+res2_2, res2_proj/);
    const y = m.predict(cl.randn([2, 8, 8, 4], { seed: 2 }));
    expect(y.shape).toEqual([2, 8, 8, 6]);
    expect(Math.min(...y.data)).toBeGreaterThanOrEqual(0);
  });

  it("a sequential summary has no 'connected to' column", () => {
    expect(cl.models.lenet5().summary().toString().split("\n")[1]).not.toMatch(/connected to/);
  });

  it("a residual block passes gradcheck in float64 with respect to its input", () => {
    const x = cl.nn.input([5, 5, 3]);
    const m = cl.nn.model({ inputs: x, outputs: residualBlock(x, 3, "r"), seed: 3 });
    m.setDtype("float64");
    const xv = cl.randn([2, 5, 5, 3], { seed: 4, dtype: "float64" });
    const r = cl.gradcheck((t) => m.forward(t, { training: true }), [xv], { atol: 1e-6, rtol: 1e-4 });
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it("an inception module on 28×28×192 gives 28×28×256 (64 + 128 + 32 + 32) from shapes alone", () => {
    const x = cl.nn.input([28, 28, 192]);
    const m = cl.nn.model({ inputs: x, outputs: inceptionModule(x, "inc3a") });
    const s = m.summary();
    expect(s.rows.at(-1)).toMatchObject({ name: "inc3a_concat", type: "Concat", outputShape: [28, 28, 256], inputs: ["inc3a_1x1", "inc3a_3x3", "inc3a_5x5", "inc3a_pool_proj"] });
    // the course's bottleneck: 28·28·16 · 1·1·192 + 28·28·32 · 5·5·16 ≈ 12.4 M multiplications
    const r5 = s.rows.find((r) => r.name === "inc3a_5x5_reduce")!.mults + s.rows.find((r) => r.name === "inc3a_5x5")!.mults;
    expect(r5).toBe(28 * 28 * 16 * 192 + 28 * 28 * 32 * 5 * 5 * 16);
    expect(m.materialized).toBe(false); // nothing was allocated for the summary
    const small = cl.nn.input([6, 6, 8]);
    const out = cl.nn.model({ inputs: small, outputs: inceptionModule(small, "i") }).predict(cl.randn([1, 6, 6, 8], { seed: 0 }));
    expect(out.shape).toEqual([1, 6, 6, 256]);
  });
});

describe("several outputs", () => {
  const make = () => {
    const x = cl.nn.input([4], { name: "x" });
    const h = cl.nn.dense({ name: "hidden", units: 5, activation: "relu" }).apply(x);
    const cls = cl.nn.dense({ name: "cls", units: 3 }).apply(h);
    const box = cl.nn.dense({ name: "box", units: 4 }).apply(h);
    return { x, h, cls, box };
  };

  it("a list of outputs: predict returns a list in that order", () => {
    const { x, cls, box } = make();
    const m = cl.nn.model({ inputs: x, outputs: [cls, box], seed: 0 });
    const [a, b] = m.predict(cl.ones([2, 4]));
    expect([a.shape, b.shape]).toEqual([[2, 3], [2, 4]]);
    expect(m.outputNames).toEqual(["cls", "box"]);
    expect(m.outputKind).toBe("list");
  });

  it("a record of outputs: predict returns the same record; the values are those of the layers", () => {
    const { x, h, cls, box } = make();
    const m = cl.nn.model({ inputs: x, outputs: { scores: cls, boxes: box, features: h }, seed: 0 });
    const inp = cl.randn([3, 4], { seed: 1 });
    const out = m.predict(inp);
    expect(Object.keys(out)).toEqual(["scores", "boxes", "features"]);
    expectClose(out.scores, m.getLayer("cls").call(out.features));
    expect(m.outputNames).toEqual(["scores", "boxes", "features"]);
    expect(() => m.output).toThrow(/has 3 outputs; use model.outputs/);
    expect(m.outputs.map((s) => s.node.layer.name)).toEqual(["cls", "box", "hidden"]);
  });

  it("a model with several outputs cannot be used as a layer; predictProba needs one output", () => {
    const { x, cls, box } = make();
    const m = cl.nn.model({ inputs: x, outputs: [cls, box], name: "two" });
    expect(() => m.apply(cl.nn.input([4]))).toThrow(/model layer 'two': has 2 outputs, so it cannot be used as a layer/);
    expect(() => m.predictProba(cl.ones([1, 4]))).toThrow(/predictProba needs a model with one output/);
  });

  it("predictBatched keeps the structure", async () => {
    const { x, cls, box } = make();
    const m = cl.nn.model({ inputs: x, outputs: { cls, box }, seed: 2 });
    const inp = cl.randn([7, 4], { seed: 3 });
    const all = await m.predictBatched(inp, { batchSize: 3 });
    const direct = m.predict(inp);
    expectClose(all.cls, direct.cls, { atol: 1e-6, rtol: 0 });
    expectClose(all.box, direct.box, { atol: 1e-6, rtol: 0 });
  });
});

describe("cutting sub-models", () => {
  it("a sub-model cut at CONV2 of a trained LeNet-5 gives the full model's activations, sharing its weights", async () => {
    const net = cl.models.lenet5({ inputShape: [32, 32, 1], seed: 0 });
    const x = cl.randn([8, 32, 32, 1], { seed: 1 });
    await net.fit({ x, y: cl.tensor([0, 1, 2, 3, 4, 5, 6, 7]) }, { optimizer: cl.train.adam({ lr: 1e-2 }), epochs: 2, batchSize: 4, seed: 0 });
    const cut = cl.nn.model({ inputs: net.inputs, outputs: net.getLayer("CONV2").output, name: "lenet-conv2" });
    expect(cut.layers.map((l) => l.name)).toEqual(["CONV1", "POOL1", "CONV2"]);
    const full = net.activations(x, { layers: ["CONV2"] })[0]!.output;
    expect(Array.from(cut.predict(x).data)).toEqual(Array.from(full.data));
    expect(cut.getLayer("CONV1").weight("kernel")).toBe(net.getLayer("CONV1").weight("kernel")); // not copied
    expect(cut.summary().totalParams).toBe(208 + 3216);
  });

  it("several cut points at once, and a head cut from an intermediate tensor", () => {
    const net = cl.models.lenet5({ seed: 2 });
    const x = cl.randn([2, 32, 32, 3], { seed: 3 });
    const taps = cl.nn.model({ inputs: net.inputs, outputs: { pool1: net.getLayer("POOL1").output, fc4: net.getLayer("FC4").output } });
    const f = net.features(x, ["POOL1", "FC4"]);
    expectClose(taps.predict(x).pool1, f.POOL1, { atol: 0, rtol: 0 });
    expectClose(taps.predict(x).fc4, f.FC4, { atol: 0, rtol: 0 });
    // the dense head alone, from POOL2's output
    const head = cl.nn.model({ inputs: net.getLayer("POOL2").output, outputs: net.output });
    expect(head.layers.map((l) => l.name)).toEqual(["FC3", "FC4", "softmax"]);
    expect(head.summary().rows[0]).toMatchObject({ name: "POOL2", type: "Input", outputShape: [5, 5, 16], params: 0 });
    expectClose(head.predict(net.features(x, "POOL2").POOL2), net.predict(x), { atol: 0, rtol: 0 });
  });

  it("outputs that are not reachable from the inputs are an error naming the model and the input", () => {
    const net = cl.models.lenet5();
    const other = cl.nn.input([32, 32, 3], { name: "other" });
    expect(() => cl.nn.model({ inputs: other, outputs: net.getLayer("CONV2").output, name: "bad" })).toThrow(
      /model layer 'bad': the output depends on input 'input' \[m,32,32,3\], which is not among the model's inputs \('other'\)/,
    );
  });

  it("a shared layer has several outputs; .output says so", () => {
    const a = cl.nn.input([3], { name: "a" }), b = cl.nn.input([3], { name: "b" });
    const enc = cl.nn.dense({ name: "enc", units: 2 });
    const m = cl.nn.model({ inputs: [a, b], outputs: [enc.apply(a), enc.apply(b)] });
    expect(enc.nodes.length).toBe(2);
    expect(() => enc.output).toThrow(/dense layer 'enc': is shared \(applied 2 times\)/);
    expect(() => m.outputOf("enc")).toThrow(/layer 'enc' is shared \(applied 2 times in this model\)/);
    expect(m.summary().totalParams).toBe(8);
    expect(() => cl.nn.dense({ units: 2 }).output).toThrow(/has no symbolic output yet/);
  });
});

describe("graph errors name the model or layer and the expected vs actual", () => {
  it("a duplicate layer name", () => {
    const x = cl.nn.input([3]);
    const h = cl.nn.dense({ units: 2, name: "fc" }).apply(x);
    expect(() => cl.nn.model({ inputs: x, outputs: cl.nn.dense({ units: 2, name: "fc" }).apply(h), name: "dup" })).toThrow(
      /model layer 'dup': two layers are named 'fc' \(Dense and Dense; names must be unique within a model\)/,
    );
  });
  it("an input of the wrong shape, in a two-input model", () => {
    const a = cl.nn.input([3], { name: "left" }), b = cl.nn.input([3], { name: "right" });
    const m = cl.nn.model({ inputs: [a, b], outputs: cl.nn.add().apply([a, b]), name: "pair" });
    expect(() => m.predict([cl.ones([1, 3]), cl.ones([1, 4])])).toThrow(/model layer 'pair': expected input 'right' \[m,3\], got \[1,4\]/);
    expect(() => m.predict([cl.ones([2, 3]), cl.ones([1, 3])])).toThrow(/the inputs have different batch sizes \(\[2,3\], \[1,3\]\)/);
  });
  it("a record of inputs by name; a missing or unknown name", () => {
    const a = cl.nn.input([3], { name: "left" }), b = cl.nn.input([3], { name: "right" });
    const m = cl.nn.model({ inputs: [a, b], outputs: cl.nn.concat().apply([a, b]), name: "pair" });
    expect(m.inputNames).toEqual(["left", "right"]);
    expect(m.predict({ right: cl.ones([1, 3]), left: cl.zeros([1, 3]) }).toArray()).toEqual([[0, 0, 0, 1, 1, 1]]);
    expect(() => m.predict({ left: cl.ones([1, 3]) })).toThrow(/model layer 'pair': the inputs record has no 'right' \(expected keys 'left', 'right'; got 'left'\)/);
    expect(() => m.predict({ left: cl.ones([1, 3]), rihgt: cl.ones([1, 3]) })).toThrow(/has no 'right' and has unknown 'rihgt'/);
  });
  it("bad outputs and inputs options", () => {
    const x = cl.nn.input([3]);
    expect(() => cl.nn.model({ inputs: x, outputs: cl.ones([1]) as never })).toThrow(/model: outputs must be a symbolic tensor .* got a tensor \[1\]/);
    expect(() => cl.nn.model({ inputs: x, outputs: { a: 3 } as never })).toThrow(/model: outputs\.a must be a symbolic tensor/);
    expect(() => cl.nn.model({ inputs: [], outputs: x })).toThrow(/model: inputs must be one or more symbolic inputs from cl\.nn\.input\(shape\), got \[\]/);
    expect(() => cl.nn.model(null as never)).toThrow(/model: expected options \{ inputs, outputs, name\?, seed\? \}, got null/);
    expect(() => cl.nn.dense({ units: 2 }).apply(cl.ones([1, 3]) as never)).toThrow(/apply\(\) takes symbolic tensors .* got a tensor \[1,3\]/);
  });
  it("getLayer of an unknown name lists the layers; nested names reach inside", () => {
    const block = cl.nn.sequential([cl.nn.dense({ name: "inner", units: 2 })], { name: "block" });
    const m = cl.nn.sequential([block, cl.nn.dense({ name: "top", units: 1 })], { inputShape: [3], name: "outer" });
    expect(m.getLayer("block/inner").countParams()).toBe(8);
    expect(() => m.getLayer("nope")).toThrow(/sequential layer 'outer': no layer named 'nope' \(layers: input, block, top\)/);
  });
});
