/**
 * Training progress as something to show: the kernel feeds `fit`'s `TrainingEvent`s in and
 * displays `text()` (one progress line, the `text/plain` fallback) and `payload()` (the
 * `application/vnd.convlab.training+json` curves so far) under one display id.
 */
import type { TrainingEvent } from "./index.js";
import { TRAINING_MIME, type TrainingPayload } from "../inspect/payloads/training.js";

export { TRAINING_MIME, type TrainingPayload };

/** Most points kept in the per-batch curve; beyond it neighbouring points are averaged. */
export const MAX_CURVE_POINTS = 1000;

/** Accumulates one `fit` call's events. */
export class TrainingProgress {
  private last: TrainingEvent | undefined;
  private steps: number[] = [];
  private losses: number[] = [];
  /** Points of the raw curve folded into each kept point (doubles on every halving). */
  private fold = 1;
  private pending = { steps: 0, loss: 0, n: 0 };
  private epochLoss = { sum: 0, n: 0, epoch: -1 };

  /** Adds an event. */
  update(e: TrainingEvent): void {
    this.last = e;
    if (e.kind === "batch") {
      if (e.epoch !== this.epochLoss.epoch) this.epochLoss = { sum: 0, n: 0, epoch: e.epoch };
      if (Number.isFinite(e.loss)) {
        this.epochLoss.sum += e.loss;
        this.epochLoss.n++;
      }
      this.addPoint(e.step, e.loss);
    }
  }

  private addPoint(step: number, loss: number): void {
    const p = this.pending;
    p.steps = step;
    p.loss += loss;
    p.n++;
    if (p.n < this.fold) return;
    this.steps.push(p.steps);
    this.losses.push(p.loss / p.n);
    this.pending = { steps: 0, loss: 0, n: 0 };
    if (this.steps.length >= MAX_CURVE_POINTS) {
      const s: number[] = [], l: number[] = [];
      for (let i = 0; i + 1 < this.steps.length; i += 2) {
        s.push(this.steps[i + 1]!);
        l.push((this.losses[i]! + this.losses[i + 1]!) / 2);
      }
      this.steps = s;
      this.losses = l;
      this.fold *= 2;
    }
  }

  /** Whether the last event ended the fit. */
  get done(): boolean {
    return this.last?.kind === "end";
  }

  private status(): TrainingPayload["status"] {
    if (this.last?.kind !== "end") return "running";
    return this.last.aborted ? "interrupted" : "done";
  }

  /** The loss to show: the epoch's mean when it ended, else the running mean of its batches. */
  private currentLoss(): number {
    const e = this.last;
    if (!e) return NaN;
    if (e.kind === "batch" && this.epochLoss.n > 0) return this.epochLoss.sum / this.epochLoss.n;
    return e.loss;
  }

  /** The curves so far. */
  payload(): TrainingPayload {
    const e = this.last;
    const steps = [...this.steps], losses = [...this.losses];
    if (this.pending.n > 0) {
      steps.push(this.pending.steps);
      losses.push(this.pending.loss / this.pending.n);
    }
    return {
      version: 1,
      status: this.status(),
      epoch: e?.epoch ?? 0,
      epochs: e?.epochs ?? 0,
      batch: e?.batch ?? 0,
      batches: e && Number.isFinite(e.batches) ? e.batches : null,
      step: e?.step ?? 0,
      elapsedMs: e?.elapsedMs ?? 0,
      loss: this.currentLoss(),
      metrics: { ...(e?.metrics ?? {}) },
      steps,
      losses,
      history: (e?.history ?? []).map((h) => ({ epoch: h.epoch, loss: h.loss, metrics: { ...h.metrics } })),
    };
  }

  /**
   * One progress line, e.g.
   * `epoch 2/5 [██████░░░░░░░░░░]  120/469 · loss 0.2345 · accuracy 0.9312 · 12.3 s`.
   */
  text(): string {
    const e = this.last;
    if (!e) return "training…";
    const secs = `${(e.elapsedMs / 1000).toFixed(1)} s`;
    const numbers = [`loss ${fmt(this.currentLoss())}`, ...Object.entries(e.metrics).map(([k, v]) => `${k} ${fmt(v)}`)].join(" · ");
    const known = Number.isFinite(e.batches) && e.batches > 0;
    if (e.kind === "end") {
      const epochs = e.history.length;
      if (e.aborted) {
        const where = known ? `epoch ${e.epoch + 1}/${e.epochs}, batch ${e.batch + 1}/${e.batches}` : `epoch ${e.epoch + 1}/${e.epochs}`;
        return `interrupted at ${where} after ${secs} · ${numbers} (the model keeps its weights)`;
      }
      return `trained ${epochs} epoch${epochs === 1 ? "" : "s"} (${e.step} batches) in ${secs} · ${numbers}`;
    }
    if (e.kind === "start") return `epoch 1/${e.epochs} · starting…`;
    const done = e.kind === "epoch" ? e.batches : e.batch + 1;
    const bar = known ? ` ${progressBar(done / e.batches, 20)} ${String(done).padStart(String(e.batches).length)}/${e.batches}` : ` batch ${done}`;
    return `epoch ${e.epoch + 1}/${e.epochs}${bar} · ${numbers} · ${secs}`;
  }
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

function progressBar(fraction: number, width: number): string {
  const f = Math.min(Math.max(fraction, 0), 1);
  const full = Math.round(f * width);
  return `[${"█".repeat(full)}${"░".repeat(width - full)}]`;
}
