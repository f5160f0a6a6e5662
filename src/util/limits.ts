/**
 * How large one allocation may be. Sizes are checked before anything is allocated, so an
 * impossible request (`cl.zeros([1e6, 1e6, 1e6])`, padding of 1e9) is an `AllocationError`
 * naming the function instead of V8's `RangeError: Invalid typed array length` or the process
 * running out of memory.
 */
import { AllocationError } from "./errors.js";

/** Most elements one typed array may hold (V8's limit on 64-bit hosts is 2^32). */
export const MAX_ELEMENTS = 2 ** 32 - 1;

/** Most dimensions of a tensor (NumPy allows 64). */
export const MAX_RANK = 64;

let maxBytes = Infinity;

/**
 * Sets the largest single allocation in bytes (the Node entry sets the machine's memory, since
 * one array larger than that can never fit); `Infinity` leaves only `MAX_ELEMENTS`.
 */
export function setMaxAllocationBytes(bytes: number): void {
  if (!(bytes > 0)) throw new AllocationError(`setMaxAllocationBytes: expected a positive number of bytes, got ${String(bytes)}`);
  maxBytes = bytes;
}

/** The largest single allocation in bytes. */
export function maxAllocationBytes(): number {
  return maxBytes;
}

/** "1.5 GiB". */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) (n /= 1024), u++;
  return `${u === 0 ? n : n.toPrecision(3)} ${units[u]}`;
}

/** Whether `n` elements of `bytesEach` bytes may be allocated (see `checkAllocation`). */
export function canAllocate(n: number, bytesEach: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n <= MAX_ELEMENTS && n * bytesEach <= maxBytes;
}

/**
 * Throws unless `n` elements of `bytesEach` bytes can be allocated. `what` describes the request
 * in the message (default "n values"): `zeros: shape [1000000,1000000,1000000] has 1e+18 elements, ...`.
 */
export function checkAllocation(fn: string, n: number, bytesEach: number, what?: string): void {
  if (canAllocate(n, bytesEach)) return;
  const desc = what ?? `${n} values`;
  if (!(n >= 0)) throw new AllocationError(`${fn}: cannot allocate ${desc}: the size must be a non-negative integer`);
  if (!(n <= MAX_ELEMENTS) || !Number.isSafeInteger(n))
    throw new AllocationError(`${fn}: ${desc} is more than one tensor can hold (at most ${MAX_ELEMENTS} elements)`);
  throw new AllocationError(`${fn}: ${desc} need ${fmtBytes(n * bytesEach)}, more than this machine's memory (${fmtBytes(maxBytes)})`);
}
