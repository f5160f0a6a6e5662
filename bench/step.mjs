// `npm run bench -- step`: where a training step's time goes. For LeNet-5 (cl.models.lenet5, the
// course variant, batch 64) and a small ResNet (cl.models.cifarResnet depth 8 on 32×32×3, batch 32;
// with --full also ResNet-18 at 64×64, batch 32): milliseconds per step in the forward (per layer
// type), the backward (per op of the tape), the optimizer (Adam) and autograd bookkeeping (the part
// of forward/backward outside the layers' computations and the ops' backward closures: graph
// walking, gradient accumulation, zeroGrad), GC pauses (from perf_hooks), and the typed arrays a
// step allocates (counted in one extra, untimed step). Then a LeNet-5 epoch through model.fit on
// random data next to PyTorch (2 threads, in its own process, when .venv has torch or
// CONVLAB_PYTHON names a Python with it), two epochs each, alternating, the faster counting:
// 6,400 examples by default, 60,000 with --full.
import { PerformanceObserver, constants } from "node:perf_hooks";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { machine, num, printTable, root, venvPython } from "./lib.mjs";

const LR = 1e-3;

/** Leaf layers of a model (layers without sub-layers), depth first. */
function leaves(layer, out = []) {
  const subs = layer.layers;
  if (Array.isArray(subs) && subs.length) for (const l of subs) leaves(l, out);
  else out.push(layer);
  return out;
}

/** Adds `ms` to `map[key]`. */
const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);

/** Wraps each leaf layer's compute with a timer keyed by its type (returns the undo). */
function timeLayers(model, acc) {
  const undo = [];
  for (const l of leaves(model)) {
    const orig = l.compute;
    if (typeof orig !== "function") continue;
    l.compute = function (...a) {
      const t = performance.now();
      try {
        return orig.apply(this, a);
      } finally {
        if (acc.on) add(acc.fwd, l.type, performance.now() - t);
      }
    };
    undo.push(() => delete l.compute);
  }
  return () => undo.forEach((f) => f());
}

/** Wraps the backward closure of every node of the graph below `loss` with a timer keyed by op. */
function timeBackward(loss, acc) {
  const seen = new Set();
  const stack = [loss];
  while (stack.length) {
    const t = stack.pop();
    if (seen.has(t) || !t.node) continue;
    seen.add(t);
    const node = t.node, orig = node.backward, op = node.op;
    node.backward = (g) => {
      const s = performance.now();
      try {
        return orig(g);
      } finally {
        add(acc.bwd, op, performance.now() - s);
      }
    };
    for (const i of node.inputs) stack.push(i);
  }
}

/** Counts the typed arrays (and their bytes) created with a length while `fn` runs. */
function countAllocations(fn) {
  // a Proxy, not a subclass, so that `instanceof Float32Array` stays true for existing arrays
  const saved = { Float32Array: globalThis.Float32Array, Float64Array: globalThis.Float64Array };
  const c = { arrays: 0, bytes: 0 };
  for (const [name, Base] of Object.entries(saved)) {
    globalThis[name] = new Proxy(Base, {
      construct(target, a, newTarget) {
        const arr = Reflect.construct(target, a, newTarget);
        if (typeof a[0] === "number" || Array.isArray(a[0])) {
          c.arrays++;
          c.bytes += arr.byteLength;
        }
        return arr;
      },
    });
  }
  try {
    fn();
  } finally {
    Object.assign(globalThis, saved);
  }
  return c;
}

