// Transfer learning: a trained network cut at one of its layers, frozen, with a new head.
import * as nn from "../nn/index.js";
import { chain } from "../nn/blocks.js";
import { Layer, type SymbolicTensor } from "../nn/layer.js";
import { Model } from "../nn/model.js";
import { ValueError } from "../util/errors.js";
import { describeValue, optBoolArg, optIntArg, optStringArg, requiredOptionsArg, seedArg, typeFail } from "../util/check.js";

export interface WithHeadOptions {
  /** The layer to cut at (default the base's single output): the head takes its activations. */
  at?: string;
  /** Classes of the new softmax head (a dense layer of logits `head_predictions`, after a flatten when the cut is not flat). */
  classes?: number;
  /**
   * Or the head's layers, applied in order to the cut (new, unbuilt layers, e.g.
   * `[cl.nn.globalAvgPool2d(), cl.nn.dense({ units: 5 })]`, or a model built on the cut's shape).
   */
  head?: Layer | readonly Layer[];
  /** Freeze the backbone (every layer up to and including `at`; default true). */
  freeze?: boolean;
  /** Seed of the head's initialization. */
  seed?: number;
  /** The new model's name (default `<base>_transfer`). */
  name?: string;
}

/**
 * The course's transfer-learning recipe: reuse `base`'s layers (and their trained weights, shared,
 * not copied) up to `at`, put a new head after them and freeze the reused part, so that training
 * updates the head only. Unfreeze the last block(s) later to fine-tune:
 * `m.unfreeze("conv5_block1_1_conv")`.
 *
 *   const m = cl.models.withHead(lenetOn0to4, { at: "FC4", classes: 5 });   // FC4 → head_predictions
 *   await m.fit(fewDigits5to9, { ... });   // CONV1 … FC4 stay as they were
 */
export function withHead(base: Model, opts: WithHeadOptions): Model {
  const fn = "withHead";
  if (!(base instanceof Model)) typeFail(fn, "base", "a convlab model (cl.nn.model, cl.nn.sequential, cl.models.*)", base);
  const o = requiredOptionsArg(fn, opts, "opts", "{ at: 'FC4', classes: 5 }");
  const at = optStringArg(fn, "opts.at", o.at);
  const classes = optIntArg(fn, "opts.classes", o.classes, { min: 1 });
  const freeze = optBoolArg(fn, "opts.freeze", o.freeze) ?? true;
  const seed = seedArg(fn, o.seed, "opts.seed");
  const name = optStringArg(fn, "opts.name", o.name) ?? `${base.name}_transfer`;
  const head = o.head === undefined ? undefined : o.head instanceof Layer ? [o.head] : Array.isArray(o.head) ? (o.head as readonly unknown[]) : null;
  if (head === null || (head !== undefined && (head.length === 0 || !head.every((l) => l instanceof Layer))))
    throw new ValueError(`${fn}: opts.head must be a layer or a non-empty list of layers, got ${describeValue(o.head)}`);
  if ((head === undefined) === (classes === undefined))
    throw new ValueError(`${fn}: give exactly one of opts.classes (a new dense softmax head) and opts.head (its layers), got ${head === undefined ? "neither" : "both"}`);

  let cut: SymbolicTensor;
  if (at !== undefined) cut = base.outputOf(at);
  else {
    if (base.outputs.length !== 1) throw new ValueError(`${fn}: ${base.name} has ${base.outputs.length} outputs (${base.outputNames.join(", ")}); say where to cut with opts.at`);
    cut = base.outputs[0]!;
  }
  const cutName = cut.node.layer.name;
  const layers: Layer[] = head
    ? [...(head as Layer[])]
    : [...(cut.shape.length > 1 ? [nn.flatten({ name: "head_flatten" })] : []), nn.dense({ name: "head_predictions", units: classes! })];
  const out = chain(layers, cut);
  const m = nn.model({ inputs: base.inputs, outputs: out, name, ...(seed !== undefined ? { seed } : {}) });
  if (freeze) m.freeze(cutName);
  return m;
}
