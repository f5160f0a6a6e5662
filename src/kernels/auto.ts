// Imported by the browser entry: outside Node, install the single-thread WASM kernels at import,
// compiled synchronously (Chrome allows that on the main thread for modules up to 8 MB; ours is
// ~11 KB; older browsers that refuse keep the TypeScript kernels until `await initWasm()`). In
// Node the `convlab` entry installs the worker-pool kernels instead, so nothing happens here.
import { useWasmKernels } from "./accelerate.js";

const inNode = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== undefined;
if (!inNode) useWasmKernels();
