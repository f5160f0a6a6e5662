/**
 * The kernel's message handler: tslab's `JupyterHandlerImpl` (kernel info, completion,
 * inspection, is_complete) with execution redone around tslab's executor: `execute_input`,
 * `execute_result` with `execution_count` and the value's whole MIME bundle, `error` messages
 * for exceptions and type errors, `stop_on_error`, a per-cell `cl.runtime` (interrupt signal,
 * live training display, `cl.show`) and interrupts that let `model.fit` stop between batches.
 */
import type * as Convlab from "convlab";
import { bundleFor } from "./display.js";
import { Comms } from "./comms.js";
import { StringDecoder } from "node:string_decoder";
import { type CellRegistry, type ErrorContent, describeValue, diagnosticsContent, errorContent, errorText, interruptContent } from "./errors.js";
import type { CellCapture } from "./capture.js";
import { TrainingDisplay } from "./training.js";
import { tslab, type DisplayData, type ExecuteRequest, type Executor, type Ts } from "./tslab.js";

const { jupyter } = tslab();

/** Where a cell's messages go: IOPub messages with the execute_request as parent. */
export interface CellIO {
  publish(msgType: string, content: Record<string, unknown>): void;
  /** The cell's code has finished: send what it printed (and a note of what the output limit left out). */
  endOutput?(): void;
  writeStream(name: string, text: string): void;
  writeDisplayData(content: DisplayData, update: boolean): void;
}

const QUIET: CellIO = { publish: () => {}, writeStream: () => {}, writeDisplayData: () => {} };

/** After an interrupt, how long the cell may take to stop by itself (fit stops at its next batch) before the kernel stops waiting for it. */
export const INTERRUPT_GRACE_MS = 1000;
/**
 * After a failed cell with stop_on_error, how long requests already sent by the client may take
 * to reach the kernel; they are aborted with the rest of the queue (a running cell blocks the
 * event loop, so requests sent meanwhile are read only after it ends).
 */
export const ABORT_DRAIN_MS = 30;

interface Running {
  controller: AbortController;
  interrupted: boolean;
  grace?: ReturnType<typeof setTimeout>;
  /** Stops waiting for the cell's last value (a Promise). */
  stop?: () => void;
}

class InterruptError extends Error {
  override name = "KeyboardInterrupt";
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === "object" || typeof v === "function") && v !== null && typeof (v as { then?: unknown }).then === "function";
}

const SIGINT_BREAK = /Script execution was interrupted by `SIGINT`/;

/** Whether `thrown` is V8's error for a synchronous loop broken by SIGINT (false for anything odd, never a throw). */
function isSigintBreak(thrown: unknown): boolean {
  try {
    return thrown instanceof Error && typeof thrown.message === "string" && SIGINT_BREAK.test(thrown.message);
  } catch {
    return false;
  }
}

export interface HandlerOptions {
  executor: Executor;
  capture: CellCapture;
  cells: CellRegistry;
  ts: Ts;
  /** The preloaded core (undefined when the kernel runs without preload). */
  core: typeof Convlab | undefined;
  /** Resolves when the converter and the prelude are ready. */
  ready: Promise<void>;
  version: string;
}

export class ConvlabHandler extends jupyter.JupyterHandlerImpl {
  readonly comms: Comms;
  /** A note to print in the next cell's stderr (e.g. the prelude failed to load). */
  startupWarning: string | undefined;
  private readonly opts: HandlerOptions;
  private count = 0;
  private tail: Promise<unknown> = Promise.resolve();
  /** Bumped when a cell fails with stop_on_error: requests queued before that are aborted. */
  private generation = 0;
  private running: Running | undefined;
  private displayIds = new Set<string>();
  /** The output of the cell being run (from its start to its reply), for errors that escape it. */
  private current: CellIO | undefined;
  /** Errors that escaped while no cell ran: shown in the next cell's stderr. */
  private strays: string[] = [];
  /** Where the kernel's own log goes (the Jupyter server log). */
  log: (msg: string) => void = () => {};

  constructor(opts: HandlerOptions) {
    super(opts.executor, false);
    this.opts = opts;
    this.comms = new Comms(opts.core?.runtime, opts.version);
  }

  override handleKernel(): ReturnType<InstanceType<typeof jupyter.JupyterHandlerImpl>["handleKernel"]> {
    const info = super.handleKernel();
    const { version, ts } = this.opts;
    return {
      ...info,
      status: "ok",
      implementation: "convlab",
      implementation_version: version,
      language_info: { ...info.language_info, version: ts.version },
      banner: `convlab ${version} — TypeScript ${ts.version} cells (tslab 1.0.22); cl is preloaded`,
    } as typeof info;
  }

