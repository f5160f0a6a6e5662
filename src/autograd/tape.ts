import { Tensor, allocate, type BackwardFn, type GradNode } from "../tensor/tensor.js";
import { ValueError, ShapeError, fmtShape } from "../util/errors.js";
import { sameShape } from "../tensor/shape.js";
import { functionArg } from "../util/check.js";
import { optTensorArg, tensorArg } from "../tensor/args.js";
import { recycle, trackAllocations } from "../tensor/pool.js";

/**
 * Reverse-mode autodiff in the style of micrograd: every op that may need a gradient calls
 * `record()` with its output, its inputs and a closure that maps the output's gradient to one
 * gradient per input (null where there is none). `backward()` walks the graph in reverse
 * topological order and sums the gradients that reach each tensor.
 */
export type { BackwardFn, GradNode };

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording anything for autograd (like `torch.no_grad()`); `fn` must be synchronous. */
export function noGrad<T>(fn: () => T): T {
  functionArg("noGrad", "fn", fn);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` with recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  functionArg("enableGrad", "fn", fn);
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Attaches the op's backward to `out` when grad is enabled and some input requires grad. */
export function record(op: string, out: Tensor, inputs: readonly Tensor[], backward: BackwardFn): Tensor {
  if (!gradEnabled) return out;
  let needed = false;
  for (const t of inputs) if (t.requiresGrad) needed = true;
  if (!needed) return out;
  out.requiresGrad = true;
  out.node = { op, inputs, backward };
  return out;
}

const retained = new WeakSet<Tensor>();

/** Keeps `.grad` on a non-leaf tensor during `backward()` (like PyTorch's `retain_grad()`). */
export function retainGrad(t: Tensor): Tensor {
  tensorArg("retainGrad", "t", t);
  retained.add(t);
  return t;
}

function addArrays(a: Tensor, b: Tensor): Tensor {
  const out = allocate(a.dtype, a.size);
  const x = a.data, y = b.data;
  for (let i = 0; i < out.length; i++) out[i] = x[i]! + y[i]!;
  return new Tensor(out, a.shape);
}

function ownCopy(g: Tensor, dtype: Tensor["dtype"]): Tensor {
  const out = allocate(dtype, g.size);
  out.set(g.data);
  return new Tensor(out, g.shape);
}

/** Topological order of the graph below `root` (inputs before outputs), iteratively. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const child = inputs[i]!;
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/** Backpropagates from `root`; leaves (and retained tensors) get their gradient added to `.grad`. */
export function backward(root: Tensor, grad?: Tensor): void {
  tensorArg("backward", "tensor", root);
  optTensorArg("backward", "grad", grad);
  if (!root.requiresGrad)
    throw new ValueError("backward: this tensor does not require grad (no input had requiresGrad: true, or it was computed inside noGrad)");
  let seed: Tensor;
  if (grad === undefined) {
    if (root.size !== 1)
      throw new ShapeError(`backward: a gradient can be implied only for a one-element output, got shape ${fmtShape(root.shape)}; pass backward(grad)`);
    const ones = allocate(root.dtype, 1);
    ones[0] = 1;
    seed = new Tensor(ones, root.shape);
  } else {
    if (!sameShape(grad.shape, root.shape))
      throw new ShapeError(`backward: grad has shape ${fmtShape(grad.shape)} but the output has shape ${fmtShape(root.shape)}`);
    seed = grad;
  }
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  // Gradients are never written in place, so a leaf can adopt the array backward produced for it
  // unless that array is the caller's seed or was already given to another tensor's .grad.
  const handedOut = new Set<unknown>([seed.data]);
  // Recycling (tensor/pool.ts): a gradient array made during this pass dies once no pending
  // gradient uses its buffer (a backward may hand on dy itself or views of it, e.g. add, reshape,
  // concat) and no .grad holds it. `pending` counts the pending gradients per buffer; buffers
  // handed out to a .grad, or not made here (the seed, forward arrays), are never recycled.
  const made = new Set<ArrayBufferLike>();
  const kept = new Set<ArrayBufferLike>([seed.data.buffer]);
  const pending = new Map<ArrayBufferLike, number>();
  const hold = (g: Tensor): void => {
    const b = g.data.buffer;
    pending.set(b, (pending.get(b) ?? 0) + 1);
  };
  const drop = (g: Tensor): void => {
    const b = g.data.buffer;
    const n = (pending.get(b) ?? 1) - 1;
    if (n > 0) {
      pending.set(b, n);
      return;
    }
    pending.delete(b);
    if (made.has(b) && !kept.has(b)) {
      made.delete(b);
      recycle(g.data);
    }
  };
  hold(seed);
  const outer = trackAllocations(made);
  try {
    noGrad(() => {
      for (let k = order.length - 1; k >= 0; k--) {
        const t = order[k]!;
        const g = grads.get(t);
        if (!g) continue;
        grads.delete(t);
        if (!t.node || retained.has(t)) {
          t.grad = t.grad ? addArrays(t.grad, g) : handedOut.has(g.data) || g.dtype !== t.dtype ? ownCopy(g, t.dtype) : g;
          handedOut.add(t.grad.data);
          kept.add(t.grad.data.buffer);
          if (!t.node) {
            drop(g);
            continue;
          }
        }
        const gs = t.node.backward(g);
        const inputs = t.node.inputs;
        for (let j = 0; j < inputs.length; j++) {
          const inp = inputs[j]!;
          const gi = gs[j];
          if (!gi || !inp.requiresGrad) continue;
          if (!sameShape(gi.shape, inp.shape))
            throw new ShapeError(`backward of ${t.node.op}: gradient for input ${j} has shape ${fmtShape(gi.shape)}, expected ${fmtShape(inp.shape)}`);
          hold(gi);
          const prev = grads.get(inp);
          if (prev) {
            const sum = addArrays(prev, gi);
            hold(sum);
            grads.set(inp, sum);
            drop(prev);
            drop(gi);
          } else grads.set(inp, gi);
        }
        drop(g);
      }
    });
  } finally {
    trackAllocations(outer);
  }
}

declare module "../tensor/tensor.js" {
  interface Tensor {
    /** Runs reverse-mode autodiff from this tensor; `grad` defaults to ones (a scalar loss needs none). */
    backward(grad?: Tensor): void;
  }
}

// Installed here rather than in the class so that tensor.ts does not import the tape (no cycle):
// every tensor with a graph was made through `record`, so this module is loaded whenever it is needed.
Object.defineProperty(Tensor.prototype, "backward", {
  value: function (this: Tensor, grad?: Tensor): void {
    backward(this, grad);
  },
  writable: true,
  configurable: true,
  enumerable: false,
});
