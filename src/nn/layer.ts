// The layer base: configuration checked at construction, weights built from the input shape,
// `outputShape` without computing, an eager `call` on tensors and a symbolic `apply` for graph
// models (Keras's functional API). Layers are thin: `forward` calls ops.
import { Tensor, type DType } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { defaultRng, type Rng } from "../util/rng.js";
import { initialize, type Initializer } from "./initializers.js";

/** A shape without the batch axis, e.g. [32, 32, 3]. */
export type Shape = readonly number[];

export interface CallContext {
  /** Dropout drops and batch-norm uses batch statistics only while training. */
  training: boolean;
}

export interface LayerOptions {
  /** The layer's name (unique within a model); by default the model names it `<kind>_<n>`. */
  name?: string;
  /** Whether the optimizer updates its parameters (default true). */
  trainable?: boolean;
}

/** A placeholder for a tensor in a graph model: its shape (without batch) and the node that makes it. */
export class SymbolicTensor {
  constructor(
    readonly shape: number[],
    /** The layer that produces it and the symbolic inputs it was applied to. */
    readonly node: { layer: Layer; inputs: SymbolicTensor[] },
  ) {}

  toString(): string {
    return `SymbolicTensor(${fmtShape(["m", ...this.shape] as unknown as number[])} from '${this.node.layer.name}')`;
  }
}

let anonymous = 0;

export abstract class Layer {
  /** Layer type for summaries, e.g. "Conv2D". */
  abstract get type(): string;
  /** Lower-case kind used in default names and messages, e.g. "conv2d". */
  abstract get kind(): string;
  private _name: string | null;
  /** True when the name was given by the user (models keep it). */
  readonly namedByUser: boolean;
  trainable: boolean;
  /** Inputs a call takes: 1 for most layers, 0 for "any number ≥ 2" (merge layers). */
  readonly arity: number = 1;
  /** Input shapes (without batch) the weights were built for; null before `build`. */
  inputShapes: Shape[] | null = null;
  protected weights: [string, Tensor][] = [];
  protected buffers: [string, Tensor][] = [];

  constructor(opts: LayerOptions = {}) {
    if (opts.name !== undefined && (typeof opts.name !== "string" || opts.name === "" || opts.name.includes("/")))
      throw new ValueError(`layer: name must be a non-empty string without '/', got ${JSON.stringify(opts.name)}`);
    this.namedByUser = opts.name !== undefined;
    this._name = opts.name ?? null;
    this.trainable = opts.trainable ?? true;
  }

  /** The layer's name: the user's, or `<kind>_<n>` from the model that owns it (`<kind>_<id>` until then). */
  get name(): string {
    if (this._name === null) this._name = `${this.kind}_${++anonymous}`;
    return this._name;
  }
  set name(v: string) {
    this._name = v;
  }

  /** Whether the layer has a name yet (given, or set by a model). */
  get hasName(): boolean {
    return this._name !== null;
  }

  /** `conv2d layer 'conv1'`, the prefix of every message about this layer. */
  get label(): string {
    return this._name === null ? `${this.kind} layer` : `${this.kind} layer '${this._name}'`;
  }

  protected error(msg: string): ShapeError {
    return new ShapeError(`${this.label}: ${msg}`);
  }

  protected configError(msg: string): ValueError {
    return new ValueError(`${this.label}: ${msg}`);
  }

  /** Checks a config value is a positive integer (or a tuple of them). */
  protected positiveInt(name: string, v: unknown, allowTuple = 0): void {
    const ok = (e: unknown): boolean => typeof e === "number" && Number.isInteger(e) && e > 0;
    if (ok(v)) return;
    if (allowTuple && Array.isArray(v) && v.length === allowTuple && v.every(ok)) return;
    throw this.configError(`${name} must be a positive integer${allowTuple ? ` (or ${allowTuple} of them)` : ""}, got ${JSON.stringify(v)}`);
  }

  /** The output shape (without batch) for these input shapes; throws naming the layer when they don't fit. */
  abstract outputShape(inputShapes: Shape[]): number[];

  /** The computation, on batched tensors whose shapes `outputShape` accepted. */
  protected abstract compute(xs: Tensor[], ctx: CallContext): Tensor;

  /** Creates the weights for these input shapes (layers with weights override it). */
  protected createWeights(_inputShapes: Shape[], _rng: Rng): void {}

  /** Multiplications per example in the forward pass (conv and dense layers; 0 otherwise). */
  mults(_inputShapes: Shape[]): number {
    return 0;
  }

