// `npm run bench -- kernel`: the convlab kernel next to plain tslab 1.0.22 in the same run, both
// started as Jupyter starts them (a connection file, ZeroMQ) in a temporary folder outside the
// repository: start (process spawn → the first execute_reply of `1 + 1`) and a trivial cell's
// round trip (execute_request → execute_reply and idle). Variants: convlab as installed, without
// the preload of convlab (CONVLAB_KERNEL_PRELOAD=0; the difference is what preloading costs),
// without the V8 code cache of the TypeScript compiler (CONVLAB_KERNEL_CODE_CACHE=0), and with the
// libraries' documentation read at start (CONVLAB_KERNEL_LAZY_DOCS=0); for convlab also the first
// inspection (which loads that documentation) and a later one. Starts are
// interleaved across variants; the best start is the headline figure (as in the other benchmarks:
// the machine is shared, and other processes only ever add time), the median is shown beside it.
// Then plain tslab and convlab again in this repository's notebooks/, where `npm start` starts
// kernels (a folder inside a project, with node_modules above it). Last, output throughput: 20,000
// one-line prints in one cell on convlab and ipykernel from .venv (time to the last
// byte at the client, share of the bytes delivered).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { machine, num, printTable, root } from "./lib.mjs";

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

export async function run(options = {}) {
  const { KernelClient } = await import(pathToFileURL(join(root, "kernel", "dist", "client.js")).href);
  const { kernelSpec } = await import(pathToFileURL(join(root, "kernel", "dist", "kernelspec.js")).href);
  const convlabArgv = kernelSpec().argv;
  const tslabArgv = [process.execPath, join(root, "node_modules", "tslab", "bin", "tslab"), "kernel", "--config-path", "{connection_file}"];
  const variants = [
    { name: "tslab 1.0.22", argv: tslabArgv, env: {} },
    { name: "convlab", argv: convlabArgv, env: {} },
    { name: "convlab, no preload", argv: convlabArgv, env: { CONVLAB_KERNEL_PRELOAD: "0" } },
    { name: "convlab, no code cache", argv: convlabArgv, env: { CONVLAB_KERNEL_CODE_CACHE: "0" } },
    { name: "convlab, docs at start", argv: convlabArgv, env: { CONVLAB_KERNEL_LAZY_DOCS: "0" } },
  ];
  const starts = options.quick ? 3 : 7;
  const cells = options.quick ? 20 : 60;
  const dir = mkdtempSync(join(tmpdir(), "convlab-bench-kernel-"));
  const env = { ...process.env, JUPYTER_CONFIG_DIR: join(dir, "cfg"), JUPYTER_DATA_DIR: join(dir, "data"), JUPYTER_RUNTIME_DIR: join(dir, "rt") };
  const startMs = new Map(variants.map((v) => [v.name, []]));
  const cellMs = new Map(variants.map((v) => [v.name, []]));
  const inspectMs = { first: [], next: [] };
  let prints;

  async function once(v, measureCells) {
    const t0 = performance.now();
    const k = await KernelClient.start({ argv: v.argv, cwd: v.cwd ?? dir, env: { ...env, ...v.env } });
    try {
      const first = await k.execute("1 + 1");
      if (first.reply.content.status !== "ok") throw new Error(`${v.name}: first cell failed: ${JSON.stringify(first.reply.content)}`);
      startMs.get(v.name).push(performance.now() - t0);
      if (measureCells) {
        for (let i = 0; i < 5; i++) await k.execute("1 + 1");
        for (let i = 0; i < cells; i++) {
          const s = performance.now();
          await k.execute("1 + 1");
          cellMs.get(v.name).push(performance.now() - s);
        }
      }
      if (v.name === "convlab") {
        // the first inspection loads the library documentation (see docs/kernel.md)
        for (const key of ["first", "next"]) {
          const s = performance.now();
          const r = await k.request("inspect_request", { code: "Math.max(1, 2)", cursor_pos: 6, detail_level: 0 });
          if (!String(r.reply.content.data?.["text/plain"] ?? "").includes("Returns the larger")) throw new Error(`inspect without documentation: ${JSON.stringify(r.reply.content)}`);
          inspectMs[key].push(performance.now() - s);
        }
      }
    } finally {
      await k.shutdown();
    }
  }

  const inNotebooks = variants.slice(0, 2).map((v) => ({ ...v, name: `${v.name}, in notebooks/`, cwd: join(root, "notebooks") }));
  for (const v of inNotebooks) startMs.set(v.name, []);
  try {
    // one start of each to write the code cache and warm the file system, not counted
    for (const v of variants) await once(v, false);
    for (const v of variants) startMs.get(v.name).length = 0;
    for (let r = 0; r < starts; r++) for (const v of variants) await once(v, r === 0);
    for (let r = 0; r < Math.min(starts, 5); r++) for (const v of inNotebooks) await once(v, false);
    prints = await printFlood({ env, dir, convlabArgv, reps: options.quick ? 3 : 5 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const best = Object.fromEntries([...variants, ...inNotebooks].map((v) => [v.name, Math.min(...startMs.get(v.name))]));
  const start = Object.fromEntries([...variants, ...inNotebooks].map((v) => [v.name, median(startMs.get(v.name))]));
  const cell = Object.fromEntries(variants.slice(0, 2).map((v) => [v.name, median(cellMs.get(v.name))]));
  const cellP90 = Object.fromEntries(variants.slice(0, 2).map((v) => [v.name, quantile(cellMs.get(v.name), 0.9)]));
  const m = machine();
  console.log(`\nkernel start and trivial-cell round trip (${m.cpu}, ${m.cores} cores, load ${m.load1}, node ${m.node}); ${starts} starts each, ${cells} cells\n`);
  printTable(
    ["kernel", "start → first execute_reply, best (ms)", "median (ms)", "trivial cell, median (ms)", "p90 (ms)"],
    [...variants, ...inNotebooks].map((v) => [v.name, num(best[v.name], 0), num(start[v.name], 0), num(cell[v.name]), num(cellP90[v.name])]),
  );
  const overhead = cell["convlab"] - cell["tslab 1.0.22"];
  const preload = best["convlab"] - best["convlab, no preload"];
  const codeCache = best["convlab, no code cache"] - best["convlab"];
  const lazyDocs = best["convlab, docs at start"] - best["convlab"];
  const firstInspect = median(inspectMs.first);
  const nextInspect = median(inspectMs.next);
  console.log(`\nconvlab per-cell overhead over plain tslab: ${num(overhead)} ms (goal ≤ 5)`);
  console.log(`convlab start ${num(best["convlab"], 0)} ms, plain tslab ${num(best["tslab 1.0.22"], 0)} ms (goal ≤ 1500); preloading convlab adds ${num(preload, 0)} ms (goal ≤ 300)`);
  console.log(`in notebooks/: convlab ${num(best["convlab, in notebooks/"], 0)} ms, plain tslab ${num(best["tslab 1.0.22, in notebooks/"], 0)} ms`);
  console.log(`the code cache of the TypeScript compiler saves ${num(codeCache, 0)} ms of the start`);
  console.log(`library documentation loaded on the first inspection saves ${num(lazyDocs, 0)} ms of the start; that inspection takes ${num(firstInspect, 0)} ms, later ones ${num(nextInspect, 0)} ms`);
  console.log(`\n${PRINTS.toLocaleString("en")} one-line prints in one cell: execute_request → the last byte of output at the client (best of ${prints.reps}, median beside it)\n`);
  printTable(
    ["kernel", "to the last byte, best (ms)", "median (ms)", "to reply + idle, median (ms)", "bytes delivered", "stream messages"],
    prints.rows.map((r) => [r.name, num(r.bestMs, 0), num(r.medianMs, 0), num(r.doneMedianMs, 0), `${num(r.deliveredPct, 1)} %`, String(r.messages)]),
  );
  const ck = prints.rows.find((r) => r.name === "convlab"), py = prints.rows.find((r) => r.name.startsWith("ipykernel"));
  if (ck && py) console.log(`\nconvlab takes ${num(ck.bestMs / py.bestMs, 2)}× ipykernel's time to the last byte (goal ≤ 1.5×), ${num(ck.deliveredPct, 1)} % of the bytes (goal 100 %)`);
  return {
    kernel: {
      prints,
      machine: m,
      startBestMs: best,
      startMedianMs: start,
      cellMs: cell,
      cellP90Ms: cellP90,
      overheadMs: overhead,
      preloadMs: preload,
      codeCacheSavesMs: codeCache,
      lazyDocsSavesMs: lazyDocs,
      firstInspectMs: firstInspect,
      nextInspectMs: nextInspect,
    },
  };
}

const PRINTS = 20_000;

/**
 * 20,000 one-line prints in one cell, on the convlab kernel, on ipykernel from this repository's
 * .venv (when it has one), interleaved (plain tslab is left out: it loses most of the lines and
 * often the idle status too, so its cell never ends for a client): the time from sending the
 * execute_request to the arrival of the last byte of output (and to reply + idle), and how much of
 * the output arrived.
 */
export async function printFlood({ env, dir, convlabArgv, reps }) {
  const { KernelClient } = await import(pathToFileURL(join(root, "kernel", "dist", "client.js")).href);
  const python = join(root, ".venv", "bin", "python");
  const kernels = [
    { name: "convlab", argv: convlabArgv, code: `for (let i = 0; i < ${PRINTS}; i++) console.log(i)` },
    ...(existsSync(python) ? [{ name: "ipykernel (.venv)", argv: [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"], code: `for i in range(${PRINTS}): print(i)` }] : []),
  ];
  const expected = Array.from({ length: PRINTS }, (_, i) => `${i}\n`).join("");
  const started = [];
  try {
    for (const kd of kernels) started.push({ ...kd, k: await KernelClient.start({ argv: kd.argv, cwd: dir, env }), last: [], done: [], pct: [], msgs: [] });
    for (const s of started) await s.k.execute(s.code); // warm-up
    for (let r = 0; r < reps; r++) {
      for (const s of started) {
        const t0 = performance.now();
        const id = s.k.submit(s.code);
        const { iopub } = await s.k.wait(id, 120_000);
        const done = performance.now();
        const streams = iopub.filter((m) => m.header.msg_type === "stream" && m.content.name === "stdout");
        const text = streams.map((m) => m.content.text).join("");
        s.last.push((streams.length ? streams[streams.length - 1].receivedAt : done) - t0);
        s.done.push(done - t0);
        s.pct.push(text === expected ? 100 : (100 * Math.min(text.length, expected.length)) / expected.length);
        s.msgs.push(streams.length);
        await new Promise((res) => setTimeout(res, 300)); // let late (dropped or stray) messages pass
      }
    }
  } finally {
    for (const s of started) await s.k.shutdown();
  }
  return {
    reps,
    prints: PRINTS,
    rows: started.map((s) => ({ name: s.name, bestMs: Math.min(...s.last), medianMs: median(s.last), doneMedianMs: median(s.done), deliveredPct: Math.min(...s.pct), messages: median(s.msgs) })),
  };
}
