// Geometries and seeded data shared by the WASM kernel tests.
import type { Conv2dGeom, Conv3dGeom, DepthwiseGeom, Pool2dGeom } from "../../../src/kernels/types.js";
import { Rng } from "../../../src/util/rng.js";
import { compareArrays } from "../../support/tolerance.js";

/** Output size with explicit padding before (pb) and after (pa). */
function out(n: number, f: number, s: number, d: number, pb: number, pa: number): number {
  return Math.floor((n + pb + pa - d * (f - 1) - 1) / s) + 1;
}

/** A conv2d geometry; `pa` (padding after) defaults to the padding before. */
export function conv2dGeom(
  m: number, h: number, w: number, c: number, k: number, f: number | [number, number],
  { s = 1, p = 0, pa = p, d = 1 }: { s?: number | [number, number]; p?: number; pa?: number; d?: number } = {},
): Conv2dGeom {
  const [fh, fw] = typeof f === "number" ? [f, f] : f;
  const [sh, sw] = typeof s === "number" ? [s, s] : s;
  return { m, h, w, c, k, fh, fw, sh, sw, dh: d, dw: d, padTop: p, padLeft: p, oh: out(h, fh, sh, d, p, pa), ow: out(w, fw, sw, d, p, pa) };
}

export function conv3dGeom(m: number, dd: number, h: number, w: number, c: number, k: number, f: number, { s = 1, p = 0, d = 1 } = {}): Conv3dGeom {
  return {
    m, d: dd, h, w, c, k, fd: f, fh: f, fw: f, sd: s, sh: s, sw: s, dd: d, dh: d, dw: d, padFront: p, padTop: p, padLeft: p,
    od: out(dd, f, s, d, p, p), oh: out(h, f, s, d, p, p), ow: out(w, f, s, d, p, p),
  };
}

export function depthwiseGeom(m: number, h: number, w: number, c: number, mult: number, f: number, opts: { s?: number; p?: number; pa?: number; d?: number } = {}): DepthwiseGeom {
  return { ...conv2dGeom(m, h, w, c, c * mult, f, opts), mult };
}

export function poolGeom(m: number, h: number, w: number, c: number, f: number, s: number, p = 0, pa = p): Pool2dGeom {
  return { m, h, w, c, fh: f, fw: f, sh: s, sw: s, padTop: p, padLeft: p, oh: out(h, f, s, 1, p, pa), ow: out(w, f, s, 1, p, pa) };
}

/** n uniform floats in [-1, 1) from a seeded generator. */
export function randomData(n: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = r.uniform() * 2 - 1;
  return a;
}

/**
 * The largest |a − b| / (atol + rtol·|b|); ≤ 1 means within tolerance. Infinity when any element
 * is NaN (the WASM outputs start filled with NaN, so an unwritten element anywhere fails) or a
 * non-matching infinity, or the lengths differ.
 */
export function worstRatio(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): number {
  return compareArrays(a, b, { atol, rtol }).worstRatio;
}

/** A short label naming a geometry's fields, for test titles. */
export function label(g: object): string {
  return Object.entries(g).map(([k, v]) => `${k}=${v}`).join(" ");
}
