import type { TypedArray } from "../../tensor/tensor.js";
import type { GemmArgs } from "../types.js";
import { applyEpilogue } from "./epilogue.js";

/**
 * C[m×n] (+)= op(A)[m×k] · op(B)[k×n], row-major, the reference GEMM. op(A) is A (m×k) or,
 * with transA, Aᵀ of a stored k×m matrix; likewise for B (stored n×k with transB). Loops are
 * ordered so the innermost one walks contiguous memory.
 */
export function gemm(a: TypedArray, b: TypedArray, c: TypedArray, args: GemmArgs): void {
  product(a, b, c, args);
  if (args.epilogue) applyEpilogue(c.subarray(args.cOffset ?? 0, (args.cOffset ?? 0) + args.m * args.n), args.n, args.epilogue);
}

function product(a: TypedArray, b: TypedArray, c: TypedArray, { m, n, k, transA = false, transB = false, accumulate = false, aOffset = 0, bOffset = 0, cOffset = 0 }: GemmArgs): void {
  if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
  if (!transB) {
    // C[i,:] += A[i,p] * B[p,:]
    for (let i = 0; i < m; i++) {
      const ci = cOffset + i * n;
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[aOffset + p * m + i]! : a[aOffset + i * k + p]!;
        if (aip === 0) continue;
        const bp = bOffset + p * n;
        for (let j = 0; j < n; j++) c[ci + j]! += aip * b[bp + j]!;
      }
    }
  } else if (!transA) {
    // C[i,j] += dot(A[i,:], B[j,:])
    for (let i = 0; i < m; i++) {
      const ai = aOffset + i * k;
      const ci = cOffset + i * n;
      for (let j = 0; j < n; j++) {
        const bj = bOffset + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
        c[ci + j]! += s;
      }
    }
  } else {
    for (let i = 0; i < m; i++) {
      const ci = cOffset + i * n;
      for (let j = 0; j < n; j++) {
        const bj = bOffset + j * k;
        let s = 0;
        for (let p = 0; p < k; p++) s += a[aOffset + p * m + i]! * b[bj + p]!;
        c[ci + j]! += s;
      }
    }
  }
}
