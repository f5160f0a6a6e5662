// The layer base: configuration checked at construction, parameter shapes declared from the input
// shape (`define`), `outputShape` without computing, an eager `call` on tensors and a symbolic
// `apply` for graph models (Keras's functional API). Layers are thin: `compute` calls ops.
//
// Weights are lazy: `define` records each parameter's name, shape, initializer and seed, so
// parameter counts and summaries need no memory; the tensor is allocated and initialised on first
// use (`weight(name)`, `parameters()`, a call) or filled straight from loaded values
// (`assignWeight`) without a random initialisation first.
import { Tensor, allocate, type DType } from "../tensor/tensor.js";
import { sizeOf } from "../tensor/shape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { Rng, defaultRng } from "../util/rng.js";
import { initialize, type Initializer } from "./initializers.js";
import { received } from "./args.js";

/** A shape without the batch axis, e.g. [32, 32, 3]. */
export type Shape = readonly number[];

export interface CallContext {
  /** Dropout drops and batch-norm uses batch statistics only while training. */
  training: boolean;
}

export interface LayerOptions {
  /** The layer's name (unique within a model); by default the model names it `<kind>_<n>`. */
  name?: string;
  /** Whether the optimizer updates its parameters (default true); frozen parameters get no gradient. */
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

/** One parameter or buffer of a layer: declared by `define`, allocated on first use. */
interface Slot {
  name: string;
  shape: number[];
  /** How to fill it when it is first used: an initializer, or a constant for buffers. */
  init: Initializer | number;
  /** Buffers (running statistics) are state, not parameters: never trained, not counted. */
  buffer: boolean;
  /** Seed of this parameter's own initialisation stream (drawn from the model's generator at define). */
  seed: number;
  dtype: DType;
  tensor: Tensor | null;
}

let anonymous = 0;

/** Layer classes whose `compute` keeps no reference to its inputs (see `keepsNoInputs`). */
const NO_INPUT_KEEPERS = new WeakSet<object>();

/**
 * Declares that layers of exactly this class (not subclasses) keep no reference to their input
 * tensors after `call` returns (the built-in layers). A graph run without autograd may then give
 * an intermediate activation's array back for reuse once all its consumers have run (graph.ts).
 * @internal
 */
export function keepsNoInputs(...classes: object[]): void {
  for (const c of classes) NO_INPUT_KEEPERS.add(c);
}

/** Whether `layer`'s class was declared with `keepsNoInputs`. @internal */
export function keepsNoInputsOf(layer: Layer): boolean {
  return NO_INPUT_KEEPERS.has(layer.constructor);
}

export abstract class Layer {
  /** Layer type for summaries, e.g. "Conv2D". */
  abstract get type(): string;
  /** Lower-case kind used in default names and messages, e.g. "conv2d". */
  abstract get kind(): string;
  private _name: string | null;
  /** True when the name was given by the user (models keep it). */
  readonly namedByUser: boolean;
  private _trainable = true;
  /** Inputs a call takes: 1 for most layers, 0 for "any number ≥ 2" (merge layers). */
  readonly arity: number = 1;
  /** Input shapes (without batch) the weights were declared for; null before `define`. */
  inputShapes: Shape[] | null = null;
  private slots: Slot[] = [];
  /** The symbolic tensors this layer produced (one per `apply`). */
  private readonly producedNodes: SymbolicTensor[] = [];

  constructor(opts: LayerOptions = {}) {
    if (opts === null || typeof opts !== "object" || Array.isArray(opts))
      throw new ValueError(`layer: options must be an object such as { name: "conv1" }, got ${received(opts)}`);
    if (opts.name !== undefined && (typeof opts.name !== "string" || opts.name === "" || opts.name.includes("/")))
      throw new ValueError(`layer: name must be a non-empty string without '/', got ${JSON.stringify(opts.name)}`);
    if (opts.trainable !== undefined && typeof opts.trainable !== "boolean")
      throw new ValueError(`layer: trainable must be true or false, got ${received(opts.trainable)}`);
    this.namedByUser = opts.name !== undefined;
    this._name = opts.name ?? null;
    this._trainable = opts.trainable ?? true;
  }

