/**
 * Reproducible experiments (Node only): `await cl.experiment(name, async (run) => { ... })` runs
 * the function with a seeded default generator and records, under `runs/<id>/record.json`, the
 * seed, convlab's version, Node's, the git commit and dirty flag, the datasets' SHA-256 hashes,
 * the hyperparameters, the metrics of every epoch of every `run.fit`, the final checkpoint
 * (`runs/<id>/checkpoint/`, via `model.save(dir)`), and the function's source. `rerun(dir)` (and
 * `npx convlab rerun runs/<id>`) runs that source again with the same seed and reports whether
 * every metric matches bit for bit. In a kernel, the returned record displays as a summary and
 * carries the whole record in the output's metadata (`metadata.convlab.experiment`), so a saved
 * notebook keeps it.
 */
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { functionArg, optionsArg, optStringArg, seedArg, stringArg, typeFail } from "../util/check.js";
import { manualSeed } from "../util/rng.js";
import type { Model } from "../nn/model.js";
import type { Outputs } from "../train/types.js";
import type { EpochLog, FitOptions, History } from "../train/fit.js";
import { kernelBackend } from "../kernels/index.js";
import { writeAtomic } from "./atomic.js";
import { ioError, pathArg, readFileBytes } from "./files.js";
import { convlabVersion } from "./version.js";
import type { JsonObject, JsonValue } from "./checkpoint.js";

export interface ExperimentOptions {
  /** Seed of the default generator (`cl.manualSeed`) and `run.seed` (default 0). */
  seed?: number;
  /** Folder of the runs (default "runs" in the working directory). */
  dir?: string;
  /** The folder whose git commit is recorded (default: the working directory). */
  gitDir?: string;
}

/** One `run.fit`: the model's name and the metrics of every epoch. */
export interface FitRecord {
  model: string;
  options: JsonObject;
  epochs: { epoch: number; loss: number; metrics: Record<string, number> }[];
}

/** What `runs/<id>/record.json` holds. */
export interface ExperimentRecord {
  format: "convlab-experiment";
  version: 1;
  id: string;
  name: string;
  dir: string;
  startedAt: string;
  seconds: number;
  seed: number;
  convlab: string;
  node: string;
  platform: string;
  kernels: string;
  git: { commit: string; dirty: boolean } | null;
  params: JsonObject;
  datasets: Record<string, { sha256: string; shapes: Record<string, number[]> }>;
  fits: FitRecord[];
  /** Extra values recorded with `run.log`. */
  values: JsonObject;
  checkpoint: string | null;
  source: string;
  status: "ok" | "failed";
  error?: string;
  /** Set by `rerun`: the run this one repeats. */
  rerunOf?: string;
}

/** The handle an experiment function receives. */
export interface Run {
  readonly id: string;
  readonly dir: string;
  readonly seed: number;
  /** Records hyperparameters (merged). */
  params(p: JsonObject): void;
  /** Records a dataset's SHA-256 (of every tensor's shape and bytes); returns the hash. */
  dataset(name: string, data: unknown): string;
  /** `model.fit` that records every epoch's metrics and saves the model as the run's checkpoint. */
  fit<O extends Outputs>(model: Model<O>, data: unknown, opts: FitOptions<O, never>): Promise<History>;
  /** Records a value (JSON). */
  log(key: string, value: JsonValue): void;
}

/** The result of `experiment`: the record, displayable in a kernel. */
export class ExperimentResult {
  constructor(readonly record: ExperimentRecord, readonly value: unknown) {}

  get id(): string {
    return this.record.id;
  }

  get dir(): string {
    return this.record.dir;
  }

  toString(): string {
    const r = this.record;
    const last = r.fits[r.fits.length - 1]?.epochs.at(-1);
    return `experiment '${r.name}' ${r.id} (${r.status}, seed ${r.seed}, ${r.fits.length} fit(s)${last ? `, final loss ${last.loss}` : ""}, git ${r.git ? `${r.git.commit.slice(0, 10)}${r.git.dirty ? " dirty" : ""}` : "none"}) → ${r.dir}`;
  }

  toMimeBundle(): { data: Record<string, unknown>; metadata: Record<string, unknown> } {
    return { data: { "text/plain": this.toString() }, metadata: { convlab: { experiment: this.record } } };
  }
}

