// Bitwise comparison of float32 arrays for the kernel tests that promise the reference's bits.
import type { Rng } from "../../../src/util/rng.js";

/** The first index whose bits differ (any NaN equals any NaN: its payload is not specified), as "i: a vs b", or "". */
export function firstDiff(a: Float32Array, b: Float32Array): string {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++)
    if (x[i] !== y[i] && !(Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) return `${i}: ${a[i]} vs ${b[i]}`;
  return "";
}

/** n values N(0, scale), with `special[k]` at every `every`-th index (k cycling from `shift`). */
export function withSpecials(r: Rng, n: number, scale: number, special: readonly number[], every: number, shift = 0): Float32Array {
  const a = Float32Array.from({ length: n }, () => r.normal() * scale);
  if (special.length) for (let i = 0; i < n; i += every) a[i] = special[(i / every + shift) % special.length]!;
  return a;
}
