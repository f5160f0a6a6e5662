/**
 * TensorBoard logs (Node only), written by convlab itself: event files (TFRecord framing with
 * masked CRC-32C, `tensorflow.Event` protos with `Summary` values: scalars, images, histograms)
 * and the embedding projector's files. `cl.train.tensorboard(logdir)` gives `fit` callbacks;
 * `cl.inspect.projector(logdir, encodings, { labels, thumbnails })` writes embeddings.
 */
import { appendFileSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { optionsArg, optBoolArg, optStringArg, stringArg, numberArg, intArg, typeFail, functionArg } from "../util/check.js";
import type { BatchLog, EpochLog } from "../train/fit.js";
import { ProtoWriter } from "./protobuf.js";
import { maskedCrc32c } from "./crc32c.js";
import { ioError, pathArg } from "./files.js";
import { encodePng } from "./image.js";
import { writeAtomic } from "./atomic.js";

/** One TFRecord: length, masked CRC of the length, data, masked CRC of the data. */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(data.length), true);
  dv.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  dv.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

function event(step: number, summary?: ProtoWriter, fileVersion?: string): Uint8Array {
  const e = new ProtoWriter().double(1, Date.now() / 1000).varint(2, step);
  if (fileVersion) e.string(3, fileVersion);
  if (summary) e.message(5, summary);
  return tfRecord(e.finish());
}

function pluginMeta(name: string): ProtoWriter {
  return new ProtoWriter().message(1, new ProtoWriter().string(1, name));
}

/** A TensorBoard event file writer: `events.out.tfevents.<seconds>.<host>` in `logdir`. */
export class EventWriter {
  readonly path: string;
  private closed = false;

  constructor(readonly logdir: string) {
    pathArg("train.tensorboard", logdir, "logdir");
    try {
      mkdirSync(logdir, { recursive: true });
    } catch (e) {
      throw ioError("train.tensorboard", "create", logdir, e);
    }
    let path: string;
    let n = 0;
    do path = join(logdir, `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}${n ? `.${n}` : ""}.convlab`);
    while (existsSync(path) && ++n);
    this.path = path;
    this.append(event(0, undefined, "brain.Event:2"));
  }

  private append(b: Uint8Array): void {
    if (this.closed) throw new ValueError(`train.tensorboard: the writer for ${this.logdir} is closed`);
    try {
      appendFileSync(this.path, b);
    } catch (e) {
      throw ioError("train.tensorboard", "write", this.path, e);
    }
  }

  /** A scalar (plotted against `step`). */
  scalar(tag: string, value: number, step: number): void {
    stringArg("tensorboard.scalar", "tag", tag);
    numberArg("tensorboard.scalar", "value", value, { finite: false });
    intArg("tensorboard.scalar", "step", step, { min: 0 });
    const v = new ProtoWriter().string(1, tag).float(2, value).message(9, pluginMeta("scalars"));
    this.append(event(step, new ProtoWriter().message(1, v)));
  }

  /** An image tensor [h,w], [h,w,1], [h,w,3] or [h,w,4] with values in [0, 1] (PNG-encoded). */
  image(tag: string, image: Tensor, step: number): void {
    stringArg("tensorboard.image", "tag", tag);
    if (!(image instanceof Tensor)) typeFail("tensorboard.image", "image", "an image tensor [h,w] or [h,w,c]", image);
    intArg("tensorboard.image", "step", step, { min: 0 });
    const png = encodePng(image);
    const [h, w] = image.shape;
    const c = image.rank === 3 ? image.shape[2]! : 1;
    const img = new ProtoWriter().varint(1, h!).varint(2, w!).varint(3, c).bytes(4, png);
    const v = new ProtoWriter().string(1, tag).message(4, img).message(9, pluginMeta("images"));
    this.append(event(step, new ProtoWriter().message(1, v)));
  }

  /** A histogram of a tensor's values (`buckets` equal-width buckets, default 30). */
  histogram(tag: string, values: Tensor, step: number, buckets = 30): void {
    stringArg("tensorboard.histogram", "tag", tag);
    if (!(values instanceof Tensor)) typeFail("tensorboard.histogram", "values", "a tensor", values);
    intArg("tensorboard.histogram", "step", step, { min: 0 });
    intArg("tensorboard.histogram", "buckets", buckets, { min: 1, max: 10000 });
    const d = values.data;
    let min = Infinity, max = -Infinity, sum = 0, sq = 0;
    for (let i = 0; i < d.length; i++) {
      const x = d[i]!;
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
      sq += x * x;
    }
    if (!d.length) min = max = 0;
    const width = max > min ? (max - min) / buckets : 1;
    const counts = new Float64Array(buckets);
    for (let i = 0; i < d.length; i++) counts[Math.min(buckets - 1, Math.floor((d[i]! - min) / width))]! += 1;
    const limits = Array.from({ length: buckets }, (_, i) => (i === buckets - 1 ? Math.max(max, min + width * buckets) : min + width * (i + 1)));
    const h = new ProtoWriter().double(1, min).double(2, max).double(3, d.length).double(4, sum).double(5, sq).packedDoubles(6, limits).packedDoubles(7, counts);
    const v = new ProtoWriter().string(1, tag).message(5, h).message(9, pluginMeta("histograms"));
    this.append(event(step, new ProtoWriter().message(1, v)));
  }