function git(dir: string): { commit: string; dirty: boolean } | null {
  const run = (args: string[]): string | null => {
    const r = spawnSync("git", args, { cwd: dir, encoding: "utf8", timeout: 10_000 });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const commit = run(["rev-parse", "HEAD"]);
  if (!commit) return null;
  const status = run(["status", "--porcelain", "--untracked-files=no"]);
  return { commit, dirty: status === null ? true : status.length > 0 };
}

/** SHA-256 over every tensor reachable in `data` (depth ≤ 3, keys sorted): shapes and bytes. */
function hashData(fn: string, data: unknown): { sha256: string; shapes: Record<string, number[]> } {
  const h = createHash("sha256");
  const shapes: Record<string, number[]> = {};
  let found = 0;
  const walk = (v: unknown, path: string, depth: number): void => {
    if (v instanceof Tensor) {
      found++;
      shapes[path || "."] = [...v.shape];
      h.update(`${path}:${v.dtype}:[${v.shape.join(",")}]`);
      h.update(new Uint8Array(v.data.buffer, v.data.byteOffset, v.data.byteLength));
      return;
    }
    if (depth >= 3 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
    else for (const k of Object.keys(v).sort()) walk((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1);
  };
  walk(data, "", 0);
  if (!found) typeFail(fn, "data", "tensors, or { x, y } / records / arrays of tensors", data);
  return { sha256: h.digest("hex"), shapes };
}

const plain = (v: unknown): JsonValue => {
  try {
    return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Tensor ? `Tensor[${x.shape.join(",")}]` : typeof x === "function" ? (x as { name?: string }).name || "function" : x))) as JsonValue;
  } catch {
    return null;
  }
};

function newId(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  return `${name.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 40) || "run"}-${stamp}-${randomBytes(3).toString("hex")}`;
}

/**
 * Runs `fn` as a recorded, reproducible experiment and resolves to its record (see above).
 * `fn` gets a `Run`; use `run.seed` for models and fits, `run.dataset` for the data,
 * `run.params` for hyperparameters and `run.fit` for training. For `rerun`, `fn` must be
 * self-contained: it may use `cl` (the convlab module) and its `run` argument only.
 *
 * @example
 * const r = await cl.experiment("lenet-mnist", async (run) => {
 *   const model = cl.models.lenet5({ seed: run.seed });
 *   run.params({ lr: 0.05 });
 *   return run.fit(model, data, { optimizer: cl.train.sgd({ lr: 0.05 }), epochs: 2, seed: run.seed });
 * });
 */
export async function experiment(name: string, fn: (run: Run) => unknown, opts: ExperimentOptions = {}): Promise<ExperimentResult> {
  const op = "experiment";
  stringArg(op, "name", name);
  if (name.trim() === "") throw new ValueError(`${op}: name must not be empty`);
  functionArg(op, "fn", fn);
  const o = optionsArg(op, opts);
  const seed = seedArg(op, o.seed, "opts.seed") ?? 0;
  const base = optStringArg(op, "opts.dir", o.dir) ?? "runs";
  pathArg(op, base, "opts.dir");
  const gitDir = optStringArg(op, "opts.gitDir", o.gitDir) ?? process.cwd();
  return runExperiment(name, fn, seed, base, gitDir, undefined);
}

async function runExperiment(name: string, fn: (run: Run) => unknown, seed: number, base: string, gitDir: string, rerunOf: string | undefined): Promise<ExperimentResult> {
  const op = "experiment";
  const id = newId(name);
  const dir = resolve(base, id);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioError(op, "create", dir, e);
  }
  const started = Date.now();
  const record: ExperimentRecord = {
    format: "convlab-experiment", version: 1, id, name, dir, startedAt: new Date(started).toISOString(), seconds: 0, seed,
    convlab: convlabVersion(), node: process.version, platform: `${process.platform}-${process.arch}`, kernels: String(kernelBackend()),
    git: git(gitDir), params: {}, datasets: {}, fits: [], values: {}, checkpoint: null, source: fn.toString(), status: "ok",
    ...(rerunOf ? { rerunOf } : {}),
  };
  const save = (): void => writeAtomic(op, join(dir, "record.json"), new TextEncoder().encode(JSON.stringify(record, null, 1) + "\n"));
  const run: Run = {
    id, dir, seed,
    params: (p) => {
      if (p === null || typeof p !== "object" || Array.isArray(p)) typeFail("run.params", "params", "an object of JSON values", p);
      Object.assign(record.params, plain(p) as JsonObject);
    },
    dataset: (dname, data) => {
      stringArg("run.dataset", "name", dname);
      const h = hashData("run.dataset", data);
      record.datasets[dname] = h;
      return h.sha256;
    },
    log: (key, value) => {
      stringArg("run.log", "key", key);
      record.values[key] = plain(value);
    },
    fit: async (model, data, fitOpts) => {
      if (model === null || typeof model !== "object" || typeof (model as { fit?: unknown }).fit !== "function") typeFail("run.fit", "model", "a cl.nn model", model);
      if (fitOpts === null || typeof fitOpts !== "object") typeFail("run.fit", "opts", "fit options { optimizer, epochs, ... }", fitOpts);
      const fr: FitRecord = { model: model.name, options: plain({ ...fitOpts, callbacks: undefined, signal: undefined }) as JsonObject, epochs: [] };
      record.fits.push(fr);
      const user = fitOpts.callbacks?.onEpochEnd;
      const history = await model.fit(data as never, {
        ...fitOpts,
        callbacks: {
          ...fitOpts.callbacks,
          onEpochEnd: async (log: EpochLog) => {
            fr.epochs.push({ epoch: log.epoch, loss: log.loss, metrics: { ...log.metrics } });
            save();
            await user?.(log);
          },
        },
      });
      const ck = join(dir, "checkpoint");
      model.save(ck, { experiment: id });
      record.checkpoint = ck;
      return history;
    },
  };
  manualSeed(seed);
  save();
  let value: unknown;
  try {
    value = await fn(run);
  } catch (e) {
    record.status = "failed";
    record.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    record.seconds = (Date.now() - started) / 1000;
    save();
    throw e;
  }
  record.seconds = (Date.now() - started) / 1000;
  save();
  return new ExperimentResult(record, value);
}

