// cl.detection: boxes, IoU, NMS, localisation, sliding windows, YOLO, anchors, mAP, region proposals.
export { iou, iouMatrix, nms, fromMidpoint, toMidpoint, boxArea, type Box, type MidpointBox, type Detection, type NmsOptions } from "./boxes.js";
export {
  yoloEncode, yoloDecode, yoloLoss, yoloAssign, yoloInverse, yoloNet, shapeIou, bestAnchor, type YoloNetOptions,
  type AnchorShape, type LabeledBox, type YoloGridOptions, type YoloDecodeOptions, type YoloLossOptions, type YoloAssignment,
} from "./yolo.js";
export { kmeansAnchors, type KmeansAnchorsOptions, type KmeansAnchorsResult } from "./anchors.js";
export { meanAveragePrecision, averagePrecision, type MapPrediction, type MapGroundTruth, type MapOptions, type MapResult } from "./map.js";
export { localizationTarget, localizationLoss, localizationDecode, type LocalizationOptions } from "./localization.js";
export { slidingWindows, windowCrops, type SlidingWindowOptions, type WindowClassifier } from "./sliding.js";
export {
  segment, selectiveSearch, cropAndResize, boxDeltas, applyBoxDeltas, labelProposals,
  type SegmentOptions, type Segmentation, type SelectiveSearchOptions, type ProposalLabels,
} from "./proposals.js";
export { rcnnTrainingSet, rcnnLoss, rcnnDetect, type RcnnOptions, type RcnnTrainingOptions, type RcnnTrainingSet, type RcnnDetectOptions, type CropClassifier } from "./rcnn.js";
