// batchNorm: normalizes each channel (the last axis) over every other axis, then scales and shifts.
import { Tensor, allocate, allocateUnzeroed, resultType, type DType } from "../tensor/tensor.js";
import { record } from "../autograd/tape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { optNumberArg, requiredOptionsArg } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { kernel } from "../kernels/index.js";

export interface BatchNormOptions {
  /** Batch statistics (and running-stat updates) when true; the running statistics when false. */
  training: boolean;
  /** [nC], updated in place while training. */
  runningMean: Tensor;
  /** [nC], updated in place while training (unbiased variance, PyTorch convention). */
  runningVar: Tensor;
  /** Weight of the new batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

const cast = (t: Tensor, dtype: DType): Tensor => (t.dtype === dtype ? t : t.astype(dtype));

/**
 * Batch normalization over every axis but the last (channels): x [..., nC] →
 * gamma·(x − μ)/√(σ² + eps) + beta. Training uses the batch's mean and biased variance and moves
 * the running statistics toward them (running = (1 − momentum)·running + momentum·batch, with the
 * unbiased variance); evaluation uses the running statistics. Differentiable in x, gamma, beta.
 *
 *   cl.batchNorm(z, gamma, beta, { training: true, runningMean, runningVar })
 */
export function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, opts: BatchNormOptions): Tensor {
  const op = "batchNorm";
  tensorArg(op, "x", x);
  requiredOptionsArg(op, opts, "opts", "{ training: true, runningMean, runningVar }");
  if (x.rank < 2) throw new ShapeError(`${op}: x must have rank ≥ 2 (channels last, e.g. [m,nC] or [m,nH,nW,nC]), got shape ${fmtShape(x.shape)}`);
  if (opts === undefined || typeof opts.training !== "boolean")
    throw new ValueError(`${op}: opts.training must be true or false (with runningMean and runningVar)`);
  const C = x.shape[x.rank - 1]!;
  const N = C === 0 ? 0 : x.size / C;
  const named: [string, Tensor | undefined][] = [["gamma", gamma], ["beta", beta], ["runningMean", opts.runningMean], ["runningVar", opts.runningVar]];
  for (const [name, t] of named) {
    if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${name} must be a tensor of shape [${C}]`);
    if (t.rank !== 1 || t.shape[0] !== C)
      throw new ShapeError(`${op}: ${name} has shape ${fmtShape(t.shape)} but x has ${C} channels (expected [${C}], x ${fmtShape(x.shape)})`);
  }
  const { training, runningMean, runningVar } = opts;
  const momentum = optNumberArg(op, "opts.momentum", opts.momentum) ?? 0.1, eps = optNumberArg(op, "opts.eps", opts.eps) ?? 1e-5;
  if (!(momentum >= 0 && momentum <= 1)) throw new ValueError(`${op}: momentum must be in [0, 1], got ${momentum}`);
  if (!(eps >= 0)) throw new ValueError(`${op}: eps must be non-negative, got ${eps}`);
  if (training && N < 2)
    throw new ValueError(`${op}: training needs more than 1 value per channel to estimate a variance, got x ${fmtShape(x.shape)}`);
  const dtype = resultType(x, gamma, beta);
  const xd = cast(x, dtype).data, gd = cast(gamma, dtype).data, bd = cast(beta, dtype).data;

  // the statistics stay in float64 whatever the dtype; x̂ is recomputed from x in the backward
  // (from mean and invStd) instead of being kept: one full-size array less per layer
  const g = { n: N, c: C, eps, training };
  const mean = new Float64Array(C), variance = new Float64Array(C), invStd = new Float64Array(C);
  if (!training) {
    mean.set(runningMean.data);
    variance.set(runningVar.data);
  }
  const y = allocateUnzeroed(dtype, x.size); // the kernel writes all of y
  kernel("batchNorm", dtype)(xd, gd, bd, y, mean, variance, invStd, g);
  if (training) {
    const rm = runningMean.data, rv = runningVar.data;
    for (let c = 0; c < C; c++) {
      rm[c] = (1 - momentum) * rm[c]! + momentum * mean[c]!;
      rv[c] = (1 - momentum) * rv[c]! + momentum * ((variance[c]! * N) / (N - 1));
    }
  }

  return record(op, new Tensor(y, x.shape), [x, gamma, beta], (dyT) => {
    const dy = cast(dyT, dtype).data;
    const sumDy = new Float64Array(C), sumDyXhat = new Float64Array(C);
    const dx = x.requiresGrad ? allocate(dtype, x.size) : null;
    kernel("batchNormGrad", dtype)(dy, xd, gd, mean, invStd, dx, sumDyXhat, sumDy, g);
    const vec = (v: Float64Array): Tensor => {
      const d = allocate(dtype, C);
      d.set(v);
      return new Tensor(d, [C]);
    };
    return [dx ? new Tensor(dx, x.shape) : null, gamma.requiresGrad ? vec(sumDyXhat) : null, beta.requiresGrad ? vec(sumDy) : null];
  });
}
