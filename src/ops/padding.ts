// Shape rules shared by the convolution and pooling ops: option checking (stride, size,
// dilation), padding resolution (DESIGN "Padding": "same" follows TensorFlow) and output sizes.
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { describeValue, optionsArg } from "../util/check.js";

/** Anything with a shape (a Tensor, or `{ shape }` for shape rules that compute nothing). */
export interface Shaped {
  readonly shape: readonly number[];
}

/** Padding of a conv or pool op: "valid" (none), "same" (TensorFlow), p on every side, or one p per spatial axis. */
export type Padding<T extends readonly number[] = readonly number[]> = "valid" | "same" | number | T;

/** Resolved geometry of one spatial axis. */
export interface AxisGeom {
  /** Input size. */
  n: number;
  /** Filter (window) size, and with dilation the effective size (f − 1)·d + 1. */
  f: number;
  fEff: number;
  s: number;
  d: number;
  /** Padding before (top/left/front) and after (bottom/right/back). */
  before: number;
  after: number;
  out: number;
}

const dims = (v: readonly number[]): string => v.join("×");
/** "2" when every axis has 2, else "1×2". */
const uniform = (v: readonly number[]): string => (v.every((e) => e === v[0]) ? String(v[0]) : dims(v));

function fmtValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === undefined || v === null) return String(v);
  if (Array.isArray(v)) return v.length <= 8 ? `[${v.map(fmtValue).join(",")}]` : describeValue(v);
  return describeValue(v);
}

/**
 * A per-axis tuple from a number or an array of `nd` numbers, each an integer ≥ `min`.
 * `name` is the option's name in messages: `conv2d: stride must be a positive integer (or 2 of them), got 0`.
 */
export function axisTuple(op: string, name: string, v: number | readonly number[] | undefined, nd: number, dflt: number, min = 1): number[] {
  const raw: readonly unknown[] = v === undefined ? new Array<number>(nd).fill(dflt) : typeof v === "number" ? new Array<number>(nd).fill(v) : v;
  const ok = Array.isArray(raw) && raw.length === nd && raw.every((e) => typeof e === "number" && Number.isSafeInteger(e) && e >= min);
  if (!ok) {
    const what = min === 1 ? "a positive integer" : "a non-negative integer";
    throw new ValueError(`${op}: ${name} must be ${what}${nd > 1 ? ` (or ${nd} of them)` : ""}, got ${fmtValue(v)}`);
  }
  return raw as number[];
}

function paddingText(padding: unknown): string {
  return typeof padding === "string" ? padding : fmtValue(padding);
}

/**
 * The per-axis padding of an explicit `padding` (p, or one p per axis), null for "valid" and
 * "same"; anything else throws `conv2d: unknown padding "full" (expected ...)`.
 */
export function explicitPadding(op: string, padding: unknown, nd: number): number[] | null {
  if (padding === "valid" || padding === "same") return null;
  const isNum = typeof padding === "number";
  const isTuple = Array.isArray(padding) && padding.length === nd;
  const entries: unknown[] = isNum ? [padding] : isTuple ? padding : [];
  if (!(isNum || isTuple) || !entries.every((p) => typeof p === "number" && Number.isSafeInteger(p) && p >= 0)) {
    const forms = nd === 1 ? "a non-negative integer" : `a non-negative integer or ${nd} of them`;
    throw new ValueError(`${op}: unknown padding ${fmtValue(padding)} (expected "valid", "same" or ${forms})`);
  }
  return isNum ? new Array<number>(nd).fill(padding as number) : [...(padding as number[])];
}

/**
 * Resolves the padding of every spatial axis and the output sizes.
 * - "valid": no padding, out = floor((n − fEff)/s) + 1.
 * - "same" (TensorFlow): out = ceil(n/s), total padding max((out − 1)·s + fEff − n, 0), the odd
 *   pixel after (bottom/right).
 * - p or [p per axis]: p on both sides, out = floor((n + 2p − fEff)/s) + 1.
 * Throws when the (effective) filter is larger than the padded input, or the padding is unknown.
 */