  /** The layer's name: the user's, or `<kind>_<n>` from the model that owns it (`<kind>_<id>` until then). */
  get name(): string {
    if (this._name === null) this._name = `${this.kind}_${++anonymous}`;
    return this._name;
  }
  set name(v: string) {
    this._name = v;
    for (const s of this.slots) if (s.tensor) s.tensor.name = `${v}/${s.name}`;
  }

  /** Whether the layer has a name yet (given, or set by a model). */
  get hasName(): boolean {
    return this._name !== null;
  }

  /**
   * Whether the optimizer updates this layer's parameters. Setting it to false freezes them:
   * they stop requiring grad, so backward computes no gradient for them at all.
   */
  get trainable(): boolean {
    return this._trainable;
  }
  set trainable(v: boolean) {
    if (typeof v !== "boolean") throw new ValueError(`${this.label}: trainable must be true or false, got ${received(v)}`);
    this._trainable = v;
    for (const s of this.slots) if (s.tensor && !s.buffer) s.tensor.requiresGrad = v;
  }

  /** `conv2d layer 'conv1'`, the prefix of every message about this layer. */
  get label(): string {
    return this._name === null ? `${this.kind} layer` : `${this.kind} layer '${this._name}'`;
  }

  /**
   * The output shape of a layer that works per channel (batch-norm, per-channel scale and bias):
   * the input's, checked to be `[m,...,nC]` with the channel count the layer was built for.
   */
  protected perChannelShape(inputShapes: Shape[]): number[] {
    const x = inputShapes[0]!;
    if (x.length === 0) throw this.error(`expected input [m,...,nC], got ${batchShape(x)}`);
    const built = this.inputShapes?.[0];
    if (built) {
      const c = built[built.length - 1]!;
      if (x[x.length - 1] !== c) throw this.error(`input has ${x[x.length - 1]} channels but the layer was built for ${c} (input ${batchShape(x)})`);
    }
    return [...x];
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
    throw this.configError(`${name} must be a positive integer${allowTuple ? ` (or ${allowTuple} of them)` : ""}, got ${received(v)}`);
  }

  /** The output shape (without batch) for these input shapes; throws naming the layer when they don't fit. */
  abstract outputShape(inputShapes: Shape[]): number[];

  /** The computation, on batched tensors whose shapes `outputShape` accepted. */
  protected abstract compute(xs: Tensor[], ctx: CallContext): Tensor;

  /** Declares the weights for these input shapes with `addWeight`/`addBuffer` (layers with weights override it). */
  protected createWeights(_inputShapes: Shape[], _rng: Rng): void {}

  /** Multiplications per example in the forward pass (conv and dense layers; 0 otherwise). */
  mults(_inputShapes: Shape[]): number {
    return 0;
  }

  protected checkArity(n: number): void {
    if (this.arity === 0 ? n < 2 : n !== this.arity)
      throw this.error(`expects ${this.arity === 0 ? "at least 2 inputs" : this.arity === 1 ? "1 input" : `${this.arity} inputs`}, got ${n}`);
  }

  /**
   * Declares the weights for these input shapes, once (a defined layer checks the shapes still
   * fit). Allocates nothing: shapes and seeds only. Graph models call it for every layer.
   */
  define(inputShapes: Shape[], rng: Rng = defaultRng()): void {
    this.checkArity(inputShapes.length);
    this.outputShape(inputShapes);
    if (this.inputShapes) return;
    this.createWeights(inputShapes, rng);
    this.inputShapes = inputShapes.map((s) => [...s]);
  }

  /** Declares the weights for these input shapes (see `define`) and allocates them now. */
  build(inputShapes: Shape[], rng: Rng = defaultRng()): void {
    this.define(inputShapes, rng);
    this.materialize();
  }

  /** Whether the input shapes (and so the parameter shapes) are known. */
  get built(): boolean {
    return this.inputShapes !== null;
  }

  /** Whether every declared weight has been allocated. */
  get materialized(): boolean {
    return this.slots.every((s) => s.tensor !== null);
  }

  /** Allocates and initialises every weight not allocated yet. */
  materialize(): void {
    for (const s of this.slots) this.tensorOf(s);
  }

  /**
   * Declares a trainable weight of `shape`, drawn by `init` on first use. Its seed comes from
   * `rng` now, so the values do not depend on which weight is used first.
   */
  protected addWeight(name: string, shape: readonly number[], init: Initializer, rng: Rng): void {
    this.addSlot(name, shape, init, false, rng.nextU32());
  }

