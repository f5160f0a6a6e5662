// Models: a graph of layers from `cl.nn.input` to an output (the functional API), and
// `cl.nn.sequential` as the special case of a chain. A model is itself a layer, so blocks nest.
import { Tensor, type DType } from "../tensor/tensor.js";
import { sizeOf } from "../tensor/shape.js";
import { noGrad } from "../autograd/tape.js";
import { softmax } from "../ops/activations.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { Rng, defaultRng } from "../util/rng.js";
import type { Trainable } from "../train/types.js";
import * as training from "../train/fit.js";
import { modelFiles } from "./files.js";
import { Layer, SymbolicTensor, batchShape, type CallContext, type LayerOptions, type Shape } from "./layer.js";
import { Summary, type SummaryRow } from "./summary.js";

/** The placeholder layer behind `cl.nn.input(shape)`. */
export class InputLayer extends Layer {
  override readonly arity: number = 0;
  readonly shape: number[];
  constructor(shape: readonly number[], opts: LayerOptions = {}) {
    super(opts);
    if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0))
      throw this.configError(`shape must be a non-empty list of positive integers without the batch axis (e.g. [32, 32, 3]), got ${JSON.stringify(shape)}`);
    this.shape = [...shape];
  }
  get type(): string { return "Input"; }
  get kind(): string { return "input"; }
  outputShape(): number[] {
    return [...this.shape];
  }
  protected compute(): Tensor {
    throw new ValueError(`${this.label}: an input layer has no computation`);
  }
}

/** A symbolic input of a graph model: `const x = cl.nn.input([32, 32, 3])`. */
export function input(shape: readonly number[], opts: LayerOptions = {}): SymbolicTensor {
  const layer = new InputLayer(shape, opts);
  return new SymbolicTensor([...layer.shape], { layer, inputs: [] });
}

export interface ModelOptions {
  inputs: SymbolicTensor | readonly SymbolicTensor[];
  outputs: SymbolicTensor;
  name?: string;
  /** Seed of the weight initialization (and dropout masks): the same seed gives bit-identical weights. */
  seed?: number;
  trainable?: boolean;
}

export interface ActivationsOptions {
  /** Only these layers (by name); default all. */
  layers?: readonly string[];
}

/** One layer's output for a batch, from `model.activations(x)`. */
export interface LayerActivation {
  name: string;
  type: string;
  output: Tensor;
}

/** A graph model (see `cl.nn.model`); `sequential` builds the same thing from a chain. */
export class Model extends Layer implements Trainable {
  protected typeName = "Model";
  override arity = 1;
  inputs: SymbolicTensor[] = [];
  output: SymbolicTensor | null = null;
  /** Every symbolic tensor from the inputs to the output, each after those it depends on. */
  protected order: SymbolicTensor[] = [];
  /** The model's layers (inputs excluded), each once, in order. */
  layers: Layer[] = [];
  readonly seed: number | undefined;

  constructor(opts: { name?: string; seed?: number; trainable?: boolean } = {}) {
    super(opts.name === undefined ? { trainable: opts.trainable } : { name: opts.name, trainable: opts.trainable });
    if (opts.seed !== undefined && !Number.isFinite(opts.seed)) throw new ValueError(`model: seed must be a number, got ${String(opts.seed)}`);
    this.seed = opts.seed;
  }

  get type(): string {
    return this.typeName;
  }
  get kind(): string {
    return this.typeName === "Sequential" ? "sequential" : "model";
  }

  /** Sets the graph: orders it, names unnamed layers `<kind>_<n>`, checks names are unique, builds the weights. */
  protected setGraph(inputs: SymbolicTensor[], output: SymbolicTensor): void {
    const order: SymbolicTensor[] = [];
    const seen = new Set<SymbolicTensor>();
    // Symbolic tensors only point back to tensors that existed before them, so there are no cycles.
    const visit = (s: SymbolicTensor): void => {
      if (seen.has(s)) return;
      if (s.node.layer instanceof InputLayer && !inputs.includes(s))
        throw new ValueError(`${this.label}: the output depends on input '${s.node.layer.name}' ${batchShape(s.shape)}, which is not among the model's inputs`);
      for (const i of s.node.inputs) visit(i);
      seen.add(s);
      order.push(s);
    };
    visit(output);
    for (const i of inputs) if (!seen.has(i)) order.unshift(i);
    this.inputs = inputs;
    this.output = output;
    this.order = order;
    this.arity = inputs.length;
    this.layers = [...new Set(order.map((s) => s.node.layer).filter((l) => !(l instanceof InputLayer)))];
    const counts = new Map<string, number>();
    for (const l of order.map((s) => s.node.layer)) {
      if (l.namedByUser || l.hasName) continue;
      const n = (counts.get(l.kind) ?? 0) + 1;
      counts.set(l.kind, n);
      l.name = l instanceof InputLayer ? (n === 1 ? "input" : `input_${n}`) : `${l.kind}_${n}`;
    }
    const byName = new Map<string, Layer>();
    for (const l of new Set(order.map((s) => s.node.layer))) {
      const other = byName.get(l.name);
      if (other && other !== l) throw new ValueError(`${this.label}: two layers are named '${l.name}' (names must be unique within a model)`);
      byName.set(l.name, l);
    }
    const rng = this.seed !== undefined ? new Rng(this.seed) : defaultRng();
    for (const s of order) if (!(s.node.layer instanceof InputLayer)) s.node.layer.build(s.node.inputs.map((i) => i.shape), rng);
    this.inputShapes = inputs.map((i) => [...i.shape]);
  }

