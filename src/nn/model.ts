// Models: a graph of layers from `cl.nn.input` to one or more outputs (the functional API), and
// `cl.nn.sequential` as the special case of a chain. A model is itself a layer, so blocks nest.
// This file is the thin API; the graph lives in graph.ts, the state (state dicts, loading) in
// state.ts and the summary table in summary.ts.
import { Tensor, type DType } from "../tensor/tensor.js";
import { enableGrad, noGrad } from "../autograd/tape.js";
import { softmax } from "../ops/activations.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { Rng, defaultRng } from "../util/rng.js";
import type { Inputs, Outputs, Targets, Trainable } from "../train/types.js";
import * as training from "../train/fit.js";
import { modelFiles } from "./files.js";
import { Graph } from "./graph.js";
import { InputLayer, input } from "./layers/input.js";
import { Layer, SymbolicTensor, batchShape, type CallContext, type Shape, keepsNoInputs } from "./layer.js";
import { Summary, summarize } from "./summary.js";
import * as state from "./state.js";
import { bool, isRecord, options, received, seedOf } from "./args.js";

export { InputLayer, input };

/** What `outputs` of `cl.nn.model` may be: one symbolic tensor, a list, or a name → tensor record. */
export type SymbolicOutputs = SymbolicTensor | readonly SymbolicTensor[] | { readonly [name: string]: SymbolicTensor };
/** The tensors a model with these symbolic outputs returns: the same structure. */
export type OutputsOf<S> = S extends SymbolicTensor ? Tensor : { -readonly [K in keyof S]: Tensor };

export interface ModelOptions<S extends SymbolicOutputs = SymbolicOutputs> {
  /** One or more symbolic inputs (`cl.nn.input(shape)`, or any symbolic tensor to start a sub-model there). */
  inputs: SymbolicTensor | readonly SymbolicTensor[];
  /** One symbolic tensor, a list, or a record `{ name: tensor }`; `predict` returns the same structure. */
  outputs: S;
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

export interface FeaturesOptions {
  /**
   * Record autograd (default false): the features are then differentiable with respect to `x`
   * (give it `requiresGrad: true`) and to the weights that require grad.
   */
  grad?: boolean;
  /** Training mode for dropout and batch-norm (default false: evaluation). */
  training?: boolean;
}

export interface FreezeOptions {
  /**
   * Batch-norm layers among the frozen ones: "inference" (default, as Keras does) normalises with
   * their running statistics and stops updating them, even while training; "batch" keeps batch
   * statistics while training.
   */
  batchNorm?: "inference" | "batch";
}

/** The structure of a model's outputs. */
interface OutputSpec {
  kind: "single" | "list" | "record";
  /** Record keys, else the output layers' names. */
  names: string[];
  tensors: SymbolicTensor[];
}

function outputSpec(outputs: unknown, owner: string): OutputSpec {
  if (outputs instanceof SymbolicTensor) return { kind: "single", names: [], tensors: [outputs] };
  if (Array.isArray(outputs)) {
    if (outputs.length === 0 || !outputs.every((o) => o instanceof SymbolicTensor))
      throw new ValueError(`${owner}: outputs must be symbolic tensors (from layer.apply(...)), got ${received(outputs)}`);
    return { kind: "list", names: [], tensors: [...outputs] as SymbolicTensor[] };
  }
  if (isRecord(outputs)) {
    const entries = Object.entries(outputs);
    if (entries.length === 0) throw new ValueError(`${owner}: outputs must name at least one symbolic tensor, got an empty record`);
    for (const [k, v] of entries)
      if (!(v instanceof SymbolicTensor)) throw new ValueError(`${owner}: outputs.${k} must be a symbolic tensor (from layer.apply(...)), got ${received(v)}`);
    return { kind: "record", names: entries.map(([k]) => k), tensors: entries.map(([, v]) => v as SymbolicTensor) };
  }
  throw new ValueError(`${owner}: outputs must be a symbolic tensor (from layer.apply(...)), a list or a record of them, got ${received(outputs)}`);
}

/** A graph model (see `cl.nn.model`); `sequential` builds the same thing from a chain. */
export class Model<O extends Outputs = Tensor> extends Layer implements Trainable<O> {
  override arity = 1;
  private net: Graph | null = null;
  private spec: OutputSpec | null = null;
  readonly seed: number | undefined;