  /** Declares a non-trainable state tensor (e.g. running statistics) filled with `fill`, or given as a tensor. */
  protected addBuffer(name: string, value: Tensor | { shape: readonly number[]; fill?: number }): void {
    if (value instanceof Tensor) {
      this.addSlot(name, value.shape, 0, true, 0);
      const t = value;
      t.name = `${this.name}/${name}`;
      this.slots[this.slots.length - 1]!.tensor = t;
    } else this.addSlot(name, value.shape, value.fill ?? 0, true, 0);
  }

  private addSlot(name: string, shape: readonly number[], init: Initializer | number, buffer: boolean, seed: number): void {
    if (this.slots.some((s) => s.name === name)) throw this.configError(`declares the weight '${name}' twice`);
    this.slots.push({ name, shape: [...shape], init, buffer, seed, dtype: "float32", tensor: null });
  }

  private tensorOf(s: Slot): Tensor {
    if (s.tensor) return s.tensor;
    let t: Tensor;
    if (typeof s.init === "number") {
      const data = allocate(s.dtype, sizeOf(s.shape));
      if (s.init !== 0) data.fill(s.init);
      t = new Tensor(data, s.shape);
    } else t = initialize(s.init, s.shape, new Rng(s.seed), this.label, s.dtype);
    return this.adopt(s, t);
  }

  private adopt(s: Slot, t: Tensor): Tensor {
    t.requiresGrad = !s.buffer && this._trainable;
    t.name = `${this.name}/${s.name}`;
    s.tensor = t;
    return t;
  }

  private slot(name: string): Slot {
    const s = this.slots.find((q) => q.name === name);
    if (!s) throw new ValueError(`${this.label}: no weight named '${name}' (has ${this.slots.map((q) => q.name).join(", ") || "none"})`);
    return s;
  }

  /** The layer's own weight or buffer by local name (e.g. "kernel", "bias"), allocated on first use. */
  weight(name: string): Tensor {
    return this.tensorOf(this.slot(name));
  }

  /** Whether the layer declares a weight or buffer of this local name. */
  hasWeight(name: string): boolean {
    return this.slots.some((s) => s.name === name);
  }

  /**
   * Sets a weight or buffer from `values` (same shape; converted to the layer's dtype). A weight
   * not allocated yet is created from the values directly, without a random initialisation; an
   * allocated one is overwritten in place (optimizers keep their state for it).
   */
  assignWeight(name: string, values: Tensor): void {
    const s = this.slot(name);
    if (!(values instanceof Tensor)) throw new ValueError(`${this.label}: the value for '${name}' must be a tensor, got ${received(values)}`);
    if (values.shape.join() !== s.shape.join())
      throw new ShapeError(`${this.label}: '${name}' has shape ${fmtShape(s.shape)} but the value has shape ${fmtShape(values.shape)}`);
    if (s.tensor) {
      s.tensor.data.set(values.data);
      return;
    }
    const data = allocate(s.dtype, values.size);
    data.set(values.data);
    this.adopt(s, new Tensor(data, s.shape));
  }

  /** The declared weights and buffers: local name, shape, whether a buffer, and whether allocated (nothing is allocated). */
  weightSpecs(): { name: string; shape: number[]; buffer: boolean; allocated: boolean }[] {
    return this.slots.map((s) => ({ name: s.name, shape: [...s.shape], buffer: s.buffer, allocated: s.tensor !== null }));
  }

  /** Trainable parameters (whatever `trainable` says), allocated on first use. */
  parameters(): Tensor[] {
    return this.slots.filter((s) => !s.buffer).map((s) => this.tensorOf(s));
  }

  /** `[ "conv1/kernel", tensor ]` pairs of the parameters. */
  namedParameters(): [string, Tensor][] {
    return this.slots.filter((s) => !s.buffer).map((s) => [`${this.name}/${s.name}`, this.tensorOf(s)]);
  }

  /** Qualified names and shapes of the parameters and buffers, without allocating: `[["conv1/kernel", [5,5,3,8]], ...]`. */
  stateShapes(): [string, number[]][] {
    return this.slots.map((s) => [`${this.name}/${s.name}`, [...s.shape]]);
  }

