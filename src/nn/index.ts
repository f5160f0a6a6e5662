// cl.nn: layers, sequential and graph models, initializers, summaries, weight loading.
export { Layer, SymbolicTensor, type Shape, type CallContext, type LayerOptions } from "./layer.js";
export {
  Model, Sequential, InputLayer, input, model, sequential,
  type ModelOptions, type SequentialOptions, type ActivationsOptions, type LayerActivation, type FeaturesOptions, type FreezeOptions,
  type SymbolicOutputs, type OutputsOf,
} from "./model.js";
export { Graph } from "./graph.js";
export { type WeightSource, type Mapping, type MappingEntry, type Layout, type LoadWeightsOptions, type LoadReport } from "./state.js";
export { Summary, type SummaryRow } from "./summary.js";
export { initialize, fans, INITIALIZERS, type Initializer, type InitializerName } from "./initializers.js";
export { activationFn, type Activation, type ActivationName } from "./activation.js";
export { Conv1D, Conv2D, Conv3D, DepthwiseConv2D, conv1d, conv2d, conv3d, depthwiseConv2d, type ConvLayerOptions, type DepthwiseLayerOptions } from "./layers/conv.js";
export { Conv2DTranspose, conv2dTranspose, type ConvTransposeLayerOptions } from "./layers/conv.js";
export { Pool, GlobalPool, maxPool1d, avgPool1d, maxPool2d, avgPool2d, maxPool3d, avgPool3d, globalAvgPool2d, globalMaxPool2d, type PoolLayerOptions } from "./layers/pool.js";
export { Dense, dense, type DenseLayerOptions } from "./layers/dense.js";
export {
  Flatten, ActivationLayer, Dropout, BatchNorm, ZeroPad2D,
  flatten, activation, relu, sigmoid, tanh, softmax, leakyRelu, dropout, batchNorm, zeroPad2d,
  type DropoutLayerOptions, type BatchNormLayerOptions, type ZeroPad2dOptions,
} from "./layers/core.js";
export { Add, Concat, add, concat, type ConcatOptions } from "./layers/merge.js";
export { residualBlock, inceptionModule, type Block, type ResidualBlockOptions, type InceptionModuleOptions } from "./blocks.js";
export { toConvolutional, type ToConvolutionalOptions } from "./convolutional.js";

export { loadModel } from "./files.js";
