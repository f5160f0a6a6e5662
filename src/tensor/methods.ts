// Chainable methods on Tensor (`x.add(y).relu().sum()`), each the same function as `cl.<name>`.
// Declared here by interface merging and installed on the prototype when this module loads
// (both entry points import it).
import { Tensor } from "./tensor.js";
import * as binary from "../ops/binary.js";
import * as unary from "../ops/unary.js";
import * as reduce from "../ops/reduce.js";
import * as layout from "../ops/layout.js";
import { matmul } from "../ops/matmul.js";
import { retainGrad } from "../autograd/tape.js";

type Operand = Tensor | number;

declare module "./tensor.js" {
  interface Tensor {
    add(b: Operand): Tensor;
    sub(b: Operand): Tensor;
    mul(b: Operand): Tensor;
    div(b: Operand): Tensor;
    pow(b: Operand): Tensor;
    maximum(b: Operand): Tensor;
    minimum(b: Operand): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    square(): Tensor;
    clip(lo: number, hi: number): Tensor;
    matmul(b: Tensor, opts?: { transA?: boolean; transB?: boolean }): Tensor;
    sum(axis?: number | readonly number[], keepDims?: boolean): Tensor;
    mean(axis?: number | readonly number[], keepDims?: boolean): Tensor;
    max(axis?: number | readonly number[], keepDims?: boolean): Tensor;
    min(axis?: number | readonly number[], keepDims?: boolean): Tensor;
    argmax(axis?: number, keepDims?: boolean): Tensor;
    argmin(axis?: number, keepDims?: boolean): Tensor;
    reshape(shape: readonly number[]): Tensor;
    flatten(startAxis?: number): Tensor;
    squeeze(axis?: number): Tensor;
    unsqueeze(axis: number): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    slice(begin: readonly number[], size?: readonly number[]): Tensor;
    gather(indices: ArrayLike<number>, axis?: number): Tensor;
    pad(paddings: readonly (readonly [number, number])[], value?: number): Tensor;
    flip(axes: number | readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    /** Keep `.grad` on this non-leaf tensor during backward. */
    retainGrad(): Tensor;
    /** The transpose of a 2-D tensor (all axes reversed in general). */
    readonly T: Tensor;
  }
}

const methods: Record<string, (this: Tensor, ...args: never[]) => Tensor> = {
  add(b: Operand) { return binary.add(this, b); },
  sub(b: Operand) { return binary.sub(this, b); },
  mul(b: Operand) { return binary.mul(this, b); },
  div(b: Operand) { return binary.div(this, b); },
  pow(b: Operand) { return binary.pow(this, b); },
  maximum(b: Operand) { return binary.maximum(this, b); },
  minimum(b: Operand) { return binary.minimum(this, b); },
  neg() { return unary.neg(this); },
  exp() { return unary.exp(this); },
  log() { return unary.log(this); },
  sqrt() { return unary.sqrt(this); },
  abs() { return unary.abs(this); },
  square() { return unary.square(this); },
  clip(lo: number, hi: number) { return unary.clip(this, lo, hi); },
  matmul(b: Tensor, opts?: { transA?: boolean; transB?: boolean }) { return matmul(this, b, opts); },
  sum(axis?: number | readonly number[], keepDims?: boolean) { return reduce.sum(this, axis, keepDims); },
  mean(axis?: number | readonly number[], keepDims?: boolean) { return reduce.mean(this, axis, keepDims); },
  max(axis?: number | readonly number[], keepDims?: boolean) { return reduce.max(this, axis, keepDims); },
  min(axis?: number | readonly number[], keepDims?: boolean) { return reduce.min(this, axis, keepDims); },
  argmax(axis?: number, keepDims?: boolean) { return reduce.argmax(this, axis, keepDims); },
  argmin(axis?: number, keepDims?: boolean) { return reduce.argmin(this, axis, keepDims); },
  reshape(shape: readonly number[]) { return layout.reshape(this, shape); },
  flatten(startAxis?: number) { return layout.flatten(this, startAxis); },
  squeeze(axis?: number) { return layout.squeeze(this, axis); },
  unsqueeze(axis: number) { return layout.unsqueeze(this, axis); },
  transpose(perm?: readonly number[]) { return layout.transpose(this, perm); },
  slice(begin: readonly number[], size?: readonly number[]) { return layout.slice(this, begin, size); },
  gather(indices: ArrayLike<number>, axis?: number) { return layout.gather(this, indices, axis); },
  pad(paddings: readonly (readonly [number, number])[], value?: number) { return layout.pad(this, paddings, value); },
  flip(axes: number | readonly number[]) { return layout.flip(this, axes); },
  broadcastTo(shape: readonly number[]) { return layout.broadcastTo(this, shape); },
  retainGrad() { return retainGrad(this); },
};

/** Adds chainable methods to Tensor; other modules (activations, conv) register theirs the same way. */
export function installMethods(table: Record<string, (this: Tensor, ...args: never[]) => unknown>): void {
  for (const [name, fn] of Object.entries(table))
    Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
}

installMethods(methods);
Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) { return layout.transpose(this); },
  configurable: true,
});
