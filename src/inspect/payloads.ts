/**
 * The widget payloads of DESIGN's "Kernel ↔ extension contract": one JSON object per convlab
 * MIME type, each `{ version: 1, ... }`, built in the kernel (the builders in `src/inspect/`)
 * and drawn by the JupyterLab extension, which validates every payload with the `parse*`
 * functions before drawing it (a notebook is untrusted input: a bad payload becomes an error
 * box, never an exception or injected HTML).
 *
 * One file per MIME type in `payloads/` (its constant, types and validator), the shared pieces
 * in `payloads/common.ts`; this module gathers them and looks validators up by MIME type.
 *
 * Large numeric arrays travel as base64 of little-endian float32 (or uint8) bytes, see
 * {@link PackedArray}; small ones as plain JSON numbers. JSON has no NaN/Infinity: where a value
 * may be non-finite (a loss, a statistic) the payload allows `null`, read as NaN.
 */
import { FEATUREMAPS_MIME, parseFeatureMaps, type FeatureMapsPayload } from "./payloads/featuremaps.js";
import { ACTIVATIONS_MIME, parseActivations, type ActivationsPayload } from "./payloads/activations.js";
import { DETECTIONS_MIME, parseDetections, type DetectionsPayload } from "./payloads/detections.js";
import { EMBEDDINGS_MIME, parseEmbeddings, type EmbeddingsPayload } from "./payloads/embeddings.js";
import { TRAINING_MIME, parseTraining, type TrainingPayload } from "./payloads/training.js";
import { MODEL_MIME, parseModel, type ModelPayload } from "./payloads/model.js";
import type { ParseResult } from "./payloads/common.js";
import { ValueError } from "../util/errors.js";
import { typeFail } from "../util/check.js";

export { packArray, unpackArray, type ImageRef, type PackedArray, type BoxCorners, type ParseResult } from "./payloads/common.js";
export { fromBase64 } from "../util/base64.js";
export { FEATUREMAPS_MIME, parseFeatureMaps, type FeatureMapsPayload, type FeatureMapsLayer } from "./payloads/featuremaps.js";
export {
  ACTIVATIONS_MIME, parseActivations,
  type ActivationsPayload, type ActivationLayerStats, type Histogram, type UnitPatch, type UnitPatches, type UnitField,
} from "./payloads/activations.js";
export { DETECTIONS_MIME, parseDetections, type DetectionsPayload, type GroundTruthBox, type PredictedBox } from "./payloads/detections.js";
export { EMBEDDINGS_MIME, parseEmbeddings, type EmbeddingsPayload, type Triplet } from "./payloads/embeddings.js";
export { TRAINING_MIME, parseTraining, type TrainingPayload } from "./payloads/training.js";
export { MODEL_MIME, parseModel, type ModelPayload, type ModelRow } from "./payloads/model.js";

/** The six convlab MIME types, in DESIGN's order. */
export const CONVLAB_MIME_TYPES = [FEATUREMAPS_MIME, ACTIVATIONS_MIME, DETECTIONS_MIME, EMBEDDINGS_MIME, TRAINING_MIME, MODEL_MIME] as const;
export type ConvlabMimeType = (typeof CONVLAB_MIME_TYPES)[number];

/** Payload type by MIME type. */
export interface PayloadByMime {
  [FEATUREMAPS_MIME]: FeatureMapsPayload;
  [ACTIVATIONS_MIME]: ActivationsPayload;
  [DETECTIONS_MIME]: DetectionsPayload;
  [EMBEDDINGS_MIME]: EmbeddingsPayload;
  [TRAINING_MIME]: TrainingPayload;
  [MODEL_MIME]: ModelPayload;
}

const PARSERS: { [M in ConvlabMimeType]: (v: unknown) => ParseResult<PayloadByMime[M]> } = {
  [FEATUREMAPS_MIME]: parseFeatureMaps,
  [ACTIVATIONS_MIME]: parseActivations,
  [DETECTIONS_MIME]: parseDetections,
  [EMBEDDINGS_MIME]: parseEmbeddings,
  [TRAINING_MIME]: parseTraining,
  [MODEL_MIME]: parseModel,
};

/** Whether `mime` is one of the six convlab MIME types (any value may be asked: `"__proto__"`, `"toString"`, numbers...). */
export function isConvlabMime(mime: unknown): mime is ConvlabMimeType {
  return typeof mime === "string" && (CONVLAB_MIME_TYPES as readonly string[]).includes(mime);
}

/**
 * Validates the payload of any convlab MIME type; any other `mime` (including `"__proto__"` or
 * `"toString"`) gives `{ ok: false, error }`, never an exception.
 */
export function parsePayload<M extends ConvlabMimeType>(mime: M, v: unknown): ParseResult<PayloadByMime[M]> {
  if (!isConvlabMime(mime)) {
    const m: unknown = mime;
    const name = typeof m === "string" ? JSON.stringify(m.length > 80 ? `${m.slice(0, 80)}…` : m) : `a ${typeof m}`;
    return { ok: false, error: `convlab: unknown MIME type ${name}` };
  }
  return (PARSERS[mime] as (v: unknown) => ParseResult<PayloadByMime[M]>)(v);
}

/** Payload objects that passed their validator (so the widget classes and PNG fallbacks check each one once). */
const validated = new WeakSet<object>();

/**
 * The payload a builder made, checked with the validator its widget runs before drawing: a
 * payload the widget would refuse is a `ValueError` naming the builder instead of an error box
 * in the notebook.
 */
export function checkedPayload<M extends ConvlabMimeType>(fn: string, mime: M, payload: PayloadByMime[M]): PayloadByMime[M] {
  const r = parsePayload(mime, payload);
  if (!r.ok) throw new ValueError(`${fn}: the ${mime} payload would not draw: ${r.error}`);
  validated.add(payload);
  return payload;
}

/** A payload handed to a function (`featureMapsPng(p)`, `new FeatureMaps(p)`), checked like `checkedPayload`. */
export function payloadArg<M extends ConvlabMimeType>(fn: string, name: string, mime: M, v: unknown): PayloadByMime[M] {
  if (typeof v !== "object" || v === null) typeFail(fn, name, `a ${mime} payload`, v);
  if (validated.has(v)) return v as PayloadByMime[M];
  const r = parsePayload(mime, v);
  if (!r.ok) throw new ValueError(`${fn}: ${name} is not a valid payload: ${r.error}`);
  validated.add(v);
  return v as PayloadByMime[M];
}
