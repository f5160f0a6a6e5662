// The training loop (DESIGN "Contracts", "Training is async"): fit, evaluate and batched predict
// return Promises and yield to the event loop after every batch, so a notebook stays responsive
// and an interrupt (an AbortSignal) is seen between batches. `trainStep` is the one step fit
// takes per batch, exported for custom loops.
import { Tensor, allocate } from "../tensor/tensor.js";
import { noGrad } from "../autograd/tape.js";
import { recycle } from "../tensor/pool.js";
import { collectSpent } from "../nn/graph.js";
import { softmaxCrossEntropy, mse, bce } from "../ops/losses.js";
import { reshape } from "../ops/layout.js";
import { mul } from "../ops/binary.js";
import { takeRows } from "../data/batching.js";
import { Pipeline, mix } from "../data/dataset.js";
import { currentRuntime, type TrainingEvent } from "../runtime/index.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { Rng, defaultRng } from "../util/rng.js";
import { bool, isRecord, options, positiveInt, received, seedOf, signalOf } from "../nn/args.js";
import type { Inputs, Targets, Trainable } from "./types.js";
import type { Optimizer } from "./optimizers.js";
import { resolveMetrics, type Metric, type MetricSpec } from "./metrics.js";
import { examplesOf, leaves, mapStruct, rows } from "./struct.js";
import { abortedBy, checkOptimizer, yieldToEventLoop } from "./loop.js";

/** A batch (or a whole dataset): inputs `x` and targets `y`, examples along axis 0 of every tensor. */
export interface Batch<Y extends Targets = Targets> {
  x: Inputs;
  y: Y;
}

/** Training or evaluation data: a `{ x, y }` batch, a `cl.data.dataset(...)`, or an (async) iterable of batches. */
export type Data<Y extends Targets = Tensor> = Batch<Y> | Iterable<Batch<Y>> | AsyncIterable<Batch<Y>>;

export type LossName = "softmaxCrossEntropy" | "mse" | "bce";
/** A loss function of the model's outputs and the batch's `y`, returning a scalar tensor. */
export type LossFn<O = Tensor, Y = Tensor> = (output: O, y: Y) => Tensor;
/** One output's loss in a per-output record, with its weight in the total (default 1). */
export interface OutputLoss {
  loss: LossName | LossFn;
  weight?: number;
}
/**
 * A loss: a name, a function of (outputs, y), or a record by output name
 * (`{ class: "softmaxCrossEntropy", box: { loss: "mse", weight: 5 } }`, total = Σ weight·loss).
 */
export type LossSpec<O = Tensor, Y = Tensor> = LossName | LossFn<O, Y> | { readonly [output: string]: LossName | LossFn | OutputLoss };
/** Metrics: a list for a one-output model, or a list per output name (logged as `<output><Metric>`). */
export type MetricsSpec = readonly MetricSpec[] | { readonly [output: string]: readonly MetricSpec[] };

/** One epoch of the history. `epoch` is 0-based, like `TrainingEvent.epoch`. */
export interface EpochLog {
  epoch: number;
  /** Mean training loss over the epoch's examples. */
  loss: number;
  /** e.g. `{ accuracy, valLoss, valAccuracy }` (per-output losses as `<output>Loss`). */
  metrics: Record<string, number>;
  /** Only on the last entry of an interrupted fit: the epoch stopped after `batches` batches. */
  partial?: boolean;
  /** Batches trained in this epoch. */
  batches: number;
}

/** What `fit` resolves to. */
export interface History {
  epochs: EpochLog[];
  /** True when the signal stopped the fit early (the model keeps the weights it reached). */
  aborted?: boolean;
}

/** What `onBatchEnd` receives after each training step. */
export interface BatchLog {
  /** 0-based epoch and batch within it. */
  epoch: number;
  batch: number;
  /** Global step: batches finished since fit started (1-based). */
  step: number;
  /** This batch's loss. */
  loss: number;
  /** This batch's metrics (e.g. accuracy). */
  metrics: Record<string, number>;
  /** Examples in the batch. */
  size: number;
}

export interface FitCallbacks {
  /** After each batch (awaited when it returns a Promise). */
  onBatchEnd?: (log: BatchLog) => void | Promise<void>;
  /** After each epoch, with validation metrics when `validationData` is given. */
  onEpochEnd?: (log: EpochLog) => void | Promise<void>;
  /** Progress events; replaces the kernel's live display (`cl.runtime`) for this fit. */
  onTraining?: (e: TrainingEvent) => void;
}

