/**
 * Maps a position in the JavaScript that ran for a cell back to the cell's TypeScript line, for
 * tracebacks. tslab's converter emits no source map (and its compiler options are fixed), so
 * the two token streams are aligned instead: type annotations only exist in the TypeScript,
 * `exports.` prefixes and the CommonJS header only in the JavaScript, and everything else
 * (identifiers, literals, keywords, punctuation) appears in both, in the same order. A longest
 * common subsequence of the token texts pairs them up.
 */
import type { Ts } from "./tslab.js";

interface Token {
  text: string;
  line: number; // 0-based
  col: number; // 0-based
}

function tokenize(ts: Ts, src: string): Token[] {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, /* skipTrivia */ true, ts.LanguageVariant.Standard, src);
  const out: Token[] = [];
  let line = 0, lineStart = 0, scanned = 0;
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    const pos = scanner.getTokenPos();
    for (; scanned < pos; scanned++)
      if (src.charCodeAt(scanned) === 10) {
        line++;
        lineStart = scanned + 1;
      }
    out.push({ text: scanner.getTokenText(), line, col: pos - lineStart });
  }
  return out;
}

/** Largest LCS table (cells) computed; bigger cells are aligned on identifiers and literals only. */
const MAX_CELLS = 4_000_000;

/** For each index of `b`, the index of the `a` token it is paired with (-1 when unpaired). */
function align(a: string[], b: string[]): Int32Array {
  const n = a.length, m = b.length;
  const pairs = new Int32Array(m).fill(-1);
  if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_CELLS) return pairs;
  const w = m + 1;
  const L = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      L[i * w + j] = a[i] === b[j] ? L[(i + 1) * w + j + 1]! + 1 : Math.max(L[(i + 1) * w + j]!, L[i * w + j + 1]!);
  let i = 0, j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) pairs[j++] = i++;
    else if (L[(i + 1) * w + j]! >= L[i * w + j + 1]!) i++;
    else j++;
  }
  return pairs;
}

/** Pairs JS tokens with TS tokens, then answers position queries. */
export class CellMap {
  private tsTokens: Token[];
  private jsTokens: Token[];
  private pairs: Int32Array;

  constructor(ts: Ts, tsSource: string, jsSource: string) {
    this.tsTokens = tokenize(ts, tsSource);
    this.jsTokens = tokenize(ts, jsSource);
    let pairs = align(this.tsTokens.map((t) => t.text), this.jsTokens.map((t) => t.text));
    if (this.tsTokens.length * this.jsTokens.length > MAX_CELLS) {
      // Too big for the full table: align only words and literals (far fewer tokens).
      const isWord = (t: Token) => /^[\w$"'`]/.test(t.text);
      const tsIdx = this.tsTokens.flatMap((t, i) => (isWord(t) ? [i] : []));
      const jsIdx = this.jsTokens.flatMap((t, i) => (isWord(t) ? [i] : []));
      const sub = align(tsIdx.map((i) => this.tsTokens[i]!.text), jsIdx.map((i) => this.jsTokens[i]!.text));
      pairs = new Int32Array(this.jsTokens.length).fill(-1);
      sub.forEach((p, k) => {
        if (p >= 0) pairs[jsIdx[k]!] = tsIdx[p]!;
      });
    }
    this.pairs = pairs;
  }

  /**
   * The TS line (0-based) of JS position (0-based line, col): the first paired token at or after
   * the position on the same line (an error points at the start of an expression, which may be
   * an unpaired `exports.`), else the last paired token before it.
   */
  tsLine(jsLine: number, jsCol: number): number | undefined {
    const toks = this.jsTokens;
    let k = 0;
    while (k < toks.length && (toks[k]!.line < jsLine || (toks[k]!.line === jsLine && toks[k]!.col < jsCol))) k++;
    for (let j = k; j < toks.length && toks[j]!.line === jsLine; j++) {
      const p = this.pairs[j]!;
      if (p >= 0) return this.tsTokens[p]!.line;
    }
    for (let j = k - 1; j >= 0; j--) {
      const p = this.pairs[j]!;
      if (p >= 0) return this.tsTokens[p]!.line;
    }
    return undefined;
  }
}
