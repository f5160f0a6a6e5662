/**
 * The live output of `model.fit` in a cell: one display (one `display_id` per fit) showing the
 * progress line and the curves so far, first as `display_data`, then replaced through
 * `update_display_data` at most 10 times a second; the last update (the end of the fit) is
 * always sent, so the final state is what a saved notebook keeps.
 */
import { randomBytes } from "node:crypto";
import type * as Convlab from "convlab";

type WriteDisplay = (content: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: { display_id: string } }, update: boolean) => void;

/** Least time between two updates of one display (ms): ≤ 10 updates/s. */
export const MIN_UPDATE_MS = 100;

export class TrainingDisplay {
  private progress: InstanceType<typeof Convlab.runtime.TrainingProgress> | undefined;
  private id = "";
  private shown = false;
  private lastSent = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether the next update carries the PNG fallback (an epoch ended since the last one). */
  private withPng = false;

  constructor(
    private readonly runtime: typeof Convlab.runtime,
    private readonly write: WriteDisplay,
    private readonly now: () => number = () => performance.now(),
    /** The `image/png` fallback of the curves (`cl.inspect.trainingPng`), sent at each epoch's end and at the end. */
    private readonly png?: (p: Convlab.runtime.TrainingPayload) => { base64: string; width: number; height: number },
  ) {}

  /** Receives one event of `fit` (the kernel installs this as the cell's `onTraining`). */
  onEvent = (e: Convlab.runtime.TrainingEvent): void => {
    if (e.kind === "start" || !this.progress || this.progress.done) {
      this.flushTimer();
      this.progress = new this.runtime.TrainingProgress();
      this.id = randomBytes(8).toString("hex");
      this.shown = false;
      this.lastSent = -Infinity;
    }
    this.progress.update(e);
    if (e.kind !== "batch") this.withPng = true;
    if (e.kind === "end") {
      this.flushTimer();
      this.send();
      return;
    }
    const wait = this.lastSent + MIN_UPDATE_MS - this.now();
    if (wait <= 0) {
      this.flushTimer();
      this.send();
    } else this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.send();
    }, wait);
  };

  /** Sends what is pending now (the kernel calls this when the cell ends). */
  flush(): void {
    if (this.timer) {
      this.flushTimer();
      this.send();
    }
  }

  private flushTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private send(): void {
    const p = this.progress;
    if (!p) return;
    this.lastSent = this.now();
    const payload = p.payload();
    const data: Record<string, unknown> = { "text/plain": p.text(), [this.runtime.TRAINING_MIME]: payload };
    const metadata: Record<string, unknown> = {};
    if (this.png && this.withPng) {
      const png = this.png(payload);
      data["image/png"] = png.base64;
      // alt text for nbconvert's HTML and screen readers: the text's first line
      metadata["image/png"] = { width: png.width, height: png.height, alt: p.text().split("\n")[0]!.replace(/:$/, "") };
    }
    this.withPng = false;
    this.write({ data, metadata, transient: { display_id: this.id } }, this.shown);
    this.shown = true;
  }
}
