// cl.inspect — filled in by its issue.
export {};
export { encodePng, toBase64, pngDataUrl, crc32, type RawImage, type EncodePngOptions } from "./png.js";
export {
  heatmapRgb, heatmapRange, colorAt, tensorToImage, tensorToPng, upscaleNearest, NONFINITE_RGB,
  type Colormap, type HeatmapOptions, type TensorImageOptions,
} from "./colormap.js";
export { show, toMimeBundle, tensorMimeBundle, isDisplayable, type MimeBundle, type Displayable } from "./display.js";
export {
  FEATUREMAPS_MIME, ACTIVATIONS_MIME, DETECTIONS_MIME, EMBEDDINGS_MIME, TRAINING_MIME, MODEL_MIME, CONVLAB_MIME_TYPES,
  parseFeatureMaps, parseActivations, parseDetections, parseEmbeddings, parseTraining, parseModel, parsePayload, isConvlabMime,
  packArray, unpackArray, fromBase64,
  type ConvlabMimeType, type PayloadByMime, type ParseResult, type ImageRef, type PackedArray, type BoxCorners,
  type FeatureMapsPayload, type FeatureMapsLayer, type ActivationsPayload, type ActivationLayerStats, type Histogram,
  type UnitPatch, type UnitPatches, type UnitField, type DetectionsPayload, type GroundTruthBox, type PredictedBox,
  type EmbeddingsPayload, type Triplet, type TrainingPayload, type ModelPayload, type ModelRow,
} from "./payloads.js";
export { Raster, PALETTE, paletteRgb, imageRef, exampleOf, isPicture, textWidth, TEXT_HEIGHT, type Rgb } from "./raster.js";
export { featureMaps, featureMapsPng, FeatureMaps, type FeatureMapsOptions, type ActivationSource } from "./featuremaps.js";
export {
  activations, activationsCallback, layerStats, topPatches, activationsPng, Activations,
  type ActivationsOptions, type UnitRequest, type ChainModel, type PatchSource, type TopPatchesOptions,
} from "./activations.js";
export { receptiveField, receptiveFieldOf, receptiveFields, type ReceptiveFieldInfo, type ReceptiveModel } from "./receptive.js";
export { detections, detectionsPng, Detections, type DetectionsOptions } from "./detections.js";
export {
  embeddings, embeddingsPng, Embeddings, pca, tsne, tsneCoords, squaredDistance, verificationPairs, verificationAccuracy,
  rocCurve, bestThreshold, tripletStats,
  type EmbeddingsOptions, type PcaOptions, type PcaResult, type TsneOptions, type Pairs, type TripletStats,
} from "./embeddings.js";
export { trainingCurves, trainingPng, TRAINING_PNG_MARGINS, lossCurve, TrainingCurves, type HistoryLike } from "./training.js";
export { modelPayload, type SummaryLike } from "./model.js";
export { linePlot, LinePlot, type LinePlotOptions, type PlotSeries } from "./plot.js";
export { fmtTuple } from "../util/errors.js";
export { maximizeActivation, type MaximizeOptions, type MaximizeResult, type FeatureModel } from "./maximize.js";
export { volumeSlices, type VolumeSlicesOptions } from "./volumes.js";
