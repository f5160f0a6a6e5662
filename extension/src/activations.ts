// application/vnd.convlab.activations+json: per-layer statistics of a model's activations over
// a batch (mean, std, fraction exactly zero, range) with a histogram per layer, redrawn in place
// when training updates the output; the payload's grid of units × top-k input patches; and a grid
// of every unit of the selected 2-D layer, where a click asks the live kernel (comm method
// inspect.topPatches, docs/extension.md) for that unit's patches over the display's dataset and
// shows them beside the grid, each in its whole example with the receptive field outlined.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { inspect } from "convlab/browser";
import { ConvlabWidget, colorOf, el, fmt, fmtShape, imageEl, labelled, pngUrl, svg } from "./common.js";
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

/** Patches per clicked unit (the course's top 9). */
export const FOCUS_K = 9;

/** A unit's tile colour: viridis over the layer's range of unit means (grey where unknown). */
export function tileColor(mean: number | null | undefined, lo: number, hi: number): string {
  if (mean === null || mean === undefined || !Number.isFinite(mean)) return "rgb(200, 200, 200)";
  const [r, g, b] = inspect.colorAt(hi > lo ? (mean - lo) / (hi - lo) : 0.5);
  return `rgb(${r}, ${g}, ${b})`;
}

/** The clicked unit: waiting for the kernel, its patches, or why there are none. */
interface Focus {
  layer: string;
  unit: number;
  /** Counts clicks, so an answer to an older click is dropped. */
  ticket: number;
  state: "asking" | "done" | "error";
  patches?: inspect.UnitPatches;
  error?: string;
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
  private detail: HTMLElement | null = null;
  private explore: HTMLElement | null = null;
  /** The clicked unit (kept across live updates of the output). */
  private focus: Focus | null = null;
  private tickets = 0;

  constructor(options: IRenderMime.IRendererOptions) {
    super(options, ACTIVATIONS_CLASS, inspect.parseActivations);
  }

