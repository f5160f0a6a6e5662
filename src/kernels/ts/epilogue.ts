// The reference epilogue of the forward convolution kernels: y = act(y + bias) per channel (the
// last axis), in place. The WASM kernels apply the same on their output before copying it out.
import type { TypedArray } from "../../tensor/tensor.js";
import type { Epilogue } from "../types.js";
import { activation, leakyRelu } from "./elementwise.js";

/** Applies `ep` to y viewed as [rows, k]; a no-op without one. */
export function applyEpilogue(y: TypedArray, k: number, ep: Epilogue | undefined): void {
  if (!ep || (ep.bias === null && ep.act === "linear" && !ep.scale)) return;
  const b = ep.bias, s = ep.scale;
  if (s) {
    // the product rounded as the WASM kernel's f32x4.mul (float32 outputs), then the bias
    const round = y instanceof Float32Array ? Math.fround : (v: number): number => v;
    for (let o = 0; o < y.length; o += k) for (let j = 0; j < k; j++) y[o + j] = round(y[o + j]! * s[j]!) + (b === null ? 0 : b[j]!);
  } else if (b !== null) for (let o = 0; o < y.length; o += k) for (let j = 0; j < k; j++) y[o + j]! += b[j]!;
  // the activation kernels' reference (the same bits as `v < 0 ? 0 : v`, relu6 also `v > 6 ? 6`), in place
  if (ep.act === "leakyRelu") leakyRelu(y, y, ep.alpha ?? 0.01);
  else if (ep.act !== "linear") activation(y, y, ep.act);
}
