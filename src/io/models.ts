// cl.models on the Node entry: the browser's builders plus `pretrained` (reads weight files).
export * from "../models/index.js";
export * as pretrained from "./pretrained.js";
