// MobileNetV1's architecture with fresh weights, to train from scratch (the baseline of transfer
// learning from cl.models.pretrained.mobilenetV1).
import { BatchNorm } from "../nn/layers/core.js";
import { buildMobileNetV1, type MobileNetV1, type MobileNetV1Options } from "./pretrained/faceapi.js";

/**
 * MobileNetV1 (width 1) as `cl.models.pretrained.mobilenetV1` builds it, without loading weights:
 * fresh initialisation, and batch-norms that use batch statistics while training (the pretrained
 * network keeps its trained statistics: a frozen batch-norm; a network trained from scratch needs
 * the usual kind). Options as the pretrained builder's (`inputSize`, default 512; `name`).
 *
 *   const scratch = cl.models.withHead(cl.models.mobilenetV1({ inputSize: 32 }), { at: "conv5_pw_relu", classes: 10, freeze: false });
 */
export function mobilenetV1(opts: Omit<MobileNetV1Options, "weights"> = {}): MobileNetV1 {
  const m = buildMobileNetV1(opts as MobileNetV1Options);
  for (const l of m.layers) if (l instanceof BatchNorm) l.inference = false;
  return m;
}
