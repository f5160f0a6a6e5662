/**
 * Jupyter `error` contents (ename, evalue, traceback) for exceptions thrown by cells and for
 * TypeScript diagnostics, with the traceback pointing at the cells' TypeScript lines.
 */
import { inspect, types } from "node:util";
import { CellMap } from "./cellmap.js";
import type { Diagnostic, Ts } from "./tslab.js";

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

const RED = "\x1b[0;31m", GREEN = "\x1b[0;32m", CYAN = "\x1b[0;36m", BOLD = "\x1b[1m", RESET = "\x1b[0m";

/** One converted cell: its label ("In [5]"), TypeScript source and the JavaScript that ran. */
interface CellRecord {
  label: string;
  ts: string;
  js: string;
  map?: CellMap;
}

/**
 * The cells run so far, by the script name their JavaScript carries (`//# sourceURL=`), so
 * that stack frames in any earlier cell's functions map back to that cell's lines.
 */
export class CellRegistry {
  private cells = new Map<string, CellRecord>();
  private serial = 0;

  constructor(private readonly ts: Ts) {}

  /** Registers a cell's code; returns the script name to append as `//# sourceURL=`. */
  add(label: string, ts: string, js: string): string {
    const name = `__convlab_cell_${++this.serial}__`;
    this.cells.set(name, { label, ts, js });
    return name;
  }

  /** `{ label, line (0-based TS), source }` for a frame at (1-based) line/col of a cell's script. */
  locate(name: string, line: number, col: number): { label: string; line: number | undefined; source: string } | undefined {
    const cell = this.cells.get(name);
    if (!cell) return undefined;
    cell.map ??= new CellMap(this.ts, cell.ts, cell.js);
    return { label: cell.label, line: cell.map.tsLine(line - 1, col - 1), source: cell.ts };
  }
}

/** The lines around `line` (0-based) with an arrow at it, as IPython prints them. */
function excerpt(source: string, line: number, before = 2, after = 0, caret?: { col: number; len: number }): string[] {
  const lines = source.split("\n");
  const out: string[] = [];
  const width = String(Math.min(line + after, lines.length - 1) + 1).length;
  for (let i = Math.max(0, line - before); i <= Math.min(lines.length - 1, line + after); i++) {
    const num = String(i + 1).padStart(width);
    out.push(i === line ? `${GREEN}--->${RESET} ${BOLD}${num}${RESET} ${lines[i]}` : `     ${num} ${lines[i]}`);
    if (i === line && caret) out.push(`     ${" ".repeat(width)} ${" ".repeat(caret.col)}${RED}${"^".repeat(Math.max(1, caret.len))}${RESET}`);
  }
  return out;
}

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/;

/** Frames that belong to the kernel's machinery rather than to the user's code. */
function isMachinery(file: string): boolean {
  return file.startsWith("node:") || /[\\/]tslab[\\/]dist[\\/]/.test(file) || /[\\/]kernel[\\/]dist[\\/]/.test(file) || file === "evalmachine.<anonymous>";
}

/** `f()`, or `fallback` when it throws (getters, Proxy traps and `toString`s of thrown values may). */
function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

/** A one-line text for any value, never throwing. */
export function describeValue(v: unknown): string {
  if (typeof v === "string") return v;
  const text = safe(() => inspect(v, { depth: 2, breakLength: Infinity }), "") || safe(() => String(v), "") || "(a value that cannot be printed)";
  return safe(() => types.isProxy(v), false) ? `Proxy ${text}` : text;
}

/** Whether `err` is an Error (false, not a throw, for Proxies whose traps throw). */
function isError(err: unknown): err is Error {
  return safe(() => err instanceof Error, false);
}

/** The name of an Error, or of the class of an object, without throwing. */
function nameOf(err: object): string {
  const own = safe(() => (err as { name?: unknown }).name, undefined);
  if (typeof own === "string" && own) return own;
  const ctor = safe(() => (err as { constructor?: { name?: unknown } }).constructor?.name, undefined);
  return typeof ctor === "string" && ctor ? ctor : "Error";
}

/** The frames of a stack trace, as traceback lines (cells' lines with an excerpt, library frames by file). */
function frameLines(stack: string, cells: CellRegistry): string[] {
  const out: string[] = [];
  const frames = stack.split("\n").filter((l) => /^\s+at /.test(l));
  let shown = 0;
  let previous = "";
  for (const frame of frames) {
    if (shown >= 12) {
      out.push("    …");
      break;
    }
    const m = FRAME.exec(frame);
    if (!m) continue;
    const [, fn, file, line, col] = m as unknown as [string, string | undefined, string, string, string];
    const cell = safe(() => cells.locate(file, Number(line), Number(col)), undefined);
    if (cell) {
      const where = cell.line === undefined ? "" : `, line ${cell.line + 1}`;
      const inFn = fn && !/^(Object\.)?<anonymous>$/.test(fn) && !fn.startsWith("eval") ? ` in ${fn.replace(/^(exports|Object|Proxy)\./, "")}` : "";
      const heading = `${CYAN}Cell ${cell.label}${where}${RESET}${inFn}`;
      if (heading === previous) continue; // the cell's wrapper around its own top level
      previous = heading;
      out.push("", heading);
      if (cell.line !== undefined) out.push(...excerpt(cell.source, cell.line));
      shown++;
    } else if (!isMachinery(file)) {
      out.push(`    at ${fn ? `${fn} (${file}:${line}:${col})` : `${file}:${line}:${col}`}`);
      shown++;
    }
  }
  return out;
}

