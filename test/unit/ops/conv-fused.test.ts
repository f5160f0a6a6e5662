// Issue 19: a convolution with a fused bias + activation (`activation: "relu" | "relu6" |
// "leakyRelu"`, used by conv layers whose activation is one of them) must give the same bits as the
// unfused ops — conv, then the bias added, then cl.relu / cl.relu6 / cl.leakyRelu(·, α) — forward
// and backward (dx, dw, db), on the
// WASM kernels (epilogue in the arena, SIMD and scalar tails) and on the reference kernels; the
// relu6 op itself is checked on hand cases and by finite differences in float64.
import { describe, it, expect, afterAll } from "vitest";
import * as cl from "../../../src/index.js";
import { epilogue } from "../../../src/kernels/wasm/conv.js";
import { currentEngine } from "../../../src/kernels/accelerate.js";
import { applyEpilogue } from "../../../src/kernels/ts/epilogue.js";
import { kernel, kernelBackend, referenceKernels } from "../../../src/kernels/index.js";
import { Rng } from "../../../src/util/rng.js";
import type { Tensor } from "../../../src/index.js";

const bits = (t: Tensor | Float32Array): number[] => {
  const a = t instanceof Float32Array ? t : (t.data as Float32Array);
  return Array.from(new Int32Array(a.buffer, a.byteOffset, a.length));
};

type Act = "relu" | "relu6" | "leakyRelu";
const ALPHA = 0.1;
interface Case {
  name: string;
  x: number[];
  w: number[];
  op: (x: Tensor, w: Tensor, o: { bias?: Tensor; activation?: Act; alpha?: number }) => Tensor;
}

const CASES: Case[] = [
  { name: "conv2d 3×3 same, k = 8", x: [2, 7, 6, 3], w: [3, 3, 3, 8], op: (x, w, o) => cl.conv2d(x, w, { padding: "same", ...o }) },
  { name: "conv2d 5×5 valid, k = 6 (scalar tail)", x: [3, 9, 9, 1], w: [5, 5, 1, 6], op: (x, w, o) => cl.conv2d(x, w, o) },
  { name: "conv2d 1×1 stride 2, k = 16", x: [2, 8, 8, 5], w: [1, 1, 5, 16], op: (x, w, o) => cl.conv2d(x, w, { stride: 2, ...o }) },
  { name: "conv1d, k = 5", x: [2, 14, 2], w: [3, 2, 5], op: (x, w, o) => cl.conv1d(x, w, o) },
  { name: "conv3d, k = 4", x: [1, 5, 5, 5, 2], w: [3, 3, 3, 2, 4], op: (x, w, o) => cl.conv3d(x, w, o) },
  { name: "depthwise ×2, k = 6", x: [2, 6, 6, 3], w: [3, 3, 3, 2], op: (x, w, o) => cl.depthwiseConv2d(x, w, { padding: "same", ...o }) },
  { name: "conv2dTranspose, k = 3", x: [1, 4, 4, 5], w: [3, 3, 3, 5], op: (x, w, o) => cl.conv2dTranspose(x, w, { stride: 2, ...o }) },
];

const kOf = (c: Case, x: Tensor, w: Tensor): number => c.op(x, w, {}).shape.at(-1)!;

/** Inputs scaled so that a good share of the outputs falls below 0 and above 6. */
function inputs(c: Case, seed: number): { x: Tensor; w: Tensor; b: Tensor } {
  const x = cl.randn(c.x, { seed }).mul(3);
  const w = cl.randn(c.w, { seed: seed + 1 });
  const k = kOf(c, x, w);
  const b = cl.randn([k], { seed: seed + 2 });
  return { x, w, b };
}

/** Output and gradients of f(x, w, b) under the loss Σ y·r (r fixed random). */
function run(f: (x: Tensor, w: Tensor, b: Tensor) => Tensor, x0: Tensor, w0: Tensor, b0: Tensor, seed: number): Tensor[] {
  const x = x0.clone(), w = w0.clone(), b = b0.clone();
  for (const t of [x, w, b]) t.requiresGrad = true;
  const y = f(x, w, b);
  y.mul(cl.randn(y.shape, { seed })).sum().backward();
  return [y, x.grad!, w.grad!, b.grad!];
}

const activationOf = (a: Act): ((t: Tensor) => Tensor) => (a === "relu" ? cl.relu : a === "relu6" ? cl.relu6 : (t) => cl.leakyRelu(t, ALPHA));

function compareFusedUnfused(backend: string): void {
  for (const c of CASES)
    for (const act of ["relu", "relu6", "leakyRelu"] as const)
      it(`${c.name}, ${act} (${backend})`, () => {
        const { x, w, b } = inputs(c, 11);
        const fused = run((x, w, b) => c.op(x, w, { bias: b, activation: act, ...(act === "leakyRelu" ? { alpha: ALPHA } : {}) }), x, w, b, 5);
        const unfused = run((x, w, b) => activationOf(act)(c.op(x, w, { bias: b })), x, w, b, 5);
        const names = ["y", "dx", "dw", "db"];
        fused.forEach((t, i) => expect(bits(t), `${names[i]}`).toEqual(bits(unfused[i]!)));
        // the outputs cover both sides of every kink
        const y = fused[0]!.data;
        if (act === "leakyRelu") expect(y.some((v) => v < 0) && y.some((v) => v > 0)).toBe(true);
        else expect(y.some((v) => v === 0) && y.some((v) => v > 0 && v < 6)).toBe(true);
        if (act === "relu6") expect(y.some((v) => v === 6)).toBe(true);
      });
}

