// `cl.inspect` in the Node entry: the core's inspect namespace plus the embedding projector files.
export * from "../inspect/index.js";
export { projector, type ProjectorOptions, type ProjectorFiles } from "./tensorboard.js";
