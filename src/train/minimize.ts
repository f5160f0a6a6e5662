// Optimising arbitrary tensors (an image's pixels for style transfer or activation maximisation)
// with the same optimizers as fit: async, interruptible, with live progress in the kernel.
import { recycle } from "../tensor/pool.js";
import { collectSpent } from "../nn/graph.js";
import { Tensor } from "../tensor/tensor.js";
import { currentRuntime, type TrainingEvent } from "../runtime/index.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { fn, options, positiveInt, received, signalOf } from "../nn/args.js";
import { abortedBy, checkOptimizer, yieldToEventLoop } from "./loop.js";
import type { Optimizer } from "./optimizers.js";

/** What `onStep` receives after each update. */
export interface MinimizeStep {
  /** Updates done so far (1-based). */
  step: number;
  /** The loss before this update. */
  loss: number;
}

export interface MinimizeOptions {
  optimizer: Optimizer;
  /** Updates to run (default 100). */
  steps?: number;
  /** Stops after the current step when aborted (the kernel's interrupt is always checked too). */
  signal?: AbortSignal;
  /** After each update (awaited when it returns a Promise), e.g. to clip pixels or show the image. */
  onStep?: (log: MinimizeStep) => void | Promise<void>;
  /** Progress events; replaces the kernel's live display (`cl.runtime`) for this run. */
  onTraining?: (e: TrainingEvent) => void;
}

/** What `minimize` resolves to. */
export interface MinimizeResult {
  /** The loss before each update. */
  losses: number[];
  /** Updates done. */
  steps: number;
  /** True when the signal stopped it early (the tensors keep the values they reached). */
  aborted?: boolean;
}

/**
 * Minimises `lossFn(tensors)` over the tensors' values with an optimizer, `steps` times:
 * evaluate the scalar loss, backpropagate, update the tensors in place. It yields to the event
 * loop after every step, so the kernel's interrupt stops it and its live display shows the loss
 * curve (the same events as `fit`: one "epoch" of `steps` batches). The tensors are made to
 * require grad; freeze any model the loss runs through (`model.freeze()`) so that no weight
 * gradients are computed.
 *
 * @example
 * const img = cl.rand([1, 64, 64, 3], { seed: 0 });
 * await cl.train.minimize((x) => model.features(x, ["CONV2"], { grad: true }).CONV2.mean().neg(), img,
 *   { optimizer: cl.train.adam({ lr: 0.05 }), steps: 200 });
 */
export async function minimize<T extends Tensor | readonly Tensor[]>(lossFn: (tensors: T) => Tensor, tensors: T, opts: MinimizeOptions): Promise<MinimizeResult> {
  const op = "minimize";
  fn(op, "lossFn", lossFn);
  const list: Tensor[] = tensors instanceof Tensor ? [tensors] : Array.isArray(tensors) ? [...(tensors as readonly Tensor[])] : [];
  if (list.length === 0) throw new ValueError(`${op}: tensors must be a tensor or a non-empty list of tensors to optimise, got ${received(tensors)}`);
  list.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new ValueError(`${op}: tensors[${i}] must be a tensor, got ${received(t)}`);
    if (t.node !== null) throw new ValueError(`${op}: tensors[${i}] ${fmtShape(t.shape)} was computed by an op; optimise leaf tensors (e.g. x.detach().clone())`);
  });
  const o = options(op, opts, "{ optimizer, steps?, signal?, onStep? }", true);
  const optimizer = checkOptimizer(op, o.optimizer);
  const steps = positiveInt(op, "steps", o.steps, 100);
  const onStep = o.onStep === undefined ? undefined : fn<(l: MinimizeStep) => void | Promise<void>>(op, "onStep", o.onStep);
  const rt = currentRuntime();
  const aborted = abortedBy([signalOf(op, o.signal), rt.signal]);
  const onTraining = o.onTraining === undefined ? rt.onTraining : fn<(e: TrainingEvent) => void>(op, "onTraining", o.onTraining);
  for (const t of list) t.requiresGrad = true;
  const t0 = performance.now();
  const losses: number[] = [];
  const emit = (kind: TrainingEvent["kind"], loss: number, extra: Partial<TrainingEvent> = {}): void => {
    const done = kind === "epoch" || kind === "end";
    onTraining?.({
      kind, epoch: 0, epochs: 1, batch: Math.max(losses.length - 1, 0), batches: steps, step: losses.length, loss, metrics: {},
      history: done && losses.length ? [{ epoch: 0, loss, metrics: {} }] : [],
      elapsedMs: performance.now() - t0,
      ...extra,
    });
  };
  emit("start", NaN);
  let stopped = false;
  try {
    for (let s = 0; s < steps; s++) {
      if (aborted()) {
        stopped = true;
        break;
      }
      for (const t of list) t.grad = null;
      // the step's spent activations go back for reuse after it (nn/graph.ts, collectSpent): the
      // graph intermediates lossFn's model runs made are never handed out (features are)
      const { result: value, spent } = collectSpent(() => {
        let loss: Tensor;
        try {
          loss = lossFn(tensors);
        } catch (e) {
          if (e instanceof Error) e.message = `${op} (step ${s + 1}): ${e.message}`;
          throw e;
        }
        if (!(loss instanceof Tensor) || loss.size !== 1)
          throw new ShapeError(`${op}: lossFn must return a scalar tensor, got ${loss instanceof Tensor ? fmtShape(loss.shape) : received(loss)} (step ${s + 1})`);
        const v = loss.item();
        if (!Number.isFinite(v)) throw new ValueError(`${op}: loss became ${v} at step ${s + 1} (learning rate ${optimizer.lr}; try a smaller one)`);
        if (!loss.requiresGrad) throw new ValueError(`${op}: the loss does not depend on the tensors being optimised (step ${s + 1})`);
        loss.backward();
        optimizer.step(list);
        return v;
      });
      for (const a of spent) recycle(a);
      for (const t of list) t.grad = null;
      losses.push(value);
      emit("batch", value);
      await onStep?.({ step: losses.length, loss: value });
      await yieldToEventLoop();
    }
  } catch (e) {
    emit("end", losses.at(-1) ?? NaN, { aborted: true });
    throw e;
  }
  const last = losses.at(-1) ?? NaN;
  if (!stopped) emit("epoch", last);
  emit("end", last, stopped ? { aborted: true } : {});
  return stopped ? { losses, steps: losses.length, aborted: true } : { losses, steps: losses.length };
}
