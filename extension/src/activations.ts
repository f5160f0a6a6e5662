// application/vnd.convlab.activations+json: per-layer statistics of a model's activations over
// a batch (mean, std, fraction exactly zero, range) with a histogram per layer, redrawn in place
// when training updates the output; and a unit view with the input patches that excite a unit
// most (from the payload, or asked from the live kernel with the comm method inspect.topPatches).
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { inspect } from "convlab/browser";
import { ConvlabWidget, colorOf, el, fmt, fmtShape, imageEl, labelled, select, svg } from "./common.js";
import { requestKernel } from "./kernel.js";

export const ACTIVATIONS_CLASS = "convlab-Activations";

/** Percent with one decimal ("43.2%"). */
export function percent(f: number): string {
  return `${(100 * f).toFixed(1)}%`;
}

/** Bars of a histogram in a `w`×`h` box: x from the bin edges, heights scaled to the largest count. */
export function histogramBars(h: inspect.Histogram, w: number, height: number, log = false): { x: number; width: number; height: number; count: number }[] {
  const lo = h.edges[0] ?? 0, hi = h.edges[h.edges.length - 1] ?? 1;
  const span = hi - lo || 1;
  const f = log ? Math.log1p : (c: number) => c;
  const top = Math.max(f(1), ...h.counts.map(f));
  return h.counts.map((count, i) => {
    const x = ((h.edges[i]! - lo) / span) * w;
    const x2 = ((h.edges[i + 1]! - lo) / span) * w;
    return { x, width: Math.max(0.5, x2 - x), height: (f(count) / top) * height, count };
  });
}

/** A histogram as SVG bars (the title of each bar gives its range and count). */
function histogramSvg(h: inspect.Histogram, w: number, height: number, cls: string, titles: boolean, log = false): SVGSVGElement {
  const s = svg("svg", { class: cls, width: w, height, viewBox: `0 0 ${w} ${height}` });
  histogramBars(h, w, height, log).forEach((b, i) => {
    const r = svg("rect", { x: b.x.toFixed(2), y: (height - b.height).toFixed(2), width: b.width.toFixed(2), height: b.height.toFixed(2), fill: colorOf(0) }, s);
    if (titles) svg("title", {}, r).textContent = `${fmt(h.edges[i])} … ${fmt(h.edges[i + 1])}: ${b.count}`;
  });
  return s;
}

/** Validates a unit's patches as they come from the kernel (the payload validator does the work). */
export function parseUnit(model: string, v: unknown): inspect.ParseResult<inspect.UnitPatches> {
  const r = inspect.parseActivations({ version: 1, model, layers: [], units: [v] });
  return r.ok ? { ok: true, value: r.value.units![0]! } : r;
}

export class ActivationsWidget extends ConvlabWidget<inspect.ActivationsPayload> {
  private selected: string | null = null;
  /** Histogram heights by log(1 + count): a spike of exact zeros (ReLU) no longer flattens the rest. */
  private logCounts = false;
  /** Units fetched from the kernel, shown after the payload's own. */
  private fetched: inspect.UnitPatches[] = [];
  private detail: HTMLElement | null = null;

  constructor(options: IRenderMime.IRendererOptions) {
    super(options, ACTIVATIONS_CLASS, inspect.parseActivations);
  }

  protected draw(p: inspect.ActivationsPayload): void {
    if (!p.layers.some((l) => l.name === this.selected)) this.selected = p.layers[0]?.name ?? null;
    this.node.replaceChildren();
    el("div", "convlab-title", `Activations of '${p.model}'${p.step !== undefined ? ` · step ${p.step}` : ""}`, this.node);

    const table = el("table", "convlab-table convlab-act-table", undefined, this.node);
    const head = el("tr", undefined, undefined, el("thead", undefined, undefined, table));
    ["layer", "type", "shape", "mean", "std", "zero", "min … max", "histogram"].forEach((c, j) => el("th", j >= 3 && j <= 5 ? "convlab-num" : undefined, c, head));
    const body = el("tbody", undefined, undefined, table);
    for (const l of p.layers) {
      const tr = el("tr", "convlab-act-row", undefined, body);
      tr.dataset.layer = l.name;
      if (l.name === this.selected) tr.classList.add("convlab-selected");
      el("td", undefined, l.name, tr);
      el("td", undefined, l.type, tr);
      el("td", undefined, fmtShape(l.shape), tr);
      el("td", "convlab-num convlab-act-mean", fmt(l.mean), tr);
      el("td", "convlab-num convlab-act-std", fmt(l.std), tr);
      el("td", "convlab-num convlab-act-zero", percent(l.fractionZero), tr);
      el("td", undefined, `${fmt(l.min)} … ${fmt(l.max)}`, tr);
      el("td", undefined, undefined, tr).appendChild(histogramSvg(l.histogram, 120, 24, "convlab-act-spark", false));
      tr.addEventListener("click", () => {
        this.selected = l.name;
        for (const r of body.querySelectorAll("tr")) r.classList.toggle("convlab-selected", r === tr);
        this.drawDetail();
      });
    }
    this.detail = el("div", "convlab-act-detail", undefined, this.node);
    this.drawDetail();

    const units = [...(p.units ?? []), ...this.fetched];
    const unitsBox = el("div", "convlab-act-units", undefined, this.node);
    if (units.length) el("div", "convlab-subtitle", "Input patches that excite each unit most (strongest first)", unitsBox);
    for (const u of units) this.drawUnit(u, unitsBox);
    if (p.source) this.drawAsk(p, unitsBox);
  }

