// The full plain-vs-residual depth experiment of notebooks/04-case-studies.ipynb (the settings its
// CONVLAB_FULL=1 branch uses), run outside Jupyter: writes notebooks/figures/depth-experiment.json
// (the rows of cl.train.residualVsPlain) and depth-experiment.svg (training error vs depth).
// Needs dist/ (node scripts/build.mjs) and Fashion-MNIST (Debian dataset-fashion-mnist).
//   node scripts/depth-experiment.mjs
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import * as cl from "../dist/index.js";

export const FULL = { trainImages: 1000, testImages: 500, depths: [8, 20, 32, 56], widths: [8, 16, 32], epochs: 3, batchSize: 32, seed: 0 };

const dir = join(import.meta.dirname, "..", "notebooks", "figures");
mkdirSync(dir, { recursive: true });
const train = cl.io.loadFashionMnist({ limit: FULL.trainImages, seed: 0 });
const test = cl.io.loadFashionMnist({ split: "test", limit: FULL.testImages, seed: 0 });
const t0 = Date.now();
const rows = await cl.train.residualVsPlain({
  train, test, depths: FULL.depths, widths: FULL.widths, epochs: FULL.epochs, batchSize: FULL.batchSize, seed: FULL.seed,
  onResult: (r) => console.log(`${r.name}: training error ${r.trainError.toFixed(3)}, test error ${r.testError?.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`),
});
const out = rows.map(({ epochs, ...r }) => ({ ...r, epochLoss: epochs.map((e) => e.loss) }));
writeFileSync(join(dir, "depth-experiment.json"), JSON.stringify({ settings: FULL, seconds: (Date.now() - t0) / 1000, rows: out }, null, 1) + "\n");
const series = (residual) => ({ name: residual ? "residual" : "plain", x: rows.filter((r) => r.residual === residual).map((r) => r.depth), y: rows.filter((r) => r.residual === residual).map((r) => r.trainError) });
const plot = cl.inspect.linePlot({ title: `Fashion-MNIST, ${FULL.trainImages} images, ${FULL.epochs} epochs`, xLabel: "layers", yLabel: "training error", series: [series(false), series(true)] });
writeFileSync(join(dir, "depth-experiment.svg"), plot.toSvg() + "\n");
console.log(plot.toString());
cl.shutdownThreads();
