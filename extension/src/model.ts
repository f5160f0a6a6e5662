// application/vnd.convlab.model+json: the summary table (shapes, activation sizes, params,
// multiplications) and, for graph models (branches, merges), a layer graph drawn in SVG.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { inspect } from "convlab/browser";
import { ConvlabWidget, el, fmtInt, fmtShape, svg } from "./common.js";

export const MODEL_CLASS = "convlab-Model";

/** Whether the rows form more than a chain (some row's inputs differ from [previous row]). */
export function isGraph(rows: readonly inspect.ModelRow[]): boolean {
  return rows.some((r, i) => r.inputs !== undefined && (r.inputs.length !== 1 || (i > 0 && r.inputs[0] !== rows[i - 1]!.name)));
}

/** Depth of each row: 0 for rows without inputs, else 1 + the deepest input. */
export function layerDepths(rows: readonly inspect.ModelRow[]): number[] {
  const depth = new Map<string, number>();
  return rows.map((r) => {
    const d = r.inputs && r.inputs.length ? 1 + Math.max(...r.inputs.map((n) => depth.get(n) ?? 0)) : 0;
    depth.set(r.name, d);
    return d;
  });
}

export class ModelWidget extends ConvlabWidget<inspect.ModelPayload> {
  constructor(options: IRenderMime.IRendererOptions) {
    super(options, MODEL_CLASS, inspect.parseModel);
  }

  protected draw(p: inspect.ModelPayload): void {
    this.node.replaceChildren();
    el("div", "convlab-title", `Model: ${p.name} (${p.type})`, this.node);
    const table = el("table", "convlab-table convlab-model-table", undefined, this.node);
    const head = el("tr", undefined, undefined, el("thead", undefined, undefined, table));
    const graph = isGraph(p.rows);
    const cols = ["layer", "type", "output shape", "activation size", "params", "mults", ...(graph ? ["connected to"] : [])];
    cols.forEach((c, j) => el("th", j >= 3 ? "convlab-num" : undefined, c, head));
    const body = el("tbody", undefined, undefined, table);
    for (const r of p.rows) {
      const tr = el("tr", "convlab-model-row", undefined, body);
      el("td", undefined, r.name, tr);
      el("td", undefined, r.type + (r.config ? ` ${r.config}` : ""), tr);
      el("td", undefined, fmtShape(r.outputShape), tr);
      el("td", "convlab-num", fmtInt(r.activationSize), tr);
      el("td", "convlab-num", fmtInt(r.params), tr);
      el("td", "convlab-num", fmtInt(r.mults), tr);
      if (graph) el("td", undefined, (r.inputs ?? []).join(", "), tr);
    }
    // The same closing lines as the text summary (and Keras): mults, then total / trainable / non-trainable.
    const footer = el("div", "convlab-model-footer", undefined, this.node);
    for (const line of [
      `Mults per example: ${fmtInt(p.totalMults)}`,
      `Total params: ${fmtInt(p.totalParams)}`,
      `Trainable params: ${fmtInt(p.trainableParams)}`,
      `Non-trainable params: ${fmtInt(p.totalParams - p.trainableParams)}`,
    ]) el("div", "convlab-model-footer-line", line, footer);
    if (graph) this.drawGraph(p.rows);
  }

  /** Layers as boxes in columns by depth, edges from each input to the layer. */
  private drawGraph(rows: readonly inspect.ModelRow[]): void {
    const depths = layerDepths(rows);
    const columns: number[][] = [];
    depths.forEach((d, i) => (columns[d] ??= []).push(i));
    const W = 150, H = 34, GX = 40, GY = 14;
    const pos = new Map<string, { x: number; y: number }>();
    columns.forEach((col, d) => col.forEach((i, k) => pos.set(rows[i]!.name, { x: d * (W + GX), y: k * (H + GY) })));
    const width = columns.length * (W + GX) - GX;
    const height = Math.max(...columns.map((c) => c.length)) * (H + GY) - GY;
    const s = svg("svg", { class: "convlab-model-graph", width, height, viewBox: `0 0 ${width} ${height}` });
    for (const r of rows) {
      const to = pos.get(r.name)!;
      for (const n of r.inputs ?? []) {
        const from = pos.get(n)!;
        svg("line", { class: "convlab-graph-edge", x1: from.x + W, y1: from.y + H / 2, x2: to.x, y2: to.y + H / 2 }, s);
      }
    }
    for (const r of rows) {
      const { x, y } = pos.get(r.name)!;
      const g = svg("g", { class: "convlab-graph-node", transform: `translate(${x},${y})` }, s);
      svg("rect", { width: W, height: H, rx: 4 }, g);
      const t1 = svg("text", { x: 6, y: 14 }, g);
      t1.textContent = r.name;
      const t2 = svg("text", { x: 6, y: 28, class: "convlab-graph-sub" }, g);
      t2.textContent = `${r.type} ${fmtShape(r.outputShape)}`;
    }
    const wrap = el("div", "convlab-graph-wrap", undefined, this.node);
    wrap.appendChild(s);
  }
}
