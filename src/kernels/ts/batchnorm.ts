// The TypeScript reference batch-norm kernels over x [n, c] (channels last), every dtype. Sums run
// in float64 (JavaScript numbers); the statistics take two passes (the mean, then Σ(x − mean)²),
// which has no cancellation whatever the offset of the data.
import type { TypedArray } from "../../tensor/tensor.js";
import type { BatchNormGeom } from "../types.js";

/** y = (x − mean)·invStd·γ + β; training writes the batch mean and biased variance first. */
export function batchNorm(
  x: TypedArray, gamma: TypedArray, beta: TypedArray, y: TypedArray,
  mean: Float64Array, variance: Float64Array, invStd: Float64Array, g: BatchNormGeom,
): void {
  const { n, c: C, eps } = g;
  const len = n * C;
  if (g.training) {
    mean.fill(0);
    variance.fill(0);
    for (let o = 0; o < len; o += C) for (let c = 0; c < C; c++) mean[c]! += x[o + c]!;
    for (let c = 0; c < C; c++) mean[c]! /= n;
    for (let o = 0; o < len; o += C)
      for (let c = 0; c < C; c++) {
        const t = x[o + c]! - mean[c]!;
        variance[c]! += t * t;
      }
    for (let c = 0; c < C; c++) variance[c]! /= n;
  }
  for (let c = 0; c < C; c++) invStd[c] = 1 / Math.sqrt(variance[c]! + eps);
  for (let o = 0; o < len; o += C)
    for (let c = 0; c < C; c++) y[o + c] = gamma[c]! * ((x[o + c]! - mean[c]!) * invStd[c]!) + beta[c]!;
}

/** dBeta = Σdy, dGamma = Σdy·x̂ and (when dx is given) dx, with x̂ recomputed from x. */
export function batchNormGrad(
  dy: TypedArray, x: TypedArray, gamma: TypedArray, mean: Float64Array, invStd: Float64Array,
  dx: TypedArray | null, dGamma: Float64Array, dBeta: Float64Array, g: BatchNormGeom,
): void {
  const { n, c: C } = g;
  const len = n * C;
  dGamma.fill(0);
  dBeta.fill(0);
  for (let o = 0; o < len; o += C)
    for (let c = 0; c < C; c++) {
      const d = dy[o + c]!;
      dBeta[c]! += d;
      dGamma[c]! += d * ((x[o + c]! - mean[c]!) * invStd[c]!);
    }
  if (!dx) return;
  for (let o = 0; o < len; o += C)
    for (let c = 0; c < C; c++) {
      const scale = gamma[c]! * invStd[c]!;
      const d = dy[o + c]!;
      // training: the batch statistics depend on x too
      dx[o + c] = g.training ? (scale / n) * (n * d - dBeta[c]! - ((x[o + c]! - mean[c]!) * invStd[c]!) * dGamma[c]!) : scale * d;
    }
}