  protected checkArity(n: number): void {
    if (this.arity === 0 ? n < 2 : n !== this.arity)
      throw this.error(`expects ${this.arity === 0 ? "at least 2 inputs" : this.arity === 1 ? "1 input" : `${this.arity} inputs`}, got ${n}`);
  }

  /** Builds the weights for these input shapes (once; a built layer checks the shapes still fit). */
  build(inputShapes: Shape[], rng: Rng = defaultRng()): void {
    this.checkArity(inputShapes.length);
    this.outputShape(inputShapes);
    if (this.inputShapes) return;
    this.createWeights(inputShapes, rng);
    this.inputShapes = inputShapes.map((s) => [...s]);
  }

  get built(): boolean {
    return this.inputShapes !== null;
  }

  /** Adds a trainable weight drawn by `init`. */
  protected addWeight(name: string, shape: readonly number[], init: Initializer, rng: Rng): Tensor {
    const t = initialize(init, shape, rng, this.label);
    t.requiresGrad = true;
    t.name = `${this.name}/${name}`;
    this.weights.push([name, t]);
    return t;
  }

  /** Adds a non-trainable state tensor (e.g. running statistics). */
  protected addBuffer(name: string, t: Tensor): Tensor {
    t.name = `${this.name}/${name}`;
    this.buffers.push([name, t]);
    return t;
  }

  /** The layer's own weights by local name (e.g. "kernel", "bias"). */
  weight(name: string): Tensor {
    const w = this.weights.find(([n]) => n === name) ?? this.buffers.find(([n]) => n === name);
    if (!w) throw new ValueError(`${this.label}: no weight named '${name}' (has ${[...this.weights, ...this.buffers].map(([n]) => n).join(", ") || "none"})`);
    return w[1];
  }

  /** Trainable parameters (whatever `trainable` says). */
  parameters(): Tensor[] {
    return this.weights.map(([, t]) => t);
  }

  /** `[ "conv1/kernel", tensor ]` pairs of the parameters. */
  namedParameters(): [string, Tensor][] {
    return this.weights.map(([n, t]) => [`${this.name}/${n}`, t]);
  }

  /** Parameters and buffers, by qualified name: what a checkpoint saves. */
  stateEntries(): [string, Tensor][] {
    return [...this.weights, ...this.buffers].map(([n, t]) => [`${this.name}/${n}`, t]);
  }

  /** Converts the weights and buffers to a dtype in place (float64 for gradient checks), like PyTorch's `double()`. */
  setDtype(dtype: DType): this {
    const cast = (list: [string, Tensor][], grad: boolean): void => {
      for (const e of list) {
        if (e[1].dtype === dtype) continue;
        const t = e[1].astype(dtype);
        t.requiresGrad = grad;
        t.name = e[1].name;
        e[1] = t;
      }
    };
    cast(this.weights, true);
    cast(this.buffers, false);
    return this;
  }

  /** Number of trainable parameters (after build). */
  countParams(): number {
    return this.weights.reduce((s, [, t]) => s + t.size, 0);
  }

  /** Runs the layer on batched tensors: builds it on first use, checks the shapes, computes. */
  call(x: Tensor | readonly Tensor[], ctx: CallContext = { training: false }): Tensor {
    const xs = x instanceof Tensor ? [x] : [...x];
    this.checkArity(xs.length);
    const m = xs[0]!.shape[0];
    for (const t of xs) {
      if (t.rank < 1) throw this.error(`expected a batch of inputs [m,...], got a scalar`);
      if (t.shape[0] !== m) throw this.error(`inputs have different batch sizes (${xs.map((u) => fmtShape(u.shape)).join(", ")})`);
    }
    const shapes = xs.map((t) => t.shape.slice(1));
    if (!this.built) this.build(shapes);
    else this.outputShape(shapes);
    return this.compute(xs, ctx);
  }

  /** Applies the layer to symbolic tensors, for graph models: `cl.nn.dense({ units: 10 }).apply(h)`. */
  apply(x: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor {
    const xs = x instanceof SymbolicTensor ? [x] : [...x];
    for (const s of xs) if (!(s instanceof SymbolicTensor)) throw new ValueError(`${this.label}: apply() takes symbolic tensors from cl.nn.input() or other layers' apply(); use call() for tensors`);
    this.checkArity(xs.length);
    return new SymbolicTensor(this.outputShape(xs.map((s) => s.shape)), { layer: this, inputs: xs });
  }

  /** Config for summaries and printing (e.g. "f5 s1 8"). */
  describe(): string {
    return "";
  }
}

/** The batch-less shape a message shows: [m,32,32,3]. */
export function batchShape(shape: Shape): string {
  return `[m,${shape.join(",")}]`;
}
