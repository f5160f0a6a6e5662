// Per-notebook expectations: what an executed notebook must show, read from
// test/notebooks/expected/<notebook name without .ipynb>.json and checked after the run by
// test/notebooks/notebooks.test.ts. The format is documented in docs/notebooks.md; a notebook
// without an expectations file (or with one that checks no value) fails the notebook suite.
// Pure (no vitest): the unit suite tests the checker itself on small notebooks.
import { existsSync, readFileSync } from "node:fs";
import { mismatch } from "../support/tolerance.js";

/** An expected number: exact (within the check's atol/rtol) or a range. */
export type ExpectedNumber = number | { min?: number; max?: number };

export interface Check {
  /** A code cell by the id nbformat gives it (`"id"` in the .ipynb). */
  id?: string;
  /** ... or by a substring of its source that exactly one code cell contains. */
  source?: string;
  /** Why this check is here (the lesson's claim); shown when it fails. */
  what?: string;
  /**
   * Which text of the cell's outputs to read: "result" (the execute_result's text/plain, the
   * default), "display" (display_data text/plain), "stdout" (printed text), "any" (all of them, in order).
   */
  output?: "result" | "display" | "stdout" | "any";
  /** Literal substrings the text must contain. */
  contains?: string[];
  /** A regular expression the text must match; `numbers` are then read from its capture groups (or the whole match). */
  match?: string;
  /** The numbers in the text (or in `match`'s groups), all of them, in order. Thousands commas ("14,450,688") are read as one number. */
  numbers?: ExpectedNumber[];
  /** Tolerance for exact numbers, |a − b| ≤ atol + rtol·|b| (default 0 and 0: exact); NaN never passes. */
  atol?: number;
  rtol?: number;
  /** MIME types this cell's outputs must include. */
  mimes?: string[];
}

export interface Expectations {
  /** MIME types the notebook must show somewhere (text/plain is always required). */
  mimes?: string[];
  /** Value checks; at least one is required: a notebook run must look at values. */
  checks: Check[];
}

export interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
}
export interface Cell {
  id?: string;
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
  execution_count?: number | null;
}
export interface Notebook {
  cells: Cell[];
}

const OUTPUTS = ["result", "display", "stdout", "any"];
const KEYS = new Set(["id", "source", "what", "output", "contains", "match", "numbers", "atol", "rtol", "mimes"]);

/** The expectations file of a notebook ("01-foundations.ipynb" → <dir>/01-foundations.json). */
export function expectationsPath(dir: string, notebook: string): string {
  return `${dir}/${notebook.replace(/\.ipynb$/, "")}.json`;
}

/** Reads and validates an expectations file; throws naming the file and the bad field. */
export function loadExpectations(path: string): Expectations {
  if (!existsSync(path)) throw new Error(`${path} is missing: every notebook needs an expectations file (docs/notebooks.md)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not JSON (${(e as Error).message})`);
  }
  return validateExpectations(raw, path);
}

export function validateExpectations(raw: unknown, where: string): Expectations {
  const bad = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad("expected an object { mimes?, checks }");
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== "mimes" && k !== "checks" && k !== "$comment") bad(`unknown field "${k}"`);
  const strings = (v: unknown, name: string): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === "string")) bad(`${name} must be an array of strings`);
    return v as string[];
  };
  const mimes = strings(o.mimes, "mimes");
  if (!Array.isArray(o.checks) || o.checks.length === 0) bad("checks must be a non-empty array: a notebook run must look at values");
  const checks = (o.checks as unknown[]).map((c, i): Check => {
    const at = `checks[${i}]`;
    if (typeof c !== "object" || c === null || Array.isArray(c)) bad(`${at} must be an object`);
    const k = c as Record<string, unknown>;
    for (const key of Object.keys(k)) if (!KEYS.has(key)) bad(`${at}: unknown field "${key}"`);
    if ((k.id === undefined) === (k.source === undefined)) bad(`${at}: give exactly one of "id" and "source"`);
    if (k.id !== undefined && typeof k.id !== "string") bad(`${at}.id must be a string`);
    if (k.source !== undefined && (typeof k.source !== "string" || k.source === "")) bad(`${at}.source must be a non-empty string`);
    if (k.output !== undefined && !OUTPUTS.includes(k.output as string)) bad(`${at}.output must be one of ${OUTPUTS.join(", ")}`);
    if (k.match !== undefined) {
      if (typeof k.match !== "string") bad(`${at}.match must be a string`);
      try {
        new RegExp(k.match as string);
      } catch (e) {
        bad(`${at}.match: ${(e as Error).message}`);
      }
    }
    if (k.numbers !== undefined) {
      const ok = Array.isArray(k.numbers) && k.numbers.every((n) =>
        (typeof n === "number" && Number.isFinite(n)) ||
        (typeof n === "object" && n !== null && !Array.isArray(n) && Object.keys(n).length > 0 &&
          Object.entries(n).every(([kk, v]) => (kk === "min" || kk === "max") && typeof v === "number")));
      if (!ok) bad(`${at}.numbers must be an array of finite numbers or { min?, max? } ranges`);
    }
    for (const t of ["atol", "rtol"] as const) if (k[t] !== undefined && !(typeof k[t] === "number" && (k[t] as number) >= 0)) bad(`${at}.${t} must be a number ≥ 0`);
    const contains = strings(k.contains, `${at}.contains`);
    const cellMimes = strings(k.mimes, `${at}.mimes`);
    if (!contains && k.match === undefined && k.numbers === undefined && !cellMimes) bad(`${at} checks nothing: give contains, match, numbers or mimes`);
    return k as Check;
  });
  if (!checks.some((c) => c.numbers !== undefined || c.contains !== undefined || c.match !== undefined)) bad("no check looks at a value (numbers, contains or match)");
  return { mimes, checks };
}

