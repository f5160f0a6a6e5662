// Every week-1 worked number of COURSE.md that is an op, through the public API.
import { describe, it, expect } from "vitest";
import * as cl from "../../src/index.js";
import { expectClose } from "./helpers.js";

const f64 = { dtype: "float64" as const };
/** A 2-D image as a batch of one single-channel image [1, n, n, 1]. */
const img = (rows: number[][], dtype: "float32" | "float64" = "float32") => cl.tensor(rows, undefined, { dtype }).reshape([1, rows.length, rows[0]!.length, 1]);
/** A 2-D filter as [f, f, 1, 1]. */
const filt = (t: cl.Tensor) => t.reshape([t.shape[0]!, t.shape[1]!, 1, 1]);
/** The 2-D result of a single-image, single-channel op. */
const plane = (t: cl.Tensor) => t.reshape([t.shape[1]!, t.shape[2]!]).toArray();

const SIX = [[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3], [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]];
const SIX_VERTICAL = [[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]];
const STEP = Array.from({ length: 6 }, () => [10, 10, 10, 0, 0, 0]);
const MIRRORED = Array.from({ length: 6 }, () => [0, 0, 0, 10, 10, 10]);

describe("week 1: edge detection", () => {
  it("6×6 ∗ vertical → [[-5,-4,0,8],[-10,-2,2,3],[0,-2,-4,-7],[-3,-2,-3,-16]]", () => {
    expect(plane(cl.conv2d(img(SIX), filt(cl.filters.vertical)))).toEqual(SIX_VERTICAL);
  });
  it("left half 10, right half 0 ∗ vertical → every row [0,30,30,0]; mirrored → [0,-30,-30,0]", () => {
    expect(plane(cl.conv2d(img(STEP), filt(cl.filters.vertical)))).toEqual(Array(4).fill([0, 30, 30, 0]));
    expect(plane(cl.conv2d(img(MIRRORED), filt(cl.filters.vertical)))).toEqual(Array(4).fill([0, -30, -30, 0]));
  });
  it("horizontal (the transpose) finds the same edge in the transposed image", () => {
    const transposed = STEP[0]!.map((_, j) => STEP.map((row) => row[j]!));
    expect(plane(cl.conv2d(img(transposed), filt(cl.filters.horizontal)))).toEqual(Array(4).fill(null).map((_, i) => Array(4).fill([0, 30, 30, 0][i])));
  });
  it("Sobel and Scharr on the step edge: every column is constant, so the response is (sum of the left column)·10", () => {
    expect(plane(cl.conv2d(img(STEP), filt(cl.filters.sobel)))).toEqual(Array(4).fill([0, 40, 40, 0]));
    expect(plane(cl.conv2d(img(STEP), filt(cl.filters.scharr)))).toEqual(Array(4).fill([0, 160, 160, 0]));
  });
  it("a learned 3×3 filter: gradient descent on 9 weights recovers the vertical filter", () => {
    const x = cl.randn([8, 8, 8, 1], { seed: 1, ...f64 });
    const target = cl.conv2d(x, filt(cl.filters.vertical).astype("float64"));
    const w = cl.zeros([3, 3, 1, 1], { ...f64, requiresGrad: true });
    for (let step = 0; step < 200; step++) {
      w.zeroGrad();
      cl.mse(cl.conv2d(x, w), target).backward();
      for (let i = 0; i < 9; i++) w.data[i]! -= 0.3 * w.grad!.data[i]!;
    }
    expectClose(w.reshape([3, 3]), [[1, 0, -1], [1, 0, -1], [1, 0, -1]], { atol: 1e-4, rtol: 0 });
  });
});

describe("week 1: padding and strides", () => {
  it("output n + 2p − f + 1: valid (p = 0) and same (p = (f − 1)/2 for odd f)", () => {
    const x = cl.zeros([1, 6, 6, 1]);
    expect(cl.conv2d(x, cl.zeros([3, 3, 1, 1])).shape).toEqual([1, 4, 4, 1]);
    expect(cl.conv2d(x, cl.zeros([3, 3, 1, 1]), { padding: 1 }).shape).toEqual([1, 6, 6, 1]);
    for (const f of [1, 3, 5, 7]) {
      const p = (f - 1) / 2;
      const a = cl.randn([1, 6, 6, 1], { seed: f }), w = cl.randn([f, f, 1, 1], { seed: 10 + f });
      const same = cl.conv2d(a, w, { padding: "same" });
      expect(same.shape).toEqual([1, 6, 6, 1]);
      expect(Array.from(same.data)).toEqual(Array.from(cl.conv2d(a, w, { padding: p }).data));
      expect(cl.outputSize(6, f, { padding: p })).toBe(6 + 2 * p - f + 1);
    }
  });
  it("7×7 ∗ [[3,4,4],[1,0,2],[-1,0,3]] with s = 2 → [[91,100,88],[69,91,117],[44,72,74]]", () => {
    const x = img([[2, 3, 7, 4, 6, 2, 9], [6, 6, 9, 8, 7, 4, 3], [3, 4, 8, 3, 8, 9, 7], [7, 8, 3, 6, 6, 3, 4], [4, 2, 1, 8, 3, 4, 6], [3, 2, 4, 1, 9, 8, 3], [0, 1, 3, 9, 2, 1, 4]]);
    const w = filt(cl.tensor([[3, 4, 4], [1, 0, 2], [-1, 0, 3]]));
    expect(plane(cl.conv2d(x, w, { stride: 2 }))).toEqual([[91, 100, 88], [69, 91, 117], [44, 72, 74]]);
    expect(cl.outputSize(7, 3, { stride: 2 })).toBe(3); // floor((7 + 0 − 3)/2 + 1)
  });
});

