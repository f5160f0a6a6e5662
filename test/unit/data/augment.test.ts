import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

const A = cl.data.augment;
type Box = cl.detection.Box & { classId?: number };

/**
 * A 40×48 picture with two channels: channel 0 holds a filled rectangle (x 14–30, y 10–20, the
 * box), channel 1 a smooth blob centred on the landmark (9.5, 27.5).
 */
function drawn(sigma = 1.5): { image: cl.Tensor; boxes: Box[]; landmarks: cl.data.augment.Point[]; label: number } {
  const h = 40, w = 48;
  const d = new Float64Array(h * w * 2);
  for (let i = 10; i < 20; i++) for (let j = 14; j < 30; j++) d[(i * w + j) * 2] = 1;
  const lx = 9.5, ly = 27.5;
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) d[(i * w + j) * 2 + 1] = Math.exp(-((j + 0.5 - lx) ** 2 + (i + 0.5 - ly) ** 2) / (2 * sigma ** 2));
  return { image: new cl.Tensor(d, [h, w, 2]), boxes: [{ x1: 14, y1: 10, x2: 30, y2: 20, classId: 3 }], landmarks: [{ x: lx, y: ly }], label: 7 };
}

/** The bounds of the pixels of channel 0 above 0.5 (as continuous corners) and the intensity centroid of channel 1. */
function measure(image: cl.Tensor): { box: Box; mark: cl.data.augment.Point } {
  const [h, w, c] = image.shape as [number, number, number];
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity, sx = 0, sy = 0, s = 0;
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      if (image.data[(i * w + j) * c]! > 0.5) {
        x1 = Math.min(x1, j); y1 = Math.min(y1, i); x2 = Math.max(x2, j + 1); y2 = Math.max(y2, i + 1);
      }
      const v = image.data[(i * w + j) * c + 1]!;
      sx += v * (j + 0.5); sy += v * (i + 0.5); s += v;
    }
  return { box: { x1, y1, x2, y2 }, mark: { x: sx / s, y: sy / s } };
}

function expectBoxNear(got: Box, want: Box, tol: number): void {
  for (const k of ["x1", "y1", "x2", "y2"] as const) expect(Math.abs(got[k] - want[k]), `${k}: ${got[k]} vs pixels ${want[k]}`).toBeLessThanOrEqual(tol);
}