  protected draw(p: inspect.ActivationsPayload): void {
    if (!p.layers.some((l) => l.name === this.selected)) this.selected = (p.layers.find((l) => l.shape.length === 3) ?? p.layers[0])?.name ?? null;
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
        this.drawExplore();
      });
    }
    this.detail = el("div", "convlab-act-detail", undefined, this.node);
    this.drawDetail();
    this.explore = el("div", "convlab-act-explore", undefined, this.node);
    this.drawExplore();

    const units = p.units ?? [];
    const unitsBox = el("div", "convlab-act-units", undefined, this.node);
    if (units.length) el("div", "convlab-subtitle", "Input patches that excite each unit most (strongest first; click a unit to see them in their pictures)", unitsBox);
    for (const u of units) this.drawUnit(u, unitsBox);
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

  /** The grid of the selected 2-D layer's units (click one) and, beside it, the clicked unit's patches. */
  private drawExplore(): void {
    const p = this.payload, box = this.explore;
    if (!p || !box) return;
    box.replaceChildren();
    const l = p.layers.find((x) => x.name === this.selected);
    if (!l || l.shape.length !== 3) {
      if (p.layers.some((x) => x.shape.length === 3)) el("div", "convlab-act-grid-note", "Select a layer with 2-D maps to see its units.", box);
      this.drawFocus(box);
      return;
    }
    const nC = l.shape[2]!;
    const grid = el("div", "convlab-act-grid", undefined, box);
    grid.dataset.layer = l.name;
    el("div", "convlab-act-grid-title", `${l.name}: ${nC} units, coloured by mean activation — ${p.source ? `click one for its top ${FOCUS_K} patches` : "patches need the live kernel (this output was made with interactive: false)"}`, grid);
    const tiles = el("div", "convlab-act-tiles", undefined, grid);
    const means = l.unitMeans ?? [];
    const finite = means.filter((m): m is number => m !== null && Number.isFinite(m));
    const lo = finite.length ? Math.min(...finite) : 0, hi = finite.length ? Math.max(...finite) : 1;
    const inPayload = new Set((p.units ?? []).filter((u) => u.layer === l.name).map((u) => u.unit));
    for (let c = 0; c < nC; c++) {
      const t = el("button", "convlab-act-tile", String(c), tiles);
      t.type = "button";
      t.dataset.layer = l.name;
      t.dataset.unit = String(c);
      t.style.background = tileColor(means[c], lo, hi);
      t.style.color = means[c] !== undefined && means[c] !== null && hi > lo && (means[c]! - lo) / (hi - lo) > 0.6 ? "#000" : "#fff";
      t.title = `${l.name} unit ${c}${means[c] !== undefined ? ` · mean ${fmt(means[c])}` : ""}${inPayload.has(c) ? " · patches below" : ""}`;
      if (inPayload.has(c)) t.classList.add("convlab-has-patches");
      if (this.focus?.layer === l.name && this.focus.unit === c) t.classList.add("convlab-selected");
      t.addEventListener("click", () => this.ask(l.name, c));
    }
    this.drawFocus(box);
  }

  /** Asks the kernel for a unit's top patches; the answer (or the reason there is none) is drawn beside the grid. */
  private ask(layer: string, unit: number): void {
    const p = this.payload;
    if (!p) return;
    const focus: Focus = { layer, unit, ticket: ++this.tickets, state: "asking" };
    this.focus = focus;
    this.drawExplore();
    const done = (f: Partial<Focus>) => {
      if (this.focus?.ticket !== focus.ticket) return; // a later click won
      this.focus = { ...focus, ...f };
      this.drawExplore();
    };
    if (!p.source) {
      done({ state: "error", error: "this output cannot ask the kernel (it was made with interactive: false)" });
      return;
    }
    requestKernel(this.node, "inspect.topPatches", { source: p.source, layer, unit, k: FOCUS_K, context: true })
      .then((v) => {
        const r = parseUnit(p.model, v);
        if (!r.ok) throw new Error(`the kernel's answer is not valid: ${r.error}`);
        if (r.value.layer !== layer || r.value.unit !== unit) throw new Error(`the kernel answered for ${r.value.layer} unit ${r.value.unit}, not ${layer} unit ${unit}`);
        done({ state: "done", patches: r.value });
      })
      .catch((e: unknown) => done({ state: "error", error: e instanceof Error ? e.message : String(e) }));
  }

  /** The clicked unit's panel: status, then each patch in its example with the receptive field outlined. */
  private drawFocus(parent: HTMLElement): void {
    const f = this.focus;
    if (!f) return;
    const box = el("div", `convlab-act-focus convlab-act-focus-${f.state}`, undefined, parent);
    box.dataset.layer = f.layer;
    box.dataset.unit = String(f.unit);
    box.dataset.state = f.state;
    el("div", "convlab-act-focus-title", `${f.layer} unit ${f.unit}`, box);
    if (f.state === "asking") {
      el("div", "convlab-act-focus-note", "asking the kernel…", box);
      return;
    }
    if (f.state === "error") {
      el("div", "convlab-act-focus-error", f.error ?? "no answer", box);
      const own = this.payload?.units?.find((u) => u.layer === f.layer && u.unit === f.unit);
      if (own) {
        el("div", "convlab-act-focus-note", "the patches this output holds:", box);
        this.drawFocusPatches(own, box);
      }
      return;
    }
    const u = f.patches!;
    const info: string[] = [];
    if (u.field) info.push(`receptive field ${u.field.size.join("×")} px, stride ${u.field.stride.join("×")}`);
    info.push(`top ${u.patches.length}${u.examples !== undefined ? ` of ${u.examples.toLocaleString("en-US")} examples` : ""}`);
    el("div", "convlab-act-focus-info", info.join(" · "), box);
    this.drawFocusPatches(u, box);
  }

  private drawFocusPatches(u: inspect.UnitPatches, box: HTMLElement): void {
    const list = el("div", "convlab-act-focus-patches", undefined, box);
    for (const q of u.patches) {
      const fig = el("figure", "convlab-act-focus-patch", undefined, list);
      fig.dataset.example = String(q.example);
      const where = `example ${q.example}, rows ${q.box.y1}–${q.box.y2}, columns ${q.box.x1}–${q.box.x2}`;
      if (q.context) {
        // The whole example (one image pixel per input pixel), scaled up, with the field outlined.
        const c = q.context, scale = Math.max(1, Math.floor(96 / Math.max(c.width, c.height)));
        const wrap = el("div", "convlab-act-context", undefined, fig);
        const img = el("img", "convlab-act-context-img");
        img.src = pngUrl(c.png);
        img.alt = `${where} (the whole example)`;
        img.width = c.width * scale;
        img.height = c.height * scale;
        wrap.appendChild(img);
        const s = svg("svg", { class: "convlab-act-rf", width: c.width * scale, height: c.height * scale, viewBox: `0 0 ${c.width} ${c.height}`, preserveAspectRatio: "none" });
        svg("rect", { x: q.box.x1, y: q.box.y1, width: q.box.x2 - q.box.x1 + 1, height: q.box.y2 - q.box.y1 + 1, "vector-effect": "non-scaling-stroke" }, s);
        wrap.appendChild(s);
      }
      fig.appendChild(imageEl(q.image, "convlab-act-patch-img", where));
      el("figcaption", undefined, `${fmt(q.activation, 3)} · #${q.example}`, fig);
    }
  }

  private drawUnit(u: inspect.UnitPatches, parent: HTMLElement): void {
    const row = el("div", "convlab-act-unit", undefined, parent);
    row.dataset.layer = u.layer;
    row.dataset.unit = String(u.unit);
    const title = el("button", "convlab-act-unit-title", `${u.layer} unit ${u.unit}`, row);
    title.type = "button";
    title.title = "show these patches in their pictures, beside the layer's units";
    title.addEventListener("click", () => {
      this.selected = u.layer;
      for (const r of this.node.querySelectorAll<HTMLElement>("tr.convlab-act-row")) r.classList.toggle("convlab-selected", r.dataset.layer === u.layer);
      this.drawDetail();
      this.ask(u.layer, u.unit);
    });
    const patches = el("div", "convlab-act-patches", undefined, row);
    for (const q of u.patches) {
      const fig = el("figure", "convlab-act-patch", undefined, patches);
      fig.appendChild(imageEl(q.image, "convlab-act-patch-img", `example ${q.example}, rows ${q.box.y1}–${q.box.y2}, columns ${q.box.x1}–${q.box.x2}`));
      el("figcaption", undefined, fmt(q.activation, 3), fig);
    }
  }
}
