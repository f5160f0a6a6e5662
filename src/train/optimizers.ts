// Optimizers with PyTorch's update rules (torch.optim): SGD (momentum, Nesterov, weight decay),
// the course's momentum (an exponentially weighted average of the gradients), RMSprop and Adam.
// Each keeps its state per parameter tensor and updates `p.data` in place from `p.grad` through the
// registry's optimizerStep kernel (float32: WASM SIMD when installed).
import { Tensor, allocate, type TypedArray } from "../tensor/tensor.js";
import { kernel, type OptimizerUpdate } from "../kernels/index.js";
import { ValueError } from "../util/errors.js";
import { bool, received } from "../nn/args.js";

/** What `fit` needs of an optimizer; `cl.train.sgd/momentum/rmsprop/adam` make one. */
export interface Optimizer {
  /** "SGD", "Momentum", "RMSprop" or "Adam". */
  readonly name: string;
  /** Learning rate α; may be changed between steps (a schedule). */
  lr: number;
  /**
   * One update of each parameter from its `.grad` (parameters without a gradient are skipped, as
   * in PyTorch). Without `params`, the ones given at creation (`{ params }`) are updated.
   */
  step(params?: readonly Tensor[]): void;
  /** Clears `.grad` of these parameters, else of those of the last step (and of creation). */
  zeroGrad(params?: readonly Tensor[]): void;
  /** Steps taken so far. */
  readonly steps: number;
}

export interface OptimizerOptions {
  /** Learning rate α (> 0). */
  lr: number;
  /** L2 penalty added to the gradient, `g + weightDecay·p` (default 0). */
  weightDecay?: number;
  /** The parameters `step()` and `zeroGrad()` use when called without any. */
  params?: readonly Tensor[];
}

export interface SgdOptions extends OptimizerOptions {
  /** Momentum μ in [0, 1) (default 0: plain gradient descent). */
  momentum?: number;
  /** Dampening of the momentum buffer (default 0). */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

export interface MomentumOptions extends OptimizerOptions {
  /** β of the exponentially weighted average (default 0.9). */
  beta?: number;
}

export interface RmspropOptions extends OptimizerOptions {
  /** Decay ρ of the average of squared gradients (default 0.99, PyTorch's alpha). */
  rho?: number;
  /** ε added to the root (default 1e-8). */
  eps?: number;
}

export interface AdamOptions extends OptimizerOptions {
  /** β1 of the first moment (default 0.9). */
  beta1?: number;
  /** β2 of the second moment (default 0.999). */
  beta2?: number;
  /** ε added to the root (default 1e-8). */
  eps?: number;
}

/** The kernel's update for step t (1, 2, …) at learning rate lr and weight decay wd. */
type Rule = (t: number, lr: number, wd: number) => OptimizerUpdate;

function check(op: string, name: string, v: unknown, ok: (x: number) => boolean, want: string): void {
  if (typeof v !== "number" || !ok(v)) throw new ValueError(`${op}: ${name} must be ${want}, got ${received(v)}`);
}

/** The common part: options, per-parameter state, weight decay, zeroGrad. */
class BaseOptimizer implements Optimizer {
  lr: number;
  private t = 0;
  private readonly state = new Map<Tensor, TypedArray[]>();
  private last: readonly Tensor[] = [];
  private readonly weightDecay: number;
  private readonly params: readonly Tensor[];

  constructor(
    readonly name: string,
    opts: OptimizerOptions,
    private readonly buffers: number,
    private readonly rule: Rule,
  ) {
    const op = name.toLowerCase();
    if (typeof opts !== "object" || opts === null || Array.isArray(opts)) throw new ValueError(`${op}: expected options { lr, ... }, got ${received(opts)}`);
    check(op, "lr", opts.lr, (x) => x > 0 && Number.isFinite(x), "a positive number");
    check(op, "weightDecay", opts.weightDecay ?? 0, (x) => x >= 0 && Number.isFinite(x), "≥ 0");
    this.lr = opts.lr;
    this.weightDecay = opts.weightDecay ?? 0;
    if (opts.params !== undefined && (!Array.isArray(opts.params) || !opts.params.every((p) => p instanceof Tensor)))
      throw new ValueError(`${op}: params must be a list of tensors (e.g. model.trainableParameters()), got ${received(opts.params)}`);
    this.params = opts.params ? [...opts.params] : [];
  }

  get steps(): number {
    return this.t;
  }

  step(params?: readonly Tensor[]): void {
    const ps = params ?? this.params;
    if (!Array.isArray(ps)) throw new ValueError(`${this.name.toLowerCase()}.step: expected a list of parameter tensors, got ${received(ps)}`);
    check(this.name.toLowerCase(), "lr", this.lr, (x) => x > 0 && Number.isFinite(x), "a positive number");
    this.t++;
    const u = this.rule(this.t, this.lr, this.weightDecay);
    for (const p of ps) {
      if (!(p instanceof Tensor)) throw new ValueError(`${this.name.toLowerCase()}.step: expected parameter tensors, got ${typeof p}`);
      if (!p.grad) continue;
      if (p.grad.size !== p.size)
        throw new ValueError(`${this.name.toLowerCase()}.step: gradient of ${p.name ?? "a parameter"} has ${p.grad.size} values for ${p.size} parameters`);
      let s = this.state.get(p);
      if (!s) {
        s = Array.from({ length: this.buffers }, () => allocate(p.dtype, p.size));
        this.state.set(p, s);
      }
      kernel("optimizerStep", p.dtype)(p.data, p.grad.data, s, u);
    }
    this.last = ps;
  }

