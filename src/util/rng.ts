import { arrayArg, intArg, numberArg } from "./check.js";

/**
 * Seeded pseudo-random numbers: xoshiro128** for uint32s, uniform floats from 24/53 bits, normals
 * by Box–Muller. The same seed gives the same stream on every platform.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | null = null;

  constructor(seed = 0) {
    numberArg("Rng", "seed", seed);
    // splitmix32 spreads the seed over the four words of state.
    let x = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next uint32. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0; this.s3 >>>= 0;
    return r;
  }

  /** Uniform in [0, 1), 53 bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller, both values used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    intArg("Rng.int", "n", n, { min: 1 });
    return this.below(n);
  }

  /** Integer in [0, n), n unchecked. */
  private below(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): typeof a {
    if (!(a instanceof Int32Array) && !(a instanceof Uint32Array)) arrayArg("Rng.shuffle", "a", a);
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    intArg("Rng.permutation", "n", n, { min: 0, max: 2 ** 31 - 1 });
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    this.shuffle(p);
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let globalRng = new Rng(0);

/** The generator used when no seed is given (seeded with 0 at start, like a fixed default seed). */
export function defaultRng(): Rng {
  return globalRng;
}

/** Reseeds the default generator: `cl.manualSeed(42)`. */
export function manualSeed(seed: number): void {
  numberArg("manualSeed", "seed", seed);
  globalRng = new Rng(seed);
}

/** A generator for an op's `{ seed }` option: a fresh one when a seed is given, else the default. */
export function rngFor(seed: number | undefined): Rng {
  return seed === undefined ? globalRng : new Rng(seed);
}
