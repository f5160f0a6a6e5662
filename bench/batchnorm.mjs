// `npm run bench -- batchnorm`: cl.batchNorm (float32) in ns per element, forward in training
// (batch statistics + normalise) and inference, and the backward (dx, dγ, dβ), on cifarResnet's
// activation shapes: the WASM kernels on 2 and 1 threads next to the TypeScript reference kernels,
// in one process (compare the ratio, not the absolute figures, on a busy machine).
import { bestOf, num, ratio, printTable, machine } from "./lib.mjs";

const SHAPES = [[32, 32, 32, 16], [32, 16, 16, 32], [32, 8, 8, 64]];

function measure(cl, shape, reps) {
  const c = shape[3];
  const x = cl.randn(shape, { seed: 1, requiresGrad: true });
  const g = cl.rand([c], { seed: 2, low: 0.5, high: 1.5, requiresGrad: true }), b = cl.randn([c], { seed: 3, requiresGrad: true });
  const st = { runningMean: cl.zeros([c]), runningVar: cl.ones([c]) };
  const dy = cl.randn(shape, { seed: 4 });
  const perEl = (ms) => (ms * 1e6) / x.size;
  const train = bestOf(() => cl.batchNorm(x, g, b, { training: true, ...st }), { reps });
  const infer = bestOf(() => cl.noGrad(() => cl.batchNorm(x, g, b, { training: false, ...st })), { reps });
  const y = cl.batchNorm(x, g, b, { training: true, ...st });
  const back = bestOf(() => y.node.backward(dy), { reps });
  return [perEl(train), perEl(infer), perEl(back)];
}

export async function run({ quick = false } = {}) {
  const cl = await import("../dist/index.js");
  const reps = quick ? 7 : 25;
  const m = machine();
  console.log(`\nbatchNorm float32, ns per element (best of ${reps}); load average ${m.load1} at start`);
  const rows = [], result = { machine: m, shapes: [] };
  for (const shape of SHAPES) {
    cl.useWasmKernels();
    cl.setThreads(2);
    const w2 = measure(cl, shape, reps);
    cl.setThreads(1);
    const w1 = measure(cl, shape, reps);
    cl.setThreads(m.cores);
    cl.useReferenceKernels();
    const ts = measure(cl, shape, reps);
    cl.useWasmKernels();
    const parts = ["forward (training)", "forward (inference)", "backward"];
    parts.forEach((p, i) => rows.push([`[${shape}]`, p, num(w2[i], 2), num(w1[i], 2), num(ts[i], 2), ratio(ts[i], w2[i])]));
    result.shapes.push({ shape, wasm2: w2, wasm1: w1, ts });
  }
  printTable(["x", "pass", "wasm, 2 threads", "wasm, 1 thread", "TS reference", "TS / wasm 2"], rows);
  return { batchnorm: result };
}
