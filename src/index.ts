// convlab: everything in convlab/browser plus the Node-only parts (io, the worker pool).
export * from "./browser.js";
export * as io from "./io/index.js";
