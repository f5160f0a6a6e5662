import { Tensor, allocate, resultType } from "../tensor/tensor.js";
import { sizeOf } from "../tensor/shape.js";
import { record } from "../autograd/tape.js";
import { kernel } from "../kernels/index.js";
import { ShapeError, fmtShape } from "../util/errors.js";
import { optBoolArg, optionsArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { sumTo } from "./reduce.js";

/**
 * Matrix product. 2-D: [m,k]·[k,n] → [m,n]. Batched: leading axes broadcast
 * ([b,m,k]·[k,n] → [b,m,n], [b,m,k]·[b,k,n] → [b,m,n]). `transA`/`transB` use the transposes
 * without copying.
 */
export function matmul(a: Tensor, b: Tensor, opts: { transA?: boolean; transB?: boolean } = {}): Tensor {
  tensorArg("matmul", "a", a);
  tensorArg("matmul", "b", b);
  const o = optionsArg("matmul", opts);
  const transA = optBoolArg("matmul", "opts.transA", o.transA) ?? false, transB = optBoolArg("matmul", "opts.transB", o.transB) ?? false;
  if (a.rank < 2 || b.rank < 2)
    throw new ShapeError(`matmul: both operands need rank ≥ 2, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)} (reshape vectors to [1,n] or [n,1])`);
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = b.shape.slice(-2) as [number, number];
  const m = transA ? ac : ar, k = transA ? ar : ac;
  const kb = transB ? bc : br, n = transB ? br : bc;
  if (k !== kb)
    throw new ShapeError(`matmul: inner dimensions differ: ${fmtShape(a.shape)}${transA ? "ᵀ" : ""} · ${fmtShape(b.shape)}${transB ? "ᵀ" : ""} (${k} vs ${kb})`);
  const aBatch = a.shape.slice(0, -2), bBatch = b.shape.slice(0, -2);
  let batch: number[];
  if (aBatch.length === 0) batch = bBatch;
  else if (bBatch.length === 0) batch = aBatch;
  else if (aBatch.length === bBatch.length && aBatch.every((d, i) => d === bBatch[i])) batch = aBatch;
  else throw new ShapeError(`matmul: batch dimensions ${fmtShape(aBatch)} and ${fmtShape(bBatch)} differ`);
  const nb = sizeOf(batch);
  const dtype = resultType(a, b);
  const A = a.dtype === dtype ? a : a.astype(dtype), B = b.dtype === dtype ? b : b.astype(dtype);
  const out = allocate(dtype, nb * m * n, "matmul");
  const gemm = kernel("gemm", dtype);
  if (aBatch.length === 0 && nb > 1 && !transB) {
    // [m,k] · [b,k,n]: one GEMM per batch entry
    for (let i = 0; i < nb; i++) gemm(A.data, B.data, out, { m, n, k, transA, transB, bOffset: i * k * n, cOffset: i * m * n });
  } else if (bBatch.length === 0 && !transA) {
    // [b,m,k] · [k,n] is one GEMM of (b·m) rows
    gemm(A.data, B.data, out, { m: nb * m, n, k, transA, transB });
  } else {
    for (let i = 0; i < nb; i++)
      gemm(A.data, B.data, out, {
        m, n, k, transA, transB,
        aOffset: aBatch.length ? i * m * k : 0,
        bOffset: bBatch.length ? i * k * n : 0,
        cOffset: i * m * n,
      });
  }
  const y = new Tensor(out, [...batch, m, n]);
  return record("matmul", y, [a, b], (dy) => [
    // dA = dY·op(B)ᵀ (transposed back if A was), dB = op(A)ᵀ·dY (likewise); batch sums for broadcasts
    a.requiresGrad ? sumTo(transA ? matmul(b, dy, { transA: transB, transB: true }) : matmul(dy, b, { transB: !transB }), a.shape) : null,
    b.requiresGrad ? sumTo(transB ? matmul(dy, a, { transA: true, transB: transA }) : matmul(a, dy, { transA: !transA }), b.shape) : null,
  ]);
}
