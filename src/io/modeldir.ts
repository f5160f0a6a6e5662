/**
 * Model checkpoints as a folder (Node only): `model.save(dir)` writes `dir/model.safetensors`
 * (the stateDict, names as in `stateDict()`, with convlab's version and a SHA-256 of the data in
 * its metadata) and `dir/model.json` (the architecture, see architecture.ts, and the user's
 * metadata), each atomically; `cl.nn.loadModel(dir)` rebuilds the model and fills its weights
 * straight from the file (no random initialisation first). The weights are written before the
 * description, each file old-or-new, so a save killed midway leaves a loadable checkpoint.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Model } from "../nn/model.js";
import type { Outputs } from "../train/types.js";
import { ValueError } from "../util/errors.js";
import { typeFail } from "../util/check.js";
import { writeAtomic, sweepStaleTemps } from "./atomic.js";
import { ioError, pathArg, readFileBytes } from "./files.js";
import { readSafetensors, writeSafetensors } from "./safetensors.js";
import { buildModelAs, checkSpec, describeModelAs, modelArg, type ModelSpec } from "./architecture.js";
import { convlabVersion } from "./version.js";
import type { JsonObject } from "./checkpoint.js";

export const WEIGHTS_FILE = "model.safetensors";
export const ARCHITECTURE_FILE = "model.json";

/** What `model.json` holds. */
export interface ModelFile {
  convlab: string;
  architecture: ModelSpec;
  weights: string;
  meta: JsonObject;
}

function ensureDir(fn: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioError(fn, "create", dir, e);
  }
}

/**
 * Saves `model` into the folder `dir` (created if needed): `model.safetensors` + `model.json`.
 * `meta` (JSON) is stored in `model.json`.
 */
export function saveModelDir(model: Model<Outputs>, dir: string, meta: JsonObject = {}): void {
  saveModelDirAs(model, dir, meta, "io.saveModelDir");
}

/** `saveModelDir` for the function `fn` (named in errors). @internal */
export function saveModelDirAs(model: Model<Outputs>, dir: string, meta: JsonObject, fn: string): void {
  const m = modelArg(fn, model);
  pathArg(fn, dir, "dir");
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) typeFail(fn, "meta", "a JSON object", meta);
  const architecture = describeModelAs(m, fn);
  let text: string;
  try {
    text = JSON.stringify({ convlab: convlabVersion(), architecture, weights: WEIGHTS_FILE, meta } satisfies ModelFile, null, 1) + "\n";
  } catch (e) {
    throw new ValueError(`${fn}: meta is not JSON-serializable: ${(e as Error).message}`);
  }
  ensureDir(fn, dir);
  writeSafetensors(join(dir, WEIGHTS_FILE), m.stateDict(), { format: "pt", "convlab.model": m.name });
  writeAtomic(fn, join(dir, ARCHITECTURE_FILE), new TextEncoder().encode(text));
}

/** Reads `dir/model.json`, checked. */
export function readModelFile(fn: string, dir: string): ModelFile {
  const path = join(dir, ARCHITECTURE_FILE);
  sweepStaleTemps(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(readFileBytes(fn, path)));
  } catch (e) {
    if (e instanceof Error && e.name === "IoError") throw e;
    throw new ValueError(`${fn}: ${path} is not valid JSON (corrupted or truncated)`);
  }
  const f = parsed as Partial<ModelFile> | null;
  if (f === null || typeof f !== "object" || typeof f.weights !== "string") throw new ValueError(`${fn}: ${path} is not a convlab model file (no "weights" entry)`);
  checkSpec(fn, f.architecture, path);
  return { convlab: String(f.convlab ?? ""), architecture: f.architecture!, weights: f.weights, meta: (f.meta ?? {}) as JsonObject };
}

/** Whether `path` is a model folder (has model.json), as opposed to a single checkpoint file. */
export function isModelDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Loads the weights of `dir/model.safetensors` into `model` (same names and shapes); errors name the file and the tensor. */
export function loadWeightsDir(model: Model<Outputs>, dir: string): JsonObject {
  const fn = "model.loadWeights";
  const path = join(dir, WEIGHTS_FILE);
  if (!existsSync(path)) throw new ValueError(`${fn}: ${dir} has no ${WEIGHTS_FILE}`);
  const { tensors } = readSafetensors(path);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new ValueError(`${fn}: ${path} does not fit model '${model.name}': ${(e as Error).message}`);
  }
  return existsSync(join(dir, ARCHITECTURE_FILE)) ? readModelFile(fn, dir).meta : {};
}

/**
 * Rebuilds a model saved with `model.save(dir)`: the architecture from `model.json`, the weights
 * from `model.safetensors` (verified: checksum, names, shapes, dtypes).
 *
 * @example
 * model.save("runs/lenet"); const again = cl.nn.loadModel("runs/lenet");
 */
export function loadModelDir(dir: string): Model<Outputs> {
  return loadModelDirAs(dir, "io.loadModelDir");
}

/** `loadModelDir` for the function `fn` (named in errors). @internal */
export function loadModelDirAs(dir: string, fn: string): Model<Outputs> {
  pathArg(fn, dir, "dir");
  if (!isModelDir(dir)) throw new ValueError(`${fn}: ${dir} is not a model folder (expected ${ARCHITECTURE_FILE} and ${WEIGHTS_FILE} in it, written by model.save(dir))`);
  const file = readModelFile(fn, dir);
  const model = buildModelAs(file.architecture, fn, join(dir, ARCHITECTURE_FILE));
  const path = join(dir, file.weights);
  const { tensors } = readSafetensors(path);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new ValueError(`${fn}: ${path} does not fit the architecture in ${join(dir, ARCHITECTURE_FILE)}: ${(e as Error).message}`);
  }
  return model;
}