  override handleShutdown(req: { restart?: boolean }): { restart: boolean } {
    return { status: "ok", restart: req.restart === true } as { restart: boolean };
  }

  /** tslab's entry point, kept for completeness: the server calls `execute` with IOPub access. */
  override async handleExecute(req: ExecuteRequest, writeStream: (name: string, text: string) => void, writeDisplayData: (data: DisplayData, update: boolean) => void) {
    const reply = await this.execute(req, { publish: () => {}, writeStream, writeDisplayData });
    return reply as unknown as Awaited<ReturnType<InstanceType<typeof jupyter.JupyterHandlerImpl>["handleExecute"]>>;
  }

  /** Resolves when the type checker and the prelude are ready (completion and inspection wait for it). */
  whenReady(): Promise<void> {
    return this.opts.ready;
  }

  /** Queues a cell; resolves to the execute_reply content. */
  execute(req: ExecuteRequest, io: CellIO): Promise<Record<string, unknown>> {
    const generation = this.generation;
    const result = this.tail.then(async () => {
      await this.opts.ready;
      if (generation !== this.generation) return { status: "aborted", execution_count: this.count };
      return this.runCell(req, io);
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** SIGINT (or interrupt_request): aborts the running cell's signal; stops waiting for it after a grace period. */
  interrupt(): void {
    const cell = this.running;
    if (!cell) return;
    if (cell.interrupted) {
      // A second interrupt: stop waiting now.
      this.opts.executor.interrupt();
      cell.stop?.();
      return;
    }
    cell.interrupted = true;
    cell.controller.abort(new InterruptError("interrupted"));
    cell.grace = setTimeout(() => {
      this.opts.executor.interrupt();
      cell.stop?.();
    }, INTERRUPT_GRACE_MS);
  }

  /**
   * An exception from a timer or callback, or a promise rejection nothing handled (the
   * process's `uncaughtException`/`unhandledRejection`): shown in the stderr of the cell being
   * run, or else of the next cell, and logged. Never throws; the kernel goes on.
   */
  reportStray(what: string, err: unknown): void {
    let text: string;
    try {
      text = `[convlab] ${what}:\n${errorText(err, this.opts.cells)}\n`;
    } catch {
      text = `[convlab] ${what}: (the error could not be described)\n`;
    }
    try {
      this.log(text.trimEnd());
    } catch {
      // nowhere to log
    }
    try {
      if (this.current) this.current.writeStream("stderr", text);
      else if (this.strays.length < 20) this.strays.push(text);
      else if (this.strays.length === 20) this.strays.push("[convlab] … and more errors after these (see the kernel's log)\n");
    } catch {
      this.strays.push(text);
    }
  }

  private async runCell(req: ExecuteRequest, io: CellIO): Promise<Record<string, unknown>> {
    const silent = req.silent === true;
    const count = silent || req.store_history === false ? this.count : ++this.count;
    const out = silent ? QUIET : io;
    this.current = out;
    try {
      return await this.runCellBody(req, io, out, count);
    } catch (e) {
      // A failure of the kernel's own machinery around the cell: still an error output.
      const error = { ename: "KernelError", evalue: `the kernel failed while running the cell: ${describeValue(e instanceof Error ? e.message : e)}`, traceback: [`KernelError: ${describeValue(e instanceof Error ? (e.stack ?? e.message) : e)}`] };
      this.log(error.traceback[0]!);
      if (!silent) io.publish("error", error);
      return { status: "error", execution_count: count, ...error, user_expressions: {}, payload: [] };
    } finally {
      this.current = undefined;
    }
  }

  private async runCellBody(req: ExecuteRequest, io: CellIO, out: CellIO, count: number): Promise<Record<string, unknown>> {
    const { capture, core, executor } = this.opts;
    const silent = req.silent === true;
    if (!silent) io.publish("execute_input", { code: req.code, execution_count: count });
    if (this.startupWarning) {
      out.writeStream("stderr", this.startupWarning);
      this.startupWarning = undefined;
    }
    for (const text of this.strays.splice(0)) out.writeStream("stderr", text.replace("[convlab] ", "[convlab] after the previous cell: "));
    // Output of the cell (and of anything it leaves running) goes to this request, as in tslab.
    process.stdout.write = streamWriter("stdout", out.writeStream) as typeof process.stdout.write;
    process.stderr.write = streamWriter("stderr", out.writeStream) as typeof process.stderr.write;
    jupyter.lastWriteDisplayData = out.writeDisplayData;

    const cell: Running = { controller: new AbortController(), interrupted: false };
    this.running = cell;
    const training = core ? new TrainingDisplay(core.runtime, out.writeDisplayData as never, undefined, core.inspect.trainingPng) : undefined;
    const restore = core?.runtime.setRuntime({
      signal: cell.controller.signal,
      onTraining: training?.onEvent,
      display: (value, opts) => this.display(out, value, opts?.id),
    });
    capture.begin(`In [${count}]`);
    let ok = false;
    try {
      ok = await executor.execute(req.code);
      const last = capture.value?.value;
      if (ok && isThenable(last) && !cell.interrupted) {
        try {
          capture.value = { value: await new Promise((resolve, reject) => {
            cell.stop = () => reject(new InterruptError("interrupted"));
            last.then(resolve, reject);
          }) };
        } catch (e) {
          capture.thrown = { error: e };
          ok = false;
        }
      }
    } catch (e) {
      capture.thrown = { error: e };
      ok = false;
    } finally {
      clearTimeout(cell.grace);
      restore?.();
      training?.flush();
      this.running = undefined;
    }
    // Promise rejections the cell left unhandled are reported after the microtasks that could
    // still handle them; one turn of the event loop lets them land in this cell's output.
    await new Promise((r) => setImmediate(r));
    out.endOutput?.();

    let error: ErrorContent | undefined;
    const thrown = capture.thrown?.error;
    if (cell.interrupted || isSigintBreak(thrown)) error = interruptContent();
    else if (capture.diagnostics.length > 0) error = diagnosticsContent(capture.diagnostics, req.code, `In [${count}]`);
    else if (capture.thrown) error = errorContent(thrown, this.opts.cells);
    else if (!ok) error = { ename: "Error", evalue: "the cell failed", traceback: ["the cell failed"] };
    if (error) {
      if (!silent) io.publish("error", { ...error });
      if (req.stop_on_error !== false) await this.abortQueued();
      return { status: "error", execution_count: count, ...error, user_expressions: {}, payload: [] };
    }
    if (capture.value !== undefined && !silent && capture.value.value !== undefined) {
      const bundle = bundleFor(capture.value.value, core, (msg) => out.writeStream("stderr", msg));
      io.publish("execute_result", { execution_count: count, data: bundle.data, metadata: bundle.metadata });
    }
    return { status: "ok", execution_count: count, user_expressions: {}, payload: [] };
  }

  /** Lets requests already on their way arrive, then marks everything queued as aborted. */
  private async abortQueued(): Promise<void> {
    await new Promise((r) => setTimeout(r, ABORT_DRAIN_MS));
    this.generation++;
  }

  /** `cl.show(value, { id })` in a cell. */
  private display(out: CellIO, value: unknown, id: string | undefined): void {
    const bundle = bundleFor(value, this.opts.core, (msg) => out.writeStream("stderr", msg));
    const update = id !== undefined && this.displayIds.has(id);
    if (id !== undefined) this.displayIds.add(id);
    out.writeDisplayData({ ...bundle, transient: id === undefined ? {} : { display_id: id } } as DisplayData, update);
  }
}

/**
 * A `process.stdout.write`/`stderr.write` replacement that sends the text to the cell's output:
 * strings as they are, bytes decoded as UTF-8 across writes (a character split between two
 * writes stays whole); the write callback is called as a stream's would be.
 */
function streamWriter(name: string, write: (name: string, text: string) => void) {
  const decoder = new StringDecoder("utf8");
  return (chunk: unknown, encoding?: unknown, cb?: unknown): boolean => {
    if (typeof encoding === "function") {
      cb = encoding;
      encoding = undefined;
    }
    let text: string;
    try {
      if (typeof chunk === "string") text = typeof encoding === "string" && encoding !== "utf8" && encoding !== "utf-8" && Buffer.isEncoding(encoding) ? Buffer.from(chunk, encoding).toString("utf8") : chunk;
      else if (chunk instanceof Uint8Array) text = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      else text = String(chunk);
    } catch {
      text = "";
    }
    write(name, text);
    if (typeof cb === "function") afterWrite(cb as (err: null) => void);
    return true;
  };
}

/**
 * Write callbacks, called together on the next tick (a synchronous loop of prints, each with
 * console's callback, queues one array entry per print rather than one tick each).
 */
let writeCallbacks: ((err: null) => void)[] = [];
function afterWrite(cb: (err: null) => void): void {
  if (writeCallbacks.push(cb) === 1) process.nextTick(runWriteCallbacks);
}
function runWriteCallbacks(): void {
  const cbs = writeCallbacks;
  writeCallbacks = [];
  for (const cb of cbs) {
    try {
      cb(null);
    } catch (e) {
      // as a stream's callback that throws: an uncaught exception (reported by the kernel)
      process.nextTick(() => {
        throw e;
      });
    }
  }
}
