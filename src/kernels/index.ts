/**
 * The kernel registry. Ops never loop over big data themselves for the hot paths (GEMM,
 * convolution, pooling, batch norm, optimizer updates): they ask for a kernel here. The TypeScript reference kernels serve every
 * dtype and are the oracle in tests; faster float32 implementations (WASM SIMD, worker pool) are
 * installed with `setFloat32Kernels` and share the same signatures.
 */
import type { DType } from "../tensor/tensor.js";
import type * as K from "./types.js";
import { gemm as gemmTs } from "./ts/gemm.js";
import * as convTs from "./ts/conv2d.js";
import * as conv3dTs from "./ts/conv3d.js";
import * as depthwiseTs from "./ts/depthwise.js";
import * as poolTs from "./ts/pool.js";
import * as elementwiseTs from "./ts/elementwise.js";
import * as batchNormTs from "./ts/batchnorm.js";
import { optimizerStep as optimizerStepTs } from "./ts/optim.js";

/**
 * Every kernel an op may ask for. The reference set (kernels/ts) has all of them; an accelerated
 * float32 set may provide any subset.
 */
export interface KernelSet {
  gemm: K.GemmKernel;
  conv2d: K.Conv2dKernel;
  conv2dGradInput: K.Conv2dGradInputKernel;
  conv2dGradFilter: K.Conv2dGradFilterKernel;
  depthwise: K.DepthwiseKernel;
  depthwiseGradInput: K.DepthwiseGradInputKernel;
  depthwiseGradFilter: K.DepthwiseGradFilterKernel;
  conv3d: K.Conv3dKernel;
  conv3dGradInput: K.Conv3dGradInputKernel;
  conv3dGradFilter: K.Conv3dGradFilterKernel;
  maxPool2d: K.MaxPool2dKernel;
  maxPool2dGrad: K.MaxPool2dGradKernel;
  maxPool2dGradX: K.MaxPool2dGradXKernel;
  maxPool2dCode: K.MaxPool2dCodeKernel;
  maxPool2dGradCode: K.MaxPool2dGradCodeKernel;
  avgPool2d: K.AvgPool2dKernel;
  avgPool2dGrad: K.AvgPool2dGradKernel;
  activation: K.ActivationKernel;
  activationGrad: K.ActivationGradKernel;
  leakyRelu: K.LeakyReluKernel;
  addN: K.AddNKernel;
  leakyReluGrad: K.LeakyReluGradKernel;
  batchNorm: K.BatchNormKernel;
  batchNormGrad: K.BatchNormGradKernel;
  optimizerStep: K.OptimizerStepKernel;
}

export const referenceKernels: KernelSet = {
  gemm: gemmTs,
  conv2d: convTs.conv2d,
  conv2dGradInput: convTs.conv2dGradInput,
  conv2dGradFilter: convTs.conv2dGradFilter,
  depthwise: depthwiseTs.depthwise,
  depthwiseGradInput: depthwiseTs.depthwiseGradInput,
  depthwiseGradFilter: depthwiseTs.depthwiseGradFilter,
  conv3d: conv3dTs.conv3d,
  conv3dGradInput: conv3dTs.conv3dGradInput,
  conv3dGradFilter: conv3dTs.conv3dGradFilter,
  maxPool2d: poolTs.maxPool2d,
  maxPool2dGrad: poolTs.maxPool2dGrad,
  maxPool2dGradX: poolTs.maxPool2dGradX,
  maxPool2dCode: poolTs.maxPool2dCode,
  maxPool2dGradCode: poolTs.maxPool2dGradCode,
  avgPool2d: poolTs.avgPool2d,
  avgPool2dGrad: poolTs.avgPool2dGrad,
  activation: elementwiseTs.activation,
  activationGrad: elementwiseTs.activationGrad,
  leakyRelu: elementwiseTs.leakyRelu,
  addN: elementwiseTs.addN,
  leakyReluGrad: elementwiseTs.leakyReluGrad,
  batchNorm: batchNormTs.batchNorm,
  batchNormGrad: batchNormTs.batchNormGrad,
  optimizerStep: optimizerStepTs,
};

let float32: Partial<KernelSet> = {};
let float32Name = "ts";

/** Installs float32 kernels (any subset; missing ones fall back to the reference). */
export function setFloat32Kernels(name: string, kernels: Partial<KernelSet>): void {
  float32 = kernels;
  float32Name = name;
}

/** Back to the TypeScript reference kernels for float32. */
export function useReferenceKernels(): void {
  float32 = {};
  float32Name = "ts";
}

/** Which float32 kernel set is active ("ts" for the reference). */
export function kernelBackend(): string {
  return float32Name;
}

/** The kernel to use for a dtype: float64 always runs the reference. */
export function kernel<K extends keyof KernelSet>(name: K, dtype: DType): KernelSet[K] {
  if (dtype === "float32") {
    const k = float32[name];
    if (k) return k as KernelSet[K];
  }
  return referenceKernels[name];
}

export type * from "./types.js";
