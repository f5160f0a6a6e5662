// Issue 19: inference fusion. Without autograd, a graph run folds conv → batch-norm (inference)
// → relu/relu6 chains into one convolution op (nn/fusion.ts). Checked here: the values equal the
// unfused layers' within float32 rounding (float64: 1e-12), the batch-norm and activation layers
// are really skipped, and nothing is fused when an inner tensor is asked for or when a
// batch-norm uses batch statistics; under autograd a batch-norm folds only when none of its
// weights (nor the conv's bias) needs a gradient, and the gradients equal the unfused layers'.
import { describe, it, expect, afterEach } from "vitest";
import * as cl from "../../../src/index.js";
import { setFusion } from "../../../src/nn/fusion.js";
import { expectClose } from "../helpers.js";
import type { Tensor } from "../../../src/index.js";

const bits = (t: Tensor): number[] => Array.from(t.data);

/** conv(bias) → bn → relu6 ; depthwise → bn → relu ; conv → relu layer ; conv → bn ; conv (own relu) → dense. */
function net(seed = 1): cl.nn.Model {
  const x = cl.nn.input([9, 9, 3]);
  let h = cl.nn.conv2d({ filters: 8, size: 3, padding: "same", name: "c1" }).apply(x);
  h = cl.nn.batchNorm({ name: "bn1", eps: 1e-3 }).apply(h);
  h = cl.nn.activation("relu6", { name: "r1" }).apply(h);
  h = cl.nn.depthwiseConv2d({ size: 3, stride: 2, padding: "same", useBias: false, name: "dw" }).apply(h);
  h = cl.nn.batchNorm({ name: "bn2" }).apply(h);
  h = cl.nn.activation(cl.relu, { name: "r2" }).apply(h);
  h = cl.nn.conv2d({ filters: 6, size: 1, name: "pw" }).apply(h);
  h = cl.nn.relu({ name: "r3" }).apply(h);
  h = cl.nn.conv2d({ filters: 5, size: 3, name: "c4" }).apply(h);
  h = cl.nn.batchNorm({ name: "bn4" }).apply(h);
  h = cl.nn.conv2d({ filters: 4, size: 1, activation: "relu", name: "c5" }).apply(h);
  h = cl.nn.flatten().apply(h);
  h = cl.nn.dense({ units: 3, name: "out" }).apply(h);
  const m = cl.nn.model({ inputs: x, outputs: h, seed });
  // trained-looking statistics, so the fold is not an identity
  for (const [i, name] of ["bn1", "bn2", "bn4"].entries()) {
    const l = m.getLayer(name);
    const c = l.weight("gamma").size;
    l.assignWeight("gamma", cl.rand([c], { seed: 10 + i }).mul(1.5).add(0.25));
    l.assignWeight("beta", cl.randn([c], { seed: 20 + i }));
    l.assignWeight("runningMean", cl.randn([c], { seed: 30 + i }).mul(0.5));
    l.assignWeight("runningVar", cl.rand([c], { seed: 40 + i }).mul(2).add(0.1));
  }
  return m;
}

/** Counts the calls of the named layers' compute while `fn` runs. */
function countCalls(m: cl.nn.Model, names: string[], fn: () => unknown): number {
  let n = 0;
  const restore = names.map((name) => {
    const l = m.getLayer(name) as unknown as { call: (...a: unknown[]) => unknown };
    const orig = l.call;
    l.call = (...a: unknown[]) => {
      n++;
      return orig.apply(l, a);
    };
    return () => (l.call = orig);
  });
  try {
    fn();
  } finally {
    restore.forEach((r) => r());
  }
  return n;
}

const SKIPPED = ["bn1", "r1", "bn2", "r2", "r3", "bn4"];