export interface FitOptions<O = Tensor, Y extends Targets = Tensor> {
  optimizer: Optimizer;
  /** Default "softmaxCrossEntropy" (logits and class ids or probabilities). */
  loss?: LossSpec<O, Y>;
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Examples per batch for `{ x, y }` data and unbatched datasets (default 32; ignored for iterables of batches). */
  batchSize?: number;
  /**
   * Reshuffle `{ x, y }` data every epoch (default true; a dataset shuffles itself with `.shuffle`).
   * Shuffled batches are gathered into buffers fit reuses from batch to batch: a custom model,
   * loss or metric that keeps a batch tensor past its step must keep a copy (`t.clone()`).
   */
  shuffle?: boolean;
  /** Seed of the per-epoch shuffling: the same seed (and model seed) gives bit-identical weights. */
  seed?: number;
  /** Evaluated after every epoch: `valLoss` and `val<Metric>` in the epoch's metrics. */
  validationData?: Data<Y>;
  callbacks?: FitCallbacks;
  /** Stops the fit after the current batch when aborted (the kernel's interrupt is always checked too). */
  signal?: AbortSignal;
  /** Default ["accuracy"] for "softmaxCrossEntropy" and "bce", [] otherwise. */
  metrics?: MetricsSpec;
}

export interface EvaluateOptions<O = Tensor, Y extends Targets = Tensor> {
  /** Default 256 for `{ x, y }` data. */
  batchSize?: number;
  /** Default "softmaxCrossEntropy". */
  loss?: LossSpec<O, Y>;
  metrics?: MetricsSpec;
  /** Aborting rejects the Promise (the kernel's interrupt is checked too). */
  signal?: AbortSignal;
}

/** The mean loss over the examples and each metric by name, e.g. `{ loss, accuracy }`. */
export type EvaluateResult = { loss: number } & Record<string, number>;

export interface PredictOptions {
  /** Default 256. */
  batchSize?: number;
  signal?: AbortSignal;
}

export interface TrainStepOptions<O = Tensor, Y = Tensor> {
  optimizer: Optimizer;
  /** Default "softmaxCrossEntropy". */
  loss?: LossSpec<O, Y>;
}

/** What one training step did. */
export interface StepResult<O = Tensor> {
  /** The batch's (total) loss. */
  loss: number;
  /** The model's outputs for the batch (training mode, before the update). */
  outputs: O;
  /** Per-output losses for a loss record, by output name. */
  losses: Record<string, number>;
}

const LOSSES: Record<LossName, LossFn> = {
  softmaxCrossEntropy: (z, y) => softmaxCrossEntropy(z, y),
  mse: (p, y) => mse(p, fitTarget(p, y)),
  bce: (z, y) => bce(z, fitTarget(z, y)),
};

/** Targets `[m]` for outputs `[m, 1]` (a binary or 1-unit regression head) are reshaped to match. */
function fitTarget(out: Tensor, y: Tensor): Tensor {
  return y.rank !== out.rank && y.size === out.size && y.shape[0] === out.shape[0] ? reshape(y, out.shape) : y;
}

const cap = (s: string): string => s[0]!.toUpperCase() + s.slice(1);

/** A loss resolved against a model: the total, the per-output parts, and default metrics. */
interface ResolvedLoss {
  fn: (out: unknown, y: unknown) => { total: Tensor; parts: [string, Tensor][] };
  metrics: { key: string; fn: (out: unknown, y: unknown) => number }[];
}

function namedLoss(name: unknown, op: string, what: string): { fn: LossFn; name: string } {
  if (typeof name === "function") return { fn: name as LossFn, name: (name as LossFn).name || "custom" };
  if (typeof name === "string" && Object.hasOwn(LOSSES, name)) return { fn: LOSSES[name as LossName], name };
  throw new ValueError(`${op}: unknown ${what} ${received(name)} (expected ${Object.keys(LOSSES).map((k) => `"${k}"`).join(", ")} or a function)`);
}

function defaultMetricSpecs(lossName: string): MetricSpec[] {
  return lossName === "softmaxCrossEntropy" || lossName === "bce" ? ["accuracy"] : [];
}