describe("week 1: cross-correlation vs true convolution", () => {
  const x = img(SIX, "float64");
  const k1 = cl.tensor([[1, 2, 0], [0, -1, 3], [2, 0, 1]], undefined, f64);
  const k2 = cl.tensor([[0, 1], [4, -2]], undefined, f64);
  /** The full composition of two kernels with `op`: k1 padded by f2 − 1 on every side, then op with k2. */
  const compose = (op: typeof cl.conv2d) => op(cl.pad(k1, [[1, 1], [1, 1]]).reshape([1, 5, 5, 1]), filt(k2)).reshape([4, 4]);

  /**
   * The textbook definition, independent of any flip: the full convolution
   * (x ∗ k)[i][j] = Σ_u Σ_v x[u][v]·k[i − u][j − v], of which "valid" keeps i, j ∈ [f − 1, n − 1].
   */
  function convolveByDefinition(xs: number[][], ks: number[][]): number[][] {
    const n = xs.length, f = ks.length;
    const out: number[][] = [];
    for (let i = f - 1; i < n; i++) {
      const row: number[] = [];
      for (let j = f - 1; j < n; j++) {
        let sum = 0;
        for (let u = 0; u < n; u++)
          for (let v = 0; v < n; v++) {
            const ki = i - u, kj = j - v;
            if (ki >= 0 && ki < f && kj >= 0 && kj < f) sum += xs[u]![v]! * ks[ki]![kj]!;
          }
        row.push(sum);
      }
      out.push(row);
    }
    return out;
  }
  const K1 = [[1, 2, 0], [0, -1, 3], [2, 0, 1]];

  it("true convolution = the textbook sum Σ x[u][v]·k[i−u][j−v], with a filter that tells a one-axis flip from a two-axis flip", () => {
    const want = convolveByDefinition(SIX, K1);
    expect(plane(cl.convolve2d(x, filt(k1)))).toEqual(want);
    // negative controls: flipping one axis only, or none (cross-correlation), gives other numbers with this filter
    for (const axes of [[0], [1]] as const) expect(plane(cl.conv2d(x, filt(cl.flip(k1, [...axes]))))).not.toEqual(want);
    expect(plane(cl.conv2d(x, filt(k1)))).not.toEqual(want);
  });
  it("the vertical filter rotated 180° is its negative: true convolution gives the course's map negated", () => {
    expect(plane(cl.convolve2d(img(SIX), filt(cl.filters.vertical)))).toEqual(SIX_VERTICAL.map((r) => r.map((v) => -v || 0)));
    expect(plane(cl.convolve2d(img(SIX), filt(cl.filters.vertical)))).toEqual(convolveByDefinition(SIX, [[1, 0, -1], [1, 0, -1], [1, 0, -1]]).map((r) => r.map((v) => v || 0)));
  });
  it("associativity (x ∗ k1) ∗ k2 = x ∗ (k1 ∗ k2) holds for the true convolution", () => {
    const lhs = cl.convolve2d(cl.convolve2d(x, filt(k1)), filt(k2));
    const rhs = cl.convolve2d(x, filt(compose(cl.convolve2d)));
    expectClose(lhs, rhs, { atol: 1e-9, rtol: 0 });
  });
  it("and fails for cross-correlation", () => {
    const lhs = cl.conv2d(cl.conv2d(x, filt(k1)), filt(k2));
    const rhs = cl.conv2d(x, filt(compose(cl.conv2d)));
    expect(lhs.shape).toEqual(rhs.shape);
    const diff = cl.sub(lhs, rhs).abs().max().item();
    expect(diff).toBeGreaterThan(1);
  });
});

