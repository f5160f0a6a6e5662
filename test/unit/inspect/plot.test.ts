import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

describe("cl.inspect.linePlot", () => {
  const p = cl.inspect.linePlot({
    title: "error <vs> depth",
    xLabel: "layers",
    yLabel: "training error",
    series: [{ name: "plain & co", x: [8, 20, 56], y: [0.1, 0.2, 0.4] }, { name: "resnet", x: [8, 20, 56], y: [0.1, 0.08, NaN] }],
  });
  it("an SVG with one polyline per series through its finite points, escaped labels, a PNG and the numbers as text", () => {
    const b = p.toMimeBundle();
    const svg = b.data["image/svg+xml"] as string;
    expect(svg.startsWith("<svg")).toBe(true);
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) => m[1]!.split(" ").length);
    expect(lines).toEqual([3, 2]);
    expect(svg).toContain("error &#60;vs&#62; depth");
    expect(svg).toContain("plain &#38; co");
    expect(svg).not.toContain("<vs>");
    // y from 0 to 0.4: the point (56, 0.4) sits on the top edge of the frame, (8, 0.1) at 3/4 down
    const pts = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)][0]![1]!.split(" ").map((s) => s.split(",").map(Number));
    const top = 28, h = 300 - 28 - 40;
    expect(pts[2]![1]).toBeCloseTo(top, 1);
    expect(pts[0]![1]).toBeCloseTo(top + 0.75 * h, 1);
    expect(pts[0]![0]).toBeCloseTo(56, 1); // x starts at the smallest x, not 0
    const png = Buffer.from(b.data["image/png"] as string, "base64");
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join("")).toBe("PNG");
    expect(b.data["text/plain"]).toBe("error <vs> depth — training error vs layers\n  plain & co: 8 → 0.1, 20 → 0.2, 56 → 0.4\n  resnet: 8 → 0.1, 20 → 0.08, 56 → NaN");
  });
  it("bad input names the function and the argument", () => {
    expect(() => cl.inspect.linePlot({ series: [] })).toThrow(/linePlot: opts.series must list at least one series/);
    expect(() => cl.inspect.linePlot({ series: [{ name: "a", x: [1, 2], y: [1] }] })).toThrow(/linePlot: opts.series\[0\] \('a'\) has 2 x values but 1 y values/);
    expect(() => cl.inspect.linePlot({ series: [{ name: "a", x: [1], y: ["1" as unknown as number] }] })).toThrow(/linePlot: opts.series\[0\].y\[0\]/);
    expect(() => cl.inspect.linePlot({ series: [{ name: "a", x: [1], y: [1] }], yMin: 1, yMax: 0 })).toThrow(/yMax must be greater than opts.yMin/);
  });
});
