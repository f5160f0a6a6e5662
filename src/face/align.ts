/**
 * Face alignment for a face encoder: detect → 68 landmarks → the similarity transform (rotation,
 * uniform scale, translation) that best maps the eyes and the mouth onto a canonical template →
 * resample a square chip → encode. The networks are passed in (any objects with `detect`,
 * `landmarks` and `descriptor`, e.g. `cl.models.pretrained.tinyFaceDetector()`,
 * `faceLandmark68()` and `faceRecognition()`), so this module has no Node dependency.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, numberArg, optIntArg, optionsArg, requiredOptionsArg, typeFail } from "../util/check.js";

export interface Point {
  x: number;
  y: number;
}

/** `x' = a·x − b·y + tx`, `y' = b·x + a·y + ty`: scale √(a² + b²), angle atan2(b, a). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

function pointsArg(fn: string, name: string, v: unknown): Point[] {
  return arrayArg(fn, name, v).map((p, i) => {
    const o = requiredOptionsArg(fn, p as Point, `${name}[${i}]`, "{ x, y }");
    return { x: numberArg(fn, `${name}[${i}].x`, o.x), y: numberArg(fn, `${name}[${i}].y`, o.y) };
  });
}

/**
 * The least-squares similarity transform taking `src` points onto `dst` (Umeyama's solution
 * without reflection): minimises Σ ‖T(src_i) − dst_i‖². Needs at least 2 distinct points.
 */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Similarity {
  const fn = "similarityTransform";
  const s = pointsArg(fn, "src", src), d = pointsArg(fn, "dst", dst);
  if (s.length !== d.length) throw new ShapeError(`${fn}: src has ${s.length} points but dst ${d.length}`);
  if (s.length < 2) throw new ValueError(`${fn}: needs at least 2 point pairs, got ${s.length}`);
  const n = s.length;
  const mean = (ps: Point[]): Point => ({ x: ps.reduce((a, p) => a + p.x, 0) / n, y: ps.reduce((a, p) => a + p.y, 0) / n });
  const ms = mean(s), md = mean(d);
  let sxx = 0, num_a = 0, num_b = 0;
  for (let i = 0; i < n; i++) {
    const xs = s[i]!.x - ms.x, ys = s[i]!.y - ms.y, xd = d[i]!.x - md.x, yd = d[i]!.y - md.y;
    sxx += xs * xs + ys * ys;
    num_a += xs * xd + ys * yd;
    num_b += xs * yd - ys * xd;
  }
  if (!(sxx > 0)) throw new ValueError(`${fn}: the src points all coincide`);
  const a = num_a / sxx, b = num_b / sxx;
  return { a, b, tx: md.x - (a * ms.x - b * ms.y), ty: md.y - (b * ms.x + a * ms.y) };
}

function similarityArg(fn: string, v: unknown): Similarity {
  const o = requiredOptionsArg(fn, v as Similarity, "t", "{ a, b, tx, ty }");
  return { a: numberArg(fn, "t.a", o.a), b: numberArg(fn, "t.b", o.b), tx: numberArg(fn, "t.tx", o.tx), ty: numberArg(fn, "t.ty", o.ty) };
}

/** Applies a similarity to a point. */
export function applySimilarity(t: Similarity, p: Point): Point {
  const T = similarityArg("applySimilarity", t);
  const [q] = pointsArg("applySimilarity", "p", [p]);
  return { x: T.a * q!.x - T.b * q!.y + T.tx, y: T.b * q!.x + T.a * q!.y + T.ty };
}

/**
 * Resamples `image` `[nH, nW, nC]` into a `size × size` chip through the similarity `t` (image
 * pixels → chip pixels): each chip pixel centre is mapped back (the inverse transform) and read
 * bilinearly; outside the image reads 0. Pixel centres are at integer + 0.5.
 */
export function warpSimilarity(image: Tensor, t: Similarity, size: number): Tensor {
  const fn = "warpSimilarity";
  if (!(image instanceof Tensor)) typeFail(fn, "image", "an image tensor [nH,nW,nC]", image);
  if (image.rank !== 3) throw new ShapeError(`${fn}: image must be [nH,nW,nC], got ${fmtShape(image.shape)}`);
  const S = optIntArg(fn, "size", size, { min: 1, max: 4096 }) ?? 150;
  t = similarityArg(fn, t);
  const [H, W, C] = image.shape as [number, number, number];
  const det = t.a * t.a + t.b * t.b;
  if (!(det > 0) || !Number.isFinite(det)) throw new ValueError(`${fn}: the transform is degenerate (a = ${t.a}, b = ${t.b})`);
  // inverse: x = ( a(u − tx) + b(v − ty)) / det, y = (−b(u − tx) + a(v − ty)) / det
  const src = image.data, out = new Float32Array(S * S * C);
  for (let v = 0; v < S; v++)
    for (let u = 0; u < S; u++) {
      const du = u + 0.5 - t.tx, dv = v + 0.5 - t.ty;
      const x = (t.a * du + t.b * dv) / det - 0.5, y = (-t.b * du + t.a * dv) / det - 0.5;
      const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
      for (let c = 0; c < C; c++) {
        let acc = 0;
        for (const [yy, wy] of [[y0, 1 - fy], [y0 + 1, fy]] as const)
          for (const [xx, wx] of [[x0, 1 - fx], [x0 + 1, fx]] as const)
            if (yy >= 0 && yy < H && xx >= 0 && xx < W && wx * wy > 0) acc += wx * wy * src[(yy * W + xx) * C + c]!;
        out[(v * S + u) * C + c] = acc;
      }
    }
  return new Tensor(out, [S, S, C]);
}

