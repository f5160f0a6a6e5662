/**
 * Face verification (1:1: is this the claimed person? `d ≤ τ`) and recognition (1:K: who is it,
 * or "not recognized"), over encodings precomputed once for a database of identities.
 *
 * The distance is the course's squared Euclidean `d = ‖f(x1) − f(x2)‖²` by default; `metric:
 * "euclidean"` uses `‖f(x1) − f(x2)‖` (the pretrained 128-D encoder's convention, τ = 0.6).
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, describeValue, numberArg, optOneOfArg, requiredOptionsArg, stringArg, typeFail, optionsArg } from "../util/check.js";
import { labelsArg } from "./triplet.js";

export type DistanceMetric = "squared" | "euclidean";

export interface VerifyOptions {
  /** τ: the same person when d ≤ τ. */
  threshold: number;
  /** "squared" (default, ‖·‖² as in the course) or "euclidean" (‖·‖). */
  metric?: DistanceMetric;
}

/** Encodings as rows: a tensor `[d]`/`[k,d]`, or a number array of one encoding. */
function rowsOf(fn: string, name: string, v: unknown): { data: ArrayLike<number>; k: number; d: number } {
  if (v instanceof Tensor) {
    if (v.rank === 1) return { data: v.data, k: 1, d: v.shape[0]! };
    if (v.rank === 2) return { data: v.data, k: v.shape[0]!, d: v.shape[1]! };
    throw new ShapeError(`${fn}: ${name} must be an encoding [d] or encodings [k,d], got ${fmtShape(v.shape)}`);
  }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const a = Array.from(v as ArrayLike<unknown>);
    a.forEach((x, i) => {
      if (typeof x !== "number") typeFail(fn, `${name}[${i}]`, "a number", x);
    });
    return { data: a as number[], k: 1, d: a.length };
  }
  return typeFail(fn, name, "an encoding (a Tensor [d] or [1,d], or numbers)", v);
}

function finiteRows(fn: string, name: string, r: { data: ArrayLike<number>; k: number; d: number }): void {
  if (r.d < 1 || r.k < 1) throw new ShapeError(`${fn}: ${name} is empty (${r.k} encodings of dimension ${r.d})`);
  for (let i = 0; i < r.k * r.d; i++) if (!Number.isFinite(r.data[i]!)) throw new ValueError(`${fn}: ${name} must be finite, value ${i} is ${describeValue(r.data[i])}`);
}

function one(fn: string, name: string, v: unknown): { data: ArrayLike<number>; d: number } {
  const r = rowsOf(fn, name, v);
  if (r.k !== 1) throw new ShapeError(`${fn}: ${name} must be one encoding [d] or [1,d], got ${r.k} encodings of dimension ${r.d}`);
  finiteRows(fn, name, r);
  return r;
}

function distanceOf(a: ArrayLike<number>, ia: number, b: ArrayLike<number>, ib: number, d: number, metric: DistanceMetric): number {
  let s = 0;
  for (let k = 0; k < d; k++) {
    const t = a[ia * d + k]! - b[ib * d + k]!;
    s += t * t;
  }
  return metric === "euclidean" ? Math.sqrt(s) : s;
}

function thresholdOpts(fn: string, opts: unknown): { threshold: number; metric: DistanceMetric } {
  const o = requiredOptionsArg(fn, opts as VerifyOptions, "opts", "{ threshold }");
  const threshold = numberArg(fn, "opts.threshold", o.threshold, { min: 0 });
  const metric = optOneOfArg(fn, "opts.metric", o.metric, ["squared", "euclidean"] as const) ?? "squared";
  return { threshold, metric };
}

/** The distance between two encodings (squared Euclidean by default). */
export function faceDistance(encA: Tensor | ArrayLike<number>, encB: Tensor | ArrayLike<number>, opts: { metric?: DistanceMetric } = {}): number {
  const fn = "faceDistance";
  const a = one(fn, "encA", encA), b = one(fn, "encB", encB);
  if (a.d !== b.d) throw new ShapeError(`${fn}: encA has dimension ${a.d} but encB ${b.d}`);
  const metric = optOneOfArg(fn, "opts.metric", optionsArg(fn, opts).metric, ["squared", "euclidean"] as const) ?? "squared";
  return distanceOf(a.data, 0, b.data, 0, a.d, metric);
}

