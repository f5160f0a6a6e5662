// dropout: inverted dropout with a seeded mask.
import { Tensor, allocate } from "../tensor/tensor.js";
import { record } from "../autograd/tape.js";
import { Rng, defaultRng } from "../util/rng.js";
import { ValueError } from "../util/errors.js";
import { numberArg, requiredOptionsArg, seedArg, typeFail } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";

export interface DropoutOptions {
  /** Drop only while training; otherwise dropout is the identity. */
  training: boolean;
  /** Seed of a fresh generator for this call (reproducible masks). */
  seed?: number;
  /** A generator to draw from (ignored when `seed` is given); default: the global one (`cl.manualSeed`). */
  rng?: Rng;
}

/**
 * Inverted dropout: while training each element is zeroed with probability `rate` and the kept
 * ones are scaled by 1/(1 − rate), so the expected value is unchanged and evaluation needs no
 * rescaling. Returns x itself when not training or when rate is 0. The gradient uses the same mask.
 *
 *   cl.dropout(a, 0.5, { training: true, seed: 1 })
 */
export function dropout(x: Tensor, rate: number, opts: DropoutOptions): Tensor {
  tensorArg("dropout", "x", x);
  if (numberArg("dropout", "rate", rate) < 0 || rate >= 1) throw new ValueError(`dropout: rate must be in [0, 1), got ${rate}`);
  if (opts === undefined) throw new ValueError("dropout: opts.training must be true or false");
  requiredOptionsArg("dropout", opts, "opts", "{ training: true }");
  if (typeof opts.training !== "boolean") throw new ValueError("dropout: opts.training must be true or false");
  seedArg("dropout", opts.seed, "opts.seed");
  if (opts.rng !== undefined && !(opts.rng instanceof Rng)) typeFail("dropout", "opts.rng", "an Rng", opts.rng);
  if (!opts.training || rate === 0) return x;
  const rng = opts.seed !== undefined ? new Rng(opts.seed) : (opts.rng ?? defaultRng());
  const scale = 1 / (1 - rate);
  const mask = allocate(x.dtype, x.size, "dropout"), y = allocate(x.dtype, x.size, "dropout");
  for (let i = 0; i < mask.length; i++) {
    const m = rng.uniform() < rate ? 0 : scale;
    mask[i] = m;
    y[i] = x.data[i]! * m;
  }
  return record("dropout", new Tensor(y, x.shape), [x], (dy) => {
    const g = allocate(x.dtype, x.size);
    for (let i = 0; i < g.length; i++) g[i] = dy.data[i]! * mask[i]!;
    return [new Tensor(g, x.shape)];
  });
}