/** Where the aligned chip puts the eye centres and the mouth centre, as fractions of its side. */
export const ALIGN_TEMPLATE = { leftEye: { x: 0.3, y: 0.36 }, rightEye: { x: 0.7, y: 0.36 }, mouth: { x: 0.5, y: 0.76 } } as const;

/** Eye centres (points 37–42 and 43–48, 1-based) and mouth centre (49–68) of 68 landmarks. */
export function landmarkAnchors(landmarks: readonly Point[]): { leftEye: Point; rightEye: Point; mouth: Point } {
  const fn = "landmarkAnchors";
  const p = pointsArg(fn, "landmarks", landmarks);
  if (p.length !== 68) throw new ShapeError(`${fn}: expected the 68 points of the iBUG 68-point scheme, got ${p.length}`);
  const centre = (from: number, to: number): Point => {
    const q = p.slice(from, to);
    return { x: q.reduce((s, r) => s + r.x, 0) / q.length, y: q.reduce((s, r) => s + r.y, 0) / q.length };
  };
  return { leftEye: centre(36, 42), rightEye: centre(42, 48), mouth: centre(48, 68) };
}

/**
 * The aligned face chip `[size, size, nC]` (default 150, the encoder's input): the similarity
 * transform that maps the eye and mouth centres of the 68 landmarks (in the image's pixels) onto
 * `ALIGN_TEMPLATE`, then bilinear resampling. The eyes end up level and at a fixed distance.
 */
export function alignFace(image: Tensor, landmarks: readonly Point[], opts: { size?: number } = {}): { chip: Tensor; transform: Similarity } {
  const fn = "alignFace";
  if (!(image instanceof Tensor) || image.rank !== 3) throw new ShapeError(`${fn}: image must be [nH,nW,nC], got ${image instanceof Tensor ? fmtShape(image.shape) : typeof image}`);
  const size = optIntArg(fn, "opts.size", optionsArg(fn, opts).size, { min: 8, max: 4096 }) ?? 150;
  const k = landmarkAnchors(landmarks);
  const T = ALIGN_TEMPLATE;
  const scaled = (q: Point): Point => ({ x: q.x * size, y: q.y * size });
  const transform = similarityTransform([k.leftEye, k.rightEye, k.mouth], [scaled(T.leftEye), scaled(T.rightEye), scaled(T.mouth)]);
  return { chip: warpSimilarity(image, transform, size), transform };
}

/** What `describeFaces` needs of the networks (the pretrained loaders' objects fit). */
export interface FaceNets {
  detector: { detect(image: Tensor): readonly { box: { x1: number; y1: number; x2: number; y2: number }; score: number }[] };
  landmarks: { landmarks(image: Tensor): readonly Point[] };
  encoder: { descriptor(image: Tensor): Tensor };
}

/** One face found by `describeFaces`. */
export interface DescribedFace {
  box: { x1: number; y1: number; x2: number; y2: number };
  score: number;
  /** 68 landmarks in the image's pixels. */
  landmarks: Point[];
  /** The aligned chip the encoder saw. */
  chip: Tensor;
  /** The encoding f(x) (128-D for the pretrained encoder). */
  descriptor: Tensor;
}

/**
 * Detect → landmarks (on the detected box's crop) → align → encode, for every face in `image`
 * (`[nH, nW, 3]`, RGB in [0, 1]).
 *
 * @example
 * const nets = { detector: await cl.models.pretrained.tinyFaceDetector(), landmarks: await cl.models.pretrained.faceLandmark68(), encoder: await cl.models.pretrained.faceRecognition() };
 * const [face] = cl.face.describeFaces(cl.io.readImage("data/astronaut.png"), nets);   // face.descriptor: [128]
 */
export function describeFaces(image: Tensor, nets: FaceNets, opts: { size?: number } = {}): DescribedFace[] {
  const fn = "describeFaces";
  if (!(image instanceof Tensor) || image.rank !== 3) throw new ShapeError(`${fn}: image must be [nH,nW,3], got ${image instanceof Tensor ? fmtShape(image.shape) : typeof image}`);
  const n = requiredOptionsArg(fn, nets, "nets", "{ detector, landmarks, encoder }");
  for (const [k, m] of [["detector", "detect"], ["landmarks", "landmarks"], ["encoder", "descriptor"]] as const) {
    const net = (n as unknown as Record<string, Record<string, unknown> | undefined>)[k];
    if (typeof net !== "object" || net === null || typeof net[m] !== "function") typeFail(fn, `nets.${k}`, `an object with ${m}(image)`, net);
  }
  const [H, W, C] = image.shape as [number, number, number];
  return n.detector.detect(image).map((face) => {
    const x0 = Math.max(0, Math.round(face.box.x1)), y0 = Math.max(0, Math.round(face.box.y1));
    const x1 = Math.min(W, Math.round(face.box.x2)), y1 = Math.min(H, Math.round(face.box.y2));
    if (x1 - x0 < 2 || y1 - y0 < 2) throw new ValueError(`${fn}: a detected box is empty inside the image (${JSON.stringify(face.box)})`);
    const crop = image.slice([y0, x0, 0], [y1 - y0, x1 - x0, C]);
    const landmarks = n.landmarks.landmarks(crop).map((p) => ({ x: p.x + x0, y: p.y + y0 }));
    const { chip } = alignFace(image, landmarks, opts);
    return { box: face.box, score: face.score, landmarks, chip, descriptor: n.encoder.descriptor(chip) };
  });
}
