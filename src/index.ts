// convlab: everything in convlab/browser plus the Node-only parts (io, the worker pool).
export * from "./browser.js";
export * as io from "./io/index.js";
import { installNodeKernels } from "./kernels/node/index.js";

// WASM SIMD float32 kernels with a worker pool, installed synchronously at import.
installNodeKernels();
