// The course's plain-vs-residual experiment (He et al. 2015, figures 1 and 6): nets of growing
// depth with the same widths and settings, plain and residual, trained alike; plain nets'
// training error grows with depth while residual nets' keeps falling.
import type { Dataset } from "../data/batching.js";
import { cifarResnet } from "../models/cifar_resnet.js";
import { ValueError } from "../util/errors.js";
import { sgd, type Optimizer } from "./optimizers.js";
import { fit, evaluate, type EpochLog } from "./fit.js";

export interface DepthExperimentOptions {
  /** Training set `{ x [m,nH,nW,nC], y [m] }` (e.g. `cl.io.loadFashionMnist({ limit: 5000, seed: 0 })`). */
  train: Dataset;
  /** Held-out set for the test error (optional). */
  test?: Dataset;
  /** Depths 6n + 2 (default [8, 20, 32, 56]). */
  depths?: readonly number[];
  /** Stage widths (default [16, 32, 64]). */
  widths?: readonly [number, number, number];
  classes?: number;
  /** Epochs per net (default 1). */
  epochs?: number;
  /** Default 64. */
  batchSize?: number;
  /** A fresh optimizer per net (default SGD lr 0.05, momentum 0.9). */
  optimizer?: (net: { depth: number; residual: boolean }) => Optimizer;
  /** Seed of every net's weights and shuffling (default 0): each pair starts alike, reruns repeat. */
  seed?: number;
  /** Called after each net with its result (e.g. to plot as the run goes). */
  onResult?: (r: DepthResult) => void;
  signal?: AbortSignal;
}

export interface DepthResult {
  depth: number;
  residual: boolean;
  /** "plain20", "resnet20"… */
  name: string;
  params: number;
  /** 1 − accuracy on the training set after training (evaluation mode): the quantity of the paper's figure 1. */
  trainError: number;
  trainLoss: number;
  testError?: number;
  /** The fit history, one entry per epoch. */
  epochs: EpochLog[];
}

/**
 * Trains, for each depth, the plain net and the residual net (`cl.models.cifarResnet`) with the
 * same seed and settings and reports their training (and test) error, in order plain, residual
 * for each depth.
 *
 *   const rows = await cl.train.residualVsPlain({ train, depths: [8, 20, 32, 56], epochs: 3 });
 */
export async function residualVsPlain(opts: DepthExperimentOptions): Promise<DepthResult[]> {
  const op = "residualVsPlain";
  if (!opts?.train) throw new ValueError(`${op}: expected { train: { x, y }, ... }`);
  const depths = opts.depths ?? [8, 20, 32, 56];
  if (!Array.isArray(depths) || depths.length === 0 || !depths.every((d) => Number.isInteger(d) && d >= 8 && (d - 2) % 6 === 0))
    throw new ValueError(`${op}: depths must be a list of 6n + 2 (8, 14, 20, 32, 44, 56 …), got ${JSON.stringify(opts.depths)}`);
  const seed = opts.seed ?? 0;
  if (opts.train.x?.rank !== 4) throw new ValueError(`${op}: train.x must be images [m,nH,nW,nC], got rank ${opts.train.x?.rank}`);
  const [, h, w, c] = opts.train.x.shape as [number, number, number, number];
  const results: DepthResult[] = [];
  for (const depth of depths)
    for (const residual of [false, true]) {
      const model = cifarResnet({ depth, residual, inputShape: [h, w, c], classes: opts.classes ?? 10, seed, ...(opts.widths ? { widths: opts.widths } : {}) });
      const optimizer = opts.optimizer ? opts.optimizer({ depth, residual }) : sgd({ lr: 0.05, momentum: 0.9 });
      const history = await fit(model, opts.train, {
        optimizer,
        epochs: opts.epochs ?? 1,
        batchSize: opts.batchSize ?? 64,
        seed,
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      const tr = await evaluate(model, opts.train, opts.signal ? { signal: opts.signal } : {});
      const te = opts.test ? await evaluate(model, opts.test, opts.signal ? { signal: opts.signal } : {}) : undefined;
      const r: DepthResult = {
        depth,
        residual,
        name: model.name,
        params: model.countParams(),
        trainError: 1 - tr["accuracy"]!,
        trainLoss: tr.loss,
        ...(te ? { testError: 1 - te["accuracy"]! } : {}),
        epochs: history.epochs,
      };
      results.push(r);
      opts.onResult?.(r);
    }
  return results;
}