describe("week 1: convolutions over volumes and one layer", () => {
  const vol = cl.stack([cl.tensor(SIX), cl.tensor(SIX).mul(2), cl.zeros([6, 6])], 2).reshape([1, 6, 6, 3]);
  it("6×6×3 ∗ 3×3×3 → 4×4: a filter on the first channel only sees that channel", () => {
    const w = cl.stack([cl.filters.vertical, cl.zeros([3, 3]), cl.zeros([3, 3])], 2).reshape([3, 3, 3, 1]);
    const y = cl.conv2d(vol, w);
    expect(y.shape).toEqual([1, 4, 4, 1]);
    expect(plane(y)).toEqual(SIX_VERTICAL);
    // the same vertical filter on every channel sums the channels: (1 + 2 + 0)·result
    const all = cl.stack([cl.filters.vertical, cl.filters.vertical, cl.filters.vertical], 2).reshape([3, 3, 3, 1]);
    expect(plane(cl.conv2d(vol, all))).toEqual(SIX_VERTICAL.map((r) => r.map((v) => 3 * v)));
  });
  it("two filters (vertical, horizontal) → 4×4×2", () => {
    const asVolume = (f: cl.Tensor) => cl.stack([f, cl.zeros([3, 3]), cl.zeros([3, 3])], 2); // [3,3,3]
    const w = cl.stack([asVolume(cl.filters.vertical), asVolume(cl.filters.horizontal)], 3); // [3,3,3,2]
    const y = cl.conv2d(vol, w);
    expect(y.shape).toEqual([1, 4, 4, 2]);
    expect(y.slice([0, 0, 0, 0], [1, 4, 4, 1]).reshape([4, 4]).toArray()).toEqual(SIX_VERTICAL);
    expect(y.slice([0, 0, 0, 1], [1, 4, 4, 1]).reshape([4, 4]).toArray()).toEqual(plane(cl.conv2d(img(SIX), filt(cl.filters.horizontal))));
  });
  it("z = W ∗ a + b, a = relu(z): 10 filters of 3×3×3 are 280 parameters whatever the input size", () => {
    for (const n of [6, 39, 100]) {
      // the layer builds its own weights for each input size: count what it built
      const layer = cl.nn.sequential([cl.nn.conv2d({ filters: 10, size: 3, activation: "relu" })], { inputShape: [n, n, 3], seed: n });
      const params = layer.parameters();
      expect(params.map((p) => p.shape)).toEqual([[3, 3, 3, 10], [10]]);
      expect(params.reduce((s, p) => s + p.size, 0)).toBe(280);
      // and the layer is z = W ∗ a + b, a = relu(z), through the ops with those weights
      const x = cl.randn([1, n, n, 3], { seed: 100 + n });
      const a = cl.relu(cl.conv2d(x, params[0]!, { bias: params[1]! }));
      expect(a.shape).toEqual([1, n - 2, n - 2, 10]);
      expectClose(layer.predict(x), a, { atol: 1e-6, rtol: 1e-5 });
    }
  });
  it("simple ConvNet: 39×39×3 → 37×37×10 → 17×17×20 → 7×7×40 → flatten 1960", () => {
    let a = cl.randn([1, 39, 39, 3], { seed: 3 });
    a = cl.relu(cl.conv2d(a, cl.randn([3, 3, 3, 10], { seed: 4 })));
    expect(a.shape).toEqual([1, 37, 37, 10]);
    a = cl.relu(cl.conv2d(a, cl.randn([5, 5, 10, 20], { seed: 5 }), { stride: 2 }));
    expect(a.shape).toEqual([1, 17, 17, 20]);
    a = cl.relu(cl.conv2d(a, cl.randn([5, 5, 20, 40], { seed: 6 }), { stride: 2 }));
    expect(a.shape).toEqual([1, 7, 7, 40]);
    expect(cl.flatten(a, 1).shape).toEqual([1, 1960]);
  });
});

