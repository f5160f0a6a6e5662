// The roofline probe: thirteen independent f32x4 multiply-then-add chains (WASM SIMD has no fused
// multiply-add without relaxed SIMD). Each chain is latency-bound, so the probe needs about as many
// chains as there are registers (16 on x64; 13 here leave room for the two constants): fewer
// chains measure latency, more spill. PROBE_FLOPS_PER_ITER flops per iteration.
export function probe(iters: i32): f32 {
  const m = f32x4.splat(0.999);
  const c = f32x4.splat(0.001);
  let a0 = f32x4.splat(1.0);
  let a1 = f32x4.splat(1.1);
  let a2 = f32x4.splat(1.2);
  let a3 = f32x4.splat(1.3);
  let a4 = f32x4.splat(1.4);
  let a5 = f32x4.splat(1.5);
  let a6 = f32x4.splat(1.6);
  let a7 = f32x4.splat(1.7);
  let a8 = f32x4.splat(1.8);
  let a9 = f32x4.splat(1.9);
  let a10 = f32x4.splat(2.0);
  let a11 = f32x4.splat(2.1);
  let a12 = f32x4.splat(2.2);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(f32x4.mul(a0, m), c);
    a1 = f32x4.add(f32x4.mul(a1, m), c);
    a2 = f32x4.add(f32x4.mul(a2, m), c);
    a3 = f32x4.add(f32x4.mul(a3, m), c);
    a4 = f32x4.add(f32x4.mul(a4, m), c);
    a5 = f32x4.add(f32x4.mul(a5, m), c);
    a6 = f32x4.add(f32x4.mul(a6, m), c);
    a7 = f32x4.add(f32x4.mul(a7, m), c);
    a8 = f32x4.add(f32x4.mul(a8, m), c);
    a9 = f32x4.add(f32x4.mul(a9, m), c);
    a10 = f32x4.add(f32x4.mul(a10, m), c);
    a11 = f32x4.add(f32x4.mul(a11, m), c);
    a12 = f32x4.add(f32x4.mul(a12, m), c);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3), a4), a5), a6), a7), a8), a9), a10), a11), a12);
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 3);
}

/** Flops of one probe iteration (13 chains × 4 lanes × mul + add). */
export const PROBE_FLOPS_PER_ITER = 104;
