// `model.save(path)` / `model.loadWeights(path)` need the file system, which the core must not
// import (it also runs in the browser). The Node entry (`convlab`, via src/io/model.ts) installs
// the implementations here; under `convlab/browser` the methods say what to use instead.
import { ValueError } from "../util/errors.js";
import type { Model } from "./model.js";
import type { Outputs } from "../train/types.js";
import type { Tensor } from "../tensor/tensor.js";

/** Checkpoint functions for models (installed by the Node entry). */
export interface ModelFiles {
  save(model: Model<Outputs>, path: string, meta?: Record<string, unknown>): void;
  loadWeights(model: Model<Outputs>, path: string): Record<string, unknown>;
  loadModel(dir: string): Model<Outputs>;
}

let installed: ModelFiles | null = null;

/** Installs the checkpoint functions behind `model.save` / `model.loadWeights` (src/io does this in Node). */
export function setModelFiles(files: ModelFiles): void {
  installed = files;
}

/** The installed checkpoint functions, or an error naming the call. */
export function modelFiles(op: string): ModelFiles {
  if (!installed)
    throw new ValueError(`${op}: files need Node (import "convlab", not "convlab/browser"); in the browser use model.stateDict() and model.loadStateDict()`);
  return installed;
}

/**
 * Rebuilds a model saved with `model.save(dir)` (Node): the architecture from `dir/model.json`,
 * the weights from `dir/model.safetensors`, verified; no random initialisation happens first.
 *
 *   model.save("checkpoints/lenet"); const same = cl.nn.loadModel("checkpoints/lenet");
 */
export function loadModel<O extends Outputs = Tensor>(dir: string): Model<O> {
  return modelFiles("nn.loadModel").loadModel(dir) as unknown as Model<O>;
}
