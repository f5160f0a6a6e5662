// The records augmentations work on, and the plumbing that runs a per-image transform over one
// image or a batch and carries boxes and landmarks along.
import { Tensor, allocate, type TypedArray } from "../../tensor/tensor.js";
import type { Box } from "../../detection/boxes.js";
import { ShapeError, ValueError, fmtShape } from "../../util/errors.js";
import type { Rng } from "../../util/rng.js";

/** A landmark (e.g. a face point or a pose joint) in the pixel coordinates of boxes. */
export interface Point {
  x: number;
  y: number;
}

/**
 * An example an augmentation transforms: an NHWC image — one `[nH, nW, nC]` or a batch
 * `[m, nH, nW, nC]` — with optional boxes and landmarks in pixels ((0, 0) is the image's top-left
 * corner, pixel (i, j) covers x ∈ [j, j+1), y ∈ [i, i+1); boxes are corners as in
 * `cl.detection`). For a batch, `boxes` and `landmarks` hold one list per image. Any other field
 * (`label`, a box's `classId`…) is carried through unchanged.
 */
export interface Example {
  image: Tensor;
  boxes?: readonly Box[] | readonly (readonly Box[])[];
  landmarks?: readonly Point[] | readonly (readonly Point[])[];
  label?: unknown;
  [key: string]: unknown;
}

/**
 * A seeded augmentation: a plain function of an example and a generator, returning a new
 * example (the input is never modified). The same generator state gives the same result; every
 * image of a batch draws its own parameters, one image after the other.
 */
export type Transform = <E extends Example>(example: E, rng: Rng) => E;

/** One image of an example, as a per-image transform sees and returns it (data `[h, w, c]` row-major). */
export interface Frame {
  data: TypedArray;
  h: number;
  w: number;
  c: number;
  boxes: Box[] | undefined;
  landmarks: Point[] | undefined;
}

function isBox(b: unknown): b is Box {
  if (typeof b !== "object" || b === null) return false;
  const { x1, y1, x2, y2 } = b as Box;
  return [x1, y1, x2, y2].every((v) => typeof v === "number" && Number.isFinite(v)) && x2 >= x1 && y2 >= y1;
}

function isPoint(p: unknown): p is Point {
  if (typeof p !== "object" || p === null) return false;
  const { x, y } = p as Point;
  return typeof x === "number" && Number.isFinite(x) && typeof y === "number" && Number.isFinite(y);
}

/** The per-image lists of boxes or landmarks, checked against the batch size. */
function lists<T>(op: string, what: string, v: unknown, m: number, batched: boolean, ok: (e: unknown) => e is T, form: string): (T[] | undefined)[] {
  if (v === undefined) return new Array<undefined>(m).fill(undefined);
  if (!Array.isArray(v)) throw new ValueError(`${op}: ${what} must be a list of ${form}${batched ? " per image" : ""}, got ${typeof v}`);
  const per = batched ? v : [v];
  if (batched && per.length !== m) throw new ValueError(`${op}: a batch of ${m} images needs one list of ${what} per image, got ${per.length} lists`);
  return per.map((l, i) => {
    if (!Array.isArray(l)) throw new ValueError(`${op}: ${what} of a batch must be one list per image (image ${i} has ${typeof l})`);
    l.forEach((e, k) => {
      if (!ok(e)) throw new ValueError(`${op}: ${what}${batched ? `[${i}]` : ""}[${k}] must be ${form}, got ${JSON.stringify(e)}`);
    });
    return l as T[];
  });
}

/** Checks an example and returns its image geometry: batch size m (1 for one image), nH, nW, nC. */
export function checkExample(op: string, ex: Example): { m: number; h: number; w: number; c: number; batched: boolean } {
  if (typeof ex !== "object" || ex === null || !(ex.image instanceof Tensor))
    throw new ValueError(`${op}: expected an example { image, boxes?, landmarks?, ... } with an image tensor [nH,nW,nC] or [m,nH,nW,nC]${ex instanceof Tensor ? " (got a bare tensor: use { image: x }, or augment.apply(t, x))" : ""}`);
  const s = ex.image.shape;
  if (s.length !== 3 && s.length !== 4) throw new ShapeError(`${op}: image must be [nH,nW,nC] or [m,nH,nW,nC] (NHWC), got ${fmtShape(s)}`);
  const [m, h, w, c] = s.length === 3 ? [1, s[0]!, s[1]!, s[2]!] : (s as [number, number, number, number]);
  if (h === 0 || w === 0 || c === 0) throw new ShapeError(`${op}: image ${fmtShape(s)} is empty`);
  return { m, h, w, c, batched: s.length === 4 };
}

