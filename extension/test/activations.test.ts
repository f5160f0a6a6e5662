// The activations renderer in jsdom, fed real cl.inspect.activations payloads of LeNet-5: the
// statistics table and histograms match the payload, a live update keeps the selected layer,
// top-k patches are drawn, the selected layer's units are clickable tiles (without a kernel a click
// says so; the round trip with a real kernel is activations-kernel.test.ts), bad payloads → error box.
import { describe, expect, it } from "vitest";
import { inspect, models, randn } from "convlab/browser";
import { ActivationsWidget, histogramBars, parseUnit, percent, tileColor } from "../src/activations.js";
import { rendererOptions } from "./helpers.js";

function widget(): ActivationsWidget {
  return new ActivationsWidget(rendererOptions(inspect.ACTIVATIONS_MIME));
}

const net = models.lenet5({ inputShape: [32, 32, 1], seed: 0 });
const batch = randn([16, 32, 32, 1], { seed: 2 });
const payload = (step?: number) => inspect.activations(net, batch, { units: [{ layer: "CONV2", units: [3, 7], k: 4 }], ...(step === undefined ? {} : { step }) }).payload;

describe("activations renderer", () => {
  it("one row per layer with the payload's mean, std and fraction zero, a histogram each", () => {
    const p = payload();
    const w = widget();
    w.renderData(p);
    const rows = [...w.node.querySelectorAll<HTMLTableRowElement>("tr.convlab-act-row")];
    expect(rows.map((r) => r.dataset.layer)).toEqual(p.layers.map((l) => l.name));
    rows.forEach((r, i) => {
      const l = p.layers[i]!;
      expect(Number(r.querySelector(".convlab-act-mean")!.textContent)).toBeCloseTo(l.mean!, 3);
      expect(r.querySelector(".convlab-act-zero")!.textContent).toBe(percent(l.fractionZero));
      expect(r.querySelectorAll("svg.convlab-act-spark rect").length).toBe(l.histogram.counts.length);
    });
    expect(w.node.querySelector(".convlab-act-detail-title")!.textContent).toMatch(/^CONV1: 100,352 values · mean /);
  });

  it("clicking a row shows its histogram; a live update (next step) keeps that layer and shows the step", () => {
    const w = widget();
    w.renderData(payload(0));
    w.node.querySelector<HTMLElement>('tr[data-layer="CONV2"]')!.click();
    const conv2 = payload(10).layers.find((l) => l.name === "CONV2")!;
    expect(w.node.querySelector(".convlab-act-detail-title")!.textContent).toMatch(/^CONV2: 25,600 values/);
    w.renderData(payload(10));
    expect(w.node.querySelector(".convlab-title")!.textContent).toBe("Activations of 'lenet5' · step 10");
    expect(w.node.querySelector(".convlab-selected")!.getAttribute("data-layer")).toBe("CONV2");
    const bars = [...w.node.querySelectorAll("svg.convlab-act-hist rect")];
    expect(bars.length).toBe(conv2.histogram.counts.length);
    expect(bars.map((b) => b.querySelector("title")!.textContent!.split(": ")[1]).map(Number)).toEqual(conv2.histogram.counts);
    // Log counts: the same bars, heights by log(1 + count); kept when the output updates.
    const heights = () => [...w.node.querySelectorAll("svg.convlab-act-hist rect")].map((b) => Number(b.getAttribute("height")));
    const linear = heights();
    const log = w.node.querySelector<HTMLInputElement>("input.convlab-act-log")!;
    log.checked = true;
    log.dispatchEvent(new Event("change"));
    const top = Math.max(...conv2.histogram.counts.map(Math.log1p));
    heights().forEach((h, i) => expect(h).toBeCloseTo((Math.log1p(conv2.histogram.counts[i]!) / top) * 120, 1));
    expect(heights()).not.toEqual(linear);
    w.renderData(payload(11));
    expect(w.node.querySelector<HTMLInputElement>("input.convlab-act-log")!.checked).toBe(true);
  });

  it("histogram bars span the edges and scale to the largest count", () => {
    const bars = histogramBars({ edges: [0, 1, 2, 4], counts: [2, 4, 1] }, 100, 40);
    expect(bars.map((b) => [b.x, b.width, b.height])).toEqual([[0, 25, 20], [25, 25, 40], [50, 50, 10]]);
    const logBars = histogramBars({ edges: [0, 1, 2, 4], counts: [0, 99, 9] }, 100, 40, true);
    expect(logBars.map((b) => b.height)).toEqual([0, 40, (Math.log(10) / Math.log(100)) * 40]);
  });

  it("draws each requested unit's top-k patches, strongest first", () => {
    const p = payload();
    const w = widget();
    w.renderData(p);
    const units = [...w.node.querySelectorAll<HTMLElement>(".convlab-act-unit")];
    expect(units.map((u) => `${u.dataset.layer}/${u.dataset.unit}`)).toEqual(["CONV2/3", "CONV2/7"]);
    const caps = [...units[0]!.querySelectorAll("figcaption")].map((c) => Number(c.textContent));
    expect(caps.length).toBe(4);
    expect([...caps].sort((a, b) => b - a)).toEqual(caps);
    expect(units[0]!.querySelector("img")!.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
  });

  it("the selected 2-D layer's units are tiles coloured by their means; without a kernel a click says so and shows the patches the output holds", async () => {
    const p = payload();
    expect(p.source).toMatch(/^activations-/);
    const w = widget();
    w.renderData(p);
    const tiles = () => [...w.node.querySelectorAll<HTMLButtonElement>(".convlab-act-tile")];
    // The first layer (CONV1, 8 units) until another row is clicked.
    expect(tiles().map((t) => `${t.dataset.layer}/${t.dataset.unit}`)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((c) => `CONV1/${c}`));
    w.node.querySelector<HTMLElement>('tr[data-layer="CONV2"]')!.click();
    expect(tiles()).toHaveLength(16);
    const means = p.layers.find((l) => l.name === "CONV2")!.unitMeans!;
    const lo = Math.min(...(means as number[])), hi = Math.max(...(means as number[]));
    tiles().forEach((t, c) => expect(t.style.background).toBe(tileColor(means[c], lo, hi)));
    expect(tiles().filter((t) => t.classList.contains("convlab-has-patches")).map((t) => t.dataset.unit)).toEqual(["3", "7"]);
    // No kernel: the reason, then the payload's own 4 patches of CONV2 unit 7.
    tiles()[7]!.click();
    expect(w.node.querySelector(".convlab-act-focus")!.getAttribute("data-state")).toBe("asking");
    await new Promise((r) => setTimeout(r, 0));
    const focus = w.node.querySelector<HTMLElement>(".convlab-act-focus")!;
    expect(focus.dataset.state).toBe("error");
    expect(focus.querySelector(".convlab-act-focus-error")!.textContent).toMatch(/no running kernel/);
    expect(focus.querySelectorAll("figure").length).toBe(4);
    // A unit the output holds no patches for: only the reason.
    tiles()[0]!.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(w.node.querySelector(".convlab-act-focus-title")!.textContent).toBe("CONV2 unit 0");
    expect(w.node.querySelectorAll(".convlab-act-focus figure").length).toBe(0);
    // Non-2-D layers have no grid; an output made with interactive: false says it cannot ask.
    w.node.querySelector<HTMLElement>('tr[data-layer="FC3"]')!.click();
    expect(tiles()).toHaveLength(0);
    expect(w.node.querySelector(".convlab-act-grid-note")!.textContent).toMatch(/2-D maps/);
    const still = inspect.activations(net, batch, { interactive: false }).payload;
    expect(still.source).toBeUndefined();
    const w2 = widget();
    w2.renderData(still);
    expect(w2.node.querySelector(".convlab-act-grid-title")!.textContent).toMatch(/interactive: false/);
    w2.node.querySelector<HTMLButtonElement>(".convlab-act-tile")!.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(w2.node.querySelector(".convlab-act-focus-error")!.textContent).toMatch(/cannot ask the kernel/);
  });

  it("tile colours run from the smallest to the largest unit mean; unknown means are grey", () => {
    expect(tileColor(0, 0, 2)).toBe(`rgb(${inspect.colorAt(0).join(", ")})`);
    expect(tileColor(2, 0, 2)).toBe(`rgb(${inspect.colorAt(1).join(", ")})`);
    expect(tileColor(null, 0, 2)).toBe("rgb(200, 200, 200)");
  });

  it("validates units from the kernel, and bad payloads give an error box; names stay text", () => {
    const p = payload();
    expect(parseUnit("m", p.units![0]).ok).toBe(true);
    const bad = parseUnit("m", { layer: "CONV2", unit: 1, patches: [{ image: { png: "!!", width: 1, height: 1 }, activation: 1, example: 0, box: { x1: 0, y1: 0, x2: 1, y2: 1 } }] });
    expect(bad.ok).toBe(false);
    const w = widget();
    w.renderData({ ...p, layers: [{ ...p.layers[0]!, fractionZero: "none" }] });
    expect(w.node.querySelector(".convlab-error")!.textContent).toMatch(/fractionZero/);
    w.renderData({ ...p, model: "<script>alert(1)</script>" });
    expect(w.node.querySelector("script")).toBeNull();
    expect(w.node.querySelector(".convlab-title")!.textContent).toBe("Activations of '<script>alert(1)</script>'");
  });
});
