// The convlab mime extension: one renderer per convlab MIME type (DESIGN "Kernel ↔ extension
// contract"). Rank 0 wins over the text/html (50) and image/png (90) fallbacks of the same
// output; notebooks opened without this extension show those fallbacks instead.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { inspect } from "convlab/browser";
import { ActivationsWidget } from "./activations.js";
import { DetectionsWidget } from "./detections.js";
import { EmbeddingsWidget } from "./embeddings.js";
import { FeatureMapsWidget } from "./featuremaps.js";
import { ModelWidget } from "./model.js";
import { TrainingWidget } from "./training.js";

const RANK = 0;

function factory(mime: string, create: (o: IRenderMime.IRendererOptions) => IRenderMime.IRenderer): IRenderMime.IRendererFactory {
  return { safe: true, mimeTypes: [mime], defaultRank: RANK, createRenderer: create };
}

const extensions: IRenderMime.IExtension[] = [
  { id: "convlab-jupyterlab:featuremaps", rendererFactory: factory(inspect.FEATUREMAPS_MIME, (o) => new FeatureMapsWidget(o)), rank: RANK, dataType: "json" },
  { id: "convlab-jupyterlab:activations", rendererFactory: factory(inspect.ACTIVATIONS_MIME, (o) => new ActivationsWidget(o)), rank: RANK, dataType: "json" },
  { id: "convlab-jupyterlab:detections", rendererFactory: factory(inspect.DETECTIONS_MIME, (o) => new DetectionsWidget(o)), rank: RANK, dataType: "json" },
  { id: "convlab-jupyterlab:embeddings", rendererFactory: factory(inspect.EMBEDDINGS_MIME, (o) => new EmbeddingsWidget(o)), rank: RANK, dataType: "json" },
  { id: "convlab-jupyterlab:training", rendererFactory: factory(inspect.TRAINING_MIME, (o) => new TrainingWidget(o)), rank: RANK, dataType: "json" },
  { id: "convlab-jupyterlab:model", rendererFactory: factory(inspect.MODEL_MIME, (o) => new ModelWidget(o)), rank: RANK, dataType: "json" },
];

export default extensions;
