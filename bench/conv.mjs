// `npm run bench -- conv`: conv2d forward and backward GFLOP/s on the performance issue's four
// shapes (NHWC float32), convlab next to @tensorflow/tfjs-backend-wasm, @tensorflow/tfjs (cpu),
// onnxruntime-node (forward) and PyTorch CPU (2 threads, when importable from .venv), with the
// WASM SIMD roofline probe measured in the same run. Backward = input gradient + filter gradient
// (2× the forward flops). Every figure is the best of several runs after warm-up.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { bestOf, bestOfAsync, gflops, num, ratio, printTable, machine, venvPython, root, convlabKernels } from "./lib.mjs";

const require = createRequire(import.meta.url);

/** The issue's shapes: x [m, h, w, c], k filters f×f, stride s, padding p (valid = 0). */
export const SHAPES = [
  { name: "S1", m: 64, h: 32, w: 32, c: 3, k: 8, f: 5, s: 1, p: 0, note: "N64 32×32×3→8 5×5 valid" },
  { name: "S2", m: 8, h: 56, w: 56, c: 64, k: 64, f: 3, s: 1, p: 1, note: "N8 56×56×64→64 3×3 same" },
  { name: "S3", m: 16, h: 28, w: 28, c: 192, k: 16, f: 1, s: 1, p: 0, note: "N16 28×28×192→16 1×1" },
  { name: "S4", m: 16, h: 56, w: 56, c: 64, k: 128, f: 3, s: 2, p: 1, note: "N16 56×56×64→128 3×3 s2 p1" },
];

const outSize = (n, f, s, p) => Math.floor((n + 2 * p - f) / s) + 1;
const fwdFlops = (sh, m = sh.m) => 2 * m * outSize(sh.h, sh.f, sh.s, sh.p) * outSize(sh.w, sh.f, sh.s, sh.p) * sh.k * sh.f * sh.f * sh.c;

function convlabRuns(cl, sh, reps) {
  const x = cl.randn([sh.m, sh.h, sh.w, sh.c], { seed: 1 });
  const w = cl.randn([sh.f, sh.f, sh.c, sh.k], { seed: 2 });
  const opts = { stride: sh.s, padding: sh.p };
  const fwd = bestOf(() => cl.noGrad(() => cl.conv2d(x, w, opts)), { reps });
  const xg = cl.randn([sh.m, sh.h, sh.w, sh.c], { seed: 1, requiresGrad: true });
  const wg = cl.randn([sh.f, sh.f, sh.c, sh.k], { seed: 2, requiresGrad: true });
  const dy = cl.randn(cl.noGrad(() => cl.conv2d(x, w, opts)).shape, { seed: 3 });
  // time backward() alone: the forward that records the graph runs outside the timed region
  let y = null;
  const bwdOnce = () => {
    xg.grad = null;
    wg.grad = null;
    const t0 = performance.now();
    y.backward(dy);
    return performance.now() - t0;
  };
  let best = Infinity;
  for (let r = 0; r < reps + 2; r++) {
    y = cl.conv2d(xg, wg, opts);
    const t = bwdOnce();
    if (r >= 2) best = Math.min(best, t);
  }
  return { fwd: gflops(fwdFlops(sh), fwd), bwd: gflops(2 * fwdFlops(sh), best) };
}

/** The registry's float32 kernels called directly on preallocated arrays: the kernels' own speed. */
function kernelRuns(kernel, sh, reps) {
  const oh = outSize(sh.h, sh.f, sh.s, sh.p), ow = outSize(sh.w, sh.f, sh.s, sh.p);
  const g = { m: sh.m, h: sh.h, w: sh.w, c: sh.c, k: sh.k, fh: sh.f, fw: sh.f, sh: sh.s, sw: sh.s, dh: 1, dw: 1, padTop: sh.p, padLeft: sh.p, oh, ow };
  const rnd = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
  const x = rnd(sh.m * sh.h * sh.w * sh.c), w = rnd(sh.f * sh.f * sh.c * sh.k), dy = rnd(sh.m * oh * ow * sh.k);
  const y = new Float32Array(dy.length), dx = new Float32Array(x.length), dw = new Float32Array(w.length);
  const [fwd, gi, gf] = [kernel("conv2d", "float32"), kernel("conv2dGradInput", "float32"), kernel("conv2dGradFilter", "float32")];
  const tf = bestOf(() => fwd(x, w, y, g), { reps });
  const tb = bestOf(() => {
    gi(dy, w, dx, g);
    gf(x, dy, dw, g);
  }, { reps });
  return { fwd: gflops(fwdFlops(sh), tf), bwd: gflops(2 * fwdFlops(sh), tb) };
}

