// The graph of a model: symbolic tensors from the inputs to the outputs in topological order,
// the layers that make them, and `run(values, wanted)`, which computes only what the wanted
// tensors need. Models (model.ts) are a thin API over it; `sequential` builds the same graph.
import type { Tensor, TypedArray } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import type { Rng } from "../util/rng.js";
import { SymbolicTensor, batchShape, keepsNoInputsOf, type CallContext, type Layer } from "./layer.js";
import { recycle, trackAllocations } from "../tensor/pool.js";
import { InputLayer } from "./layers/input.js";
import { isGradEnabled } from "../autograd/tape.js";
import { addActivation, fusionChain, fusionEnabled, runAddActivation, runChain } from "./fusion.js";

export class Graph {
  /** Every symbolic tensor from the inputs to the outputs, each after those it depends on (inputs first). */
  readonly order: SymbolicTensor[];
  /** The layers (inputs excluded), each once, in order. */
  readonly layers: Layer[];

  /**
   * Orders the graph between `inputs` and `outputs`. Inputs are usually `cl.nn.input` tensors but
   * may be any symbolic tensors (the graph then starts there). Throws, naming `owner`, when an
   * output depends on an input that is not among `inputs`.
   */
  constructor(
    readonly inputs: readonly SymbolicTensor[],
    readonly outputs: readonly SymbolicTensor[],
    owner: string,
  ) {
    const order: SymbolicTensor[] = [];
    const done = new Set<SymbolicTensor>();
    const starts = new Set(inputs);
    if (starts.size !== inputs.length) throw new ValueError(`${owner}: the same input is listed twice`);
    for (const i of inputs) {
      done.add(i);
      order.push(i);
    }
    // Iterative depth-first walk (deep networks would overflow a recursive one). Symbolic tensors
    // only point back to tensors made before them, so there are no cycles.
    for (const out of outputs) {
      const stack: [SymbolicTensor, number][] = [[out, 0]];
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const [s, k] = top;
        if (done.has(s)) {
          stack.pop();
          continue;
        }
        if (s.node.layer instanceof InputLayer)
          throw new ValueError(`${owner}: the output depends on input '${s.node.layer.name}' ${batchShape(s.shape)}, which is not among the model's inputs (${inputs.map((i) => `'${i.node.layer.name}'`).join(", ")})`);
        if (k < s.node.inputs.length) {
          top[1] = k + 1;
          const child = s.node.inputs[k]!;
          if (!done.has(child)) stack.push([child, 0]);
          continue;
        }
        stack.pop();
        done.add(s);
        order.push(s);
      }
    }
    this.order = order;
    const startLayers = new Set(inputs.filter((i) => i.node.layer instanceof InputLayer).map((i) => i.node.layer));
    this.layers = [...new Set(order.filter((s) => !starts.has(s)).map((s) => s.node.layer))].filter((l) => !startLayers.has(l));
    this.nameLayers(owner);
  }

  /** Every layer of the graph, input layers included, each once. */
  allLayers(): Layer[] {
    return [...new Set(this.order.map((s) => s.node.layer))];
  }

  /** Names unnamed layers `<kind>_<n>` (inputs `input`, `input_2`…) and checks names are unique. */
  private nameLayers(owner: string): void {
    const all = this.allLayers();
    const counts = new Map<string, number>();
    const taken = new Set(all.filter((l) => l.hasName).map((l) => l.name));
    for (const l of all) {
      if (l.hasName) continue;
      let name: string;
      do {
        const n = (counts.get(l.kind) ?? 0) + 1;
        counts.set(l.kind, n);
        name = l instanceof InputLayer ? (n === 1 ? "input" : `input_${n}`) : `${l.kind}_${n}`;
      } while (taken.has(name));
      l.name = name;
      taken.add(name);
    }
    const byName = new Map<string, Layer>();
    for (const l of all) {
      const other = byName.get(l.name);
      if (other && other !== l) throw new ValueError(`${owner}: two layers are named '${l.name}' (${other.type} and ${l.type}; names must be unique within a model)`);
      byName.set(l.name, l);
    }
  }

  /** Declares every layer's weights for the shapes its inputs have here (allocates nothing). */
  define(rng: Rng): void {
    const starts = new Set(this.inputs);
    for (const s of this.order) if (!starts.has(s)) s.node.layer.define(s.node.inputs.map((i) => i.shape), rng);
  }

  /** The symbolic tensors of this graph made by the layer called `name` (several for a shared layer). */
  nodesOf(name: string): SymbolicTensor[] {
    return this.order.filter((s) => s.node.layer.name === name);
  }

  /**
   * Computes the `wanted` symbolic tensors from `values` (which holds at least the inputs they
   * depend on), running only the layers they need; returns `values` with everything computed added.
   */
  run(values: Map<SymbolicTensor, Tensor>, wanted: readonly SymbolicTensor[], ctx: CallContext): Map<SymbolicTensor, Tensor> {
    const need = new Set<SymbolicTensor>();
    const stack = [...wanted];
    while (stack.length) {
      const s = stack.pop()!;
      if (need.has(s) || values.has(s)) continue;
      if (s.node.layer instanceof InputLayer) throw new ValueError(`graph: no value for input '${s.node.layer.name}'`);
      need.add(s);
      for (const i of s.node.inputs) stack.push(i);
    }
    // conv → batch-norm (inference) → relu/relu6 chains run as one op (fusion.ts; under autograd
    // only where no folded weight needs a gradient)
    const grad = isGradEnabled();
    const fuse = fusionEnabled();
    const next = new Map<SymbolicTensor, SymbolicTensor[]>();
    if (fuse)
      for (const s of need)
        for (const i of s.node.inputs) {
          const consumers = next.get(i);
          if (consumers) consumers.push(s);
          else next.set(i, [s]);
        }
    const wantedSet = new Set(wanted);
    const skip = new Set<SymbolicTensor>();
    const reuse = grad && !spent ? null : new Reuse(need, values, wantedSet, grad ? spent : null);
    const outer = reuse ? trackAllocations(reuse.made) : null;
    try {
      for (const s of this.order) {
        if (!need.has(s) || skip.has(s)) continue;
        const chain = fuse ? fusionChain(s, next, wantedSet, ctx, grad) : null;
        if (chain) {
          const y = runChain(chain, values.get(s.node.inputs[0]!)!);
          for (const t of chain.inner) skip.add(t);
          skip.add(chain.last);
          if (reuse) {
            reuse.set(chain.last, y);
            reuse.consumed(s);
          } else values.set(chain.last, y);
          continue;
        }
        // an Add and the relu/relu6 after it in one pass (runs without autograd)
        const addAct = fuse && !grad ? addActivation(s, next, wantedSet) : null;
        if (addAct && need.has(addAct.consumer) && !skip.has(addAct.consumer)) {
          const { sum, y } = runAddActivation(s.node.inputs.map((i) => values.get(i)!), addAct);
          skip.add(addAct.consumer);
          if (sum) reuse ? reuse.set(s, sum) : values.set(s, sum);
          reuse?.consumed(s);
          reuse ? reuse.set(addAct.consumer, y) : values.set(addAct.consumer, y);
          reuse?.consumed(addAct.consumer);
          continue;
        }
        const y = s.node.layer.call(s.node.inputs.map((i) => values.get(i)!), ctx);
        if (reuse) {
          reuse.set(s, y);
          reuse.consumed(s);
        } else values.set(s, y);
      }
    } finally {
      if (reuse) trackAllocations(outer);
    }
    return values;
  }
}

