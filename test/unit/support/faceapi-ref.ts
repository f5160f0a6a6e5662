// The reference the pretrained-net tests compare against: face-api's own implementation
// (dist/face-api.node-wasm.js) on @tensorflow/tfjs + @tensorflow/tfjs-backend-wasm, with the same
// weight files. Loaded through require, so face-api and the test share one tfjs instance. The
// .wasm binaries come from node_modules (setWasmPaths is never called; nothing is fetched).
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as Tf from "@tensorflow/tfjs";

const require = createRequire(import.meta.url);

export const MODEL_DIR = join(__dirname, "../../../node_modules/@vladmandic/face-api/model");

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FaceApi = any;

let ready: Promise<{ tf: typeof Tf; faceapi: FaceApi }> | null = null;

/** tfjs on the wasm backend and face-api, with the nets in `nets` loaded from face-api's model folder. */
export function faceApiReference(nets: string[]): Promise<{ tf: typeof Tf; faceapi: FaceApi }> {
  ready ??= (async () => {
    const tf = require("@tensorflow/tfjs") as typeof Tf;
    require("@tensorflow/tfjs-backend-wasm");
    const faceapi = require("@vladmandic/face-api/dist/face-api.node-wasm.js") as FaceApi;
    await tf.setBackend("wasm");
    await tf.ready();
    return { tf, faceapi };
  })();
  return ready.then(async (r) => {
    for (const n of nets) if (!r.faceapi.nets[n].isLoaded) await r.faceapi.nets[n].loadFromDisk(MODEL_DIR);
    return r;
  });
}