/** How many causes (`error.cause`, and the errors of an AggregateError) a traceback follows. */
const MAX_CAUSES = 8;

/**
 * `error` content for anything a cell threw: an Error (its name, message and stack, then its
 * `cause` chain and an AggregateError's errors), or any other value (ename `Uncaught`). Never
 * throws, whatever the value: odd `stack`/`message` types, throwing getters, Proxies whose
 * traps throw and cyclic causes all give a readable error.
 */
export function errorContent(err: unknown, cells: CellRegistry): ErrorContent {
  try {
    return errorContentOf(err, cells);
  } catch (e) {
    const evalue = `the error could not be described (${describeValue(e)})`;
    return { ename: "Error", evalue, traceback: [`${RED}Error${RESET}: ${evalue}`] };
  }
}

function errorContentOf(err: unknown, cells: CellRegistry): ErrorContent {
  if (!isError(err)) {
    const evalue = typeof err === "string" ? inspect(err) : describeValue(err);
    return { ename: "Uncaught", evalue, traceback: [`${RED}Uncaught${RESET} ${evalue}`] };
  }
  const { ename, evalue } = headline(err);
  const traceback = [`${RED}${ename}${RESET}: ${evalue}`];
  const stack = safe(() => err.stack, undefined);
  if (typeof stack === "string") traceback.push(...frameLines(stack, cells));
  // causes, depth first, each once
  const seen = new Set<unknown>([err]);
  const queue: { label: string; value: unknown }[] = [];
  const more = (e: unknown) => {
    const cause = safe(() => (isError(e) ? (e as { cause?: unknown }).cause : undefined), undefined);
    if (cause !== undefined) queue.push({ label: "Caused by", value: cause });
    const errors = safe(() => (isError(e) && Array.isArray((e as { errors?: unknown }).errors) ? ((e as unknown as { errors: unknown[] }).errors.slice(0, MAX_CAUSES)) : []), [] as unknown[]);
    errors.forEach((x, i) => queue.push({ label: `Error ${i + 1} of the group`, value: x }));
  };
  more(err);
  let followed = 0;
  while (queue.length > 0 && followed < MAX_CAUSES) {
    const { label, value } = queue.shift()!;
    if (seen.has(value)) {
      traceback.push("", `${label}: (the same error as above: the causes form a cycle)`);
      continue;
    }
    seen.add(value);
    followed++;
    if (isError(value)) {
      const h = headline(value);
      traceback.push("", `${label}: ${RED}${h.ename}${RESET}: ${h.evalue}`);
      const s = safe(() => value.stack, undefined);
      if (typeof s === "string") traceback.push(...frameLines(s, cells));
      more(value);
    } else traceback.push("", `${label}: ${describeValue(value)}`);
  }
  return { ename, evalue, traceback };
}

function headline(err: Error): { ename: string; evalue: string } {
  const ename = nameOf(err);
  let evalue: string;
  try {
    const message: unknown = err.message;
    evalue = message === undefined ? "" : describeValue(message);
  } catch (e) {
    evalue = `(its message could not be read: ${describeValue(safe(() => (e instanceof Error ? e.message : e), e))})`;
  }
  return { ename, evalue };
}

/** A plain-text report (no colours) of an error, for stderr. */
export function errorText(err: unknown, cells: CellRegistry): string {
  return errorContent(err, cells).traceback.join("\n").replace(/\x1b\[[0-9;]*m/g, "");
}

/**
 * `error` content for TypeScript diagnostics (nothing ran). `source` is the cell's code; a
 * diagnostic in a local `.ts` file names that file.
 */
export function diagnosticsContent(diagnostics: Diagnostic[], source: string, label: string): ErrorContent {
  const first = diagnostics[0]!;
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
  const where = (d: Diagnostic) => `${d.fileName ? d.fileName : `Cell ${label}`}, line ${d.start.line + 1}, column ${d.start.character + 1}`;
  const traceback = [`${RED}TSError${RESET}: the cell does not compile (${diagnostics.length === 1 ? "1 error" : `${diagnostics.length} errors`}); nothing in it ran`];
  for (const d of diagnostics) {
    traceback.push("", `${CYAN}${where(d)}${RESET}: ${RED}error TS${d.code}${RESET}: ${d.messageText}`);
    if (!d.fileName) {
      const len = d.end.line === d.start.line ? d.end.character - d.start.character : 1;
      traceback.push(...excerpt(source, d.start.line, 1, 0, { col: d.start.character, len }));
    }
  }
  return { ename: "TSError", evalue: `${where(first)}: TS${first.code}: ${first.messageText}${more}`, traceback };
}

/** `error` content for an interrupted cell. */
export function interruptContent(): ErrorContent {
  const evalue = "the cell was interrupted (a model being trained keeps the weights of its last finished batch)";
  return { ename: "KeyboardInterrupt", evalue, traceback: [`${RED}KeyboardInterrupt${RESET}: ${evalue}`] };
}