/** Profiles `steps` training steps of `model` on one fixed batch; returns per-step ms by part. */
async function profile(cl, model, x, labels, steps) {
  const params = model.trainableParameters();
  const opt = cl.train.adam({ lr: LR });
  const gc = [];
  const obs = new PerformanceObserver((list) => gc.push(...list.getEntries()));
  obs.observe({ entryTypes: ["gc"] });
  const acc = { on: false, fwd: new Map(), bwd: new Map() };
  const undo = timeLayers(model, acc);
  const tot = { forward: 0, backward: 0, optimizer: 0, zero: 0, step: 0 };
  const windows = [];
  const one = (timed) => {
    const t0 = performance.now();
    for (const p of params) p.grad = null;
    const t1 = performance.now();
    acc.on = timed;
    const loss = cl.softmaxCrossEntropy(model.forward(x, { training: true }), labels);
    loss.item();
    const t2 = performance.now();
    acc.on = false;
    if (timed) timeBackward(loss, acc);
    const t3 = performance.now();
    loss.backward();
    const t4 = performance.now();
    opt.step(params);
    const t5 = performance.now();
    if (timed) {
      tot.zero += t1 - t0;
      tot.forward += t2 - t1;
      tot.backward += t4 - t3;
      tot.optimizer += t5 - t4;
      tot.step += t5 - t0 - (t3 - t2);
      windows.push([t0, t5]);
    }
  };
  for (let i = 0; i < 3; i++) one(false); // warm-up: WASM tiers, worker pool, optimizer state
  for (let i = 0; i < steps; i++) one(true);
  undo();
  await new Promise((r) => setTimeout(r, 100)); // the gc entries arrive asynchronously
  gc.push(...obs.takeRecords());
  obs.disconnect();
  let gcMs = 0;
  for (const e of gc) if (windows.some(([a, b]) => e.startTime >= a && e.startTime <= b)) gcMs += e.duration;
  const per = (v) => v / steps;
  const fwdLayers = [...acc.fwd].map(([k, v]) => [k, per(v)]).sort((a, b) => b[1] - a[1]);
  const bwdOps = [...acc.bwd].map(([k, v]) => [k, per(v)]).sort((a, b) => b[1] - a[1]);
  const fwdIn = fwdLayers.reduce((s, [, v]) => s + v, 0);
  const bwdIn = bwdOps.reduce((s, [, v]) => s + v, 0);
  return {
    stepMs: per(tot.step),
    forwardMs: per(tot.forward),
    backwardMs: per(tot.backward),
    optimizerMs: per(tot.optimizer),
    bookkeepingMs: per(tot.forward) - fwdIn + per(tot.backward) - bwdIn + per(tot.zero),
    gcMs: per(gcMs),
    // counted later, after every timed run: the counting Proxy leaves the allocation sites slower
    countAllocations: () => countAllocations(() => one(false)),
    forwardByLayer: Object.fromEntries(fwdLayers),
    backwardByOp: Object.fromEntries(bwdOps),
  };
}

function printProfile(title, p) {
  console.log(`\n${title}: ${num(p.stepMs, 2)} ms per step`);
  const pct = (v) => `${((100 * v) / p.stepMs).toFixed(1)} %`;
  const rows = [];
  rows.push(["forward (all)", num(p.forwardMs, 2), pct(p.forwardMs)]);
  for (const [k, v] of Object.entries(p.forwardByLayer)) rows.push([`  fwd ${k}`, num(v, 2), pct(v)]);
  rows.push(["backward (all)", num(p.backwardMs, 2), pct(p.backwardMs)]);
  for (const [k, v] of Object.entries(p.backwardByOp)) rows.push([`  bwd ${k}`, num(v, 2), pct(v)]);
  rows.push(["optimizer (Adam)", num(p.optimizerMs, 2), pct(p.optimizerMs)]);
  rows.push(["autograd bookkeeping", num(p.bookkeepingMs, 2), pct(p.bookkeepingMs)]);
  rows.push(["GC pauses (inside the above)", num(p.gcMs, 2), pct(p.gcMs)]);
  printTable(["part", "ms/step", "share"], rows);
}

/** The Python that has torch: CONVLAB_PYTHON, else .venv's. */
function python() {
  return process.env.CONVLAB_PYTHON || venvPython();
}