  /** The graph, or an error saying how to build it (a sequential model without inputShape before its first call). */
  protected graph(): { inputs: SymbolicTensor[]; output: SymbolicTensor } {
    if (!this.output) throw new ValueError(`${this.label}: the model is not built yet: give inputShape, or call it on a batch first`);
    return { inputs: this.inputs, output: this.output };
  }

  outputShape(inputShapes: Shape[]): number[] {
    const { inputs, output } = this.graph();
    if (inputShapes.length !== inputs.length) throw this.error(`expects ${inputs.length} input(s), got ${inputShapes.length}`);
    inputShapes.forEach((s, i) => {
      const want = inputs[i]!.shape;
      if (s.length !== want.length || s.some((d, j) => d !== want[j]))
        throw this.error(`expected input ${batchShape(want)}, got ${batchShape(s)}`);
    });
    return [...output.shape];
  }

  protected compute(xs: Tensor[], ctx: CallContext): Tensor {
    const values = this.run(xs, ctx);
    return values.get(this.graph().output)!;
  }

  /** Runs the graph, keeping every intermediate value. */
  private run(xs: Tensor[], ctx: CallContext): Map<SymbolicTensor, Tensor> {
    const { inputs } = this.graph();
    const values = new Map<SymbolicTensor, Tensor>();
    inputs.forEach((s, i) => values.set(s, xs[i]!));
    for (const s of this.order) {
      if (values.has(s)) continue;
      values.set(s, s.node.layer.call(s.node.inputs.map((i) => values.get(i)!), ctx));
    }
    return values;
  }

  /** Checks the batch against the model's inputs and builds a lazy model. */
  protected prepare(x: Tensor | readonly Tensor[]): Tensor[] {
    const xs = x instanceof Tensor ? [x] : [...x];
    for (const t of xs) if (!(t instanceof Tensor)) throw new ValueError(`${this.label}: expected a tensor (or one per input), got ${typeof t}`);
    this.ensureBuilt(xs);
    const { inputs } = this.graph();
    if (xs.length !== inputs.length) throw new ShapeError(`${this.label}: expects ${inputs.length} input tensor(s), got ${xs.length}`);
    xs.forEach((t, i) => {
      const want = inputs[i]!.shape;
      const got = t.shape.slice(1);
      if (t.rank !== want.length + 1 || got.some((d, j) => d !== want[j]))
        throw new ShapeError(`${this.label}: expected input ${batchShape(want)}, got ${fmtShape(t.shape)}`);
    });
    return xs;
  }

  /** Hook for models whose graph is made from the first batch (sequential without inputShape). */
  protected ensureBuilt(_xs: Tensor[]): void {}

  /** The output for a batch (logits for classifiers), recording autograd; `training` switches dropout/batch-norm. */
  forward(x: Tensor | readonly Tensor[], opts: { training: boolean } = { training: false }): Tensor {
    return this.compute(this.prepare(x), opts);
  }

  /** The output for a batch in evaluation mode, without autograd. */
  predict(x: Tensor | readonly Tensor[]): Tensor {
    return noGrad(() => this.forward(x, { training: false }));
  }

  /** Class probabilities: softmax of `predict(x)`. */
  predictProba(x: Tensor | readonly Tensor[]): Tensor {
    return noGrad(() => softmax(this.predict(x), -1));
  }

