// `cl.train` in the Node entry: the core's train namespace plus the TensorBoard callbacks.
export * from "../train/index.js";
export { tensorboard, EventWriter, type TensorBoardOptions, type TensorBoardCallbacks } from "./tensorboard.js";
