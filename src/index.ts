// convlab: everything in convlab/browser plus the Node-only parts (io, the worker pool).
export * from "./browser.js";
export * as io from "./io/index.js";
// cl.models with cl.models.pretrained (Node: reads face-api's weight files); shadows the browser's cl.models.
export * as models from "./io/models.js";

// Node-only additions to two core namespaces (they shadow the browser ones): TensorBoard
// callbacks in cl.train, the embedding projector's files in cl.inspect.
export * as train from "./io/train-node.js";
export * as inspect from "./io/inspect-node.js";
// Recorded, reproducible runs: await cl.experiment(name, async (run) => { ... }).
export { experiment } from "./io/experiment.js";
import { installNodeKernels } from "./kernels/node/index.js";

// WASM SIMD float32 kernels with a worker pool, installed synchronously at import.
installNodeKernels();
