// cl.inspect — filled in by its issue.
export {};
export { encodePng, toBase64, pngDataUrl, crc32, type RawImage, type EncodePngOptions } from "./png.js";
export {
  heatmapRgb, heatmapRange, colorAt, tensorToImage, tensorToPng, upscaleNearest, NONFINITE_RGB,
  type Colormap, type HeatmapOptions, type TensorImageOptions,
} from "./colormap.js";
export { show, toMimeBundle, tensorMimeBundle, isDisplayable, type MimeBundle, type Displayable } from "./display.js";
