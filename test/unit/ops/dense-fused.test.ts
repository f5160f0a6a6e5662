// cl.dense with its bias and activation applied by the GEMM kernel (`{ activation }`, used by
// Dense layers whose activation is relu, relu6 or none) gives the bits of the unfused ops —
// matmul, add of the bias, then cl.relu / cl.relu6 — forward and backward (dx, dw, db), on the
// WASM kernels and on the reference kernels, float32 and float64; and a LeNet-5-like stack of
// Dense layers trains to the same weights as the unfused ops.
import { describe, it, expect, afterAll } from "vitest";
import * as cl from "../../../src/index.js";
import type { Tensor } from "../../../src/index.js";

const bits = (t: Tensor): number[] => {
  const a = t.data;
  return a instanceof Float32Array ? Array.from(new Int32Array(a.buffer, a.byteOffset, a.length)) : Array.from(new Int32Array(a.buffer, a.byteOffset, a.length * 2));
};

type Act = "linear" | "relu" | "relu6";
const SHAPES: [number, number, number][] = [[64, 400, 120], [64, 120, 84], [64, 84, 10], [5, 7, 3], [1, 9, 13], [17, 33, 1]];

/** Output and gradients of f(x, w, b) under the loss Σ y·r (r fixed random); specials in x. */
function run(f: (x: Tensor, w: Tensor, b: Tensor) => Tensor, [m, nIn, units]: [number, number, number], dtype: "float32" | "float64", withBias: boolean): Tensor[] {
  const x = cl.randn([m, nIn], { seed: 1, dtype }).mul(3);
  x.data[0] = -0;
  if (m * nIn > 8) x.data[7] = NaN;
  const w = cl.randn([nIn, units], { seed: 2, dtype }), b = cl.randn([units], { seed: 3, dtype });
  for (const t of [x, w, b]) t.requiresGrad = true;
  const y = f(x, w, b);
  y.mul(cl.randn(y.shape, { seed: 4, dtype })).sum().backward();
  return withBias ? [y, x.grad!, w.grad!, b.grad!] : [y, x.grad!, w.grad!];
}

const unfusedAct = (a: Act): ((t: Tensor) => Tensor) => (a === "relu" ? cl.relu : a === "relu6" ? cl.relu6 : (t) => t);

function compare(backend: string): void {
  for (const shape of SHAPES)
    for (const act of ["linear", "relu", "relu6"] as const)
      for (const dtype of ["float32", "float64"] as const)
        for (const withBias of [true, false])
          it(`[${shape}] ${act} ${dtype}${withBias ? "" : " no bias"} (${backend})`, () => {
            const fused = run((x, w, b) => cl.dense(x, w, withBias ? b : undefined, { activation: act }), shape, dtype, withBias);
            const unfused = run((x, w, b) => unfusedAct(act)(withBias ? cl.add(cl.matmul(x, w), b) : cl.matmul(x, w)), shape, dtype, withBias);
            const names = ["y", "dx", "dw", "db"];
            fused.forEach((t, i) => expect(bits(t), names[i]).toEqual(bits(unfused[i]!)));
          });
}

describe("fused dense + bias + activation = the unfused ops, bit for bit", () => {
  afterAll(() => void cl.useWasmKernels());
  it("runs on the WASM kernels by default", () => expect(cl.kernelBackend()).toMatch(/^wasm/));
  compare("wasm");
  describe("reference kernels", () => {
    it("switches to the reference kernels", () => {
      cl.useReferenceKernels();
      expect(cl.kernelBackend()).toBe("ts");
    });
    compare("ts");
  });
  it("rejects other activations", () => {
    cl.useWasmKernels();
    expect(() => cl.dense(cl.zeros([2, 3]), cl.zeros([3, 4]), undefined, { activation: "tanh" as "relu" })).toThrow(/dense: opts.activation must be/);
  });
});

describe("Dense layers on the fused op train as the unfused ops", () => {
  it("5 Adam steps of dense(120, relu) → dense(84, relu6) → dense(10) = matmul/add/relu/relu6 by hand: the same weights", () => {
    const x = cl.randn([64, 5, 5, 16], { seed: 9 });
    const labels = cl.tensor(Array.from({ length: 64 }, (_, i) => i % 10), [64]);
    const train = (forward: (params: Tensor[], model: cl.nn.Sequential) => Tensor): Tensor[] => {
      const model = cl.nn.sequential([
        cl.nn.dense({ units: 120, activation: "relu" }),
        cl.nn.dense({ units: 84, activation: "relu6" }),
        cl.nn.dense({ units: 10 }),
      ], { inputShape: [5, 5, 16], seed: 3 });
      const opt = cl.train.adam({ lr: 1e-2 });
      const params = model.trainableParameters();
      for (let i = 0; i < 5; i++) {
        for (const p of params) p.grad = null;
        cl.softmaxCrossEntropy(forward(params, model), labels).backward();
        opt.step(params);
      }
      return params;
    };
    const fused = train((_, model) => model.forward(x, { training: true }));
    const byHand = train(([w1, b1, w2, b2, w3, b3]) => {
      const h1 = cl.relu(cl.add(cl.matmul(cl.reshape(x, [64, 400]), w1!), b1!));
      const h2 = cl.relu6(cl.add(cl.matmul(h1, w2!), b2!));
      return cl.add(cl.matmul(h2, w3!), b3!);
    });
    expect(fused.map((p) => p.shape)).toEqual([[400, 120], [120], [120, 84], [84], [84, 10], [10]]);
    fused.forEach((p, i) => expect(bits(p), `parameter ${i}`).toEqual(bits(byHand[i]!)));
  });
});
