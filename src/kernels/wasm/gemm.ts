// GEMM on the WASM kernels: C[m×n] (+)= op(A)·op(B), the same contract as kernels/ts/gemm.ts.
import type { TypedArray } from "../../tensor/tensor.js";
import type { GemmArgs } from "../types.js";
import type { WasmEngine } from "./engine.js";
import { applyEpilogue } from "../ts/epilogue.js";
import { epilogue, packB, runSegGemm } from "./conv.js";

export function gemm(eng: WasmEngine, a: TypedArray, b: TypedArray, c: TypedArray, args: GemmArgs): void {
  const { m, n, k, transA = false, transB = false, accumulate = false, aOffset = 0, bOffset = 0, cOffset = 0 } = args;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
    applyEpilogue(c.subarray(cOffset, cOffset + m * n), n, args.epilogue);
    return;
  }
  eng.reset();
  let aAt: number;
  if (transA) {
    const raw = eng.put(a, aOffset, m * k);
    aAt = eng.alloc(m * k * 4);
    eng.exports.transpose(aAt, raw, k, m);
  } else aAt = eng.alloc(m * k * 4);
  let bAt = eng.put(b, bOffset, k * n);
  if (transB) {
    // B stored n×k: transposed to k×n first, so that packing reads whole rows (the same packed B)
    const t = eng.alloc(k * n * 4);
    eng.exports.transpose(t, bAt, n, k);
    bAt = t;
  }
  const packed = packB(eng, n, [bAt, k, n, 1]);
  const cAt = accumulate ? eng.put(c, cOffset, m * n) : eng.alloc(m * n * 4);
  runSegGemm(eng, [{
    m, D: 1, R: 1, U: 1,
    src: aAt, srcStrides: [k * 4, 0, 0, 0],
    dst: cAt, dstStrides: [n * 4, 0, 0, 0],
    segs: [0, k], b: packed.at, kd: k, n, flags: accumulate ? 1 : 0,
  }], 2 * m * n * k, transA ? undefined : (publish) => {
    // A row by row in blocks of ~64 KiB, publishing rows as they land (each row is an "image")
    const rows = Math.max(1, Math.floor(16384 / k));
    const f = eng.f32;
    for (let r = 0; r < m; r += rows) {
      const r1 = Math.min(m, r + rows);
      f.set(a.subarray(aOffset + r * k, aOffset + r1 * k), (aAt >> 2) + r * k);
      publish(r1);
    }
  });
  epilogue(eng, cAt, m * n, n, args.epilogue);
  c.set(eng.f32.subarray(cAt >> 2, (cAt >> 2) + m * n), cOffset);
}
