// `npm run bench -- depthwise`: depthwise 3×3 convolution (mult 1, "same" padding as TensorFlow
// pads) on MobileNet v1's shapes, batch 1 and 8: the registry's WASM kernels (forward, input
// gradient, filter gradient) called on preallocated arrays, next to @tensorflow/tfjs-backend-wasm
// (forward; it has no depthwise backward kernels) in the same run, and against two bounds measured
// in the same run: memory (bytes in + out of the kernel / the copy bandwidth of a large
// Float32Array.set) and compute (2·9 flops per output / the WASM SIMD roofline probe, all threads).
// "% of bound" is the kernel's time against the larger (slower) of the two, i.e. the lower rate.
// Every figure is the best of several runs after warm-up; runs alternate convlab and tfjs shape by
// shape so a burst of load from other processes hits both.
import { bestOf, num, ratio, printTable, machine, tfjsWasm, convlabKernels } from "./lib.mjs";

/** MobileNet v1's depthwise layers (224×224 input): h = w, c, stride. */
export const SHAPES = [
  { h: 112, c: 32, s: 1 },
  { h: 112, c: 64, s: 2 },
  { h: 56, c: 128, s: 1 },
  { h: 56, c: 128, s: 2 },
  { h: 28, c: 256, s: 1 },
  { h: 28, c: 256, s: 2 },
  { h: 14, c: 512, s: 1 },
  { h: 14, c: 512, s: 2 },
  { h: 7, c: 1024, s: 1 },
];

/** TensorFlow's "same": out = ceil(n / s), the padding split with the extra on the bottom/right. */
function geom(m, h, c, s) {
  const f = 3, o = Math.ceil(h / s), pad = Math.max(0, (o - 1) * s + f - h);
  return { m, h, w: h, c, k: c, mult: 1, fh: f, fw: f, sh: s, sw: s, dh: 1, dw: 1, padTop: Math.floor(pad / 2), padLeft: Math.floor(pad / 2), oh: o, ow: o };
}

/** GB/s of a large copy (Float32Array.set of 64 MiB), the memory bound's denominator. */
function copyBandwidth() {
  const n = 16 << 20, a = new Float32Array(n).fill(1), b = new Float32Array(n);
  const ms = bestOf(() => b.set(a), { reps: 7, warmupMs: 200 });
  return (2 * 4 * n) / (ms / 1e3) / 1e9;
}

export async function run({ quick = false } = {}) {
  const m0 = machine();
  const threads = m0.cores;
  const { cl, currentEngine, probeGflops, kernel } = await convlabKernels("depthwise", threads);
  const eng = currentEngine();
  const reps = quick ? 5 : 15;
  console.log(`\ndepthwise 3×3 on ${m0.cpu}, ${threads} cores, Node ${m0.node}; load average ${m0.load1} at start`);
  const peak = Math.max(probeGflops(eng, threads, 4_000_000, 10), probeGflops(eng, threads, 4_000_000, 10));
  const bw = Math.max(copyBandwidth(), copyBandwidth());
  console.log(`bounds: WASM SIMD probe ${num(peak)} GFLOP/s (${threads} threads), copy bandwidth ${num(bw)} GB/s`);
  const { tf } = await tfjsWasm(threads);
  const [fwd, gi, gf] = ["depthwise", "depthwiseGradInput", "depthwiseGradFilter"].map((n) => kernel(n, "float32"));
  const rnd = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
  const rows = [];
  const results = [];
  for (const m of [1, 8]) for (const sh of SHAPES) {
    const g = geom(m, sh.h, sh.c, sh.s);
    const nx = m * sh.h * sh.h * sh.c, ny = m * g.oh * g.ow * sh.c, nf = 9 * sh.c;
    const x = rnd(nx), w = rnd(nf), dy = rnd(ny);
    const y = new Float32Array(ny), dx = new Float32Array(nx), dw = new Float32Array(nf);
    const ep = { bias: rnd(sh.c), act: "relu6" };
    const o = { reps, warmupMs: 300 };
    const ms = { fwd: bestOf(() => fwd(x, w, y, g), o), ep: bestOf(() => fwd(x, w, y, g, ep), o), gi: bestOf(() => gi(dy, w, dx, g), o), gf: bestOf(() => gf(x, dy, dw, g), o) };
    const tx = tf.tensor4d(x, [m, sh.h, sh.h, sh.c]), tw = tf.tensor4d(w, [3, 3, sh.c, 1]);
    const tfMs = bestOf(() => {
      const t = tf.depthwiseConv2d(tx, tw, sh.s, "same");
      t.dataSync();
      t.dispose();
    }, o);
    tf.dispose([tx, tw]);
    // bytes: forward x + y (+ filter), input gradient dy + dx, filter gradient x + dy; flops 18 per output
    const flops = 18 * ny;
    const bound = (bytes) => Math.max((bytes / (bw * 1e9)) * 1e3, (flops / (peak * 1e9)) * 1e3);
    const pct = (t, bytes) => `${num((100 * bound(bytes)) / t, 0)} %`;
    const name = `N${m} ${sh.h}×${sh.h}×${sh.c} s${sh.s}`;
    results.push({ name, ...ms, tfjs: tfMs });
    rows.push([name, num(ms.fwd, 3), num(ms.ep, 3), num(tfMs, 3), ratio(tfMs, ms.fwd), pct(ms.fwd, 4 * (nx + ny)), num(ms.gi, 3), pct(ms.gi, 4 * (nx + ny)), num(ms.gf, 3), pct(ms.gf, 4 * (nx + ny))]);
  }
  printTable(["shape", "fwd ms", "fwd+bias+relu6 ms", "tfjs-wasm ms", "tfjs / convlab", "fwd % bound", "dx ms", "dx % bound", "dW ms", "dW % bound"], rows);
  console.log(`load average ${machine().load1} at end`);
  return { depthwise: { peak, bw, results } };
}