  /** Flushes the file to disk; later writes throw. */
  close(): void {
    if (this.closed) return;
    try {
      const fd = openSync(this.path, "r+");
      try { fsyncSync(fd); } finally { closeSync(fd); }
    } catch { /* best effort */ }
    this.closed = true;
  }
}

/** What a layer-free model needs for weight histograms. */
interface HasState {
  stateDict(): Record<string, Tensor>;
}

export interface TensorBoardOptions {
  /** A model whose weights are logged as histograms after every epoch (with `histograms: true`). */
  model?: HasState;
  /** Log a histogram of every weight after each epoch (needs `model`); default false. */
  histograms?: boolean;
  /** Images to log after each epoch: a function of the epoch log returning `{ tag: image tensor }`. */
  images?: (log: EpochLog) => Record<string, Tensor>;
  /** Log per-step scalars (`step/loss`, `step/<metric>`) as well as per-epoch ones (default true). */
  perStep?: boolean;
}

/** `fit` callbacks that write TensorBoard logs, plus the writer. */
export interface TensorBoardCallbacks {
  onBatchEnd: (log: BatchLog) => void;
  onEpochEnd: (log: EpochLog) => void;
  /** The event writer (for extra scalars, images, histograms). */
  writer: EventWriter;
  /** The event file's path. */
  path: string;
  close(): void;
}

/**
 * `fit` callbacks writing TensorBoard event files into `logdir`: per epoch `epoch/loss` and
 * `epoch/<metric>` (validation too: `epoch/valLoss`...), per step `step/loss` and
 * `step/<metric>`; optional weight histograms and images.
 *
 * @example
 * const tb = cl.train.tensorboard("logs/lenet", { model, histograms: true });
 * await model.fit(train, { optimizer, epochs: 3, callbacks: tb });   // then: tensorboard --logdir logs
 */
export function tensorboard(logdir: string, opts: TensorBoardOptions = {}): TensorBoardCallbacks {
  const fn = "train.tensorboard";
  pathArg(fn, logdir, "logdir");
  const o = optionsArg(fn, opts);
  const histograms = optBoolArg(fn, "opts.histograms", o.histograms) ?? false;
  const perStep = optBoolArg(fn, "opts.perStep", o.perStep) ?? true;
  if (o.images !== undefined) functionArg(fn, "opts.images", o.images);
  if (histograms && (o.model === null || typeof o.model !== "object" || typeof (o.model as HasState).stateDict !== "function"))
    typeFail(fn, "opts.model", "a model (histograms: true needs the model whose weights it logs)", o.model);
  const writer = new EventWriter(logdir);
  return {
    writer,
    path: writer.path,
    onBatchEnd: (log) => {
      if (!perStep) return;
      writer.scalar("step/loss", log.loss, log.step);
      for (const [k, v] of Object.entries(log.metrics)) writer.scalar(`step/${k}`, v, log.step);
    },
    onEpochEnd: (log) => {
      writer.scalar("epoch/loss", log.loss, log.epoch);
      for (const [k, v] of Object.entries(log.metrics)) writer.scalar(`epoch/${k}`, v, log.epoch);
      if (histograms) for (const [k, t] of Object.entries(o.model!.stateDict())) writer.histogram(k, t, log.epoch);
      if (o.images) for (const [k, t] of Object.entries(o.images(log))) writer.image(k, t, log.epoch);
    },
    close: () => writer.close(),
  };
}

export interface ProjectorOptions {
  /** One label per row (the projector colours and searches by them). */
  labels?: readonly (string | number)[];
  /** One thumbnail per row, [n,h,w] or [n,h,w,c] with values in [0, 1]: tiled into a sprite image. */
  thumbnails?: Tensor;
  /** The embedding's name (default "embedding"): its folder and tensor name. */
  name?: string;
}

/** What `projector` wrote. */
export interface ProjectorFiles {
  config: string;
  tensors: string;
  metadata?: string;
  sprite?: string;
}

const tsvCell = (s: string): string => s.replace(/[\t\n\r]/g, " ");

/**
 * Writes encodings [n,d] for TensorBoard's embedding projector into `logdir`:
 * `<name>/tensors.tsv`, `<name>/metadata.tsv` (labels), `<name>/sprite.png` (thumbnails) and an
 * entry in `projector_config.pbtxt` (other embeddings there are kept).
 *
 * @example
 * cl.inspect.projector("logs/faces", encodings, { labels: names, thumbnails: crops });
 */