  /** Parameters and buffers, by qualified name: what a checkpoint saves (allocated on first use). */
  stateEntries(): [string, Tensor][] {
    return this.slots.map((s) => [`${this.name}/${s.name}`, this.tensorOf(s)]);
  }

  /** The weight or buffer behind a qualified name of `stateShapes()` (the owner for nested models). */
  resolveState(qualified: string): { layer: Layer; local: string } | null {
    const prefix = `${this.name}/`;
    if (!qualified.startsWith(prefix)) return null;
    const local = qualified.slice(prefix.length);
    return this.hasWeight(local) ? { layer: this, local } : null;
  }

  /** Converts the weights and buffers to a dtype in place (float64 for gradient checks), like PyTorch's `double()`. */
  setDtype(dtype: DType): this {
    if (dtype !== "float32" && dtype !== "float64") throw new ValueError(`${this.label}: setDtype: dtype must be "float32" or "float64", got ${received(dtype)}`);
    for (const s of this.slots) {
      s.dtype = dtype;
      if (!s.tensor || s.tensor.dtype === dtype) continue;
      const t = s.tensor.astype(dtype);
      s.tensor = null;
      this.adopt(s, t);
    }
    return this;
  }

  /** Number of trainable parameters, from the declared shapes (nothing is allocated). */
  countParams(): number {
    return this.slots.reduce((n, s) => (s.buffer ? n : n + sizeOf(s.shape)), 0);
  }

  /** Runs the layer on batched tensors: defines it on first use, checks the shapes, computes. */
  call(x: Tensor | readonly Tensor[], ctx: CallContext = { training: false }): Tensor {
    return this.compute(this.checkCall(x), ctx);
  }

  /** call()'s checks of its inputs (arity, batch sizes, shapes; builds the layer on first use). @internal */
  checkCall(x: Tensor | readonly Tensor[]): Tensor[] {
    const xs = x instanceof Tensor ? [x] : Array.isArray(x) ? [...x] : null;
    if (!xs || xs.some((t) => !(t instanceof Tensor))) throw new ValueError(`${this.label}: call() takes a tensor (or a list of tensors), got ${received(x)}`);
    this.checkArity(xs.length);
    const m = xs[0]!.shape[0];
    for (const t of xs) {
      if (t.rank < 1) throw this.error(`expected a batch of inputs [m,...], got a scalar`);
      if (t.shape[0] !== m) throw this.error(`inputs have different batch sizes (${xs.map((u) => fmtShape(u.shape)).join(", ")})`);
    }
    const shapes = xs.map((t) => t.shape.slice(1));
    if (!this.built) this.define(shapes);
    else this.outputShape(shapes);
    return xs;
  }

  /** Applies the layer to symbolic tensors, for graph models: `cl.nn.dense({ units: 10 }).apply(h)`. */
  apply(x: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor {
    const xs = x instanceof SymbolicTensor ? [x] : Array.isArray(x) ? [...x] : null;
    if (!xs || xs.some((s) => !(s instanceof SymbolicTensor)))
      throw new ValueError(`${this.label}: apply() takes symbolic tensors from cl.nn.input() or other layers' apply() (use call() for tensors), got ${received(x)}`);
    this.checkArity(xs.length);
    return this.symbolic(this.outputShape(xs.map((s) => s.shape)), xs);
  }

  /** A new symbolic output of this layer (one node of the graph). @internal */
  symbolic(shape: number[], inputs: SymbolicTensor[]): SymbolicTensor {
    const s = new SymbolicTensor(shape, { layer: this, inputs });
    this.producedNodes.push(s);
    return s;
  }

  /** Every symbolic tensor this layer produced, one per `apply` (a shared layer has several). */
  get nodes(): readonly SymbolicTensor[] {
    return this.producedNodes;
  }

  /**
   * The layer's symbolic output, to cut a sub-model from a (trained) model without copying weights:
   * `cl.nn.model({ inputs: m.inputs, outputs: m.getLayer("CONV2").output })`.
   */
  get output(): SymbolicTensor {
    const n = this.producedNodes.length;
    if (n === 1) return this.producedNodes[0]!;
    if (n === 0) throw new ValueError(`${this.label}: has no symbolic output yet (it was not applied in a graph: use it in cl.nn.sequential or layer.apply(...))`);
    throw new ValueError(`${this.label}: is shared (applied ${n} times), so it has several outputs: use layer.nodes[i] or model.outputOf(name)`);
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
