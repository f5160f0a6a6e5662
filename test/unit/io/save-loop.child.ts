// Child of kill-during-save.test.ts: saves checkpoints to argv[2] in a loop, version after
// version (tensor "w" of N values all equal to the version, meta { version }), until killed
// (or for 60 s at most, should the test die first).
import { saveTensors } from "../../../src/io/checkpoint.js";
import { Tensor } from "../../../src/tensor/tensor.js";

const path = process.argv[2]!;
const n = Number(process.argv[3] ?? 1 << 20);
const start = Number(process.argv[4] ?? 0);
process.stdout.write("ready\n");
const deadline = Date.now() + 60_000;
for (let v = start; Date.now() < deadline; v++) saveTensors(path, { w: new Tensor(new Float32Array(n).fill(v), [n]) }, { version: v });
