// The float32 kernel set backed by one WasmEngine (installed with setFloat32Kernels). Names and
// signatures are those of the reference kernels (../types.ts).
import { referenceKernels, type KernelSet } from "../index.js";
import { WasmMemoryError, type WasmEngine } from "./engine.js";
import { as3d, conv3dForward, conv3dGradInput, conv3dGradFilter } from "./conv.js";
import { gemm } from "./gemm.js";
import { maxPool2d, maxPool2dGrad, maxPool2dGradX, maxPool2dCode, maxPool2dGradCode, avgPool2d, avgPool2dGrad } from "./pool.js";
import { activation, activationGrad, addN, leakyRelu, leakyReluGrad } from "./elementwise.js";
import { batchNorm, batchNormGrad } from "./batchnorm.js";
import { optimizerStep } from "./optim.js";
import { depthwiseConv2d, depthwiseConv2dGradInput, depthwiseConv2dGradFilter } from "./depthwise.js";

/**
 * Every kernel of the registry on `eng`. A call too big for the WebAssembly memory (2 GiB) runs
 * on the reference kernel instead.
 */
export function wasmKernelSet(eng: WasmEngine): KernelSet {
  const fast: KernelSet = {
    gemm: (a, b, c, args) => gemm(eng, a, b, c, args),
    conv2d: (x, f, y, g, ep) => conv3dForward(eng, x, f, y, as3d(g), ep),
    conv2dGradInput: (dy, f, dx, g) => conv3dGradInput(eng, dy, f, dx, as3d(g)),
    conv2dGradFilter: (x, dy, df, g) => conv3dGradFilter(eng, x, dy, df, as3d(g)),
    conv3d: (x, f, y, g, ep) => conv3dForward(eng, x, f, y, g, ep),
    conv3dGradInput: (dy, f, dx, g) => conv3dGradInput(eng, dy, f, dx, g),
    conv3dGradFilter: (x, dy, df, g) => conv3dGradFilter(eng, x, dy, df, g),
    depthwise: (x, f, y, g, ep) => depthwiseConv2d(eng, x, f, y, g, ep),
    depthwiseGradInput: (dy, f, dx, g) => depthwiseConv2dGradInput(eng, dy, f, dx, g),
    depthwiseGradFilter: (x, dy, df, g) => depthwiseConv2dGradFilter(eng, x, dy, df, g),
    maxPool2d: (x, y, arg, g) => maxPool2d(eng, x, y, arg, g),
    maxPool2dGrad: (dy, arg, dx, g) => maxPool2dGrad(eng, dy, arg, dx, g),
    maxPool2dGradX: (x, dy, dx, g) => maxPool2dGradX(eng, x, dy, dx, g),
    maxPool2dCode: (x, y, code, g) => maxPool2dCode(eng, x, y, code, g),
    maxPool2dGradCode: (code, dy, dx, g) => maxPool2dGradCode(eng, code, dy, dx, g),
    avgPool2d: (x, y, g) => avgPool2d(eng, x, y, g),
    avgPool2dGrad: (dy, dx, g) => avgPool2dGrad(eng, dy, dx, g),
    activation: (x, y, act) => activation(eng, x, y, act),
    activationGrad: (dy, ref, dz, k, db, act) => activationGrad(eng, dy, ref, dz, k, db, act),
    leakyRelu: (x, y, alpha) => leakyRelu(eng, x, y, alpha),
    addN: (xs, out, post) => addN(eng, xs, out, post),
    leakyReluGrad: (dy, x, dx, alpha) => leakyReluGrad(eng, dy, x, dx, alpha),
    batchNorm: (x, gm, bt, y, mean, variance, invStd, g) => batchNorm(eng, x, gm, bt, y, mean, variance, invStd, g),
    batchNormGrad: (dy, x, gm, mean, invStd, dx, dGamma, dBeta, g) => batchNormGrad(eng, dy, x, gm, mean, invStd, dx, dGamma, dBeta, g),
    optimizerStep: (p, g, state, u) => optimizerStep(eng, p, g, state, u),
  };
  const guarded = {} as Record<keyof KernelSet, unknown>;
  for (const name of Object.keys(fast) as (keyof KernelSet)[]) {
    const f = fast[name] as (...args: unknown[]) => void;
    const ref = referenceKernels[name] as (...args: unknown[]) => void;
    guarded[name] = (...args: unknown[]): void => {
      try {
        f(...args);
      } catch (e) {
        if (!(e instanceof WasmMemoryError)) throw e;
        ref(...args);
      }
    };
  }
  return guarded as KernelSet;
}
