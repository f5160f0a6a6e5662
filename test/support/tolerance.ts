// The one tolerance rule of the test suites, |a − b| ≤ atol + rtol·|b|, made NaN-safe: a NaN
// never passes (not even against a NaN), and ±Infinity passes only against the same infinity.
// Pure (no vitest), so unit, kernel and notebook tests share it.

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** Why `actual` is not within tolerance of `expected`, or null when it is. */
export function mismatch(actual: number, expected: number, { atol, rtol }: Tolerance): string | null {
  if (Number.isNaN(actual) || Number.isNaN(expected)) return `NaN (${actual} vs expected ${expected}): NaN never matches`;
  if (!Number.isFinite(actual) || !Number.isFinite(expected))
    return actual === expected ? null : `${actual} vs expected ${expected}: an infinity matches only the same infinity`;
  const excess = Math.abs(actual - expected) - (atol + rtol * Math.abs(expected));
  return excess <= 0 ? null : `${actual} vs expected ${expected}: |a − b| = ${Math.abs(actual - expected)} > ${atol} + ${rtol}·|b|`;
}

/** Whether `actual` is within tolerance of `expected` (NaN never is). */
export function isClose(actual: number, expected: number, tol: Tolerance): boolean {
  return mismatch(actual, expected, tol) === null;
}

export interface Comparison {
  /** Elements out of tolerance (a length difference counts as one). */
  failures: number;
  /** The largest |a − b| / (atol + rtol·|b|) over the elements; Infinity when any element is NaN or a non-matching infinity, or the lengths differ. */
  worstRatio: number;
  /** The first element out of tolerance with the reason, or null when every element is within it. */
  first: { index: number; reason: string } | null;
}

/** Compares two arrays element by element under the NaN-safe rule. */
export function compareArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): Comparison {
  let failures = 0, worstRatio = 0;
  let first: Comparison["first"] = null;
  if (actual.length !== expected.length) {
    failures = 1;
    worstRatio = Infinity;
    first = { index: Math.min(actual.length, expected.length), reason: `length ${actual.length} vs expected ${expected.length}` };
  }
  const n = Math.min(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = actual[i]!, b = expected[i]!;
    const why = mismatch(a, b, tol);
    let ratio: number;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      const bound = tol.atol + tol.rtol * Math.abs(b);
      const d = Math.abs(a - b);
      ratio = d === 0 ? 0 : bound > 0 ? d / bound : Infinity;
    } else ratio = why === null ? 0 : Infinity;
    if (ratio > worstRatio) worstRatio = ratio;
    if (why !== null) {
      failures++;
      if (first === null) first = { index: i, reason: why };
    }
  }
  return { failures, worstRatio, first };
}
