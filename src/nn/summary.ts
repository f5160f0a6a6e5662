// model.summary(): one row per layer with the output shape, activation size, parameters and
// multiplications per example (DESIGN "Contracts"), printable as text or an HTML table.
import { modelPayload, MODEL_MIME } from "../inspect/model.js";
import { fmtTuple } from "../util/errors.js";

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

  private table(): string[][] {
    return [
      ["layer", "type", "output shape", "activation size", "params", "mults"],
      ...this.rows.map((r) => [r.name, r.type + (r.config ? ` ${r.config}` : ""), fmtTuple(r.outputShape), fmtInt(r.activationSize), fmtInt(r.params), fmtInt(r.mults)]),
    ];
  }

  private footer(): string {
    const frozen = this.totalParams - this.trainableParams;
    return `Total params: ${fmtInt(this.totalParams)}${frozen ? ` (trainable ${fmtInt(this.trainableParams)}, frozen ${fmtInt(frozen)})` : ""} · mults per example: ${fmtInt(this.totalMults)}`;
  }

  /** An aligned text table. */
  toString(): string {
    const t = this.table();
    const widths = t[0]!.map((_, j) => Math.max(...t.map((row) => row[j]!.length)));
    const numeric = [false, false, false, true, true, true];
    const line = (row: string[]): string => row.map((c, j) => (numeric[j] ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join("  ").trimEnd();
    const rule = "─".repeat(widths.reduce((a, b) => a + b + 2, -2));
    return [`Model: ${this.name}`, line(t[0]!), rule, ...t.slice(1).map(line), rule, this.footer()].join("\n");
  }

  /** An HTML table; every value is escaped. */
  toHTML(): string {
    const t = this.table();
    const cell = (tag: string, c: string, j: number): string => `<${tag}${j >= 3 ? ' style="text-align:right"' : ""}>${escapeHtml(c)}</${tag}>`;
    const head = `<tr>${t[0]!.map((c, j) => cell("th", c, j)).join("")}</tr>`;
    const body = t.slice(1).map((row) => `<tr>${row.map((c, j) => cell("td", c, j)).join("")}</tr>`).join("");
    return `<table class="convlab-summary"><caption>Model: ${escapeHtml(this.name)}</caption><thead>${head}</thead><tbody>${body}</tbody></table><p>${escapeHtml(this.footer())}</p>`;
  }

  /** Shown by the convlab kernel: the model widget (application/vnd.convlab.model+json), an HTML table and the text as fallbacks. */
  toMimeBundle(): { data: Record<string, unknown> } {
    return { data: { [MODEL_MIME]: modelPayload(this), "text/plain": this.toString(), "text/html": this.toHTML() } };
  }
}
