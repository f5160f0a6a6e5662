// cl.models: classic architectures built from cl.nn layers.
export { lenet5, type LeNet5Options } from "./lenet5.js";
