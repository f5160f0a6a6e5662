// The reference epilogue of the forward convolution kernels: y = act(y + bias) per channel (the
// last axis), in place. The WASM kernels apply the same on their output before copying it out.
import type { TypedArray } from "../../tensor/tensor.js";
import type { Epilogue } from "../types.js";

/** Applies `ep` to y viewed as [rows, k]; a no-op without one. */
export function applyEpilogue(y: TypedArray, k: number, ep: Epilogue | undefined): void {
  if (!ep || (ep.bias === null && ep.act === "linear")) return;
  const b = ep.bias;
  if (b !== null) for (let o = 0; o < y.length; o += k) for (let j = 0; j < k; j++) y[o + j]! += b[j]!;
  if (ep.act === "relu")
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (v < 0) y[i] = 0;
    }
  else if (ep.act === "relu6")
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (v < 0) y[i] = 0;
      else if (v > 6) y[i] = 6;
    }
}