  constructor(opts: { name?: string; seed?: number; trainable?: boolean } = {}) {
    super(layerOptions(opts));
    this.seed = seedOf(this.label, opts.seed);
  }

  // Getters (not fields), so that a subclass's names hold while this constructor checks options.
  get type(): string {
    return "Model";
  }
  get kind(): string {
    return "model";
  }

  /** Sets the graph: orders it, names unnamed layers `<kind>_<n>`, checks names are unique, declares the weights (allocating nothing). */
  protected setGraph(inputs: SymbolicTensor[], outputs: SymbolicOutputs): void {
    const spec = outputSpec(outputs, this.label);
    const g = new Graph(inputs, spec.tensors, this.label);
    if (spec.kind !== "record") spec.names = spec.tensors.map((s) => s.node.layer.name);
    this.net = g;
    this.spec = spec;
    this.arity = inputs.length;
    g.define(this.seed !== undefined ? new Rng(this.seed) : defaultRng());
    this.inputShapes = inputs.map((i) => [...i.shape]);
    if (!this.trainable) this.trainable = false;
  }

  /** The graph, or an error saying how to build it (a sequential model without inputShape before its first call). */
  protected graph(): Graph {
    if (!this.net) throw new ValueError(`${this.label}: the model is not built yet: give inputShape, or call it on a batch first`);
    return this.net;
  }

  /** The graph's symbolic inputs, in order. */
  get inputs(): SymbolicTensor[] {
    return this.net ? [...this.net.inputs] : [];
  }

  /** The graph's symbolic outputs, as a list. */
  get outputs(): SymbolicTensor[] {
    return this.spec ? [...this.spec.tensors] : [];
  }

  /** The symbolic output of a one-output model (cut sub-models from it, or `model.outputs` for several). */
  override get output(): SymbolicTensor {
    const s = this.spec;
    if (!s) throw new ValueError(`${this.label}: the model is not built yet: give inputShape, or call it on a batch first`);
    if (s.tensors.length !== 1) throw new ValueError(`${this.label}: has ${s.tensors.length} outputs; use model.outputs`);
    return s.tensors[0]!;
  }

  /** The model's layers (inputs excluded), each once, in order. */
  get layers(): Layer[] {
    return this.net ? [...this.net.layers] : [];
  }

  /** Names of the inputs: the keys of an `x` record. */
  get inputNames(): string[] {
    return this.inputs.map((s) => s.node.layer.name);
  }

  /** Names of the outputs: the record's keys, else the output layers' names (keys of per-output losses and targets). */
  get outputNames(): string[] {
    return this.spec ? [...this.spec.names] : [];
  }

  /** Whether `predict` returns a tensor, a list or a record. */
  get outputKind(): "single" | "list" | "record" {
    return this.spec?.kind ?? "single";
  }

  outputShape(inputShapes: Shape[]): number[] {
    const g = this.graph();
    const out = this.singleOutput();
    if (inputShapes.length !== g.inputs.length) throw this.error(`expects ${g.inputs.length} input(s), got ${inputShapes.length}`);
    inputShapes.forEach((s, i) => {
      const want = g.inputs[i]!.shape;
      if (s.length !== want.length || s.some((d, j) => d !== want[j]))
        throw this.error(`expected input ${batchShape(want)}, got ${batchShape(s)}`);
    });
    return [...out.shape];
  }

  private singleOutput(): SymbolicTensor {
    const s = this.spec!;
    if (s.tensors.length !== 1)
      throw this.error(`has ${s.tensors.length} outputs, so it cannot be used as a layer (cut a one-output model from it: cl.nn.model({ inputs: m.inputs, outputs: m.outputs[0] }))`);
    return s.tensors[0]!;
  }

