// cl.train: optimizers, the training loop (fit, trainStep, evaluate, batched predict) and minimize.
export type { Trainable, Inputs, Outputs, Targets } from "./types.js";
export {
  sgd, momentum, rmsprop, adam,
  type Optimizer, type OptimizerOptions, type SgdOptions, type MomentumOptions, type RmspropOptions, type AdamOptions,
} from "./optimizers.js";
export {
  fit, trainStep, evaluate, predictBatched,
  type Batch, type Data, type LossName, type LossFn, type LossSpec, type OutputLoss, type MetricsSpec,
  type FitOptions, type FitCallbacks, type EvaluateOptions, type EvaluateResult,
  type PredictOptions, type TrainStepOptions, type StepResult, type History, type EpochLog, type BatchLog,
} from "./fit.js";
export { minimize, type MinimizeOptions, type MinimizeResult, type MinimizeStep } from "./minimize.js";
export { accuracy, type Metric, type MetricSpec } from "./metrics.js";
export { ensemble, multiCropProba, type Ensemble, type EnsembleOptions, type MultiCropOptions, type ProbabilisticClassifier } from "./ensemble.js";
export { residualVsPlain, type DepthExperimentOptions, type DepthResult } from "./depthExperiment.js";
