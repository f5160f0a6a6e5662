// application/vnd.convlab.embeddings+json: encodings f(x) as a 2-D or 3-D scatter coloured by
// identity (PCA computed here in the browser, or the kernel's t-SNE), the hovered point's
// picture; the triplets with d(A,P), d(A,N) and their loss, margin violations marked; and face
// verification at a threshold τ ("same" when ‖f(x1) − f(x2)‖² ≤ τ) with its accuracy and the
// ROC curve. Plotly (lazy chunk) draws the scatter; the rest is DOM and SVG.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { inspect } from "convlab/browser";
import type { Widget } from "@lumino/widgets";
import { ConvlabWidget, colorOf, el, fmt, imageEl, labelled, select, slider, svg } from "./common.js";
import { kernelFor, requestKernel } from "./kernel.js";
import { plot, type PlotlyObject } from "./plotly.js";

export const EMBEDDINGS_CLASS = "convlab-Embeddings";

/** A projection of the points: `coords` is `[m, dims]` row-major. */
export interface Projection {
  name: string;
  dims: 2 | 3;
  coords: ArrayLike<number>;
}

/**
 * Text for plotly, which reads a subset of HTML (`<b>`, `<br>`, `<a>`…) in names and hover
 * text: `&`, `<` and `>` become entities, which plotly shows back as the literal characters.
 */
export function plotlyText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** One scatter trace per identity (plotly), hover text "label · #i" (as text, see `plotlyText`); `customdata` holds the point index. */
export function scatterTraces(p: inspect.EmbeddingsPayload, proj: Projection): PlotlyObject[] {
  const byId = new Map<number, number[]>();
  p.labels.forEach((l, i) => (byId.get(l) ?? byId.set(l, []).get(l)!).push(i));
  return [...byId.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([id, idx]) => {
      const axis = (k: number) => idx.map((i) => proj.coords[i * proj.dims + k]!);
      const name = plotlyText(p.identities[id] ?? `id ${id}`);
      const t: PlotlyObject = {
        type: proj.dims === 3 ? "scatter3d" : "scatter",
        mode: "markers",
        name,
        x: axis(0),
        y: axis(1),
        customdata: idx,
        text: idx.map((i) => `${name} · #${i}`),
        hoverinfo: "text",
        marker: { color: colorOf(id), size: proj.dims === 3 ? 3 : 7, opacity: 0.85 },
      };
      if (proj.dims === 3) t.z = axis(2);
      return t;
    });
}

/** The ROC point (false-positive rate, true-positive rate) of verification at τ. */
export function rocPoint(pairs: inspect.Pairs, tau: number): { fpr: number; tpr: number; accuracy: number } {
  const v = inspect.verificationAccuracy(pairs, tau);
  return { fpr: v.fp + v.tn ? v.fp / (v.fp + v.tn) : 0, tpr: v.tp + v.fn ? v.tp / (v.tp + v.fn) : 0, accuracy: v.accuracy };
}

/** "τ = 0.136: accuracy 93.4 % over 19,900 pairs (TP 1,234 · FP 56 · TN 17,890 · FN 720)". */
export function accuracyText(pairs: inspect.Pairs, tau: number): string {
  if (pairs.distance.length === 0) return `τ = ${fmt(tau, 3)}: no pairs to verify (one point)`;
  const v = inspect.verificationAccuracy(pairs, tau);
  const n = (x: number) => x.toLocaleString("en-US");
  return `τ = ${fmt(tau, 3)}: accuracy ${(100 * v.accuracy).toFixed(1)} % over ${n(pairs.distance.length)} pairs (TP ${n(v.tp)} · FP ${n(v.fp)} · TN ${n(v.tn)} · FN ${n(v.fn)})`;
}

/** PCA of the points in 2-D and (for d ≥ 3) 3-D, computed once in the browser. */
function pcaProjections(p: inspect.EmbeddingsPayload, vectors: Float32Array): Map<string, Projection> {
  const k = Math.min(3, p.dim);
  const pca = inspect.pca(vectors, p.count, p.dim, { dims: k, seed: 0 });
  const coords = (dims: 2 | 3) => {
    const out = new Float64Array(p.count * dims);
    for (let i = 0; i < p.count; i++) for (let j = 0; j < dims; j++) out[i * dims + j] = j < k ? pca.coords[i * k + j]! : 0;
    return out;
  };
  const pct = (n: number) => `${(100 * pca.explained.slice(0, n).reduce((a, b) => a + b, 0)).toFixed(0)} %`;
  const out = new Map<string, Projection>([["pca2", { name: `PCA 2-D (${pct(2)} of the variance)`, dims: 2, coords: coords(2) }]]);
  if (p.dim >= 3) out.set("pca3", { name: `PCA 3-D (${pct(3)} of the variance)`, dims: 3, coords: coords(3) });
  return out;
}

