/**
 * Errors convlab throws for bad input. Every one is a `ConvlabError`; messages name the function
 * (op, layer, builder), the argument, what was expected and what was received:
 * `full: value must be a number, got the string "x"`.
 */

/** The base of every error convlab throws on purpose (`e instanceof cl.ConvlabError`). */
export class ConvlabError extends Error {
  override name = "ConvlabError";

  constructor(message?: string, options?: { cause?: unknown }) {
    // Error's own constructor throws on a message without a string form (a symbol, Object.create(null)).
    let text: string | undefined;
    try {
      text = message === undefined ? undefined : String(message);
    } catch {
      text = Object.prototype.toString.call(message);
    }
    super(text, options);
  }
}

/** A shape or rank that does not fit the op: `conv2d: input has 3 channels but filter expects 1 (...)`. */
export class ShapeError extends ConvlabError {
  override name = "ShapeError";
}

/** A value outside what the op accepts (non-positive stride, unknown padding, NaN loss...). */
export class ValueError extends ConvlabError {
  override name = "ValueError";
}

/**
 * An argument of the wrong kind: a string where a number goes, null or undefined where a tensor
 * is required, an array where an options object is expected.
 */
export class ArgumentTypeError extends ConvlabError {
  override name = "ArgumentTypeError";
}

/**
 * A size no typed array or memory can hold (`cl.zeros([1e6, 1e6, 1e6])`), refused before
 * anything is allocated, or an allocation the engine could not satisfy.
 */
export class AllocationError extends ValueError {
  override name = "AllocationError";
}

/**
 * A file-system failure, wrapping the system error (`cause`) with the function and the path:
 * `loadTensors: cannot read model.ckpt: no such file or directory (ENOENT)`.
 */
export class IoError extends ConvlabError {
  override name = "IoError";
  /** The system error code (ENOENT, EISDIR, EACCES, ENOSPC...), when there is one. */
  readonly code: string | undefined;
  readonly path: string;

  constructor(message: string, path: string, options: { code?: string | undefined; cause?: unknown } = {}) {
    super(message, { cause: options?.cause });
    this.path = typeof path === "string" ? path : String(path as unknown as string);
    this.code = typeof options?.code === "string" ? options.code : undefined;
  }
}

/** `[1, 6, 6, 3]` → "[1,6,6,3]", the form used in every message. */
export function fmtShape(shape: readonly number[]): string {
  return `[${dimsText("fmtShape", shape)}]`;
}

/** `[28, 28, 8]` → "(28,28,8)", the notation of model summaries and of the inspection widgets. */
export function fmtTuple(shape: readonly number[]): string {
  return `(${dimsText("fmtTuple", shape)})`;
}

function dimsText(fn: string, shape: readonly number[]): string {
  if (!Array.isArray(shape)) throw new ArgumentTypeError(`${fn}: shape must be an array of dimensions, got ${shape === null ? "null" : typeof shape}`);
  return shape.map((d) => (typeof d === "number" ? String(d) : typeof d)).join(",");
}