  /** The selected layer's histogram, large, with its range and counts. */
  private drawDetail(): void {
    const p = this.payload, box = this.detail;
    if (!p || !box) return;
    box.replaceChildren();
    const l = p.layers.find((x) => x.name === this.selected);
    if (!l) return;
    el("div", "convlab-act-detail-title", `${l.name}: ${l.count.toLocaleString("en-US")} values · mean ${fmt(l.mean)} · std ${fmt(l.std)} · ${percent(l.fractionZero)} exactly zero`, box);
    const log = el("input", "convlab-act-log");
    log.type = "checkbox";
    log.checked = this.logCounts;
    log.addEventListener("change", () => {
      this.logCounts = log.checked;
      this.drawDetail();
    });
    box.appendChild(labelled("log counts", log));
    box.appendChild(histogramSvg(l.histogram, 360, 120, "convlab-act-hist", true, this.logCounts));
    const axis = el("div", "convlab-act-axis", undefined, box);
    el("span", undefined, fmt(l.histogram.edges[0]), axis);
    el("span", undefined, fmt(l.histogram.edges[l.histogram.edges.length - 1]), axis);
  }

  private drawUnit(u: inspect.UnitPatches, parent: HTMLElement): void {
    const row = el("div", "convlab-act-unit", undefined, parent);
    row.dataset.layer = u.layer;
    row.dataset.unit = String(u.unit);
    el("div", "convlab-act-unit-title", `${u.layer} unit ${u.unit}`, row);
    const patches = el("div", "convlab-act-patches", undefined, row);
    for (const q of u.patches) {
      const fig = el("figure", "convlab-act-patch", undefined, patches);
      fig.appendChild(imageEl(q.image, "convlab-act-patch-img", `example ${q.example}, rows ${q.box.y1}–${q.box.y2}, columns ${q.box.x1}–${q.box.x2}`));
      el("figcaption", undefined, fmt(q.activation, 3), fig);
    }
  }

  /** Controls that ask the live kernel for another unit's patches. */
  private drawAsk(p: inspect.ActivationsPayload, parent: HTMLElement): void {
    const spatial = p.layers.filter((l) => l.shape.length === 3);
    if (!spatial.length) return;
    const box = el("div", "convlab-act-ask", undefined, parent);
    const layer = select("convlab-act-ask-layer", spatial.map((l) => [l.name, l.name] as const), spatial.some((l) => l.name === this.selected) ? this.selected! : spatial[0]!.name);
    const unit = el("input", "convlab-act-ask-unit");
    unit.type = "number";
    unit.min = "0";
    unit.value = "0";
    const go = el("button", "convlab-act-ask-go", "show top 9 patches");
    go.type = "button";
    const note = el("span", "convlab-act-ask-note");
    box.append(labelled("layer", layer), labelled("unit", unit), go, note);
    go.addEventListener("click", () => {
      const l = spatial.find((x) => x.name === layer.value)!;
      const n = Number(unit.value);
      const nC = l.shape[2]!;
      if (!Number.isInteger(n) || n < 0 || n >= nC) {
        note.textContent = `${l.name} has units 0 … ${nC - 1}`;
        return;
      }
      note.textContent = "asking the kernel…";
      go.disabled = true;
      requestKernel(this.node, "inspect.topPatches", { source: p.source, layer: l.name, unit: n, k: 9 })
        .then((v) => {
          const r = parseUnit(p.model, v);
          if (!r.ok) throw new Error(r.error);
          this.fetched = [...this.fetched.filter((u) => !(u.layer === r.value.layer && u.unit === r.value.unit)), r.value];
          if (this.payload) this.draw(this.payload);
        })
        .catch((e: unknown) => {
          note.textContent = e instanceof Error ? e.message : String(e);
          go.disabled = false;
        });
    });
  }
}
