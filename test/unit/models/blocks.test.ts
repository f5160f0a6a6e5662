import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose, checkModelGrads } from "../helpers.js";

function blockModel(inputShape: number[], opts: cl.nn.ResidualBlockOptions, seed = 1): cl.nn.Model {
  const x = cl.nn.input(inputShape);
  return cl.nn.model({ inputs: x, outputs: cl.nn.residualBlock(opts).apply(x), seed });
}

describe("cl.nn.residualBlock: a[l+2] = g(z[l+2] + a[l])", () => {
  it("basic, identity shortcut: x [m,6,6,4] → [m,6,6,4]; layers named as Keras applications; values = relu(bn(conv(relu(bn(conv x)))) + x)", () => {
    const m = blockModel([6, 6, 4], { filters: 4, name: "conv2_block1" });
    expect(m.summary().rows.map((r) => [r.name, r.outputShape.join("x")])).toEqual([
      ["input", "6x6x4"],
      ["conv2_block1_1_conv", "6x6x4"], ["conv2_block1_1_bn", "6x6x4"], ["conv2_block1_1_relu", "6x6x4"],
      ["conv2_block1_2_conv", "6x6x4"], ["conv2_block1_2_bn", "6x6x4"],
      ["conv2_block1_add", "6x6x4"], ["conv2_block1_out", "6x6x4"],
    ]);
    expect(m.summary().rows.find((r) => r.name === "conv2_block1_add")!.inputs).toEqual(["input", "conv2_block1_2_bn"]);
    // 2 convs 3×3×4×4 without bias + 2 batch-norms of 4 channels
    expect(m.summary().totalParams).toBe(2 * (9 * 4 * 4) + 2 * 8);
    const x = cl.randn([2, 6, 6, 4], { seed: 3 });
    const L = (n: string): cl.nn.Layer => m.getLayer(`conv2_block1_${n}`);
    const z = L("2_bn").call(L("2_conv").call(cl.relu(L("1_bn").call(L("1_conv").call(x)))));
    expectClose(m.predict(x), cl.relu(z.add(x)));
  });

  it("basic, projection shortcut: stride 2 and 4 → 8 channels, x [m,7,7,4] → [m,4,4,8], shortcut W_s a[l] by a 1×1/2 conv + bn", () => {
    const m = blockModel([7, 7, 4], { filters: 8, stride: 2, name: "b" });
    const rows = m.summary().rows;
    expect(rows.map((r) => r.name)).toEqual(["input", "b_0_conv", "b_0_bn", "b_1_conv", "b_1_bn", "b_1_relu", "b_2_conv", "b_2_bn", "b_add", "b_out"]);
    expect(rows.find((r) => r.name === "b_0_conv")!.outputShape).toEqual([4, 4, 8]);
    expect(rows.at(-1)!.outputShape).toEqual([4, 4, 8]);
    expect(m.summary().totalParams).toBe(9 * 4 * 8 + 9 * 8 * 8 + 1 * 4 * 8 + 3 * 16);
    const x = cl.randn([2, 7, 7, 4], { seed: 4 });
    const L = (n: string): cl.nn.Layer => m.getLayer(`b_${n}`);
    const z = L("2_bn").call(L("2_conv").call(cl.relu(L("1_bn").call(L("1_conv").call(x)))));
    expectClose(m.predict(x), cl.relu(z.add(L("0_bn").call(L("0_conv").call(x)))));
  });

  it("bottleneck: 1×1 → 3×3/s → 1×1 (4·filters), stride on the 3×3 (v1.5); [m,8,8,16] → [m,4,4,32]", () => {
    const m = blockModel([8, 8, 16], { filters: 8, kind: "bottleneck", stride: 2, name: "conv3_block1" });
    const shape = (n: string): number[] => m.summary().rows.find((r) => r.name === `conv3_block1_${n}`)!.outputShape;
    expect(shape("1_conv")).toEqual([8, 8, 8]);
    expect(shape("2_conv")).toEqual([4, 4, 8]);
    expect(shape("3_conv")).toEqual([4, 4, 32]);
    expect(shape("0_conv")).toEqual([4, 4, 32]);
    expect(shape("out")).toEqual([4, 4, 32]);
    const id = blockModel([4, 4, 32], { filters: 8, kind: "bottleneck", name: "conv3_block2" });
    expect(id.layers.some((l) => l.name === "conv3_block2_0_conv")).toBe(false);
    expect(id.summary().rows.at(-1)!.outputShape).toEqual([4, 4, 32]);
  });

  it("shortcut 'projection' is forced even when the shapes fit; 'identity' refuses a shape change", () => {
    expect(blockModel([5, 5, 4], { filters: 4, shortcut: "projection", name: "p" }).layers.map((l) => l.name)).toContain("p_0_conv");
    expect(() => blockModel([5, 5, 4], { filters: 8, shortcut: "identity", name: "q" })).toThrow(
      /residualBlock 'q': an identity shortcut needs the input's shape, but the block maps \[m,5,5,4\] to 8 channels with stride 1; use shortcut: "projection"/,
    );
  });

  it("shortcut 'none' is the plain block g(z[l+2]) with the same layers and names, minus the addition", () => {
    const m = blockModel([6, 6, 4], { filters: 8, stride: 2, shortcut: "none", name: "p" });
    expect(m.summary().rows.map((r) => r.name)).toEqual(["input", "p_1_conv", "p_1_bn", "p_1_relu", "p_2_conv", "p_2_bn", "p_out"]);
    const x = cl.randn([2, 6, 6, 4], { seed: 5 });
    expectClose(m.predict(x), cl.relu(m.getLayer("p_2_bn").call(m.getLayer("p_2_conv").call(cl.relu(m.getLayer("p_1_bn").call(m.getLayer("p_1_conv").call(x)))))));
  });

  it("without batch-norm the convs have biases and the activation is fused: the course's plain z = W a + b", () => {
    const m = blockModel([5, 5, 3], { filters: 3, batchNorm: false, name: "r" });
    expect(m.summary().rows.map((r) => r.type)).toEqual(["Input", "Conv2D", "Conv2D", "Add", "Activation"]);
    expect(m.summary().totalParams).toBe(2 * (9 * 3 * 3 + 3));
  });

  it("gradcheck in float64, identity and projection shortcuts: w.r.t. the input and every parameter (batch-norm in training mode)", () => {
    for (const [shape, opts] of [
      [[4, 4, 3], { filters: 3, name: "id" }],
      [[5, 5, 2], { filters: 3, stride: 2, name: "proj" }],
      [[4, 4, 4], { filters: 2, kind: "bottleneck", stride: 2, name: "bneck" }],
    ] as [number[], cl.nn.ResidualBlockOptions][]) {
      const m = blockModel(shape, opts, 7).setDtype("float64");
      const x = cl.randn([3, ...shape], { seed: 8, dtype: "float64" });
      const r = cl.gradcheck((xi) => m.forward(xi, { training: true }), [x], { atol: 1e-6, rtol: 1e-4 });
      expect(r.failures, `${opts.name}: input gradient`).toEqual([]);
      expect(r.ok).toBe(true);
      const target = cl.randn([3, ...m.summary().rows.at(-1)!.outputShape], { seed: 9, dtype: "float64" });
      expect(checkModelGrads(m, x, (y) => cl.mse(y, target), 6).worst).toBeLessThan(1e-6);
    }
  });

  it("applied twice, a block shares its layers (and weights)", () => {
    const block = cl.nn.residualBlock({ filters: 2, name: "shared" });
    const x = cl.nn.input([3, 3, 2]);
    const m = cl.nn.model({ inputs: x, outputs: block.apply(block.apply(x)), seed: 0 });
    expect(m.layers.length).toBe(block.layers.length);
    const y = cl.randn([1, 3, 3, 2], { seed: 1 });
    const once = cl.nn.model({ inputs: x, outputs: block.apply(x) });
    expectClose(m.predict(y), once.predict(once.predict(y)));
  });

  it("bad options and inputs give errors naming the block", () => {
    expect(() => cl.nn.residualBlock({ filters: 0 })).toThrow(/residualBlock: filters must be an integer ≥ 1, got 0/);
    expect(() => cl.nn.residualBlock({ filters: 4, kind: "wide" as "basic", name: "x" })).toThrow(/residualBlock 'x': kind must be "basic" or "bottleneck", got "wide"/);
    expect(() => cl.nn.residualBlock({ filters: 4, stride: 1.5 })).toThrow(/stride must be an integer ≥ 1, got 1.5/);
    expect(() => cl.nn.residualBlock({ filters: 4, shortcut: "skip" as "auto" })).toThrow(/shortcut must be "auto", "identity", "projection" or "none"/);
    expect(() => cl.nn.residualBlock({ filters: 4, name: "a/b" })).toThrow(/name must be a non-empty string without '\/'/);
    expect(() => cl.nn.residualBlock({ filters: 4, name: "v" }).apply(cl.nn.input([8, 3]))).toThrow(/residualBlock 'v': expected input \[m,nH,nW,nC\], got \[m,8,3\]/);
    expect(() => cl.nn.residualBlock({ filters: 4 }).apply(cl.zeros([1, 4, 4, 4]) as unknown as cl.nn.SymbolicTensor)).toThrow(/apply\(\) takes a symbolic tensor/);
  });
});

