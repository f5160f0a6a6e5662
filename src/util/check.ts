/**
 * Argument checks for the public API. Each takes the function's name (as users call it:
 * "conv2d", "data.oneHot", "io.loadTensors"), the argument's name and the value, returns the
 * value typed, or throws a convlab error that says what was expected and what was received:
 *
 *   numberArg("full", "value", "x")          // ArgumentTypeError: full: value must be a number, got the string "x"
 *   intArg("linspace", "n", -1, { min: 0 })  // ValueError: linspace: n must be an integer ≥ 0, got -1
 *
 * A wrong kind of value (null, a string for a number, an array for an options object) is an
 * `ArgumentTypeError`; the right kind out of range is a `ValueError`. Tensor arguments are
 * checked with `tensorArg` (src/tensor/args.ts).
 */
import { ArgumentTypeError, ValueError } from "./errors.js";

/** A short description of any value for messages: `the string "abc"`, `null`, `a Tensor [2,3]`, `an array of 4`. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  switch (typeof v) {
    case "string":
      return v.length > 40 ? `a string of ${v.length} characters` : `the string ${JSON.stringify(v)}`;
    case "number":
      return `the number ${String(v)}`;
    case "boolean":
      return String(v);
    case "bigint":
      return `the bigint ${String(v)}n`;
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
  }
  try {
    if (Array.isArray(v)) return `an array of ${v.length}`;
    if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}${"length" in v ? ` of ${(v as unknown as ArrayLike<unknown>).length}` : ""}`;
    const o = v as { shape?: unknown; constructor?: { name?: unknown } };
    const ctor = typeof o.constructor?.name === "string" ? o.constructor.name : "";
    if (ctor === "Tensor" && Array.isArray(o.shape)) return `a Tensor [${o.shape.join(",")}]`;
    return ctor && ctor !== "Object" ? `a ${ctor}` : "an object";
  } catch {
    return "an object"; // a Proxy whose traps throw
  }
}

/** Throws `ArgumentTypeError`: `${fn}: ${name} must be ${expected}, got ${received}`. */
export function typeFail(fn: string, name: string, expected: string, v: unknown): never {
  throw new ArgumentTypeError(`${fn}: ${name} must be ${expected}, got ${describeValue(v)}`);
}

/** Throws `ValueError`: `${fn}: ${name} must be ${expected}, got ${received}`. */
export function valueFail(fn: string, name: string, expected: string, v: unknown): never {
  throw new ValueError(`${fn}: ${name} must be ${expected}, got ${typeof v === "number" ? String(v) : describeValue(v)}`);
}

export interface NumberRule {
  /** Refuse NaN and ±Infinity (default true). */
  finite?: boolean;
  /** A (safe) integer. */
  integer?: boolean;
  /** Inclusive bounds. */
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
}

function ruleText(r: NumberRule): string {
  const kind = r.integer ? "an integer" : r.finite === false ? "a number" : "a finite number";
  const parts: string[] = [];
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.min !== undefined && r.max !== undefined) parts.push(`in [${r.min}, ${r.max}]`);
  else if (r.min !== undefined) parts.push(`≥ ${r.min}`);
  else if (r.max !== undefined) parts.push(`≤ ${r.max}`);
  return parts.length ? `${kind} ${parts.join(" and ")}` : kind;
}

/** A number obeying `rule` (finite unless `finite: false`). */
export function numberArg(fn: string, name: string, v: unknown, rule: NumberRule = {}): number {
  if (typeof v !== "number") typeFail(fn, name, rule.integer ? "an integer" : "a number", v);
  const ok =
    (rule.finite === false || Number.isFinite(v)) &&
    (!rule.integer || Number.isSafeInteger(v)) &&
    (rule.min === undefined || v >= rule.min) &&
    (rule.max === undefined || v <= rule.max) &&
    (rule.above === undefined || v > rule.above);
  if (!ok) valueFail(fn, name, ruleText(rule), v);
  return v;
}

