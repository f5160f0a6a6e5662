// Development check, not a test: the float32 conv/gemm kernels of this checkout's dist/ against
// another build's (e.g. main's, to show a kernel change keeps the same bits), bit for bit, on
// random geometries (conv2d forward and both gradients, gemm, conv3d) and ResNet-18-like shapes.
//   node scripts/kernel-bits.mjs <other dist dir> [cases = 200] [threads = 1]
// The other dist needs its package's node_modules next to it (e.g. a worktree of another commit,
// built with node scripts/build.mjs). CONVLAB_WASM_RELAXED=0 compares the plain-SIMD builds.
// Exits 1 when any output differs.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
if (!process.argv[2]) {
  console.error("usage: node scripts/kernel-bits.mjs <other dist dir> [cases] [threads]");
  process.exit(2);
}
const oldDist = pathToFileURL(resolve(process.argv[2])).href;
const newDist = new URL("../dist", import.meta.url).href;
const N = Number(process.argv[3] ?? 200);
const threads = Number(process.argv[4] ?? 1);
const load = async (d) => {
  const cl = await import(d + "/index.js");
  const K = await import(d + "/kernels/index.js");
  cl.setThreads(threads);
  return { cl, K };
};
const O = await load(oldDist);
const Nw = await load(newDist);
console.log(`other: ${O.cl.kernelBackend()}, this: ${Nw.cl.kernelBackend()}, ${threads} thread(s)`);
let seed = 12345;
const rand = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
const ri = (a, b) => a + Math.floor(rand() * (b - a + 1));
const arr = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = rand() * 2 - 1; return a; };
const eq = (a, b) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
let fails = 0, checks = 0;
const check = (name, args, outIdx, tag) => {
  const a1 = args.map((x) => (x instanceof Float32Array ? x.slice() : x));
  const a2 = args.map((x) => (x instanceof Float32Array ? x.slice() : x));
  O.K.kernel(name, "float32")(...a1);
  Nw.K.kernel(name, "float32")(...a2);
  checks++;
  if (!eq(a1[outIdx], a2[outIdx])) { fails++; console.log("DIFF", name, tag); }
};
const out = (n, f, s, p, d) => Math.floor((n + 2 * p - d * (f - 1) - 1) / s) + 1;
for (let it = 0; it < N; it++) {
  const big = it % 5 === 0;
  const m = ri(1, big ? 4 : 5), c = big ? ri(64, 300) : ri(1, 70), k = big ? ri(64, 300) : ri(1, 70);
  const fh = ri(1, big ? 3 : 5), fw = ri(1, big ? 3 : 5);
  const sh = ri(1, 3), sw = ri(1, 3), dh = rand() < 0.8 ? 1 : 2, dw = rand() < 0.8 ? 1 : 2;
  const h = ri(Math.max(1, dh * (fh - 1) + 1 - 2), big ? 8 : 14), w = ri(Math.max(1, dw * (fw - 1) + 1 - 2), big ? 8 : 14);
  const pt = ri(0, fh - 1), pl = ri(0, fw - 1);
  const oh = out(h, fh, sh, pt, dh), ow = out(w, fw, sw, pl, dw);
  if (oh < 1 || ow < 1) continue;
  const g = { m, h, w, c, k, fh, fw, sh, sw, dh, dw, padTop: pt, padLeft: pl, oh, ow };
  const tag = JSON.stringify(g);
  const x = arr(m * h * w * c), f = arr(fh * fw * c * k), dy = arr(m * oh * ow * k);
  check("conv2d", [x, f, new Float32Array(m * oh * ow * k), g], 2, tag);
  check("conv2dGradInput", [dy, f, new Float32Array(x.length), g], 2, tag);
  check("conv2dGradFilter", [x, dy, new Float32Array(f.length), g], 2, tag);
  if (it % 4 === 0) {
    const gm = ri(1, 200), gn = ri(1, big ? 700 : 100), gk = ri(1, big ? 900 : 100);
    const transA = rand() < 0.3, transB = rand() < 0.5, accumulate = rand() < 0.3;
    const A = arr(gm * gk), B = arr(gk * gn), Cm = arr(gm * gn);
    check("gemm", [A, B, Cm, { m: gm, n: gn, k: gk, transA, transB, accumulate }], 2, JSON.stringify({ gm, gn, gk, transA, transB, accumulate }));
  }
}
// ResNet-18-like shapes, batch 2..4
for (const [hw, c, k, f, s] of [[2, 512, 512, 3, 1], [4, 256, 256, 3, 1], [4, 256, 512, 3, 2], [8, 128, 128, 3, 1], [8, 128, 256, 1, 2], [16, 64, 64, 3, 1], [16, 64, 128, 3, 2], [64, 3, 64, 7, 2], [5, 300, 260, 3, 1]]) {
  const m = 3, p = Math.floor(f / 2);
  const oh = out(hw, f, s, p, 1);
  const g = { m, h: hw, w: hw, c, k, fh: f, fw: f, sh: s, sw: s, dh: 1, dw: 1, padTop: p, padLeft: p, oh, ow: oh };
  const tag = JSON.stringify(g);
  const x = arr(m * hw * hw * c), fl = arr(f * f * c * k), dy = arr(m * oh * oh * k);
  check("conv2d", [x, fl, new Float32Array(m * oh * oh * k), g], 2, tag);
  check("conv2dGradInput", [dy, fl, new Float32Array(x.length), g], 2, tag);
  check("conv2dGradFilter", [x, dy, new Float32Array(fl.length), g], 2, tag);
}
// conv3d
for (let it = 0; it < N / 10; it++) {
  const m = ri(1, 3), c = ri(1, 40), k = ri(1, 40), fd = ri(1, 3), fh = ri(1, 3), fw = ri(1, 3);
  const sd = ri(1, 2), sh = ri(1, 2), sw = ri(1, 2), d = ri(fd, 6), h = ri(fh, 6), w = ri(fw, 6);
  const pf = ri(0, fd - 1), pt = ri(0, fh - 1), pl = ri(0, fw - 1);
  const od = out(d, fd, sd, pf, 1), oh = out(h, fh, sh, pt, 1), ow = out(w, fw, sw, pl, 1);
  const g = { m, d, h, w, c, k, fd, fh, fw, sd, sh, sw, dd: 1, dh: 1, dw: 1, padFront: pf, padTop: pt, padLeft: pl, od, oh, ow };
  const tag = JSON.stringify(g);
  const x = arr(m * d * h * w * c), f = arr(fd * fh * fw * c * k), dy = arr(m * od * oh * ow * k);
  check("conv3d", [x, f, new Float32Array(dy.length), g], 2, tag);
  check("conv3dGradInput", [dy, f, new Float32Array(x.length), g], 2, tag);
  check("conv3dGradFilter", [x, dy, new Float32Array(f.length), g], 2, tag);
}
console.log(`${checks} checks, ${fails} differ`);
process.exit(fails ? 1 : 0);