export function projector(logdir: string, encodings: Tensor, opts: ProjectorOptions = {}): ProjectorFiles {
  const fn = "inspect.projector";
  pathArg(fn, logdir, "logdir");
  if (!(encodings instanceof Tensor) || encodings.rank !== 2) typeFail(fn, "encodings", "a tensor [n,d] (one row per example)", encodings);
  const [n, d] = encodings.shape as [number, number];
  if (n === 0 || d === 0) throw new ValueError(`${fn}: encodings must have at least one row and one column, got [${n},${d}]`);
  const o = optionsArg(fn, opts);
  const name = optStringArg(fn, "opts.name", o.name) ?? "embedding";
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new ValueError(`${fn}: opts.name must be letters, digits, '_', '-' or '.', got ${JSON.stringify(name)}`);
  if (o.labels !== undefined) {
    if (!Array.isArray(o.labels)) typeFail(fn, "opts.labels", "an array of strings or numbers", o.labels);
    if (o.labels.length !== n) throw new ValueError(`${fn}: opts.labels has ${o.labels.length} entries but encodings has ${n} rows`);
    o.labels.forEach((l, i) => {
      if (typeof l !== "string" && typeof l !== "number") typeFail(fn, `opts.labels[${i}]`, "a string or a number", l);
    });
  }
  let thumbs: Tensor | undefined;
  if (o.thumbnails !== undefined) {
    if (!(o.thumbnails instanceof Tensor) || (o.thumbnails.rank !== 3 && o.thumbnails.rank !== 4)) typeFail(fn, "opts.thumbnails", "a tensor [n,h,w] or [n,h,w,c]", o.thumbnails);
    if (o.thumbnails.shape[0] !== n) throw new ValueError(`${fn}: opts.thumbnails has ${o.thumbnails.shape[0]} images but encodings has ${n} rows`);
    thumbs = o.thumbnails;
  }
  const sub = join(logdir, name);
  try {
    mkdirSync(sub, { recursive: true });
  } catch (e) {
    throw ioError(fn, "create", sub, e);
  }
  const enc = new TextEncoder();
  const rows: string[] = [];
  const data = encodings.data;
  for (let i = 0; i < n; i++) rows.push(Array.from(data.subarray(i * d, (i + 1) * d), (v) => String(v)).join("\t"));
  const files: ProjectorFiles = { config: join(logdir, "projector_config.pbtxt"), tensors: join(sub, "tensors.tsv") };
  writeAtomic(fn, files.tensors, enc.encode(rows.join("\n") + "\n"));
  let entry = `embeddings {\n  tensor_name: "${name}"\n  tensor_path: "${name}/tensors.tsv"\n`;
  if (o.labels) {
    files.metadata = join(sub, "metadata.tsv");
    writeAtomic(fn, files.metadata, enc.encode(o.labels.map((l) => tsvCell(String(l))).join("\n") + "\n"));
    entry += `  metadata_path: "${name}/metadata.tsv"\n`;
  }
  if (thumbs) {
    const [, h, w] = thumbs.shape as [number, number, number];
    const c = thumbs.rank === 4 ? thumbs.shape[3]! : 1;
    if (c !== 1 && c !== 3) throw new ValueError(`${fn}: opts.thumbnails must have 1 or 3 channels, got ${c}`);
    const side = Math.ceil(Math.sqrt(n));
    const sprite = new Float32Array(side * h * side * w * c);
    const t = thumbs.data;
    for (let k = 0; k < n; k++) {
      const r0 = Math.floor(k / side) * h, c0 = (k % side) * w;
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++)
          for (let ch = 0; ch < c; ch++) sprite[((r0 + y) * side * w + c0 + x) * c + ch] = Math.min(1, Math.max(0, t[((k * h + y) * w + x) * c + ch]!));
    }
    files.sprite = join(sub, "sprite.png");
    writeAtomic(fn, files.sprite, encodePng(new Tensor(sprite, c === 1 ? [side * h, side * w] : [side * h, side * w, c])));
    entry += `  sprite {\n    image_path: "${name}/sprite.png"\n    single_image_dim: ${w}\n    single_image_dim: ${h}\n  }\n`;
  }
  entry += "}\n";
  // Keep the other embeddings of the config; replace this one.
  let config = "";
  if (existsSync(files.config)) {
    const old = readFileSync(files.config, "utf8");
    config = old.split(/(?=^embeddings \{)/m).filter((b) => b.trim() && !b.includes(`tensor_name: "${name}"`)).join("");
  }
  writeAtomic(fn, files.config, enc.encode(config + entry));
  return files;
}
