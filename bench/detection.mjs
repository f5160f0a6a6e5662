// `npm run bench -- detection` (issue 15): on the seeded synthetic scenes (32×32, 3 shape classes,
// 1–2 objects), YOLO (k-means anchors, cl.detection.yoloNet) trained to convergence — mAP@0.5
// on held-out scenes (goal ≥ 0.9) and wall time — then R-CNN (selective search → 16×16 crops →
// CNN with box deltas) — mAP and time per image next to YOLO's — and the pretrained tiny face
// detector decoded by cl.detection.yoloDecode next to face-api's locateFaces on tfjs-wasm (same
// weights, the astronaut portrait). --quick: smaller training runs.
import { join } from "node:path";
import { bestOf, num, ratio, printTable, machine, root, runWorker, faceApiWasm } from "./lib.mjs";

const SIZE = 32, S = 4, K = 3;
const SCENES = { size: SIZE, classes: K, maxObjects: 2, minSide: 0.25, maxSide: 0.5 };

const truthOf = (objects) => objects.flatMap((o, i) => o.map((g) => ({ ...g, imageId: i })));
const pick = (cl, x, i) => cl.slice(x, [i, 0, 0, 0], [1, SIZE, SIZE, 3]);

const worker = (kind, reps) => runWorker(import.meta.url, kind, undefined, { arg: String(reps) });

async function yolo(cl, { n, epochs, filters, test }) {
  const t0 = Date.now();
  const train = cl.data.synthetic.shapes({ n, ...SCENES, seed: 1 });
  const cell = SIZE / S;
  const { anchors } = cl.detection.kmeansAnchors(train.objects.flat().map((o) => ({ width: (o.box.x2 - o.box.x1) / cell, height: (o.box.y2 - o.box.y1) / cell })), 2, { seed: 0 });
  const y = cl.detection.yoloEncode(train.objects, { grid: S, anchors, classes: K, width: SIZE, height: SIZE });
  const net = cl.detection.yoloNet({ size: SIZE, grid: S, anchors, classes: K, filters, seed: 0 });
  await net.fit({ x: train.x, y }, { optimizer: cl.train.adam({ lr: 6e-3 }), loss: (o, t) => cl.detection.yoloLoss(o, t, { anchors }), epochs, batchSize: 32, seed: 0 });
  const trainS = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const dets = cl.detection.yoloDecode(net.predict(test.x), { anchors, width: SIZE, height: SIZE, scoreThreshold: 0.01 });
  const preds = dets.flatMap((d, i) => cl.detection.nms(d, { scoreThreshold: 0.01 }).map((q) => ({ ...q, imageId: i })));
  const msPerImage = (Date.now() - t1) / test.x.shape[0];
  return { mAP: cl.detection.meanAveragePrecision(preds, truthOf(test.objects)).mAP, trainS, msPerImage };
}

async function rcnn(cl, { n, epochs, test }) {
  const t0 = Date.now();
  const train = cl.data.synthetic.shapes({ n, ...SCENES, seed: 1 });
  const proposals = { ks: [50, 150], minSize: 10, sigma: 0.5 };
  const set = cl.detection.rcnnTrainingSet(train.x, train.objects, { classes: K, cropSize: 16, proposals, backgroundPerImage: 4, seed: 0 });
  const net = cl.nn.sequential([
    cl.nn.conv2d({ filters: 16, size: 3, padding: "same", activation: "relu" }), cl.nn.maxPool2d({ size: 2 }),
    cl.nn.conv2d({ filters: 32, size: 3, padding: "same", activation: "relu" }), cl.nn.maxPool2d({ size: 2 }),
    cl.nn.flatten(), cl.nn.dense({ units: 64, activation: "relu" }), cl.nn.dense({ units: K + 5 }),
  ], { inputShape: [16, 16, 3], seed: 0 });
  await net.fit({ x: set.x, y: set.y }, { optimizer: cl.train.adam({ lr: 2e-3 }), loss: cl.detection.rcnnLoss, epochs, batchSize: 32, seed: 0 });
  const trainS = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  const preds = [];
  for (let i = 0; i < test.x.shape[0]; i++)
    for (const d of cl.detection.rcnnDetect(net, pick(cl, test.x, i), { classes: K, cropSize: 16, proposals, scoreThreshold: 0.01 })) preds.push({ ...d, imageId: i });
  const msPerImage = (Date.now() - t1) / test.x.shape[0];
  return { mAP: cl.detection.meanAveragePrecision(preds, truthOf(test.objects)).mAP, trainS, msPerImage, crops: set.x.shape[0] };
}

