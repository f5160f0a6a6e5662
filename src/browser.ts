// convlab/browser: the whole core without Node built-ins (no io/, no worker pool). The JupyterLab
// extension imports only this entry; `convlab` (index.ts) re-exports it and adds the Node parts.
import "./tensor/methods.js";

export { Tensor, type DType, type TypedArray, type NestedArray } from "./tensor/tensor.js";
export { tensor, scalar, zeros, ones, full, zerosLike, onesLike, rand, randn, arange, linspace, eye, type TensorOptions, type RandomOptions } from "./tensor/creation.js";
export { formatTensor } from "./tensor/format.js";
export { noGrad, enableGrad, isGradEnabled, retainGrad } from "./autograd/tape.js";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./autograd/gradcheck.js";
export { add, sub, mul, div, pow, maximum, minimum, greater, greaterEqual, less, lessEqual, equal } from "./ops/binary.js";
export { neg, exp, log, sqrt, abs, square, sign, clip } from "./ops/unary.js";
export { sum, mean, max, min, argmax, argmin } from "./ops/reduce.js";
export { reshape, flatten, squeeze, unsqueeze, transpose, slice, gather, concat, stack, pad, flip, broadcastTo } from "./ops/layout.js";
export { matmul } from "./ops/matmul.js";
// convolution family, activations, normalization and losses (these modules also install x.relu() ...)
export { conv2d, convolve2d, conv2dShape, outputSize, type Conv2dOptions, type OutputSizeOptions } from "./ops/conv2d.js";
export { conv1d, conv1dShape, type Conv1dOptions } from "./ops/conv1d.js";
export { conv3d, conv3dShape, type Conv3dOptions } from "./ops/conv3d.js";
export { depthwiseConv2d, depthwiseConv2dShape } from "./ops/depthwise.js";
export { conv2dTranspose, conv2dTransposeShape, type Conv2dTransposeOptions } from "./ops/conv2dTranspose.js";
export { maxPool2d, avgPool2d, maxPool1d, avgPool1d, maxPool3d, avgPool3d, globalAvgPool2d, globalMaxPool2d, pool1dShape, pool2dShape, pool3dShape, type Pool1dOptions, type Pool2dOptions, type Pool3dOptions, type GlobalPoolOptions } from "./ops/pool.js";
export { type Padding } from "./ops/padding.js";
export { dense } from "./ops/dense.js";
export { relu, relu6, leakyRelu, sigmoid, tanh, softmax, logSoftmax } from "./ops/activations.js";
export { batchNorm, type BatchNormOptions } from "./ops/batchnorm.js";
export { dropout, type DropoutOptions } from "./ops/dropout.js";
export { softmaxCrossEntropy, mse, bce, type Labels, type BceOptions } from "./ops/losses.js";
export { filters } from "./ops/filters.js";
export { Rng, manualSeed } from "./util/rng.js";
export { ConvlabError, ShapeError, ValueError, ArgumentTypeError, AllocationError, IoError } from "./util/errors.js";
export { setFloat32Kernels, useReferenceKernels, kernelBackend } from "./kernels/index.js";
export { setThreads, getThreads, initWasm, useWasmKernels, shutdownThreads, wasmMemoryStats } from "./kernels/accelerate.js";
import "./kernels/auto.js"; // outside Node: WASM kernels on one thread at import

export * as nn from "./nn/index.js";
export * as models from "./models/index.js";
export * as train from "./train/index.js";
export * as data from "./data/index.js";
export * as detection from "./detection/index.js";
export * as face from "./face/index.js";
export * as inspect from "./inspect/index.js";
export * as style from "./style/index.js";
export { show } from "./inspect/display.js";
export * as runtime from "./runtime/index.js";
