/**
 * Re-iterable data pipelines (like `tf.data`): `cl.data.dataset(source)` then `.shuffle({ seed })`,
 * `.map(fn)`, `.batch(n)`, `.take(n)`, `.skip(n)`, `.concat(other)`, `.zip(other)`. Every pass
 * (epoch) starts over from the source; everything random is seeded per pass, so pass `e` of a
 * pipeline is the same in every run with the same seeds and differs from pass `e + 1`. `map` runs
 * lazily, once per example and pass: the hook on-the-fly augmentation uses.
 *
 * Examples are tensors or records of tensors, numbers and arrays (an image with its boxes and
 * landmarks travels as `{ image, boxes, landmarks }`). `batch(n)` stacks tensors along a new axis
 * 0, turns numbers into a `[n]` tensor, collates records field by field and keeps arrays (box
 * lists of any length) as a list with one entry per example.
 *
 * Sources with random access (tensors, records of tensors, arrays of examples) shuffle by a
 * permutation and batch by gathering rows; generator functions are read in order (shuffled
 * through a buffer).
 */
import { Tensor, allocate, type DType } from "../tensor/tensor.js";
import { sizeOf } from "../tensor/shape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { Rng, defaultRng } from "../util/rng.js";
import { isRecord, options, positiveInt, nonNegativeInt, received, seedOf, bool } from "../nn/args.js";
import { takeRows } from "./batching.js";
import { typeFail } from "../util/check.js";

/** What `batch(n)` makes of examples of type T. */
export type Batched<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends readonly unknown[]
      ? T[]
      : T extends object
        ? { [K in keyof T]: Batched<T[K]> }
        : T[];

/** What a `map` function receives besides the example. */
export interface MapContext {
  /** The pass (0-based epoch) being read. */
  epoch: number;
  /** The example's position in this pass. */
  index: number;
  /** A generator seeded by the map's seed, the epoch and the index: the same in every run, new every epoch. */
  rng: Rng;
}

/** A source with random access: a known length and `get(i)`. */
interface Indexed<T> {
  readonly length: number;
  get(i: number, epoch: number): T;
  /** Several examples collated into a batch (sources of tensors gather rows directly). */
  getBatch?(indices: ArrayLike<number>, epoch: number): unknown;
}

/** One stage of a pipeline: an iterator per pass, and random access where the source has it. */
interface Stage<T> {
  /** Examples per pass (NaN when unknown). */
  readonly length: number;
  iterate(epoch: number): Iterator<T>;
  indexed: Indexed<T> | null;
}

function* fromIndexed<T>(ix: Indexed<T>, epoch: number): Iterator<T> {
  for (let i = 0; i < ix.length; i++) yield ix.get(i, epoch);
}

function indexedStage<T>(ix: Indexed<T>): Stage<T> {
  return { length: ix.length, iterate: (epoch) => fromIndexed(ix, epoch), indexed: ix };
}