/**
 * A transform from a function of one image: splits the example into frames (one per image),
 * calls `f` on each in order with the same generator, and assembles the results — which must all
 * have one size — into a new example of the same form.
 */
export function perImage(op: string, f: (frame: Frame, rng: Rng) => Frame): Transform {
  return <E extends Example>(ex: E, rng: Rng): E => {
    const { m, h, w, c, batched } = checkExample(op, ex);
    const boxes = lists(op, "boxes", ex.boxes, m, batched, isBox, "boxes { x1, y1, x2, y2 } with x2 ≥ x1, y2 ≥ y1");
    const marks = lists(op, "landmarks", ex.landmarks, m, batched, isPoint, "points { x, y }");
    const outs: Frame[] = [];
    const n = h * w * c;
    for (let i = 0; i < m; i++) {
      const frame: Frame = { data: ex.image.data.subarray(i * n, (i + 1) * n), h, w, c, boxes: boxes[i], landmarks: marks[i] };
      outs.push(f(frame, rng));
    }
    const o = outs[0]!;
    const size = o.h * o.w * o.c;
    // One image keeps the frame's array unless it is (a view of) the input: the input is never shared.
    const own = m === 1 && o.data.buffer !== ex.image.data.buffer;
    const data = own ? o.data : allocate(ex.image.dtype, m * size);
    if (!own) outs.forEach((fr, i) => data.set(fr.data, i * size));
    const image = new Tensor(data, batched ? [m, o.h, o.w, o.c] : [o.h, o.w, o.c]);
    const out: Example = { ...ex, image };
    if (ex.boxes !== undefined) out.boxes = batched ? outs.map((fr) => fr.boxes ?? []) : (o.boxes ?? []);
    if (ex.landmarks !== undefined) out.landmarks = batched ? outs.map((fr) => fr.landmarks ?? []) : (o.landmarks ?? []);
    return out as E;
  };
}

/** A new array of the frame's dtype. */
export function like(data: TypedArray, n: number): TypedArray {
  return data instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** Maps the boxes' corners with `f` (which may reorder them), keeping their other fields. */
export function mapBox(b: Box, x1: number, y1: number, x2: number, y2: number): Box {
  return { ...b, x1, y1, x2, y2 };
}

/**
 * The axis-aligned box around `points` (the image of a box under a transform), clipped to the
 * w×h frame; null when nothing of it is left inside (the box left the picture).
 */
export function clippedBounds(b: Box, points: readonly Point[], w: number, h: number): Box | null {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const p of points) {
    x1 = Math.min(x1, p.x); y1 = Math.min(y1, p.y);
    x2 = Math.max(x2, p.x); y2 = Math.max(y2, p.y);
  }
  x1 = Math.max(0, x1); y1 = Math.max(0, y1);
  x2 = Math.min(w, x2); y2 = Math.min(h, y2);
  if (!(x2 > x1 && y2 > y1)) return null;
  return mapBox(b, x1, y1, x2, y2);
}

/** A number option in a range, or the clear error naming the transform. */
export function checkNumber(op: string, name: string, v: unknown, lo: number, hi = Infinity, loOpen = false): number {
  if (typeof v !== "number" || !Number.isFinite(v) || (loOpen ? v <= lo : v < lo) || v > hi)
    throw new ValueError(`${op}: ${name} must be a number ${loOpen ? ">" : "≥"} ${lo}${hi < Infinity ? ` and ≤ ${hi}` : ""}, got ${JSON.stringify(v)}`);
  return v;
}

/** An optional [lo, hi] clip range. */
export function checkClip(op: string, clip: unknown): readonly [number, number] | undefined {
  if (clip === undefined) return undefined;
  if (!Array.isArray(clip) || clip.length !== 2 || !clip.every((v) => typeof v === "number" && !Number.isNaN(v)) || clip[0] > clip[1])
    throw new ValueError(`${op}: clip must be [lo, hi] with lo ≤ hi, got ${JSON.stringify(clip)}`);
  return clip as [number, number];
}