/** The output (or target) called `name` in a structure of one, a list or a record. */
function pick(v: unknown, name: string, names: readonly string[], op: string, what: string): Tensor {
  if (v instanceof Tensor) {
    if (names.length <= 1) return v;
    throw new ValueError(`${op}: ${what} is one tensor but the model has ${names.length} outputs (${names.join(", ")}); give a list or a record by output name`);
  }
  if (Array.isArray(v)) {
    const i = names.indexOf(name);
    const t = v[i];
    if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${what}[${i}] (output '${name}') must be a tensor, got ${received(t)}`);
    return t;
  }
  if (isRecord(v)) {
    const t = v[name];
    if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${what} has no tensor '${name}' (keys: ${Object.keys(v).join(", ") || "none"})`);
    return t;
  }
  throw new ValueError(`${op}: ${what} must be a tensor, a list or a record by output name, got ${received(v)}`);
}

function resolveLoss(spec: unknown, metricsSpec: unknown, outputNames: readonly string[], op: string): ResolvedLoss {
  const single = (v: unknown, what: string): Tensor => {
    if (v instanceof Tensor) return v;
    throw new ValueError(`${op}: a named loss takes one output, but ${what} is ${received(v)}; give a loss per output ({ ${outputNames.map((n) => `${n}: ...`).join(", ")} }) or a function of (outputs, y)`);
  };
  let lossFn: ResolvedLoss["fn"];
  const defaults: [string | null, MetricSpec[]][] = [];
  if (spec === undefined || typeof spec === "string" || typeof spec === "function") {
    const { fn, name } = namedLoss(spec ?? "softmaxCrossEntropy", op, "loss");
    lossFn = typeof spec === "function" ? (out, y) => ({ total: (fn as unknown as (a: unknown, b: unknown) => Tensor)(out, y), parts: [] }) : (out, y) => ({ total: fn(single(out, "the output"), single(y, "y")), parts: [] });
    if (typeof spec !== "function") defaults.push([null, defaultMetricSpecs(name)]);
  } else if (isRecord(spec)) {
    const entries = Object.entries(spec).map(([k, v]) => {
      if (!outputNames.includes(k)) throw new ValueError(`${op}: the loss names output '${k}', but the model's outputs are ${outputNames.map((n) => `'${n}'`).join(", ")}`);
      const e = isRecord(v) ? v : { loss: v };
      const { fn, name } = namedLoss(e.loss, op, `loss for '${k}'`);
      const weight = e.weight ?? 1;
      if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) throw new ValueError(`${op}: the weight of output '${k}' must be a number ≥ 0, got ${received(weight)}`);
      if (typeof e.loss === "string") defaults.push([k, defaultMetricSpecs(name)]);
      return { k, fn, weight };
    });
    if (entries.length === 0) throw new ValueError(`${op}: the loss record names no output`);
    lossFn = (out, y) => {
      const parts = entries.map(({ k, fn }) => [k, fn(pick(out, k, outputNames, op, "the outputs"), pick(y, k, outputNames, op, "y"))] as [string, Tensor]);
      let total: Tensor | null = null;
      parts.forEach(([, l], i) => {
        const w = entries[i]!.weight;
        const t = w === 1 ? l : mul(l, w);
        total = total === null ? t : total.add(t);
      });
      return { total: total!, parts };
    };
  } else throw new ValueError(`${op}: loss must be a name such as "softmaxCrossEntropy", a function of (outputs, y) or a record by output name, got ${received(spec)}`);

  const metrics: ResolvedLoss["metrics"] = [];
  const addMetrics = (output: string | null, specs: unknown): void => {
    for (const m of resolveMetrics(specs as readonly MetricSpec[], op)) {
      const pickOut = (v: unknown, what: string): Tensor => (output === null ? single(v, what) : pick(v, output, outputNames, op, what));
      metrics.push({ key: output === null ? m.name : `${output}${cap(m.name)}`, fn: (out, y) => m.fn(pickOut(out, "the output"), pickOut(y, "y")) });
    }
  };
  if (metricsSpec === undefined) for (const [o, specs] of defaults) addMetrics(o, specs);
  else if (Array.isArray(metricsSpec)) {
    if (outputNames.length > 1 && metricsSpec.length) throw new ValueError(`${op}: the model has ${outputNames.length} outputs: give metrics per output name ({ ${outputNames[0]}: ["accuracy"] })`);
    addMetrics(null, metricsSpec);
  } else if (isRecord(metricsSpec)) {
    for (const [k, v] of Object.entries(metricsSpec)) {
      if (!outputNames.includes(k)) throw new ValueError(`${op}: metrics name output '${k}', but the model's outputs are ${outputNames.map((n) => `'${n}'`).join(", ")}`);
      addMetrics(k, v);
    }
  } else resolveMetrics(metricsSpec as readonly MetricSpec[], op); // throws the usual message
  return { fn: lossFn, metrics };
}

