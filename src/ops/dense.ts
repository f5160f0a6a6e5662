// dense: a fully connected layer's op, y = act(x·W + b).
import { Tensor, allocate, allocateUnzeroed, resultType, type DType } from "../tensor/tensor.js";
import { recycle } from "../tensor/pool.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { record } from "../autograd/tape.js";
import { kernel } from "../kernels/index.js";
import type { EpilogueActivation } from "../kernels/types.js";
import { matmul } from "./matmul.js";
import { biasGrad } from "./conv.js";
import { checkRank } from "./padding.js";
import { optTensorArg, tensorArg } from "../tensor/args.js";
import { optionsArg } from "../util/check.js";

/** The activations dense applies in the GEMM's output pass. */
export type DenseActivation = Exclude<EpilogueActivation, "leakyRelu">;

export interface DenseOptions {
  /** Applied to x·W + b in the same pass: "relu", "relu6" or "linear" (default). */
  activation?: DenseActivation;
}

const ACTIVATIONS: readonly DenseActivation[] = ["linear", "relu", "relu6"];
const cast = (t: Tensor, dtype: DType): Tensor => (t.dtype === dtype ? t : t.astype(dtype));

/**
 * Fully connected: x [m, nIn] · w [nIn, units] (+ b [units]), then the activation → [m, units].
 * Differentiable in x, w and b. Flatten conv activations first: `cl.dense(cl.flatten(a, 1), w, b)`.
 * The bias and the activation are applied by the GEMM kernel to its output (one tape node, no
 * extra passes); the values are those of `relu(add(matmul(x, w), b))`, bit for bit.
 */
export function dense(x: Tensor, w: Tensor, b?: Tensor, opts: DenseOptions = {}): Tensor {
  tensorArg("dense", "x", x);
  tensorArg("dense", "w", w);
  optTensorArg("dense", "b", b);
  const act = optionsArg("dense", opts).activation ?? "linear";
  if (!ACTIVATIONS.includes(act)) throw new ValueError(`dense: opts.activation must be "linear", "relu" or "relu6", got ${JSON.stringify(act)}`);
  checkRank("dense", "x", x, 2, "[m,nIn] (flatten conv activations first: cl.flatten(x, 1))");
  checkRank("dense", "w", w, 2, "[nIn,units]");
  const nIn = x.shape[1]!, units = w.shape[1]!;
  if (w.shape[0] !== nIn)
    throw new ShapeError(`dense: input has ${nIn} features but w expects ${w.shape[0]} (x ${fmtShape(x.shape)}, w ${fmtShape(w.shape)})`);
  if (b !== undefined && (b.rank !== 1 || b.shape[0] !== units))
    throw new ShapeError(`dense: bias has shape ${fmtShape(b.shape)} but w has ${units} units (expected [${units}])`);
  if (!b && act === "linear") return matmul(x, w);
  const m = x.shape[0]!;
  const dtype = b ? resultType(x, w, b) : resultType(x, w);
  const X = cast(x, dtype), W = cast(w, dtype);
  const y = allocateUnzeroed(dtype, m * units, "dense"); // the GEMM overwrites y
  kernel("gemm", dtype)(X.data, W.data, y, { m, n: units, k: nIn, epilogue: { bias: b ? cast(b, dtype).data : null, act } });
  const inputs = b ? [x, w, b] : [x, w];
  return record("dense", new Tensor(y, [m, units]), inputs, (dyT) => {
    const dyd = cast(dyT, dtype).data;
    const wantDb = b !== undefined && b.requiresGrad;
    // dz = dy·act'(z) from the output (y > 0 iff z > 0) with db = Σ dz in the same pass, as the
    // activation op's and add's backward would give them; then matmul's two products
    let dz = dyd, db: Tensor | null = null;
    if (act !== "linear") {
      const d = wantDb ? allocate(dtype, units) : null;
      dz = allocate(dtype, y.length);
      kernel("activationGrad", dtype)(dyd, y, dz, units, d, act);
      if (d) db = new Tensor(d, [units]);
    } else if (wantDb) db = biasGrad(dz, units, dtype);
    const gemm = kernel("gemm", dtype);
    let dx: Tensor | null = null, dw: Tensor | null = null;
    if (x.requiresGrad) {
      const d = allocate(dtype, m * nIn);
      gemm(dz, W.data, d, { m, n: nIn, k: units, transB: true });
      dx = new Tensor(d, x.shape);
    }
    if (w.requiresGrad) {
      const d = allocate(dtype, nIn * units);
      gemm(X.data, dz, d, { m: nIn, n: units, k: m, transA: true });
      dw = new Tensor(d, w.shape);
    }
    if (dz !== dyd) recycle(dz); // this closure's own
    return b ? [dx, dw, db] : [dx, dw];
  });
}
