// The feature-maps renderer in jsdom, fed real cl.inspect.featureMaps payloads (LeNet-5 on a
// digit-sized input, and one activation tensor): one map per channel, layer selector, colour
// scale and legend, hover values read back from the payload, enlarge/close, error box.
import { describe, expect, it } from "vitest";
import { inspect, models, randn, tensor } from "convlab/browser";
import { FeatureMapsWidget, cellScale, hoverText, mapRange, mapValue, pixelAt, unpackLayer } from "../src/featuremaps.js";
import { rendererOptions } from "./helpers.js";

function widget(): FeatureMapsWidget {
  return new FeatureMapsWidget(rendererOptions(inspect.FEATUREMAPS_MIME));
}

const lenetPayload = () =>
  inspect.featureMaps(models.lenet5({ inputShape: [32, 32, 1], seed: 0 }), randn([1, 32, 32, 1], { seed: 1 }), { layers: ["CONV1", "POOL1", "CONV2"] }).payload;

describe("feature-maps renderer", () => {
  it("draws one map per channel of the first layer, a layer selector with every layer, the legend", () => {
    const w = widget();
    w.renderData(lenetPayload());
    expect(w.node.querySelectorAll("canvas.convlab-fm-map").length).toBe(8);
    const opts = [...w.node.querySelectorAll("select.convlab-fm-layer option")].map((o) => o.textContent);
    expect(opts).toEqual(["CONV1 Conv2D (28,28,8)", "POOL1 MaxPool2D (14,14,8)", "CONV2 Conv2D (10,10,16)"]);
    expect(w.node.dataset.layer).toBe("CONV1");
    expect(Number(w.node.dataset.drawMs)).toBeGreaterThanOrEqual(0);
    expect(w.node.querySelector(".convlab-fm-legend")!.textContent).toMatch(/each map from its own min to max/);
    const canvas = w.node.querySelector<HTMLCanvasElement>("canvas.convlab-fm-map")!;
    expect([canvas.width, canvas.height, canvas.style.width]).toEqual([28, 28, "84px"]);
  });

  it("switches layers and colour scale; an update keeps the choices", () => {
    const w = widget();
    w.renderData(lenetPayload());
    const layer = w.node.querySelector<HTMLSelectElement>("select.convlab-fm-layer")!;
    layer.value = "2";
    layer.dispatchEvent(new Event("change"));
    expect(w.node.querySelectorAll("canvas.convlab-fm-map").length).toBe(16);
    const scale = w.node.querySelector<HTMLSelectElement>("select.convlab-fm-scale")!;
    scale.value = "shared";
    scale.dispatchEvent(new Event("change"));
    const p = lenetPayload();
    const l = p.layers[2]!;
    const lo = Math.min(...l.min.map((v) => v!)), hi = Math.max(...l.max.map((v) => v!));
    expect(w.node.querySelector(".convlab-fm-legend-lo")!.textContent).toBe(String(Number(lo.toPrecision(4))));
    expect(w.node.querySelector(".convlab-fm-legend-hi")!.textContent).toBe(String(Number(hi.toPrecision(4))));
    w.renderData(p);
    expect(w.node.dataset.layer).toBe("CONV2");
    expect(w.node.querySelector<HTMLSelectElement>("select.convlab-fm-scale")!.value).toBe("shared");
  });

  it("hover values are the activation's values (NHWC → map c, row, col)", () => {
    const x = tensor(Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 0.5 - 3)).reshape([1, 2, 3, 4]);
    const p = inspect.featureMaps(x, { name: "t" }).payload;
    const m = unpackLayer(p.layers[0]!);
    for (let c = 0; c < 4; c++) for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) expect(mapValue(m, c, i, j)).toBe(x.data[(i * 3 + j) * 4 + c]);
    expect(mapValue(m, 4, 0, 0)).toBeUndefined();
    expect(hoverText(m, 2, 1, 2)).toBe(`t · map 2 · row 1, col 2: ${x.data[(1 * 3 + 2) * 4 + 2]}`);
    expect(pixelAt(2, 3, 96, 64, 95, 63)).toEqual({ row: 1, col: 2 });
    expect(pixelAt(2, 3, 96, 64, 0, 31)).toEqual({ row: 0, col: 0 });
    expect(mapRange(p.layers[0]!, 1, "per-map")).toEqual({ min: -2.5, max: 7.5 });
    expect(mapRange(p.layers[0]!, 1, "shared")).toEqual({ min: -3, max: 8.5 });
    expect([cellScale(28, 28), cellScale(5, 5), cellScale(56, 56), cellScale(200, 100)]).toEqual([3, 8, 2, 1]);
    // The widget's status line after a pointer move over map 2.
    const w = widget();
    w.renderData(p);
    const c2 = w.node.querySelectorAll<HTMLCanvasElement>("canvas.convlab-fm-map")[2]!;
    const ev = new MouseEvent("mousemove");
    Object.defineProperties(ev, { offsetX: { value: 100 }, offsetY: { value: 60 } });
    c2.dispatchEvent(ev);
    expect(w.node.querySelector(".convlab-fm-status")!.textContent).toBe(hoverText(m, 2, 1, 2));
  });

  it("click enlarges a map; close removes the view; only one is open", () => {
    const w = widget();
    w.renderData(lenetPayload());
    const maps = w.node.querySelectorAll<HTMLCanvasElement>(".convlab-fm-grid canvas");
    maps[3]!.dispatchEvent(new MouseEvent("click"));
    maps[5]!.dispatchEvent(new MouseEvent("click"));
    expect(w.node.querySelectorAll(".convlab-fm-zoom").length).toBe(1);
    expect(w.node.querySelector(".convlab-fm-zoom-title")!.textContent).toMatch(/^CONV1 · map 5 · /);
    expect(w.node.querySelector<HTMLCanvasElement>(".convlab-fm-zoom canvas")!.style.width).toBe("308px");
    w.node.querySelector<HTMLButtonElement>(".convlab-fm-zoom-close")!.click();
    expect(w.node.querySelector(".convlab-fm-zoom")).toBeNull();
  });

  it("shows an error box for a bad payload and layer names only as text", () => {
    const w = widget();
    const p = lenetPayload();
    w.renderData({ ...p, layers: [{ ...p.layers[0]!, shape: [28, 28] }] });
    expect(w.node.querySelector(".convlab-error")!.textContent).toMatch(/shape/);
    w.renderData({ ...p, model: "<b>bold</b>", layers: [{ ...p.layers[0]!, name: "<img src=x onerror=alert(1)>" }, p.layers[1]!] });
    expect(w.node.querySelector(".convlab-error")).toBeNull();
    expect(w.node.querySelector("b, img:not(.convlab-fm-input)")).toBeNull();
    expect(w.node.querySelector(".convlab-title")!.textContent).toBe("Feature maps of '<b>bold</b>', example 0");
    expect(w.node.querySelector("select.convlab-fm-layer option")!.textContent).toMatch(/^<img src=x/);
  });
});