describe("fused conv + bias + activation = the unfused ops, bit for bit", () => {
  afterAll(() => void cl.useWasmKernels());
  it("runs on the WASM kernels by default", () => expect(cl.kernelBackend()).toMatch(/^wasm/));
  compareFusedUnfused("wasm");
  describe("reference kernels", () => {
    it("switches to the reference kernels", () => {
      cl.useReferenceKernels();
      expect(cl.kernelBackend()).toBe("ts");
    });
    compareFusedUnfused("ts");
  });
});

describe("the WASM epilogue on special values", () => {
  it("equals the reference epilogue (±0, ±Inf, NaN, 6 and its neighbours, subnormals; k multiple of 4 and not)", () => {
    const eng = currentEngine()!;
    const specials = [0, -0, Infinity, -Infinity, NaN, 6, 6.000001, 5.999999, -1e-45, 1e-45, 3, -3, 1e30, -1e30, -6.5];
    const rng = new Rng(3);
    for (const k of [1, 3, 4, 8, 12, 13])
      for (const act of ["linear", "relu", "relu6", "leakyRelu"] as const)
        for (const withBias of [false, true]) {
          const n = 11 * k;
          const x = new Float32Array(n).map((_, i) => (i % 3 === 2 ? rng.normal() * 5 : specials[i % specials.length]!));
          const bias = withBias ? new Float32Array(k).map((_, j) => (j % 3 === 1 ? -0 : 0.5 * j - 1)) : null;
          eng.reset();
          const at = eng.put(x, 0, n);
          epilogue(eng, at, n, k, { bias, act, alpha: 1 / 3 });
          const got = eng.f32.slice(at >> 2, (at >> 2) + n);
          const want = x.slice();
          applyEpilogue(want, k, { bias, act, alpha: 1 / 3 });
          const g = bits(got), w = bits(want);
          const bad = g.flatMap((v, i) => (v === w[i] || (Number.isNaN(got[i]) && Number.isNaN(want[i])) ? [] : [`[${i}] ${x[i]} → ${got[i]}, want ${want[i]}`]));
          expect(bad.slice(0, 4), `k ${k} ${act} bias ${withBias}`).toEqual([]);
        }
  });
});

