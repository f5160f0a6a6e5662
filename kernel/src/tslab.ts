/**
 * tslab@1.0.22's internals that the kernel builds on, loaded from tslab's own files (never
 * copied): the converter (TypeScript → JS with type diagnostics), the executor (runs converted
 * cells, keeps top-level bindings) and the Jupyter layer (ZeroMQ server, message handler).
 */
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import type * as JupyterModule from "tslab/dist/jupyter.js";
import type * as ConverterModule from "tslab/dist/converter.js";
import type * as ExecutorModule from "tslab/dist/executor.js";
import type * as TS from "@tslab/typescript-for-tslab";

const require = createRequire(import.meta.url);
/** `require` as seen from tslab's package, so that we get the TypeScript instance tslab uses. */
const tslabRequire = createRequire(require.resolve("tslab/package.json"));

export type Ts = typeof TS;
export type Jupyter = typeof JupyterModule;
export type Converter = ConverterModule.Converter;
export type ConvertResult = ConverterModule.ConvertResult;
export type Diagnostic = ConverterModule.Diagnostic;
export type Executor = ExecutorModule.Executor;
export type ConverterSet = ExecutorModule.ConverterSet;
export type ConsoleInterface = ExecutorModule.ConsoleInterface;
/** tslab's parsed wire message (its class is not exported; see `wireMessageClass`). */
export type WireMessage = Parameters<JupyterModule.ZmqServer["handleKernelInfo"]>[1];
/** tslab's handler interface (the ZmqServer constructor's first parameter). */
export type JupyterHandler = ConstructorParameters<Jupyter["ZmqServer"]>[0];
export type ExecuteRequest = Parameters<JupyterHandler["handleExecute"]>[0];
export type DisplayData = Parameters<Parameters<JupyterHandler["handleExecute"]>[2]>[0];

export interface TslabModules {
  ts: Ts;
  jupyter: Jupyter;
  converter: typeof ConverterModule;
  executor: typeof ExecutorModule;
}

export type Tslab = TslabModules;

/** The file of the TypeScript compiler tslab uses. */
export function typescriptPath(): string {
  return tslabRequire.resolve("@tslab/typescript-for-tslab");
}

let modules: TslabModules | undefined;

/** Loads tslab's converter, executor and Jupyter modules (and the TypeScript they use) once. */
export function tslab(): TslabModules {
  modules ??= {
    ts: tslabRequire("@tslab/typescript-for-tslab") as Ts,
    jupyter: require("tslab/dist/jupyter.js") as Jupyter,
    converter: require("tslab/dist/converter.js") as typeof ConverterModule,
    executor: require("tslab/dist/executor.js") as typeof ExecutorModule,
  };
  return modules;
}

/** tslab's ZmqMessage parser (`fromRaw`), for messages tslab's own dispatch does not know. */
export interface WireMessageClass {
  fromRaw(key: string, raw: Buffer[]): WireMessage;
}

/**
 * tslab's wire-message class. It is not exported, so we take it from the one place tslab
 * builds a message for us: `ZmqServer.handleShellMessage` parses the frames and hands the
 * message to `publishStatus` before anything else. We run that on a signed probe message with
 * a `publishStatus` that records the message's constructor and stops the handler.
 */
export function wireMessageClass(jupyter: Jupyter): WireMessageClass {
  const key = "convlab-probe";
  const parts = [JSON.stringify({ msg_id: "probe", msg_type: "convlab_probe", session: "", username: "", date: "", version: "5.3" }), "{}", "{}", "{}"];
  const hmac = createHmac("sha256", key);
  for (const p of parts) hmac.update(p);
  const frames = [Buffer.from("<IDS|MSG>"), Buffer.from(hmac.digest("hex")), ...parts.map((p) => Buffer.from(p))];
  let found: unknown;
  const stop = new Error("probe done");
  const probe = {
    connInfo: { key },
    publishStatus(_status: string, msg: object) {
      found = msg.constructor;
      throw stop;
    },
  };
  // Synchronous up to publishStatus (an async function runs until its first await).
  jupyter.ZmqServer.prototype.handleShellMessage.call(probe as unknown as JupyterModule.ZmqServer, undefined as never, ...frames).catch(() => {});
  const cls = found as Partial<WireMessageClass> | undefined;
  if (typeof cls?.fromRaw !== "function") throw new Error("convlab kernel: tslab's ZmqServer no longer parses messages as tslab 1.0.22 did");
  return cls as WireMessageClass;
}