export class EmbeddingsWidget extends ConvlabWidget<inspect.EmbeddingsPayload> {
  private vectors: Float32Array = new Float32Array(0);
  private pairs: inspect.Pairs | null = null;
  private roc: ReturnType<typeof inspect.rocCurve> | null = null;
  private projections = new Map<string, Projection>();
  private pcaProjections = new Map<string, Projection>();
  /** The payload `vectors`, `pairs`, `roc` and `pcaProjections` were computed from. */
  private derivedFor: inspect.EmbeddingsPayload | null = null;
  /** t-SNE the kernel computed on request, kept across redraws of the same points. */
  private asked: { vectors: string; projection: Projection } | null = null;
  private projection = "pca2";
  private tau: number | null = null;
  private plotBox: HTMLElement | null = null;
  private hoverBox: HTMLElement | null = null;
  private rocSvg: SVGSVGElement | null = null;
  private accuracy: HTMLElement | null = null;
  private tsneButton: HTMLButtonElement | null = null;
  private tsneNote: HTMLElement | null = null;
  /** A t-SNE request is in flight. */
  private tsneBusy = false;
  /** Why the last t-SNE request failed (shown until the next one). */
  private tsneError: string | null = null;
  /** Set when the last plot finished (tests and the e2e wait on it). */
  plotted: Promise<void> = Promise.resolve();

  constructor(options: IRenderMime.IRendererOptions) {
    super(options, EMBEDDINGS_CLASS, inspect.parseEmbeddings);
    // A kernel may start (or stop) after drawing: look again when the pointer comes over the widget.
    this.node.addEventListener("pointerenter", () => this.refreshTsne());
    this.node.addEventListener("focusin", () => this.refreshTsne());
  }

  /** Once in the notebook's DOM, the plugin's finder can see this widget's kernel. */
  protected override onAfterAttach(msg: Parameters<Widget["processMessage"]>[0]): void {
    super.onAfterAttach(msg);
    this.refreshTsne();
  }

  protected draw(p: inspect.EmbeddingsPayload, first: boolean): void {
    // Vectors, pairs, ROC and PCA depend on the payload only: a redraw of the same payload (the
    // kernel's t-SNE arriving) reuses them.
    if (this.derivedFor !== p) {
      this.derivedFor = p;
      this.vectors = inspect.unpackArray(p.vectors, p.count * p.dim);
      this.pairs = inspect.verificationPairs(this.vectors, p.count, p.dim, p.labels);
      this.roc = inspect.rocCurve(this.pairs);
      this.pcaProjections = pcaProjections(p, this.vectors);
    }
    this.projections = new Map(this.pcaProjections);
    if (this.asked?.vectors === p.vectors.data) this.projections.set("tsne", this.asked.projection);
    if (p.projection) this.projections.set(p.projection.method, { name: `${p.projection.method === "tsne" ? "t-SNE" : "PCA"} ${p.projection.dims}-D (kernel)`, dims: p.projection.dims, coords: p.projection.coords });
    if (first) {
      this.projection = p.projection ? p.projection.method : "pca2";
      this.tau = p.tau;
    }
    if (!this.projections.has(this.projection)) this.projection = "pca2";

    this.node.replaceChildren();
    const ids = new Set(p.labels).size;
    el("div", "convlab-title", `Embeddings: ${p.count} points of dimension ${p.dim}, ${ids} identit${ids === 1 ? "y" : "ies"}`, this.node);
    this.drawScatter(p);
    if (p.triplets?.length) this.drawTriplets(p);
    this.drawVerification(p);
  }

  // ---------------------------------------------------------------------------------------------
  // scatter

  private drawScatter(p: inspect.EmbeddingsPayload): void {
    const controls = el("div", "convlab-emb-controls", undefined, this.node);
    const options = [...this.projections.entries()].map(([key, v]) => [key, v.name] as const);
    const proj = select("convlab-emb-projection", options, this.projection);
    proj.addEventListener("change", () => {
      this.projection = proj.value;
      this.replot(p);
    });
    controls.appendChild(labelled("projection", proj));
    const tsne = el("button", "convlab-emb-tsne", "t-SNE (ask the kernel)");
    tsne.type = "button";
    const note = el("span", "convlab-emb-note");
    tsne.addEventListener("click", () => this.askTsne(p));
    controls.append(tsne, note);
    this.tsneButton = tsne;
    this.tsneNote = note;
    this.refreshTsne();

    const row = el("div", "convlab-emb-row", undefined, this.node);
    this.plotBox = el("div", "convlab-emb-plot", undefined, row);
    this.hoverBox = el("div", "convlab-emb-hover", "hover a point", row);
    this.replot(p);
  }

