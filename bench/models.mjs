// `npm run bench -- models`: whole networks. Forward latency of VGG-16 and ResNet-50 at 224×224×3,
// batch 1 (cl.models.vgg16 / resnet50, predict), and training images/s of ResNet-18 at 64×64×3,
// batch 32 (SGD with momentum through model.fit, as a user trains: forward in training mode,
// softmax cross-entropy, backward, update per batch), next to
// PyTorch CPU (2 threads; torch from .venv — --install-torch puts it there from the local wheels —
// or from the python named by CONVLAB_BENCH_PYTHON) and @tensorflow/tfjs-backend-wasm
// (forward, the same nets built with tf.layers). Each library runs in its own process (peers'
// thread pools keep spinning after a run). Goals (issue "week 2"): ResNet-18 training ≥ 0.4× PyTorch's
// images/s; forward ≥ 1.5× tfjs-wasm's speed. --quick: fewer repetitions.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { bestOf, num, ratio, printTable, machine, venvPython, root, runWorker, workerMain, tfjsWasm } from "./lib.mjs";
import { installTorch } from "./conv.mjs";

const THREADS = 2;
const TRAIN = { batch: 32, size: 64 };


// ---------------------------------------------------------------------------------------------
// workers

const worker = (name, opts) => runWorker(import.meta.url, name, opts, { threads: THREADS });

async function convlabWorker({ reps, quick }) {
  const cl = await import("../dist/index.js");
  cl.setThreads(THREADS);
  const out = { backend: cl.kernelBackend(), threads: cl.getThreads() };
  for (const [name, make] of [["vgg16", () => cl.models.vgg16({ seed: 0 })], ["resnet50", () => cl.models.resnet50({ seed: 0 })]]) {
    let t = performance.now();
    const model = make();
    const buildMs = performance.now() - t;
    const x = cl.randn([1, 224, 224, 3], { seed: 1 });
    const forwardMs = bestOf(() => model.predict(x), { reps, warmup: 1, warmupMs: 0 });
    out[name] = { params: model.summary().totalParams, buildMs, forwardMs };
  }
  // training as a user runs it: model.fit, one epoch of `steps` batches (after one warm-up batch)
  const model = cl.models.resnet18({ inputShape: [TRAIN.size, TRAIN.size, 3], seed: 0 });
  const optimizer = cl.train.sgd({ lr: 0.01, momentum: 0.9 });
  const steps = quick ? 2 : 4;
  const n = TRAIN.batch * steps;
  const x = cl.randn([n, TRAIN.size, TRAIN.size, 3], { seed: 2 });
  const y = cl.tensor(Array.from({ length: n }, (_, i) => (i * 37) % 1000));
  const fitOpts = { optimizer, loss: "softmaxCrossEntropy", epochs: 1, batchSize: TRAIN.batch, shuffle: false };
  await model.fit({ x: cl.slice(x, [0], [TRAIN.batch]), y: cl.slice(y, [0], [TRAIN.batch]) }, fitOpts);
  const t = performance.now();
  await model.fit({ x, y }, fitOpts);
  out.resnet18 = { params: model.summary().totalParams, trainImagesPerSecond: n / ((performance.now() - t) / 1e3) };
  cl.shutdownThreads();
  return out;
}

/** VGG-16 and ResNet-50 in tf.layers (NHWC; the same layers and padding as convlab's). */
function tfjsNets(tf) {
  const L = tf.layers;
  const vgg = () => {
    const m = tf.sequential();
    let first = true;
    for (const v of [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]) {
      if (v === "M") m.add(L.maxPooling2d({ poolSize: 2, strides: 2 }));
      else m.add(L.conv2d({ filters: v, kernelSize: 3, padding: "same", activation: "relu", ...(first ? { inputShape: [224, 224, 3] } : {}) }));
      first = false;
    }
    m.add(L.flatten());
    m.add(L.dense({ units: 4096, activation: "relu" }));
    m.add(L.dense({ units: 4096, activation: "relu" }));
    m.add(L.dense({ units: 1000 }));
    return m;
  };
  const resnet50 = () => {
    const inp = tf.input({ shape: [224, 224, 3] });
    const cbn = (x, filters, size, stride, relu) => {
      // explicit symmetric padding as torchvision (tfjs "same" pads asymmetrically at stride 2)
      const p = (size - 1) / 2;
      let h = p ? L.zeroPadding2d({ padding: p }).apply(x) : x;
      h = L.conv2d({ filters, kernelSize: size, strides: stride, useBias: false }).apply(h);
      h = L.batchNormalization({ epsilon: 1e-5 }).apply(h);
      return relu ? L.activation({ activation: "relu" }).apply(h) : h;
    };
    let h = cbn(inp, 64, 7, 2, true);
    h = L.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }).apply(h);
    let c = 64;
    [3, 4, 6, 3].forEach((n, stage) => {
      const planes = [64, 128, 256, 512][stage];
      for (let b = 0; b < n; b++) {
        const s = stage > 0 && b === 0 ? 2 : 1;
        let z = cbn(h, planes, 1, 1, true);
        z = cbn(z, planes, 3, s, true);
        z = cbn(z, planes * 4, 1, 1, false);
        const short = s !== 1 || c !== planes * 4 ? cbn(h, planes * 4, 1, s, false) : h;
        h = L.activation({ activation: "relu" }).apply(L.add().apply([short, z]));
        c = planes * 4;
      }
    });
    h = L.globalAveragePooling2d({}).apply(h);
    return tf.model({ inputs: inp, outputs: L.dense({ units: 1000 }).apply(h) });
  };
  return { vgg16: vgg, resnet50 };
}