  protected compute(xs: Tensor[], ctx: CallContext): Tensor {
    const out = this.singleOutput();
    return this.runGraph(xs, [out], ctx).get(out)!;
  }

  private runGraph(xs: Tensor[], wanted: readonly SymbolicTensor[], ctx: CallContext): Map<SymbolicTensor, Tensor> {
    const g = this.graph();
    const values = new Map<SymbolicTensor, Tensor>();
    g.inputs.forEach((s, i) => values.set(s, xs[i]!));
    return g.run(values, wanted, ctx);
  }

  /** Checks `x` against the model's inputs (a tensor, a list, or a record by input name) and builds a lazy model. */
  protected prepare(x: Inputs): Tensor[] {
    let xs: Tensor[];
    if (x instanceof Tensor) xs = [x];
    else if (Array.isArray(x)) xs = [...(x as readonly Tensor[])];
    else if (isRecord(x)) {
      const g = this.graph();
      const names = g.inputs.map((s) => s.node.layer.name);
      const keys = Object.keys(x);
      const missing = names.filter((n) => !keys.includes(n));
      const extra = keys.filter((k) => !names.includes(k));
      if (missing.length || extra.length)
        throw new ValueError(
          `${this.label}: the inputs record ${missing.length ? `has no ${missing.map((n) => `'${n}'`).join(", ")}` : ""}${missing.length && extra.length ? " and " : ""}${extra.length ? `has unknown ${extra.map((n) => `'${n}'`).join(", ")}` : ""} (expected keys ${names.map((n) => `'${n}'`).join(", ")}; got ${keys.map((n) => `'${n}'`).join(", ") || "none"})`,
        );
      xs = names.map((n) => (x as Record<string, Tensor>)[n]!);
    } else throw new ValueError(`${this.label}: expected x as a tensor, a list of tensors or a record by input name, got ${received(x)}`);
    xs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ValueError(`${this.label}: input ${i} must be a tensor, got ${received(t)}`);
    });
    this.ensureBuilt(xs);
    const { inputs } = this.graph();
    if (xs.length !== inputs.length) throw new ShapeError(`${this.label}: expects ${inputs.length} input tensor(s), got ${xs.length}`);
    xs.forEach((t, i) => {
      const want = inputs[i]!.shape;
      const got = t.shape.slice(1);
      if (t.rank !== want.length + 1 || got.some((d, j) => d !== want[j]))
        throw new ShapeError(`${this.label}: expected input${inputs.length > 1 ? ` '${inputs[i]!.node.layer.name}'` : ""} ${batchShape(want)}, got ${fmtShape(t.shape)}`);
    });
    if (xs.some((t) => t.shape[0] !== xs[0]!.shape[0])) throw new ShapeError(`${this.label}: the inputs have different batch sizes (${xs.map((t) => fmtShape(t.shape)).join(", ")})`);
    return xs;
  }

  /** Hook for models whose graph is made from the first batch (sequential without inputShape). */
  protected ensureBuilt(_xs: Tensor[]): void {}

  private pack(ts: Tensor[]): O {
    const s = this.spec!;
    if (s.kind === "single") return ts[0]! as unknown as O;
    if (s.kind === "list") return ts as unknown as O;
    return Object.fromEntries(s.names.map((n, i) => [n, ts[i]!])) as unknown as O;
  }

  /** The outputs for a batch (logits for classifiers), recording autograd; `training` switches dropout/batch-norm. */
  forward(x: Inputs, opts: { training: boolean } = { training: false }): O {
    const xs = this.prepare(x);
    const wanted = this.spec!.tensors;
    const values = this.runGraph(xs, wanted, { training: bool(`${this.label}: forward`, "training", opts?.training, false) });
    return this.pack(wanted.map((s) => values.get(s)!));
  }

  /** The outputs for a batch in evaluation mode, without autograd: a tensor, or the list/record the model's outputs are. */
  predict(x: Inputs): O {
    return noGrad(() => this.forward(x, { training: false }));
  }

  /** Class probabilities of a one-output classifier: softmax of `predict(x)`. */
  predictProba(x: Inputs): Tensor {
    this.graph();
    if (this.spec!.kind !== "single") throw new ValueError(`${this.label}: predictProba needs a model with one output; apply cl.softmax to the outputs of predict`);
    return noGrad(() => softmax(this.predict(x) as unknown as Tensor, -1));
  }

  /**
   * Trains the model (async; see `cl.train.fit`): mini-batches of `data` (`{ x, y }`, a
   * `cl.data.dataset` or an iterable of batches), one optimizer step each; resolves to
   * `{ epochs: [{ epoch, loss, metrics }] }`.
   *
   *   await model.fit(train, { optimizer: cl.train.adam({ lr: 1e-3 }), loss: "softmaxCrossEntropy", epochs: 3, batchSize: 64, seed: 0 })
   */
  fit<Y extends Targets = Tensor>(data: training.Data<Y>, opts: training.FitOptions<O, Y>): Promise<training.History> {
    return training.fit(this, data, opts);
  }

  /** Mean loss and metrics on data (async, batched): `const { loss, accuracy } = await model.evaluate(test)`. */
  evaluate<Y extends Targets = Tensor>(data: training.Data<Y>, opts: training.EvaluateOptions<O, Y> = {}): Promise<training.EvaluateResult> {
    return training.evaluate(this, data, opts);
  }

  /** `predict` over `x` in batches of `batchSize` (async, yields between batches): the outputs for all of x. */
  predictBatched(x: Inputs, opts: training.PredictOptions = {}): Promise<O> {
    return training.predictBatched(this, x, opts);
  }

  /** The node of this graph made by layer `name` (exactly one), for features and cutting. */
  outputOf(name: string): SymbolicTensor {
    if (typeof name !== "string") throw new ValueError(`${this.label}: a layer name must be a string, got ${received(name)}`);
    const nodes = this.graph().nodesOf(name);
    if (nodes.length === 1) return nodes[0]!;
    if (nodes.length === 0) throw this.unknownLayer(name);
    throw new ValueError(`${this.label}: layer '${name}' is shared (applied ${nodes.length} times in this model), so its output is ambiguous`);
  }

  private unknownLayer(name: string): ValueError {
    const names = this.graph().allLayers().map((q) => q.name);
    const shown = names.length > 30 ? [...names.slice(0, 30), `… ${names.length - 30} more`] : names;
    return new ValueError(`${this.label}: no layer named '${name}' (layers: ${shown.join(", ")})`);
  }

  /**
   * The activations of the named layers for `x` in one forward pass, as a record by name. With
   * `grad: true` they are differentiable with respect to `x` and the weights (style transfer,
   * activation maximisation); only the layers they need are computed. `"inner/layer"` names a
   * layer of the nested model `inner`.
   *
   *   const f = vgg.features(img, ["block1_conv1", "block4_conv2"], { grad: true });
   *   cl.style.gram(f.block1_conv1)
   */
  features(x: Inputs, layers: string | readonly string[], opts: FeaturesOptions = {}): Record<string, Tensor> {
    const op = `${this.label}: features`;
    const o = options(op, opts, "{ grad?, training? }");
    const grad = bool(op, "grad", o.grad, false), train = bool(op, "training", o.training, false);
    const names = typeof layers === "string" ? [layers] : Array.isArray(layers) ? [...(layers as readonly string[])] : null;
    if (!names || names.length === 0 || names.some((n) => typeof n !== "string"))
      throw new ValueError(`${op}: layers must be a layer name or a non-empty list of names, got ${received(layers)}`);
    const xs = this.prepare(x);
    return (grad ? enableGrad : noGrad)(() => this.featuresOf(xs, names, { training: train }));
  }

  /**
   * `features` without the checks: names of this graph's layers come from one run; a name
   * "inner/layer" reaches into the nested model `inner` (applied once here), which is given the
   * values of its inputs from the same run and asked for `layer` in turn.
   */
  private featuresOf(xs: Tensor[], names: readonly string[], ctx: CallContext): Record<string, Tensor> {
    const g = this.graph();
    const own: string[] = [];
    const nested = new Map<string, { model: Model; at: SymbolicTensor; names: string[] }>();
    for (const n of names) {
      const slash = n.indexOf("/");
      const outer = slash > 0 && g.nodesOf(n).length === 0 ? g.nodesOf(n.slice(0, slash)) : [];
      const inner = outer[0]?.node.layer;
      if (outer.length === 1 && inner instanceof Model) {
        const entry = nested.get(inner.name) ?? { model: inner, at: outer[0]!, names: [] as string[] };
        entry.names.push(n.slice(slash + 1));
        nested.set(inner.name, entry);
      } else own.push(n);
    }
    const nodes = own.map((n) => this.outputOf(n));
    const wanted = [...nodes, ...[...nested.values()].flatMap((e) => e.at.node.inputs)];
    const values = this.runGraph(xs, wanted, ctx);
    const out: Record<string, Tensor> = Object.fromEntries(own.map((n, i) => [n, values.get(nodes[i]!)!]));
    for (const [prefix, e] of nested) {
      const inner = e.model.featuresOf(e.at.node.inputs.map((s) => values.get(s)!), e.names, ctx);
      for (const [k, v] of Object.entries(inner)) out[`${prefix}/${k}`] = v;
    }
    return out;
  }

  /** Every layer's output for a batch (evaluation mode, no autograd), in order: for feature maps. */
  activations(x: Inputs, opts: ActivationsOptions = {}): LayerActivation[] {
    const o = options(`${this.label}: activations`, opts, "{ layers? }");
    const xs = this.prepare(x);
    const wanted = o.layers;
    if (wanted !== undefined && !Array.isArray(wanted)) throw new ValueError(`${this.label}: activations: layers must be a list of layer names, got ${received(wanted)}`);
    if (wanted) for (const n of wanted) this.getLayer(n);
    const g = this.graph();
    const starts = new Set(g.inputs);
    const nodes = g.order.filter((s) => !starts.has(s) && !(s.node.layer instanceof InputLayer) && (!wanted || wanted.includes(s.node.layer.name)));
    const values = noGrad(() => this.runGraph(xs, nodes, { training: false }));
    return nodes.map((s) => ({ name: s.node.layer.name, type: s.node.layer.type, output: values.get(s)! }));
  }

  /** The layer with this name (`"block/conv1"` reaches into a nested model). */
  getLayer(name: string): Layer {
    if (typeof name !== "string") throw new ValueError(`${this.label}: getLayer: name must be a string, got ${received(name)}`);
    const g = this.graph();
    const l = g.allLayers().find((q) => q.name === name);
    if (l) return l;
    const slash = name.indexOf("/");
    if (slash > 0) {
      const outer = g.allLayers().find((q) => q.name === name.slice(0, slash));
      if (outer instanceof Model) return outer.getLayer(name.slice(slash + 1));
    }
    throw this.unknownLayer(name);
  }

  /** Every non-model layer, nested models flattened, each once. */
  leafLayers(): Layer[] {
    const out = new Set<Layer>();
    for (const l of this.layers) {
      if (l instanceof Model) for (const q of l.leafLayers()) out.add(q);
      else out.add(l);
    }
    return [...out];
  }

  override get trainable(): boolean {
    return super.trainable;
  }
  /** Setting it freezes (false) or unfreezes (true) every layer of the model, as Keras does. */
  override set trainable(v: boolean) {
    super.trainable = v;
    for (const l of this.net?.layers ?? []) l.trainable = v;
  }

  /**
   * Freezes the layers from the first up to and including `upTo` (all layers without it): their
   * parameters stop requiring grad (no weight gradient is computed) and optimizers skip them.
   * Batch-norm layers among them switch to inference statistics unless `batchNorm: "batch"`.
   *
   *   const base = cl.models.lenet5(); base.freeze("POOL2"); // train only the dense head
   */
  freeze(upTo?: string, opts: FreezeOptions = {}): this {
    const o = options(`${this.label}: freeze`, opts, '{ batchNorm?: "inference" | "batch" }');
    const mode = o.batchNorm ?? "inference";
    if (mode !== "inference" && mode !== "batch") throw new ValueError(`${this.label}: freeze: batchNorm must be "inference" or "batch", got ${received(mode)}`);
    for (const l of this.range(upTo, "freeze", "upTo")) setTrainable(l, false, mode === "inference");
    return this;
  }

  /** Unfreezes the layers from `from` to the last one (all without it); their batch-norm layers use batch statistics again. */
  unfreeze(from?: string): this {
    const ls = this.layers;
    const start = from === undefined ? 0 : ls.indexOf(this.layerArg(from, "unfreeze", "from"));
    for (const l of ls.slice(start)) setTrainable(l, true, false);
    super.trainable = true; // the model's own flag only (a frozen model trains nothing)
    return this;
  }

  private layerArg(name: unknown, op: string, arg: string): Layer {
    if (typeof name !== "string") throw new ValueError(`${this.label}: ${op}: ${arg} must be a layer name, got ${received(name)}`);
    const l = this.graph().layers.find((q) => q.name === name);
    if (!l) {
      const e = this.unknownLayer(name);
      e.message = e.message.replace(`${this.label}: `, `${this.label}: ${op}: `);
      throw e;
    }
    return l;
  }

  private range(upTo: string | undefined, op: string, arg: string): Layer[] {
    const ls = this.graph().layers;
    if (upTo === undefined) return ls;
    return ls.slice(0, ls.indexOf(this.layerArg(upTo, op, arg)) + 1);
  }

  override parameters(): Tensor[] {
    return [...new Set(this.layers.flatMap((l) => l.parameters()))];
  }

  /** The parameters the optimizer updates: those of trainable layers (nested models recursively). */
  trainableParameters(): Tensor[] {
    if (!this.trainable) return [];
    return [...new Set(this.layers.flatMap((l) => (l instanceof Model ? l.trainableParameters() : l.trainable ? l.parameters() : [])))];
  }

  /** Number of trainable parameters of trainable layers, from the declared shapes (allocates nothing). */
  trainableCount(): number {
    if (!this.trainable) return 0;
    let n = 0;
    for (const l of this.layers) n += l instanceof Model ? l.trainableCount() : l.trainable ? l.countParams() : 0;
    return n;
  }

  override namedParameters(): [string, Tensor][] {
    return this.layers.flatMap((l) => l.namedParameters());
  }

  override stateEntries(): [string, Tensor][] {
    return this.layers.flatMap((l) => l.stateEntries()).map(([n, t]) => [`${this.name}/${n}`, t]);
  }

  override stateShapes(): [string, number[]][] {
    return this.layers.flatMap((l) => l.stateShapes()).map(([n, s]) => [`${this.name}/${n}`, s]);
  }

  override resolveState(qualified: string): { layer: Layer; local: string } | null {
    const prefix = `${this.name}/`;
    return qualified.startsWith(prefix) ? state.resolve(this.layers, qualified.slice(prefix.length)) : null;
  }

  override setDtype(dtype: DType): this {
    for (const l of this.layers) l.setDtype(dtype);
    return this;
  }

  /** Parameters (trainable or frozen), from the declared shapes: allocates nothing. */
  override countParams(): number {
    return this.leafLayers().reduce((s, l) => s + l.countParams(), 0);
  }

  override mults(): number {
    return this.summary().totalMults;
  }

  override get materialized(): boolean {
    return this.leafLayers().every((l) => l.materialized);
  }

  override materialize(): void {
    for (const l of this.leafLayers()) l.materialize();
  }

  /**
   * Allocates and initialises every weight now (they are otherwise made on first use: predict,
   * fit, features, stateDict). A sequential model without `inputShape` takes it here.
   */
  override build(inputShapes?: Shape[] | Shape, _rng?: Rng): void {
    if (!this.net && inputShapes !== undefined) {
      const shapes = (Array.isArray(inputShapes[0]) ? inputShapes : [inputShapes]) as Shape[];
      this.outputShape(shapes);
    }
    this.graph();
    this.materialize();
  }

  /** Parameters and buffers by qualified name (`CONV1/kernel`), as a checkpoint stores them (allocates lazy weights). */
  stateDict(): Record<string, Tensor> {
    return state.stateDict(this.graph().layers);
  }

  /** Names and shapes of the parameters and buffers, without allocating anything. */
  stateDictShapes(): Record<string, number[]> {
    return state.stateShapes(this.graph().layers);
  }

  /** Copies values from a state dict into the model; names and shapes must match exactly. Lazy weights are filled without a random initialisation. */
  loadStateDict(values: Readonly<Record<string, Tensor>>): void {
    state.loadStateDict(this.graph().layers, values, this.label);
  }

  /**
   * Saves the model (Node). A folder path (the default): `model.safetensors` (the stateDict) and
   * `model.json` (the architecture and `meta`), each written atomically; `cl.nn.loadModel(dir)`
   * rebuilds it. A path ending in `.ckpt` (or an existing file): the weights alone in one
   * checkpoint file (`cl.io.saveModel`).
   *
   *   model.save("checkpoints/lenet5"); const again = cl.nn.loadModel("checkpoints/lenet5");
   *   model.save("lenet5.ckpt"); other.loadWeights("lenet5.ckpt")
   */
  save(path: string, meta: Record<string, unknown> = {}): void {
    if (typeof path !== "string" || path === "") throw new ValueError(`model.save: path must be a non-empty string, got ${received(path)}`);
    if (!isRecord(meta)) throw new ValueError(`model.save: meta must be a record of JSON values, got ${received(meta)}`);
    modelFiles("model.save").save(this as Model<Outputs>, path, meta);
  }

  /**
   * Loads weights into the model. With a path (Node): a checkpoint written by `save` (same
   * architecture; returns the saved metadata). With a record `name → tensor` (e.g. from
   * `cl.io.readTfjsWeights`): assigns them by name through `mapping`, checking every shape and
   * converting layouts; returns which were loaded, unused and missing (an error when `strict`, the default).
   *
   *   model.loadWeights(weights, { mapping: { "conv0/filters": "conv0/kernel" }, strict: false })
   */
  loadWeights(path: string): Record<string, unknown>;
  loadWeights(weights: state.WeightSource, opts?: state.LoadWeightsOptions): state.LoadReport;
  loadWeights(src: string | state.WeightSource, opts?: state.LoadWeightsOptions): Record<string, unknown> | state.LoadReport {
    if (typeof src === "string") {
      if (src === "") throw new ValueError("model.loadWeights: path must be a non-empty string");
      return modelFiles("model.loadWeights").loadWeights(this as Model<Outputs>, src);
    }
    return state.loadWeights(this.graph().layers, src, opts, this.label);
  }

  /** The layer table of DESIGN "Contracts": input row first, then each layer's shape, size, params and mults (allocates nothing). */
  summary(): Summary {
    const g = this.graph();
    return summarize(this.name, this.type, g.order, new Set(g.inputs), this.countParams(), this.trainableCount());
  }

  /** Shown by the convlab kernel as the summary table. */
  toMimeBundle(): { data: Record<string, unknown> } {
    return this.summary().toMimeBundle();
  }

  override toString(): string {
    return this.net ? this.summary().toString() : `${this.type} '${this.name}' (not built yet)`;
  }
}

