// A model's state: parameters and buffers by qualified name (`CONV1/kernel`, nested models
// `block/conv2d_1/kernel`), state dicts, and loading weights from other sources by a name map
// with shape checks and layout conversion (PyTorch's OIHW, TensorFlow's HWIO, depthwise layouts).
import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../autograd/tape.js";
import { transpose, reshape } from "../ops/layout.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import type { Layer } from "./layer.js";
import { bool, isRecord, options, received } from "./args.js";

/** Named tensors to load: a record or a Map (e.g. what `cl.io.readTfjsWeights` returns). */
export type WeightSource = Readonly<Record<string, Tensor>> | ReadonlyMap<string, Tensor>;

/**
 * A source tensor's axis order, as letters of convlab's layout for its target:
 * dense kernels `IO`, conv1d `WIO`, conv2d `HWIO`, conv3d `DHWIO` (I inputs, O outputs), depthwise
 * `HWCM` (C channels, M multiplier). Any permutation of the target's letters is accepted (e.g.
 * `"OIHW"`, PyTorch's conv layout), plus `"torchDepthwise"`: PyTorch's grouped weight
 * `[C·M, 1, H, W]`.
 */
export type Layout = string;

/** Where one source tensor goes. */
export interface MappingEntry {
  /** Qualified parameter name, as in `model.stateDict()`: `"conv1/kernel"`, `"block/conv2d_1/bias"`. */
  target: string;
  /** The source's axis order (see `Layout`); converted to convlab's before the shape check. */
  layout?: Layout;
  /** A transform applied to the source first (after which the shape must match), e.g. scaling or a custom reshape. */
  transform?: (t: Tensor, target: { name: string; shape: readonly number[] }) => Tensor;
}

/**
 * Source name → target. A record maps listed names (a `null` entry ignores that source on
 * purpose; unlisted names are loaded under their own name when the model has it). A function is
 * called for every source: return a target (string or entry), `null` to ignore the source on
 * purpose, or `undefined` to leave it unused.
 */
export type Mapping =
  | Readonly<Record<string, string | MappingEntry | null>>
  | ((name: string, t: Tensor) => string | MappingEntry | null | undefined);

export interface LoadWeightsOptions {
  mapping?: Mapping;
  /** Unused sources or parameters left unfilled are an error (default true); nothing is assigned then. */
  strict?: boolean;
  /**
   * The source's convention for kernels without an explicit `layout`: "convlab" (default;
   * TensorFlow's HWIO, as convlab stores them) or "torch" (dense `OI`, conv `OIW`/`OIHW`/`OIDHW`,
   * depthwise `torchDepthwise`).
   */
  layout?: "convlab" | "torch";
}

/** What `model.loadWeights(weights, opts)` did. */
export interface LoadReport {
  /** Target names that were filled. */
  loaded: string[];
  /** Source names that went nowhere. */
  unused: string[];
  /** Source names the mapping ignored on purpose (`null`). */
  ignored: string[];
  /** Target names that got no value (they keep their values, or are initialised randomly on first use). */
  missing: string[];
}

/** The layer and local name behind a qualified name, searched in `layers`. */
export function resolve(layers: readonly Layer[], qualified: string): { layer: Layer; local: string } | null {
  for (const l of layers) {
    const r = l.resolveState(qualified);
    if (r) return r;
  }
  return null;
}

/** Parameters and buffers of these layers by qualified name (allocating lazy weights). */
export function stateDict(layers: readonly Layer[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [n, t] of layers.flatMap((l) => l.stateEntries())) out[n] = t;
  return out;
}

/** Names and shapes of the parameters and buffers, without allocating. */
export function stateShapes(layers: readonly Layer[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [n, s] of layers.flatMap((l) => l.stateShapes())) out[n] = s;
  return out;
}

function entriesOf(src: unknown, op: string): [string, Tensor][] {
  let entries: [string, unknown][];
  if (src instanceof Map) entries = [...(src as Map<unknown, unknown>).entries()].map(([k, v]) => [String(k), v]);
  else if (isRecord(src)) entries = Object.entries(src);
  else throw new ValueError(`${op}: expected weights as a record (or Map) name → tensor, got ${received(src)}`);
  for (const [k, v] of entries) if (!(v instanceof Tensor)) throw new ValueError(`${op}: weight '${k}' must be a tensor, got ${received(v)}`);
  return entries as [string, Tensor][];
}