function outputNamesOf(model: Trainable<unknown>): readonly string[] {
  const n = model.outputNames;
  return Array.isArray(n) && n.length ? n : ["output"];
}

function isBatch(d: unknown): d is Batch {
  return isRecord(d) && "x" in d && "y" in d && !(Symbol.iterator in d) && !(Symbol.asyncIterator in d);
}

/** Batches of one pass over the data, and how many there are (NaN when unknown). */
interface Source {
  pass(epoch: number): Iterable<unknown> | AsyncIterable<unknown>;
  length: number;
}

/**
 * Gathers rows of one tensor into a buffer allocated once and reused for every batch (the rows of
 * `idx` in order, as `takeRows` does, without its checks: the indices come from a permutation).
 */
function rowGatherer(t: Tensor, batchSize: number): (idx: Int32Array) => Tensor {
  const row = t.shape[0] === 0 ? 0 : t.size / t.shape[0]!;
  const tail = t.shape.slice(1);
  let buf: Tensor["data"] | null = null;
  return (idx) => {
    const src = t.data; // read per batch, as takeRows did
    if (buf === null || (buf instanceof Float64Array) !== (src instanceof Float64Array)) buf = allocate(t.dtype, batchSize * row, "fit");
    const n = idx.length;
    if (row === 1) for (let i = 0; i < n; i++) buf[i] = src[idx[i]!]!;
    else for (let i = 0; i < n; i++) buf.set(src.subarray(idx[i]! * row, (idx[i]! + 1) * row), i * row);
    return new Tensor(n === batchSize ? buf : buf.subarray(0, n * row), [n, ...tail]);
  };
}

/**
 * Mini-batches of `{ x, y }` structures, seeded per epoch: views of the data when unshuffled;
 * when shuffled, the rows gathered into buffers that `fit` reuses from batch to batch (a fresh
 * array per batch, 786 KB for LeNet-5's, cost its allocation and zeroing, and V8 counts
 * ArrayBuffer bytes towards its mark-compact trigger: docs/performance.md, "fit's epoch"). So a
 * shuffled batch's tensors hold their values only until the next batch is drawn: fit hands them
 * to the model's forward, the loss and the metrics during the batch's step, and to nothing after
 * it (callbacks get numbers).
 */
function batchesOf(data: Batch, op: string, batchSize: number, shuffle: boolean, seed: number): Source {
  const m = examplesOf(data.x, data.y, op, "");
  if (m === 0) throw new ShapeError(`${op}: the data is empty (${leaves(data.x, "x", op).map(([p, t]) => `${p} ${fmtShape(t.shape)}`).join(", ")})`);
  const count = Math.ceil(m / batchSize);
  const size = Math.min(batchSize, m);
  const gathered = shuffle ? { x: mapGatherers(data.x, size), y: mapGatherers(data.y, size) } : null;
  return {
    length: count,
    *pass(epoch: number) {
      const perm = shuffle ? new Rng(mix(seed, epoch)).permutation(m) : null;
      for (let b = 0; b < count; b++) {
        const start = b * batchSize, end = Math.min(start + batchSize, m);
        if (!perm) yield { x: rows(data.x, start, end), y: rows(data.y, start, end) };
        else {
          const idx = perm.subarray(start, end);
          if (gathered) yield { x: gathered.x(idx), y: gathered.y(idx) };
          else yield { x: mapStruct(data.x, (t) => takeRows(t, idx, op)), y: mapStruct(data.y, (t) => takeRows(t, idx, op)) };
        }
      }
    },
  };
}