  private replot(p: inspect.EmbeddingsPayload): void {
    const box = this.plotBox;
    const proj = this.projections.get(this.projection);
    if (!box || !proj) return;
    box.dataset.projection = this.projection;
    const layout: PlotlyObject = { width: 520, height: 420, showlegend: true, legend: { font: { size: 10 } }, hovermode: "closest" };
    this.plotted = plot(box, scatterTraces(p, proj), layout)
      .then(() => {
        const gd = box as unknown as { on?: (ev: string, f: (e: { points?: { customdata?: unknown }[] }) => void) => void; removeAllListeners?: (ev: string) => void };
        gd.removeAllListeners?.("plotly_hover");
        gd.on?.("plotly_hover", (e) => {
          const i = Number(e.points?.[0]?.customdata);
          if (Number.isInteger(i)) this.showPoint(p, i);
        });
        box.dataset.plotted = "true";
      })
      .catch((e: unknown) => {
        box.textContent = `convlab: the scatter could not be drawn (${e instanceof Error ? e.message : String(e)})`;
      });
  }

  /** The side panel for point `i`: its picture (if any), identity and index. */
  showPoint(p: inspect.EmbeddingsPayload, i: number): void {
    const box = this.hoverBox;
    if (!box || i < 0 || i >= p.count) return;
    box.replaceChildren();
    const thumb = p.thumbnails?.[i];
    if (thumb) box.appendChild(imageEl(thumb, "convlab-emb-thumb", `point ${i}`));
    el("div", "convlab-emb-hover-label", `${p.identities[p.labels[i]!] ?? `id ${p.labels[i]}`} · #${i}`, box);
  }

  /**
   * The t-SNE button's state: disabled with a note when the output has t-SNE already, a request
   * is running, or no kernel is reachable (a saved notebook opened without running it).
   */
  private refreshTsne(): void {
    const button = this.tsneButton, note = this.tsneNote;
    if (!button || !note) return;
    let why: string | null;
    if (this.projections.has("tsne")) why = this.asked ? "t-SNE computed by the kernel" : "t-SNE is in the output already";
    else if (this.tsneBusy) why = "t-SNE running in the kernel…";
    else if (!kernelFor(this.node)) why = "t-SNE needs a running kernel (run the notebook)";
    else why = null;
    button.disabled = why !== null;
    note.textContent = why ?? this.tsneError ?? "";
  }

  private askTsne(p: inspect.EmbeddingsPayload): void {
    if (this.tsneBusy) return;
    this.tsneBusy = true;
    this.tsneError = null;
    this.refreshTsne();
    const vectors = p.vectors.dtype === "float32" ? p.vectors.data : inspect.packArray(this.vectors).data;
    requestKernel(this.node, "inspect.tsne", { vectors, count: p.count, dim: p.dim, dims: 2, seed: 0 }, 300_000)
      .then((v) => {
        const r = v as { coords?: unknown; dims?: unknown };
        if (!Array.isArray(r?.coords) || r.coords.length !== p.count * 2 || !r.coords.every((c) => typeof c === "number" && Number.isFinite(c)))
          throw new Error("the kernel's t-SNE answer is not [m, 2] finite numbers");
        this.asked = { vectors: p.vectors.data, projection: { name: "t-SNE 2-D (kernel, seed 0)", dims: 2, coords: r.coords as number[] } };
        this.projection = "tsne";
        this.tsneBusy = false;
        if (this.payload) this.draw(this.payload, false);
      })
      .catch((e: unknown) => {
        this.tsneBusy = false;
        this.tsneError = e instanceof Error ? e.message : String(e);
        this.refreshTsne();
      });
  }

  // ---------------------------------------------------------------------------------------------
  // triplets