async function tfjsRuns(sh, backend, reps, backward = true) {
  const tf = await import("@tensorflow/tfjs");
  if (backend === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(require.resolve("@tensorflow/tfjs-backend-wasm").replace(/[^/]+$/, ""));
  }
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) throw new Error(`bench conv: tfjs backend ${backend} did not start`);
  // the cpu backend runs at ~0.5 GFLOP/s: shrink its batch to keep each call under ~0.5 s
  const m = backend === "cpu" ? Math.max(1, Math.min(sh.m, Math.floor((sh.m * 0.25e9) / fwdFlops(sh)))) : sh.m;
  const x = tf.randomNormal([m, sh.h, sh.w, sh.c]);
  const w = tf.randomNormal([sh.f, sh.f, sh.c, sh.k]);
  const pad = sh.p === 0 ? "valid" : [[0, 0], [sh.p, sh.p], [sh.p, sh.p], [0, 0]];
  const conv = (a, b) => tf.conv2d(a, b, sh.s, pad);
  const r = reps;
  const slow = backend === "cpu" ? { reps: 2, warmup: 1, warmupMs: 0 } : { reps: r };
  // (tf.tidy is avoided: inside it the wasm backend's conv ran ~30× slower here; tensors are disposed by hand)
  const once = (fn) => () => {
    const out = fn();
    for (const t of Array.isArray(out) ? out : [out]) {
      t.dataSync();
      t.dispose();
    }
  };
  const fwd = bestOf(once(() => conv(x, w)), slow);
  const y0 = conv(x, w);
  const dy = tf.randomNormal(y0.shape);
  y0.dispose();
  const out = { batch: m, fwd: gflops(fwdFlops(sh, m), fwd), bwd: null, dx: null };
  if (!backward) {
    tf.dispose([x, w]);
    return out;
  }
  // input gradient alone (tfjs-wasm has no Conv2DBackpropFilter kernel)
  const dxMs = bestOf(once(() => tf.grad((a) => conv(a, w))(x, dy)), slow);
  out.dx = gflops(fwdFlops(sh, m), dxMs);
  try {
    const g = tf.grads((a, b) => conv(a, b));
    const bwd = bestOf(once(() => g([x, w], dy)), slow);
    out.bwd = gflops(2 * fwdFlops(sh, m), bwd);
  } catch (e) {
    out.bwdError = String(e.message ?? e).split("\n")[0];
  }
  tf.dispose([x, w, dy]);
  return out;
}

async function onnxRun(sh, threads, reps) {
  const ort = require("onnxruntime-node");
  const { convModel } = await import("./peers/onnx-conv.mjs");
  const oh = outSize(sh.h, sh.f, sh.s, sh.p), ow = outSize(sh.w, sh.f, sh.s, sh.p);
  const weights = Float32Array.from({ length: sh.k * sh.c * sh.f * sh.f }, () => Math.random() - 0.5);
  const model = convModel({ m: sh.m, c: sh.c, h: sh.h, w: sh.w, k: sh.k, fh: sh.f, fw: sh.f, sh: sh.s, sw: sh.s, dh: 1, dw: 1, pads: [sh.p, sh.p, sh.p, sh.p], oh, ow }, weights);
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: "all" });
  const X = new ort.Tensor("float32", Float32Array.from({ length: sh.m * sh.c * sh.h * sh.w }, () => Math.random()), [sh.m, sh.c, sh.h, sh.w]);
  const ms = await bestOfAsync(() => session.run({ X }), { reps });
  await session.release?.();
  return gflops(fwdFlops(sh), ms);
}

/** Installs torch from the local wheels into .venv (behind --install-torch). */
export function installTorch(py) {
  console.log("installing torch into .venv from /opt/wheels …");
  const r = spawnSync(py, ["-m", "pip", "install", "-q", "--find-links", "/opt/wheels", "torch"], {
    stdio: "inherit", env: { ...process.env, PIP_INDEX_URL: process.env.PIP_INDEX_URL ?? "file:///opt/pypi/simple" },
  });
  if (r.status !== 0) console.log("torch install failed: the PyTorch column stays empty");
}

