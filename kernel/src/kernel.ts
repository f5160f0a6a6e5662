/**
 * Starts the convlab kernel on a Jupyter connection file: tslab's converter and executor with
 * the convlab prelude (`cl` in every cell, typed; `import ... from "convlab"` resolving to this
 * package), our handler and server, and the process-level hooks (SIGINT → interrupt, errors
 * that escape a cell go to its output instead of killing the kernel).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as Convlab from "convlab";
import { CellCapture, Converters } from "./capture.js";
import { CellRegistry } from "./errors.js";
import { coreEntry, packageRoot, packageVersion } from "./paths.js";
import { installRuntimeResolution, installTypeResolution, slash } from "./resolve.js";
import { loadWithCodeCache, type CachedLoad } from "./codecache.js";
import { LazyDocs } from "./jsdoc.js";
import { tslab, typescriptPath } from "./tslab.js";

const require = createRequire(import.meta.url);

/**
 * The prelude, run as a hidden first cell: `cl` then exists in every cell, for the type checker
 * as a namespace (so `cl.Tensor` works as a type too) and at run time as the core's module.
 */
export const PRELUDE_CELL = 'import * as cl from "convlab";';

export interface KernelOptions {
  /** Preload convlab as `cl` (default true; `CONVLAB_KERNEL_PRELOAD=0` turns it off, for the benchmark). */
  preload?: boolean;
  /** Where the kernel writes its own log (default: the process's stderr, i.e. the Jupyter server log). */
  log?: (msg: string) => void;
}

const nextTick = () => new Promise<void>((r) => setImmediate(r));

export async function startKernel(connectionFile: string, opts: KernelOptions = {}): Promise<void> {
  const stderrWrite = process.stderr.write.bind(process.stderr);
  const log = opts.log ?? ((msg: string) => void stderrWrite(`[convlab kernel] ${msg}\n`));
  const preload = opts.preload ?? process.env.CONVLAB_KERNEL_PRELOAD !== "0";
  const cwd = process.cwd();
  // CONVLAB_KERNEL_TIMING=1: log when each start-up stage ended (ms since the process started).
  const timing = process.env.CONVLAB_KERNEL_TIMING === "1";
  const mark = (stage: string) => timing && log(`timing ${stage} ${performance.now().toFixed(0)} ms`);
  mark("launcher");

  // The TypeScript compiler through V8's code cache (CONVLAB_KERNEL_CODE_CACHE=0: plain require).
  let tsLoad: CachedLoad | undefined;
  if (process.env.CONVLAB_KERNEL_CODE_CACHE !== "0") {
    try {
      tsLoad = loadWithCodeCache(typescriptPath());
    } catch (e) {
      log(`code cache not used: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const t = tslab();
  mark("tslab+typescript loaded");
  const cells = new CellRegistry(t.ts);
  const capture = new CellCapture(cells);
  const convs = new Converters(t, capture, log);
  const executor = t.executor.createExecutor(cwd, convs, capture.console);
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));

  let core: typeof Convlab | undefined;
  let startupWarning: string | undefined;
  if (preload) {
    try {
      installRuntimeResolution(packageRoot);
      core = require(coreEntry) as typeof Convlab;
    } catch (e) {
      startupWarning = `convlab could not be loaded, so cl is not defined (${e instanceof Error ? e.message : String(e)}); is the package built (npm run build)?\n`;
      log(startupWarning);
    }
  }
  mark("convlab loaded");
  const { ConvlabHandler } = await import("./handler.js");
  const { ConvlabServer } = await import("./server.js");
  const handler = new ConvlabHandler({ executor, capture, cells, ts: t.ts, core, ready, version: packageVersion() });
  handler.startupWarning = startupWarning;

  let server: InstanceType<typeof ConvlabServer> | undefined;
  const shutdown = () => {
    // Let the reply and the idle status leave before the sockets close.
    setTimeout(() => {
      try {
        server?.close();
      } catch (e) {
        log(`closing: ${String(e)}`);
      }
      core?.shutdownThreads();
      process.exit(0);
    }, 50);
  };
  server = new ConvlabServer(handler, connectionFile, log, shutdown);

  process.on("SIGINT", () => handler.interrupt());
  // Errors that escape a cell (a timer's exception, a rejection nothing handled) are shown in
  // the running cell's stderr, or the next cell's, and logged; the kernel goes on.
  handler.log = log;
  process.on("uncaughtException", (err) => handler.reportStray("an exception was thrown outside the cell's own code (by a timer or callback)", err));
  process.on("unhandledRejection", (reason) => handler.reportStray("a promise was rejected and nothing handled the rejection", reason));

  // CONVLAB_KERNEL_LAZY_DOCS=0: read library declarations with their documentation from the start.
  const libraryRoots = core ? [slash(join(packageRoot, "dist")) + "/"] : [];
  capture.docs = new LazyDocs(t.ts.FileWatcherEventKind.Changed, libraryRoots, process.env.CONVLAB_KERNEL_LAZY_DOCS !== "0");
  installTypeResolution(t.ts, cwd, core ? packageRoot : undefined, capture.docs);
  await server.init();
  // The sockets answer kernel_info from here on; the heavy parts follow, each after a turn of
  // the event loop. Execution waits for `ready`.
  mark("sockets bound");
  await nextTick();
  void convs.node; // builds tslab's converter: the TypeScript program (the slow part of the start)
  mark("converter created");
  if (core) {
    capture.begin("prelude");
    const ok = await executor.execute(PRELUDE_CELL);
    const problem = capture.diagnostics.map((d) => d.messageText).join("; ") || (capture.thrown ? String(capture.thrown.error) : ok ? "" : "failed");
    if (problem) {
      handler.startupWarning = `cl could not be preloaded: ${problem}\n`;
      log(handler.startupWarning);
    }
  }
  mark("prelude ran");
  markReady();
  const load = tsLoad;
  if (load && !load.hit) setTimeout(() => load.save(), 0);
}
