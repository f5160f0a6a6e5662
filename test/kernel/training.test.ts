// The live training display: TrainingProgress (progress line + curves payload) and the kernel's
// TrainingDisplay (one display id per fit, ≤ 10 updates/s, the final state always sent).
import { afterEach, describe, expect, it, vi } from "vitest";
import * as cl from "../../src/index.js";
import { MIN_UPDATE_MS, TrainingDisplay } from "../../kernel/src/training.js";

type Ev = cl.runtime.TrainingEvent;

/** The events fit sends for `epochs` epochs of `batches` batches with the given batch losses. */
function events(epochs: number, batches: number, loss: (step: number) => number, msPerBatch = 10): Ev[] {
  const out: Ev[] = [];
  const history: Ev["history"] = [];
  let step = 0;
  out.push({ kind: "start", epoch: 0, epochs, batch: 0, batches, step: 0, loss: NaN, metrics: {}, history: [], elapsedMs: 0 });
  for (let e = 0; e < epochs; e++) {
    let sum = 0;
    for (let b = 0; b < batches; b++) {
      step++;
      sum += loss(step);
      out.push({ kind: "batch", epoch: e, epochs, batch: b, batches, step, loss: loss(step), metrics: { accuracy: step / (epochs * batches) }, history: [...history], elapsedMs: step * msPerBatch });
    }
    history.push({ epoch: e, loss: sum / batches, metrics: { accuracy: step / (epochs * batches) } });
    out.push({ kind: "epoch", epoch: e, epochs, batch: batches - 1, batches, step, loss: sum / batches, metrics: { accuracy: step / (epochs * batches) }, history: [...history], elapsedMs: step * msPerBatch });
  }
  const last = out[out.length - 1]!;
  out.push({ ...last, kind: "end" });
  return out;
}