const list = (names: string[], max = 12): string => (names.length > max ? `${names.slice(0, max).join(", ")}, … (${names.length - max} more)` : names.join(", "));

/** Copies values from a state dict; names and shapes must match exactly. */
export function loadStateDict(layers: readonly Layer[], values: unknown, owner: string): void {
  const op = `${owner}: loadStateDict`;
  const src = new Map(entriesOf(values, op));
  const own = stateShapes(layers);
  const missing = Object.keys(own).filter((k) => !src.has(k));
  const extra = [...src.keys()].filter((k) => !(k in own));
  if (missing.length || extra.length)
    throw new ValueError(`${owner}: the state does not fit the model` + (missing.length ? `; missing: ${list(missing)}` : "") + (extra.length ? `; unexpected: ${list(extra)}` : ""));
  for (const [k, shape] of Object.entries(own)) {
    const t = src.get(k)!;
    if (t.shape.join() !== shape.join()) throw new ShapeError(`${owner}: '${k}' has shape ${fmtShape(t.shape)} in the state but ${fmtShape(shape)} in the model`);
  }
  for (const k of Object.keys(own)) {
    const r = resolve(layers, k)!;
    r.layer.assignWeight(r.local, src.get(k)!);
  }
}

/** convlab's axis letters for a target weight. */
function targetLetters(layer: Layer, local: string, rank: number): string | null {
  if (local !== "kernel") return null;
  if (/depthwise/i.test(layer.type) && rank === 4) return "HWCM";
  return ({ 2: "IO", 3: "WIO", 4: "HWIO", 5: "DHWIO" } as Record<number, string>)[rank] ?? null;
}

const TORCH: Record<string, string> = { IO: "OI", WIO: "OIW", HWIO: "OIHW", DHWIO: "OIDHW", HWCM: "torchDepthwise" };

/** The source tensor in convlab's layout for a target of `shape` with axis letters `letters`. */
function convert(t: Tensor, layout: string, letters: string | null, shape: readonly number[], where: string): Tensor {
  if (layout === "torchDepthwise") {
    if (letters !== "HWCM") throw new ValueError(`${where}: layout "torchDepthwise" is for depthwise kernels [f,f,nC,M], not for this target ${fmtShape(shape)}`);
    const [, , c, m] = shape as [number, number, number, number];
    if (t.rank !== 4 || t.shape[1] !== 1 || t.shape[0] !== c * m)
      throw new ShapeError(`${where}: a torchDepthwise weight must be [C·M,1,H,W] = [${c * m},1,${shape[0]},${shape[1]}], got ${fmtShape(t.shape)}`);
    // [C·M, 1, H, W] → [C, M, H, W] → [H, W, C, M]
    return transpose(reshape(t, [c, m, t.shape[2]!, t.shape[3]!]), [2, 3, 0, 1]);
  }
  if (letters === null) throw new ValueError(`${where}: a layout is only known for kernels (dense, conv, depthwise); use transform for this target`);
  const src = layout.toUpperCase();
  if (src.length !== letters.length || [...letters].some((c) => !src.includes(c)) || new Set(src).size !== src.length)
    throw new ValueError(`${where}: layout ${JSON.stringify(layout)} must order the letters of convlab's layout ${letters} (e.g. ${JSON.stringify(TORCH[letters] ?? letters)})`);
  if (t.rank !== src.length) throw new ShapeError(`${where}: layout ${layout} needs a rank-${src.length} tensor, got ${fmtShape(t.shape)}`);
  return src === letters ? t : transpose(t, [...letters].map((c) => src.indexOf(c)));
}

interface Planned {
  source: string;
  target: string;
  value: Tensor;
}