/** What `verify` returns. */
export interface Verification {
  /** d ≤ τ. */
  same: boolean;
  distance: number;
  threshold: number;
}

/**
 * Face verification, 1:1: the same person when `d(encA, encB) ≤ τ`.
 *
 * @example
 * cl.face.verify(fImage, database.encodingOf("ada"), { threshold: 0.7 })   // { same, distance, threshold }
 */
export function verify(encA: Tensor | ArrayLike<number>, encB: Tensor | ArrayLike<number>, opts: VerifyOptions): Verification {
  const fn = "verify";
  const a = one(fn, "encA", encA), b = one(fn, "encB", encB);
  if (a.d !== b.d) throw new ShapeError(`${fn}: encA has dimension ${a.d} but encB ${b.d} (encodings of the same encoder are needed)`);
  const { threshold, metric } = thresholdOpts(fn, opts);
  const distance = distanceOf(a.data, 0, b.data, 0, a.d, metric);
  return { same: distance <= threshold, distance, threshold };
}

/** What `recognize` returns. */
export interface Recognition {
  /** The nearest identity when its distance is ≤ τ, else null ("not recognized"). */
  identity: string | null;
  /** `identity`, or "not recognized". */
  label: string;
  /** The nearest identity whatever its distance, and that distance. */
  nearest: string;
  distance: number;
  threshold: number;
}

let nearestOf: (db: FaceDatabase, q: ArrayLike<number>, metric: DistanceMetric) => { owner: number; distance: number };

/**
 * A database of identities and their precomputed encodings (one or several per person): the
 * encodings are computed once, and each new picture costs one forward pass and K distances.
 */
export class FaceDatabase {
  readonly names: string[] = [];
  /** Row-major encodings, one row per reference; `owners[r]` indexes `names`. */
  private rows: number[] = [];
  private owners: number[] = [];
  private dim = 0;

  /** Encodings' dimension (0 while empty). */
  get dimension(): number {
    return this.dim;
  }

  /** Number of reference encodings (several per identity allowed). */
  get size(): number {
    return this.owners.length;
  }

  /** Adds reference encodings (`[d]` or `[k,d]`) of a person. */
  add(name: string, encodings: Tensor | ArrayLike<number>): this {
    const fn = "FaceDatabase.add";
    stringArg(fn, "name", name);
    if (name === "") throw new ValueError(`${fn}: name must not be empty`);
    const r = rowsOf(fn, "encodings", encodings);
    finiteRows(fn, "encodings", r);
    if (this.dim && r.d !== this.dim) throw new ShapeError(`${fn}: ${name}'s encodings have dimension ${r.d} but the database's have ${this.dim}`);
    this.dim = r.d;
    let id = this.names.indexOf(name);
    if (id < 0) id = this.names.push(name) - 1;
    for (let i = 0; i < r.k * r.d; i++) this.rows.push(r.data[i]!);
    for (let i = 0; i < r.k; i++) this.owners.push(id);
    return this;
  }

  /** The reference encodings of one identity, `[k, d]`. */
  encodingOf(name: string): Tensor {
    const id = this.names.indexOf(stringArg("FaceDatabase.encodingOf", "name", name));
    if (id < 0) throw new ValueError(`FaceDatabase.encodingOf: no identity "${name}" (known: ${this.names.join(", ") || "none"})`);
    const out: number[] = [];
    this.owners.forEach((o, r) => {
      if (o === id) for (let k = 0; k < this.dim; k++) out.push(this.rows[r * this.dim + k]!);
    });
    return new Tensor(Float32Array.from(out), [out.length / this.dim, this.dim]);
  }

  /** Recognition, 1:K: the nearest identity if within τ (`recognize(enc, this, opts)`). */
  identify(enc: Tensor | ArrayLike<number>, opts: VerifyOptions): Recognition {
    return recognizeIn("FaceDatabase.identify", enc, this, opts);
  }

  static {
    // the nearest reference of a query row, for recognize (not a public method)
    nearestOf = (db, q, metric) => {
      let best = -1, bestD = Infinity;
      for (let r = 0; r < db.owners.length; r++) {
        const dist = distanceOf(q, 0, db.rows, r, db.dim, metric);
        if (dist < bestD) (bestD = dist), (best = r);
      }
      return { owner: db.owners[best]!, distance: bestD };
    };
  }

