// cl.data: datasets (IDX/MNIST parsing), re-iterable pipelines, batching, one-hot, subsets and splits, resizing. Pure TS.
export { parseIdx, encodeIdx, type IdxFile, type IdxDType, type IdxArray } from "./idx.js";
export {
  mnistFromIdx, selectIndices, MNIST_STATS, FASHION_MNIST_STATS, FASHION_MNIST_CLASSES,
  type MnistOptions, type MnistSet,
} from "./mnist.js";
export { batches, Batches, take, takeRows, subset, split, oneHot, type Dataset, type BatchOptions } from "./batching.js";
export { resize, type ResizeOptions } from "./resize.js";
export * as augment from "./augment/index.js";
export { tenCrop, fiveCrop, centerCrop } from "./crops.js";
export { dataset, zip, collate, Pipeline, type Batched, type MapContext, type DatasetOptions, type DatasetSource, type Columns, type RowOf } from "./dataset.js";
export { ecgBeats, shapeVolumes, type EcgOptions, type VolumeOptions, type LabelledSet } from "./synthetic.js";
/** `cl.data.synthetic`: every seeded synthetic set (detection scenes, landmarks, ECG beats, volumes). */
export * as synthetic from "./synthetic-all.js";
