// Recycled arrays: a training step's backward pass makes a fresh gradient array for nearly every
// tensor of the graph, and most die as soon as the next op down has used them. Allocating them
// anew (the engine zeroes fresh pages, large arrays count as external memory that triggers
// collections) costs a ResNet step tens of milliseconds. The backward pass (autograd/tape.ts)
// hands the gradient arrays it has proven dead to `recycle`; `allocate` takes an array of the
// same dtype and length from here, zeroed, before asking the engine for a new one.
//
// Only arrays nobody else can reach may come here: the pool gives them out again.
import type { TypedArray } from "./tensor.js";

/** Arrays shorter than this are left to the engine (small ones are cheap to allocate). */
export const POOL_MIN_LENGTH = 4096;
/** The most bytes the pool keeps; arrays beyond it are left to the garbage collector. */
const POOL_MAX_BYTES = 256 * 2 ** 20;

const float32 = new Map<number, Float32Array[]>();
const float64 = new Map<number, Float64Array[]>();
let bytes = 0;
let enabled = true;

/** Turns recycling on or off (off empties the pool); returns the previous setting. For tests. */
export function setRecycling(on: boolean): boolean {
  const prev = enabled;
  enabled = on;
  if (!on) clearRecycled();
  return prev;
}

/** A recycled array of this dtype and length (zeroed unless `zero` is false), or null when the pool has none. */
export function takeRecycled(dtype: "float32" | "float64", n: number, zero = true): TypedArray | null {
  if (n < POOL_MIN_LENGTH) return null;
  const list = (dtype === "float64" ? float64 : float32).get(n);
  const a = list?.pop();
  if (!a) return null;
  bytes -= a.byteLength;
  return zero ? a.fill(0) : a;
}

/**
 * Gives an array back for reuse. The caller guarantees that nothing references it any more (no
 * tensor, no view of its buffer); arrays that are views into a larger buffer are not taken.
 */
export function recycle(a: TypedArray): void {
  if (!enabled || a.length < POOL_MIN_LENGTH || a.byteOffset !== 0 || a.byteLength !== a.buffer.byteLength) return;
  if (bytes + a.byteLength > POOL_MAX_BYTES) return;
  bytes += a.byteLength;
  if (a instanceof Float64Array) push(float64, a);
  else push(float32, a);
}

function push<T>(m: Map<number, T[]>, a: T & { length: number }): void {
  const list = m.get(a.length);
  if (list) list.push(a);
  else m.set(a.length, [a]);
}

/** Empties the pool (its arrays go to the garbage collector). */
export function clearRecycled(): void {
  float32.clear();
  float64.clear();
  bytes = 0;
}

/** Bytes the pool holds now. */
export function recycledBytes(): number {
  return bytes;
}

let tracking: Set<ArrayBufferLike> | null = null;

/** While `set` is given, `allocate` adds the buffer of every array it returns to it (null: stop). */
export function trackAllocations(set: Set<ArrayBufferLike> | null): Set<ArrayBufferLike> | null {
  const prev = tracking;
  tracking = set;
  return prev;
}

/** Called by `allocate` for each array it returns. */
export function allocated(a: TypedArray): void {
  tracking?.add(a.buffer);
}