  /**
   * Trains the model (async; see `cl.train.fit`): mini-batches of `data` (`{ x, y }` or an
   * iterable of batches), one optimizer step each; resolves to `{ epochs: [{ epoch, loss, metrics }] }`.
   *
   *   await model.fit(train, { optimizer: cl.train.adam({ lr: 1e-3 }), loss: "softmaxCrossEntropy", epochs: 3, batchSize: 64, seed: 0 })
   */
  fit(data: training.Data, opts: training.FitOptions): Promise<training.History> {
    return training.fit(this, data, opts);
  }

  /** Mean loss and metrics on data (async, batched): `const { loss, accuracy } = await model.evaluate(test)`. */
  evaluate(data: training.Data, opts: training.EvaluateOptions = {}): Promise<training.EvaluateResult> {
    return training.evaluate(this, data, opts);
  }

  /** `predict` over `x` in batches of `batchSize` (async, yields between batches): one tensor of outputs. */
  predictBatched(x: Tensor, opts: training.PredictOptions = {}): Promise<Tensor> {
    return training.predictBatched(this, x, opts);
  }

  /** Every layer's output for a batch (evaluation mode, no autograd), in order: for feature maps. */
  activations(x: Tensor | readonly Tensor[], opts: ActivationsOptions = {}): LayerActivation[] {
    const xs = this.prepare(x);
    const wanted = opts.layers;
    if (wanted) for (const n of wanted) this.getLayer(n);
    const values = noGrad(() => this.run(xs, { training: false }));
    const out: LayerActivation[] = [];
    for (const s of this.order) {
      const l = s.node.layer;
      if (l instanceof InputLayer || (wanted && !wanted.includes(l.name))) continue;
      out.push({ name: l.name, type: l.type, output: values.get(s)! });
    }
    return out;
  }

  /** The layer with this name. */
  getLayer(name: string): Layer {
    this.graph();
    const l = [...this.layers, ...this.inputs.map((s) => s.node.layer)].find((q) => q.name === name);
    if (!l) throw new ValueError(`${this.label}: no layer named '${name}' (layers: ${this.layers.map((q) => q.name).join(", ")})`);
    return l;
  }

  override parameters(): Tensor[] {
    return [...new Set(this.layers.flatMap((l) => l.parameters()))];
  }

  /** The parameters the optimizer updates: those of trainable layers (nested models recursively). */
  trainableParameters(): Tensor[] {
    if (!this.trainable) return [];
    return [...new Set(this.layers.flatMap((l) => (l instanceof Model ? l.trainableParameters() : l.trainable ? l.parameters() : [])))];
  }

  override namedParameters(): [string, Tensor][] {
    return this.layers.flatMap((l) => l.namedParameters());
  }

  override stateEntries(): [string, Tensor][] {
    return this.layers.flatMap((l) => l.stateEntries()).map(([n, t]) => [`${this.name}/${n}`, t]);
  }

  override setDtype(dtype: DType): this {
    for (const l of this.layers) l.setDtype(dtype);
    return this;
  }

  override countParams(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  override mults(): number {
    return this.summary().totalMults;
  }

  /** Parameters and buffers by qualified name (`CONV1/kernel`), as a checkpoint stores them. */
  stateDict(): Record<string, Tensor> {
    this.graph();
    const out: Record<string, Tensor> = {};
    for (const [n, t] of this.layers.flatMap((l) => l.stateEntries())) out[n] = t;
    return out;
  }

  /** Copies values from a state dict into the model; names and shapes must match exactly. */
  loadStateDict(state: Readonly<Record<string, Tensor>>): void {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in state));
    const extra = Object.keys(state).filter((k) => !(k in own));
    if (missing.length || extra.length)
      throw new ValueError(
        `${this.label}: the state does not fit the model` +
          (missing.length ? `; missing: ${missing.join(", ")}` : "") +
          (extra.length ? `; unexpected: ${extra.join(", ")}` : ""),
      );
    for (const [k, t] of Object.entries(own)) {
      const src = state[k]!;
      if (src.shape.join() !== t.shape.join()) throw new ShapeError(`${this.label}: '${k}' has shape ${fmtShape(src.shape)} in the state but ${fmtShape(t.shape)} in the model`);
    }
    for (const [k, t] of Object.entries(own)) t.data.set(state[k]!.data);
  }

  /**
   * Saves the weights and buffers (the stateDict) to a checkpoint file, written atomically (Node:
   * `cl.io.saveModel`). `meta` is stored beside them.
   *
   *   model.save("lenet5.ckpt"); other.loadWeights("lenet5.ckpt")
   */
  save(path: string, meta: Record<string, unknown> = {}): void {
    modelFiles("model.save").save(this, path, meta);
  }

  /** Loads weights saved by `save` into this model (same architecture: names and shapes must match); returns the saved metadata. */
  loadWeights(path: string): Record<string, unknown> {
    return modelFiles("model.loadWeights").loadWeights(this, path);
  }

  /** The layer table of DESIGN "Contracts": input row first, then each layer's shape, size, params and mults. */
  summary(): Summary {
    this.graph();
    const rows: SummaryRow[] = [];
    for (const s of this.order) {
      const l = s.node.layer;
      const shapes = s.node.inputs.map((i) => i.shape);
      rows.push({
        name: l.name,
        type: l.type,
        outputShape: [...s.shape],
        activationSize: sizeOf(s.shape),
        params: l instanceof InputLayer ? 0 : l.countParams(),
        mults: l instanceof InputLayer ? 0 : l.mults(shapes),
        config: l.describe(),
        ...(l instanceof InputLayer ? {} : { inputs: s.node.inputs.map((i) => i.node.layer.name) }),
      });
    }
    const total = this.countParams();
    const trainable = this.trainableParameters().reduce((s, t) => s + t.size, 0);
    return new Summary(this.name, rows, total, trainable, this.type);
  }

  /** Shown by the convlab kernel as the summary table. */
  toMimeBundle(): { data: Record<string, unknown> } {
    return this.summary().toMimeBundle();
  }

  override toString(): string {
    return this.output ? this.summary().toString() : `${this.type} '${this.name}' (not built yet)`;
  }
}

