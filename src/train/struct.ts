// Structures of tensors (one tensor, a list, or a record by name) as models take and return them.
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { isRecord, received } from "../nn/args.js";

export type Struct = Tensor | readonly Tensor[] | { readonly [name: string]: Tensor };

/** The tensors of a structure, in order, with a path for messages ("x", "x[1]", "y.box"). */
export function leaves(v: unknown, path: string, op: string): [string, Tensor][] {
  if (v instanceof Tensor) return [[path, v]];
  if (Array.isArray(v)) {
    if (v.length === 0) throw new ValueError(`${op}: ${path} is an empty list`);
    return v.map((t, i) => {
      if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${path}[${i}] must be a tensor, got ${received(t)}`);
      return [`${path}[${i}]`, t] as [string, Tensor];
    });
  }
  if (isRecord(v)) {
    const entries = Object.entries(v);
    if (entries.length === 0) throw new ValueError(`${op}: ${path} is an empty record`);
    return entries.map(([k, t]) => {
      if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${path}.${k} must be a tensor, got ${received(t)}`);
      return [`${path}.${k}`, t] as [string, Tensor];
    });
  }
  throw new ValueError(`${op}: ${path} must be a tensor, a list or a record of tensors, got ${received(v)}`);
}

/** The same structure with each tensor replaced by `f(tensor)`. */
export function mapStruct<S>(v: S, f: (t: Tensor) => Tensor): S {
  if (v instanceof Tensor) return f(v) as S;
  if (Array.isArray(v)) return v.map((t: Tensor) => f(t)) as S;
  return Object.fromEntries(Object.entries(v as Record<string, Tensor>).map(([k, t]) => [k, f(t)])) as S;
}

/** The number of examples of a batch `{ x, y }` (axis 0 of every tensor in it), checked to agree. */
export function examplesOf(x: unknown, y: unknown, op: string, where: string): number {
  const all = [...leaves(x, "x", op), ...(y === undefined ? [] : leaves(y, "y", op))];
  let m = -1;
  for (const [p, t] of all) {
    if (t.rank === 0) throw new ShapeError(`${op}: ${where}: ${p} needs a batch axis, got a scalar`);
    if (m < 0) m = t.shape[0]!;
    else if (t.shape[0] !== m) {
      const first = all[0]!;
      const what = first[0] === "x" && p === "y" ? `x has ${m} examples but y has ${t.shape[0]}` : `${first[0]} has ${m} examples but ${p} has ${t.shape[0]}`;
      throw new ShapeError(`${op}: ${where}${what} (${all.map(([q, u]) => `${q} ${fmtShape(u.shape)}`).join(", ")})`);
    }
  }
  return m;
}

/** Rows `start..end-1` of every tensor of a structure (views, no copy). */
export function rows<S>(v: S, start: number, end: number): S {
  return mapStruct(v, (t) => {
    const row = t.shape[0] === 0 ? 0 : t.size / t.shape[0]!;
    return new Tensor(t.data.subarray(start * row, end * row), [end - start, ...t.shape.slice(1)]);
  });
}
