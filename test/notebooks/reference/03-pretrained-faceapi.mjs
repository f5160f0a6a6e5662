// face-api's own pipeline (dist/face-api.node-wasm.js on tfjs-wasm, the same weight files) on the
// pictures of notebooks/03-pretrained.ipynb: the reference numbers pinned in
// test/notebooks/expected/03-pretrained.json. Independent of convlab's nets (convlab only decodes
// the two image files). Run after `node scripts/build.mjs`:
//   node test/notebooks/reference/03-pretrained-faceapi.mjs
import { createRequire } from "node:module";
import { join } from "node:path";
const ROOT = join(import.meta.dirname, "../../..");
const require = createRequire(join(ROOT, "package.json"));
const tf = require("@tensorflow/tfjs");
require("@tensorflow/tfjs-backend-wasm");
const faceapi = require("@vladmandic/face-api/dist/face-api.node-wasm.js");
const cl = await import(join(ROOT, "dist/index.js"));
await tf.setBackend("wasm"); await tf.ready();
const MODEL = join(ROOT, "node_modules/@vladmandic/face-api/model");
for (const n of ["tinyFaceDetector", "ssdMobilenetv1", "faceLandmark68Net", "faceRecognitionNet"]) await faceapi.nets[n].loadFromDisk(MODEL);
const toTf = (img) => tf.tensor3d(Float32Array.from(img.data, (v) => Math.fround(v * 255)), img.shape, "float32");
const A = toTf(cl.io.readImage(join(ROOT, "notebooks/data/astronaut.png"), { channels: 3 }));
const H = toTf(cl.io.readImage(join(ROOT, "notebooks/data/grace_hopper.jpg"), { channels: 3 }));
const tiny = new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
const corners = (d) => ({ x1: d.box.x, y1: d.box.y, x2: d.box.x + d.box.width, y2: d.box.y + d.box.height });
const iou = (a, b) => { const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)), h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1)); const i = w * h; return i / ((a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - i); };
const crop = (t, b) => { const [h, w] = t.shape; const x0 = Math.max(0, Math.round(b.x1)), y0 = Math.max(0, Math.round(b.y1)); const x1 = Math.min(w, Math.round(b.x2)), y1 = Math.min(h, Math.round(b.y2)); return { image: tf.slice(t, [y0, x0, 0], [y1 - y0, x1 - x0, 3]), x0, y0 }; };
const out = {};
for (const [name, img] of [["astronaut", A], ["hopper", H]]) {
  const f = await faceapi.nets.tinyFaceDetector.locateFaces(img, tiny);
  const b = corners(f[0]);
  const c = crop(img, b);
  const lm = await faceapi.nets.faceLandmark68Net.detectLandmarks(c.image);
  const p = lm.positions[30];
  out[name] = { faces: f.length, score: f[0].score, box: b, nose: [p.x + c.x0, p.y + c.y0], crop: c };
}
const ssd = await faceapi.nets.ssdMobilenetv1.locateFaces(H, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }));
out.ssdHopper = { faces: ssd.length, score: ssd[0].score, iouWithTiny: iou(corners(ssd[0]), out.hopper.box) };
const fA = out.astronaut.crop.image, fH = out.hopper.crop.image;
const [fh, fw] = fA.shape;
const desc = async (t) => Array.from(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(t));
const dA = await desc(fA);
const variants = {
  mirrored: tf.reverse(fA, 1),
  tighter: tf.slice(fA, [6, 6, 0], [fh - 12, fw - 12, 3]),
  colours: tf.clipByValue(tf.add(fA, tf.tensor1d([0.08 * 255, -0.08 * 255, 0.08 * 255])), 0, 255),
  hopper: fH,
};
out.distances = {};
for (const [k, t] of Object.entries(variants)) out.distances[k] = faceapi.euclideanDistance(dA, await desc(t));
delete out.astronaut.crop; delete out.hopper.crop;
console.log(JSON.stringify(out, null, 1));
