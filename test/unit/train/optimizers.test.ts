// Optimizer steps: hand-computed updates of PyTorch's rules, and several steps next to
// @tensorflow/tfjs's optimizers (CPU backend) fed the same gradients.
import { describe, it, expect, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

beforeAll(async () => {
  await tf.setBackend("cpu");
});

/** A parameter p with a given gradient, as backward leaves it. */
function param(values: number[], grad: number[], dtype: "float32" | "float64" = "float64"): cl.Tensor {
  const p = cl.tensor(values, [values.length], { dtype, requiresGrad: true });
  p.grad = cl.tensor(grad, [grad.length], { dtype });
  return p;
}

describe("optimizer steps by hand (p = [1, 2], g = [0.5, -1], lr = 0.1)", () => {
  it("sgd: p − lr·g", () => {
    const p = param([1, 2], [0.5, -1]);
    cl.train.sgd({ lr: 0.1 }).step([p]);
    expectClose(p, [0.95, 2.1], { atol: 1e-15, rtol: 0 });
  });
  it("sgd with weight decay adds wd·p to the gradient", () => {
    const p = param([1, 2], [0.5, -1]);
    cl.train.sgd({ lr: 0.1, weightDecay: 0.5 }).step([p]); // g' = [1, 0]
    expectClose(p, [0.9, 2], { atol: 1e-15, rtol: 0 });
  });
  it("sgd momentum 0.9: b = g, then b = 0.9·b + g (PyTorch)", () => {
    const p = param([1, 2], [0.5, -1]);
    const opt = cl.train.sgd({ lr: 0.1, momentum: 0.9 });
    opt.step([p]); // b = g → p = [0.95, 2.1]
    opt.step([p]); // b = 1.9·g → p −= 0.19·g
    expectClose(p, [0.95 - 0.095, 2.1 + 0.19], { atol: 1e-15, rtol: 0 });
    expect(opt.steps).toBe(2);
  });
  it("sgd nesterov: p −= lr·(g + μ·b)", () => {
    const p = param([1, 2], [0.5, -1]);
    const opt = cl.train.sgd({ lr: 0.1, momentum: 0.9, nesterov: true });
    opt.step([p]); // b = g, step 1.9·g
    opt.step([p]); // b = 1.9·g, step g + 1.71·g = 2.71·g
    expectClose(p, [1 - 0.1 * 0.5 * (1.9 + 2.71), 2 + 0.1 * (1.9 + 2.71)], { atol: 1e-14, rtol: 0 });
  });
  it("momentum (the course's form): v = β·v + (1 − β)·g, p −= lr·v", () => {
    const p = param([1, 2], [0.5, -1]);
    const opt = cl.train.momentum({ lr: 0.1, beta: 0.9 });
    opt.step([p]); // v = 0.1·g
    opt.step([p]); // v = 0.19·g
    expectClose(p, [1 - 0.1 * 0.29 * 0.5, 2 + 0.1 * 0.29], { atol: 1e-15, rtol: 0 });
  });
  it("rmsprop: s = ρ·s + (1 − ρ)·g², p −= lr·g/(√s + ε)", () => {
    const p = param([1, 2], [0.5, -1]);
    cl.train.rmsprop({ lr: 0.1, rho: 0.99, eps: 1e-8 }).step([p]); // √s = 0.1·|g|
    expectClose(p, [1 - (0.1 * 0.5) / (0.05 + 1e-8), 2 + 0.1 / (0.1 + 1e-8)], { atol: 1e-12, rtol: 0 });
  });
  it("adam: the first step is lr·g/(|g| + ε) (bias correction), the second follows the moments", () => {
    const p = param([1, 2], [0.5, -1]);
    const opt = cl.train.adam({ lr: 0.1 });
    opt.step([p]);
    expectClose(p, [1 - 0.1 * (0.5 / (0.5 + 1e-8)), 2 + 0.1 * (1 / (1 + 1e-8))], { atol: 1e-14, rtol: 0 });
    p.grad = cl.tensor([1, 1], [2], { dtype: "float64" });
    opt.step([p]);
    // m = 0.9·0.1·g1 + 0.1·g2, v = 0.999·0.001·g1² + 0.001·g2²; m̂ = m/0.19, v̂ = v/(1 − 0.999²)
    const g1 = [0.5, -1], after1 = [1 - 0.1 * (0.5 / (0.5 + 1e-8)), 2 + 0.1 * (1 / (1 + 1e-8))];
    const want = after1.map((q, i) => {
      const m = 0.09 * g1[i]! + 0.1, v = 0.000999 * g1[i]! ** 2 + 0.001;
      return q - (0.1 * (m / 0.19)) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-8);
    });
    expectClose(p, want, { atol: 1e-14, rtol: 0 });
  });
  it("skips parameters without a gradient and zeroGrad clears the last step's", () => {
    const a = param([1, 2], [0.5, -1]);
    const b = cl.tensor([3], [1], { requiresGrad: true });
    const opt = cl.train.adam({ lr: 0.1, params: [a, b] });
    opt.step();
    expect(Array.from(b.data)).toEqual([3]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });
});

describe("optimizers against @tensorflow/tfjs over 6 steps (same gradients, float32)", () => {
  // g(w) = 2·c·(w − t) + 0.3·w²: a gradient that changes with w (and sign)
  const t0 = [0.5, -1.5, 2, 0.1, -0.3, 1.2];
  const c = [1, 0.5, 2, 3, 0.1, 1.5];
  const grad = (w: ArrayLike<number>): number[] => Array.from(w, (wi, i) => 2 * c[i]! * (wi - t0[i]!) + 0.3 * wi * wi);
  const w0 = [0.3, 0.8, -1, 1.5, 0.05, -2];

  function run(ours: cl.train.Optimizer, theirs: tf.Optimizer): void {
    const p = cl.tensor(w0, [6], { requiresGrad: true });
    const v = tf.variable(tf.tensor1d(w0), true, "w");
    for (let s = 0; s < 6; s++) {
      p.grad = cl.tensor(grad(p.data), [6]);
      ours.step([p]);
      const g = grad(v.dataSync());
      theirs.applyGradients({ w: tf.tensor1d(g) });
      expectClose(p, v.dataSync(), { atol: 1e-6, rtol: 1e-5 });
    }
    v.dispose();
  }

  it("sgd", () => run(cl.train.sgd({ lr: 0.05 }), tf.train.sgd(0.05)));
  it("sgd momentum (tf.train.momentum)", () => run(cl.train.sgd({ lr: 0.05, momentum: 0.9 }), tf.train.momentum(0.05, 0.9)));
  it("sgd nesterov (tf.train.momentum useNesterov)", () => run(cl.train.sgd({ lr: 0.05, momentum: 0.8, nesterov: true }), tf.train.momentum(0.05, 0.8, true)));
  // tfjs puts ε under the root (√(s + ε)); with ε = 1e-10 the two forms agree to float32 precision
  it("rmsprop", () => run(cl.train.rmsprop({ lr: 0.01, rho: 0.9, eps: 1e-10 }), tf.train.rmsprop(0.01, 0.9, 0, 1e-10)));
  it("adam", () => run(cl.train.adam({ lr: 0.02, beta1: 0.8, beta2: 0.99 }), tf.train.adam(0.02, 0.8, 0.99, 1e-8)));
});

describe("optimizer options", () => {
  it("rejects bad hyperparameters naming the optimizer", () => {
    expect(() => cl.train.adam({ lr: 0 })).toThrow(/adam: lr must be a positive number, got 0/);
    expect(() => cl.train.sgd({ lr: 0.1, momentum: 1.5 })).toThrow(/sgd: momentum must be in \[0, 1\), got 1.5/);
    expect(() => cl.train.sgd({ lr: 0.1, nesterov: true })).toThrow(/sgd: nesterov needs momentum > 0/);
    expect(() => cl.train.rmsprop({ lr: 0.1, rho: -1 })).toThrow(/rmsprop: rho must be in \[0, 1\)/);
    expect(() => cl.train.momentum({ lr: 0.1, beta: 1 })).toThrow(/momentum: beta must be in \[0, 1\)/);
  });
});
