// Child of modeldir.test.ts: saves a model folder (model.save(dir)) in a loop, version after
// version (every weight filled with the version, meta { version }), until killed (60 s at most).
import * as cl from "../../../src/index.js";

const dir = process.argv[2]!;
const start = Number(process.argv[3] ?? 0);
const m = cl.nn.sequential([cl.nn.dense({ units: 256 }), cl.nn.dense({ units: 512 })], { inputShape: [512], seed: 1 });
process.stdout.write("ready\n");
const deadline = Date.now() + 60_000;
for (let v = start; Date.now() < deadline; v++) {
  const sd = m.stateDict();
  m.loadStateDict(Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, cl.full(t.shape, v)])));
  m.save(dir, { version: v });
}
