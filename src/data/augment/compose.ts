// Putting augmentations together and running them on the fly: compose, apply, mapper (for a
// dataset's `.map`) and augmentBatches (for `fit` over `{ x, y }` batches).
import { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../util/errors.js";
import { Rng } from "../../util/rng.js";
import type { Dataset } from "../batching.js";
import { checkExample, type Example, type Transform } from "./example.js";

/**
 * Applies transforms one after the other with the same generator:
 * `augment.compose([augment.randomCrop({ size: 224 }), augment.mirror(), augment.pcaColor({ stats })])`.
 */
export function compose(transforms: readonly Transform[]): Transform {
  if (!Array.isArray(transforms) || !transforms.every((t) => typeof t === "function"))
    throw new ValueError("augment.compose: expected a list of transforms (functions (example, rng) → example)");
  const list = [...transforms];
  return <E extends Example>(ex: E, rng: Rng): E => list.reduce((e, t) => t(e, rng), ex);
}

function generator(op: string, opts: { seed?: number; rng?: Rng }): Rng {
  if (opts.rng !== undefined) {
    if (!(opts.rng instanceof Rng)) throw new ValueError(`${op}: rng must be a cl.Rng`);
    return opts.rng;
  }
  if (opts.seed !== undefined && !Number.isFinite(opts.seed)) throw new ValueError(`${op}: seed must be a number, got ${JSON.stringify(opts.seed)}`);
  return new Rng(opts.seed ?? 0);
}

/**
 * Runs a transform once on an image tensor (returns a tensor) or an example (returns an
 * example), from `{ seed }` (default 0) or a generator `{ rng }`:
 *
 *   const turned = cl.data.augment.apply(cl.data.augment.rotate({ degrees: 30 }), photo, { seed: 1 })
 */
export function apply(transform: Transform, input: Tensor, opts?: { seed?: number; rng?: Rng }): Tensor;
export function apply<E extends Example>(transform: Transform, input: E, opts?: { seed?: number; rng?: Rng }): E;
export function apply<E extends Example>(transform: Transform, input: Tensor | E, opts: { seed?: number; rng?: Rng } = {}): Tensor | E {
  if (typeof transform !== "function") throw new ValueError("augment.apply: the first argument must be a transform");
  const rng = generator("augment.apply", opts);
  if (input instanceof Tensor) return transform({ image: input }, rng).image;
  return transform(input, rng);
}

/**
 * A function `example → example` for a dataset's `.map(fn)`, with its own seeded stream: each
 * call draws new parameters (so every epoch sees new augmentations) and the same seed replays the
 * same sequence. Extra arguments a map passes (an index) are ignored.
 *
 *   cl.data.dataset(examples).map(cl.data.augment.mapper(augmentation, { seed: 0 })).batch(32)
 */
export function mapper(transform: Transform, opts: { seed?: number } = {}): <E extends Example>(example: E) => E {
  if (typeof transform !== "function") throw new ValueError("augment.mapper: the first argument must be a transform");
  const rng = generator("augment.mapper", opts);
  return <E extends Example>(example: E): E => {
    checkExample("augment.mapper", example);
    return transform(example, rng);
  };
}

/**
 * On-the-fly augmentation of `{ x, y }` batches for `fit`: an iterable that, every time it is
 * iterated (once per epoch), yields each batch of `batches` with `x` augmented (as a batch of
 * images; `y` unchanged). One seeded stream across epochs: new augmentations every epoch, the same
 * run for the same seed.
 *
 *   await model.fit(cl.data.augment.augmentBatches(cl.data.batches(train, { batchSize: 64, shuffle: true, seed: 0 }), augmentation, { seed: 1 }), { epochs: 5, ... })
 */
export function augmentBatches(batches: Iterable<Dataset>, transform: Transform, opts: { seed?: number } = {}): Iterable<Dataset> {
  if (batches === null || typeof (batches as Iterable<Dataset>)?.[Symbol.iterator] !== "function")
    throw new ValueError("augment.augmentBatches: expected an iterable of { x, y } batches (e.g. cl.data.batches(...))");
  const f = mapper(transform, opts);
  return {
    *[Symbol.iterator](): Iterator<Dataset> {
      for (const b of batches) {
        if (!(b?.x instanceof Tensor) || b.x.rank !== 4) throw new ValueError("augment.augmentBatches: each batch must be { x: [m,nH,nW,nC], y }");
        yield { ...b, x: f({ image: b.x }).image };
      }
    },
  };
}