describe("fused leaky ReLU: options and layers", () => {
  it("rejects alpha without leakyRelu, and a negative or non-finite slope", () => {
    const x = cl.randn([1, 4, 4, 2], { seed: 1 }), w = cl.randn([3, 3, 2, 3], { seed: 2 });
    expect(() => cl.conv2d(x, w, { alpha: 0.1 })).toThrow(/conv2d: opts.alpha is leakyRelu's slope, but the activation is "linear"/);
    expect(() => cl.conv2d(x, w, { activation: "leakyRelu", alpha: -0.1 })).toThrow(/conv2d: opts.alpha .*≥ 0/);
    expect(() => cl.conv2d(x, w, { activation: "leakyRelu", alpha: NaN })).toThrow(/conv2d: opts.alpha/);
  });
  it("defaults to cl.leakyRelu's slope 0.01, and conv layers with activation leakyRelu run it fused (one tape node)", () => {
    const x = cl.randn([2, 6, 6, 3], { seed: 4 }).mul(3), w = cl.randn([3, 3, 3, 8], { seed: 5 });
    expect(bits(cl.conv2d(x, w, { activation: "leakyRelu" }))).toEqual(bits(cl.leakyRelu(cl.conv2d(x, w))));
    const layer = cl.nn.conv2d({ filters: 8, size: 3, activation: "leakyRelu" });
    const xg = x.clone();
    xg.requiresGrad = true;
    const y = layer.call(xg);
    expect(y.node!.op).toBe("conv2d");
    const unfused = cl.leakyRelu(cl.conv2d(x, layer.weight("kernel"), { bias: layer.weight("bias") }));
    expect(bits(y)).toEqual(bits(unfused));
  });
});

describe("the WASM activation kernels", () => {
  const specials = [0, -0, Infinity, -Infinity, NaN, 6, 6.000001, 5.999999, -1e-45, 1e-45, 3, -3, 1e30, -1e30, -6.5];
  const data = (n: number, seed: number): Float32Array => {
    const rng = new Rng(seed);
    return new Float32Array(n).map((_, i) => (i % 3 === 2 ? rng.normal() * 5 : specials[(i * 7 + seed) % specials.length]!));
  };
  it("run on WASM", () => expect(kernelBackend()).toMatch(/^wasm/));
  it("relu and relu6 equal the reference bit for bit (NaN payloads too), any length", () => {
    for (const n of [1, 3, 4, 5, 17, 64, 1003])
      for (const act of ["relu", "relu6"] as const) {
        const x = data(n, n);
        const got = new Float32Array(n), want = new Float32Array(n);
        kernel("activation", "float32")(x, got, act);
        referenceKernels.activation(x, want, act);
        expect(bits(got), `${act} n ${n}`).toEqual(bits(want));
      }
  });
  it("their gradients (with and without the bias sum; k multiple of 4 and not) equal the reference bit for bit", () => {
    for (const k of [1, 3, 4, 8, 12])
      for (const act of ["relu", "relu6"] as const)
        for (const withDb of [false, true]) {
          const n = 7 * k;
          const dy = data(n, 2 * k + 1), ref = data(n, 3 * k);
          const dz = new Float32Array(n), dzRef = new Float32Array(n);
          const db = withDb ? new Float32Array(k) : null, dbRef = withDb ? new Float32Array(k) : null;
          kernel("activationGrad", "float32")(dy, ref, dz, k, db, act);
          referenceKernels.activationGrad(dy, ref, dzRef, k, dbRef, act);
          expect(bits(dz), `${act} k ${k}`).toEqual(bits(dzRef));
          if (db) {
            const same = Array.from(db).every((v, j) => Object.is(v, dbRef![j]) || (Number.isNaN(v) && Number.isNaN(dbRef![j])));
            expect(same, `db ${act} k ${k}: ${Array.from(db)} vs ${Array.from(dbRef!)}`).toBe(true);
          }
        }
  });
});

describe("relu6", () => {
  it("is min(max(x, 0), 6) with −0 and NaN kept; gradient 1 on (0, 6) only", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const x = cl.tensor([-1, -0, 0, 3, 6, 7, NaN, Infinity, -Infinity, 5.5], [10], { dtype });
      x.requiresGrad = true;
      const y = cl.relu6(x);
      const got = Array.from(y.data);
      expect(got.slice(0, 6)).toEqual([0, -0, 0, 3, 6, 6]);
      expect(Object.is(got[1], -0)).toBe(true);
      expect(Number.isNaN(got[6])).toBe(true);
      expect(got.slice(7)).toEqual([6, 0, 5.5]);
      y.sum().backward();
      expect(Array.from(x.grad!.data)).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
      expect(Array.from(x.relu6().data).slice(0, 6)).toEqual([0, -0, 0, 3, 6, 6]);
    }
  });
  it("float32 (bit masks) equals float64 (select) on random values", () => {
    const x = cl.randn([1000], { seed: 4 }).mul(5);
    const y32 = cl.relu6(x), y64 = cl.relu6(x.astype("float64"));
    expect(Array.from(y32.data)).toEqual(Array.from(y64.data));
  });
  it("passes a float64 gradcheck away from the kinks, fused and unfused", () => {
    const x = cl.tensor(Array.from({ length: 24 }, (_, i) => (i % 8) - 1.5 + 0.37 * (i % 3)), [1, 4, 6, 1], { dtype: "float64" });
    expect(cl.gradcheck((a) => cl.relu6(a!.mul(2)), [x]).ok).toBe(true);
    const w = cl.tensor([0.9, -0.4, 0.3, 1.1], [2, 2, 1, 1], { dtype: "float64" });
    const b = cl.tensor([0.05], [1], { dtype: "float64" });
    const r = cl.gradcheck((a, f, bb) => cl.conv2d(a!, f!, { bias: bb!, activation: "relu6" }), [x, w, b]);
    expect(r.ok).toBe(true);
    const r2 = cl.gradcheck((a, f, bb) => cl.conv2d(a!, f!, { bias: bb!, activation: "relu" }), [x, w, b]);
    expect(r2.ok).toBe(true);
  });
});

describe("fused activation arguments", () => {
  it("rejects an activation the op cannot fuse, naming the op and the option", () => {
    const x = cl.randn([1, 4, 4, 1]), w = cl.randn([3, 3, 1, 2]);
    expect(() => cl.conv2d(x, w, { activation: "tanh" as never })).toThrow(/conv2d: opts\.activation/);
    expect(() => cl.depthwiseConv2d(x, w.reshape([3, 3, 1, 2]), { activation: "sigmoid" as never })).toThrow(/depthwiseConv2d: opts\.activation/);
  });
  it("a conv layer with activation relu runs one fused op (no separate relu on the tape)", () => {
    const m = cl.nn.sequential([cl.nn.conv2d({ filters: 4, size: 3, activation: "relu" }), cl.nn.conv2d({ filters: 2, size: 1, activation: "relu6" })], { inputShape: [6, 6, 2], seed: 1 });
    const x = cl.randn([2, 6, 6, 2], { seed: 2 });
    const unfused = cl.relu6(cl.conv2d(cl.relu(cl.conv2d(x, m.layers[0]!.weight("kernel"), { bias: m.layers[0]!.weight("bias") })), m.layers[1]!.weight("kernel"), { bias: m.layers[1]!.weight("bias") }));
    expect(bits(m.predict(x) as Tensor)).toEqual(bits(unfused));
  });
});