/** A 32-bit mix of integers (splitmix32 finaliser), for per-epoch and per-example seeds. */
export function mix(...xs: number[]): number {
  let h = 0x9e3779b9;
  for (const x of xs) {
    h = (h ^ (Math.floor(x) >>> 0)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** Stacks tensors of one shape along a new axis 0 (no autograd: this is data). */
function stackRows(ts: readonly Tensor[], where: string): Tensor {
  const first = ts[0]!;
  let dtype: DType = "float32";
  for (const [i, t] of ts.entries()) {
    if (t.shape.join() !== first.shape.join())
      throw new ShapeError(`dataset.batch: ${where} of example ${i} has shape ${fmtShape(t.shape)} but example 0 has ${fmtShape(first.shape)} (resize or pad examples to one shape, or keep them in an array)`);
    if (t.dtype === "float64") dtype = "float64";
  }
  const row = first.size;
  const out = allocate(dtype, row * ts.length);
  ts.forEach((t, i) => out.set(t.data, i * row));
  return new Tensor(out, [ts.length, ...first.shape]);
}

/** Collates examples into a batch: tensors stacked, numbers → [n], records field by field, arrays kept per example. */
export function collate(examples: readonly unknown[], where = "the example"): unknown {
  if (!Array.isArray(examples)) typeFail("collate", "examples", "an array of examples", examples);
  if (typeof where !== "string") typeFail("collate", "where", "a string", where);
  if (examples.length === 0) throw new ValueError("dataset.batch: no examples to collate");
  const first = examples[0];
  if (first instanceof Tensor) {
    examples.forEach((e, i) => {
      if (!(e instanceof Tensor)) throw new ValueError(`dataset.batch: ${where} of example ${i} is ${received(e)} but example 0 has a tensor`);
    });
    return stackRows(examples as Tensor[], where);
  }
  if (typeof first === "number" || typeof first === "boolean") {
    const out = new Float32Array(examples.length);
    examples.forEach((e, i) => {
      if (typeof e !== "number" && typeof e !== "boolean") throw new ValueError(`dataset.batch: ${where} of example ${i} is ${received(e)} but example 0 has a number`);
      out[i] = Number(e);
    });
    return new Tensor(out, [examples.length]);
  }
  if (Array.isArray(first)) return examples.slice();
  if (isRecord(first)) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      out[k] = collate(
        examples.map((e, i) => {
          if (!isRecord(e) || !(k in e)) throw new ValueError(`dataset.batch: example ${i} has no '${k}' (example 0 has ${keys.map((q) => `'${q}'`).join(", ")})`);
          return e[k];
        }),
        where === "the example" ? `'${k}'` : `${where}.${k}`,
      );
    }
    return out;
  }
  return examples.slice();
}

/** Random access into a tensor's rows, or a record of tensors/arrays/records of equal length. */
function columnSource(src: Tensor | Record<string, unknown>, op: string): Indexed<unknown> {
  const columns: { path: string[]; value: Tensor | readonly unknown[] }[] = [];
  const walk = (v: unknown, path: string[]): void => {
    if (v instanceof Tensor) {
      if (v.rank === 0) throw new ShapeError(`${op}: ${path.join(".") || "the tensor"} needs an examples axis 0, got a scalar`);
      columns.push({ path, value: v });
    } else if (Array.isArray(v)) columns.push({ path, value: v });
    else if (isRecord(v)) {
      const entries = Object.entries(v);
      if (entries.length === 0) throw new ValueError(`${op}: ${path.join(".") || "the source"} is an empty record`);
      for (const [k, e] of entries) walk(e, [...path, k]);
    } else throw new ValueError(`${op}: field '${path.join(".")}' must be a tensor, an array or a record of them, got ${received(v)}`);
  };
  walk(src, []);
  const len = (c: (typeof columns)[number]): number => (c.value instanceof Tensor ? c.value.shape[0]! : c.value.length);
  const n = len(columns[0]!);
  for (const c of columns)
    if (len(c) !== n)
      throw new ShapeError(`${op}: '${columns[0]!.path.join(".")}' has ${n} examples but '${c.path.join(".")}' has ${len(c)} (${columns.map((q) => `${q.path.join(".")} ${q.value instanceof Tensor ? fmtShape(q.value.shape) : `[${q.value.length}]`}`).join(", ")})`);
  const build = (leaf: (c: (typeof columns)[number]) => unknown): unknown => {
    if (src instanceof Tensor) return leaf(columns[0]!);
    const out: Record<string, unknown> = {};
    for (const c of columns) {
      let o = out;
      for (const k of c.path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
      o[c.path[c.path.length - 1]!] = leaf(c);
    }
    return out;
  };
  const rowOf = (t: Tensor, i: number): Tensor => {
    const row = sizeOf(t.shape.slice(1));
    return new Tensor(t.data.subarray(i * row, (i + 1) * row), t.shape.slice(1));
  };
  return {
    length: n,
    get: (i) => build((c) => (c.value instanceof Tensor ? rowOf(c.value, i) : c.value[i])),
    getBatch: (idx) => build((c) => (c.value instanceof Tensor ? takeRows(c.value, idx, "dataset") : Array.from(idx, (i) => (c.value as readonly unknown[])[i]))),
  };
}

function isIterator(v: unknown): boolean {
  return typeof v === "object" && v !== null && typeof (v as Iterator<unknown>).next === "function";
}

/** Options of `cl.data.dataset(fn, opts)` for generator functions. */
export interface DatasetOptions {
  /** Examples per pass when the source cannot say (a generator function), for progress displays. */
  length?: number;
  /** The source yields whole batches already (fit then does not batch again). Default false. */
  batched?: boolean;
}

/** A record of columns: tensors (examples along axis 0), arrays (one entry per example) or nested records of them. */
export interface Columns {
  readonly [name: string]: Tensor | readonly unknown[] | Columns;
}

/** One example of a record of columns: a row of each tensor, an entry of each array. */
export type RowOf<R> = { -readonly [K in keyof R]: R[K] extends Tensor ? Tensor : R[K] extends readonly (infer E)[] ? E : RowOf<R[K]> };

/** Any source `cl.data.dataset` accepts. */
export type DatasetSource<T> =
  | Pipeline<T>
  | Tensor
  | readonly T[]
  | (() => Iterable<T> | Iterator<T>)
  | Iterable<T>
  | Record<string, unknown>;

/** A re-iterable pipeline of examples (see the module docs); make one with `cl.data.dataset(source)`. */
export class Pipeline<T> implements Iterable<T> {
  private passes = 0;

  /** @internal use `cl.data.dataset(source)` */
  constructor(
    private readonly stage: Stage<T>,
    /** True after `batch(n)`: the examples are batches (fit then does not batch again). */
    readonly batched = false,
  ) {}

  /** Examples (or batches) per pass; NaN when the source cannot say. */
  get length(): number {
    return this.stage.length;
  }

  /** One pass over the pipeline for a given epoch (fit passes its epoch, so runs do not depend on earlier passes). */
  iterate(epoch = 0): IterableIterator<T> {
    const op = "dataset.iterate";
    nonNegativeInt(op, "epoch", epoch);
    const it = this.stage.iterate(epoch);
    return { next: () => it.next(), [Symbol.iterator]() { return this; } };
  }

  /** Each `for (const e of pipeline)` is a new pass (epochs 0, 1, 2, … in order). */
  [Symbol.iterator](): Iterator<T> {
    return this.iterate(this.passes++);
  }

  /** Every example of one pass, as an array (for small pipelines and tests). */
  toArray(epoch = 0): T[] {
    return [...this.iterate(epoch)];
  }

  private next<U>(stage: Stage<U>, batched = this.batched): Pipeline<U> {
    return new Pipeline(stage, batched);
  }

  /**
   * A new random order every pass, seeded: pass e of two pipelines with the same seed is the
   * same. Random-access sources are permuted whole; others go through a buffer of `bufferSize`
   * examples (default: the whole pass).
   */
  shuffle(opts: { seed?: number; bufferSize?: number } = {}): Pipeline<T> {
    const op = "dataset.shuffle";
    const o = options(op, opts, "{ seed?, bufferSize? }");
    const seed = seedOf(op, o.seed) ?? defaultRng().nextU32();
    const bufferSize = o.bufferSize === undefined ? Infinity : positiveInt(op, "bufferSize", o.bufferSize);
    const inner = this.stage;
    const ix = inner.indexed;
    if (ix && bufferSize >= ix.length) {
      let cached: { epoch: number; perm: Int32Array } | null = null;
      const perm = (epoch: number): Int32Array => {
        if (cached?.epoch !== epoch) cached = { epoch, perm: new Rng(mix(seed, epoch)).permutation(ix.length) };
        return cached.perm;
      };
      const shuffled: Indexed<T> = {
        length: ix.length,
        get: (i, epoch) => ix.get(perm(epoch)[i]!, epoch),
      };
      if (ix.getBatch) shuffled.getBatch = (idx, epoch) => ix.getBatch!(Array.from(idx, (i) => perm(epoch)[i]!), epoch);
      return this.next(indexedStage(shuffled));
    }
    return this.next({
      length: inner.length,
      indexed: null,
      *iterate(epoch) {
        const rng = new Rng(mix(seed, epoch));
        const buf: T[] = [];
        const it = inner.iterate(epoch);
        for (let r = it.next(); !r.done; r = it.next()) {
          if (buf.length < bufferSize) {
            buf.push(r.value);
            continue;
          }
          const j = rng.int(buf.length);
          yield buf[j]!;
          buf[j] = r.value;
        }
        rng.shuffle(buf);
        yield* buf;
      },
    });
  }

  /**
   * Applies `fn` to every example, lazily, on every pass: `fn(example, { epoch, index, rng })`.
   * `rng` is seeded by `seed` (default: drawn from the default generator now), the epoch and the
   * index, so random augmentations differ per epoch and repeat per seed. `fn` must be synchronous.
   *
   *   cl.data.dataset({ x, y }).map(({ x, y }, { rng }) => ({ x: rng.uniform() < 0.5 ? cl.flip(x, 1) : x, y }), { seed: 0 })
   */
  map<U>(fn: (example: T, ctx: MapContext) => U, opts: { seed?: number } = {}): Pipeline<U> {
    const op = "dataset.map";
    if (typeof fn !== "function") throw new ValueError(`${op}: expected a function (example, { epoch, index, rng }) => example, got ${received(fn)}`);
    const o = options(op, opts, "{ seed? }");
    const seed = seedOf(op, o.seed) ?? defaultRng().nextU32();
    const apply = (e: T, epoch: number, index: number): U => {
      const out = fn(e, { epoch, index, rng: new Rng(mix(seed, epoch, index)) });
      if (out === undefined) throw new ValueError(`${op}: the function returned undefined for example ${index} (return the new example)`);
      if (typeof (out as { then?: unknown } | null)?.then === "function") throw new ValueError(`${op}: the function returned a Promise; map functions must be synchronous`);
      return out;
    };
    const inner = this.stage;
    const ix = inner.indexed;
    if (ix) return this.next(indexedStage({ length: ix.length, get: (i, epoch) => apply(ix.get(i, epoch), epoch, i) }));
    return this.next({
      length: inner.length,
      indexed: null,
      *iterate(epoch) {
        let i = 0;
        const it = inner.iterate(epoch);
        for (let r = it.next(); !r.done; r = it.next()) yield apply(r.value, epoch, i++);
      },
    });
  }

  /** Groups `n` consecutive examples into a batch (see the module docs for how they are collated); the last one may be smaller unless `dropLast`. */
  batch(n: number, opts: { dropLast?: boolean } = {}): Pipeline<Batched<T>> {
    const op = "dataset.batch";
    positiveInt(op, "size", n);
    const o = options(op, opts, "{ dropLast? }");
    const dropLast = bool(op, "dropLast", o.dropLast, false);
    if (this.batched) throw new ValueError(`${op}: the pipeline is batched already`);
    const inner = this.stage;
    const ix = inner.indexed;
    if (ix) {
      const count = dropLast ? Math.floor(ix.length / n) : Math.ceil(ix.length / n);
      return this.next(
        indexedStage({
          length: count,
          get: (b, epoch) => {
            const idx = Array.from({ length: Math.min(n, ix.length - b * n) }, (_, k) => b * n + k);
            return (ix.getBatch ? ix.getBatch(idx, epoch) : collate(idx.map((i) => ix.get(i, epoch)))) as Batched<T>;
          },
        }),
        true,
      );
    }
    const length = Number.isFinite(inner.length) ? (dropLast ? Math.floor(inner.length / n) : Math.ceil(inner.length / n)) : NaN;
    return this.next(
      {
        length,
        indexed: null,
        *iterate(epoch) {
          let buf: T[] = [];
          const it = inner.iterate(epoch);
          for (let r = it.next(); !r.done; r = it.next()) {
            buf.push(r.value);
            if (buf.length === n) {
              yield collate(buf) as Batched<T>;
              buf = [];
            }
          }
          if (buf.length && !dropLast) yield collate(buf) as Batched<T>;
        },
      },
      true,
    );
  }

  /** The first `n` examples of every pass. */
  take(n: number): Pipeline<T> {
    nonNegativeInt("dataset.take", "n", n);
    const inner = this.stage;
    const ix = inner.indexed;
    const length = Math.min(n, Number.isFinite(inner.length) ? inner.length : Infinity);
    if (ix) {
      const t: Indexed<T> = { length, get: (i, e) => ix.get(i, e) };
      if (ix.getBatch) t.getBatch = (idx, e) => ix.getBatch!(idx, e);
      return this.next(indexedStage(t));
    }
    return this.next({
      length: Number.isFinite(length) ? length : NaN,
      indexed: null,
      *iterate(epoch) {
        if (n === 0) return;
        let k = 0;
        const it = inner.iterate(epoch);
        for (let r = it.next(); !r.done; r = it.next()) {
          yield r.value;
          if (++k >= n) return;
        }
      },
    });
  }

  /** Every pass without its first `n` examples. */
  skip(n: number): Pipeline<T> {
    nonNegativeInt("dataset.skip", "n", n);
    const inner = this.stage;
    const ix = inner.indexed;
    if (ix) {
      const t: Indexed<T> = { length: Math.max(0, ix.length - n), get: (i, e) => ix.get(i + n, e) };
      if (ix.getBatch) t.getBatch = (idx, e) => ix.getBatch!(Array.from(idx, (i) => i + n), e);
      return this.next(indexedStage(t));
    }
    return this.next({
      length: Number.isFinite(inner.length) ? Math.max(0, inner.length - n) : NaN,
      indexed: null,
      *iterate(epoch) {
        let k = 0;
        const it = inner.iterate(epoch);
        for (let r = it.next(); !r.done; r = it.next()) if (k++ >= n) yield r.value;
      },
    });
  }

  /** This pipeline's examples, then `other`'s, on every pass. */
  concat(other: Pipeline<T>): Pipeline<T> {
    if (!(other instanceof Pipeline)) throw new ValueError(`dataset.concat: expected another cl.data.dataset(...), got ${received(other)}`);
    if (other.batched !== this.batched) throw new ValueError("dataset.concat: cannot join a batched and an unbatched pipeline");
    const a = this.stage, b = other.stage;
    if (a.indexed && b.indexed) {
      const ia = a.indexed, ib = b.indexed;
      return this.next(indexedStage({ length: ia.length + ib.length, get: (i, e) => (i < ia.length ? ia.get(i, e) : ib.get(i - ia.length, e)) }));
    }
    return this.next({
      length: a.length + b.length,
      indexed: null,
      *iterate(epoch) {
        for (const s of [a, b]) {
          const it = s.iterate(epoch);
          for (let r = it.next(); !r.done; r = it.next()) yield r.value;
        }
      },
    });
  }

  /**
   * Pairs this pipeline's record examples with `other`'s into one record per example (stopping
   * at the shorter): `images.zip(labels)` of `{ x }` and `{ y }` gives `{ x, y }`. For examples
   * that are not records, name them: `cl.data.zip({ x: images, y: labels })`.
   */
  zip<U>(other: Pipeline<U>): Pipeline<T & U> {
    if (!(other instanceof Pipeline)) throw new ValueError(`dataset.zip: expected another cl.data.dataset(...), got ${received(other)}`);
    return zipStages([this.stage, other.stage], (parts, i) => {
      const [a, b] = parts;
      if (!isRecord(a) || !isRecord(b))
        throw new ValueError(`dataset.zip: example ${i} is not a record on both sides (${received(a)}, ${received(b)}); name the parts: cl.data.zip({ x: a, y: b })`);
      const clash = Object.keys(a).filter((k) => k in b);
      if (clash.length) throw new ValueError(`dataset.zip: both pipelines have ${clash.map((k) => `'${k}'`).join(", ")} in example ${i}`);
      return { ...a, ...b } as T & U;
    }, this.batched || other.batched);
  }
}

function zipStages<R>(stages: Stage<unknown>[], join: (parts: unknown[], i: number) => R, batched: boolean): Pipeline<R> {
  const length = Math.min(...stages.map((s) => s.length));
  const ixs = stages.map((s) => s.indexed);
  if (ixs.every((x) => x !== null)) {
    return new Pipeline(indexedStage({ length, get: (i, e) => join(ixs.map((x) => x!.get(i, e)), i) }), batched);
  }
  return new Pipeline(
    {
      length,
      indexed: null,
      *iterate(epoch) {
        const its = stages.map((s) => s.iterate(epoch));
        for (let i = 0; ; i++) {
          const rs = its.map((it) => it.next());
          if (rs.some((r) => r.done)) return;
          yield join(rs.map((r) => r.value), i);
        }
      },
    },
    batched,
  );
}

/** One record per example from named pipelines: `cl.data.zip({ image: images, boxes: boxLists })`. */
export function zip<P extends Record<string, Pipeline<unknown>>>(parts: P): Pipeline<{ [K in keyof P]: P[K] extends Pipeline<infer E> ? E : never }> {
  if (!isRecord(parts)) throw new ValueError(`zip: expected a record of pipelines { name: cl.data.dataset(...) }, got ${received(parts)}`);
  const names = Object.keys(parts);
  if (names.length === 0) throw new ValueError("zip: expected at least one pipeline");
  for (const n of names) if (!(parts[n] instanceof Pipeline)) throw new ValueError(`zip: '${n}' must be a cl.data.dataset(...), got ${received(parts[n])}`);
  const ps = names.map((n) => parts[n]!);
  type R = { [K in keyof P]: P[K] extends Pipeline<infer E> ? E : never };
  return zipStages(
    ps.map((p) => (p as unknown as { stage: Stage<unknown> }).stage),
    (vals) => Object.fromEntries(names.map((n, i) => [n, vals[i]])) as R,
    ps.some((p) => p.batched),
  );
}

/**
 * A pipeline from tensors (examples are rows), a record of tensors/arrays of equal length
 * (`{ x, y }`: examples `{ x: row, y: label }`), an array of examples, or a generator *function*
 * (called again for every pass, so it can be iterated once per epoch).
 *
 * @example
 * const train = cl.data.dataset({ x, y }).shuffle({ seed: 0 }).map(augment, { seed: 1 }).batch(64);
 * await model.fit(train, { optimizer, epochs: 5 });
 */
export function dataset<T>(source: Pipeline<T>, opts?: DatasetOptions): Pipeline<T>;
export function dataset(source: Tensor, opts?: DatasetOptions): Pipeline<Tensor>;
export function dataset<T>(source: readonly T[], opts?: DatasetOptions): Pipeline<T>;
export function dataset<T>(source: () => Iterable<T> | Iterator<T>, opts?: DatasetOptions): Pipeline<T>;
export function dataset<T>(source: Iterable<T>, opts?: DatasetOptions): Pipeline<T>;
export function dataset<R extends Columns>(source: R, opts?: DatasetOptions): Pipeline<RowOf<R>>;
export function dataset<T = unknown>(source: DatasetSource<T>, opts: DatasetOptions = {}): Pipeline<T> {
  const op = "dataset";
  const o = options(op, opts, "{ length?, batched? }");
  const batched = bool(op, "batched", o.batched, false);
  if (source instanceof Pipeline) return source;
  if (source instanceof Tensor || (isRecord(source) && !(Symbol.iterator in source) && !isIterator(source)))
    return new Pipeline(indexedStage(columnSource(source as Tensor | Record<string, unknown>, op) as Indexed<T>), batched);
  if (Array.isArray(source)) {
    const arr = source as readonly T[];
    return new Pipeline(indexedStage({ length: arr.length, get: (i) => arr[i]! }), batched);
  }
  const length = o.length === undefined ? NaN : nonNegativeInt(op, "length", o.length);
  if (typeof source === "function") {
    const make = source as () => Iterable<T> | Iterator<T>;
    return new Pipeline({
      length,
      indexed: null,
      iterate(): Iterator<T> {
        const r = make();
        if (r !== null && typeof r === "object" && Symbol.iterator in r) return (r as Iterable<T>)[Symbol.iterator]();
        if (isIterator(r)) return r as Iterator<T>;
        throw new ValueError(`${op}: the source function must return an iterable (e.g. be a generator function), got ${received(r)}`);
      },
    }, batched);
  }
  if (isIterator(source))
    throw new ValueError(`${op}: a generator object can be read only once; pass the generator function itself (cl.data.dataset(function* () { ... })) so every epoch starts over`);
  if (typeof source === "object" && source !== null && Symbol.iterator in source) {
    const it = source as Iterable<T>;
    const n = (it as { length?: unknown }).length;
    return new Pipeline({ length: typeof n === "number" ? n : length, indexed: null, iterate: () => it[Symbol.iterator]() }, batched);
  }
  throw new ValueError(`${op}: expected tensors, a record of tensors, an array of examples or a generator function, got ${received(source)}`);
}
