// Style transfer (issue 17): Gram matrix, content and style costs against hand computations on
// small tensors (COURSE.md week 4's formulas), gradients checked by finite differences in
// float64, and short transfer runs that must lower J(G).
import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";
import { setFusion } from "../../../src/nn/fusion.js";

const { style } = cl;
const f64 = (v: number[], shape: number[]) => cl.tensor(v, shape, { dtype: "float64" });

describe("Gram matrix", () => {
  it("G_kk' = Σ_i Σ_j a_ijk a_ijk' ([1,2,1,2] → [[10,14],[14,20]])", () => {
    expect(style.gram(cl.tensor([1, 2, 3, 4], [1, 2, 1, 2])).toArray()).toEqual([[10, 14], [14, 20]]);
    expect(style.gram(cl.tensor([1, 2, 3, 4], [2, 1, 2])).shape).toEqual([2, 2]);
  });

  it("equals the double sum on a random [1,3,4,5] (nested loops)", () => {
    const a = cl.randn([1, 3, 4, 5], { seed: 1, dtype: "float64" });
    const want: number[] = [];
    for (let k = 0; k < 5; k++)
      for (let q = 0; q < 5; q++) {
        let s = 0;
        for (let p = 0; p < 12; p++) s += a.data[p * 5 + k]! * a.data[p * 5 + q]!;
        want.push(s);
      }
    expectClose(style.gram(a), want, { atol: 1e-12, rtol: 1e-12 });
  });

  it("refuses a batch of two and names the function", () => {
    expect(() => style.gram(cl.zeros([2, 3, 3, 4]))).toThrow(/style\.gram: a must be one image's activations \[nH,nW,nC\] or \[1,nH,nW,nC\], got \[2,3,3,4\]/);
  });
});

describe("costs (hand numbers)", () => {
  it("J_content = ½‖a(C) − a(G)‖²: [1,2,3] vs [0,2,5] → 2.5; the exercise's 1/(4 nH nW nC) → 5/12", () => {
    const aC = cl.tensor([1, 2, 3], [1, 1, 1, 3]), aG = cl.tensor([0, 2, 5], [1, 1, 1, 3]);
    expectClose(style.contentCost(aC, aG), [2.5]);
    expectClose(style.contentCost(aC, aG, { normalization: "assignment" }), [5 / 12]);
  });

  it("J_style[l] = 1/(2 nH nW nC)² Σ (G_S − G_G)²: [[10,14],[14,20]] vs I over 2×1×2 → 834/64", () => {
    const aS = cl.tensor([1, 2, 3, 4], [1, 2, 1, 2]), aG = cl.tensor([1, 0, 0, 1], [1, 2, 1, 2]);
    expectClose(style.styleCost(aS, aG), [834 / 64]);
    expectClose(style.styleCost(aS, aS), [0]);
  });

  it("J_style = Σ λ[l] J_style[l]; J = α J_content + β J_style (defaults α 10, β 40)", () => {
    const aS = { a: cl.tensor([1, 2, 3, 4], [1, 2, 1, 2]), b: cl.tensor([1, 2, 3], [1, 1, 3]) };
    const aG = { a: cl.tensor([1, 0, 0, 1], [1, 2, 1, 2]), b: cl.tensor([0, 2, 5], [1, 1, 3]) };
    // b: G_S = [[1,2,3],[2,4,6],[3,6,9]], G_G = [[0,0,0],[0,4,10],[0,10,25]]; Σ diff² = 1+4+9+4+0+16+9+16+256 = 315; /(2·3)² = 315/36
    expectClose(style.styleCost(aS.b, aG.b), [315 / 36]);
    expectClose(style.styleCostLayers(aS, aG, { a: 0.25, b: 0.75 }), [0.25 * 834 / 64 + 0.75 * 315 / 36]);
    expectClose(style.styleCostLayers(aS, aG), [0.5 * 834 / 64 + 0.5 * 315 / 36]);
    expectClose(style.totalCost(2, 3), [10 * 2 + 40 * 3]);
    expectClose(style.totalCost(cl.tensor([2]).sum(), 3, { alpha: 1, beta: 1e3 }), [3002]);
  });

  it("shape errors name the function and both shapes", () => {
    expect(() => style.contentCost(cl.zeros([1, 2, 2, 3]), cl.zeros([1, 2, 2, 4]))).toThrow(/style\.contentCost: aC \[1,2,2,3\] and aG \[1,2,2,4\] must have the same \[nH,nW,nC\]/);
    expect(() => style.styleCostLayers({ a: cl.zeros([2, 2, 1]) }, {})).toThrow(/style\.styleCostLayers: aG\.a must be a Tensor/);
  });
});

describe("gradients (float64 finite differences)", () => {
  const aS = cl.randn([1, 3, 2, 4], { seed: 2, dtype: "float64" });
  const aG = cl.randn([1, 3, 2, 4], { seed: 3, dtype: "float64" });
  const b = cl.randn([2, 2, 3], { seed: 4, dtype: "float64" });
  const bG = cl.randn([2, 2, 3], { seed: 5, dtype: "float64" });
  const ok = (r: { ok: boolean; failures: unknown[] }) => expect(r.failures).toEqual([]);
  it("gram", () => ok(cl.gradcheck((a) => style.gram(a), [aG])));
  it("contentCost (both normalizations)", () => {
    ok(cl.gradcheck((c, g) => style.contentCost(c, g), [aS, aG]));
    ok(cl.gradcheck((c, g) => style.contentCost(c, g, { normalization: "assignment" }), [aS, aG]));
  });
  it("styleCost and styleCostLayers", () => {
    ok(cl.gradcheck((s, g) => style.styleCost(s, g), [aS, aG]));
    ok(cl.gradcheck((s, g, s2, g2) => style.totalCost(style.contentCost(s, g), style.styleCostLayers({ x: s, y: s2 }, { x: g, y: g2 }, { x: 0.3, y: 0.7 })), [aS, aG, b, bG]));
  });
  it("the values agree with float32", () => {
    expectClose(style.styleCost(f64(Array.from(aS.data), aS.shape), aG), style.styleCost(cl.tensor(Array.from(aS.data), aS.shape), cl.tensor(Array.from(aG.data), aG.shape)), { atol: 1e-5, rtol: 1e-4 });
  });
});

describe("transfer", () => {
  const content = cl.rand([20, 20, 3], { seed: 7 });
  // a striped style image: strong, simple statistics
  const sd = new Float32Array(20 * 20 * 3);
  for (let i = 0; i < 20; i++) for (let j = 0; j < 20; j++) for (let c = 0; c < 3; c++) sd[(i * 20 + j) * 3 + c] = ((i + j) % 4 < 2 ? 0.9 : 0.1) * (c === 1 ? 0.5 : 1);
  const styleImg = new cl.Tensor(sd, [20, 20, 3]);
  const net = () =>
    cl.nn.sequential(
      [cl.nn.conv2d({ name: "conv1", filters: 8, size: 3, padding: "same", activation: "relu" }), cl.nn.avgPool2d({ name: "pool1", size: 2 }), cl.nn.conv2d({ name: "conv2", filters: 16, size: 3, padding: "same", activation: "relu" })],
      { inputShape: [16, 16, 3], seed: 1 },
    );

  it("lowers J(G) by at least half within its first 20 steps (noise init), G stays in [0, 1]", async () => {
    const r = await style.transfer({ content, style: styleImg, extractor: net(), contentLayer: "conv2", styleLayers: ["conv1", "conv2"], steps: 20, size: 16, init: "noise", lr: 0.05, seed: 3, beta: 1e4, contentNormalization: "course", progress: false });
    expect(r.history).toHaveLength(21);
    expect(r.history[0]!.step).toBe(0);
    expect(r.history.at(-1)!.total).toBeLessThanOrEqual(0.5 * r.history[0]!.total);
    expect(r.image.shape).toEqual([1, 16, 16, 3]);
    expect(Math.min(...r.image.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r.image.data)).toBeLessThanOrEqual(1);
  });

  it("leaves the extractor as it was (its weights still require grad, no gradients kept)", async () => {
    const m = net();
    await style.transfer({ content, style: styleImg, extractor: m, contentLayer: "conv2", styleLayers: ["conv1"], steps: 2, size: 16, progress: false });
    expect(m.parameters().length).toBe(4);
    expect(m.parameters().every((p) => p.requiresGrad && p.grad === null)).toBe(true);
  });

  it("its reported costs are the public cost functions' values on G (J = α J_content + β Σ λ J_style)", async () => {
    const m = net();
    const r = await style.transfer({ content, style: styleImg, extractor: m, contentLayer: "conv2", styleLayers: { conv1: 0.2, conv2: 0.8 }, alpha: 5, beta: 100, steps: 3, size: 16, contentNormalization: "course", progress: false });
    const C = cl.data.resize(content, [16, 16]).reshape([1, 16, 16, 3]), S = cl.data.resize(styleImg, [16, 16]).reshape([1, 16, 16, 3]);
    const names = ["conv1", "conv2"];
    const fC = m.features(C, names), fS = m.features(S, names), fG = m.features(r.image, names);
    const jc = style.contentCost(fC.conv2!, fG.conv2!).item();
    const js = style.styleCostLayers(fS, fG, { conv1: 0.2, conv2: 0.8 }).item();
    const last = r.history.at(-1)!;
    expectClose([last.content, last.style, last.total], [jc, js, style.totalCost(jc, js, { alpha: 5, beta: 100 }).item()], { atol: 1e-5, rtol: 1e-4 });
    const curves = r.curves().toMimeBundle().data;
    expect(Object.keys(curves)).toContain("application/vnd.convlab.training+json");
  });

  it("the random-filter baseline network serves as an extractor; a signal stops the loop after the current step", async () => {
    const { model, layers } = style.randomFeatureNet({ inputShape: [16, 16, 3], sizes: [3, 5], filters: 8, seed: 2 });
    expect(layers).toEqual(["scale3", "scale5"]);
    const ac = new AbortController();
    const r = await style.transfer({
      content, style: styleImg, init: "noise", extractor: model, contentLayer: "scale3", styleLayers: layers, steps: 50, size: 16, progress: false, signal: ac.signal,
      onStep: (l) => { if (l.step === 3) ac.abort(); },
    });
    expect(r.aborted).toBe(true);
    expect(r.steps).toBe(4);
    expect(r.history.at(-1)!.total).toBeLessThan(r.history[0]!.total);
  });

  it("the preview is a displayable picture row (PNG, HTML, text)", () => {
    const g = style.gallery([{ title: "C", image: content }, { title: "gram", image: style.gram(cl.rand([4, 4, 5], { seed: 1 })) }], { caption: "step 0" });
    const b = g.toMimeBundle();
    expect(Object.keys(b.data).sort()).toEqual(["image/png", "text/html", "text/plain"]);
    expect(String(b.data["text/plain"])).toMatch(/C \[20,20,3\] \| gram \[5,5\]\nstep 0/);
    expect(() => style.gallery([])).toThrow(/style\.gallery: items must hold at least one picture/);
  });

  it("bad options name the function and the option", async () => {
    await expect(style.transfer({ content, style: styleImg, extractor: {} as never, contentLayer: "c", styleLayers: ["c"] })).rejects.toThrow(/style\.transfer: opts\.extractor must be a network/);
    await expect(style.transfer({ content: cl.zeros([4, 4, 1]), style: styleImg, extractor: net(), contentLayer: "conv1", styleLayers: ["conv1"] })).rejects.toThrow(/opts\.content must be an RGB image/);
  });
});

describe("transfer on the pretrained MobileNetV1 features (face-api's weights)", () => {
  it("astronaut × brick at 64×64: J(G) falls by at least half within 20 steps", async () => {
    const net = await cl.models.pretrained.mobilenetV1({ inputSize: 64 });
    const content = cl.io.readImage("notebooks/data/astronaut.png");
    const brick = cl.io.readImage("notebooks/data/brick.png", { channels: 3 });
    const r = await style.transfer({
      content, style: brick, extractor: net, preprocess: (x) => x.mul(2).sub(1),
      contentLayer: "conv5_pw_relu", styleLayers: ["conv0_relu", "conv1_pw_relu", "conv3_pw_relu", "conv5_pw_relu"],
      steps: 20, size: 64, lr: 0.03, seed: 0, progress: false,
    });
    expect(r.history[20]!.total).toBeLessThanOrEqual(0.5 * r.history[0]!.total);
    expect(r.history[20]!.style).toBeLessThan(r.history[0]!.style);
  }, 60_000);

  it("runs the frozen network fused (batch-norms folded, no weight gradients) with the unfused run's costs and image", async () => {
    const net = await cl.models.pretrained.mobilenetV1({ inputSize: 32 });
    const flags = net.parameters().map((p) => p.requiresGrad);
    const content = cl.io.readImage("notebooks/data/astronaut.png");
    const brick = cl.io.readImage("notebooks/data/brick.png", { channels: 3 });
    const opts = {
      content, style: brick, extractor: net, preprocess: (x: cl.Tensor) => x.mul(2).sub(1),
      contentLayer: "conv5_pw_relu", styleLayers: ["conv0_relu", "conv1_pw_relu", "conv3_pw_relu", "conv5_pw_relu"],
      steps: 3, size: 32, lr: 0.03, seed: 0, progress: false,
    };
    // count the batch-norm and activation layers' own calls, and the weight gradients' kernels
    const layers = ["conv1_dw_bn", "conv1_dw_relu", "conv3_dw_bn", "conv5_pw_relu"].map((n) => net.getLayer(n) as unknown as { call: (...a: unknown[]) => unknown });
    let calls = 0;
    const origs = layers.map((l) => l.call);
    layers.forEach((l, i) => (l.call = (...a: unknown[]) => (calls++, origs[i]!.apply(l, a))));
    let fused: Awaited<ReturnType<typeof style.transfer>>, unfused: Awaited<ReturnType<typeof style.transfer>>;
    try {
      // during the loop the weights require no gradient and none is computed (backward skips gradFilter)
      let weightGrads = 0, steps = 0;
      fused = await style.transfer({ ...opts, onStep: () => { steps++; for (const p of net.parameters()) if (p.grad !== null || p.requiresGrad) weightGrads++; } });
      expect(steps).toBe(3);
      expect(weightGrads).toBe(0);
      expect(calls).toBe(0);
      setFusion(false);
      unfused = await style.transfer(opts);
      expect(calls).toBeGreaterThan(0);
    } finally {
      setFusion(true);
      layers.forEach((l, i) => (l.call = origs[i]!));
    }
    expect(net.parameters().map((p) => p.requiresGrad)).toEqual(flags);
    for (const p of net.parameters()) expect(p.grad).toBeNull();
    expect(fused.history).toHaveLength(4);
    fused.history.forEach((h, i) => {
      const u = unfused.history[i]!;
      for (const k of ["total", "content", "style"] as const) expect(Math.abs(h[k] - u[k])).toBeLessThanOrEqual(1e-6 + 1e-4 * Math.abs(u[k]));
    });
    expect(fused.history[3]!.total).toBeLessThan(fused.history[0]!.total);
    expectClose(fused.image, unfused.image, { atol: 1e-4, rtol: 0 });
  }, 60_000);
});
