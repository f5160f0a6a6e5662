/**
 * Tensor arguments of the public API: `tensorArg("conv2d", "x", x)` returns x typed or throws
 * `ArgumentTypeError: conv2d: x must be a Tensor, got null`. The other checks are in util/check.ts.
 */
import { Tensor } from "./tensor.js";
import { typeFail } from "../util/check.js";

/** A Tensor. */
export function tensorArg(fn: string, name: string, v: unknown): Tensor {
  if (!(v instanceof Tensor)) typeFail(fn, name, "a Tensor", v);
  return v;
}

/** undefined, or a Tensor. */
export function optTensorArg(fn: string, name: string, v: unknown): Tensor | undefined {
  return v === undefined ? undefined : tensorArg(fn, name, v);
}

/** A tensor or a number (the operands of elementwise ops). */
export function operandArg(fn: string, name: string, v: unknown): Tensor | number {
  if (!(v instanceof Tensor) && typeof v !== "number") typeFail(fn, name, "a Tensor or a number", v);
  return v;
}

/** A non-empty array of tensors. */
export function tensorsArg(fn: string, name: string, v: unknown): readonly Tensor[] {
  if (!Array.isArray(v)) typeFail(fn, name, "an array of tensors", v);
  v.forEach((t, i) => tensorArg(fn, `${name}[${i}]`, t));
  return v as Tensor[];
}
