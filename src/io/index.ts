// Node-only: image decode/encode, MNIST files, checkpoints (exported from the `convlab` entry only).
import "./limits.js";
export { loadMnist, loadFashionMnist, mnistDataDir, FASHION_MNIST_DIR, type LoadMnistOptions } from "./mnist.js";
export {
  readImage, writeImage, decodeImage, encodeImage, encodePng, encodeJpeg,
  type DecodeImageOptions, type EncodeImageOptions,
} from "./image.js";
export {
  saveTensors, loadTensors, encodeTensors, decodeTensors, CHECKPOINT_MAGIC,
  type LoadedTensors, type TensorEntry, type JsonValue, type JsonObject,
} from "./checkpoint.js";
export { writeFileAtomic } from "./atomic.js";
export { saveModel, loadWeights } from "./model.js";
export { cacheActivations, type CacheActivationsOptions, type CachedActivations } from "./activations.js";
export { readTfjsWeights, type ReadTfjsWeightsOptions, type TfjsWeightEntry, type TfjsWeightGroup } from "./tfjs.js";

export { readSafetensors, writeSafetensors, encodeSafetensors, decodeSafetensors, type Safetensors, type SafetensorsDtype } from "./safetensors.js";
export { describeModel, buildModel, type ModelSpec, type LayerSpec } from "./architecture.js";
export { saveModelDir, loadModelDir, WEIGHTS_FILE, ARCHITECTURE_FILE, type ModelFile } from "./modeldir.js";
export { exportOnnx, importOnnx, encodeOnnx, decodeOnnx, type ExportOnnxOptions, type OnnxExportInfo } from "./onnx.js";
export { exportPytorch, pytorchCode, saveDataset, type ExportPytorchOptions, type PytorchExport, type SavedDataset } from "./pytorch.js";
export { experiment, rerun, readRecord, type ExperimentResult, type ExperimentOptions, type ExperimentRecord, type FitRecord, type Run, type RerunReport } from "./experiment.js";
