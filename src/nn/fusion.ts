// Fusion in graph runs: without autograd, a convolution whose only consumer is a
// batch-norm in inference mode and/or a relu/relu6/leaky ReLU activation runs as one op, the batch-norm
// folded into a per-channel factor and shift and the activation applied in the same output pass
// (the kernels' epilogue) — no intermediate tensors, no extra passes. The values equal the
// unfused layers' within float32 rounding (the fold reassociates the batch-norm's arithmetic).
// Tensors that were asked for (model outputs, features, sub-model cuts) are never fused away.
// With autograd on (style transfer, activation maximisation: gradients of the input through a
// frozen network), a chain fuses too when nothing folded needs a gradient — a batch-norm whose
// weights and the conv's bias all have requiresGrad false: the fused op's backward (runConv:
// dz = dy·act'(y), then ·scale per channel, then gradInput/gradFilter) is the chain rule of the
// unfused layers, and the kernel's gradient still flows. Without a batch-norm the shift is the
// conv's own bias tensor, so its gradient flows as well.
import { Tensor, allocate, allocateUnzeroed } from "../tensor/tensor.js";
import { sameShape } from "../tensor/shape.js";
import { addN } from "../ops/binary.js";
import { relu, relu6 } from "../ops/activations.js";
import { kernel } from "../kernels/index.js";
import { Add } from "./layers/merge.js";
import { epilogueOf, type FusedActivation } from "./activation.js";
import type { CallContext, SymbolicTensor } from "./layer.js";
import { ConvBase } from "./layers/conv.js";
import { ActivationLayer, BatchNorm } from "./layers/core.js";

let enabled = true;

/** Whether graph runs fuse conv → batch-norm → relu/relu6/leaky ReLU chains (default true). */
export function fusionEnabled(): boolean {
  return enabled;
}

/** Turns the fusion on or off (tests compare both); returns the previous setting. @internal */
export function setFusion(on: boolean): boolean {
  const prev = enabled;
  enabled = on;
  return prev;
}

/** A convolution and what is folded into it; `last` is the tensor the fused op produces. */
export interface FusedChain {
  conv: ConvBase;
  bn: BatchNorm | null;
  activation: FusedActivation;
  /** The tensors computed by the chain other than `last` (never set). */
  inner: SymbolicTensor[];
  last: SymbolicTensor;
}


/** Under autograd: whether a batch-norm can be folded (no folded tensor needs a gradient). */
function foldable(conv: ConvBase, bn: BatchNorm): boolean {
  if (conv.hasWeight("bias") && conv.weight("bias").requiresGrad) return false;
  return !["gamma", "beta", "runningMean", "runningVar"].some((n) => bn.hasWeight(n) && bn.weight(n).requiresGrad);
}

/**
 * The chain starting at the conv output `s`, or null: each link's only consumer is the next
 * (`next` lists consumers among the tensors this run computes) and no inner tensor is wanted.
 */
export function fusionChain(s: SymbolicTensor, next: Map<SymbolicTensor, SymbolicTensor[]>, wanted: Set<SymbolicTensor>, ctx: CallContext, grad = false): FusedChain | null {
  const conv = s.node.layer;
  if (!(conv instanceof ConvBase) || !conv.fusable || !conv.built) return null;
  const only = (t: SymbolicTensor): SymbolicTensor | null => {
    const n = next.get(t);
    return !wanted.has(t) && n !== undefined && n.length === 1 && n[0]!.node.inputs.length === 1 ? n[0]! : null;
  };
  const inner: SymbolicTensor[] = [];
  let last = s, bn: BatchNorm | null = null, activation: FusedActivation = { activation: "linear" };
  let t = only(s);
  if (t && t.node.layer instanceof BatchNorm && t.node.layer.built && (t.node.layer.inference || !ctx.training) && (!grad || foldable(conv, t.node.layer))) {
    bn = t.node.layer;
    inner.push(last);
    last = t;
    t = only(t);
  }
  if (t && t.node.layer instanceof ActivationLayer) {
    const a = epilogueOf(t.node.layer.activation);
    if (a) {
      activation = a;
      inner.push(last);
      last = t;
    }
  }
  return last === s ? null : { conv, bn, activation, inner, last };
}

/** Runs a chain on the conv's input x: act(conv(x)·s + shift) with s, shift folding the batch-norm and the conv's bias. */
export function runChain(c: FusedChain, x: Tensor): Tensor {
  const bias = c.conv.hasWeight("bias") ? c.conv.weight("bias") : null;
  if (!c.bn) return c.conv.callFused(x, { scale: null, shift: bias, activation: c.activation });
  const g = c.bn.weight("gamma").data, b = c.bn.weight("beta").data, mu = c.bn.weight("runningMean").data, v = c.bn.weight("runningVar").data;
  const k = g.length;
  const dtype = c.bn.weight("gamma").dtype;
  const scale = allocate(dtype, k), shift = allocate(dtype, k);
  for (let j = 0; j < k; j++) {
    // the batch-norm op's arithmetic: (z − μ)/√(σ² + eps)·γ + β = z·s + (β − μ·s), z = conv + bias
    const sj = g[j]! * (1 / Math.sqrt(v[j]! + c.bn.eps));
    scale[j] = sj;
    shift[j] = b[j]! - mu[j]! * sj + (bias ? bias.data[j]! * sj : 0);
  }
  return c.conv.callFused(x, { scale: new Tensor(scale, [k]), shift: new Tensor(shift, [k]), activation: c.activation });
}

/**
 * An Add whose sum feeds a relu/relu6 Activation layer, in a run without autograd: `consumer` is
 * that Activation node, `keepSum` whether the sum itself is needed too (other consumers, wanted).
 */
export interface AddActivation {
  consumer: SymbolicTensor;
  act: "relu" | "relu6";
  keepSum: boolean;
}

/** The Activation node that `s` (an Add's output) can compute in the same pass, or null. */
export function addActivation(s: SymbolicTensor, next: Map<SymbolicTensor, SymbolicTensor[]>, wanted: Set<SymbolicTensor>): AddActivation | null {
  if (!(s.node.layer instanceof Add)) return null;
  const consumers = next.get(s) ?? [];
  for (const t of consumers) {
    if (!(t.node.layer instanceof ActivationLayer) || t.node.inputs.length !== 1) continue;
    const a = epilogueOf(t.node.layer.activation)?.activation;
    if (a === "relu" || a === "relu6") return { consumer: t, act: a, keepSum: wanted.has(s) || consumers.length > 1 };
  }
  return null;
}

/** The sum of xs and act(sum) in one pass (float32 on the kernels; otherwise the two ops). */
export function runAddActivation(xs: Tensor[], f: AddActivation): { sum: Tensor | null; y: Tensor } {
  const first = xs[0]!;
  if (xs.length < 2 || first.dtype !== "float32" || first.size < 4096 || xs.some((x) => x.dtype !== "float32" || !sameShape(x.shape, first.shape))) {
    const sum = xs.length === 1 ? first : addN(xs);
    return { sum, y: f.act === "relu" ? relu(sum) : relu6(sum) };
  }
  const out = f.keepSum ? allocateUnzeroed("float32", first.size, "add") : null, y = allocateUnzeroed("float32", first.size, f.act);
  kernel("addN", "float32")(xs.map((x) => x.data), out, { y, act: f.act });
  return { sum: out ? new Tensor(out, first.shape) : null, y: new Tensor(y, first.shape) };
}
