// The optimizers' update of a parameter in place, on its copy in the arena: optimStep on n floats,
// and the job that splits a window of chunks over the threads (optimTask). The arithmetic is float64 on float32 values, rounded to
// float32 where the reference (kernels/ts/optim.ts) stores into a Float32Array, in the same order
// of operations: the results are the reference's bits. Two float64 lanes per f64x2; the tail (n
// not a multiple of 4) runs the same formulas on scalars.

import { OPT_RULE, OPT_N, OPT_CHUNK, OPT_P, OPT_G, OPT_S0, OPT_S1, OPT_H } from "../layout";
import { waitForImage, word } from "./util";

// hyperparameters: f64 words at h (written by the host, wasm/optim.ts)
const H_LR = 0, H_WD = 1, H_A = 2, H_B = 3, H_C = 4, H_D = 5, H_E = 6, H_F = 7, H_EPS = 8;

export const RULE_SGD = 0, RULE_SGD_MOMENTUM = 1, RULE_MOMENTUM = 2, RULE_RMSPROP = 3, RULE_ADAM = 4;

@inline function lo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

@inline function hi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Four float32 from two f64x2 (rounded to nearest). */
@inline function pack(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}

/** The float64 value of x rounded to float32 (what a Float32Array store and load give). */
@inline function r32(x: f64): f64 {
  return <f64><f32>x;
}

/**
 * One update of n floats: p, g and the state buffers s0, s1 (as the rule needs) in place. With
 * weight decay wd ≠ 0 the gradient is first g + wd·p rounded to float32.
 * - sgd: p −= lr·g
 * - sgdMomentum (a = μ, b = 1 − dampening, c = nesterov, d = first step): s0 = d ? g : μ·s0 + b·g,
 *   p −= lr·(c ? g + μ·s0 : s0)
 * - momentum (a = β, b = 1 − β): s0 = β·s0 + b·g, p −= lr·s0
 * - rmsprop (a = ρ, b = 1 − ρ, c = ε): s0 = ρ·s0 + b·g·g, p −= lr·g / (√s0 + ε)
 * - adam (a = β1, b = 1 − β1, c = β2, d = 1 − β2, e = 1 − β1ᵗ, f = √(1 − β2ᵗ), and ε):
 *   s0 = β1·s0 + b·g, s1 = β2·s1 + d·g·g, p −= lr·(s0 / e) / (√s1 / f + ε)
 */