describe("cl.nn.inceptionModule: parallel 1×1, 3×3, 5×5 and pool branches concatenated on the channels", () => {
  const inception3a = { filters1x1: 64, reduce3x3: 96, filters3x3: 128, reduce5x5: 16, filters5x5: 32, poolProj: 32, name: "inception3a" };

  it("GoogLeNet's 3a on 28×28×192 → 28×28×(64+128+32+32) = 28×28×256, every branch keeping 28×28", () => {
    const x = cl.nn.input([28, 28, 192]);
    const m = cl.nn.model({ inputs: x, outputs: cl.nn.inceptionModule(inception3a).apply(x) });
    const rows = m.summary().rows;
    const concat = rows.at(-1)!;
    expect(concat.name).toBe("inception3a_concat");
    expect(concat.outputShape).toEqual([28, 28, 256]);
    expect(concat.inputs).toEqual(["inception3a_1x1_relu", "inception3a_3x3_relu", "inception3a_5x5_relu", "inception3a_pool_proj_relu"]);
    const shape = (n: string): number[] => rows.find((r) => r.name === `inception3a_${n}`)!.outputShape;
    expect(shape("1x1_conv")).toEqual([28, 28, 64]);
    expect(shape("3x3_reduce_conv")).toEqual([28, 28, 96]);
    expect(shape("3x3_conv")).toEqual([28, 28, 128]);
    expect(shape("5x5_reduce_conv")).toEqual([28, 28, 16]);
    expect(shape("5x5_conv")).toEqual([28, 28, 32]);
    expect(shape("pool")).toEqual([28, 28, 192]);
    expect(shape("pool_proj_conv")).toEqual([28, 28, 32]);
  });

  it("the mults column: the 5×5 branch costs 28·28·16·192 + 28·28·32·5·5·16 = 12,443,648 through its 16-channel bottleneck", () => {
    const x = cl.nn.input([28, 28, 192]);
    const rows = cl.nn.model({ inputs: x, outputs: cl.nn.inceptionModule(inception3a).apply(x) }).summary().rows;
    const mults = (n: string): number => rows.find((r) => r.name === `inception3a_${n}`)!.mults;
    expect(mults("5x5_reduce_conv")).toBe(2_408_448);
    expect(mults("5x5_conv")).toBe(10_035_200);
    expect(mults("5x5_reduce_conv") + mults("5x5_conv")).toBe(12_443_648);
    expect(mults("pool")).toBe(0);
    expect(mults("concat")).toBe(0);
  });

  it("computes the four branches and concatenates them (values), small sizes, without batch-norm", () => {
    const x = cl.nn.input([6, 6, 5]);
    const mod = cl.nn.inceptionModule({ filters1x1: 2, reduce3x3: 3, filters3x3: 4, reduce5x5: 2, filters5x5: 3, poolProj: 1, batchNorm: false, name: "m" });
    const model = cl.nn.model({ inputs: x, outputs: mod.apply(x), seed: 2 });
    expect(model.summary().rows.at(-1)!.outputShape).toEqual([6, 6, 10]);
    const xs = cl.randn([2, 6, 6, 5], { seed: 3 });
    const L = (n: string): cl.nn.Layer => model.getLayer(`m_${n}`);
    const want = cl.concat(
      [L("1x1_conv").call(xs), L("3x3_conv").call(L("3x3_reduce_conv").call(xs)), L("5x5_conv").call(L("5x5_reduce_conv").call(xs)), L("pool_proj_conv").call(cl.maxPool2d(xs, { size: 3, stride: 1, padding: 1 }))],
      3,
    );
    expectClose(model.predict(xs), want);
    expect(L("5x5_conv").weight("kernel").shape).toEqual([5, 5, 2, 3]);
  });

  it("size5x5: 3 gives torchvision's 3×3 kernel in the '5×5' branch; an even size is refused", () => {
    const x = cl.nn.input([8, 8, 4]);
    const mod = cl.nn.inceptionModule({ filters1x1: 1, reduce3x3: 1, filters3x3: 1, reduce5x5: 1, filters5x5: 2, poolProj: 1, size5x5: 3, name: "t" });
    const model = cl.nn.model({ inputs: x, outputs: mod.apply(x) });
    expect(model.getLayer("t_5x5_conv").weight("kernel").shape).toEqual([3, 3, 1, 2]);
    expect(() => cl.nn.inceptionModule({ ...inception3a, size5x5: 4 })).toThrow(/inceptionModule 'inception3a': size5x5 must be odd/);
    expect(() => cl.nn.inceptionModule({ ...inception3a, poolProj: -1 })).toThrow(/inceptionModule 'inception3a': poolProj must be an integer ≥ 1, got -1/);
  });
});

