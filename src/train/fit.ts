// The training loop (DESIGN "Contracts", "Training is async"): fit, evaluate and batched predict
// return Promises and yield to the event loop after every batch, so a notebook stays responsive
// and an interrupt (an AbortSignal) is seen between batches.
import { Tensor, allocate } from "../tensor/tensor.js";
import { noGrad } from "../autograd/tape.js";
import { softmaxCrossEntropy, mse, bce } from "../ops/losses.js";
import { reshape } from "../ops/layout.js";
import { Batches, type Dataset } from "../data/batching.js";
import { currentRuntime, type TrainingEvent } from "../runtime/index.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import type { Trainable } from "./types.js";
import type { Optimizer } from "./optimizers.js";
import { resolveMetrics, type Metric, type MetricSpec } from "./metrics.js";

/** Training or evaluation data: `{ x, y }` tensors (examples along axis 0), or an (async) iterable of such batches. */
export type Data = Dataset | Iterable<Dataset> | AsyncIterable<Dataset>;

export type LossName = "softmaxCrossEntropy" | "mse" | "bce";
/** A loss function of the model's output and the batch's `y`, returning a scalar tensor. */
export type LossFn = (output: Tensor, y: Tensor) => Tensor;

/** One epoch of the history. `epoch` is 0-based, like `TrainingEvent.epoch`. */
export interface EpochLog {
  epoch: number;
  /** Mean training loss over the epoch's examples. */
  loss: number;
  /** e.g. `{ accuracy, valLoss, valAccuracy }`. */
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

export interface FitOptions {
  optimizer: Optimizer;
  /** Default "softmaxCrossEntropy" (logits and class ids or probabilities). */
  loss?: LossName | LossFn;
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Examples per batch for `{ x, y }` data (default 32; ignored for iterables). */
  batchSize?: number;
  /** Reshuffle `{ x, y }` data every epoch (default true). */
  shuffle?: boolean;
  /** Seed of the per-epoch shuffling: the same seed (and model seed) gives bit-identical weights. */
  seed?: number;
  /** Evaluated after every epoch: `valLoss` and `val<Metric>` in the epoch's metrics. */
  validationData?: Data;
  callbacks?: FitCallbacks;
  /** Stops the fit after the current batch when aborted (the kernel's interrupt is always checked too). */
  signal?: AbortSignal;
  /** Default ["accuracy"] for "softmaxCrossEntropy" and "bce", [] otherwise. */
  metrics?: readonly MetricSpec[];
}

export interface EvaluateOptions {
  /** Default 256 for `{ x, y }` data. */
  batchSize?: number;
  /** Default "softmaxCrossEntropy". */
  loss?: LossName | LossFn;
  metrics?: readonly MetricSpec[];
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

const LOSSES: Record<LossName, LossFn> = {
  softmaxCrossEntropy: (z, y) => softmaxCrossEntropy(z, y),
  mse: (p, y) => mse(p, fitTarget(p, y)),
  bce: (z, y) => bce(z, fitTarget(z, y)),
};

/** Targets `[m]` for outputs `[m, 1]` (a binary or 1-unit regression head) are reshaped to match. */
function fitTarget(out: Tensor, y: Tensor): Tensor {
  return y.rank !== out.rank && y.size === out.size && y.shape[0] === out.shape[0] ? reshape(y, out.shape) : y;
}

function resolveLoss(loss: LossName | LossFn | undefined, op: string): { fn: LossFn; name: string } {
  if (loss === undefined) return { fn: LOSSES.softmaxCrossEntropy, name: "softmaxCrossEntropy" };
  if (typeof loss === "function") return { fn: loss, name: loss.name || "custom" };
  if (typeof loss === "string" && Object.hasOwn(LOSSES, loss)) return { fn: LOSSES[loss], name: loss };
  throw new ValueError(`${op}: unknown loss ${JSON.stringify(loss)} (expected ${Object.keys(LOSSES).map((k) => `"${k}"`).join(", ")} or a function)`);
}

function defaultMetrics(lossName: string): MetricSpec[] {
  return lossName === "softmaxCrossEntropy" || lossName === "bce" ? ["accuracy"] : [];
}

function positiveInt(op: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new ValueError(`${op}: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function isDataset(d: unknown): d is Dataset {
  return typeof d === "object" && d !== null && "x" in d && "y" in d && !(Symbol.iterator in d) && !(Symbol.asyncIterator in d);
}

/** Batches of one pass over the data, and how many there are (NaN when unknown). */
interface Source {
  pass(): Iterable<Dataset> | AsyncIterable<Dataset>;
  length: number;
}

function sourceOf(data: Data, op: string, batchSize: number, shuffle: boolean, seed: number | undefined): Source {
  if (isDataset(data)) {
    const { x, y } = data;
    if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new ValueError(`${op}: data { x, y } must hold tensors`);
    if (x.rank === 0 || y.rank === 0 || x.shape[0] !== y.shape[0])
      throw new ShapeError(`${op}: x has ${x.shape[0] ?? 0} examples but y has ${y.shape[0] ?? 0} (x ${fmtShape(x.shape)}, y ${fmtShape(y.shape)})`);
    if (x.shape[0] === 0) throw new ShapeError(`${op}: the data is empty (x ${fmtShape(x.shape)})`);
    const b = new Batches({ x, y }, seed === undefined ? { batchSize, shuffle } : { batchSize, shuffle, seed });
    return { pass: () => b, length: b.length };
  }
  if (typeof data === "object" && data !== null && (Symbol.iterator in data || Symbol.asyncIterator in data)) {
    const n = (data as { length?: unknown }).length;
    return { pass: () => data, length: typeof n === "number" ? n : NaN };
  }
  throw new ValueError(`${op}: data must be { x, y } tensors or an iterable of { x, y } batches, got ${data === null ? "null" : typeof data}`);
}

/** Checks one batch from an iterable. */
function checkBatch(b: unknown, op: string, where: string): Dataset {
  if (!isDataset(b) || !(b.x instanceof Tensor) || !(b.y instanceof Tensor)) throw new ValueError(`${op}: ${where} is not a batch { x, y } of tensors`);
  if (b.x.rank === 0 || b.y.rank === 0 || b.x.shape[0] !== b.y.shape[0] || b.x.shape[0] === 0)
    throw new ShapeError(`${op}: ${where} has ${b.x.shape[0] ?? 0} inputs but ${b.y.shape[0] ?? 0} labels (x ${fmtShape(b.x.shape)}, y ${fmtShape(b.y.shape)})`);
  return b;
}

/** Lets timers, I/O and interrupts run between batches (no Node built-ins: works in browsers too). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Prefixes an error's message with where it happened, keeping its class. */
function withContext(e: unknown, prefix: string): unknown {
  if (e instanceof Error) {
    e.message = `${prefix}: ${e.message}`;
    return e;
  }
  return e;
}

function abortedBy(signals: (AbortSignal | undefined)[]): () => boolean {
  const list = signals.filter((s): s is AbortSignal => s !== undefined);
  return () => list.some((s) => s.aborted);
}

/** Running sums of a loss and metrics weighted by batch size. */
class Meter {
  private n = 0;
  private lossSum = 0;
  private readonly sums: number[];
  constructor(private readonly metrics: Metric[]) {
    this.sums = metrics.map(() => 0);
  }
  /** Adds a batch; returns its metric values. */
  add(loss: number, output: Tensor, y: Tensor, m: number): Record<string, number> {
    const values: Record<string, number> = {};
    this.metrics.forEach((mt, i) => {
      const v = mt.fn(output, y);
      values[mt.name] = v;
      this.sums[i]! += v * m;
    });
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
    this.metrics.forEach((mt, i) => {
      const key = prefix ? `${prefix}${mt.name[0]!.toUpperCase()}${mt.name.slice(1)}` : mt.name;
      out[key] = this.sums[i]! / this.n;
    });
    return out;
  }
}

/**
 * Trains a model: `opts.epochs` passes over `data` in mini-batches, one optimizer step per
 * batch (forward in training mode, loss, backward, step). `{ x, y }` data is reshuffled every
 * epoch (seeded by `seed`). Resolves to the per-epoch history; with an aborted signal (or the
 * kernel's interrupt) it stops after the current batch and resolves with `aborted: true`.
 * A loss that becomes NaN or ±Infinity stops it with an error naming the epoch and batch.
 * `model.fit(data, opts)` calls this.
 *
 * @example
 * const history = await cl.train.fit(model, { x, y }, {
 *   optimizer: cl.train.adam({ lr: 1e-3 }), loss: "softmaxCrossEntropy", epochs: 3, batchSize: 64, seed: 0,
 * });
 */
export async function fit(model: Trainable, data: Data, opts: FitOptions): Promise<History> {
  const op = "fit";
  if (typeof opts !== "object" || opts === null) throw new ValueError(`${op}: expected options { optimizer, loss, epochs, batchSize, ... }`);
  const optimizer = opts.optimizer;
  if (!optimizer || typeof optimizer.step !== "function")
    throw new ValueError(`${op}: optimizer must be an optimizer such as cl.train.adam({ lr: 1e-3 }), got ${optimizer === undefined ? "undefined" : typeof optimizer}`);
  const epochs = positiveInt(op, "epochs", opts.epochs, 1);
  const batchSize = positiveInt(op, "batchSize", opts.batchSize, 32);
  const { fn: lossFn, name: lossName } = resolveLoss(opts.loss, op);
  const metrics = resolveMetrics(opts.metrics ?? defaultMetrics(lossName), op);
  const source = sourceOf(data, op, batchSize, opts.shuffle ?? true, opts.seed);
  const validation = opts.validationData === undefined ? null : sourceOf(opts.validationData, `${op} (validationData)`, batchSize, false, undefined);
  const params = model.trainableParameters();
  if (params.length === 0) throw new ValueError(`${op}: the model has no trainable parameters (are all its layers frozen?)`);
  const rt = currentRuntime();
  const aborted = abortedBy([opts.signal, rt.signal]);
  const onTraining = opts.callbacks?.onTraining ?? rt.onTraining;
  const cb = opts.callbacks ?? {};
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
      const meter = new Meter(metrics);
      let b = 0;
      for await (const raw of source.pass()) {
        if (aborted()) {
          stopped = true;
          break;
        }
        const where = `epoch ${epoch + 1}, batch ${b + 1}`;
        const { x, y } = checkBatch(raw, op, where);
        for (const p of params) p.grad = null;
        let loss: Tensor, output: Tensor;
        try {
          output = model.forward(x, { training: true });
          loss = lossFn(output, y);
        } catch (e) {
          throw withContext(e, `${op} (${where})`);
        }
        if (!(loss instanceof Tensor) || loss.size !== 1)
          throw new ShapeError(`${op}: the loss must be a scalar tensor, got ${loss instanceof Tensor ? fmtShape(loss.shape) : typeof loss} (${where})`);
        const value = loss.item();
        if (!Number.isFinite(value))
          throw new ValueError(`${op}: loss became ${value} at ${where} (learning rate ${optimizer.lr}; try a smaller one, or check the inputs for NaN/Infinity)`);
        if (!loss.requiresGrad) throw new ValueError(`${op}: the loss does not depend on any trainable parameter (${where})`);
        loss.backward();
        optimizer.step(params);
        for (const p of params) p.grad = null;
        const m = x.shape[0]!;
        const batchMetrics = noGrad(() => meter.add(value, output, y, m));
        step++;
        last = { epoch, batch: b, loss: value, metrics: meter.values() };
        emit({ kind: "batch", ...last });
        await cb.onBatchEnd?.({ epoch, batch: b, step, loss: value, metrics: batchMetrics, size: m });
        b++;
        await yieldToEventLoop();
      }
      if (b === 0 && !stopped)
        throw new ValueError(`${op}: the data gave no batches in epoch ${epoch + 1}` + (epoch > 0 ? " (a generator can be iterated only once: pass an iterable that starts over, e.g. cl.data.batches(...))" : ""));
      if (b > 0) {
        const log: EpochLog = { epoch, loss: meter.loss, metrics: meter.values(), batches: b };
        if (stopped) log.partial = true;
        else if (validation && !aborted()) {
          try {
            Object.assign(log.metrics, await evaluateSource(model, validation, lossFn, metrics, aborted, `${op} (validationData)`, "val"));
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

async function evaluateSource(
  model: Trainable, source: Source, lossFn: LossFn, metrics: Metric[], aborted: () => boolean, op: string, prefix = "",
): Promise<Record<string, number>> {
  const meter = new Meter(metrics);
  let b = 0;
  for await (const raw of source.pass()) {
    if (aborted()) throw abortError(op);
    const where = `batch ${++b}`;
    const { x, y } = checkBatch(raw, op, where);
    noGrad(() => {
      try {
        const output = model.forward(x, { training: false });
        meter.add(lossFn(output, y).item(), output, y, x.shape[0]!);
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
export async function evaluate(model: Trainable, data: Data, opts: EvaluateOptions = {}): Promise<EvaluateResult> {
  const op = "evaluate";
  const batchSize = positiveInt(op, "batchSize", opts.batchSize, 256);
  const { fn, name } = resolveLoss(opts.loss, op);
  const metrics = resolveMetrics(opts.metrics ?? defaultMetrics(name), op);
  const aborted = abortedBy([opts.signal, currentRuntime().signal]);
  const out = await evaluateSource(model, sourceOf(data, op, batchSize, false, undefined), fn, metrics, aborted, op);
  return out as EvaluateResult;
}

/**
 * The model's outputs for `x` `[m, ...]`, computed `batchSize` examples at a time in evaluation
 * mode without autograd, yielding between batches: one tensor `[m, ...output]`.
 * `model.predictBatched(x, opts)` calls this.
 */
export async function predictBatched(model: Trainable, x: Tensor, opts: PredictOptions = {}): Promise<Tensor> {
  const op = "predictBatched";
  if (!(x instanceof Tensor)) throw new ValueError(`${op}: expected a tensor x [m,...], got ${typeof x}`);
  if (x.rank === 0 || x.shape[0] === 0) throw new ShapeError(`${op}: expected a non-empty batch x [m,...], got ${fmtShape(x.shape)}`);
  const batchSize = positiveInt(op, "batchSize", opts.batchSize, 256);
  const aborted = abortedBy([opts.signal, currentRuntime().signal]);
  const m = x.shape[0]!, row = x.size / m;
  let out: Tensor | null = null, outRow = 0;
  for (let start = 0; start < m; start += batchSize) {
    if (aborted()) throw abortError(op);
    const end = Math.min(start + batchSize, m);
    const xb = new Tensor(x.data.subarray(start * row, end * row), [end - start, ...x.shape.slice(1)]);
    const yb = noGrad(() => model.forward(xb, { training: false }));
    if (!out) {
      outRow = yb.size / (end - start);
      out = new Tensor(allocate(yb.dtype, m * outRow), [m, ...yb.shape.slice(1)]);
    }
    out.data.set(yb.data, start * outRow);
    await yieldToEventLoop();
  }
  return out!;
}