/** `numberArg` with `integer: true` and the given bounds. */
export function intArg(fn: string, name: string, v: unknown, rule: Omit<NumberRule, "integer" | "finite"> = {}): number {
  return numberArg(fn, name, v, { ...rule, integer: true });
}

/** undefined, or a number obeying `rule`. */
export function optNumberArg(fn: string, name: string, v: unknown, rule: NumberRule = {}): number | undefined {
  return v === undefined ? undefined : numberArg(fn, name, v, rule);
}

/** undefined, or an integer within bounds. */
export function optIntArg(fn: string, name: string, v: unknown, rule: Omit<NumberRule, "integer" | "finite"> = {}): number | undefined {
  return v === undefined ? undefined : intArg(fn, name, v, rule);
}

/** A seed: undefined or a finite number (the generator floors it). */
export function seedArg(fn: string, v: unknown, name = "seed"): number | undefined {
  return optNumberArg(fn, name, v);
}

export function boolArg(fn: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") typeFail(fn, name, "true or false", v);
  return v;
}

export function optBoolArg(fn: string, name: string, v: unknown): boolean | undefined {
  return v === undefined ? undefined : boolArg(fn, name, v);
}

export function stringArg(fn: string, name: string, v: unknown): string {
  if (typeof v !== "string") typeFail(fn, name, "a string", v);
  return v;
}

export function optStringArg(fn: string, name: string, v: unknown): string | undefined {
  return v === undefined ? undefined : stringArg(fn, name, v);
}

/** One of a few strings (`"valid"` or `"same"`...). */
export function oneOfArg<T extends string>(fn: string, name: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== "string" || !(options as readonly string[]).includes(v)) {
    const want = options.map((o) => JSON.stringify(o)).join(", ").replace(/, ([^,]*)$/, " or $1");
    (typeof v === "string" ? valueFail : typeFail)(fn, name, want, v);
  }
  return v as T;
}

export function optOneOfArg<T extends string>(fn: string, name: string, v: unknown, options: readonly T[]): T | undefined {
  return v === undefined ? undefined : oneOfArg(fn, name, v, options);
}

export function functionArg<F extends (...args: never[]) => unknown>(fn: string, name: string, v: unknown): F {
  if (typeof v !== "function") typeFail(fn, name, "a function", v);
  return v as F;
}

/** An array (any elements). */
export function arrayArg(fn: string, name: string, v: unknown): readonly unknown[] {
  if (!Array.isArray(v)) typeFail(fn, name, "an array", v);
  return v;
}

/** An options object: `{}` for undefined, the object itself otherwise (null, arrays and other kinds are refused). */
export function optionsArg<T extends object>(fn: string, v: T | undefined, name = "opts"): T {
  if (v === undefined) return {} as T;
  if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) typeFail(fn, name, "an options object", v);
  return v;
}

/** A required options object (null, undefined, arrays and other kinds are refused). */
export function requiredOptionsArg<T extends object>(fn: string, v: T | undefined, name = "opts", example = ""): T {
  if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v))
    typeFail(fn, name, `an options object${example ? `, e.g. ${example}` : ""}`, v);
  return v;
}

/** An array of numbers, or a typed array (what `ArrayLike<number>` arguments accept). */
export function numbersArg(fn: string, name: string, v: unknown): ArrayLike<number> {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    if (v instanceof BigInt64Array || v instanceof BigUint64Array) typeFail(fn, name, "an array of numbers", v);
    return v as unknown as ArrayLike<number>;
  }
  if (!Array.isArray(v)) typeFail(fn, name, "an array of numbers", v);
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== "number") typeFail(fn, `${name}[${i}]`, "a number", v[i]);
  return v as number[];
}

/** Bytes: a Uint8Array (Node's Buffer is one). */
export function bytesArg(fn: string, name: string, v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) typeFail(fn, name, "a Uint8Array of bytes", v);
  return v;
}