/** Reads `dir/record.json`, checked. */
export function readRecord(dir: string): ExperimentRecord {
  return readRecordAs(dir, "io.readRecord");
}

function readRecordAs(dir: string, fn: string): ExperimentRecord {
  pathArg(fn, dir, "dir");
  const path = join(dir, "record.json");
  let r: Partial<ExperimentRecord>;
  try {
    r = JSON.parse(new TextDecoder().decode(readFileBytes(fn, path))) as Partial<ExperimentRecord>;
  } catch (e) {
    if (e instanceof Error && e.name === "IoError") throw e;
    throw new ValueError(`${fn}: ${path} is not valid JSON`);
  }
  if (r === null || typeof r !== "object" || r.format !== "convlab-experiment" || typeof r.source !== "string" || !Array.isArray(r.fits))
    throw new ValueError(`${fn}: ${path} is not a convlab experiment record`);
  return r as ExperimentRecord;
}

/** What `rerun` reports. */
export interface RerunReport {
  original: ExperimentRecord;
  rerun: ExperimentRecord;
  /** True when every fit's every epoch has bit-identical loss and metrics. */
  match: boolean;
  /** What differs ("fit 0 epoch 1 loss: 0.6931 vs 0.6932"). */
  differences: string[];
}

/**
 * Repeats a recorded experiment (its source, its seed) as a new run beside it and compares the
 * metrics bit for bit: `const r = await cl.io.rerun("runs/lenet-…")`; `r.match`.
 */
export async function rerun(dir: string, opts: { dir?: string } = {}): Promise<RerunReport> {
  const fn = "io.rerun";
  const original = readRecordAs(dir, fn);
  const o = optionsArg(fn, opts);
  const base = optStringArg(fn, "opts.dir", o.dir) ?? resolve(dir, "..");
  const cl = (await import("../index.js")) as Record<string, unknown>;
  let f: (run: Run) => unknown;
  try {
    // A notebook (tslab) compiles top-level names to properties of `exports`: `exports.cl`.
    const notebookScope = new Proxy({}, {
      get: (_t, k) => {
        if (k === "cl") return cl;
        throw new ValueError(`${fn}: the recorded function of ${original.id} uses the notebook variable '${String(k)}'; a rerun needs a self-contained function (using cl and run only)`);
      },
    });
    f = new Function("cl", "exports", `"use strict"; return (${original.source});`)(cl, notebookScope) as (run: Run) => unknown;
  } catch (e) {
    throw new ValueError(`${fn}: the recorded source of ${original.id} does not compile: ${(e as Error).message}`);
  }
  if (typeof f !== "function") throw new ValueError(`${fn}: the recorded source of ${original.id} is not a function`);
  const again = await runExperiment(original.name, f, original.seed, base, process.cwd(), original.id);
  const differences: string[] = [];
  const a = original.fits, b = again.record.fits;
  if (a.length !== b.length) differences.push(`${a.length} fit(s) recorded, ${b.length} in the rerun`);
  a.forEach((fa, i) => {
    const fb = b[i];
    if (!fb) return;
    if (fa.epochs.length !== fb.epochs.length) differences.push(`fit ${i}: ${fa.epochs.length} epochs recorded, ${fb.epochs.length} in the rerun`);
    fa.epochs.forEach((ea, j) => {
      const eb = fb.epochs[j];
      if (!eb) return;
      if (!Object.is(ea.loss, eb.loss)) differences.push(`fit ${i} epoch ${j} loss: ${ea.loss} vs ${eb.loss}`);
      for (const k of new Set([...Object.keys(ea.metrics), ...Object.keys(eb.metrics)]))
        if (!Object.is(ea.metrics[k], eb.metrics[k])) differences.push(`fit ${i} epoch ${j} ${k}: ${ea.metrics[k]} vs ${eb.metrics[k]}`);
    });
  });
  for (const [k, d] of Object.entries(original.datasets)) {
    const other = again.record.datasets[k];
    if (!other || other.sha256 !== d.sha256) differences.push(`dataset ${k}: hash ${d.sha256.slice(0, 12)} vs ${other ? other.sha256.slice(0, 12) : "missing"}`);
  }
  return { original, rerun: again.record, match: differences.length === 0, differences };
}