describe("TrainingProgress", () => {
  it("keeps the per-batch curve, the epoch history and a progress line", () => {
    const p = new cl.runtime.TrainingProgress();
    const evs = events(2, 4, (s) => 1 / s);
    for (const e of evs.slice(0, 4)) p.update(e); // start + 3 batches
    expect(p.text()).toBe("epoch 1/2 [███████████████░░░░░] 3/4 · loss 0.6111 · accuracy 0.3750 · 0.0 s");
    let pay = p.payload();
    expect(pay).toMatchObject({ version: 1, status: "running", epoch: 0, epochs: 2, batch: 2, batches: 4, step: 3, steps: [1, 2, 3] });
    expect(pay.losses).toEqual([1, 1 / 2, 1 / 3]);
    expect(pay.loss).toBeCloseTo((1 + 1 / 2 + 1 / 3) / 3, 12);
    for (const e of evs.slice(4)) p.update(e);
    pay = p.payload();
    expect(pay.status).toBe("done");
    expect(pay.history.map((h) => h.epoch)).toEqual([0, 1]);
    expect(pay.history[1]!.loss).toBeCloseTo((1 / 5 + 1 / 6 + 1 / 7 + 1 / 8) / 4, 12);
    expect(pay.steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(p.text()).toMatch(/^trained 2 epochs \(8 batches\) in 0\.1 s · loss 0\.1586 · accuracy 1\.0000$/);
    expect(JSON.parse(JSON.stringify(pay))).toEqual(pay);
    // what the extension validates before drawing (payloads.ts)
    const parsed = cl.inspect.parseTraining(JSON.parse(JSON.stringify(pay)));
    expect(parsed).toEqual({ ok: true, value: pay });
    const start = new cl.runtime.TrainingProgress();
    start.update(evs[0]!);
    expect(cl.inspect.parseTraining(JSON.parse(JSON.stringify(start.payload()))).ok).toBe(true); // NaN loss → null
  });

  it("says where an interrupted fit stopped", () => {
    const p = new cl.runtime.TrainingProgress();
    const evs = events(3, 10, () => 0.5);
    for (const e of evs.slice(0, 15)) p.update(e);
    const last = evs[14]!;
    p.update({ ...last, kind: "end", aborted: true });
    expect(p.payload().status).toBe("interrupted");
    expect(p.text()).toMatch(/^interrupted at epoch 2\/3, batch 3\/10 after 0\.1 s · loss 0\.5000 .*keeps its weights/);
  });

  it("averages neighbouring points so the curve stays under MAX_CURVE_POINTS", () => {
    const p = new cl.runtime.TrainingProgress();
    const n = 5 * cl.runtime.MAX_CURVE_POINTS + 3;
    for (const e of events(1, n, (s) => s)) p.update(e);
    const { steps, losses } = p.payload();
    expect(steps.length).toBeLessThanOrEqual(cl.runtime.MAX_CURVE_POINTS);
    expect(steps.length).toBeGreaterThan(cl.runtime.MAX_CURVE_POINTS / 4);
    expect(steps[steps.length - 1]).toBe(n);
    // each kept point is the mean of the losses of a run of consecutive steps ending at its step
    const fold = steps[1]! - steps[0]!;
    expect(losses[1]).toBeCloseTo(steps[1]! - (fold - 1) / 2, 9);
  });
});

describe("TrainingDisplay", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("shows one display per fit and updates it at most every MIN_UPDATE_MS, ending with the final state", () => {
    vi.useFakeTimers();
    let now = 0;
    const sent: { content: { data: Record<string, unknown>; transient: { display_id: string } }; update: boolean; at: number }[] = [];
    const d = new TrainingDisplay(cl.runtime, (content, update) => sent.push({ content, update, at: now }), () => now);
    const evs = events(2, 50, () => 1);
    for (const e of evs) {
      d.onEvent(e);
      now += 7; // a batch every 7 ms: far more events than updates
      vi.advanceTimersByTime(7);
    }
    expect(sent[0]!.update).toBe(false);
    expect(sent.slice(1).every((s) => s.update)).toBe(true);
    const ids = new Set(sent.map((s) => s.content.transient.display_id));
    expect(ids.size).toBe(1);
    for (let i = 1; i < sent.length - 1; i++) expect(sent[i]!.at - sent[i - 1]!.at).toBeGreaterThanOrEqual(MIN_UPDATE_MS);
    expect(sent.length).toBeLessThanOrEqual(Math.ceil((evs.length * 7) / MIN_UPDATE_MS) + 2);
    const last = sent[sent.length - 1]!.content.data;
    expect((last[cl.runtime.TRAINING_MIME] as { status: string }).status).toBe("done");
    expect(last["text/plain"]).toMatch(/^trained 2 epochs/);
  });

  it("carries the curves as image/png (cl.inspect.trainingPng) when an epoch ends and at the end, not on batch updates", () => {
    let now = 0;
    const sent: { data: Record<string, unknown>; metadata: Record<string, unknown>; kind: string }[] = [];
    let kind = "";
    const d = new TrainingDisplay(cl.runtime, (content) => sent.push({ ...content, kind }), () => now, cl.inspect.trainingPng);
    for (const e of events(2, 3, (s) => 1 / s)) {
      kind = e.kind;
      now += 1000; // every event is sent
      d.onEvent(e);
    }
    expect(sent.map((s) => s.kind)).toEqual(["start", "batch", "batch", "batch", "epoch", "batch", "batch", "batch", "epoch", "end"]);
    const withPng = sent.filter((s) => "image/png" in s.data).map((s) => s.kind);
    expect(withPng).toEqual(["start", "epoch", "epoch", "end"]);
    const final = sent[sent.length - 1]!;
    const png = Buffer.from(final.data["image/png"] as string, "base64");
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(final.metadata["image/png"]).toEqual({ width: 360, height: 200, alt: String(final.data["text/plain"]).split("\n")[0]!.replace(/:$/, "") });
    expect((final.metadata["image/png"] as { alt: string }).alt).toMatch(/^trained 2 epochs/);
  });

  it("sends a throttled update later (trailing), and starts a new display for the next fit", () => {
    vi.useFakeTimers();
    let now = 0;
    const sent: { id: string; update: boolean; text: string }[] = [];
    const d = new TrainingDisplay(cl.runtime, (c, update) => sent.push({ id: c.transient.display_id, update, text: String(c.data["text/plain"]) }), () => now);
    const evs = events(1, 3, () => 2);
    d.onEvent(evs[0]!); // start: shown at once
    d.onEvent(evs[1]!); // within 100 ms: deferred
    expect(sent).toHaveLength(1);
    now = 150;
    vi.advanceTimersByTime(150);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.text).toMatch(/1\/3/);
    for (const e of evs.slice(2)) d.onEvent(e);
    d.onEvent(events(1, 1, () => 1)[0]!); // a second fit
    const ids = [...new Set(sent.map((s) => s.id))];
    expect(ids).toHaveLength(2);
    expect(sent.find((s) => s.id === ids[1])!.update).toBe(false);
  });
});
