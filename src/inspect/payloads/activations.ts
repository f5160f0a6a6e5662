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
  /**
   * Mean of each unit (channel, the last axis) over the batch and all positions, for 2-D maps
   * (`shape` `[nH,nW,nC]`): `nC` values, `null` where none was finite. The widget colours its
   * grid of clickable units by these.
   */
  unitMeans?: (number | null)[];
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
  /**
   * The whole input example, one image pixel per input pixel (so `box` is in its pixels), for
   * drawing the receptive field in place; sent with the kernel's answers to a clicked unit.
   */
  context?: ImageRef;
}

/** A layer's receptive field per spatial axis (rows, columns), as `cl.inspect.receptiveFieldOf` gives it. */
export interface UnitField {
  size: number[];
  stride: number[];
  offset: number[];
}

/** A unit (channel `unit` of layer `layer`) and its top-k patches, strongest first. */
export interface UnitPatches {
  layer: string;
  unit: number;
  patches: UnitPatch[];
  /** The layer's receptive field (in the kernel's answers to a clicked unit). */
  field?: UnitField;
  /** How many examples were searched for these patches. */
  examples?: number;
}

export interface ActivationsPayload {
  version: 1;
  model: string;
  /** Training step the statistics belong to (live updates); absent for a one-off look. */
  step?: number;
  layers: ActivationLayerStats[];
  units?: UnitPatches[];
  /**
   * Names the model and dataset in the live kernel that made this payload: a click on a unit in
   * the widget asks the kernel (comm method `inspect.topPatches`, docs/extension.md) for that
   * unit's top-k patches over the dataset while that kernel runs.
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

/** `{ unitMeans }` when present: one number (or null) per channel of a `[nH,nW,nC]` layer. */
function unitMeans(v: unknown, shape: unknown, path: string): { unitMeans?: (number | null)[] } {
  if (v === undefined) return {};
  const s = shape as number[];
  if (s.length !== 3) fail(path, "no unit means for a layer that is not [nH,nW,nC]", v);
  return { unitMeans: arr(v, path, s[2]).map((x, i) => numOrNull(x, `${path}[${i}]`)) };
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
          ...unitMeans(lo.unitMeans, lo.shape, `${path}.unitMeans`),
        };
      }),
    };
    if (o.step !== undefined) p.step = int(o.step, "payload.step");
    if (o.source !== undefined) p.source = str(o.source, "payload.source");
    if (o.units !== undefined)
      p.units = arr(o.units, "payload.units").map((u, i) => {
        const path = `payload.units[${i}]`;
        const uo = obj(u, path);
        const r: UnitPatches = {
          layer: str(uo.layer, `${path}.layer`),
          unit: int(uo.unit, `${path}.unit`),
          patches: arr(uo.patches, `${path}.patches`).map((q, j) => {
            const pp = `${path}.patches[${j}]`;
            const qo = obj(q, pp);
            const patch: UnitPatch = { image: image(qo.image, `${pp}.image`), activation: num(qo.activation, `${pp}.activation`), example: int(qo.example, `${pp}.example`), box: box(qo.box, `${pp}.box`) };
            if (qo.context !== undefined) {
              patch.context = image(qo.context, `${pp}.context`);
              const b = patch.box, c = patch.context;
              if (!(b.x1 >= 0 && b.y1 >= 0 && b.x2 >= b.x1 && b.y2 >= b.y1 && b.x2 < c.width && b.y2 < c.height))
                fail(`${pp}.box`, `a box inside the ${c.width}×${c.height} context picture`, b);
            }
            return patch;
          }),
        };
        if (uo.field !== undefined) {
          const fo = obj(uo.field, `${path}.field`);
          const size = arr(fo.size, `${path}.field.size`).map((d, j) => int(d, `${path}.field.size[${j}]`, 1));
          r.field = { size, stride: arr(fo.stride, `${path}.field.stride`, size.length).map((d, j) => int(d, `${path}.field.stride[${j}]`, 1)), offset: nums(fo.offset, `${path}.field.offset`, size.length) };
        }
        if (uo.examples !== undefined) r.examples = int(uo.examples, `${path}.examples`);
        return r;
      });
    return p;
  });
}
