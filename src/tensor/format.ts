import { stringArg, typeFail } from "../util/check.js";

/** What formatting reads of a tensor (structural, so this module needs no import of tensor.ts). */
interface Formattable {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
  readonly dtype: string;
}

const EDGE = 3;
const SUMMARIZE_OVER = 1000;

/** Formats numbers the way NumPy does: integers plainly, else 4 decimals or scientific. */
function numberFormatter(values: ArrayLike<number>): (v: number) => string {
  let allInt = true;
  let maxAbs = 0;
  let minAbs = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (!Number.isInteger(v)) allInt = false;
    const a = Math.abs(v);
    if (a > maxAbs) maxAbs = a;
    if (a > 0 && a < minAbs) minAbs = a;
  }
  const special = (v: number): string | null => (Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : null);
  if (allInt && maxAbs < 1e16) return (v) => special(v) ?? String(v === 0 ? 0 : v);
  const sci = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Infinity) || maxAbs / minAbs > 1e6;
  if (sci) return (v) => special(v) ?? v.toExponential(4);
  return (v) => special(v) ?? v.toFixed(4);
}

/** Text of a tensor with its shape, like NumPy's repr; large tensors show their corners. */
export function formatTensor(t: Formattable, name = "tensor"): string {
  if (t === null || typeof t !== "object" || !Array.isArray(t.shape) || !ArrayBuffer.isView(t.data)) typeFail("formatTensor", "t", "a Tensor", t);
  stringArg("formatTensor", "name", name);
  const { shape, data } = t;
  const summarize = data.length > SUMMARIZE_OVER;
  // Collect the values that will be shown, to pick one number format and width for all.
  const shown: number[] = [];
  const st: number[] = [];
  for (let i = shape.length - 1, s = 1; i >= 0; i--) {
    st[i] = s;
    s *= shape[i]!;
  }
  const indices = (n: number): (number | null)[] =>
    summarize && n > 2 * EDGE ? [...range(0, EDGE), null, ...range(n - EDGE, n)] : range(0, n);
  const collect = (dim: number, off: number): void => {
    if (dim === shape.length) {
      shown.push(data[off]!);
      return;
    }
    for (const i of indices(shape[dim]!)) if (i !== null) collect(dim + 1, off + i * st[dim]!);
  };
  collect(0, 0);
  const fmt = numberFormatter(shown);
  const width = shown.reduce((w, v) => Math.max(w, fmt(v).length), 0);
  const pad = (s: string): string => s.padStart(width);
  const prefix = `${name}(`;
  const build = (dim: number, off: number, indent: string): string => {
    if (dim === shape.length) return pad(fmt(data[off]!));
    const parts: string[] = [];
    for (const i of indices(shape[dim]!)) parts.push(i === null ? "..." : build(dim + 1, off + i * st[dim]!, indent + " "));
    if (dim === shape.length - 1) return `[${parts.join(", ")}]`;
    const sep = "," + "\n".repeat(Math.max(1, shape.length - dim - 1)) + indent + " ";
    return `[${parts.join(sep)}]`;
  };
  const body = build(0, 0, " ".repeat(prefix.length));
  const dtype = t.dtype === "float64" ? ", dtype=float64" : "";
  return `${prefix}${body}, shape=[${shape.join(",")}]${dtype})`;
}

function range(a: number, b: number): number[] {
  const r: number[] = [];
  for (let i = a; i < b; i++) r.push(i);
  return r;
}