async function tfjsWorker({ reps }) {
  const { tf, wasm } = await tfjsWasm(THREADS);
  const out = { backend: "wasm", threads: typeof wasm.getThreadsCount === "function" ? wasm.getThreadsCount() : null };
  const nets = tfjsNets(tf);
  for (const name of ["vgg16", "resnet50"]) {
    const model = nets[name]();
    const x = tf.randomNormal([1, 224, 224, 3]);
    const forwardMs = bestOf(() => {
      const y = model.predict(x);
      y.dataSync();
      y.dispose();
    }, { reps, warmup: 1, warmupMs: 0 });
    out[name] = { params: model.countParams(), forwardMs };
    model.dispose();
    x.dispose();
  }
  return out;
}

function torchRun({ reps, quick, install }) {
  const py = process.env.CONVLAB_BENCH_PYTHON || venvPython();
  if (!py) return { error: "no .venv (run npm run setup) and no CONVLAB_BENCH_PYTHON" };
  const has = () => spawnSync(py, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  if (!has() && install && !process.env.CONVLAB_BENCH_PYTHON) installTorch(py);
  if (!has()) return { error: `torch is not importable from ${py} (npm run bench -- models --install-torch, or CONVLAB_BENCH_PYTHON=<a python with torch>)` };
  const r = spawnSync(py, ["-B", "-W", "ignore", join(root, "bench", "peers", "torch_models.py")], { input: JSON.stringify({ threads: THREADS, reps, quick }), encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) return { error: `torch_models.py failed: ${r.stderr.trim().split("\n").slice(-3).join(" ")}` };
  return JSON.parse(r.stdout);
}

// ---------------------------------------------------------------------------------------------

export async function run({ quick = false, installTorch: install = false } = {}) {
  const reps = quick ? 2 : 4;
  const m0 = machine();
  console.log(`\nWhole networks (${THREADS} threads each, one process per library); load average ${m0.load1} at start`);
  const convlab = worker("convlab", { reps, quick });
  const tfjs = worker("tfjs", { reps });
  const torch = torchRun({ reps, quick, install });
  for (const [n, r] of [["convlab", convlab], ["tfjs-wasm", tfjs], ["PyTorch", torch]]) if (r.error) console.log(`  ${n}: ${r.error}`);
  const get = (r, net, key) => r?.[net]?.[key] ?? null;
  const rows = ["vgg16", "resnet50"].map((net) => {
    const c = get(convlab, net, "forwardMs"), t = get(tfjs, net, "forwardMs"), p = get(torch, net, "forwardMs");
    return [`${net} forward 224×224 b1 (ms)`, num(c), num(t), num(p), ratio(t, c), ratio(p, c)];
  });
  const ci = get(convlab, "resnet18", "trainImagesPerSecond"), pi = get(torch, "resnet18", "trainImagesPerSecond");
  rows.push([`resnet18 train ${TRAIN.size}×${TRAIN.size} b${TRAIN.batch} (images/s)`, num(ci), "–", num(pi), "–", ratio(ci, pi)]);
  printTable(["", "convlab", "tfjs-wasm", "PyTorch", "convlab speed vs tfjs (goal ≥ 1.5×)", "vs PyTorch (train goal ≥ 0.4×)"], rows);
  const params = ["vgg16", "resnet50", "resnet18"].map((n) => `${n} ${get(convlab, n, "params")} / ${get(tfjs, n, "params") ?? "–"} / ${get(torch, n, "params") ?? "–"}`);
  console.log(`  parameters (convlab / tfjs / PyTorch): ${params.join("; ")}`);
  if (convlab.vgg16) console.log(`  convlab construction today (weights allocated and initialised): vgg16 ${num(convlab.vgg16.buildMs / 1e3, 2)} s, resnet50 ${num(convlab.resnet50.buildMs / 1e3, 2)} s`);
  console.log(`  convlab kernels: ${convlab.backend ?? "?"} ×${convlab.threads ?? "?"}; tfjs-wasm threads: ${tfjs.threads ?? "?"}; PyTorch ${torch.torch ?? "–"} ×${torch.threads ?? "–"}`);
  return { models: { convlab, tfjs, torch, machine: { ...m0, load1_end: machine().load1 } } };
}

await workerMain({ convlab: convlabWorker, tfjs: tfjsWorker });
