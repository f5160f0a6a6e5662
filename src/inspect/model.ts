/**
 * The `application/vnd.convlab.model+json` payload of a model summary: the layer table and, for
 * graph models, each layer's inputs (the widget draws the layer graph from them).
 */
import { MODEL_MIME, checkedPayload, type ModelPayload } from "./payloads.js";
import { arrayArg, optStringArg, requiredOptionsArg, stringArg } from "../util/check.js";

/** What `modelPayload` reads: `model.summary()`'s result (`cl.nn.Summary`). */
export interface SummaryLike {
  readonly name: string;
  readonly type?: string;
  readonly rows: readonly {
    name: string;
    type: string;
    config: string;
    outputShape: readonly number[];
    activationSize: number;
    params: number;
    mults: number;
    inputs?: readonly string[];
  }[];
  readonly totalParams: number;
  readonly trainableParams: number;
}

/** The model payload of a summary. */
export function modelPayload(s: SummaryLike): ModelPayload {
  const fn = "modelPayload";
  requiredOptionsArg(fn, s, "summary", "model.summary()");
  stringArg(fn, "summary.name", s.name);
  optStringArg(fn, "summary.type", s.type);
  arrayArg(fn, "summary.rows", s.rows).forEach((r, i) => {
    const row = requiredOptionsArg(fn, r as SummaryLike["rows"][number], `summary.rows[${i}]`, "{ name, type, config, outputShape, activationSize, params, mults }");
    arrayArg(fn, `summary.rows[${i}].outputShape`, row.outputShape);
    if (row.inputs !== undefined) arrayArg(fn, `summary.rows[${i}].inputs`, row.inputs);
  });
  return checkedPayload(fn, MODEL_MIME, {
    version: 1,
    name: s.name,
    type: s.type ?? "Model",
    rows: s.rows.map((r) => {
      const row: ModelPayload["rows"][number] = {
        name: r.name,
        type: r.type,
        config: r.config,
        outputShape: [...r.outputShape],
        activationSize: r.activationSize,
        params: r.params,
        mults: r.mults,
      };
      if (r.inputs) row.inputs = [...r.inputs];
      return row;
    }),
    totalParams: s.totalParams,
    trainableParams: s.trainableParams,
    totalMults: s.rows.reduce((a, r) => a + r.mults, 0),
  });
}

export { MODEL_MIME };
