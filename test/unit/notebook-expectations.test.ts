// The checker behind the notebook suite's expectations (test/notebooks/expectations.ts), on small
// executed notebooks: it passes what the file names and fails on a changed, missing or NaN number,
// a deleted cell, a missing MIME type; every committed expectations file is valid.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkNotebook, compareRendered, loadExpectations, numbersIn, validateExpectations, type Cell, type Notebook } from "../notebooks/expectations.js";

const result = (text: string, extra: Record<string, unknown> = {}) => ({ output_type: "execute_result", data: { "text/plain": text, ...extra } });
const stdout = (text: string) => ({ output_type: "stream", name: "stdout", text });
const code = (id: string, source: string, outputs: Cell["outputs"]): Cell => ({ id, cell_type: "code", source, outputs, execution_count: 1 });

/** A week-1-like executed notebook: the strided convolution and a training cell. */
function notebook(stride = "tensor([[ 91, 100,  88],\n        [ 69,  91, 117],\n        [ 44,  72,  74]], shape=[3,3])"): Notebook {
  return {
    cells: [
      { cell_type: "markdown", source: "# Week 1" },
      code("a1", "matrix(cl.conv2d(x7, filter(k3), { stride: 2 }))", [stdout("output size: 3\n"), result(stride, { "image/png": "iVBOR" })]),
      code("a2", "await digits.evaluate({ x: test.x, y: test.y })", [result("{ loss: 0.2476, accuracy: 0.935 }")]),
      code("a3", "({ conv: sixFilters.summary().totalParams })", [result("{ conv: 456, dense: '14,450,688' }")]),
    ],
  };
}
const expectations = validateExpectations(
  {
    mimes: ["image/png"],
    checks: [
      { source: "{ stride: 2 }", match: "^tensor\\((.*), shape=", numbers: [91, 100, 88, 69, 91, 117, 44, 72, 74], mimes: ["image/png"] },
      { id: "a1", output: "stdout", contains: ["output size: 3"] },
      { source: "digits.evaluate", match: "accuracy: ([0-9.]+)", numbers: [{ min: 0.9 }] },
      { source: "sixFilters", numbers: [456, 14450688] },
    ],
  },
  "test",
);

describe("checkNotebook", () => {
  it("passes a notebook that shows every expected value", () => {
    expect(checkNotebook(notebook(), expectations)).toEqual([]);
  });
  it("negative control: a changed worked number fails (conv2d ignoring the stride)", () => {
    const f = checkNotebook(notebook("tensor([[ 91, 100,  88],\n [ 69,  91, 117],\n [ 44,  72,  75]], shape=[3,3])"), expectations);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatch(/number 8: 75 vs expected 74/);
    const unstrided = checkNotebook(notebook("tensor([[91, 63, 100, 83, 88], [1, 2, 3, 4, 5]], shape=[2,5])"), expectations);
    expect(unstrided[0]).toMatch(/10 numbers .* where 9 are expected/);
  });
  it("negative control: NaN never matches, and a value out of its range fails", () => {
    expect(checkNotebook(notebook("tensor([[ 91, 100,  88], [ 69,  91, 117], [ 44,  72,  NaN]], shape=[3,3])"), expectations)[0]).toMatch(/number 8: NaN/);
    const nb = notebook();
    nb.cells[2]!.outputs = [result("{ loss: 2.3, accuracy: 0.11 }")];
    expect(checkNotebook(nb, expectations)).toEqual([expect.stringMatching(/number 0: 0.11 < min 0.9/)]);
  });
  it("negative control: a deleted cell, a missing text and a missing MIME type fail", () => {
    const nb = notebook();
    nb.cells.splice(3, 1);
    expect(checkNotebook(nb, expectations)).toEqual([expect.stringMatching(/no code cell contains "sixFilters"/)]);
    const quiet = notebook();
    quiet.cells[1]!.outputs = [result("tensor([[ 91, 100,  88], [ 69,  91, 117], [ 44,  72,  74]], shape=[3,3])")];
    expect(checkNotebook(quiet, expectations)).toEqual([
      "the notebook shows no image/png",
      expect.stringMatching(/the cell shows no image\/png/),
      expect.stringMatching(/stdout text lacks "output size: 3"/),
    ]);
  });
  it("a source that several cells contain is an error, not the first match", () => {
    const nb = notebook();
    nb.cells.push(code("a4", "digits.evaluate(other)", [result("{ accuracy: 0.99 }")]));
    expect(checkNotebook(nb, expectations)).toEqual([expect.stringMatching(/2 code cells contain "digits.evaluate": make it unique/)]);
  });
});

describe("numbersIn", () => {
  it("reads signs, decimals, exponents, thousands commas, NaN and Infinity", () => {
    expect(numbersIn("tensor([[ -5, 1.0000e+0, -1.4197e-8]], shape=[1,3])")).toEqual([-5, 1, -1.4197e-8, 1, 3]);
    expect(numbersIn("{ conv: 456, dense: '14,450,688' } [ 4, 6, 6 ] Total params: 62,958")).toEqual([456, 14450688, 4, 6, 6, 62958]);
    expect(numbersIn("shape=[100,120] (28,28,8) (100,100,16)")).toEqual([100, 120, 28, 28, 8, 100, 100, 16]);
    expect(numbersIn("loss NaN, -Infinity")).toEqual([NaN, -Infinity]);
  });
});

