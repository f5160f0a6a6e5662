// `npm run bench -- pretrained`: face-api's networks in convlab (cl.models.pretrained, 2 threads)
// next to face-api itself on @tensorflow/tfjs-backend-wasm (dist/face-api.node-wasm.js, the same
// weights), each library in its own process. Per net: latency of one image (an RGB image of the
// net's input size: preprocessing + forward, best of N) and images/s at batch 8 (8 images
// preprocessed and run as one batch). The MobileNetV1 backbone is not exported by face-api: its tfjs column
// runs the same ops on face-api's loaded parameters (as the test's reference does).
// Goal (issue 13): every net ≥ 1.5× tfjs-wasm's speed. --quick: fewer repetitions.
import { bestOf, num, ratio, printTable, machine, runWorker, faceApiWasm, workerMain } from "./lib.mjs";

const THREADS = 2;
const BATCH = 8;
const NETS = [
  // name, convlab loader, face-api net, input size
  ["tinyFaceDetector", "tinyFaceDetector", 416],
  ["faceLandmark68", "faceLandmark68Net", 112],
  ["faceLandmark68Tiny", "faceLandmark68TinyNet", 112],
  ["faceRecognition", "faceRecognitionNet", 150],
  ["mobilenetV1", "ssdMobilenetv1", 512],
];


const worker = (name, opts) => runWorker(import.meta.url, name, opts, { threads: THREADS });

async function convlabWorker({ reps }) {
  const cl = await import("../dist/index.js");
  cl.setThreads(THREADS);
  const out = { backend: cl.kernelBackend(), threads: cl.getThreads() };
  for (const [name, , size] of NETS) {
    const net = await cl.models.pretrained[name]();
    const img = cl.rand([size, size, 3], { seed: 1 });
    const oneMs = bestOf(() => net.predict(net.preprocess(img)), { reps, warmup: 1, warmupMs: 0 });
    const images = Array.from({ length: BATCH }, (_, i) => cl.rand([size, size, 3], { seed: 2 + i }));
    const batchMs = bestOf(() => net.predict(cl.concat(images.map((im) => net.preprocess(im)), 0)), { reps: Math.max(1, reps - 1), warmup: 1, warmupMs: 0 });
    out[name] = { oneMs, imagesPerSecond: BATCH / (batchMs / 1e3) };
  }
  cl.shutdownThreads();
  return out;
}

async function tfjsWorker({ reps }) {
  const { tf, wasm, faceapi, dir } = await faceApiWasm(THREADS);
  const out = { backend: "wasm", threads: typeof wasm.getThreadsCount === "function" ? wasm.getThreadsCount() : null };
  const mobilenet = (x, p) => {
    const pw = (h, q, s) => tf.clipByValue(tf.add(tf.conv2d(h, q.filters, s, "same"), q.batch_norm_offset), 0, 6);
    let h = pw(x, p.conv_0, 2);
    for (let i = 1; i <= 13; i++) {
      const d = p[`conv_${i}`].depthwise_conv;
      h = tf.clipByValue(tf.batchNorm(tf.depthwiseConv2d(h, d.filters, [2, 4, 6, 12].includes(i) ? 2 : 1, "same"), d.batch_norm_mean, d.batch_norm_variance, d.batch_norm_offset, d.batch_norm_scale, 0.001), 0, 6);
      h = pw(h, p[`conv_${i}`].pointwise_conv, 1);
    }
    return h;
  };
  for (const [name, refName, size] of NETS) {
    const net = faceapi.nets[refName];
    await net.loadFromDisk(dir);
    const img = tf.randomUniform([size, size, 3], 0, 255);
    const images = Array.from({ length: BATCH }, () => tf.randomUniform([size, size, 3], 0, 255));
    const forward = name === "mobilenetV1"
      ? (t) => tf.tidy(() => mobilenet(tf.sub(tf.div(t.rank === 3 ? tf.expandDims(t) : t, 127.5), 1), net.params.mobilenetv1))
      : name === "tinyFaceDetector" ? (t) => tf.tidy(() => net.forwardInput(new faceapi.NetInput(Array.isArray(t) ? t : [t]), size))
      : (t) => tf.tidy(() => net.forwardInput(new faceapi.NetInput(Array.isArray(t) ? t : [t])));
    const batchOf = name === "mobilenetV1" ? tf.stack(images) : images;
    const oneMs = bestOf(() => { const y = forward(img); y.dataSync(); y.dispose(); }, { reps, warmup: 1, warmupMs: 0 });
    const batchMs = bestOf(() => { const y = forward(batchOf); y.dataSync(); y.dispose(); }, { reps: Math.max(1, reps - 1), warmup: 1, warmupMs: 0 });
    out[name] = { oneMs, imagesPerSecond: BATCH / (batchMs / 1e3) };
  }
  return out;
}

export async function run({ quick = false } = {}) {
  const reps = quick ? 3 : 6;
  const m0 = machine();
  console.log(`\nPretrained face-api nets (${THREADS} threads each, one process per library); load average ${m0.load1} at start`);
  const convlab = worker("convlab", { reps });
  const tfjs = worker("tfjs", { reps });
  for (const [n, r] of [["convlab", convlab], ["tfjs-wasm", tfjs]]) if (r.error) console.log(`  ${n}: ${r.error}`);
  const rows = NETS.map(([name, , size]) => {
    const c = convlab[name], t = tfjs[name];
    return [`${name} ${size}×${size}`, num(c?.oneMs), num(t?.oneMs), ratio(t?.oneMs, c?.oneMs), num(c?.imagesPerSecond), num(t?.imagesPerSecond), ratio(c?.imagesPerSecond, t?.imagesPerSecond)];
  });
  printTable(["", "convlab 1 image (ms)", "tfjs-wasm (ms)", "speed vs tfjs (goal ≥ 1.5×)", `convlab b${BATCH} (images/s)`, "tfjs-wasm (images/s)", "vs tfjs"], rows);
  console.log(`  convlab kernels: ${convlab.backend ?? "?"} ×${convlab.threads ?? "?"}; tfjs-wasm threads: ${tfjs.threads ?? "?"}; load average at end ${machine().load1}`);
  return { pretrained: { convlab, tfjs, machine: { ...m0, load1_end: machine().load1 } } };
}

await workerMain({ convlab: convlabWorker, tfjs: tfjsWorker });