describe("inference fusion (conv → batch-norm → relu/relu6)", () => {
  afterEach(() => setFusion(true));
  const x = cl.randn([4, 9, 9, 3], { seed: 5 });

  it("predict skips the folded layers and equals the unfused run within float32 rounding", () => {
    const m = net();
    let fused!: Tensor, unfused!: Tensor;
    expect(countCalls(m, SKIPPED, () => (fused = m.predict(x) as Tensor))).toBe(0);
    setFusion(false);
    expect(countCalls(m, SKIPPED, () => (unfused = m.predict(x) as Tensor))).toBe(SKIPPED.length);
    expectClose(fused, unfused, { atol: 1e-5, rtol: 1e-5 });
    expect(bits(fused)).not.toEqual(new Array(fused.size).fill(0));
  });

  it("float64: equal to 1e-12", () => {
    const m = net().setDtype("float64");
    const x64 = x.astype("float64");
    const fused = m.predict(x64) as Tensor;
    setFusion(false);
    const unfused = m.predict(x64) as Tensor;
    expectClose(fused, unfused, { atol: 1e-12, rtol: 1e-12 });
  });

  it("is exact where nothing is reassociated (conv + relu layer: the same bits)", () => {
    const xi = cl.nn.input([6, 6, 2]);
    let h = cl.nn.conv2d({ filters: 4, size: 3, name: "c" }).apply(xi);
    h = cl.nn.activation("relu6", { name: "r" }).apply(h);
    const m = cl.nn.model({ inputs: xi, outputs: h, seed: 2 });
    const xs = cl.randn([2, 6, 6, 2], { seed: 3 }).mul(4);
    const fused = m.predict(xs) as Tensor;
    setFusion(false);
    expect(bits(fused)).toEqual(bits(m.predict(xs) as Tensor));
  });

  it("keeps a tensor that is asked for: an inner layer's features are computed by that layer", () => {
    const m = net();
    let f!: Record<string, Tensor>;
    // bn2's output is wanted: the chain dw → bn2 may end there (bn2 folded, its output the fused op's),
    // but r2 cannot join it (that would fuse the wanted tensor away): r2 runs; bn1 and r1 still fold
    expect(countCalls(m, ["r2"], () => (f = m.features(x, ["bn2", "r3"])))).toBe(1);
    expect(countCalls(m, ["bn1", "r1", "bn2"], () => m.features(x, ["bn2", "r3"]))).toBe(0);
    setFusion(false);
    const g = m.features(x, ["bn2", "r3"]);
    expectClose(f["bn2"]!, g["bn2"]!, { atol: 1e-5, rtol: 1e-5 });
    expectClose(f["r3"]!, g["r3"]!, { atol: 1e-5, rtol: 1e-5 });
    // with nothing folded upstream of it, the wanted tensor has the unfused bits
    setFusion(true);
    const xi = cl.nn.input([5, 5, 2]);
    const c = cl.nn.conv2d({ filters: 3, size: 3, name: "c" }).apply(xi);
    const b = cl.nn.batchNorm({ name: "b" }).apply(c);
    const m2 = cl.nn.model({ inputs: xi, outputs: cl.nn.relu({ name: "r" }).apply(b), seed: 4 });
    const xs = cl.randn([2, 5, 5, 2], { seed: 6 });
    const fc = m2.features(xs, ["c"]);
    setFusion(false);
    expect(bits(fc["c"]!)).toEqual(bits(m2.features(xs, ["c"])["c"]!));
  });

  it("under autograd with trainable weights: batch-norms are not folded, and every gradient equals the unfused run's", () => {
    const m = net().setDtype("float64");
    const x64 = x.astype("float64");
    const run = (): { y: Tensor; dx: Tensor; grads: Tensor[] } => {
      for (const p of m.parameters()) p.grad = null;
      const xr = x64.clone().requireGrad();
      const y = m.forward(xr, { training: false }) as Tensor;
      y.square().sum().backward();
      return { y, dx: xr.grad!, grads: m.parameters().map((p) => p.grad!) };
    };
    let fused!: ReturnType<typeof run>;
    // the batch-norms and the activations after them run; only r3 (after a conv without a batch-norm) fuses
    expect(countCalls(m, SKIPPED, () => (fused = run()))).toBe(SKIPPED.length - 1);
    expect(countCalls(m, ["r3"], () => run())).toBe(0);
    expect(fused.y.requiresGrad).toBe(true);
    setFusion(false);
    const unfused = run();
    expectClose(fused.y, unfused.y, { atol: 0, rtol: 0 });
    expectClose(fused.dx, unfused.dx, { atol: 1e-12, rtol: 1e-12 });
    expect(fused.grads.length).toBe(unfused.grads.length);
    fused.grads.forEach((g, i) => {
      expect(g, `grad of parameter ${i}`).not.toBeNull();
      expectClose(g, unfused.grads[i]!, { atol: 1e-12, rtol: 1e-12 });
    });
  });

  it("under autograd through a frozen network: everything folds, the input gradient equals the unfused one and finite differences (float64)", () => {
    const m = net().setDtype("float64");
    m.freeze();
    for (const p of m.parameters()) expect(p.requiresGrad).toBe(false);
    const x64 = cl.randn([1, 9, 9, 3], { seed: 8, dtype: "float64" });
    const objective = (t: Tensor): Tensor => (m.forward(t, { training: false }) as Tensor).square().sum();
    const dx = (): Tensor => {
      const xr = x64.clone().requireGrad();
      objective(xr).backward();
      return xr.grad!;
    };
    let fused!: Tensor;
    expect(countCalls(m, SKIPPED, () => (fused = dx()))).toBe(0);
    const r = cl.gradcheck(objective, [x64], { atol: 1e-7, rtol: 1e-5 });
    expect(r.failures).toEqual([]);
    setFusion(false);
    let unfused!: Tensor;
    expect(countCalls(m, SKIPPED, () => (unfused = dx()))).toBe(SKIPPED.length);
    expectClose(fused, unfused, { atol: 1e-12, rtol: 1e-10 });
    for (const p of m.parameters()) expect(p.grad).toBeNull();
  });

  it("a frozen batch-norm folds under autograd while the conv's kernel still trains (its gradient equals the unfused one)", () => {
    const m = net().setDtype("float64");
    for (const n of ["bn1", "bn2", "bn4"]) m.getLayer(n).trainable = false;
    // c1 and c4 have biases that would be folded into the shift: freeze them, keep the kernels trainable
    for (const n of ["c1", "c4"]) m.getLayer(n).weight("bias").requiresGrad = false;
    const x64 = x.astype("float64");
    const run = (): Tensor[] => {
      for (const p of m.parameters()) p.grad = null;
      (m.forward(x64, { training: false }) as Tensor).square().sum().backward();
      return ["c1", "dw", "c4"].map((n) => m.getLayer(n).weight("kernel").grad!);
    };
    let fused!: Tensor[];
    expect(countCalls(m, SKIPPED, () => (fused = run()))).toBe(0);
    setFusion(false);
    const unfused = run();
    fused.forEach((g, i) => expectClose(g, unfused[i]!, { atol: 1e-12, rtol: 1e-10 }));
    // a bias that needs its gradient keeps its batch-norm unfolded
    setFusion(true);
    m.getLayer("c1").weight("bias").requiresGrad = true;
    expect(countCalls(m, ["bn1", "r1"], () => run())).toBe(2);
    expect(m.getLayer("c1").weight("bias").grad).not.toBeNull();
  });

  it("does not fold a batch-norm that uses batch statistics (training mode without autograd)", () => {
    const m = net();
    const before = Array.from(m.getLayer("bn1").weight("runningMean").data);
    let calls = 0;
    cl.noGrad(() => (calls = countCalls(m, ["bn1", "bn2", "bn4"], () => m.forward(x, { training: true }))));
    expect(calls).toBe(3);
    expect(Array.from(m.getLayer("bn1").weight("runningMean").data)).not.toEqual(before);
  });

  it("folds a frozen batch-norm (inference = true) even in training mode", () => {
    const m = net();
    (m.getLayer("bn1") as unknown as { inference: boolean }).inference = true;
    let calls = 0;
    cl.noGrad(() => (calls = countCalls(m, ["bn1"], () => m.forward(x, { training: true }))));
    expect(calls).toBe(0);
  });

  it("rejects a scale of the wrong shape, naming the op", () => {
    expect(() => cl.conv2d(cl.randn([1, 4, 4, 1]), cl.randn([3, 3, 1, 2]), { scale: cl.ones([3]) } as never)).toThrow(/conv2d: scale has shape \[3\]/);
  });
});
