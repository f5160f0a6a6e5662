// convlab: everything in convlab/browser plus the Node-only parts (io, the worker pool).
export * from "./browser.js";
export * as io from "./io/index.js";
// cl.models with cl.models.pretrained (Node: reads face-api's weight files); shadows the browser's cl.models.
export * as models from "./io/models.js";
import { installNodeKernels } from "./kernels/node/index.js";

// WASM SIMD float32 kernels with a worker pool, installed synchronously at import.
installNodeKernels();
