import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "./tape.js";
import { Rng } from "../util/rng.js";
import { ValueError } from "../util/errors.js";
import { functionArg, optNumberArg, optIntArg, optionsArg } from "../util/check.js";
import { tensorsArg } from "../tensor/args.js";

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Seed of the random projection of the output (default 0). */
  seed?: number;
  /** Check at most this many elements per input, spread evenly (default all). */
  maxElements?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic − numeric| over all checked elements. */
  maxAbsError: number;
  /** The first mismatches: input index, flat element index, analytic and numeric values. */
  failures: { input: number; index: number; analytic: number; numeric: number }[];
}

/**
 * Compares the gradients autograd computes for `fn` with central finite differences, in float64.
 * The inputs are copied to float64 leaves; the output is projected on fixed random weights, so
 * every output element matters. Passes when |a − n| ≤ atol + rtol·|n| for every element.
 *
 *   gradcheck((x, w) => cl.conv2d(x, w, { padding: "same" }), [x, w]).ok === true
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  functionArg("gradcheck", "fn", fn);
  tensorsArg("gradcheck", "inputs", inputs);
  const o = optionsArg("gradcheck", opts);
  const eps = optNumberArg("gradcheck", "opts.eps", o.eps, { above: 0 }) ?? 1e-6;
  const atol = optNumberArg("gradcheck", "opts.atol", o.atol, { min: 0 }) ?? 1e-5;
  const rtol = optNumberArg("gradcheck", "opts.rtol", o.rtol, { min: 0 }) ?? 1e-3;
  const seed = optIntArg("gradcheck", "opts.seed", o.seed) ?? 0;
  const maxElements = optNumberArg("gradcheck", "opts.maxElements", o.maxElements, { finite: false, above: 0 }) ?? Infinity;
  const xs = inputs.map((t) => {
    const d = new Float64Array(t.size);
    d.set(t.data);
    return new Tensor(d, t.shape, true);
  });
  const y0 = fn(...xs);
  if (!(y0 instanceof Tensor)) throw new ValueError(`gradcheck: the function must return a Tensor, got ${y0 === null ? "null" : typeof y0}`);
  if (y0.dtype !== "float64") throw new ValueError(`gradcheck: the function returned ${y0.dtype} for float64 inputs; it must keep float64`);
  const rng = new Rng(seed);
  const proj = new Float64Array(y0.size);
  for (let i = 0; i < proj.length; i++) proj[i] = rng.uniform() * 2 - 1;
  const objective = (y: Tensor): number => {
    let s = 0;
    for (let i = 0; i < proj.length; i++) s += y.data[i]! * proj[i]!;
    return s;
  };
  y0.backward(new Tensor(proj, y0.shape));
  const failures: GradcheckResult["failures"] = [];
  let maxAbsError = 0;
  noGrad(() => {
    xs.forEach((x, xi) => {
      const analytic = x.grad?.data ?? new Float64Array(x.size);
      const step = Math.max(1, Math.floor(x.size / maxElements));
      for (let i = 0; i < x.size; i += step) {
        const orig = x.data[i]!;
        x.data[i] = orig + eps;
        const fp = objective(fn(...xs));
        x.data[i] = orig - eps;
        const fm = objective(fn(...xs));
        x.data[i] = orig;
        const numeric = (fp - fm) / (2 * eps);
        const a = analytic[i]!;
        const err = Math.abs(a - numeric);
        maxAbsError = Math.max(maxAbsError, err);
        if (!(err <= atol + rtol * Math.abs(numeric)) && failures.length < 10) failures.push({ input: xi, index: i, analytic: a, numeric });
      }
    });
  });
  return { ok: failures.length === 0, maxAbsError, failures };
}
