// Child of experiment.test.ts: records an experiment the way a script or notebook does (plain
// Node, `import * as cl`), so that its recorded source reads `cl.…` as a user's would. argv:
// runs-dir mode ("seeded" | "unseeded") seed; prints the run folder.
import * as cl from "../../../src/index.js";

const [dir, mode, seed] = process.argv.slice(2);

const seeded = async (run: cl.io.Run): Promise<unknown> => {
  const x = cl.randn([32, 6, 6, 1], { seed: run.seed + 1 });
  const y = cl.tensor(Array.from({ length: 32 }, (_, i) => i % 2));
  run.dataset("train", { x: x, y: y });
  run.params({ lr: 0.1, epochs: 2, batchSize: 8 });
  const model = cl.nn.sequential([cl.nn.conv2d({ filters: 2, size: 3, activation: "relu" }), cl.nn.dropout({ rate: 0.2 }), cl.nn.flatten(), cl.nn.dense({ units: 2 })], { inputShape: [6, 6, 1], seed: run.seed });
  return run.fit(model, { x: x, y: y }, { optimizer: cl.train.adam({ lr: 0.1 }), epochs: 2, batchSize: 8, seed: run.seed, metrics: ["accuracy"] });
};

const unseeded = async (run: cl.io.Run): Promise<unknown> => {
  const x = cl.tensor(Array.from({ length: 16 * 4 }, () => Math.random()), [16, 4]);
  const y = cl.tensor(Array.from({ length: 16 }, (_, i) => i % 2));
  run.dataset("train", { x: x, y: y });
  const model = cl.nn.sequential([cl.nn.dense({ units: 2 })], { inputShape: [4], seed: run.seed });
  return run.fit(model, { x: x, y: y }, { optimizer: cl.train.sgd({ lr: 0.1 }), epochs: 1, batchSize: 4, seed: run.seed });
};

const r = await cl.experiment(mode === "seeded" ? "tiny-cnn" : "unseeded", mode === "seeded" ? seeded : unseeded, { seed: Number(seed), dir: dir! });
process.stdout.write(r.dir + "\n");
cl.shutdownThreads();