/** One reusing gatherer per tensor of a structure; the result gathers the whole structure. */
function mapGatherers<S>(v: S, batchSize: number): (idx: Int32Array) => S {
  const gs: ((idx: Int32Array) => Tensor)[] = [];
  mapStruct(v, (t) => {
    gs.push(rowGatherer(t, batchSize));
    return t;
  });
  return (idx) => {
    let k = 0;
    return mapStruct(v, () => gs[k++]!(idx));
  };
}

function sourceOf(data: unknown, op: string, batchSize: number, shuffle: boolean, seed: number): Source {
  if (isBatch(data)) return batchesOf(data, op, batchSize, shuffle, seed);
  if (data instanceof Pipeline) {
    const p = data.batched ? data : data.batch(batchSize);
    return { pass: (epoch) => p.iterate(epoch), length: p.length };
  }
  if (typeof data === "object" && data !== null && (Symbol.iterator in data || Symbol.asyncIterator in data)) {
    const n = (data as { length?: unknown }).length;
    return { pass: () => data as Iterable<unknown>, length: typeof n === "number" ? n : NaN };
  }
  throw new ValueError(`${op}: data must be { x, y } tensors, a cl.data.dataset(...) or an iterable of { x, y } batches, got ${received(data)}`);
}

/** Checks one batch from an iterable; returns its number of examples. */
function checkBatch(b: unknown, op: string, where: string): { batch: Batch; m: number } {
  if (!isBatch(b)) throw new ValueError(`${op}: ${where} is not a batch { x, y } of tensors (got ${received(b)})`);
  if (b.x instanceof Tensor && b.y instanceof Tensor) {
    const { x, y } = b;
    if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0] || x.shape[0] === 0)
      throw new ShapeError(`${op}: ${where} has ${x.shape[0] ?? 0} inputs but ${y.shape[0] ?? 0} labels (x ${fmtShape(x.shape)}, y ${fmtShape(y.shape)})`);
    return { batch: b, m: x.shape[0]! };
  }
  const m = examplesOf(b.x, b.y, op, `${where}: `);
  if (m === 0) throw new ShapeError(`${op}: ${where} is empty`);
  return { batch: b, m };
}

/** Prefixes an error's message with where it happened, keeping its class. */
function withContext(e: unknown, prefix: string): unknown {
  if (e instanceof Error) e.message = `${prefix}: ${e.message}`;
  return e;
}

/** Running sums of a loss, per-output losses and metrics, weighted by batch size. */
class Meter {
  private n = 0;
  private lossSum = 0;
  private readonly sums = new Map<string, number>();
  constructor(private readonly metrics: ResolvedLoss["metrics"]) {}
  /** Adds a batch; returns its metric values (per-output losses included). */
  add(loss: number, parts: [string, number][], output: unknown, y: unknown, m: number): Record<string, number> {
    const values: Record<string, number> = {};
    for (const [k, v] of parts) values[`${k}Loss`] = v;
    for (const mt of this.metrics) values[mt.key] = mt.fn(output, y);
    for (const [k, v] of Object.entries(values)) this.sums.set(k, (this.sums.get(k) ?? 0) + v * m);
    this.lossSum += loss * m;
    this.n += m;
    return values;
  }
  get count(): number {
    return this.n;
  }
  get loss(): number {
    return this.lossSum / this.n;
  }
  values(prefix = ""): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, s] of this.sums) out[prefix ? `${prefix}${cap(k)}` : k] = s / this.n;
    return out;
  }
}

interface Stepped {
  value: number;
  output: unknown;
  parts: [string, number][];
}

/** One optimizer step on a batch: clear grads, forward (training), loss, backward, update. */
function runStep(model: Trainable<unknown>, params: Tensor[], batch: Batch, loss: ResolvedLoss, optimizer: Optimizer, op: string, where: string): Stepped {
  for (const p of params) p.grad = null;
  let total: Tensor, parts: [string, Tensor][], output: unknown;
  try {
    output = model.forward(batch.x, { training: true });
    ({ total, parts } = loss.fn(output, batch.y));
  } catch (e) {
    throw withContext(e, where ? `${op} (${where})` : op);
  }
  const at = where ? ` (${where})` : "";
  if (!(total instanceof Tensor) || total.size !== 1)
    throw new ShapeError(`${op}: the loss must be a scalar tensor, got ${total instanceof Tensor ? fmtShape(total.shape) : received(total)}${at}`);
  const value = total.item();
  if (!Number.isFinite(value))
    throw new ValueError(`${op}: loss became ${value}${where ? ` at ${where}` : ""} (learning rate ${optimizer.lr}; try a smaller one, or check the inputs for NaN/Infinity)`);
  if (!total.requiresGrad) throw new ValueError(`${op}: the loss does not depend on any trainable parameter${at}`);
  total.backward();
  optimizer.step(params);
  for (const p of params) p.grad = null;
  return { value, output, parts: parts.map(([k, t]) => [k, t.item()]) };
}