describe("expectations files", () => {
  it("reject a file that checks no value, an unknown field, or a check naming no cell", () => {
    expect(() => validateExpectations({ checks: [] }, "x.json")).toThrow(/x.json: checks must be a non-empty array/);
    expect(() => validateExpectations({ mimes: ["image/png"], checks: [{ source: "a", mimes: ["image/png"] }] }, "x.json")).toThrow(/no check looks at a value/);
    expect(() => validateExpectations({ checks: [{ source: "a", contains: ["b"], tolerance: 1 }] }, "x.json")).toThrow(/unknown field "tolerance"/);
    expect(() => validateExpectations({ checks: [{ contains: ["b"] }] }, "x.json")).toThrow(/exactly one of "id" and "source"/);
    expect(() => validateExpectations({ checks: [{ source: "a" }] }, "x.json")).toThrow(/checks nothing/);
    expect(() => validateExpectations({ checks: [{ source: "a", numbers: [NaN] }] }, "x.json")).toThrow(/numbers must be/);
    expect(() => loadExpectations("/nonexistent/03-pretrained.json")).toThrow(/missing: every notebook needs an expectations file/);
  });
  it("every committed file in test/notebooks/expected/ is valid and names a notebook", () => {
    const dir = join(import.meta.dirname, "..", "notebooks", "expected");
    const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
    expect(files).toEqual(expect.arrayContaining(["00-welcome.json", "01-foundations.json", "02-widgets.json"]));
    const notebooks = readdirSync(join(import.meta.dirname, "..", "..", "notebooks"));
    for (const f of files) {
      expect(() => loadExpectations(join(dir, f))).not.toThrow();
      expect(notebooks, `${f} has no notebook`).toContain(f.replace(/\.json$/, ".ipynb"));
    }
  });
});

describe("compareRendered (the executed copies in docs/notebooks/)", () => {
  const unexecuted = (nb: Notebook): Notebook => ({ cells: nb.cells.map((c) => (c.cell_type === "code" ? { ...c, outputs: [], execution_count: null } : c)) });
  const training = (secs: string, acc: string): Notebook => {
    const nb = notebook();
    nb.cells.push(code("a5", "await net.fit(data)", [{ output_type: "display_data", data: { "text/plain": `trained 2 epochs (64 batches) in ${secs} s · accuracy ${acc}` } }]));
    return nb;
  };
  it("passes a copy that matches a fresh run, durations aside and trained values within tolerance", () => {
    expect(compareRendered(notebook(), unexecuted(notebook()), notebook())).toEqual([]);
    expect(compareRendered(training("22.1", "0.9350"), unexecuted(training("1", "0")), training("9.7", "0.9341"))).toEqual([]);
  });
  it("printed text split into other stream outputs (the kernel coalesces by time) is the same text", () => {
    const split = notebook();
    split.cells[1]!.outputs = [stdout("output "), stdout("size: 3\n"), ...notebook().cells[1]!.outputs!.slice(1)];
    expect(compareRendered(split, unexecuted(notebook()), notebook())).toEqual([]);
    expect(checkNotebook(split, expectations)).toEqual([]);
  });
  it("negative control: a stale copy (the notebook's source changed) fails", () => {
    const edited = unexecuted(notebook());
    edited.cells[1] = { ...edited.cells[1]!, source: "matrix(cl.conv2d(x7, filter(k3), { stride: 1 }))" };
    expect(compareRendered(notebook(), edited, notebook())).toEqual(["stale: cell 1 differs from the notebook's"]);
  });
  it("negative control: a copy whose numbers or outputs differ from a fresh run fails", () => {
    const wrong = notebook("tensor([[ 91, 100,  83],\n        [ 69,  91, 127],\n        [ 44,  72,  74]], shape=[3,3])");
    expect(compareRendered(wrong, unexecuted(notebook()), notebook())).toEqual([expect.stringMatching(/number 3 is 83 where a fresh run shows 88/)]);
    const noPicture = notebook();
    noPicture.cells[1]!.outputs = [stdout("output size: 3\n"), result("tensor([[ 91, 100,  88],\n        [ 69,  91, 117],\n        [ 44,  72,  74]], shape=[3,3])")];
    expect(compareRendered(noPicture, unexecuted(notebook()), notebook())[0]).toMatch(/a fresh run shows .*image\/png/);
    expect(compareRendered(training("22.1", "0.50"), unexecuted(training("1", "0")), training("9.7", "0.93"))[0]).toMatch(/number \d+ is 0.5 where a fresh run shows 0.93/);
  });
  it("negative control: per-run timestamps or an unexecuted cell in the copy fail", () => {
    const stamped = notebook();
    (stamped.cells[1] as Cell & { metadata?: object }).metadata = { execution: { "iopub.status.busy": "2026-12-04T19:02:41Z" } };
    expect(compareRendered(stamped, unexecuted(notebook()), notebook())).toEqual([expect.stringMatching(/keeps per-run execution timestamps/)]);
    expect(compareRendered(unexecuted(notebook()), unexecuted(notebook()), notebook())).toContainEqual(expect.stringMatching(/not executed/));
  });
});
