/**
 * cl.runtime: what the environment (the Jupyter kernel) installs around each cell, so that
 * long-running calls such as `model.fit` can be interrupted and can show live progress without
 * the user passing anything. Outside a kernel nothing is installed and these are no-ops.
 */

/** One training progress event, sent by `fit` at its start, after every batch, every epoch and at the end. */
export interface TrainingEvent {
  kind: "start" | "batch" | "epoch" | "end";
  /** 0-based epoch. */
  epoch: number;
  epochs: number;
  /** 0-based batch within the epoch (the last finished one). */
  batch: number;
  /** Batches per epoch (NaN when the data is an iterable of unknown length). */
  batches: number;
  /** Global step: batches finished since fit started. */
  step: number;
  /** The batch's loss for "batch"; the epoch's mean loss for "epoch" and "end". */
  loss: number;
  /** Metrics so far, e.g. { accuracy, valLoss, valAccuracy }. */
  metrics: Record<string, number>;
  /** Per-epoch history so far. */
  history: { epoch: number; loss: number; metrics: Record<string, number> }[];
  /** Milliseconds since fit started. */
  elapsedMs: number;
  /** Whether fit stopped early because its signal was aborted ("end" only). */
  aborted?: boolean;
}

export interface CellRuntime {
  /** Aborted when the user interrupts the running cell. */
  signal?: AbortSignal;
  /** Receives training progress (the kernel turns it into a live display). */
  onTraining?: (e: TrainingEvent) => void;
  /** Shows a value in the running cell's output (the kernel implements `cl.show` with it). */
  display?: (value: unknown, opts?: DisplayOptions) => void;
}

/** Options of `cl.show` / `CellRuntime.display`. */
export interface DisplayOptions {
  /**
   * Names one output: the first `show` with an id adds it, later ones with the same id replace
   * it in place (Jupyter's `update_display_data`), e.g. an image redrawn inside a loop.
   */
  id?: string;
}

let current: CellRuntime = {};

/** What the environment installed for the code running now ({} outside a kernel). */
export function currentRuntime(): CellRuntime {
  return current;
}

/** Installs a runtime (the kernel does this per cell); returns a function that restores the previous one. */
export function setRuntime(rt: CellRuntime): () => void {
  const prev = current;
  current = rt;
  return () => {
    current = prev;
  };
}

export { registerCommHandler, commHandler, commMethods, type CommHandler, type CommContext } from "./comms.js";
export { TrainingProgress, TRAINING_MIME, MAX_CURVE_POINTS, type TrainingPayload } from "./progress.js";
