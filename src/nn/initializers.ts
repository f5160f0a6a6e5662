// Weight initializers (seeded). Fans follow Keras/PyTorch: for a conv filter f×f×nC_prev×nC,
// fanIn = f·f·nC_prev and fanOut = f·f·nC; for a dense weight [nIn, units], nIn and units.
import { Tensor, allocate, type DType } from "../tensor/tensor.js";
import { sizeOf } from "../tensor/shape.js";
import type { Rng } from "../util/rng.js";
import { ValueError } from "../util/errors.js";

export type InitializerName = "glorotUniform" | "glorotNormal" | "heUniform" | "heNormal" | "lecunNormal" | "zeros" | "ones";
/** A named initializer, or a function of (shape, rng) giving the values. */
export type Initializer = InitializerName | ((shape: readonly number[], rng: Rng) => Tensor);

export const INITIALIZERS: readonly InitializerName[] = ["glorotUniform", "glorotNormal", "heUniform", "heNormal", "lecunNormal", "zeros", "ones"];

/** fanIn and fanOut of a weight: the last axis is the outputs, the one before the inputs, the rest the receptive field. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: receptive * shape[shape.length - 2]!, fanOut: receptive * shape[shape.length - 1]! };
}

/** A new tensor of `shape` drawn by the initializer from `rng`. */
export function initialize(init: Initializer, shape: readonly number[], rng: Rng, owner: string, dtype: DType = "float32"): Tensor {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new ValueError(`${owner}: initialize: shape must be a list of non-negative integers, got ${JSON.stringify(shape) ?? String(shape)}`);
  if (typeof rng?.uniform !== "function" || typeof rng?.normal !== "function")
    throw new ValueError(`${owner}: initialize: rng must be a generator such as new cl.Rng(0), got ${rng === null ? "null" : typeof rng}`);
  if (typeof init === "function") {
    const t = init(shape, rng);
    if (!(t instanceof Tensor) || t.shape.join() !== shape.join())
      throw new ValueError(`${owner}: the kernel initializer must return a tensor of shape [${shape.join(",")}]`);
    return dtype === t.dtype ? t.clone() : t.astype(dtype);
  }
  const { fanIn, fanOut } = fans(shape);
  const data = allocate(dtype, sizeOf(shape));
  const uniform = (limit: number): void => {
    for (let i = 0; i < data.length; i++) data[i] = (rng.uniform() * 2 - 1) * limit;
  };
  const normal = (std: number): void => {
    for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
  };
  switch (init) {
    case "glorotUniform": uniform(Math.sqrt(6 / (fanIn + fanOut))); break;
    case "glorotNormal": normal(Math.sqrt(2 / (fanIn + fanOut))); break;
    case "heUniform": uniform(Math.sqrt(6 / fanIn)); break;
    case "heNormal": normal(Math.sqrt(2 / fanIn)); break;
    case "lecunNormal": normal(Math.sqrt(1 / fanIn)); break;
    case "zeros": break;
    case "ones": data.fill(1); break;
    default:
      throw new ValueError(`${owner}: unknown initializer ${JSON.stringify(init)} (expected one of ${INITIALIZERS.join(", ")} or a function)`);
  }
  return new Tensor(data, shape);
}

/** Checks an initializer option at construction (a name of INITIALIZERS or a function), so a typo fails before first use. */
export function checkInitializer(owner: string, name: string, v: unknown): void {
  if (v === undefined || typeof v === "function" || (typeof v === "string" && (INITIALIZERS as readonly string[]).includes(v))) return;
  throw new ValueError(`${owner}: ${name} must be one of ${INITIALIZERS.join(", ")} or a function (shape, rng) => tensor, got ${typeof v === "string" ? JSON.stringify(v) : String(v)}`);
}