export function optimStep(rule: i32, p: usize, g: usize, s0: usize, s1: usize, n: i32, h: usize): void {
  const lr = load<f64>(h, H_LR << 3), wd = load<f64>(h, H_WD << 3);
  const a = load<f64>(h, H_A << 3), b = load<f64>(h, H_B << 3), c = load<f64>(h, H_C << 3);
  const d = load<f64>(h, H_D << 3), e = load<f64>(h, H_E << 3), f = load<f64>(h, H_F << 3);
  const eps = load<f64>(h, H_EPS << 3);
  const vlr = f64x2.splat(lr), vwd = f64x2.splat(wd), va = f64x2.splat(a), vb = f64x2.splat(b);
  const vc = f64x2.splat(c), vd = f64x2.splat(d), ve = f64x2.splat(e), vf = f64x2.splat(f), veps = f64x2.splat(eps);
  const n4 = n & ~3;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let gv = v128.load(g + o);
    const p0 = lo(pv), p1 = hi(pv);
    if (wd != 0) gv = pack(f64x2.add(lo(gv), f64x2.mul(vwd, p0)), f64x2.add(hi(gv), f64x2.mul(vwd, p1)));
    const g0 = lo(gv), g1 = hi(gv);
    let u0: v128, u1: v128;
    if (rule == RULE_SGD) {
      u0 = f64x2.mul(vlr, g0);
      u1 = f64x2.mul(vlr, g1);
    } else if (rule == RULE_SGD_MOMENTUM) {
      let sv: v128;
      if (d != 0) sv = gv;
      else {
        const q = v128.load(s0 + o);
        sv = pack(f64x2.add(f64x2.mul(va, lo(q)), f64x2.mul(vb, g0)), f64x2.add(f64x2.mul(va, hi(q)), f64x2.mul(vb, g1)));
      }
      v128.store(s0 + o, sv);
      const b0 = lo(sv), b1 = hi(sv);
      if (c != 0) {
        u0 = f64x2.mul(vlr, f64x2.add(g0, f64x2.mul(va, b0)));
        u1 = f64x2.mul(vlr, f64x2.add(g1, f64x2.mul(va, b1)));
      } else {
        u0 = f64x2.mul(vlr, b0);
        u1 = f64x2.mul(vlr, b1);
      }
    } else if (rule == RULE_MOMENTUM) {
      const q = v128.load(s0 + o);
      const sv = pack(f64x2.add(f64x2.mul(va, lo(q)), f64x2.mul(vb, g0)), f64x2.add(f64x2.mul(va, hi(q)), f64x2.mul(vb, g1)));
      v128.store(s0 + o, sv);
      u0 = f64x2.mul(vlr, lo(sv));
      u1 = f64x2.mul(vlr, hi(sv));
    } else if (rule == RULE_RMSPROP) {
      const q = v128.load(s0 + o);
      const sv = pack(
        f64x2.add(f64x2.mul(va, lo(q)), f64x2.mul(f64x2.mul(vb, g0), g0)),
        f64x2.add(f64x2.mul(va, hi(q)), f64x2.mul(f64x2.mul(vb, g1), g1)),
      );
      v128.store(s0 + o, sv);
      u0 = f64x2.div(f64x2.mul(vlr, g0), f64x2.add(f64x2.sqrt(lo(sv)), vc));
      u1 = f64x2.div(f64x2.mul(vlr, g1), f64x2.add(f64x2.sqrt(hi(sv)), vc));
    } else {
      const qm = v128.load(s0 + o), qv = v128.load(s1 + o);
      const mv = pack(f64x2.add(f64x2.mul(va, lo(qm)), f64x2.mul(vb, g0)), f64x2.add(f64x2.mul(va, hi(qm)), f64x2.mul(vb, g1)));
      const vv = pack(
        f64x2.add(f64x2.mul(vc, lo(qv)), f64x2.mul(f64x2.mul(vd, g0), g0)),
        f64x2.add(f64x2.mul(vc, hi(qv)), f64x2.mul(f64x2.mul(vd, g1), g1)),
      );
      v128.store(s0 + o, mv);
      v128.store(s1 + o, vv);
      u0 = f64x2.div(f64x2.mul(vlr, f64x2.div(lo(mv), ve)), f64x2.add(f64x2.div(f64x2.sqrt(lo(vv)), vf), veps));
      u1 = f64x2.div(f64x2.mul(vlr, f64x2.div(hi(mv), ve)), f64x2.add(f64x2.div(f64x2.sqrt(hi(vv)), vf), veps));
    }
    v128.store(p + o, pack(f64x2.sub(p0, u0), f64x2.sub(p1, u1)));
  }
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    const pi = <f64>load<f32>(p + o);
    let gi = <f64>load<f32>(g + o);
    if (wd != 0) gi = r32(gi + wd * pi);
    let u: f64;
    if (rule == RULE_SGD) u = lr * gi;
    else if (rule == RULE_SGD_MOMENTUM) {
      const bi = r32(d != 0 ? gi : a * <f64>load<f32>(s0 + o) + b * gi);
      store<f32>(s0 + o, <f32>bi);
      u = lr * (c != 0 ? gi + a * bi : bi);
    } else if (rule == RULE_MOMENTUM) {
      const vi = r32(a * <f64>load<f32>(s0 + o) + b * gi);
      store<f32>(s0 + o, <f32>vi);
      u = lr * vi;
    } else if (rule == RULE_RMSPROP) {
      const si = r32(a * <f64>load<f32>(s0 + o) + b * gi * gi);
      store<f32>(s0 + o, <f32>si);
      u = (lr * gi) / (Math.sqrt(si) + c);
    } else {
      const mi = r32(a * <f64>load<f32>(s0 + o) + b * gi);
      const vi = r32(c * <f64>load<f32>(s1 + o) + d * gi * gi);
      store<f32>(s0 + o, <f32>mi);
      store<f32>(s1 + o, <f32>vi);
      u = (lr * (mi / e)) / (Math.sqrt(vi) / f + eps);
    }
    store<f32>(p + o, <f32>(pi - u));
  }
}

/** JOB_OPTIM task t: chunk t of the window, once the host has copied it in. */
export function optimTask(params: usize, t: i32): void {
  waitForImage(t);
  const chunk = word(params, OPT_CHUNK), n = word(params, OPT_N);
  const off = <usize>(t * chunk) << 2, len = min(chunk, n - t * chunk);
  const s0 = <usize>word(params, OPT_S0), s1 = <usize>word(params, OPT_S1);
  optimStep(
    word(params, OPT_RULE), <usize>word(params, OPT_P) + off, <usize>word(params, OPT_G) + off,
    s0 != 0 ? s0 + off : 0, s1 != 0 ? s1 + off : 0, len, <usize>word(params, OPT_H),
  );
}