describe("COURSE.md week 2: the cost of a 5×5 conv and the 1×1 convolution (network in network)", () => {
  it("5×5 same conv with 32 filters on 28×28×192: 120,422,400 multiplications; with a 16-channel 1×1 bottleneck first: 12,443,648", () => {
    const direct = cl.nn.sequential([cl.nn.conv2d({ filters: 32, size: 5, padding: "same" })], { inputShape: [28, 28, 192] }).summary();
    expect(direct.rows[1]!.outputShape).toEqual([28, 28, 32]);
    expect(direct.totalMults).toBe(120_422_400);
    const bottleneck = cl.nn.sequential([cl.nn.conv2d({ filters: 16, size: 1 }), cl.nn.conv2d({ filters: 32, size: 5, padding: "same" })], { inputShape: [28, 28, 192] }).summary();
    expect(bottleneck.rows.map((r) => r.mults)).toEqual([0, 2_408_448, 10_035_200]);
    expect(bottleneck.totalMults).toBe(12_443_648);
  });

  it("28×28×192 → 1×1 conv with 32 filters → 28×28×32 (shrinks the channels, keeps nH×nW)", () => {
    const s = cl.nn.sequential([cl.nn.conv2d({ filters: 32, size: 1, activation: "relu" })], { inputShape: [28, 28, 192] }).summary();
    expect(s.rows[1]!.outputShape).toEqual([28, 28, 32]);
    expect(s.totalParams).toBe(192 * 32 + 32);
    expect(s.totalMults).toBe(28 * 28 * 32 * 192);
  });
});
