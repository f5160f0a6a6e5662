// cl.train: optimizers and the training loop (fit, evaluate, batched predict).
export type { Trainable } from "./types.js";