/** Loads named tensors into these layers' weights through a mapping; see `Model.loadWeights`. */
export function loadWeights(layers: readonly Layer[], weights: unknown, opts: LoadWeightsOptions | undefined, owner: string): LoadReport {
  const op = `${owner}: loadWeights`;
  const o = options(op, opts, "{ mapping?, strict?, layout? }");
  const strict = bool(op, "strict", o.strict, true);
  const convention = o.layout ?? "convlab";
  if (convention !== "convlab" && convention !== "torch") throw new ValueError(`${op}: layout must be "convlab" or "torch", got ${received(convention)}`);
  const mapping = o.mapping;
  if (mapping !== undefined && typeof mapping !== "function" && !isRecord(mapping))
    throw new ValueError(`${op}: mapping must be a record source → target or a function, got ${received(mapping)}`);
  const own = stateShapes(layers);
  const sources = entriesOf(weights, op);
  const planned: Planned[] = [];
  const unused: string[] = [], ignored: string[] = [];
  const filledBy = new Map<string, string>();

  for (const [name, t] of sources) {
    let m: string | MappingEntry | null | undefined;
    if (typeof mapping === "function") {
      m = mapping(name, t);
    } else if (mapping && Object.hasOwn(mapping, name)) m = mapping[name];
    else m = name in own ? name : undefined;
    if (m === null) {
      ignored.push(name);
      continue;
    }
    if (m === undefined) {
      unused.push(name);
      continue;
    }
    const entry: MappingEntry = typeof m === "string" ? { target: m } : m;
    if (!isRecord(entry) || typeof entry.target !== "string")
      throw new ValueError(`${op}: the mapping for '${name}' must be a target name or { target, layout?, transform? }, got ${received(m)}`);
    const target = entry.target;
    const where = `${op}: '${name}' → '${target}'`;
    if (!(target in own)) {
      const close = Object.keys(own).filter((k) => k.split("/").pop() === target.split("/").pop()).slice(0, 5);
      throw new ValueError(`${where}: the model has no weight '${target}'${close.length ? ` (weights with that name: ${close.join(", ")})` : ` (weights: ${list(Object.keys(own), 8)})`}`);
    }
    const prev = filledBy.get(target);
    if (prev !== undefined) throw new ValueError(`${where}: '${target}' is already filled from '${prev}'`);
    filledBy.set(target, name);
    const shape = own[target]!;
    const r = resolve(layers, target)!;
    let value = t;
    noGrad(() => {
      if (entry.transform !== undefined) {
        if (typeof entry.transform !== "function") throw new ValueError(`${where}: transform must be a function, got ${received(entry.transform)}`);
        value = entry.transform(value, { name: target, shape });
        if (!(value instanceof Tensor)) throw new ValueError(`${where}: transform must return a tensor, got ${received(value)}`);
      }
      const letters = targetLetters(r.layer, r.local, shape.length);
      const layout = entry.layout ?? (convention === "torch" && letters ? TORCH[letters] : undefined);
      if (layout !== undefined) {
        if (typeof layout !== "string") throw new ValueError(`${where}: layout must be a string such as "OIHW", got ${received(layout)}`);
        value = convert(value, layout, letters, shape, where);
      }
    });
    if (value.shape.join() !== shape.join()) {
      const sameSizes = [...value.shape].sort().join() === [...shape].sort().join();
      throw new ShapeError(
        `${where}: the model's weight has shape ${fmtShape(shape)} but the source has ${fmtShape(value.shape)}` +
          (sameSizes && entry.layout === undefined ? " (the same sizes in another order: give the source's layout, e.g. { target, layout: \"OIHW\" }, or layout: \"torch\")" : ""),
      );
    }
    planned.push({ source: name, target, value });
  }
  const missing = Object.keys(own).filter((k) => !filledBy.has(k));
  if (strict && (unused.length || missing.length))
    throw new ValueError(
      `${op}: the weights do not fit (strict)` +
        (unused.length ? `; unused: ${list(unused)}` : "") +
        (missing.length ? `; missing: ${list(missing)}` : "") +
        " — map them with { mapping }, ignore sources with a null entry, or pass strict: false",
    );
  for (const p of planned) {
    const r = resolve(layers, p.target)!;
    r.layer.assignWeight(r.local, p.value);
  }
  return { loaded: planned.map((p) => p.target), unused, ignored, missing };
}
