// The model-summary renderer in jsdom: table rows from a real summary, the graph for graph
// models, update in place, and an error box (text only) for malformed payloads.
import { describe, expect, it } from "vitest";
import { inspect, models, nn } from "convlab/browser";
import { ModelWidget } from "../src/model.js";
import { rendererOptions } from "./helpers.js";

function widget(): ModelWidget {
  return new ModelWidget(rendererOptions(inspect.MODEL_MIME));
}

describe("model renderer", () => {
  it("draws lenet5's summary: one row per layer, totals in the footer, no graph for a chain", () => {
    const m = models.lenet5();
    const p = inspect.modelPayload(m.summary());
    const w = widget();
    w.renderData(p);
    const rows = [...w.node.querySelectorAll("tr.convlab-model-row")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));
    // the course's corrected LeNet-5 table (COURSE.md week 1): name, output shape, activation size, params
    expect(rows.map((r) => [r[0], r[2], r[3], r[4]])).toEqual([
      ["input", "(32,32,3)", "3,072", "0"],
      ["CONV1", "(28,28,8)", "6,272", "608"],
      ["POOL1", "(14,14,8)", "1,568", "0"],
      ["CONV2", "(10,10,16)", "1,600", "3,216"],
      ["POOL2", "(5,5,16)", "400", "0"],
      ["FC3", "(120)", "120", "48,120"],
      ["FC4", "(84)", "84", "10,164"],
      ["softmax", "(10)", "10", "850"],
    ]);
    const lines = [...w.node.querySelectorAll(".convlab-model-footer-line")].map((d) => d.textContent);
    // The same closing lines as the text summary.
    expect(lines).toEqual(m.summary().toString().trim().split("\n").slice(-4));
    expect(lines).toContain("Total params: 62,958");
    expect(lines).toContain("Non-trainable params: 0");
    expect(w.node.querySelectorAll("th").length).toBe(6);
    expect(w.node.querySelector("svg.convlab-model-graph")).toBeNull();
  });

  it("counts frozen parameters as non-trainable, like the text summary", () => {
    const m = models.lenet5();
    m.freeze("CONV2");
    const w = widget();
    w.renderData(inspect.modelPayload(m.summary()));
    const lines = [...w.node.querySelectorAll(".convlab-model-footer-line")].map((d) => d.textContent);
    expect(lines).toEqual(m.summary().toString().trim().split("\n").slice(-4));
    expect(lines.find((l) => l!.startsWith("Non-trainable"))).not.toBe("Non-trainable params: 0");
  });

  it("draws a layer graph for a residual model and re-renders in place", () => {
    const x = nn.input([8, 8, 4]);
    const a = nn.conv2d({ filters: 4, size: 3, padding: "same", name: "a" }).apply(x);
    const b = nn.conv2d({ filters: 4, size: 3, padding: "same", name: "b" }).apply(a);
    const y = nn.add({ name: "sum" }).apply([a, b]);
    const m = nn.model({ inputs: x, outputs: y, name: "res" });
    const w = widget();
    w.renderData(inspect.modelPayload(m.summary()));
    expect(w.node.querySelectorAll("g.convlab-graph-node").length).toBe(4);
    expect(w.node.querySelectorAll("line.convlab-graph-edge").length).toBe(4);
    const sumRow = [...w.node.querySelectorAll("tr.convlab-model-row")].find((r) => r.firstChild!.textContent === "sum")!;
    expect(sumRow.lastChild!.textContent).toBe("a, b");
    w.renderData(inspect.modelPayload(models.lenet5().summary()));
    expect(w.node.querySelector("svg.convlab-model-graph")).toBeNull();
    expect(w.node.querySelectorAll(".convlab-model-table").length).toBe(1);
  });

  it("shows an error box for a bad payload, and never parses payload text as HTML", () => {
    const w = widget();
    w.renderData({ version: 2 });
    expect(w.node.classList.contains("convlab-hasError")).toBe(true);
    expect(w.node.querySelector(".convlab-error")!.textContent).toMatch(/version/);
    const p = inspect.modelPayload(models.lenet5().summary());
    p.name = "<img src=x onerror=alert(1)>";
    w.renderData(p);
    expect(w.node.classList.contains("convlab-hasError")).toBe(false);
    expect(w.node.querySelector("img")).toBeNull();
    expect(w.node.querySelector(".convlab-title")!.textContent).toContain("<img src=x");
  });
});
