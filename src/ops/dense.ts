// dense: a fully connected layer's op, y = x·W + b.
import type { Tensor } from "../tensor/tensor.js";
import { ShapeError, fmtShape } from "../util/errors.js";
import { matmul } from "./matmul.js";
import { add } from "./binary.js";
import { checkRank } from "./padding.js";
import { optTensorArg, tensorArg } from "../tensor/args.js";

/**
 * Fully connected: x [m, nIn] · w [nIn, units] (+ b [units]) → [m, units]. Differentiable in
 * x, w and b. Flatten conv activations first: `cl.dense(cl.flatten(a, 1), w, b)`.
 */
export function dense(x: Tensor, w: Tensor, b?: Tensor): Tensor {
  tensorArg("dense", "x", x);
  tensorArg("dense", "w", w);
  optTensorArg("dense", "b", b);
  checkRank("dense", "x", x, 2, "[m,nIn] (flatten conv activations first: cl.flatten(x, 1))");
  checkRank("dense", "w", w, 2, "[nIn,units]");
  const nIn = x.shape[1]!, units = w.shape[1]!;
  if (w.shape[0] !== nIn)
    throw new ShapeError(`dense: input has ${nIn} features but w expects ${w.shape[0]} (x ${fmtShape(x.shape)}, w ${fmtShape(w.shape)})`);
  if (b !== undefined && (b.rank !== 1 || b.shape[0] !== units))
    throw new ShapeError(`dense: bias has shape ${fmtShape(b.shape)} but w has ${units} units (expected [${units}])`);
  const y = matmul(x, w);
  return b ? add(y, b) : y;
}
