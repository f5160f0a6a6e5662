/**
 * What tslab's executor reports about the running cell, caught structurally instead of printed:
 * the executor is given our converter set (which records the diagnostics and the JavaScript of
 * each conversion) and our console (its `log` receives the last expression's value, its
 * single-argument `error` what the cell threw).
 */
import type { CellRegistry } from "./errors.js";
import type { LazyDocs } from "./jsdoc.js";
import type { ConsoleInterface, Converter, ConverterSet, Diagnostic, Tslab } from "./tslab.js";

export class CellCapture {
  /** Label of the cell being converted/run ("In [3]"). */
  label = "";
  diagnostics: Diagnostic[] = [];
  thrown: { error: unknown } | undefined;
  value: { value: unknown } | undefined;

  /** Library documentation loaded on the first inspection (see jsdoc.ts). */
  docs: LazyDocs | undefined;

  constructor(private readonly cells: CellRegistry) {}

  /** Clears the record before a cell runs. */
  begin(label: string): void {
    this.label = label;
    this.diagnostics = [];
    this.thrown = undefined;
    this.value = undefined;
  }

  /** The console given to tslab's executor. */
  readonly console: ConsoleInterface = {
    log: (value?: unknown) => {
      this.value = { value };
    },
    error: (...args: unknown[]) => {
      // One argument: what the cell threw. Several: a diagnostic printed with a format string,
      // which `wrap` has already recorded structurally.
      if (args.length === 1) this.thrown = { error: args[0] };
    },
  };

  /**
   * Wraps a tslab converter: records diagnostics, and gives the cell's JavaScript a script
   * name (`//# sourceURL=`) so stack frames can be mapped back to the cell's lines.
   */
  wrap(conv: Converter): Converter {
    return {
      convert: (prevDecl, src) => {
        const r = conv.convert(prevDecl, src);
        this.diagnostics = r.diagnostics;
        if (r.output !== undefined && r.diagnostics.length === 0) {
          const name = this.cells.add(this.label, src, r.output);
          r.output += `\n//# sourceURL=${name}`;
        }
        return r;
      },
      addModule: (name, content, meta) => {
        const d = conv.addModule(name, content, meta);
        this.diagnostics = d;
        return d;
      },
      inspect: (prevDecl, src, position) => {
        this.docs?.show();
        return conv.inspect(prevDecl, src, position);
      },
      complete: (prevDecl, src, position) => conv.complete(prevDecl, src, position),
      close: () => conv.close(),
    };
  }
}

/**
 * tslab's converter keeps at most one pending TypeScript timer and throws "Unexpected pending
 * rebuildTimer" (or "clearing unexpected tiemr") when TypeScript schedules a second one: its
 * watch program has two (program update, failed-lookup invalidation), and a real file watcher
 * firing between cells can leave one pending. The converter is then broken for every later cell.
 * This wrapper recreates it (tslab's conversions take the previous declarations as an argument,
 * so no cell state is lost; modules added with `addModule` are added again) and retries once.
 */
export function resilientConverter(create: () => Converter, log: (msg: string) => void = () => undefined): Converter {
  let conv = create();
  const modules = new Map<string, Parameters<Converter["addModule"]>>();
  const broken = (e: unknown): boolean => e instanceof Error && /Unexpected pending rebuildTimer|clearing unexpected ti(me|em)r|rebuildTimer is not set properly/.test(e.message);
  const retry = <T>(call: (c: Converter) => T): T => {
    try {
      return call(conv);
    } catch (e) {
      if (!broken(e)) throw e;
      log(`tslab's converter lost its rebuild timer (${(e as Error).message}); recreating it`);
      try {
        conv.close();
      } catch {
        // the broken converter's watchers may already be gone
      }
      conv = create();
      for (const args of modules.values()) conv.addModule(...args);
      return call(conv);
    }
  };
  return {
    convert: (prevDecl, src) => retry((c) => c.convert(prevDecl, src)),
    addModule: (name, content, meta) => {
      modules.set(name, [name, content, meta]);
      return retry((c) => c.addModule(name, content, meta));
    },
    inspect: (prevDecl, src, position) => retry((c) => c.inspect(prevDecl, src, position)),
    complete: (prevDecl, src, position) => retry((c) => c.complete(prevDecl, src, position)),
    close: () => conv.close(),
  };
}

/** tslab's converters for Node and browser cells, created on first use and wrapped by `capture`. */
export class Converters implements ConverterSet {
  private nodeConv: Converter | undefined;
  private browserConv: Converter | undefined;

  constructor(
    private readonly tslab: Tslab,
    private readonly capture: CellCapture,
    /** Where the kernel's own notices go (its log, stderr). */
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  get node(): Converter {
    this.nodeConv ??= this.capture.wrap(resilientConverter(() => this.tslab.converter.createConverter({ isJS: false, isBrowser: false }), this.log));
    return this.nodeConv;
  }

  get browser(): Converter {
    this.browserConv ??= this.capture.wrap(resilientConverter(() => this.tslab.converter.createConverter({ isJS: false, isBrowser: true }), this.log));
    return this.browserConv;
  }

  close(): void {
    this.nodeConv?.close();
    this.browserConv?.close();
  }
}
