// `npm run bench -- lenet`: LeNet-5 (cl.models.lenet5, the course's 32×32×3 version) trained with
// model.fit on full MNIST (60,000 images padded to 32×32, gray repeated into 3 channels):
// seconds per epoch and test accuracy after 3 epochs (goal ≥ 99.0 %), and one epoch of the same
// training on the TypeScript reference kernels (useReferenceKernels) in the same run, for the
// speed-up of the WASM kernels (goal ≥ 5×). --quick: 1 epoch, the reference on 1/10 of an epoch.
import { machine, num } from "./lib.mjs";

const BATCH = 64;

/** The functions this benchmark needs from the layer/model/training API, or the missing ones. */
function api(cl) {
  const need = {
    "cl.models.lenet5": cl.models?.lenet5,
    "cl.io.loadMnist": cl.io?.loadMnist,
    "cl.train.adam": cl.train?.adam,
    "model.predictBatched": cl.nn?.Model?.prototype?.predictBatched,
    "cl.argmax": cl.argmax,
  };
  const missing = Object.entries(need).filter(([, f]) => typeof f !== "function").map(([n]) => n);
  return missing;
}

/** Adam at 2e-3, the learning rate cut to 0.3× after every epoch. */
const LR = 2e-3;
const DECAY = 0.3;

/** Trains `epochs` epochs and returns the seconds of each epoch. */
async function train(cl, model, data, epochs) {
  const times = [];
  let t = performance.now();
  const optimizer = cl.train.adam({ lr: LR });
  await model.fit(data, {
    optimizer,
    loss: "softmaxCrossEntropy",
    epochs,
    batchSize: BATCH,
    seed: 0,
    callbacks: {
      onEpochEnd: () => {
        optimizer.lr *= DECAY;
        const now = performance.now();
        times.push((now - t) / 1e3);
        t = now;
      },
    },
  });
  return times;
}

/** Test accuracy from batched predict (logits) and argmax. */
async function accuracy(cl, model, test) {
  const logits = await model.predictBatched(test.x, { batchSize: 500 });
  const pred = cl.argmax(logits, 1).data;
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === test.labels[i]) right++;
  return right / pred.length;
}

export async function run({ quick = false } = {}) {
  const cl = await import("../dist/index.js");
  const missing = api(cl);
  if (missing.length) {
    const error = `not available yet: ${missing.join(", ")} (the LeNet-5 benchmark needs the model and training API)`;
    console.log(`\nLeNet-5 on MNIST: ${error}`);
    return { lenet: { error } };
  }
  const m0 = machine();
  const opts = { pad32: true, channels: 3, normalize: true };
  const trainSet = cl.io.loadMnist({ split: "train", ...opts });
  const testSet = cl.io.loadMnist({ split: "test", ...opts });
  const epochs = quick ? 1 : 3;
  console.log(`\nLeNet-5 (cl.models.lenet5) on MNIST, batch ${BATCH}, Adam ${LR} (×${DECAY} per epoch), ${m0.cores} threads; load average ${m0.load1} at start`);

  cl.useWasmKernels();
  const model = cl.models.lenet5({ seed: 0 });
  const wasmEpochs = await train(cl, model, { x: trainSet.x, y: trainSet.y }, epochs);
  const acc = await accuracy(cl, model, testSet);

  // the same epoch on the reference kernels (a tenth of it with --quick, scaled up)
  const part = quick ? 10 : 1;
  const n = Math.floor(trainSet.x.shape[0] / part);
  const sub = part === 1 ? { x: trainSet.x, y: trainSet.y } : { x: cl.slice(trainSet.x, [0], [n]), y: cl.slice(trainSet.y, [0], [n]) };
  cl.useReferenceKernels();
  let refEpoch;
  try {
    refEpoch = (await train(cl, cl.models.lenet5({ seed: 0 }), sub, 1))[0] * part;
  } finally {
    cl.useWasmKernels();
  }
  const first = wasmEpochs[0];
  const result = {
    epochSeconds: wasmEpochs,
    testAccuracy: acc,
    referenceEpochSeconds: refEpoch,
    speedup: refEpoch / first,
    machine: { ...m0, load1_end: machine().load1 },
  };
  console.log(`  seconds per epoch (WASM kernels): ${wasmEpochs.map((s) => num(s)).join(", ")}`);
  console.log(`  test accuracy after ${epochs} epoch(s): ${(acc * 100).toFixed(2)} % (goal ≥ 99.0 % after 3)`);
  console.log(`  the same epoch on the TypeScript reference kernels: ${num(refEpoch)} s${part > 1 ? ` (1/${part} of it timed, scaled)` : ""} → ${num(result.speedup)}× faster (goal ≥ 5×)`);
  return { lenet: result };
}