/** The layer options of a model's options (checked by the layer constructor). */
function layerOptions(opts: unknown): { name?: string; trainable?: boolean } {
  if (!isRecord(opts)) return opts as never;
  const o: { name?: string; trainable?: boolean } = {};
  if (opts.name !== undefined) o.name = opts.name as string;
  if (opts.trainable !== undefined) o.trainable = opts.trainable as boolean;
  return o;
}

/** Freezes or unfreezes a layer; batch-norm layers (also inside nested models) switch statistics with `inference`. */
function setTrainable(l: Layer, on: boolean, inference: boolean): void {
  l.trainable = on;
  const bns = l instanceof Model ? l.leafLayers() : [l];
  for (const b of bns) if ("inference" in b && typeof (b as { inference: unknown }).inference === "boolean") (b as { inference: boolean }).inference = inference;
}

/**
 * A graph model from symbolic inputs to one or more outputs:
 *
 *   const x = cl.nn.input([32, 32, 3]);
 *   const h = cl.nn.conv2d({ filters: 8, size: 3 }).apply(x);
 *   const m = cl.nn.model({ inputs: x, outputs: { logits: head.apply(h), features: h } });
 *   m.predict(batch).logits
 */
export function model<const S extends SymbolicOutputs>(opts: ModelOptions<S>): Model<OutputsOf<S>> {
  const o = options("model", opts, "{ inputs, outputs, name?, seed? }", true);
  const raw = o.inputs as unknown;
  const inputs = raw instanceof SymbolicTensor ? [raw] : Array.isArray(raw) ? [...(raw as SymbolicTensor[])] : null;
  if (!inputs || inputs.length === 0 || !inputs.every((i) => i instanceof SymbolicTensor))
    throw new ValueError(`model: inputs must be one or more symbolic inputs from cl.nn.input(shape), got ${received(raw)}`);
  outputSpec(o.outputs, "model");
  const m = new GraphModel<OutputsOf<S>>(o);
  m.init(inputs, o.outputs);
  return m;
}