/**
 * fit's work on one batch: the step, then the batch's metrics into the meter. Synchronous, and it
 * returns numbers only, so that no tensor of the step (its outputs, and through their graph every
 * activation the step saved) stays reachable from fit's async frame while it awaits the callbacks
 * and the event loop, where V8 runs scavenges as tasks: one there would find the whole step alive
 * and could promote its arrays (no effect measured so far; docs/performance.md, "fit's epoch").
 */
function fitBatch(model: Trainable<unknown>, params: Tensor[], raw: unknown, loss: ResolvedLoss, optimizer: Optimizer, meter: Meter, op: string, where: string): { value: number; metrics: Record<string, number>; m: number } {
  const { batch, m } = checkBatch(raw, op, where);
  // the step's spent activations go back for reuse once its metrics are in: fit hands none of its
  // tensors out, and nothing runs this step's backward again (nn/graph.ts, collectSpent)
  const { result, spent } = collectSpent(() => {
    const r = runStep(model, params, batch, loss, optimizer, op, where);
    return { value: r.value, metrics: noGrad(() => meter.add(r.value, r.parts, r.output, batch.y, m)) };
  });
  for (const a of spent) recycle(a);
  return { ...result, m };
}

function trainableOf(model: Trainable<unknown>, op: string): Tensor[] {
  if (typeof model?.forward !== "function" || typeof model?.trainableParameters !== "function")
    throw new ValueError(`${op}: expected a model (with forward and trainableParameters), got ${received(model)}`);
  const params = model.trainableParameters();
  if (params.length === 0) throw new ValueError(`${op}: the model has no trainable parameters (are all its layers frozen?)`);
  return params;
}

/**
 * One training step, the one `fit` takes per batch: forward in training mode, the loss, backward,
 * one optimizer update of the trainable parameters. Synchronous; returns the loss and outputs.
 *
 *   for (const b of cl.data.dataset(train).shuffle({ seed: 0 }).batch(64))
 *     cl.train.trainStep(model, b, { loss: "softmaxCrossEntropy", optimizer });
 */
export function trainStep<O, Y extends Targets = Tensor>(model: Trainable<O>, batch: Batch<Y>, opts: TrainStepOptions<O, Y>): StepResult<O> {
  const op = "trainStep";
  const o = options(op, opts, "{ optimizer, loss? }", true);
  const optimizer = checkOptimizer(op, o.optimizer);
  const params = trainableOf(model, op);
  const loss = resolveLoss(o.loss, [], outputNamesOf(model), op);
  const { batch: b } = checkBatch(batch, op, "the batch");
  const r = runStep(model, params, b, loss, optimizer, op, "");
  return { loss: r.value, outputs: r.output as O, losses: Object.fromEntries(r.parts) };
}

/**
 * Trains a model: `opts.epochs` passes over `data` in mini-batches, one optimizer step per
 * batch (`trainStep`). `{ x, y }` data is reshuffled every epoch (seeded by `seed`); a
 * `cl.data.dataset` is read once per epoch (batched by `batchSize` unless it is batched). Resolves
 * to the per-epoch history; with an aborted signal (or the kernel's interrupt) it stops after the
 * current batch and resolves with `aborted: true`. A loss that becomes NaN or ±Infinity stops it
 * with an error naming the epoch and batch. `model.fit(data, opts)` calls this.
 *
 * The batch tensors fit passes to the model's forward, the loss and the metrics are valid during
 * that batch's step: shuffled `{ x, y }` batches live in buffers that the next batch overwrites
 * (unshuffled ones are views of the data). Callbacks and progress events get numbers only.
 *
 * @example
 * const history = await cl.train.fit(model, { x, y }, {
 *   optimizer: cl.train.adam({ lr: 1e-3 }), loss: "softmaxCrossEntropy", epochs: 3, batchSize: 64, seed: 0,
 * });
 */
