/**
 * Training curves as a widget. While `model.fit` runs in a kernel cell, the kernel shows the live
 * `application/vnd.convlab.training+json` output itself (from `cl.runtime`'s training events);
 * `cl.inspect.trainingCurves(history)` shows a finished fit's history the same way, e.g. in a
 * later cell or for a history loaded from disk.
 */
import { ValueError } from "../util/errors.js";
import type { MimeBundle } from "./display.js";
import { TRAINING_MIME, type TrainingPayload } from "./payloads.js";

/** What `trainingCurves` reads: `model.fit`'s resolved history. */
export interface HistoryLike {
  epochs: readonly { epoch: number; loss: number; metrics: Record<string, number>; batches?: number }[];
  aborted?: boolean;
}

export class TrainingCurves {
  constructor(readonly payload: TrainingPayload) {}

  toMimeBundle(): MimeBundle {
    return { data: { [TRAINING_MIME]: this.payload, "text/plain": this.toString() } };
  }

  /** One line per epoch: loss and metrics. */
  toString(): string {
    const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : String(v));
    const lines = this.payload.history.map((h) => `  epoch ${h.epoch + 1}: loss ${f(h.loss)}${Object.entries(h.metrics).map(([k, v]) => ` · ${k} ${f(v)}`).join("")}`);
    return [`Training ${this.payload.status === "interrupted" ? "(interrupted) " : ""}over ${this.payload.history.length} epoch(s):`, ...lines].join("\n");
  }
}

/**
 * The curves of a finished fit (per epoch: loss and metrics).
 *
 * @example
 * const history = await model.fit(train, opts);
 * cl.inspect.trainingCurves(history)
 */
export function trainingCurves(history: HistoryLike): TrainingCurves {
  if (!history || !Array.isArray(history.epochs)) throw new ValueError("trainingCurves: expected a history { epochs: [{ epoch, loss, metrics }] } from model.fit");
  const epochs = history.epochs;
  const last = epochs[epochs.length - 1];
  const batches = epochs.reduce((s, e) => s + (e.batches ?? 0), 0);
  return new TrainingCurves({
    version: 1,
    status: history.aborted ? "interrupted" : "done",
    epoch: last?.epoch ?? 0,
    epochs: epochs.length,
    batch: 0,
    batches: null,
    step: batches,
    elapsedMs: 0,
    loss: last?.loss ?? NaN,
    metrics: { ...(last?.metrics ?? {}) },
    steps: [],
    losses: [],
    history: epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, metrics: { ...e.metrics } })),
  });
}
