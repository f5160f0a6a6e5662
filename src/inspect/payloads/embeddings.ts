// application/vnd.convlab.embeddings+json: encodings f(x) with identities, triplets and the verification threshold.
import { PayloadError, arr, fail, image, int, num, nums, obj, oneOf, packed, payloadObject, run, str, type ImageRef, type PackedArray, type ParseResult } from "./common.js";

export const EMBEDDINGS_MIME = "application/vnd.convlab.embeddings+json";

export interface Triplet {
  anchor: number;
  positive: number;
  negative: number;
}

export interface EmbeddingsPayload {
  version: 1;
  /** m points of dimension d. */
  count: number;
  dim: number;
  /** The encodings f(x), `[m, d]` row-major, float32 (the browser computes PCA and distances from them). */
  vectors: PackedArray;
  /** Identity of each point (index into `identities`). */
  labels: number[];
  identities: string[];
  /** A projection made in the kernel (t-SNE), `[m, dims]` row-major. Without it the browser uses PCA. */
  projection?: { method: "tsne" | "pca"; dims: 2 | 3; coords: number[]; seed?: number };
  /** One thumbnail per point (or null), shown on hover. */
  thumbnails?: (ImageRef | null)[];
  triplets?: Triplet[];
  /** Triplet margin α (default 0.2). */
  alpha: number;
  /** Initial verification threshold τ on d = ‖f(x1) − f(x2)‖²: "same person" when d ≤ τ. */
  tau: number;
}

/** Validates an embeddings payload (indices of labels and triplets within range). */
export function parseEmbeddings(v: unknown): ParseResult<EmbeddingsPayload> {
  return run("embeddings", () => {
    const o = payloadObject(v);
    const m = int(o.count, "payload.count", 1);
    const d = int(o.dim, "payload.dim", 1);
    const identities = arr(o.identities, "payload.identities").map((s, i) => str(s, `payload.identities[${i}]`));
    const index = (x: unknown, path: string, n: number, what: string): number => {
      const k = int(x, path);
      if (k >= n) throw new PayloadError(`${path}: ${what} ${k} is out of range (${n})`);
      return k;
    };
    const p: EmbeddingsPayload = {
      version: 1,
      count: m,
      dim: d,
      vectors: packed(o.vectors, "payload.vectors", m * d, m),
      labels: arr(o.labels, "payload.labels", m).map((l, i) => index(l, `payload.labels[${i}]`, identities.length, "identity")),
      identities,
      alpha: num(o.alpha, "payload.alpha"),
      tau: num(o.tau, "payload.tau"),
    };
    if (o.projection !== undefined) {
      const pr = obj(o.projection, "payload.projection");
      const dims = pr.dims === 2 || pr.dims === 3 ? pr.dims : fail("payload.projection.dims", "2 or 3", pr.dims);
      p.projection = {
        method: oneOf(pr.method, "payload.projection.method", ["tsne", "pca"] as const),
        dims,
        coords: nums(pr.coords, "payload.projection.coords", m * dims),
      };
      if (pr.seed !== undefined) p.projection.seed = int(pr.seed, "payload.projection.seed");
    }
    if (o.thumbnails !== undefined) p.thumbnails = arr(o.thumbnails, "payload.thumbnails", m).map((t, i) => (t === null ? null : image(t, `payload.thumbnails[${i}]`)));
    if (o.triplets !== undefined)
      p.triplets = arr(o.triplets, "payload.triplets").map((t, i) => {
        const path = `payload.triplets[${i}]`;
        const to = obj(t, path);
        return { anchor: index(to.anchor, `${path}.anchor`, m, "point"), positive: index(to.positive, `${path}.positive`, m, "point"), negative: index(to.negative, `${path}.negative`, m, "point") };
      });
    return p;
  });
}
