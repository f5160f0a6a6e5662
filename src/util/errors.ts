/** Errors convlab throws for bad input. Messages name the op or layer, the expected and the actual value. */

/** A shape or rank that does not fit the op: `conv2d: input has 3 channels but filter expects 1 (...)`. */
export class ShapeError extends Error {
  override name = "ShapeError";
}

/** A value outside what the op accepts (non-positive stride, unknown padding, NaN loss...). */
export class ValueError extends Error {
  override name = "ValueError";
}

/** `[1, 6, 6, 3]` → "[1,6,6,3]", the form used in every message. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

/** `[28, 28, 8]` → "(28,28,8)", the notation of model summaries and of the inspection widgets. */
export function fmtTuple(shape: readonly number[]): string {
  return `(${shape.join(",")})`;
}
