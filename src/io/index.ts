// Node-only: image decode/encode, MNIST files, checkpoints (exported from the `convlab` entry only).
export {};