class GraphModel<O extends Outputs> extends Model<O> {
  init(inputs: SymbolicTensor[], outputs: SymbolicOutputs): void {
    this.setGraph(inputs, outputs);
  }
}

export interface SequentialOptions {
  /** Input shape without the batch axis, e.g. [32, 32, 3]; without it the model is built on its first batch. */
  inputShape?: readonly number[];
  name?: string;
  seed?: number;
  trainable?: boolean;
}

/** A chain of layers: `cl.nn.sequential([conv, pool, dense], { inputShape: [32, 32, 3] })`, the same graph as `cl.nn.model`. */
export class Sequential extends Model<Tensor> {
  private readonly chain: Layer[];
  override get type(): string {
    return "Sequential";
  }
  override get kind(): string {
    return "sequential";
  }

  constructor(layers: readonly Layer[], opts: SequentialOptions = {}) {
    const o = options("sequential", opts, "{ inputShape?, name?, seed? }");
    super(o);
    if (!Array.isArray(layers) || layers.length === 0) throw new ValueError(`sequential: expected a non-empty list of layers, got ${received(layers)}`);
    layers.forEach((l, i) => {
      if (!(l instanceof Layer)) throw new ValueError(`sequential: entry ${i} is not a layer (got ${received(l)})`);
      if (l.arity !== 1) throw new ValueError(`sequential: ${l.label} takes several inputs; use cl.nn.model with apply() for branches`);
    });
    this.chain = [...layers];
    if (o.inputShape !== undefined) {
      const sh: unknown = o.inputShape;
      if (!Array.isArray(sh) || sh.length === 0 || !sh.every((d) => Number.isInteger(d) && d > 0))
        throw new ValueError(`${this.label}: inputShape must be a non-empty list of positive integers without the batch axis (e.g. [32, 32, 3]), got ${received(sh)}`);
      this.buildFor(o.inputShape);
    }
  }

  private buildFor(shape: readonly number[]): void {
    const inp = input(shape);
    let h = inp;
    for (const l of this.chain) h = l.apply(h);
    this.setGraph([inp], h);
  }

  override outputShape(inputShapes: Shape[]): number[] {
    if (!this.inputs.length && inputShapes.length === 1) this.buildFor(inputShapes[0]!);
    return super.outputShape(inputShapes);
  }

  protected override ensureBuilt(xs: Tensor[]): void {
    if (this.inputs.length || xs.length !== 1) return;
    const x = xs[0]!;
    if (x.rank < 2) throw new ShapeError(`${this.label}: expected a batch [m,...], got ${fmtShape(x.shape)}`);
    this.buildFor(x.shape.slice(1));
  }
}

/** `cl.nn.sequential(layers, { inputShape, name?, seed? })`. */
export function sequential(layers: readonly Layer[], opts: SequentialOptions = {}): Sequential {
  return new Sequential(layers, opts);
}

keepsNoInputs(Model, GraphModel, Sequential);
