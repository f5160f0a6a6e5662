// cl.style: neural style transfer (course week 4): Gram matrices, content and style costs, the
// transfer loop on a frozen feature extractor, the random-filter baseline network, a picture row.
export { gram, contentCost, styleCost, styleCostLayers, totalCost, type ContentCostOptions, type TotalCostOptions } from "./costs.js";
export { transfer, costCurves, type TransferOptions, type TransferResult, type TransferStep, type FeatureExtractor } from "./transfer.js";
export { randomFeatureNet, type RandomFeatureNetOptions } from "./randomNet.js";
export { gallery, Gallery, type GalleryItem, type GalleryOptions } from "./gallery.js";