export async function fit<O, Y extends Targets = Tensor>(model: Trainable<O>, data: Data<Y>, opts: FitOptions<O, Y>): Promise<History> {
  const op = "fit";
  const o = options(op, opts, "{ optimizer, loss, epochs, batchSize, ... }", true);
  const optimizer = checkOptimizer(op, o.optimizer);
  const epochs = positiveInt(op, "epochs", o.epochs, 1);
  const batchSize = positiveInt(op, "batchSize", o.batchSize, 32);
  const shuffle = bool(op, "shuffle", o.shuffle, true);
  const seed = seedOf(op, o.seed) ?? defaultRng().nextU32();
  const signal = signalOf(op, o.signal);
  const cb = options(`${op} (callbacks)`, o.callbacks, "{ onBatchEnd?, onEpochEnd?, onTraining? }");
  for (const k of ["onBatchEnd", "onEpochEnd", "onTraining"] as const)
    if (cb[k] !== undefined && typeof cb[k] !== "function") throw new ValueError(`${op}: callbacks.${k} must be a function, got ${received(cb[k])}`);
  const loss = resolveLoss(o.loss, o.metrics, outputNamesOf(model), op);
  const source = sourceOf(data, op, batchSize, shuffle, seed);
  const validation = o.validationData === undefined ? null : sourceOf(o.validationData, `${op} (validationData)`, batchSize, false, 0);
  const params = trainableOf(model, op);
  const rt = currentRuntime();
  const aborted = abortedBy([signal, rt.signal]);
  const onTraining = cb.onTraining ?? rt.onTraining;
  const t0 = performance.now();
  const history: EpochLog[] = [];
  let step = 0;
  const emit = (e: Omit<TrainingEvent, "epochs" | "batches" | "step" | "history" | "elapsedMs">): void => {
    onTraining?.({
      ...e, epochs, batches: source.length, step,
      history: history.map((h) => ({ epoch: h.epoch, loss: h.loss, metrics: { ...h.metrics } })),
      elapsedMs: performance.now() - t0,
    });
  };
  emit({ kind: "start", epoch: 0, batch: 0, loss: NaN, metrics: {} });
  let stopped = false;
  let last = { epoch: 0, batch: 0, loss: NaN, metrics: {} as Record<string, number> };
  try {
    for (let epoch = 0; epoch < epochs && !stopped; epoch++) {
      const meter = new Meter(loss.metrics);
      let b = 0;
      for await (const raw of source.pass(epoch)) {
        if (aborted()) {
          stopped = true;
          break;
        }
        const r = fitBatch(model, params, raw, loss, optimizer, meter, op, `epoch ${epoch + 1}, batch ${b + 1}`);
        step++;
        last = { epoch, batch: b, loss: r.value, metrics: meter.values() };
        emit({ kind: "batch", ...last });
        await cb.onBatchEnd?.({ epoch, batch: b, step, loss: r.value, metrics: r.metrics, size: r.m });
        b++;
        await yieldToEventLoop();
      }
      if (b === 0 && !stopped)
        throw new ValueError(`${op}: the data gave no batches in epoch ${epoch + 1}` + (epoch > 0 ? " (a generator can be iterated only once: pass cl.data.dataset(generatorFunction) or another iterable that starts over)" : ""));
      if (b > 0) {
        const log: EpochLog = { epoch, loss: meter.loss, metrics: meter.values(), batches: b };
        if (stopped) log.partial = true;
        else if (validation && !aborted()) {
          try {
            Object.assign(log.metrics, await evaluateSource(model, validation, loss, aborted, `${op} (validationData)`, "val"));
          } catch (e) {
            if (!aborted()) throw e;
            stopped = true; // interrupted while validating: the epoch's training is complete
          }
        }
        history.push(log);
        last = { epoch, batch: b - 1, loss: log.loss, metrics: { ...log.metrics } };
        if (!stopped) {
          emit({ kind: "epoch", ...last });
          await cb.onEpochEnd?.(log);
        }
      }
    }
  } catch (e) {
    emit({ kind: "end", ...last, aborted: true });
    throw e;
  }
  emit(stopped ? { kind: "end", ...last, aborted: true } : { kind: "end", ...last });
  return stopped ? { epochs: history, aborted: true } : { epochs: history };
}

