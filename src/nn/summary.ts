// model.summary(): one row per layer with the output shape, activation size, parameters and
// multiplications per example (DESIGN "Contracts"), printable as text or an HTML table.
import { modelPayload, MODEL_MIME } from "../inspect/model.js";
import { sizeOf } from "../tensor/shape.js";
import { fmtTuple } from "../util/errors.js";
import type { SymbolicTensor } from "./layer.js";
import { InputLayer } from "./layers/input.js";

export interface SummaryRow {
  name: string;
  type: string;
  /** Output shape without the batch axis. */
  outputShape: number[];
  /** Values per example in the layer's output. */
  activationSize: number;
  params: number;
  /** Multiplications per example in the forward pass (conv and dense layers; 0 otherwise). */
  mults: number;
  /** The layer's configuration in short ("f=5 s=1 p=valid relu"). */
  config: string;
  /** Names of the layers feeding this one (absent for inputs): the layer graph of the model widget. */
  inputs?: string[];
}

const fmtInt = (n: number): string => n.toLocaleString("en-US");

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export class Summary {
  constructor(
    readonly name: string,
    readonly rows: SummaryRow[],
    readonly totalParams: number,
    readonly trainableParams: number,
    /** The model's type ("Sequential", "Model"). */
    readonly type: string = "Model",
  ) {}

  /** Total multiplications per example over all layers. */
  get totalMults(): number {
    return this.rows.reduce((s, r) => s + r.mults, 0);
  }

  /** Parameters of frozen layers. */
  get nonTrainableParams(): number {
    return this.totalParams - this.trainableParams;
  }

  /** Whether some row is fed by other than the row before it (branches, merges): then the table shows each row's inputs, as Keras does. */
  get isGraph(): boolean {
    return this.rows.some((r, i) => r.inputs !== undefined && (r.inputs.length !== 1 || r.inputs[0] !== this.rows[i - 1]?.name));
  }

  private table(): string[][] {
    const graph = this.isGraph;
    return [
      ["layer", "type", "output shape", "activation size", "params", "mults", ...(graph ? ["connected to"] : [])],
      ...this.rows.map((r) => [
        r.name, r.type + (r.config ? ` ${r.config}` : ""), fmtTuple(r.outputShape), fmtInt(r.activationSize), fmtInt(r.params), fmtInt(r.mults),
        ...(graph ? [(r.inputs ?? []).join(", ")] : []),
      ]),
    ];
  }

  /** The closing lines: mults, then Total / Trainable / Non-trainable params as Keras ends its summary. */
  private footer(): string[] {
    return [
      `Mults per example: ${fmtInt(this.totalMults)}`,
      `Total params: ${fmtInt(this.totalParams)}`,
      `Trainable params: ${fmtInt(this.trainableParams)}`,
      `Non-trainable params: ${fmtInt(this.nonTrainableParams)}`,
    ];
  }

  /** An aligned text table. */
  toString(): string {
    const t = this.table();
    const widths = t[0]!.map((_, j) => Math.max(...t.map((row) => row[j]!.length)));
    const numeric = (j: number): boolean => j >= 3 && j <= 5;
    const line = (row: string[]): string => row.map((c, j) => (numeric(j) ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join("  ").trimEnd();
    const rule = "─".repeat(widths.reduce((a, b) => a + b + 2, -2));
    return [`Model: ${this.name}`, line(t[0]!), rule, ...t.slice(1).map(line), rule, ...this.footer()].join("\n");
  }

  /** An HTML table; every value is escaped. */
  toHTML(): string {
    const t = this.table();
    const cell = (tag: string, c: string, j: number): string => `<${tag}${j >= 3 && j <= 5 ? ' style="text-align:right"' : ""}>${escapeHtml(c)}</${tag}>`;
    const head = `<tr>${t[0]!.map((c, j) => cell("th", c, j)).join("")}</tr>`;
    const body = t.slice(1).map((row) => `<tr>${row.map((c, j) => cell("td", c, j)).join("")}</tr>`).join("");
    return `<table class="convlab-summary"><caption>Model: ${escapeHtml(this.name)}</caption><thead>${head}</thead><tbody>${body}</tbody></table><p>${this.footer().map(escapeHtml).join("<br>")}</p>`;
  }

  /** Shown by the convlab kernel: the model widget (application/vnd.convlab.model+json), an HTML table and the text as fallbacks. */
  toMimeBundle(): { data: Record<string, unknown> } {
    return { data: { [MODEL_MIME]: modelPayload(this), "text/plain": this.toString(), "text/html": this.toHTML() } };
  }
}

/**
 * The summary of a graph from its symbolic tensors alone: shapes, parameter counts and mults come
 * from the layers' shape rules and declared weights, so nothing is allocated (a VGG-16 summary
 * needs no 550 MB of weights).
 */
export function summarize(
  name: string, type: string, order: readonly SymbolicTensor[], starts: ReadonlySet<SymbolicTensor>, totalParams: number, trainableParams: number,
): Summary {
  const rows: SummaryRow[] = [];
  for (const s of order) {
    const l = s.node.layer;
    const start = starts.has(s) || l instanceof InputLayer;
    const shapes = s.node.inputs.map((i) => i.shape);
    rows.push({
      name: l.name,
      type: start && !(l instanceof InputLayer) ? "Input" : l.type,
      outputShape: [...s.shape],
      activationSize: sizeOf(s.shape),
      params: start ? 0 : l.countParams(),
      mults: start ? 0 : l.mults(shapes),
      config: start ? "" : l.describe(),
      ...(start ? {} : { inputs: s.node.inputs.map((i) => i.node.layer.name) }),
    });
  }
  return new Summary(name, rows, totalParams, trainableParams, type);
}
