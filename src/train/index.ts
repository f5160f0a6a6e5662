// cl.train: optimizers and the training loop (fit, evaluate, batched predict).
export type { Trainable } from "./types.js";
export {
  sgd, momentum, rmsprop, adam,
  type Optimizer, type OptimizerOptions, type SgdOptions, type MomentumOptions, type RmspropOptions, type AdamOptions,
} from "./optimizers.js";
export {
  fit, evaluate, predictBatched,
  type Data, type LossName, type LossFn, type FitOptions, type FitCallbacks, type EvaluateOptions, type EvaluateResult,
  type PredictOptions, type History, type EpochLog, type BatchLog,
} from "./fit.js";
export { accuracy, type Metric, type MetricSpec } from "./metrics.js";
export { ensemble, multiCropProba, type Ensemble, type EnsembleOptions, type MultiCropOptions, type ProbabilisticClassifier } from "./ensemble.js";
export { residualVsPlain, type DepthExperimentOptions, type DepthResult } from "./depthExperiment.js";
