// `npm run bench -- style`: neural style transfer at 128×128 for 200 steps (--quick: 20, reported
// per step and scaled to 200) on the MobileNetV1 stack: convlab (face-api's pretrained weights,
// cl.style.transfer), PyTorch CPU (2 threads; the same layer stack — TensorFlow "same" padding,
// ReLU6, batch-norm in inference mode — with random weights, the same costs and Adam on the
// pixels; torch from .venv, --install-torch puts it there from the local wheels) and
// @tensorflow/tfjs-backend-wasm (the same stack in tf.layers, tf.grad on the pixels: only input
// gradients are needed). Each library in its own process. Goals (issue 17): ≤ 60 s for 200 steps
// on 2 cores, ≤ 2× PyTorch's time, ≥ 3× faster than tfjs-wasm.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { num, ratio, printTable, machine, venvPython, root, runWorker, workerMain, tfjsWasm } from "./lib.mjs";
import { installTorch } from "./conv.mjs";

const THREADS = 2;
const SIZE = 128;
const STYLE = ["conv0_relu", "conv1_pw_relu", "conv3_pw_relu", "conv5_pw_relu"];
const CONTENT = "conv5_pw_relu";
const STRIDES = [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1];
const WIDTHS = [64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024];


const worker = (name, opts) => runWorker(import.meta.url, name, opts, { threads: THREADS });

async function convlabWorker({ steps }) {
  const cl = await import("../dist/index.js");
  cl.setThreads(THREADS);
  const net = await cl.models.pretrained.mobilenetV1({ inputSize: SIZE });
  const content = cl.io.readImage(join(root, "notebooks", "data", "astronaut.png"));
  const style = cl.io.readImage(join(root, "notebooks", "data", "brick.png"), { channels: 3 });
  const opts = { content, style, extractor: net, preprocess: (x) => x.mul(2).sub(1), contentLayer: CONTENT, styleLayers: STYLE, size: SIZE, lr: 0.02, seed: 0, progress: false, previewEvery: 0 };
  await cl.style.transfer({ ...opts, steps: 2 }); // warm-up (V8 and WASM tier-up)
  const t = performance.now();
  const r = await cl.style.transfer({ ...opts, steps });
  const ms = performance.now() - t;
  cl.shutdownThreads();
  return { backend: cl.kernelBackend(), threads: cl.getThreads(), steps, msPerStep: ms / steps, j0: r.history[0].total, jEnd: r.history.at(-1).total };
}

async function tfjsWorker({ steps }) {
  const { tf, wasm } = await tfjsWasm(THREADS);
  const L = tf.layers;
  const inp = tf.input({ shape: [SIZE, SIZE, 3] });
  const relu6 = (x, name) => L.reLU({ maxValue: 6, name }).apply(x);
  let h = relu6(L.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: "same" }).apply(inp), "conv0_relu");
  const outs = { conv0_relu: h };
  WIDTHS.forEach((f, i) => {
    h = L.depthwiseConv2d({ kernelSize: 3, strides: STRIDES[i], padding: "same", useBias: false }).apply(h);
    h = relu6(L.batchNormalization({ epsilon: 1e-3 }).apply(h));
    h = relu6(L.conv2d({ filters: f, kernelSize: 1 }).apply(h), `conv${i + 1}_pw_relu`);
    outs[`conv${i + 1}_pw_relu`] = h;
  });
  const names = [...new Set([CONTENT, ...STYLE])];
  const model = tf.model({ inputs: inp, outputs: names.map((n) => outs[n]) });
  model.trainable = false; // weights as constants: only input gradients (tfjs-wasm has no Conv2DBackpropFilter)
  const C = tf.randomUniform([1, SIZE, SIZE, 3]), S = tf.randomUniform([1, SIZE, SIZE, 3], 0, 1, "float32", 1);
  const feats = (x) => Object.fromEntries(model.predict(x.mul(2).sub(1)).map((t, i) => [names[i], t]));
  const gram = (a) => { const [, hh, ww, c] = a.shape; const A = a.reshape([hh * ww, c]); return tf.matMul(A, A, true, false); };
  const fC = feats(C), fS = feats(S);
  const gS = Object.fromEntries(STYLE.map((n) => [n, gram(fS[n])]));
  const cost = (g) => tf.tidy(() => {
    const f = feats(g);
    const [, hh, ww, c] = f[CONTENT].shape;
    let j = f[CONTENT].sub(fC[CONTENT]).square().sum().div(4 * hh * ww * c).mul(10);
    for (const n of STYLE) {
      const [, a, b, k] = f[n].shape;
      j = j.add(gram(f[n]).sub(gS[n]).square().sum().div((2 * a * b * k) ** 2).mul(40 / STYLE.length));
    }
    return j;
  });
  const G = tf.variable(C.clone());
  const opt = tf.train.adam(0.02);
  const step = () => { const v = opt.minimize(() => cost(G), true, [G]); v.dataSync(); v.dispose(); };
  try {
    step();
  } catch (e) {
    // tfjs's tape evaluates every input's gradient of an op (the filter's too, even for constant
    // weights), and the wasm backend has no Conv2DBackpropFilter kernel
    return { error: `tfjs-wasm cannot run the loop: ${String(e.message ?? e).split("\n")[0]}` };
  }
  const t = performance.now();
  for (let i = 0; i < steps; i++) step();
  return { backend: "wasm", threads: typeof wasm.getThreadsCount === "function" ? wasm.getThreadsCount() : null, steps, msPerStep: (performance.now() - t) / steps };
}