async function convlabFace(reps) {
  const cl = await import("../dist/index.js");
  const img = cl.io.readImage(join(root, "notebooks", "data", "astronaut.png"), { channels: 3 });
  const det = await cl.models.pretrained.tinyFaceDetector();
  const run = () => {
    const raw = det.predict(det.preprocess(img));
    return cl.detection.nms(cl.detection.yoloDecode(raw, { anchors: det.anchors, classes: 0, layout: "darknet", width: 512, height: 512 })[0], { scoreThreshold: 0.5, iouThreshold: 0.4 });
  };
  const faces = run();
  return { ms: bestOf(run, { reps, warmup: 2, warmupMs: 0 }), faces: faces.length, score: faces[0]?.score };
}

async function tfjsFace(reps) {
  const { tf, faceapi, dir } = await faceApiWasm();
  await faceapi.nets.tinyFaceDetector.loadFromDisk(dir);
  const cl = await import("../dist/index.js");
  const img = cl.io.readImage(join(root, "notebooks", "data", "astronaut.png"), { channels: 3 });
  const t = tf.tensor3d(Float32Array.from(img.data, (v) => Math.fround(v * 255)), img.shape, "float32");
  const opts = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
  await faceapi.nets.tinyFaceDetector.locateFaces(t, opts);
  const times = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    await faceapi.nets.tinyFaceDetector.locateFaces(t, opts);
    times.push(performance.now() - s);
  }
  return { ms: Math.min(...times) };
}


export async function run({ quick }) {
  const cl = await import("../dist/index.js");
  const m0 = machine();
  const test = cl.data.synthetic.shapes({ n: 200, ...SCENES, seed: 2 });
  console.log(`detection on ${m0.cpu} (${m0.cores} cores, load ${m0.load1})`);
  const y = await yolo(cl, quick ? { n: 600, epochs: 15, filters: 8, test } : { n: 1200, epochs: 25, filters: 16, test });
  console.log(`  YOLO: mAP@0.5 ${y.mAP.toFixed(3)} (goal ≥ 0.9), trained in ${y.trainS.toFixed(1)} s`);
  const r = await rcnn(cl, quick ? { n: 150, epochs: 8, test } : { n: 400, epochs: 15, test });
  console.log(`  R-CNN: mAP@0.5 ${r.mAP.toFixed(3)}, trained in ${r.trainS.toFixed(1)} s on ${r.crops} crops`);
  const reps = quick ? 5 : 15;
  const cf = worker("convlab", reps), tf = worker("tfjs", reps);
  printTable(["", "mAP@0.5", "ms / image"], [
    ["YOLO (convlab)", y.mAP.toFixed(3), num(y.msPerImage)],
    ["R-CNN (convlab)", r.mAP.toFixed(3), num(r.msPerImage)],
    ["tiny face detector, convlab + yoloDecode", "–", cf.error ?? num(cf.ms)],
    ["tiny face detector, face-api tfjs-wasm", "–", tf.error ?? num(tf.ms)],
  ]);
  console.log(`  R-CNN / YOLO time per image: ${ratio(r.msPerImage, y.msPerImage)}; face detector tfjs-wasm / convlab: ${ratio(tf.ms, cf.ms)}; load at end ${machine().load1}`);
  return { detection: { yolo: y, rcnn: r, face: { convlab: cf, tfjs: tf }, machine: { ...m0, load1_end: machine().load1 } } };
}

if (process.argv[2] === "--worker") {
  const reps = Number(process.argv[4] ?? 5);
  const out = process.argv[3] === "convlab" ? await convlabFace(reps) : await tfjsFace(reps);
  console.log(JSON.stringify(out));
  process.exit(0);
}
