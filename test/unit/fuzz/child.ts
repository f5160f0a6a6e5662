// The fuzz suite's child process (see api-fuzz.test.ts): builds the seeded cases and runs them
// from FUZZ_FROM on, reporting on fd 3 "S <i>" before a case and "R <i> <json>" after it.
import { writeSync } from "node:fs";
import * as cl from "../../../src/index.js";
import { buildCases, judge } from "./cases.js";

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const cases = buildCases(cl, { seed: env("FUZZ_SEED", 1), generic: env("FUZZ_GENERIC", 8), perArgument: env("FUZZ_PER_ARGUMENT", 6) });
const say = (line: string): void => {
  writeSync(3, line + "\n");
};
say(`N ${cases.length}`);
for (let i = env("FUZZ_FROM", 0); i < cases.length; i++) {
  const c = cases[i]!;
  say(`S ${i} ${JSON.stringify({ path: c.path, kind: c.kind, args: c.describe })}`);
  cl.manualSeed(0);
  cl.runtime.setRuntime({});
  const problem = await judge(cl, c);
  say(`R ${i} ${JSON.stringify(problem)}`);
}
say("D");
// Worker threads of the kernels' pool may still be alive.
process.exit(0);