const join = (t: string | string[] | undefined): string => [t ?? ""].flat().join("");

/**
 * The text of a cell's outputs that a check reads. Printed text is taken as one stream (the kernel
 * may split or coalesce it differently from run to run), other outputs are separated by newlines.
 */
export function outputText(cell: Cell, which: Check["output"] = "result"): string {
  const parts: string[] = [];
  let streaming = false;
  for (const o of cell.outputs ?? []) {
    const plain = o.data?.["text/plain"];
    if (o.output_type === "stream" && o.name === "stdout") {
      if (which !== "stdout" && which !== "any") continue;
      if (streaming) parts[parts.length - 1] += join(o.text);
      else parts.push(join(o.text));
      streaming = true;
      continue;
    }
    if (o.output_type === "stream") continue;
    streaming = false;
    if (o.output_type === "execute_result" && (which === "result" || which === "any") && plain !== undefined) parts.push(join(plain as string | string[]));
    else if (o.output_type === "display_data" && (which === "display" || which === "any") && plain !== undefined) parts.push(join(plain as string | string[]));
  }
  return parts.join("\n");
}

/**
 * Every number in a text, in order. "14,450,688" (groups of three after commas, no spaces) is one
 * number, except right after "[", "(" or ",", where commas separate: "shape=[100,120]" is 100, 120.
 */