function torchRun({ steps, install }) {
  const py = process.env.CONVLAB_BENCH_PYTHON || venvPython();
  if (!py) return { error: "no .venv (run npm run setup) and no CONVLAB_BENCH_PYTHON" };
  const has = () => spawnSync(py, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  if (!has() && install && !process.env.CONVLAB_BENCH_PYTHON) installTorch(py);
  if (!has()) return { error: `torch is not importable from ${py} (npm run bench -- style --install-torch)` };
  const r = spawnSync(py, ["-B", "-W", "ignore", join(root, "bench", "peers", "torch_style.py")], {
    input: JSON.stringify({ threads: THREADS, steps, size: SIZE, strides: STRIDES, widths: WIDTHS }), encoding: "utf8", maxBuffer: 1 << 20,
  });
  if (r.status !== 0) return { error: `torch_style.py failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}` };
  return JSON.parse(r.stdout);
}

export async function run({ quick = false, installTorch: install = false } = {}) {
  const steps = quick ? 20 : 200;
  const m0 = machine();
  console.log(`\nStyle transfer ${SIZE}×${SIZE}, MobileNetV1 stack, ${steps} steps (${THREADS} threads each, one process per library); load average ${m0.load1} at start`);
  const convlab = worker("convlab", { steps });
  const torch = torchRun({ steps, install });
  const tfjs = worker("tfjs", { steps: Math.min(steps, 20) });
  for (const [n, r] of [["convlab", convlab], ["tfjs-wasm", tfjs], ["PyTorch", torch]]) if (r.error) console.log(`  ${n}: ${r.error}`);
  const per = (r) => r?.msPerStep ?? null;
  const s200 = (r) => (per(r) == null ? null : (per(r) * 200) / 1e3);
  printTable(
    ["", "convlab", "PyTorch", "tfjs-wasm", "convlab vs PyTorch (goal ≤ 2×)", "tfjs-wasm / convlab (goal ≥ 3×)"],
    [
      ["ms per step", num(per(convlab)), num(per(torch)), num(per(tfjs)), ratio(per(convlab), per(torch)), ratio(per(tfjs), per(convlab))],
      ["s for 200 steps (goal ≤ 60 s)", num(s200(convlab)), num(s200(torch)), num(s200(tfjs)), "", ""],
    ],
  );
  if (convlab.j0 !== undefined) console.log(`  convlab J(G): ${num(convlab.j0, 3)} → ${num(convlab.jEnd, 3)} over ${steps} steps (pretrained weights; the peers use random weights of the same stack)`);
  return { style: { convlab, torch, tfjs, machine: { ...m0, load1_end: machine().load1 } } };
}

await workerMain({ convlab: convlabWorker, tfjs: tfjsWorker });