  toString(): string {
    return `FaceDatabase: ${this.names.length} identities, ${this.size} encodings of dimension ${this.dim}`;
  }
}

/**
 * A database from `{ name: encodings }` (each `[d]` or `[k,d]`), or from encodings `[m,d]` with
 * one name per row.
 *
 * @example
 * const db = cl.face.database({ ada: encoder.predict(adaPictures), alan: encoder.predict(alanPicture) });
 */
export function database(entries: Readonly<Record<string, Tensor | ArrayLike<number>>> | Tensor, names?: readonly string[]): FaceDatabase {
  const fn = "database";
  const db = new FaceDatabase();
  if (entries instanceof Tensor) {
    if (entries.rank !== 2) throw new ShapeError(`${fn}: encodings must be [m,d], got ${fmtShape(entries.shape)}`);
    const [m, d] = entries.shape as [number, number];
    const ns = arrayArg(fn, "names", names);
    if (ns.length !== m) throw new ShapeError(`${fn}: expected one name per encoding (${m}), got ${ns.length}`);
    ns.forEach((n, i) => db.add(stringArg(fn, `names[${i}]`, n), entries.data.subarray(i * d, (i + 1) * d)));
    return db;
  }
  const o = requiredOptionsArg(fn, entries as Record<string, Tensor>, "entries", "{ name: encodings }");
  for (const [name, enc] of Object.entries(o)) db.add(name, enc);
  return db;
}

function recognizeIn(fn: string, enc: unknown, db: FaceDatabase, opts: unknown): Recognition {
  if (!(db instanceof FaceDatabase)) typeFail(fn, "database", "a FaceDatabase (cl.face.database(...))", db);
  const q = one(fn, "enc", enc);
  const { threshold, metric } = thresholdOpts(fn, opts);
  if (db.size === 0) throw new ValueError(`${fn}: the database is empty`);
  if (q.d !== db.dimension) throw new ShapeError(`${fn}: the encoding has dimension ${q.d} but the database's encodings have ${db.dimension}`);
  const { owner, distance } = nearestOf(db, q.data, metric);
  const nearest = db.names[owner]!;
  const identity = distance <= threshold ? nearest : null;
  return { identity, label: identity ?? "not recognized", nearest, distance, threshold };
}

/**
 * Face recognition, 1:K: the database's nearest identity to `enc`, or "not recognized" when even
 * the nearest is farther than τ.
 *
 * @example
 * cl.face.recognize(f, db, { threshold: 0.7 })   // { identity: "ada" | null, label, nearest, distance }
 */
export function recognize(enc: Tensor | ArrayLike<number>, db: FaceDatabase, opts: VerifyOptions): Recognition {
  return recognizeIn("recognize", enc, db, opts);
}

/**
 * One-shot recognition: each query takes the identity of its nearest reference (one reference
 * per class is the one-shot setting; more are allowed). Returns the accuracy and predictions.
 */
export function oneShotAccuracy(references: Tensor, referenceLabels: ArrayLike<number> | Tensor, queries: Tensor, queryLabels: ArrayLike<number> | Tensor, opts: { metric?: DistanceMetric } = {}): { accuracy: number; predictions: number[] } {
  const fn = "oneShotAccuracy";
  const R = rowsOf(fn, "references", references), Q = rowsOf(fn, "queries", queries);
  finiteRows(fn, "references", R);
  finiteRows(fn, "queries", Q);
  if (R.d !== Q.d) throw new ShapeError(`${fn}: references have dimension ${R.d} but queries ${Q.d}`);
  const rl = labelsArg(fn, referenceLabels, R.k), ql = labelsArg(fn, queryLabels, Q.k);
  const metric = optOneOfArg(fn, "opts.metric", optionsArg(fn, opts).metric, ["squared", "euclidean"] as const) ?? "squared";
  const predictions: number[] = [];
  let correct = 0;
  for (let q = 0; q < Q.k; q++) {
    let best = 0, bestD = Infinity;
    for (let r = 0; r < R.k; r++) {
      const dist = distanceOf(Q.data, q, R.data, r, R.d, metric);
      if (dist < bestD) (bestD = dist), (best = r);
    }
    predictions.push(rl[best]!);
    if (rl[best] === ql[q]) correct++;
  }
  return { accuracy: correct / Q.k, predictions };
}
