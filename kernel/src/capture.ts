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

/** tslab's converters for Node and browser cells, created on first use and wrapped by `capture`. */
export class Converters implements ConverterSet {
  private nodeConv: Converter | undefined;
  private browserConv: Converter | undefined;

  constructor(
    private readonly tslab: Tslab,
    private readonly capture: CellCapture,
  ) {}

  get node(): Converter {
    this.nodeConv ??= this.capture.wrap(this.tslab.converter.createConverter({ isJS: false, isBrowser: false }));
    return this.nodeConv;
  }

  get browser(): Converter {
    this.browserConv ??= this.capture.wrap(this.tslab.converter.createConverter({ isJS: false, isBrowser: true }));
    return this.browserConv;
  }

  close(): void {
    this.nodeConv?.close();
    this.browserConv?.close();
  }
}
