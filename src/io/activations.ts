/**
 * A disk cache of a frozen network's activations (Node only), for transfer learning: compute the
 * backbone's features of a labelled set once, train a new head on them many times.
 *
 * The file is a convlab checkpoint (`saveTensors`: written atomically, SHA-256 checked on every
 * read) holding `activations` and, in its meta, a key: the SHA-256 of the input batch, the layer
 * and the weights (and batch-norm statistics) of the model's layers up to that layer. A later call
 * with the same inputs and weights reads the file instead of running the network; other inputs or
 * changed weights make the cache stale and it is recomputed; a corrupt file (bad checksum,
 * truncated) is never used: it is recomputed and rewritten, or, with `onCorrupt: "throw"`, it
 * raises the checkpoint reader's error.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { Tensor } from "../tensor/tensor.js";
import { Model } from "../nn/model.js";
import { ConvlabError, ShapeError, ValueError } from "../util/errors.js";
import { optIntArg, optOneOfArg, optStringArg, requiredOptionsArg, typeFail } from "../util/check.js";
import { loadTensors, saveTensors } from "./checkpoint.js";
import { pathArg } from "./files.js";

export interface CacheActivationsOptions {
  /** The (frozen) network; its weights are part of the cache key. */
  model: Model;
  /** The inputs, a batch `[m, ...inputShape]`. */
  x: Tensor;
  /** The layer whose output is cached (default the model's single output). */
  layer?: string;
  /** Examples per forward pass (default 64). */
  batchSize?: number;
  /** What a corrupt file does: "recompute" (default: overwrite it) or "throw" (the reader's error). */
  onCorrupt?: "recompute" | "throw";
}

export interface CachedActivations {
  /** The layer's output for every example, `[m, ...]`. */
  activations: Tensor;
  /** "cache": read from the file; "computed": no file (or a stale one) and now written; "recomputed": the file was corrupt and is rewritten. */
  source: "cache" | "computed" | "recomputed";
  /** Why the file was not used, when it existed ("stale: ...", "corrupt: ..."). */
  reason?: string;
  /** The cache key (hex SHA-256). */
  key: string;
  path: string;
}

const FORMAT = "convlab-activations";

function hashTensor(h: ReturnType<typeof createHash>, name: string, t: Tensor): void {
  h.update(`${name}|${t.dtype}|${t.shape.join(",")}|`);
  h.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

/** The key: inputs, layer and the state of every layer of the model up to (and including) it. */
function cacheKey(model: Model, x: Tensor, layer: string): string {
  const h = createHash("sha256");
  h.update(`${FORMAT}|${model.name}|${layer}|`);
  hashTensor(h, "x", x);
  const layers = model.layers;
  const end = layers.findIndex((l) => l.name === layer);
  for (const l of layers.slice(0, end < 0 ? layers.length : end + 1)) for (const [n, t] of l.stateEntries()) hashTensor(h, `${l.name}/${n}`, t);
  return h.digest("hex");
}

/**
 * The activations of `opts.layer` (default the model's output) for the batch `opts.x`, read from
 * `path` when it holds them for these inputs and weights, else computed in batches (evaluation
 * mode, no autograd; yields to the event loop between batches) and written there atomically
 * (creating its folder).
 *
 * @example
 * const base = cl.models.lenet5(); base.freeze();
 * const a = await cl.io.cacheActivations("fc4.ckpt", { model: base, x: train.x, layer: "FC4" });
 * a.source   // "computed" the first time, "cache" on a re-run
 */
export async function cacheActivations(path: string, opts: CacheActivationsOptions): Promise<CachedActivations> {
  const fn = "cacheActivations";
  pathArg(fn, path);
  const o = requiredOptionsArg(fn, opts, "opts", "{ model, x, layer? }");
  if (!(o.model instanceof Model)) typeFail(fn, "opts.model", "a convlab model (cl.nn.model, cl.nn.sequential, cl.models.*)", o.model);
  if (!(o.x instanceof Tensor)) typeFail(fn, "opts.x", "a tensor [m, ...inputShape]", o.x);
  const model = o.model;
  const x = o.x;
  if (x.rank < 2) throw new ShapeError(`${fn}: opts.x must be a batch [m, ...inputShape], got shape [${x.shape.join(",")}]`);
  const batchSize = optIntArg(fn, "opts.batchSize", o.batchSize, { min: 1 }) ?? 64;
  const onCorrupt = optOneOfArg(fn, "opts.onCorrupt", o.onCorrupt, ["recompute", "throw"] as const) ?? "recompute";
  const given = optStringArg(fn, "opts.layer", o.layer);
  let layer: string;
  if (given !== undefined) {
    model.getLayer(given); // names the model and its layers when unknown
    layer = given;
  } else {
    const outs = model.outputNames;
    if (outs.length !== 1) throw new ValueError(`${fn}: the model has ${outs.length} outputs (${outs.join(", ")}); name the one to cache with opts.layer`);
    layer = outs[0]!;
  }
  const key = cacheKey(model, x, layer);

  let reason: string | undefined;
  let corrupt = false;
  if (existsSync(path)) {
    try {
      const { tensors, meta } = loadTensors(path);
      const a = tensors.activations;
      if (meta.format !== FORMAT || !(a instanceof Tensor)) reason = `stale: ${path} is not an activation cache`;
      else if (meta.key !== key) reason = "stale: the inputs, the layer or the weights changed";
      else if (a.shape[0] !== x.shape[0]) reason = `stale: the cache holds ${a.shape[0]} examples, not ${x.shape[0]}`;
      else return { activations: a, source: "cache", key, path };
    } catch (e) {
      if (!(e instanceof ConvlabError)) throw e;
      if (onCorrupt === "throw") throw e;
      corrupt = true;
      reason = `corrupt: ${e.message}`;
    }
  }

  const m = x.shape[0]!;
  const row = x.size / Math.max(m, 1);
  const parts: Tensor[] = [];
  for (let i = 0; i < m; i += batchSize) {
    const end = Math.min(m, i + batchSize);
    const xb = new Tensor(x.data.subarray(i * row, end * row), [end - i, ...x.shape.slice(1)]);
    parts.push(model.features(xb, layer)[layer]!);
    await new Promise<void>((r) => setImmediate(r));
  }
  const first = parts[0];
  const featShape = first ? first.shape.slice(1) : [];
  const per = featShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(m * per);
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.size;
  }
  const activations = new Tensor(data, [m, ...featShape]);
  mkdirSync(dirname(path), { recursive: true });
  saveTensors(path, { activations }, { format: FORMAT, key, layer, model: model.name, examples: m });
  return { activations, source: corrupt ? "recomputed" : "computed", ...(reason !== undefined ? { reason } : {}), key, path };
}