describe("augmentations move boxes and landmarks with the pixels (a drawn rectangle and a blob)", () => {
  it("mirror, horizontal and vertical: exact (x → nW − x, y → nH − y); swap exchanges paired landmarks", () => {
    const ex = drawn();
    const h = A.apply(A.mirror({ p: 1 }), ex);
    expect(h.boxes).toEqual([{ x1: 48 - 30, y1: 10, x2: 48 - 14, y2: 20, classId: 3 }]);
    expect(measure(h.image).box).toEqual({ x1: 18, y1: 10, x2: 34, y2: 20 });
    expect(h.landmarks).toEqual([{ x: 48 - 9.5, y: 27.5 }]);
    expectClose([measure(h.image).mark.x, measure(h.image).mark.y], [38.5, 27.5], { atol: 1e-6, rtol: 0 });
    const v = A.apply(A.mirror({ p: 1, direction: "vertical" }), ex);
    expect(v.boxes).toEqual([{ x1: 14, y1: 20, x2: 30, y2: 30, classId: 3 }]);
    expect(measure(v.image).box).toEqual({ x1: 14, y1: 20, x2: 30, y2: 30 });
    const pair = A.apply(A.mirror({ p: 1, swap: [[0, 1]] }), { image: ex.image, landmarks: [{ x: 10, y: 5 }, { x: 30, y: 5 }] });
    expect(pair.landmarks).toEqual([{ x: 18, y: 5 }, { x: 38, y: 5 }]);
    const never = A.apply(A.mirror({ p: 0 }), ex);
    expect(Array.from(never.image.data)).toEqual(Array.from(ex.image.data));
    expect(never.image.data).not.toBe(ex.image.data);
  });

  it("randomCrop 24×32: exact shift of pixels, boxes (clipped) and landmarks; padding; a box left outside is dropped", () => {
    for (const seed of [0, 1, 2, 3]) {
      const ex = drawn();
      const out = A.apply(A.randomCrop({ size: [24, 32] }), ex, { seed });
      expect(out.image.shape).toEqual([24, 32, 2]);
      const { box } = measure(out.image);
      if (out.boxes!.length) expect(out.boxes![0]).toEqual({ ...box, classId: 3 });
      else expect(box.x1).toBe(Infinity);
      // the crop equals the window at the offset the landmark moved by
      const dx = 9.5 - out.landmarks![0]!.x, dy = 27.5 - out.landmarks![0]!.y;
      expect(Number.isInteger(dx) && Number.isInteger(dy)).toBe(true);
      expectClose(out.image, cl.slice(ex.image, [dy, dx, 0], [24, 32, 2]), { atol: 0, rtol: 0 });
    }
    // padding: the window is cut from the zero-padded image
    const small = { image: cl.ones([4, 4, 1]), landmarks: [{ x: 0.5, y: 0.5 }] };
    for (const seed of [0, 1, 2, 3, 4]) {
      const out = A.apply(A.randomCrop({ size: 4, padding: 2 }), small, { seed });
      const left = 0.5 - out.landmarks![0]!.x, top = 0.5 - out.landmarks![0]!.y;
      expectClose(out.image, cl.slice(cl.pad(small.image, [[2, 2], [2, 2], [0, 0]]), [top + 2, left + 2, 0], [4, 4, 1]), { atol: 0, rtol: 0 });
    }
    // a box that the window misses is dropped; one it catches is kept
    const kept = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((seed) => {
      const out = A.apply(A.randomCrop({ size: 2 }), { image: cl.ones([8, 8, 1]), boxes: [{ x1: 0, y1: 0, x2: 1, y2: 1 }], landmarks: [{ x: 0, y: 0 }] }, { seed });
      const atCorner = out.landmarks![0]!.x === 0 && out.landmarks![0]!.y === 0;
      expect(out.boxes).toEqual(atCorner ? [{ x1: 0, y1: 0, x2: 1, y2: 1 }] : []);
      return atCorner;
    });
    expect(kept.includes(false)).toBe(true);
  });

  it("rotate ±30°: the turned rectangle's pixel bounds within 1 px of the moved box, the blob's centroid within 0.1 px of the moved landmark", () => {
    for (const seed of [0, 1, 2, 3, 4]) {
      const out = A.apply(A.rotate({ degrees: 30 }), drawn(), { seed });
      const { box, mark } = measure(out.image);
      expectBoxNear(out.boxes![0]!, box, 1);
      expect(Math.hypot(mark.x - out.landmarks![0]!.x, mark.y - out.landmarks![0]!.y)).toBeLessThan(0.1);
      expect(out.boxes![0]!.classId).toBe(3);
    }
  });

  it("rotate: positive angles turn counter-clockwise on screen (y down); points stay on their circle about the centre", () => {
    const ex = { image: cl.zeros([9, 9, 1]), landmarks: [{ x: 8, y: 4.5 }] };
    const outs = [0, 1, 2, 3, 4, 5, 6, 7].map((seed) => A.apply(A.rotate({ degrees: 90 }), ex, { seed }).landmarks![0]!);
    for (const p of outs) expect(Math.hypot(p.x - 4.5, p.y - 4.5)).toBeCloseTo(3.5, 10); // on the circle about the centre
    expect(outs.some((p) => p.y < 4.5)).toBe(true);
    expect(outs.some((p) => p.y > 4.5)).toBe(true);
    // counter-clockwise on screen (y down): a positive angle θ puts (cx + r, cy) at (cx + r cos θ, cy − r sin θ)
    const t = (90 * Math.PI) / 180;
    const rng = new cl.Rng(0);
    const theta = (rng.uniform() * 2 - 1) * t;
    expect(outs[0]!.x).toBeCloseTo(4.5 + 3.5 * Math.cos(theta), 10);
    expect(outs[0]!.y).toBeCloseTo(4.5 - 3.5 * Math.sin(theta), 10);
  });

  it("shear ±20° (x, y and both): pixel bounds within 1 px of the sheared box, the blob within 0.1 px", () => {
    for (const axis of ["x", "y", "both"] as const)
      for (const seed of [0, 1, 2]) {
        const out = A.apply(A.shear({ degrees: 20, axis }), drawn(), { seed });
        const { box, mark } = measure(out.image);
        expectBoxNear(out.boxes![0]!, box, 1);
        expect(Math.hypot(mark.x - out.landmarks![0]!.x, mark.y - out.landmarks![0]!.y), `${axis} seed ${seed}`).toBeLessThan(0.1);
      }
  });

  it("localWarp: a smooth random displacement (|d| ≤ magnitude); the warped rectangle within 1 px of the moved box, the blob within 0.1 px", () => {
    // A non-uniform warp also shifts a blob's centroid off its centre's image by ~σ²·∇J, so the blob is small here (σ 0.7).
    for (const seed of [0, 1, 2, 3, 4, 5]) {
      const ex = drawn(0.7);
      const out = A.apply(A.localWarp({ magnitude: 2, grid: 3 }), ex, { seed });
      const { box, mark } = measure(out.image);
      expectBoxNear(out.boxes![0]!, box, 1);
      expect(Math.hypot(mark.x - out.landmarks![0]!.x, mark.y - out.landmarks![0]!.y)).toBeLessThan(0.1);
      expect(Math.hypot(out.landmarks![0]!.x - 9.5, out.landmarks![0]!.y - 27.5)).toBeLessThanOrEqual(2 * Math.SQRT2 + 1e-9);
      // it does move things
      expect(Array.from(out.image.data)).not.toEqual(Array.from(ex.image.data));
    }
    // magnitude 0 is the identity
    const same = A.apply(A.localWarp({ magnitude: 0 }), drawn(), { seed: 1 });
    expectClose(same.image, drawn().image, { atol: 1e-12, rtol: 0 });
  });
});

