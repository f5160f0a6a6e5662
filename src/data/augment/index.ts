// cl.data.augment: seeded augmentations of NHWC images that move boxes and landmarks with the
// pixels, composable and applied on the fly (a dataset's `.map`, or `augmentBatches` for `fit`).
// Each transform is a plain function `(example, rng) → example`.
export { type Example, type Point, type Transform, type Frame, perImage } from "./example.js";
export {
  mirror, randomCrop, rotate, shear, localWarp,
  type MirrorOptions, type RandomCropOptions, type RotateOptions, type ShearOptions, type LocalWarpOptions,
} from "./geometric.js";
export { colorShift, pcaColor, pcaColorStats, symmetricEigen, type ColorShiftOptions, type PcaColorOptions, type PcaColorStats } from "./color.js";
export { compose, apply, mapper, augmentBatches } from "./compose.js";