/** A graph model from symbolic inputs to an output: `cl.nn.model({ inputs: x, outputs: y })`. */
export function model(opts: ModelOptions): Model {
  if (!opts || !(opts.outputs instanceof SymbolicTensor)) throw new ValueError("model: outputs must be a symbolic tensor (from layer.apply(...))");
  const inputs = opts.inputs instanceof SymbolicTensor ? [opts.inputs] : [...(opts.inputs ?? [])];
  if (inputs.length === 0 || !inputs.every((i) => i instanceof SymbolicTensor && i.node.layer instanceof InputLayer))
    throw new ValueError("model: inputs must be one or more symbolic inputs from cl.nn.input(shape)");
  const m = new GraphModel(opts);
  m.init(inputs, opts.outputs);
  return m;
}

class GraphModel extends Model {
  init(inputs: SymbolicTensor[], output: SymbolicTensor): void {
    this.setGraph(inputs, output);
  }
}

export interface SequentialOptions {
  /** Input shape without the batch axis, e.g. [32, 32, 3]; without it the model is built on its first batch. */
  inputShape?: readonly number[];
  name?: string;
  seed?: number;
  trainable?: boolean;
}

/** A chain of layers: `cl.nn.sequential([conv, pool, dense], { inputShape: [32, 32, 3] })`. */
export class Sequential extends Model {
  protected override typeName = "Sequential";
  private readonly chain: Layer[];

  constructor(layers: readonly Layer[], opts: SequentialOptions = {}) {
    super(opts);
    if (!Array.isArray(layers) || layers.length === 0) throw new ValueError("sequential: expected a non-empty list of layers");
    layers.forEach((l, i) => {
      if (!(l instanceof Layer)) throw new ValueError(`sequential: entry ${i} is not a layer (got ${l === null ? "null" : typeof l})`);
      if (l.arity !== 1) throw new ValueError(`sequential: ${l.label} takes several inputs; use cl.nn.model with apply() for branches`);
    });
    this.chain = [...layers];
    if (opts.inputShape !== undefined) this.buildFor(opts.inputShape);
  }

  private buildFor(shape: readonly number[]): void {
    const inp = input(shape);
    let h = inp;
    for (const l of this.chain) h = l.apply(h);
    this.setGraph([inp], h);
  }

  override outputShape(inputShapes: Shape[]): number[] {
    if (!this.output && inputShapes.length === 1) this.buildFor(inputShapes[0]!);
    return super.outputShape(inputShapes);
  }

  protected override ensureBuilt(xs: Tensor[]): void {
    if (this.output || xs.length !== 1) return;
    const x = xs[0]!;
    if (x.rank < 2) throw new ShapeError(`${this.label}: expected a batch [m,...], got ${fmtShape(x.shape)}`);
    this.buildFor(x.shape.slice(1));
  }
}

/** `cl.nn.sequential(layers, { inputShape, name?, seed? })`. */
export function sequential(layers: readonly Layer[], opts: SequentialOptions = {}): Sequential {
  return new Sequential(layers, opts);
}
