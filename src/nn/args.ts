// Argument checks shared by cl.nn, cl.train and cl.data: each failure is a ValueError (or
// ShapeError) naming the function, the argument, what was expected and what was received.
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";

/** A short description of a received value for messages: `3`, `"abc"`, `null`, `a tensor [2,3]`, `an object { a, b }`. */
export function received(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (v instanceof Tensor) return `a tensor ${fmtShape(v.shape)}`;
  switch (typeof v) {
    case "number":
      return String(v);
    case "string":
      return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
    case "boolean":
    case "bigint":
      return String(v);
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
  }
  if (Array.isArray(v)) {
    if (v.length <= 6 && v.every((e) => typeof e === "number" || typeof e === "string" || typeof e === "boolean")) return JSON.stringify(v);
    return `an array of ${v.length}`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as unknown as ArrayLike<number>).length}`;
  try {
    const keys = Object.keys(v as object);
    const name = (v as object).constructor?.name;
    const head = name && name !== "Object" ? `a ${name}` : "an object";
    return keys.length ? `${head} { ${keys.slice(0, 6).join(", ")}${keys.length > 6 ? ", …" : ""} }` : head;
  } catch {
    return "an object";
  }
}

/** Whether `v` is a plain options object (not null, an array or a tensor). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Tensor) && !ArrayBuffer.isView(v);
}

/** Checks an options argument: an object (or undefined when optional); returns it or {}. */
export function options<T extends object>(op: string, v: T | undefined, example: string, required = false): T {
  if (v === undefined && !required) return {} as T;
  if (!isRecord(v)) throw new ValueError(`${op}: expected options ${example}, got ${received(v)}`);
  return v;
}

/** A positive integer argument (default when undefined). */
export function positiveInt(op: string, name: string, v: unknown, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new ValueError(`${op}: ${name} must be a positive integer, got ${received(v)}`);
  return v;
}

/** A non-negative integer argument. */
export function nonNegativeInt(op: string, name: string, v: unknown, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new ValueError(`${op}: ${name} must be a non-negative integer, got ${received(v)}`);
  return v;
}

/** A finite number (a seed, a weight). */
export function finite(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${received(v)}`);
  return v;
}

/** An optional seed. */
export function seedOf(op: string, v: unknown): number | undefined {
  return v === undefined ? undefined : finite(op, "seed", v);
}

/** A boolean (default when undefined). */
export function bool(op: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw new ValueError(`${op}: ${name} must be true or false, got ${received(v)}`);
  return v;
}

/** A function argument. */
export function fn<F extends (...args: never[]) => unknown>(op: string, name: string, v: unknown): F {
  if (typeof v !== "function") throw new ValueError(`${op}: ${name} must be a function, got ${received(v)}`);
  return v as F;
}

/** A tensor argument, optionally of a minimum rank. */
export function tensorArg(op: string, name: string, v: unknown, minRank = 0): Tensor {
  if (!(v instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a tensor, got ${received(v)}`);
  if (v.rank < minRank) throw new ShapeError(`${op}: ${name} must have at least ${minRank} axes, got shape ${fmtShape(v.shape)}`);
  return v;
}

/** An optional AbortSignal. */
export function signalOf(op: string, v: unknown): AbortSignal | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "object" || v === null || typeof (v as AbortSignal).aborted !== "boolean")
    throw new ValueError(`${op}: signal must be an AbortSignal (e.g. new AbortController().signal), got ${received(v)}`);
  return v as AbortSignal;
}
