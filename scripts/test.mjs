// `npm test`: the same set-up as `npm start` (plus Chromium for the browser tests), then every
// suite in turn. Each suite is a vitest project (see vitest.config.ts); the last line printed is
// the total over all suites, "N passed, N failed".
//   npm test                      all suites
//   npm test -- unit kernel       only these suites
//   npm test -- --no-setup        skip the set-up (when you know it is current)
//   node scripts/test.mjs unit -- test/unit/ops -t conv   everything after a second `--` goes to vitest
// A suite that executes no test (no file matched, or every test was skipped or filtered out)
// counts as one failure, with a line saying why: a suite that is expected to run must run.
import { existsSync, readFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { root, log } from "./lib.mjs";
import { setup } from "./setup.mjs";

export const SUITES = ["unit", "simd", "extension", "kernel", "notebooks", "e2e"];

const argv = process.argv.slice(2);
const dashes = argv.indexOf("--");
const args = dashes < 0 ? argv : argv.slice(0, dashes);
const passThrough = dashes < 0 ? [] : argv.slice(dashes + 1);
const chosen = args.filter((a) => !a.startsWith("-"));
const unknown = chosen.filter((s) => !SUITES.includes(s));
if (unknown.length) {
  log(`unknown suite(s): ${unknown.join(", ")}; the suites are ${SUITES.join(", ")}`);
  process.exit(2);
}
const suites = chosen.length ? chosen : SUITES;

if (!args.includes("--no-setup")) {
  try {
    await setup({ browser: suites.includes("e2e") });
  } catch (e) {
    log(`set-up failed: ${e.message}`);
    console.log("0 passed, 1 failed");
    process.exit(1);
  }
}

const reports = process.env.CONVLAB_TEST_RESULTS ?? join(root, "test-results"); // the runner's own test redirects it
mkdirSync(reports, { recursive: true });
const vitest = join(root, "node_modules", "vitest", "vitest.mjs");
let passed = 0, failed = 0, skipped = 0;
const lines = [];
for (const suite of suites) {
  const file = join(reports, `${suite}.json`);
  rmSync(file, { force: true });
  const t0 = Date.now();
  log(`suite ${suite}`);
  const r = spawnSync(process.execPath, [vitest, "run", "--project", suite, "--reporter=default", "--reporter=json", `--outputFile.json=${file}`, ...passThrough], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, CONVLAB_TEST_SUITE: suite },
  });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  let p = 0, f = 0, s = 0, files = 0;
  if (existsSync(file)) {
    const j = JSON.parse(readFileSync(file, "utf8"));
    p = j.numPassedTests ?? 0;
    f = (j.numFailedTests ?? 0) + filesFailedOutsideTests(j);
    s = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
    files = (j.testResults ?? []).length;
  }
  let why = "";
  if (p + f === 0) {
    // nothing ran: a suite expected to run that checks nothing is a failure, not a pass
    why = files === 0 ? "no test file matched" : `all ${s} test(s) in ${files} file(s) were skipped or filtered out`;
    f = 1;
  } else if (r.status !== 0 && f === 0) {
    f = 1; // the runner failed outside any test (crash, config error)
    why = `vitest exited with status ${r.status} outside any test`;
  }
  passed += p; failed += f; skipped += s;
  lines.push(`${suite}: ${p} passed, ${f} failed, ${s} skipped (${secs} s)${why ? ` — FAILED: ${why}` : ""}`);
}

/** A test file that failed without a failing test (it did not load, a hook threw) counts as one failure. */
function filesFailedOutsideTests(j) {
  return (j.testResults ?? []).filter((t) => t.status === "failed" && !(t.assertionResults ?? []).some((a) => a.status === "failed")).length;
}

console.log("");
for (const l of lines) console.log(l);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