  private drawTriplets(p: inspect.EmbeddingsPayload): void {
    const triplets = p.triplets!;
    const stats = inspect.tripletStats(this.vectors, p.dim, triplets, p.alpha);
    const violated = stats.filter((s) => s.violated).length;
    const J = stats.reduce((a, s) => a + s.loss, 0);
    el("div", "convlab-subtitle", "Triplets: L(A, P, N) = max(‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + α, 0)", this.node);
    el("div", "convlab-emb-triplet-summary", `${violated} of ${triplets.length} triplets violate the margin α = ${fmt(p.alpha)} · J = Σ L = ${fmt(J)}`, this.node);
    const table = el("table", "convlab-table convlab-emb-triplets", undefined, this.node);
    const head = el("tr", undefined, undefined, el("thead", undefined, undefined, table));
    ["#", "anchor", "positive", "negative", "d(A,P)", "d(A,N)", "L"].forEach((c, j) => el("th", j >= 4 ? "convlab-num" : undefined, c, head));
    const body = el("tbody", undefined, undefined, table);
    triplets.forEach((t, k) => {
      const s = stats[k]!;
      const tr = el("tr", `convlab-emb-triplet${s.violated ? " convlab-emb-violated" : ""}`, undefined, body);
      el("td", undefined, String(k), tr);
      for (const i of [t.anchor, t.positive, t.negative]) {
        const td = el("td", "convlab-emb-who", undefined, tr);
        const thumb = p.thumbnails?.[i];
        if (thumb) td.appendChild(imageEl(thumb, "convlab-emb-mini", `point ${i}`));
        td.appendChild(document.createTextNode(`${p.identities[p.labels[i]!] ?? `id ${p.labels[i]}`} #${i}`));
      }
      el("td", "convlab-num", fmt(s.dAP), tr);
      el("td", "convlab-num", fmt(s.dAN), tr);
      el("td", "convlab-num convlab-emb-loss", fmt(s.loss), tr);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // verification

  private drawVerification(p: inspect.EmbeddingsPayload): void {
    const pairs = this.pairs!;
    let hi = 0;
    for (let k = 0; k < pairs.distance.length; k++) hi = Math.max(hi, pairs.distance[k]!);
    hi = Math.max(hi, this.tau ?? 0, 1e-6);
    el("div", "convlab-subtitle", "Verification: the same identity when ‖f(x1) − f(x2)‖² ≤ τ", this.node);
    const controls = el("div", "convlab-emb-controls", undefined, this.node);
    const tau = slider("convlab-emb-tau", 0, Number(hi.toPrecision(3)), Number((hi / 500).toPrecision(2)), this.tau ?? p.tau);
    tau.addEventListener("input", () => {
      const v = Number(tau.value);
      if (!Number.isFinite(v)) return;
      this.tau = v;
      this.updateVerification();
    });
    controls.appendChild(labelled("τ", tau));
    this.accuracy = el("span", "convlab-emb-accuracy", undefined, controls);
    const rocBox = el("div", "convlab-emb-roc", undefined, this.node);
    el("div", "convlab-emb-roc-title", `ROC curve as τ grows · AUC ${fmt(this.roc!.auc, 3)}`, rocBox);
    this.rocSvg = svg("svg", { width: 240, height: 240, viewBox: "0 0 240 240" }, rocBox);
    this.updateVerification();
  }

  private updateVerification(): void {
    const pairs = this.pairs, roc = this.roc, s = this.rocSvg, tau = this.tau ?? 0;
    if (!pairs || !roc || !s || !this.accuracy) return;
    this.accuracy.textContent = accuracyText(pairs, tau);
    s.replaceChildren();
    const S = 240, M = 24, W = S - 2 * M;
    const px = (f: number) => M + f * W, py = (t: number) => S - M - t * W;
    svg("rect", { class: "convlab-train-frame", x: M, y: M, width: W, height: W }, s);
    svg("line", { class: "convlab-emb-chance", x1: px(0), y1: py(0), x2: px(1), y2: py(1) }, s);
    svg("polyline", { class: "convlab-emb-roc-line", points: roc.fpr.map((f, i) => `${px(f).toFixed(1)},${py(roc.tpr[i]!).toFixed(1)}`).join(" "), stroke: colorOf(0) }, s);
    const pt = rocPoint(pairs, tau);
    const dot = svg("circle", { class: "convlab-emb-roc-point", cx: px(pt.fpr).toFixed(1), cy: py(pt.tpr).toFixed(1), r: 5, fill: colorOf(2) }, s);
    svg("title", {}, dot).textContent = `τ = ${fmt(tau, 3)}: TPR ${fmt(pt.tpr, 3)}, FPR ${fmt(pt.fpr, 3)}`;
    const label = (x: number, y: number, t: string, anchor = "middle") => (svg("text", { x, y, "text-anchor": anchor, class: "convlab-train-tick" }, s).textContent = t);
    label(S / 2, S - 6, "false-positive rate");
    label(M - 4, M + 8, "1", "end");
    label(M - 4, S - M, "0", "end");
    label(S - M, S - M + 12, "1");
    s.dataset.tau = String(tau);
  }
}

