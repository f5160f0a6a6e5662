// cl.detection — filled in by its issue.
export {};
export { iou, nms, fromMidpoint, toMidpoint, boxArea, type Box, type MidpointBox, type Detection, type NmsOptions } from "./boxes.js";