function torchRuns(threads, reps, install) {
  const py = venvPython();
  if (!py) return { error: "no .venv (run npm run setup)" };
  const has = () => spawnSync(py, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  if (!has() && install) installTorch(py);
  if (!has()) return { error: "torch is not importable from .venv (npm run bench -- conv --install-torch)" };
  const req = JSON.stringify({ threads, reps, shapes: SHAPES });
  const r = spawnSync(py, ["-W", "ignore", join(root, "bench", "peers", "torch_conv.py")], { input: req, encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) return { error: `torch_conv.py failed: ${r.stderr.split("\n").slice(-3).join(" ")}` };
  return JSON.parse(r.stdout);
}

/**
 * The issue's goals, each with the measured numbers; a goal that lies above the roofline measured
 * in the same run says so.
 */
function checkGoals(results, peak) {
  const by = Object.fromEntries(results.map((r) => [r.name, r]));
  const out = [];
  const roof = (name, dir, frac) => {
    const v = by[name][dir].convlab;
    out.push({ ok: v >= frac * peak.wasm_all, text: `${dir} ${name} ≥ ${frac * 100} % of wasm_all: ${num(v)} vs ${num(frac * peak.wasm_all)} (${num((100 * v) / peak.wasm_all, 0)} %)` });
  };
  const peer = (name, factor) => {
    const v = by[name].fwd.convlab, t = by[name].fwd.tfjs_wasm;
    if (t == null) return out.push({ ok: false, text: `fwd ${name} ≥ ${factor}× tfjs-wasm: tfjs-wasm did not run` });
    const above = factor * t > peak.wasm_all ? ` — this goal (${num(factor * t)}) lies above the roofline wasm_all ${num(peak.wasm_all)}` : "";
    out.push({ ok: v >= factor * t, text: `fwd ${name} ≥ ${factor}× tfjs-wasm: ${num(v)} vs ${num(t)} (${ratio(v, t)})${above}` });
  };
  roof("S2", "fwd", 0.7);
  roof("S4", "fwd", 0.7);
  roof("S1", "fwd", 0.5);
  roof("S3", "fwd", 0.5);
  peer("S2", 1.5);
  peer("S4", 1.5);
  peer("S1", 1.2);
  peer("S3", 1.2);
  roof("S2", "bwd", 0.4);
  roof("S4", "bwd", 0.4);
  return out;
}

export async function run({ quick = false, full = false, installTorch: install = false } = {}) {
  const m0 = machine();
  const threads = m0.cores;
  const reps = quick ? 3 : 12;
  const { cl, currentEngine, probeGflops, kernel } = await convlabKernels("conv", threads);
  const eng = currentEngine();
  console.log(`\nconv2d GFLOP/s on ${m0.cpu}, ${threads} cores, Node ${m0.node}; load average ${m0.load1} at start`);
  // the probe runs before and after the shapes; the better of the two counts (a burst of load
  // from other processes would otherwise set the roofline)
  const probe = () => ({ wasm_1t: probeGflops(eng, 1, 4_000_000, 15), wasm_all: probeGflops(eng, threads, 4_000_000, 15) });
  const peak = probe();

  const torch = torchRuns(2, reps, install);
  if (torch.error) console.log(`PyTorch: ${torch.error}`);
  // two rounds over the shapes (one with --quick); each cell keeps the better round, so a burst
  // of load from other processes does not decide a figure
  const rounds = quick ? 1 : 2;
  const results = SHAPES.map((sh) => ({ name: sh.name, fwd: {}, bwd: {}, tfjs_cpu_batch: null }));
  const keep = (obj, key, v) => {
    if (v != null && !(obj[key] >= v)) obj[key] = v;
    else if (!(key in obj)) obj[key] = v ?? null;
  };
  for (let round = 0; round < rounds; round++)
    for (const [i, sh] of SHAPES.entries()) {
      const r = results[i];
      const ours = convlabRuns(cl, sh, reps);
      const kern = kernelRuns(kernel, sh, reps);
      const tw = await tfjsRuns(sh, "wasm", reps);
      const onnx = await onnxRun(sh, threads, reps);
      keep(r.fwd, "convlab", ours.fwd);
      keep(r.bwd, "convlab", ours.bwd);
      keep(r.fwd, "convlab_kernels", kern.fwd);
      keep(r.bwd, "convlab_kernels", kern.bwd);
      keep(r.fwd, "tfjs_wasm", tw.fwd);
      keep(r.bwd, "tfjs_wasm", tw.bwd);
      keep(r.bwd, "tfjs_wasm_dx_only", tw.dx);
      keep(r.fwd, "onnxruntime", onnx);
      r.bwd.onnxruntime = null;
      if (round === 0) {
        // once: tfjs cpu (its backward runs at ~0.03 GFLOP/s, minutes per shape: only with --full)
        const tc = await tfjsRuns(sh, "cpu", reps, full);
        r.fwd.tfjs_cpu = tc.fwd;
        r.bwd.tfjs_cpu = tc.bwd;
        r.tfjs_cpu_batch = tc.batch;
        const pt = torch.results?.[sh.name] ?? null;
        r.fwd.pytorch = pt?.fwd ?? null;
        r.bwd.pytorch = pt?.bwd ?? null;
      }
    }
  const after = probe();
  console.log(`WASM SIMD roofline probe (f32x4 mul+add, 13 independent chains): 1 thread ${num(peak.wasm_1t)} before, ${num(after.wasm_1t)} after; ${threads} threads ${num(peak.wasm_all)} before, ${num(after.wasm_all)} after`);
  peak.wasm_1t = Math.max(peak.wasm_1t, after.wasm_1t);
  peak.wasm_all = Math.max(peak.wasm_all, after.wasm_all);
  const m1 = machine();
  const pct = (v) => (v == null ? "–" : `${((100 * v) / peak.wasm_all).toFixed(0)} %`);
  console.log("\nForward (GFLOP/s; ratios are convlab ÷ peer). convlab = cl.conv2d under noGrad (allocation included); kernels = the float32 kernel on preallocated arrays");
  printTable(
    ["shape", "convlab", "% of wasm_all", "kernels", "tfjs-wasm (1 thr)", "÷ tfjs-wasm", "onnxruntime", "÷ ort", "PyTorch 2 thr", "÷ PyTorch", "tfjs cpu"],
    results.map((r) => [r.name, num(r.fwd.convlab), pct(r.fwd.convlab), num(r.fwd.convlab_kernels), num(r.fwd.tfjs_wasm), ratio(r.fwd.convlab, r.fwd.tfjs_wasm), num(r.fwd.onnxruntime), ratio(r.fwd.convlab, r.fwd.onnxruntime), num(r.fwd.pytorch), ratio(r.fwd.convlab, r.fwd.pytorch), num(r.fwd.tfjs_cpu, 2)]),
  );
  console.log("\nBackward = input + filter gradient (GFLOP/s at 2× the forward flops). convlab = y.backward(dy) through autograd; kernels = the two gradient kernels");
  printTable(
    ["shape", "convlab", "% of wasm_all", "kernels", "% of wasm_all", "tfjs-wasm", "tfjs-wasm dx only", "PyTorch 2 thr", "÷ PyTorch", "tfjs cpu"],
    results.map((r) => [r.name, num(r.bwd.convlab), pct(r.bwd.convlab), num(r.bwd.convlab_kernels), pct(r.bwd.convlab_kernels), r.bwd.tfjs_wasm == null ? "no filter grad" : num(r.bwd.tfjs_wasm), num(r.bwd.tfjs_wasm_dx_only), num(r.bwd.pytorch), ratio(r.bwd.convlab, r.bwd.pytorch), num(r.bwd.tfjs_cpu, 2)]),
  );
  const goals = checkGoals(results, peak);
  console.log("\nGoals of the performance issue (all threads; convlab = public API):");
  for (const g of goals) console.log(`  ${g.ok ? "met    " : "NOT met"} ${g.text}`);
  console.log(`\nBest of ${reps} runs per figure${rounds > 1 ? `, better of ${rounds} rounds (PyTorch and tfjs cpu: one)` : ""}.`);
  console.log(`shapes: ${SHAPES.map((s) => `${s.name} ${s.note}`).join("; ")}. tfjs cpu ran at batch ${results.map((r) => r.tfjs_cpu_batch).join("/")} (GFLOP/s barely depends on it). Load average at the end ${m1.load1}.`);
  return {
    peak,
    shapes: results.map(({ name, fwd, bwd }) => ({ name, fwd, bwd })),
    goals,
    machine: { ...m0, load1_end: m1.load1, threads, pytorch: torch.version ?? null },
  };
}
