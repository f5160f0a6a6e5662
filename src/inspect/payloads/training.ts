// application/vnd.convlab.training+json: the live (or finished) loss and metric curves of a fit.
import { arr, int, metrics, num, numOrNull, nums, obj, oneOf, payloadObject, run, type ParseResult } from "./common.js";

/** MIME type of the live training curves. */
export const TRAINING_MIME = "application/vnd.convlab.training+json";

/** The curves so far (built by `cl.runtime.TrainingProgress` and `cl.inspect.trainingCurves`). */
export interface TrainingPayload {
  version: 1;
  status: "running" | "done" | "interrupted";
  /** 0-based epoch and batch of the last event; `batches` is NaN-free (null when unknown). */
  epoch: number;
  epochs: number;
  batch: number;
  batches: number | null;
  step: number;
  elapsedMs: number;
  /** The running mean loss of the current epoch (the epoch's mean once it ended). */
  loss: number;
  /** Latest metrics (accuracy, valLoss, valAccuracy, ...). */
  metrics: Record<string, number>;
  /** Per-batch loss curve: global step (1-based: batches finished) and that batch's loss; averaged in pairs to ≤ 1000 points. */
  steps: number[];
  losses: number[];
  /** Per-epoch history. */
  history: { epoch: number; loss: number; metrics: Record<string, number> }[];
}

/** Validates the training payload. */
export function parseTraining(v: unknown): ParseResult<TrainingPayload> {
  return run("training", () => {
    const o = payloadObject(v);
    const steps = nums(o.steps, "payload.steps");
    const losses = arr(o.losses, "payload.losses", steps.length).map((x, i) => numOrNull(x, `payload.losses[${i}]`) ?? NaN);
    return {
      version: 1,
      status: oneOf(o.status, "payload.status", ["running", "done", "interrupted"] as const),
      epoch: int(o.epoch, "payload.epoch"),
      epochs: int(o.epochs, "payload.epochs"),
      batch: int(o.batch, "payload.batch"),
      batches: o.batches === null ? null : int(o.batches, "payload.batches"),
      step: int(o.step, "payload.step"),
      elapsedMs: num(o.elapsedMs, "payload.elapsedMs"),
      loss: numOrNull(o.loss, "payload.loss") ?? NaN,
      metrics: metrics(o.metrics, "payload.metrics"),
      steps,
      losses,
      history: arr(o.history, "payload.history").map((h, i) => {
        const path = `payload.history[${i}]`;
        const ho = obj(h, path);
        return { epoch: int(ho.epoch, `${path}.epoch`), loss: numOrNull(ho.loss, `${path}.loss`) ?? NaN, metrics: metrics(ho.metrics, `${path}.metrics`) };
      }),
    };
  });
}