export function resolveAxes(
  op: string, what: "filter" | "window", n: readonly number[], f: readonly number[],
  s: readonly number[], d: readonly number[], padding: unknown,
): AxisGeom[] {
  const explicit = explicitPadding(op, padding, n.length);
  const axes = n.map((ni, i): AxisGeom => {
    const si = s[i]!, di = d[i]!, fi = f[i]!;
    const fEff = (fi - 1) * di + 1;
    if (padding === "same") {
      const out = Math.ceil(ni / si);
      const total = Math.max((out - 1) * si + fEff - ni, 0);
      const before = Math.floor(total / 2);
      return { n: ni, f: fi, fEff, s: si, d: di, before, after: total - before, out };
    }
    const p = explicit ? explicit[i]! : 0;
    const out = ni + 2 * p >= fEff ? Math.floor((ni + 2 * p - fEff) / si) + 1 : 0;
    return { n: ni, f: fi, fEff, s: si, d: di, before: p, after: p, out };
  });
  if (axes.some((a) => a.n + a.before + a.after < a.fEff)) {
    const dil = axes.some((a) => a.d > 1) ? ` with dilation ${uniform(d)} (effective ${dims(axes.map((a) => a.fEff))})` : "";
    throw new ShapeError(
      `${op}: ${what} ${dims(f)}${dil} is larger than the padded input ${dims(axes.map((a) => a.n + a.before + a.after))} (padding ${paddingText(padding)})`,
    );
  }
  return axes;
}

export interface OutputSizeOptions {
  padding?: "valid" | "same" | number;
  stride?: number;
  dilation?: number;
}

/**
 * The output size of a convolution or pooling along one axis:
 * `floor((n + 2p − f_eff) / s + 1)` with f_eff = (f − 1)·d + 1; with "same", `ceil(n / s)`.
 *
 *   cl.outputSize(6, 3)                        // 4  (6×6 ∗ 3×3 → 4×4)
 *   cl.outputSize(7, 3, { stride: 2 })         // 3
 *   cl.outputSize(6, 3, { padding: 1 })        // 6
 */
export function outputSize(n: number, f: number, opts: OutputSizeOptions = {}): number {
  opts = optionsArg("outputSize", opts);
  const [ni] = axisTuple("outputSize", "n", n, 1, 1);
  const [fi] = axisTuple("outputSize", "f", f, 1, 1);
  const s = axisTuple("outputSize", "stride", opts.stride, 1, 1);
  const d = axisTuple("outputSize", "dilation", opts.dilation, 1, 1);
  return resolveAxes("outputSize", "filter", [ni!], [fi!], s, d, opts.padding ?? "valid")[0]!.out;
}

/** Throws unless x has the given rank: `conv2d: x must have rank 4 [m,nH,nW,nC_prev], got shape [6,6] (rank 2)`. */
export function checkRank(op: string, name: string, t: Shaped, rank: number, layout: string): void {
  const r = t.shape.length;
  if (r !== rank) throw new ShapeError(`${op}: ${name} must have rank ${rank} ${layout}, got shape ${fmtShape(t.shape)} (rank ${r})`);
}

/** The spatial geometry of a pooling op: window, stride (default: the window) and padding. */
export interface PoolOptions<T extends readonly number[] = readonly number[]> {
  size: number | T;
  stride?: number | T;
  padding?: Padding<T>;
}

/**
 * Checks a pooling op's options against the spatial sizes `n` and resolves its axes. Explicit
 * padding must be smaller than the window, so every window holds at least one input element.
 */
export function poolAxes(op: string, n: readonly number[], opts: PoolOptions | undefined): AxisGeom[] {
  const nd = n.length;
  if (opts !== undefined) optionsArg(op, opts);
  if (opts === undefined || opts.size === undefined) throw new ValueError(`${op}: the window size is required, e.g. ${op}(x, { size: 2 })`);
  const f = axisTuple(op, "size", opts.size, nd, 1);
  const s = axisTuple(op, "stride", opts.stride ?? opts.size, nd, 1);
  const axes = resolveAxes(op, "window", n, f, s, new Array<number>(nd).fill(1), opts.padding ?? "valid");
  if (axes.some((a) => a.before >= a.f))
    throw new ValueError(
      `${op}: padding ${paddingText(opts.padding)} must be smaller than the window ${dims(f)} (a window may not lie wholly in the padding)`,
    );
  return axes;
}