/** Where graph runs under autograd put the arrays of activations that are spent (collectSpent). */
let spent: TypedArray[] | null = null;

/**
 * Runs `fn` (a training step: forward, backward, optimizer update) and returns its result with the
 * arrays of the intermediate activations its graph runs computed under autograd that qualify for
 * reuse (as in runs without autograd, below). The tape still holds them while `fn` runs, so they
 * may be given back (tensor/pool.ts `recycle`) only once nothing will run the step's backward
 * again and nothing kept its tensors: fit does so after each step, whose tensors it never hands
 * out. @internal
 */
export function collectSpent<T>(fn: () => T): { result: T; spent: TypedArray[] } {
  const outer = spent;
  const mine: TypedArray[] = [];
  spent = mine;
  try {
    return { result: fn(), spent: mine };
  } finally {
    spent = outer;
  }
}

/**
 * Reuse of intermediate activations in a run without autograd: once every consumer of a computed
 * tensor has run, its array goes back to `allocate` (tensor/pool.ts), so that the next run (or a
 * later layer of the same size) gets it instead of a fresh one. Only arrays allocated during this
 * run, of tensors that are not wanted, whose consumers are all built-in layers (`keepsNoInputs`)
 * and that share their buffer with no live tensor (a Flatten output is a view of its input, an
 * identity layer returns its input) are given back, and they leave `values`.
 */
class Reuse {
  readonly made = new Set<ArrayBufferLike>();
  /** Consumers (edges) of each tensor still to run. */
  private readonly pending = new Map<SymbolicTensor, number>();
  /** Tensors that some consumer may keep (a layer not declared with keepsNoInputs). */
  private readonly kept = new Set<SymbolicTensor>();
  /** Live computed tensors per buffer. */
  private readonly holders = new Map<ArrayBufferLike, number>();

  /** `later`: collect the spent arrays there instead of recycling them now (a run under autograd). */
  constructor(need: Set<SymbolicTensor>, private readonly values: Map<SymbolicTensor, Tensor>, private readonly wanted: Set<SymbolicTensor>, private readonly later: TypedArray[] | null = null) {
    for (const s of need)
      for (const i of s.node.inputs) {
        this.pending.set(i, (this.pending.get(i) ?? 0) + 1);
        if (!keepsNoInputsOf(s.node.layer)) this.kept.add(i);
      }
    // the given values (inputs, earlier results) are never released; their buffers count as held
    for (const v of values.values()) this.hold(v);
  }

  private hold(v: Tensor): void {
    const b = v.data.buffer;
    this.holders.set(b, (this.holders.get(b) ?? 0) + 1);
  }

  set(s: SymbolicTensor, v: Tensor): void {
    this.values.set(s, v);
    this.hold(v);
  }

  /** Consumer `s` has run: its inputs' pending counts drop; those at zero are released. */
  consumed(s: SymbolicTensor): void {
    for (const i of s.node.inputs) {
      const n = (this.pending.get(i) ?? 1) - 1;
      this.pending.set(i, n);
      if (n > 0 || this.wanted.has(i) || this.kept.has(i)) continue;
      const v = this.values.get(i);
      if (!v || i.node.layer instanceof InputLayer) continue;
      const b = v.data.buffer;
      const h = (this.holders.get(b) ?? 1) - 1;
      this.holders.set(b, h);
      if (h > 0 || !this.made.has(b)) continue;
      this.values.delete(i);
      this.made.delete(b);
      if (this.later) this.later.push(v.data);
      else recycle(v.data);
    }
  }
}