async function evaluateSource(model: Trainable<unknown>, source: Source, loss: ResolvedLoss, aborted: () => boolean, op: string, prefix = ""): Promise<Record<string, number>> {
  const meter = new Meter(loss.metrics);
  let b = 0;
  for await (const raw of source.pass(0)) {
    if (aborted()) throw abortError(op);
    const where = `batch ${++b}`;
    const { batch, m } = checkBatch(raw, op, where);
    noGrad(() => {
      try {
        const output = model.forward(batch.x, { training: false });
        const { total, parts } = loss.fn(output, batch.y);
        meter.add(total.item(), parts.map(([k, t]) => [k, t.item()]), output, batch.y, m);
      } catch (e) {
        throw withContext(e, `${op} (${where})`);
      }
    });
    await yieldToEventLoop();
  }
  if (meter.count === 0) throw new ValueError(`${op}: the data gave no batches`);
  return { [prefix ? `${prefix}Loss` : "loss"]: meter.loss, ...meter.values(prefix) };
}

function abortError(op: string): Error {
  const e = new Error(`${op}: interrupted`);
  e.name = "AbortError";
  return e;
}

/**
 * The mean loss and metrics of a model on data, in evaluation mode without autograd (batched;
 * yields between batches). `model.evaluate(data, opts)` calls this.
 *
 *   const { loss, accuracy } = await model.evaluate(test, { batchSize: 500 });
 */
export async function evaluate<O, Y extends Targets = Tensor>(model: Trainable<O>, data: Data<Y>, opts: EvaluateOptions<O, Y> = {}): Promise<EvaluateResult> {
  const op = "evaluate";
  const o = options(op, opts, "{ batchSize?, loss?, metrics?, signal? }");
  const batchSize = positiveInt(op, "batchSize", o.batchSize, 256);
  if (typeof model?.forward !== "function") throw new ValueError(`${op}: expected a model (with forward), got ${received(model)}`);
  const loss = resolveLoss(o.loss, o.metrics, outputNamesOf(model), op);
  const aborted = abortedBy([signalOf(op, o.signal), currentRuntime().signal]);
  const out = await evaluateSource(model, sourceOf(data, op, batchSize, false, 0), loss, aborted, op);
  return out as EvaluateResult;
}

/**
 * The model's outputs for `x` `[m, ...]` (a tensor, a list or a record by input name), computed
 * `batchSize` examples at a time in evaluation mode without autograd, yielding between batches:
 * the same structure as `predict`, with all m examples. `model.predictBatched(x, opts)` calls this.
 */
export async function predictBatched<O>(model: Trainable<O>, x: Inputs, opts: PredictOptions = {}): Promise<O> {
  const op = "predictBatched";
  const o = options(op, opts, "{ batchSize?, signal? }");
  if (typeof model?.forward !== "function") throw new ValueError(`${op}: expected a model (with forward), got ${received(model)}`);
  const m = examplesOf(x, undefined, op, "");
  if (m === 0) throw new ShapeError(`${op}: expected a non-empty batch x [m,...], got ${leaves(x, "x", op).map(([p, t]) => `${p} ${fmtShape(t.shape)}`).join(", ")}`);
  const batchSize = positiveInt(op, "batchSize", o.batchSize, 256);
  const aborted = abortedBy([signalOf(op, o.signal), currentRuntime().signal]);
  let first: O | null = null;
  let outs: Tensor[] = [];
  for (let start = 0; start < m; start += batchSize) {
    if (aborted()) throw abortError(op);
    const end = Math.min(start + batchSize, m);
    const yb = noGrad(() => model.forward(rows(x, start, end), { training: false }));
    const ls = leaves(yb, "output", op).map(([, t]) => t);
    if (!first) {
      first = yb;
      outs = ls.map((t) => new Tensor(allocate(t.dtype, (t.size / (end - start)) * m), [m, ...t.shape.slice(1)]));
    }
    ls.forEach((t, i) => outs[i]!.data.set(t.data, start * (t.size / (end - start))));
    await yieldToEventLoop();
  }
  let k = 0;
  return mapStruct(first!, () => outs[k++]!);
}