describe("week 1: pooling", () => {
  it("4×4 max f=2 s=2 → [[9,2],[6,3]]", () => {
    expect(plane(cl.maxPool2d(img([[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]]), { size: 2, stride: 2 }))).toEqual([[9, 2], [6, 3]]);
  });
  it("average of [[1,3,2,1],[2,9,1,1],[1,4,2,3],[5,6,1,2]] → [[3.75,1.25],[4,2]]", () => {
    expect(plane(cl.avgPool2d(img([[1, 3, 2, 1], [2, 9, 1, 1], [1, 4, 2, 3], [5, 6, 1, 2]]), { size: 2, stride: 2 }))).toEqual([[3.75, 1.25], [4, 2]]);
  });
  it("5×5 max f=3 s=1 → 3×3, per channel (nC kept)", () => {
    const x = cl.randn([1, 5, 5, 2], { seed: 1 });
    const y = cl.maxPool2d(x, { size: 3, stride: 1 });
    expect(y.shape).toEqual([1, 3, 3, 2]);
    const c0 = cl.slice(x, [0, 1, 2, 0], [1, 3, 3, 1]).max().item(); // window at (1, 2), channel 0
    expect(y.data[(1 * 3 + 2) * 2]).toBe(c0);
  });
  it("pooling has no parameters: the gradient reaches only the input", () => {
    const x = cl.randn([1, 4, 4, 1], { seed: 2 }).requireGrad();
    cl.maxPool2d(x, { size: 2 }).sum().backward();
    expect(x.grad!.sum().item()).toBe(4);
  });
  it("global pooling 7×7×1000 → 1×1×1000", () => {
    const x = cl.randn([1, 7, 7, 1000], { seed: 3 });
    const avg = cl.globalAvgPool2d(x, { keepDims: true }), mx = cl.globalMaxPool2d(x, { keepDims: true });
    expect(avg.shape).toEqual([1, 1, 1, 1000]);
    expect(mx.shape).toEqual([1, 1, 1, 1000]);
    expectClose(avg.reshape([1000]), cl.avgPool2d(x, { size: 7 }).reshape([1000]), { atol: 1e-6, rtol: 0 });
    expectClose(mx.reshape([1000]), cl.maxPool2d(x, { size: 7 }).reshape([1000]), { atol: 0, rtol: 0 });
  });
});

describe("week 1: LeNet-5 shapes and parameter counts through the ops", () => {
  it("32×32×3 → 28×28×8 (608) → 14×14×8 → 10×10×16 (3216) → 5×5×16 → 120 (48120) → 84 (10164) → 10 (850), with the model's own weights", () => {
    const net = cl.models.lenet5({ seed: 1 });
    const byName = Object.fromEntries(net.layers.map((l) => [l.name, l.parameters()]));
    const count = (name: string) => byName[name]!.reduce((s, p) => s + p.size, 0);
    // the parameters the model built, counted element by element, against the course's table
    expect(["CONV1", "POOL1", "CONV2", "POOL2", "FC3", "FC4", "softmax"].map(count)).toEqual([608, 0, 3216, 0, 48120, 10164, 850]);
    const x = cl.randn([2, 32, 32, 3], { seed: 1 });
    const rows: [number[], number][] = [];
    let a = x;
    rows.push([a.shape.slice(1), a.size / 2]);
    const conv = (name: string) => (a = cl.relu(cl.conv2d(a, byName[name]![0]!, { bias: byName[name]![1]! })));
    const pool = () => (a = cl.maxPool2d(a, { size: 2, stride: 2 }));
    const dense = (name: string, relu: boolean) => {
      a = cl.dense(a, byName[name]![0]!, byName[name]![1]!);
      if (relu) a = cl.relu(a);
    };
    for (const step of [() => conv("CONV1"), pool, () => conv("CONV2"), pool]) {
      step();
      rows.push([a.shape.slice(1), a.size / 2]);
    }
    a = cl.flatten(a, 1);
    for (const [name, relu] of [["FC3", true], ["FC4", true], ["softmax", false]] as const) {
      dense(name, relu);
      rows.push([a.shape.slice(1), a.size / 2]);
    }
    expect(rows).toEqual([
      [[32, 32, 3], 3072],
      [[28, 28, 8], 6272],
      [[14, 14, 8], 1568],
      [[10, 10, 16], 1600],
      [[5, 5, 16], 400],
      [[120], 120],
      [[84], 84],
      [[10], 10],
    ]);
    // the chain of ops with the model's weights is the model: a reference for both
    expectClose(a, net.predict(x), { atol: 1e-5, rtol: 1e-4 });
  });
  it("why convolutions: 32×32×3 → 28×28×6 with 6 filters 5×5 is 456 parameters vs 3072×4704 ≈ 14M dense weights", () => {
    const layer = cl.nn.sequential([cl.nn.conv2d({ filters: 6, size: 5 })], { inputShape: [32, 32, 3] });
    expect(layer.parameters().reduce((s, p) => s + p.size, 0)).toBe(456);
    const x = cl.zeros([1, 32, 32, 3]);
    const y = cl.conv2d(x, layer.parameters()[0]!, { bias: layer.parameters()[1]! });
    expect(y.shape).toEqual([1, 28, 28, 6]);
    expect(y.size).toBe(4704);
    // a dense layer between the two volumes: one weight per (input, output) pair, 14,450,688
    const dense = x.size * y.size;
    expect(dense).toBe(14450688);
    expect(Math.round(dense / 1e6)).toBe(14);
  });
});
