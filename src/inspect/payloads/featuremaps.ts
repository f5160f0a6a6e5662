// application/vnd.convlab.featuremaps+json: one example's feature maps, layer by layer.
import { PayloadError, arr, image, int, numOrNull, obj, oneOf, packed, payloadObject, run, str, type ImageRef, type PackedArray, type ParseResult } from "./common.js";

export const FEATUREMAPS_MIME = "application/vnd.convlab.featuremaps+json";

/** One layer's output for one example: `nC` maps of `nH×nW`. */
export interface FeatureMapsLayer {
  name: string;
  type: string;
  /** `[nH, nW, nC]` (1-D outputs `[n]` are sent as `[1, n, 1]`). */
  shape: [number, number, number];
  /**
   * The values channel after channel: map `c` is `values[c·nH·nW … (c+1)·nH·nW)`, row-major
   * (the activation's NHWC transposed to CHW). `uint8` uses one `lo`/`hi` per channel.
   */
  maps: PackedArray;
  /** Per channel: the smallest and largest finite value (`null` when the map has none). */
  min: (number | null)[];
  max: (number | null)[];
}

export interface FeatureMapsPayload {
  version: 1;
  /** The model's name. */
  model: string;
  /** Which example of the batch is shown (0-based). */
  example: number;
  /** The example itself, when it is a picture. */
  input?: ImageRef;
  /** Initial colour scale: one for all maps of a layer, or each map its own (default "per-map"). */
  scale?: "shared" | "per-map";
  colormap?: "viridis" | "gray" | "diverging";
  layers: FeatureMapsLayer[];
}

/** Validates a feature-maps payload (sizes of every packed map included). */
export function parseFeatureMaps(v: unknown): ParseResult<FeatureMapsPayload> {
  return run("feature maps", () => {
    const o = payloadObject(v);
    const p: FeatureMapsPayload = {
      version: 1,
      model: str(o.model, "payload.model"),
      example: int(o.example, "payload.example"),
      layers: arr(o.layers, "payload.layers").map((l, i) => {
        const path = `payload.layers[${i}]`;
        const lo = obj(l, path);
        const shape = arr(lo.shape, `${path}.shape`, 3).map((d, j) => int(d, `${path}.shape[${j}]`, 1)) as [number, number, number];
        const [nH, nW, nC] = shape;
        const mm = (x: unknown, p2: string): (number | null)[] => arr(x, p2, nC).map((y, j) => numOrNull(y, `${p2}[${j}]`));
        return {
          name: str(lo.name, `${path}.name`),
          type: str(lo.type, `${path}.type`),
          shape,
          maps: packed(lo.maps, `${path}.maps`, nH * nW * nC, nC),
          min: mm(lo.min, `${path}.min`),
          max: mm(lo.max, `${path}.max`),
        };
      }),
    };
    if (p.layers.length === 0) throw new PayloadError("payload.layers: expected at least one layer, got none");
    if (o.input !== undefined) p.input = image(o.input, "payload.input");
    if (o.scale !== undefined) p.scale = oneOf(o.scale, "payload.scale", ["shared", "per-map"] as const);
    if (o.colormap !== undefined) p.colormap = oneOf(o.colormap, "payload.colormap", ["viridis", "gray", "diverging"] as const);
    return p;
  });
}