function torchEpoch(n) {
  const py = python();
  if (!py) return { error: "no .venv (node scripts/setup.mjs) and no CONVLAB_PYTHON" };
  const r = spawnSync(py, ["-W", "ignore", join(root, "bench", "peers", "torch_step.py")], {
    input: JSON.stringify({ n, batch: 64, threads: 2, lr: LR }),
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) return { error: `torch_step.py failed: ${(r.stderr || "").trim().split("\n").slice(-2).join(" ")}` };
  return JSON.parse(r.stdout.trim().split("\n").at(-1));
}

/** A LeNet-5 model and its data for `epoch`: warmed up on 5 batches, as torch_step.py does. */
async function lenetSetup(cl, n) {
  const x = cl.randn([n, 32, 32, 3], { seed: 1 });
  const y = cl.tensor(Array.from({ length: n }, (_, i) => (i * 7919) % 10), [n]); // class ids
  const model = cl.models.lenet5({ seed: 0 });
  const optimizer = cl.train.adam({ lr: LR });
  // warm-up on a few batches so the WASM tiers and the pool are up, as torch's 5 steps
  await model.fit({ x: cl.slice(x, [0], [320]), y: cl.slice(y, [0], [320]) }, { optimizer, loss: "softmaxCrossEntropy", epochs: 1, batchSize: 64, seed: 0 });
  return { x, y, model, optimizer };
}

/** Runs `fn`, returning its seconds, CPU ms (process.cpuUsage: every thread, V8's GC threads included) and GC pauses (ms, count of mark-compacts). */
async function timed(fn) {
  const gc = [];
  const obs = new PerformanceObserver((list) => gc.push(...list.getEntries()));
  obs.observe({ entryTypes: ["gc"] });
  const c0 = process.cpuUsage(), t = performance.now();
  await fn();
  const sec = (performance.now() - t) / 1e3, c = process.cpuUsage(c0);
  await new Promise((r) => setTimeout(r, 100)); // the gc entries arrive asynchronously
  gc.push(...obs.takeRecords());
  obs.disconnect();
  const major = gc.filter((e) => e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
  return { sec, cpuMs: (c.user + c.system) / 1e3, gcMs: gc.reduce((a, e) => a + e.duration, 0), markCompacts: major.length };
}

async function lenetEpoch(s, n) {
  const steps = Math.ceil(n / 64);
  const r = await timed(() => s.model.fit({ x: s.x, y: s.y }, { optimizer: s.optimizer, loss: "softmaxCrossEntropy", epochs: 1, batchSize: 64, seed: 0 }));
  return { epochSeconds: r.sec, stepMs: (r.sec / steps) * 1e3, cpuMsPerStep: r.cpuMs / steps, gcMsPerStep: r.gcMs / steps, markCompacts: r.markCompacts };
}

/**
 * The raw step (the profile's loop: one fixed batch, no metrics) as many times as the epoch has
 * batches, yielding to the event loop like fit: the figure to set the epoch against. The profile's
 * 20 steps start from a fresh heap and rarely meet a mark-compact; a long run settles where V8
 * counts the ArrayBuffers a step allocates (7 MiB for LeNet-5) against the old generation's limit
 * and marks every few steps, in a raw loop as in fit.
 */
async function lenetRawSteps(cl, s, n) {
  const steps = Math.ceil(n / 64);
  const params = s.model.trainableParameters();
  const x = cl.slice(s.x, [0], [64]), labels = new Int32Array(64).map((_, i) => (i * 31) % 10);
  const r = await timed(async () => {
    for (let i = 0; i < steps; i++) {
      for (const p of params) p.grad = null;
      const loss = cl.softmaxCrossEntropy(s.model.forward(x, { training: true }), labels);
      loss.item();
      loss.backward();
      s.optimizer.step(params);
      await new Promise((res) => setImmediate(res));
    }
  });
  for (const p of params) p.grad = null;
  return { epochSeconds: r.sec, stepMs: (r.sec / steps) * 1e3, cpuMsPerStep: r.cpuMs / steps, gcMsPerStep: r.gcMs / steps, markCompacts: r.markCompacts };
}

/** The faster of two results (by epochSeconds), an error only if both failed. */
const best = (a, b) => (a.error ? b : b.error ? a : a.epochSeconds <= b.epochSeconds ? a : b);

export async function run({ quick = false, full = false, noEpoch = false } = {}) {
  const cl = await import("../dist/index.js");
  cl.useWasmKernels();
  const m0 = machine();
  const steps = quick ? 5 : 20;
  console.log(`\nTraining-step profile (Adam, WASM kernels, ${m0.cores} threads); load average ${m0.load1} at start; ${steps} steps each`);
  const labels = (m, k) => new Int32Array(m).map((_, i) => (i * 31) % k);
  const result = { machine: m0 };

  const lenet = cl.models.lenet5({ seed: 0 });
  result.lenetStep = await profile(cl, lenet, cl.randn([64, 32, 32, 3], { seed: 2 }), labels(64, 10), steps);
  printProfile("LeNet-5 (course), batch 64", result.lenetStep);

  const res = cl.models.cifarResnet({ depth: 8, inputShape: [32, 32, 3], seed: 0 });
  result.resnet8Step = await profile(cl, res, cl.randn([32, 32, 32, 3], { seed: 3 }), labels(32, 10), steps);
  printProfile("cifarResnet depth 8 (32×32×3), batch 32", result.resnet8Step);

  if (full) {
    const r18 = cl.models.resnet18({ inputShape: [64, 64, 3], classes: 10, seed: 0 });
    result.resnet18Step = await profile(cl, r18, cl.randn([32, 64, 64, 3], { seed: 4 }), labels(32, 10), 3);
    printProfile("ResNet-18 (64×64×3), batch 32", result.resnet18Step);
  }

  const profiles = [["LeNet-5", result.lenetStep], ["cifarResnet-8", result.resnet8Step], ["ResNet-18", result.resnet18Step]].filter(([, p]) => p);
  for (const [, p] of profiles) {
    p.allocations = p.countAllocations();
    delete p.countAllocations;
  }
  console.log("\nTyped arrays allocated per step (after warm-up; counted in one extra, untimed step):");
  printTable(["model", "arrays", "MiB"], profiles.map(([n, p]) => [n, String(p.allocations.arrays), (p.allocations.bytes / 2 ** 20).toFixed(2)]));
  if (noEpoch) return { step: result };
  const n = full ? 60000 : 6400;
  // two epochs each, alternating convlab and PyTorch, the faster of each counts (the load drifts)
  const setup = await lenetSetup(cl, n);
  let mine = { error: "not run" }, torch = { error: "not run" }, raw = { error: "not run" };
  for (let r = 0; r < 2; r++) {
    mine = best(mine, await lenetEpoch(setup, n));
    raw = best(raw, await lenetRawSteps(cl, setup, n));
    torch = best(torch, torchEpoch(n));
  }
  result.lenetEpoch = { n, convlab: mine, rawSteps: raw, pytorch: torch };
  console.log(`\nLeNet-5 epoch via model.fit, ${n} random examples, batch 64, Adam (faster of 2 alternating runs each):`);
  printTable(
    ["", "seconds", "ms/step", "vs PyTorch (goal ≤ 1.5×)"],
    [
      ["convlab", num(mine.epochSeconds, 2), num(mine.stepMs, 2), torch.error ? "–" : `${(mine.epochSeconds / torch.epochSeconds).toFixed(2)}×`],
      [torch.error ? `PyTorch: ${torch.error}` : `PyTorch ${torch.version}, 2 threads`, num(torch.epochSeconds, 2), num(torch.stepMs, 2), ""],
    ],
  );
  console.log(`\nThe same number of raw steps (one fixed batch, no metrics, yielding like fit) next to the fit epoch; CPU of every thread, GC pauses:`);
  printTable(
    ["", "seconds", "ms/step", "CPU ms/step", "GC ms/step", "mark-compacts"],
    [["model.fit", mine], [`raw steps (${Math.ceil(n / 64)})`, raw]].map(([k, v]) => [k, num(v.epochSeconds, 2), num(v.stepMs, 2), num(v.cpuMsPerStep, 2), num(v.gcMsPerStep, 2), String(v.markCompacts)]),
  );
  result.machine.load1_end = machine().load1;
  return { step: result };
}
