// Ops whose output their kernel overwrites take it unzeroed from the recycled arrays
// (allocateUnzeroed): an element they failed to write would show the array's old contents. Here
// the pool is filled with NaN arrays of every length the ops allocate, and each op — forward and
// gradients — must give the same bits as with a clean pool.
import { describe, it, expect, afterEach } from "vitest";
import * as cl from "../../src/index.js";
import { clearRecycled, recycle } from "../../src/tensor/pool.js";
import type { Tensor } from "../../src/index.js";

afterEach(() => clearRecycled());

const exact = (t: Tensor): string[] => Array.from(t.data, (v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : String(v)));

/** f's output and the gradients of Σ out·r with respect to its inputs. */
function run(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): string[][] {
  const xs = inputs.map((t) => {
    const c = t.clone();
    c.requiresGrad = true;
    return c;
  });
  const y = f(...xs);
  y.mul(cl.randn(y.shape, { seed: 99 })).sum().backward();
  return [exact(y), ...xs.map((x) => exact(x.grad!))];
}

function poison(lengths: number[]): void {
  for (const n of new Set(lengths)) for (let i = 0; i < 8; i++) recycle(new Float32Array(n).fill(NaN));
}

const r = (shape: number[], seed: number): Tensor => cl.randn(shape, { seed });
const CASES: [string, (...xs: Tensor[]) => Tensor, Tensor[]][] = [
  ["add, same shapes", (a, b) => cl.add(a!, b!), [r([8, 24, 32], 1), r([8, 24, 32], 2)]],
  ["add, a bias", (a, b) => cl.add(a!, b!), [r([8, 24, 32], 1), r([32], 2)]],
  ["sub, broadcasting", (a, b) => cl.sub(a!, b!), [r([8, 24, 32], 1), r([8, 1, 32], 2)]],
  ["mul by a scalar tensor", (a, b) => cl.mul(a!, b!), [r([8, 24, 32], 1), r([1], 2)]],
  ["div", (a, b) => cl.div(a!, b!.abs().add(0.5)), [r([8, 24, 32], 1), r([8, 24, 32], 2)]],
  ["Add layer of 3 and 5", (a, b, c) => cl.add(cl.nn.add().call([a!, b!, c!]), cl.nn.add().call([a!, b!, c!, a!, b!])), [r([8, 24, 32], 1), r([8, 24, 32], 2), r([8, 24, 32], 3)]],
  ["relu, relu6, leakyRelu", (a) => cl.add(cl.add(cl.relu(a!.mul(4)), cl.relu6(a!.mul(4))), cl.leakyRelu(a!, 0.1)), [r([8, 24, 32], 1)]],
  ["sigmoid, tanh", (a) => cl.add(cl.sigmoid(a!), cl.tanh(a!)), [r([8, 24, 32], 1)]],
  ["softmax, logSoftmax", (a) => cl.add(cl.softmax(a!, 1), cl.logSoftmax(a!, -1)), [r([8, 24, 32], 1)]],
  ["conv2d same + relu with a bias", (x, w, b) => cl.conv2d(x!, w!, { padding: "same", bias: b!, activation: "relu" }), [r([4, 16, 16, 3], 1), r([3, 3, 3, 16], 2), r([16], 3)]],
  ["conv2d valid stride 2", (x, w) => cl.conv2d(x!, w!, { stride: 2 }), [r([4, 17, 17, 8], 1), r([3, 3, 8, 16], 2)]],
  ["depthwise", (x, w) => cl.depthwiseConv2d(x!, w!, { padding: "same" }), [r([4, 16, 16, 16], 1), r([3, 3, 16, 1], 2)]],
  ["conv1d", (x, w) => cl.conv1d(x!, w!), [r([8, 130, 4], 1), r([5, 4, 8], 2)]],
  ["conv2dTranspose", (x, w) => cl.conv2dTranspose(x!, w!, { stride: 2 }), [r([2, 12, 12, 8], 1), r([3, 3, 16, 8], 2)]],
  ["batchNorm (training)", (x, g, b) => cl.batchNorm(x!, g!, b!, { training: true, runningMean: cl.zeros([8]), runningVar: cl.ones([8]) }), [r([8, 16, 16, 8], 1), r([8], 2), r([8], 3)]],
  ["dense + relu", (x, w, b) => cl.dense(x!, w!, b!, { activation: "relu" }), [r([64, 200], 1), r([200, 96], 2), r([96], 3)]],
];

describe("ops writing unzeroed outputs write all of them", () => {
  for (const [name, f, inputs] of CASES)
    it(name, () => {
      clearRecycled();
      const clean = run(f, inputs);
      const lengths = clean.map((a) => a.length).concat(inputs.map((t) => t.size));
      poison(lengths.flatMap((n) => [n, n * 2, n * 4, Math.ceil(n / 4), Math.ceil(n / 2)]));
      const dirty = run(f, inputs);
      dirty.forEach((a, i) => expect(a, i === 0 ? "output" : `gradient ${i}`).toEqual(clean[i]));
    });
});
