// resilientConverter: when tslab's converter breaks its one-pending-timer invariant ("Unexpected
// pending rebuildTimer"), it is recreated (modules added again) and the call retried once.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { resilientConverter } from "./capture.js";
import type { Converter } from "./tslab.js";

const require = createRequire(import.meta.url);

/** A converter whose `convert` throws tslab's message `fails` times across all instances. */
function flaky(fails: number) {
  const made: { modules: string[]; closed: boolean }[] = [];
  let left = fails;
  const create = (): Converter => {
    const me = { modules: [] as string[], closed: false };
    made.push(me);
    return {
      convert: (_prev: string, src: string) => {
        if (left > 0) {
          left--;
          throw new Error("Unexpected pending rebuildTimer");
        }
        return { output: `/*${me.modules.join(",")}*/ ${src}`, declOutput: "", diagnostics: [], hasLastExpression: false } as unknown as ReturnType<Converter["convert"]>;
      },
      addModule: (name: string) => {
        me.modules.push(name);
        return [];
      },
      inspect: () => undefined,
      complete: () => ({ start: 0, end: 0, candidates: [], original: undefined }) as unknown as ReturnType<Converter["complete"]>,
      close: () => {
        me.closed = true;
      },
    } as unknown as Converter;
  };
  return { create, made };
}

describe("resilientConverter", () => {
  it("recreates a converter that lost its rebuild timer, adds its modules again and retries once", () => {
    const f = flaky(1);
    const logs: string[] = [];
    const c = resilientConverter(f.create, (m) => logs.push(m));
    c.addModule("helper", "export const a = 1;");
    const r = c.convert("", "let x = 1;");
    expect(r.output).toBe("/*helper*/ let x = 1;");
    expect(f.made).toHaveLength(2);
    expect(f.made[0]!.closed).toBe(true);
    expect(logs[0]).toMatch(/lost its rebuild timer \(Unexpected pending rebuildTimer\); recreating it/);
  });

  it("retries only once, and passes other errors through untouched", () => {
    const twice = resilientConverter(flaky(2).create);
    expect(() => twice.convert("", "1")).toThrow("Unexpected pending rebuildTimer");
    const other = resilientConverter(() => {
      return { convert: () => { throw new TypeError("boom"); }, close: () => undefined } as unknown as Converter;
    });
    expect(() => other.convert("", "1")).toThrow(TypeError);
  });

  it("wraps tslab's real converter transparently", () => {
    const tslab = require("tslab/dist/converter.js") as { createConverter: (o: object) => Converter };
    const c = resilientConverter(() => tslab.createConverter({ isJS: false, isBrowser: false }));
    const a = c.convert("", "const y: number = 2;");
    expect(a.diagnostics).toEqual([]);
    const b = c.convert(a.declOutput ?? "", "const z = y + 1;");
    expect(b.diagnostics).toEqual([]);
    expect(b.output).toMatch(/z = y \+ 1|z = exports.y \+ 1|y \+ 1/);
    c.close();
  }, 60_000);
});