describe("seeds, labels, batches and composition", () => {
  const all = (stats: cl.data.augment.PcaColorStats): [string, cl.data.augment.Transform][] => [
    ["mirror", A.mirror()],
    ["randomCrop", A.randomCrop({ size: 30 })],
    ["rotate", A.rotate({ degrees: 20 })],
    ["shear", A.shear({ degrees: 15 })],
    ["localWarp", A.localWarp({ magnitude: 2 })],
    ["colorShift", A.colorShift({ max: 0.2 })],
    ["pcaColor", A.pcaColor({ stats })],
  ];

  it("each transform is deterministic per seed, differs across seeds, keeps the label and other fields, never changes its input", () => {
    const stats = A.pcaColorStats(cl.rand([2, 8, 8, 2], { seed: 0 }));
    for (const [name, t] of all(stats)) {
      const ex = { ...drawn(), id: "photo-1" };
      const before = Array.from(ex.image.data);
      const a = A.apply(t, ex, { seed: 42 }), b = A.apply(t, ex, { seed: 42 });
      expect(Array.from(a.image.data), name).toEqual(Array.from(b.image.data));
      expect(a.boxes, name).toEqual(b.boxes);
      expect(a.landmarks, name).toEqual(b.landmarks);
      expect(a.label, name).toBe(7);
      expect(a.id, name).toBe("photo-1");
      expect(Array.from(ex.image.data), `${name} leaves its input alone`).toEqual(before);
      const others = [1, 2, 3, 4, 5].map((seed) => Array.from(A.apply(t, ex, { seed }).image.data).join());
      expect(others.some((o) => o !== Array.from(a.image.data).join()), `${name} depends on the seed`).toBe(true);
    }
  });

  it("a batch [m,nH,nW,nC] draws per image in order: the same as the images one by one from the same generator; boxes one list per image", () => {
    const one = drawn();
    const image = cl.stack([one.image, cl.flip(one.image, 1)], 0);
    const boxes = [one.boxes, [{ x1: 18, y1: 10, x2: 34, y2: 20 }]];
    const t = A.compose([A.rotate({ degrees: 25 }), A.colorShift({ max: 0.1 })]);
    const batch = t({ image, boxes, label: cl.tensor([7, 7]) }, new cl.Rng(9));
    expect(batch.image.shape).toEqual([2, 40, 48, 2]);
    // compose runs rotate over the whole batch, then colorShift over it: per transform, image after image
    const rng2 = new cl.Rng(9);
    const r = A.rotate({ degrees: 25 }), c = A.colorShift({ max: 0.1 });
    const r1 = r({ image: one.image, boxes: boxes[0]! }, rng2), r2 = r({ image: cl.flip(one.image, 1), boxes: boxes[1]! }, rng2);
    const c1 = c(r1, rng2), c2 = c(r2, rng2);
    expectClose(batch.image, cl.stack([c1.image, c2.image], 0), { atol: 0, rtol: 0 });
    expect(batch.boxes).toEqual([c1.boxes, c2.boxes]);
    expect(Array.from(batch.label.data)).toEqual([7, 7]);
    expect(() => t({ image, boxes: one.boxes }, new cl.Rng(0))).toThrow(/a batch of 2 images needs one list of boxes per image, got 1 lists|boxes of a batch must be one list per image/);
  });

  it("compose applies in order; apply takes a bare tensor; mapper replays per seed and advances per call", () => {
    const x = drawn().image;
    const t = A.compose([A.mirror({ p: 1 }), A.randomCrop({ size: [20, 20] })]);
    const y = A.apply(t, x, { seed: 3 });
    expect(y.shape).toEqual([20, 20, 2]);
    const rng = new cl.Rng(3);
    const step = A.randomCrop({ size: [20, 20] })(A.mirror({ p: 1 })({ image: x }, rng), rng).image;
    expect(Array.from(y.data)).toEqual(Array.from(step.data));
    const f = A.mapper(A.rotate({ degrees: 40 }), { seed: 8 }), g = A.mapper(A.rotate({ degrees: 40 }), { seed: 8 });
    const f1 = f({ image: x }).image, f2 = f({ image: x }).image;
    expect(Array.from(f1.data)).not.toEqual(Array.from(f2.data)); // a new draw each call (each epoch)
    expect(Array.from(g({ image: x }).image.data)).toEqual(Array.from(f1.data));
    expect(Array.from(g({ image: x }).image.data)).toEqual(Array.from(f2.data));
  });

  it("augmentBatches: re-iterable per epoch, new augmentations each epoch, the same run per seed, y untouched", () => {
    const data = { x: cl.rand([6, 10, 10, 1], { seed: 1 }), y: cl.tensor([0, 1, 2, 0, 1, 2]) };
    const t = A.compose([A.mirror(), A.randomCrop({ size: 10, padding: 2 })]);
    const it1 = A.augmentBatches(cl.data.batches(data, { batchSize: 4 }), t, { seed: 0 });
    const e1 = [...it1], e2 = [...it1];
    expect(e1.map((b) => b.x.shape)).toEqual([[4, 10, 10, 1], [2, 10, 10, 1]]);
    expect(e1.map((b) => Array.from(b.y.data))).toEqual([[0, 1, 2, 0], [1, 2]]);
    expect(Array.from(e1[0]!.x.data)).not.toEqual(Array.from(e2[0]!.x.data));
    const again = [...A.augmentBatches(cl.data.batches(data, { batchSize: 4 }), t, { seed: 0 })];
    expect(Array.from(again[0]!.x.data)).toEqual(Array.from(e1[0]!.x.data));
  });

  it("model.fit trains on augmentBatches on the fly: every epoch iterates it again", async () => {
    const data = { x: cl.rand([16, 8, 8, 1], { seed: 3 }), y: cl.tensor(Array.from({ length: 16 }, (_, i) => i % 2)) };
    const model = cl.nn.sequential([cl.nn.conv2d({ filters: 2, size: 3 }), cl.nn.flatten(), cl.nn.dense({ units: 2 })], { inputShape: [8, 8, 1], seed: 0 });
    let batches = 0;
    const t = A.compose([A.mirror(), A.randomCrop({ size: 8, padding: 1 })]);
    const counted: cl.data.augment.Transform = (ex, rng) => {
      batches++;
      return t(ex, rng);
    };
    const h = await model.fit(A.augmentBatches(cl.data.batches(data, { batchSize: 8, shuffle: true, seed: 1 }), counted, { seed: 2 }), { optimizer: cl.train.sgd({ lr: 0.1 }), epochs: 2 });
    expect(h.epochs.length).toBe(2);
    expect(h.epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
    expect(batches).toBe(4);
  });

  it("bad options and examples give errors naming the transform", () => {
    expect(() => A.mirror({ p: 2 })).toThrow(/augment.mirror: p must be a number ≥ 0 and ≤ 1, got 2/);
    expect(() => A.randomCrop({ size: 0 })).toThrow(/augment.randomCrop: size must be a positive integer or \[h, w\] of them, got 0/);
    expect(() => A.apply(A.randomCrop({ size: 50 }), drawn())).toThrow(/augment.randomCrop: a 50×50 crop does not fit in a 40×48 image/);
    expect(() => A.rotate({ degrees: -1 })).toThrow(/augment.rotate: degrees must be a number ≥ 0 and ≤ 180, got -1/);
    expect(() => A.shear({ degrees: 10, axis: "z" as "x" })).toThrow(/augment.shear: axis must be "x", "y" or "both"/);
    expect(() => A.localWarp({ grid: 0 })).toThrow(/augment.localWarp: grid must be an integer ≥ 1, got 0/);
    expect(() => A.colorShift({ max: [0.1, 0.1] })({ image: cl.zeros([2, 2, 3]) }, new cl.Rng(0))).toThrow(/augment.colorShift: max has 2 entries but the image has 3 channels/);
    expect(() => A.mirror()(cl.zeros([2, 2, 3]) as unknown as cl.data.augment.Example, new cl.Rng(0))).toThrow(/augment.mirror: expected an example .* \(got a bare tensor: use \{ image: x \}, or augment.apply\(t, x\)\)/);
    expect(() => A.apply(A.mirror(), { image: cl.zeros([2, 2]) })).toThrow(/augment.mirror: image must be \[nH,nW,nC\] or \[m,nH,nW,nC\] \(NHWC\), got \[2,2\]/);
    expect(() => A.apply(A.mirror(), { image: cl.zeros([2, 2, 1]), boxes: [{ x1: 2, y1: 0, x2: 1, y2: 1 }] })).toThrow(/augment.mirror: boxes\[0\] must be boxes \{ x1, y1, x2, y2 \} with x2 ≥ x1/);
    expect(() => A.compose([A.mirror(), 3 as unknown as cl.data.augment.Transform])).toThrow(/augment.compose: expected a list of transforms/);
  });
});

describe("colour augmentations", () => {
  it("colorShift: one offset per channel and image, uniform in [−max, max], the same at every pixel; clip", () => {
    const x = cl.rand([5, 6, 3], { seed: 2 });
    const out = A.apply(A.colorShift({ max: [0.1, 0.2, 0.3] }), x, { seed: 4 });
    const rng = new cl.Rng(4);
    const offs = [0.1, 0.2, 0.3].map((m) => (rng.uniform() * 2 - 1) * m);
    const want = Array.from(x.data, (v, i) => v + offs[i % 3]!);
    expectClose(out, want, { atol: 1e-6, rtol: 0 });
    const clipped = A.apply(A.colorShift({ max: 5, clip: [0, 1] }), x, { seed: 4 });
    expect(Array.from(clipped.data).every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  // An orthonormal basis (a rotation) and eigenvalues: the covariance C = Σ λ_i q_i q_iᵀ.
  const s2 = Math.SQRT1_2, s3 = 1 / Math.sqrt(3), s6 = 1 / Math.sqrt(6);
  const Q = [[s3, s3, s3], [s2, 0, -s2], [s6, -2 * s6, s6]].map((q) => (q[0]! < 0 ? q.map((v) => -v) : q));
  const L = [0.5, 0.2, 0.05];
  const C = [0, 1, 2].map((r) => [0, 1, 2].map((c) => L.reduce((s, l, i) => s + l * Q[i]![r]! * Q[i]![c]!, 0)));
  const signed = (v: number[]): number[] => {
    let big = 0;
    for (let k = 1; k < v.length; k++) if (Math.abs(v[k]!) > Math.abs(v[big]!)) big = k;
    return v[big]! < 0 ? v.map((x) => -x) : v;
  };

  it("symmetricEigen recovers the eigenvalues and eigenvectors of a constructed covariance Σ λ q qᵀ", () => {
    const { values, vectors } = A.symmetricEigen(C);
    expectClose(values, L, { atol: 1e-12, rtol: 0 });
    vectors.forEach((v, i) => expectClose(v, signed(Q[i]!), { atol: 1e-12, rtol: 0 }));
    // a 4×4 check: V diag(λ) Vᵀ rebuilds the matrix
    const M = [[4, 1, 0.5, 0], [1, 3, 0.2, 0.1], [0.5, 0.2, 2, 0.3], [0, 0.1, 0.3, 1]];
    const e = A.symmetricEigen(M);
    const back = M.map((row, r) => row.map((_, c) => e.values.reduce((s, l, i) => s + l * e.vectors[i]![r]! * e.vectors[i]![c]!, 0)));
    expectClose(back.flat(), M.flat(), { atol: 1e-12, rtol: 0 });
    expect(e.values).toEqual([...e.values].sort((a, b) => b - a));
    expect(() => A.symmetricEigen([[1, 2], [0, 1]])).toThrow(/symmetricEigen: the matrix is not symmetric/);
  });

  it("pcaColorStats: pixels mean ± √(3λ_i)·q_i have exactly the covariance C; its eigen-decomposition is (λ, q)", () => {
    const mean = [0.4, 0.5, 0.6];
    const px: number[] = [];
    for (let i = 0; i < 3; i++) for (const sgn of [1, -1]) for (let k = 0; k < 3; k++) px.push(mean[k]! + sgn * Math.sqrt(3 * L[i]!) * Q[i]![k]!);
    const stats = A.pcaColorStats(cl.tensor(px, [1, 2, 3, 3], { dtype: "float64" }));
    expectClose(stats.mean, mean, { atol: 1e-12, rtol: 0 });
    expectClose(stats.covariance.flat(), C.flat(), { atol: 1e-12, rtol: 0 });
    expectClose(stats.eigenvalues, L, { atol: 1e-12, rtol: 0 });
    stats.eigenvectors.forEach((v, i) => expectClose(v, signed(Q[i]!), { atol: 1e-12, rtol: 0 }));
    // the same over a list of images
    const split = A.pcaColorStats([cl.tensor(px.slice(0, 9), [1, 3, 3], { dtype: "float64" }), cl.tensor(px.slice(9), [1, 3, 3], { dtype: "float64" })]);
    expectClose(split.covariance.flat(), C.flat(), { atol: 1e-12, rtol: 0 });
  });

  it("pcaColor adds [p1 p2 p3]·[α1λ1, α2λ2, α3λ3]ᵀ to every pixel, α_i ~ N(0, 0.1²) drawn once per image", () => {
    const stats = { eigenvalues: L, eigenvectors: Q };
    const x = cl.rand([4, 5, 3], { seed: 1, dtype: "float64" });
    const out = A.apply(A.pcaColor({ stats }), x, { seed: 12 });
    const rng = new cl.Rng(12);
    const alpha = L.map(() => rng.normal() * 0.1);
    const delta = [0, 1, 2].map((k) => alpha.reduce((s, a, i) => s + Q[i]![k]! * a * L[i]!, 0));
    expectClose(out, Array.from(x.data, (v, i) => v + delta[i % 3]!), { atol: 1e-12, rtol: 0 });
    expect(() => A.pcaColor({ stats: { eigenvalues: [1], eigenvectors: [[1, 0]] } })).toThrow(/augment.pcaColor: stats must be/);
    expect(() => A.apply(A.pcaColor({ stats }), cl.zeros([2, 2, 1]))).toThrow(/augment.pcaColor: the statistics are for 3 channels but the image has 1/);
  });
});
