// application/vnd.convlab.model+json: a model summary (layer table, and the layer graph of graph models).
import { PayloadError, arr, int, obj, payloadObject, run, str, type ParseResult } from "./common.js";

export const MODEL_MIME = "application/vnd.convlab.model+json";

export interface ModelRow {
  name: string;
  type: string;
  /** Short configuration ("f=5 s=1 p=valid relu"). */
  config: string;
  /** Output shape without the batch axis. */
  outputShape: number[];
  activationSize: number;
  params: number;
  /** Multiplications per example. */
  mults: number;
  /** Names of the rows feeding this one (graph models); absent for the input row. */
  inputs?: string[];
}

export interface ModelPayload {
  version: 1;
  name: string;
  /** "Sequential", "Model", ... */
  type: string;
  rows: ModelRow[];
  totalParams: number;
  trainableParams: number;
  totalMults: number;
}

/** Validates a model-summary payload (row inputs must name earlier rows). */
export function parseModel(v: unknown): ParseResult<ModelPayload> {
  return run("model", () => {
    const o = payloadObject(v);
    const seen = new Set<string>();
    const rows = arr(o.rows, "payload.rows").map((r, i) => {
      const path = `payload.rows[${i}]`;
      const ro = obj(r, path);
      const row: ModelRow = {
        name: str(ro.name, `${path}.name`),
        type: str(ro.type, `${path}.type`),
        config: str(ro.config, `${path}.config`),
        outputShape: arr(ro.outputShape, `${path}.outputShape`).map((d, j) => int(d, `${path}.outputShape[${j}]`)),
        activationSize: int(ro.activationSize, `${path}.activationSize`),
        params: int(ro.params, `${path}.params`),
        mults: int(ro.mults, `${path}.mults`),
      };
      if (ro.inputs !== undefined)
        row.inputs = arr(ro.inputs, `${path}.inputs`).map((n, j) => {
          const name = str(n, `${path}.inputs[${j}]`);
          if (!seen.has(name)) throw new PayloadError(`${path}.inputs[${j}]: '${name}' is not an earlier row`);
          return name;
        });
      seen.add(row.name);
      return row;
    });
    return {
      version: 1,
      name: str(o.name, "payload.name"),
      type: str(o.type, "payload.type"),
      rows,
      totalParams: int(o.totalParams, "payload.totalParams"),
      trainableParams: int(o.trainableParams, "payload.trainableParams"),
      totalMults: int(o.totalMults, "payload.totalMults"),
    };
  });
}
