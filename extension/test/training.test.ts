// The training-curves renderer in jsdom, fed the payloads a real fit produces (the kernel's
// TrainingProgress over cl.runtime's training events): status line and progress, one loss
// point per batch, metric series, live updates in place, the finished history, error box.
import { afterEach, describe, expect, it } from "vitest";
import { inspect, nn, runtime, train, Tensor, Rng } from "convlab/browser";
import { TrainingWidget, isLossName, progressFraction, statusText, trainingSeries } from "../src/training.js";
import { rendererOptions } from "./helpers.js";

function widget(): TrainingWidget {
  return new TrainingWidget(rendererOptions(inspect.TRAINING_MIME));
}

/** Two Gaussian blobs, 48 points, labels 0/1. */
function blobs(seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed), m = 48;
  const x = new Float32Array(m * 2), y = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    y[i] = i % 2;
    x[2 * i] = (i % 2 ? 1.5 : -1.5) + 0.5 * rng.normal();
    x[2 * i + 1] = 0.5 * rng.normal();
  }
  return { x: new Tensor(x, [m, 2]), y: new Tensor(y, [m]) };
}

/** Runs a real fit (3 epochs × 3 batches, validation) and keeps the payload after every event. */
async function fitPayloads(): Promise<inspect.TrainingPayload[]> {
  const progress = new runtime.TrainingProgress();
  const payloads: inspect.TrainingPayload[] = [];
  const restore = runtime.setRuntime({ onTraining: (e) => (progress.update(e), payloads.push(progress.payload())) });
  try {
    const model = nn.sequential([nn.dense({ units: 4, activation: "relu" }), nn.dense({ units: 2 })], { inputShape: [2], seed: 1 });
    await model.fit(blobs(1), { optimizer: train.adam({ lr: 0.05 }), loss: "softmaxCrossEntropy", epochs: 3, batchSize: 16, seed: 2, validationData: blobs(2) });
  } finally {
    restore();
  }
  return payloads;
}

afterEach(() => void runtime.setRuntime({}));

describe("training renderer", () => {
  it("draws a finished fit: status done, full progress bar, a loss line with one point per batch, the metrics chart", async () => {
    const all = await fitPayloads();
    const last = all[all.length - 1]!;
    const w = widget();
    w.renderData(last);
    expect(w.node.dataset.status).toBe("done");
    expect(w.node.querySelector(".convlab-train-status")!.textContent).toMatch(/^done · epoch 3\/3 · loss \d/);
    expect((w.node.querySelector(".convlab-train-progress-fill") as HTMLElement).style.width).toBe("100%");
    const batchLine = w.node.querySelector('polyline[data-series="loss (batch)"]')!;
    expect(batchLine.getAttribute("points")!.split(" ").length).toBe(9);
    expect(w.node.querySelector('polyline[data-series="valLoss"]')).not.toBeNull();
    const charts = [...w.node.querySelectorAll(".convlab-train-chart-title")].map((e) => e.textContent);
    expect(charts).toEqual(["loss", "metrics"]);
    const accDots = w.node.querySelectorAll('circle title');
    expect([...accDots].some((t) => /^accuracy: /.test(t.textContent!))).toBe(true);
  });

  it("updates in place while training: the status and the number of points follow each payload", async () => {
    const all = await fitPayloads();
    const w = widget();
    const mid = all.find((p) => p.epoch === 1 && p.status === "running" && p.steps.length === 4)!;
    w.renderData(mid);
    expect(w.node.querySelector(".convlab-train-status")!.textContent).toMatch(/^running · epoch 2\/3 · batch \d\/3/);
    expect(w.node.querySelector('polyline[data-series="loss (batch)"]')!.getAttribute("points")!.split(" ").length).toBe(4);
    const frac = progressFraction(mid);
    expect(frac).toBeGreaterThan(1 / 3);
    expect(frac).toBeLessThan(1);
    w.renderData(all[all.length - 1]!);
    expect(w.node.querySelectorAll(".convlab-train-status").length).toBe(1);
    expect(w.node.querySelector('polyline[data-series="loss (batch)"]')!.getAttribute("points")!.split(" ").length).toBe(9);
  });

  it("series: per-step x for live fits, epochs for a finished history; losses on the loss chart", async () => {
    const all = await fitPayloads();
    const last = all[all.length - 1]!;
    const s = trainingSeries(last);
    expect(s.unit).toBe("step");
    expect(s.loss.find((q) => q.name === "loss (epoch)")!.x).toEqual([3, 6, 9]);
    expect(s.loss.map((q) => q.name)).toContain("valLoss");
    expect(s.metrics.map((q) => q.name).every((n) => !isLossName(n))).toBe(true);
    const h = inspect.trainingCurves({ epochs: last.history.map((e) => ({ ...e, batches: 3 })) }).payload;
    const t = trainingSeries(h);
    expect(t.unit).toBe("epoch");
    expect(t.loss[0]!.x).toEqual([1, 2, 3]);
    expect(t.loss[0]!.y).toEqual(last.history.map((e) => e.loss));
    expect(statusText(h)).toMatch(/^done · epoch 3\/3 · loss /);
  });

  it("interrupted fits say so; a bad payload gives an error box with the reason", () => {
    const w = widget();
    const p = inspect.trainingCurves({ epochs: [{ epoch: 0, loss: 0.5, metrics: { accuracy: 0.8 } }], aborted: true }).payload;
    w.renderData(p);
    expect(w.node.querySelector(".convlab-train-interrupted")!.textContent).toMatch(/^interrupted/);
    w.renderData({ ...p, losses: "nope" });
    expect(w.node.classList.contains("convlab-hasError")).toBe(true);
    expect(w.node.querySelector(".convlab-error")!.textContent).toMatch(/payload\.losses/);
    w.renderData({ ...p, metrics: { "<b>x</b>": 1 } });
    expect(w.node.querySelector("b")).toBeNull();
    expect(w.node.querySelector(".convlab-train-status")!.textContent).toContain("<b>x</b> 1");
  });
});