  zeroGrad(params?: readonly Tensor[]): void {
    if (params !== undefined && (!Array.isArray(params) || !params.every((p) => p instanceof Tensor)))
      throw new ValueError(`${this.name.toLowerCase()}.zeroGrad: expected a list of parameter tensors, got ${received(params)}`);
    for (const p of params ?? [...this.params, ...this.last]) p.grad = null;
  }
}

/**
 * Stochastic gradient descent, `torch.optim.SGD`: with momentum μ the buffer is
 * `b = μ·b + (1 − dampening)·g` (b = g on the first step) and the update `p −= lr·b`
 * (Nesterov: `p −= lr·(g + μ·b)`); without, `p −= lr·g`.
 *
 *   const opt = cl.train.sgd({ lr: 0.1, momentum: 0.9 });
 *   loss.backward(); opt.step(model.parameters()); opt.zeroGrad();
 */
export function sgd(opts: SgdOptions): Optimizer {
  const mu = opts?.momentum ?? 0, damp = opts?.dampening ?? 0, nesterov = bool("sgd", "nesterov", opts?.nesterov, false);
  check("sgd", "momentum", mu, (x) => x >= 0 && x < 1, "in [0, 1)");
  check("sgd", "dampening", damp, (x) => x >= 0 && x <= 1, "in [0, 1]");
  if (nesterov && (mu === 0 || damp !== 0)) throw new ValueError(`sgd: nesterov needs momentum > 0 and dampening 0, got momentum ${mu}, dampening ${damp}`);
  return new BaseOptimizer("SGD", opts, mu === 0 ? 0 : 1, (t, lr, weightDecay) =>
    mu === 0 ? { rule: "sgd", lr, weightDecay } : { rule: "sgdMomentum", lr, weightDecay, mu, dampening: damp, nesterov, first: t === 1 },
  );
}

/**
 * Gradient descent with momentum as the course writes it: `v = β·v + (1 − β)·g`, `p −= lr·v`
 * (v starts at 0; no bias correction). `sgd({ momentum })` is PyTorch's form, `b = μ·b + g`.
 */
export function momentum(opts: MomentumOptions): Optimizer {
  const beta = opts?.beta ?? 0.9;
  check("momentum", "beta", beta, (x) => x >= 0 && x < 1, "in [0, 1)");
  return new BaseOptimizer("Momentum", opts, 1, (_t, lr, weightDecay) => ({ rule: "momentum", lr, weightDecay, beta }));
}

/**
 * RMSprop, `torch.optim.RMSprop`: `s = ρ·s + (1 − ρ)·g²`, `p −= lr·g / (√s + ε)`.
 */
export function rmsprop(opts: RmspropOptions): Optimizer {
  const rho = opts?.rho ?? 0.99, eps = opts?.eps ?? 1e-8;
  check("rmsprop", "rho", rho, (x) => x >= 0 && x < 1, "in [0, 1)");
  check("rmsprop", "eps", eps, (x) => x > 0, "positive");
  return new BaseOptimizer("RMSprop", opts, 1, (_t, lr, weightDecay) => ({ rule: "rmsprop", lr, weightDecay, rho, eps }));
}

/**
 * Adam, `torch.optim.Adam`: `m = β1·m + (1 − β1)·g`, `v = β2·v + (1 − β2)·g²`, bias-corrected
 * `m̂ = m / (1 − β1ᵗ)`, `v̂ = v / (1 − β2ᵗ)`, `p −= lr·m̂ / (√v̂ + ε)`.
 *
 *   await model.fit(train, { optimizer: cl.train.adam({ lr: 1e-3 }), loss: "softmaxCrossEntropy", epochs: 3, batchSize: 64 })
 */
export function adam(opts: AdamOptions): Optimizer {
  const b1 = opts?.beta1 ?? 0.9, b2 = opts?.beta2 ?? 0.999, eps = opts?.eps ?? 1e-8;
  check("adam", "beta1", b1, (x) => x >= 0 && x < 1, "in [0, 1)");
  check("adam", "beta2", b2, (x) => x >= 0 && x < 1, "in [0, 1)");
  check("adam", "eps", eps, (x) => x > 0, "positive");
  return new BaseOptimizer("Adam", opts, 2, (t, lr, weightDecay) => ({
    rule: "adam", lr, weightDecay, beta1: b1, beta2: b2, eps,
    c1: 1 - Math.pow(b1, t), c2: Math.sqrt(1 - Math.pow(b2, t)),
  }));
}
