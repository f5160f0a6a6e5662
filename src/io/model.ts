// Model checkpoints (Node): a model's parameters and buffers (its stateDict) in a verified,
// atomically written checkpoint file (see checkpoint.ts), with the model's summary as metadata.
import { existsSync } from "node:fs";
import type { Model } from "../nn/model.js";
import type { Outputs } from "../train/types.js";
import { saveTensors, loadTensors, type JsonObject } from "./checkpoint.js";
import { ValueError } from "../util/errors.js";
import { typeFail } from "../util/check.js";
import { pathArg } from "./files.js";
import { setModelFiles } from "../nn/files.js";
import { isModelDir, loadModelDirAs, loadWeightsDir, saveModelDirAs } from "./modeldir.js";

/** Checks that `model` is a model (has the methods `fn` uses). */
function modelArg(fn: string, model: unknown, methods: readonly string[]): void {
  if (model === null || typeof model !== "object" || methods.some((m) => typeof (model as Record<string, unknown>)[m] !== "function"))
    typeFail(fn, "model", "a cl.nn model", model);
}

/**
 * Saves a model's weights: `cl.io.saveModel(model, "lenet5.ckpt")`. The file is written to a
 * temporary name and renamed, so an interrupted save never leaves a half-written checkpoint.
 */
export function saveModel(model: Model<Outputs>, path: string, meta: JsonObject = {}): void {
  modelArg("saveModel", model, ["summary", "stateDict"]);
  pathArg("saveModel", path);
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) typeFail("saveModel", "meta", "a JSON object", meta);
  const s = model.summary();
  saveTensors(path, model.stateDict(), {
    ...meta,
    convlab: { kind: "model", name: model.name, type: model.type, totalParams: s.totalParams, layers: s.rows.map((r) => `${r.name}:${r.type}`) },
  });
}

/**
 * Loads weights saved by `saveModel` into a model of the same architecture; the checkpoint is
 * verified (checksum) and every name and shape must match. Returns the saved metadata.
 */
export function loadWeights(model: Model<Outputs>, path: string): JsonObject {
  modelArg("loadWeights", model, ["loadStateDict"]);
  pathArg("loadWeights", path);
  const { tensors, meta } = loadTensors(path);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new ValueError(`loadWeights: ${path} does not fit model '${model.name}': ${(e as Error).message}`);
  }
  return meta;
}

/** A single-file checkpoint (the landed "CLCKPT01" format): a path ending in .ckpt, or an existing file. */
function isCheckpointFile(path: string): boolean {
  return path.endsWith(".ckpt") || (!isModelDir(path) && existsSync(path));
}

// model.save(path) / model.loadWeights(path) / cl.nn.loadModel(dir) use these in Node: a folder
// (model.safetensors + model.json) unless the path names a .ckpt checkpoint file.
setModelFiles({
  save: (model, path, meta) =>
    isCheckpointFile(path) ? saveModel(model, path, (meta ?? {}) as JsonObject) : saveModelDirAs(model, path, (meta ?? {}) as JsonObject, "model.save"),
  loadWeights: (model, path) => (isModelDir(path) ? loadWeightsDir(model, path) : loadWeights(model, path)),
  loadModel: (dir) => loadModelDirAs(dir, "nn.loadModel"),
});