export function numbersIn(text: string): number[] {
  const re = /[-+]?(?:(?<![[(,\d])\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+(?:[eE][-+]?\d+)?|NaN|-?Infinity/g;
  return [...text.matchAll(re)].map((m) => Number(m[0].replace(/,/g, "")));
}

function findCell(code: Cell[], c: Check): Cell | string {
  if (c.id !== undefined) return code.find((cell) => cell.id === c.id) ?? `no code cell has id "${c.id}"`;
  const hits = code.filter((cell) => join(cell.source).includes(c.source!));
  if (hits.length === 1) return hits[0]!;
  return hits.length === 0 ? `no code cell contains ${JSON.stringify(c.source)}` : `${hits.length} code cells contain ${JSON.stringify(c.source)}: make it unique`;
}

/** Checks an executed notebook against its expectations; returns one line per failure (empty: all pass). */
export function checkNotebook(nb: Notebook, exp: Expectations): string[] {
  const failures: string[] = [];
  const code = nb.cells.filter((c) => c.cell_type === "code");
  const shown = new Set(code.flatMap((c) => (c.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {}))));
  for (const mime of new Set(["text/plain", ...(exp.mimes ?? [])])) if (!shown.has(mime)) failures.push(`the notebook shows no ${mime}`);
  exp.checks.forEach((c, i) => {
    const name = `checks[${i}] (${c.id !== undefined ? `id ${c.id}` : JSON.stringify(c.source)}${c.what ? `: ${c.what}` : ""})`;
    const cell = findCell(code, c);
    if (typeof cell === "string") return void failures.push(`${name}: ${cell}`);
    const cellMimes = new Set((cell.outputs ?? []).flatMap((o) => Object.keys(o.data ?? {})));
    for (const m of c.mimes ?? []) if (!cellMimes.has(m)) failures.push(`${name}: the cell shows no ${m}`);
    const text = outputText(cell, c.output);
    for (const s of c.contains ?? []) if (!text.includes(s)) failures.push(`${name}: ${c.output ?? "result"} text lacks ${JSON.stringify(s)}; it is ${JSON.stringify(text.slice(0, 400))}`);
    let source = text;
    if (c.match !== undefined) {
      const m = new RegExp(c.match, "s").exec(text);
      if (!m) return void failures.push(`${name}: ${c.output ?? "result"} text does not match /${c.match}/; it is ${JSON.stringify(text.slice(0, 400))}`);
      source = m.length > 1 ? m.slice(1).map((g) => g ?? "").join(" ; ") : m[0];
    }
    if (c.numbers === undefined) return;
    const got = numbersIn(source);
    if (got.length !== c.numbers.length)
      return void failures.push(`${name}: ${got.length} numbers [${got.join(", ")}] where ${c.numbers.length} are expected [${c.numbers.map((n) => JSON.stringify(n)).join(", ")}]`);
    const tol = { atol: c.atol ?? 0, rtol: c.rtol ?? 0 };
    const wrong: string[] = [];
    c.numbers.forEach((want, j) => {
      const a = got[j]!;
      let why: string | null;
      if (typeof want === "number") why = mismatch(a, want, tol);
      else why = Number.isNaN(a) ? `NaN is in no range` : want.min !== undefined && !(a >= want.min) ? `${a} < min ${want.min}` : want.max !== undefined && !(a <= want.max) ? `${a} > max ${want.max}` : null;
      if (why !== null) wrong.push(`number ${j}: ${why}`);
    });
    if (wrong.length) failures.push(`${name}: ${wrong.length} of ${got.length} numbers wrong (got [${got.join(", ")}]): ${wrong.slice(0, 3).join("; ")}${wrong.length > 3 ? "; …" : ""}`);
  });
  return failures;
}

/** A cell's text outputs (printed lines and text/plain), for comparing two runs. */
function cellText(cell: Cell): string {
  return outputText(cell, "any");
}

/** What a cell's outputs are: kinds, stream names and MIME types, in order (consecutive streams of one name as one). */
function outputKinds(cell: Cell): string {
  const kinds = (cell.outputs ?? []).map((o) => `${o.output_type}${o.name ? `:${o.name}` : ""}[${Object.keys(o.data ?? {}).sort().join(",")}]`);
  return kinds.filter((k, i) => !(k.startsWith("stream:") && kinds[i - 1] === k)).join(" ");
}

/**
 * Durations ("in 22.1 s") and timing ratios ("time ratio 7.6×") differ between runs and machines;
 * they say nothing checkable about the lesson.
 */
const DURATION = /\bin \d+(?:\.\d+)? s\b|\btime ratio \d+(?:\.\d+)?×/g;
const timing = (t: string): string => t.replace(DURATION, (m) => (m.startsWith("in ") ? "in # s" : "time ratio #×"));

/**
 * Compares a committed executed copy (docs/notebooks/<name>.ipynb) with the notebook and a fresh
 * run of it: the same sources, no per-run timestamps, the same kinds of outputs, and the same text
 * (durations aside; numbers within `tol`, for the last digits of trained values across machines).
 * Returns one line per difference.
 */
export function compareRendered(committed: Notebook, notebook: Notebook, fresh: Notebook, tol = { atol: 0.02, rtol: 0.05 }): string[] {
  const out: string[] = [];
  const code = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === "code");
  const src = (nb: Notebook) => nb.cells.map((c) => `${c.cell_type}\n${join(c.source)}`);
  const a = src(committed), b = src(notebook);
  const stale = a.length !== b.length ? `it has ${a.length} cells, the notebook ${b.length}` : a.findIndex((s, i) => s !== b[i]) >= 0 ? `cell ${a.findIndex((s, i) => s !== b[i])} differs from the notebook's` : "";
  if (stale) return [`stale: ${stale}`];
  const [cc, fc] = [code(committed), code(fresh)];
  cc.forEach((c, i) => {
    const f = fc[i]!;
    const where = `code cell ${i} (${JSON.stringify(join(c.source).split("\n")[0]!.slice(0, 60))})`;
    if ((c as { metadata?: { execution?: unknown } }).metadata?.execution !== undefined) out.push(`${where}: keeps per-run execution timestamps`);
    if (typeof c.execution_count !== "number") out.push(`${where}: not executed`);
    if (outputKinds(c) !== outputKinds(f)) return void out.push(`${where}: outputs ${outputKinds(c) || "(none)"}, a fresh run shows ${outputKinds(f) || "(none)"}`);
    const [tc, tf] = [timing(cellText(c)), timing(cellText(f))];
    const [nc, nf] = [numbersIn(tc), numbersIn(tf)];
    const shape = (t: string) => t.replace(/[-+]?(?:\d[\d,]*)(?:\.\d+)?(?:[eE][-+]?\d+)?|NaN|Infinity/g, "#");
    if (shape(tc) !== shape(tf) || nc.length !== nf.length) return void out.push(`${where}: text differs from a fresh run: ${JSON.stringify(tc.slice(0, 200))} vs ${JSON.stringify(tf.slice(0, 200))}`);
    const bad = nc.findIndex((v, j) => mismatch(v, nf[j]!, tol) !== null);
    if (bad >= 0) out.push(`${where}: number ${bad} is ${nc[bad]} where a fresh run shows ${nf[bad]}`);
  });
  return out;
}
