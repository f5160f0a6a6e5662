// application/vnd.convlab.activations+json: per-layer activation statistics and top-k patches.
import {
  PayloadError, arr, box, fail, image, int, num, numOrNull, nums, obj, payloadObject, run, str,
  type BoxCorners, type ImageRef, type ParseResult,
} from "./common.js";

export const ACTIVATIONS_MIME = "application/vnd.convlab.activations+json";

export interface Histogram {
  /** Bin edges, ascending: `counts.length + 1` values. */
  edges: number[];
  counts: number[];
}

/** Statistics of one layer's output over a batch (all positions and channels). */
export interface ActivationLayerStats {
  name: string;
  type: string;
  /** Output shape without the batch axis. */
  shape: number[];
  /** Values summarized (batch · size). */
  count: number;
  mean: number | null;
  std: number | null;
  /** Fraction of values exactly 0 (dead ReLUs). */
  fractionZero: number;
  min: number | null;
  max: number | null;
  histogram: Histogram;
}

/** An input patch that makes a unit fire strongly. */
export interface UnitPatch {
  image: ImageRef;
  /** The unit's activation there. */
  activation: number;
  /** Example index in the batch the patch comes from. */
  example: number;
  /** The receptive field in the input, pixels (clipped to the image). */
  box: BoxCorners;
}

/** A unit (channel `unit` of layer `layer`) and its top-k patches, strongest first. */
export interface UnitPatches {
  layer: string;
  unit: number;
  patches: UnitPatch[];
}

export interface ActivationsPayload {
  version: 1;
  model: string;
  /** Training step the statistics belong to (live updates); absent for a one-off look. */
  step?: number;
  layers: ActivationLayerStats[];
  units?: UnitPatches[];
  /**
   * Names the model and batch in the live kernel that made this payload: the widget may ask the
   * kernel (comm method `inspect.topPatches`) for more units' patches while that kernel runs.
   */
  source?: string;
}

function histogram(v: unknown, path: string): Histogram {
  const o = obj(v, path);
  const counts = arr(o.counts, `${path}.counts`).map((c, i) => int(c, `${path}.counts[${i}]`));
  const edges = nums(o.edges, `${path}.edges`, counts.length + 1);
  for (let i = 1; i < edges.length; i++) if (!(edges[i]! >= edges[i - 1]!)) throw new PayloadError(`${path}.edges: expected ascending values, got ${edges[i - 1]} then ${edges[i]}`);
  return { edges, counts };
}

/** Validates an activations payload. */
export function parseActivations(v: unknown): ParseResult<ActivationsPayload> {
  return run("activations", () => {
    const o = payloadObject(v);
    const p: ActivationsPayload = {
      version: 1,
      model: str(o.model, "payload.model"),
      layers: arr(o.layers, "payload.layers").map((l, i) => {
        const path = `payload.layers[${i}]`;
        const lo = obj(l, path);
        const fz = num(lo.fractionZero, `${path}.fractionZero`);
        if (fz < 0 || fz > 1) fail(`${path}.fractionZero`, "a fraction in [0, 1]", fz);
        return {
          name: str(lo.name, `${path}.name`),
          type: str(lo.type, `${path}.type`),
          shape: arr(lo.shape, `${path}.shape`).map((d, j) => int(d, `${path}.shape[${j}]`)),
          count: int(lo.count, `${path}.count`),
          mean: numOrNull(lo.mean, `${path}.mean`),
          std: numOrNull(lo.std, `${path}.std`),
          fractionZero: fz,
          min: numOrNull(lo.min, `${path}.min`),
          max: numOrNull(lo.max, `${path}.max`),
          histogram: histogram(lo.histogram, `${path}.histogram`),
        };
      }),
    };
    if (o.step !== undefined) p.step = int(o.step, "payload.step");
    if (o.source !== undefined) p.source = str(o.source, "payload.source");
    if (o.units !== undefined)
      p.units = arr(o.units, "payload.units").map((u, i) => {
        const path = `payload.units[${i}]`;
        const uo = obj(u, path);
        return {
          layer: str(uo.layer, `${path}.layer`),
          unit: int(uo.unit, `${path}.unit`),
          patches: arr(uo.patches, `${path}.patches`).map((q, j) => {
            const pp = `${path}.patches[${j}]`;
            const qo = obj(q, pp);
            return { image: image(qo.image, `${pp}.image`), activation: num(qo.activation, `${pp}.activation`), example: int(qo.example, `${pp}.example`), box: box(qo.box, `${pp}.box`) };
          }),
        };
      });
    return p;
  });
}
