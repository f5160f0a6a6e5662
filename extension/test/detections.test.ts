// The detections renderer in jsdom, fed a real cl.inspect.detections payload: the boxes NMS keeps
// are exactly cl.detection.nms's at every slider position, ground truth, grid and anchors, state
// kept across updates, error box for bad payloads, labels as text.
import { describe, expect, it } from "vitest";
import { detection, inspect, zeros } from "convlab/browser";
import { DetectionsWidget, cellAt, countText, displaySize, keptBoxes } from "../src/detections.js";
import { rendererOptions } from "./helpers.js";

function widget(): DetectionsWidget {
  return new DetectionsWidget(rendererOptions(inspect.DETECTIONS_MIME));
}

const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });
/** The coffee-cup scene of notebooks/02-widgets (boxes in pixels of a 600×400 picture). */
function scene(): inspect.DetectionsPayload {
  return inspect.detections({
    image: zeros([400, 600, 3]),
    classes: ["cup", "spoon", "saucer"],
    groundTruth: [{ box: box(172, 18, 410, 285), classId: 0 }, { box: box(325, 65, 425, 325), classId: 1 }, { box: box(75, 70, 480, 390), classId: 2 }],
    predictions: [
      { box: box(168, 22, 405, 290), score: 0.92, classId: 0 },
      { box: box(185, 35, 430, 300), score: 0.81, classId: 0 },
      { box: box(150, 10, 380, 250), score: 0.64, classId: 0 },
      { box: box(330, 70, 420, 320), score: 0.88, classId: 1 },
      { box: box(315, 90, 415, 335), score: 0.71, classId: 1 },
      { box: box(80, 75, 470, 385), score: 0.79, classId: 2 },
      { box: box(60, 100, 460, 395), score: 0.66, classId: 2 },
      { box: box(0, 0, 140, 110), score: 0.31, classId: 2 },
      { box: box(480, 40, 600, 200), score: 0.22, classId: 0 },
    ],
    grid: 3,
    anchors: [{ width: 240, height: 260 }, { width: 100, height: 250 }],
  }).payload;
}

function move(w: DetectionsWidget, which: "score" | "iou", v: number): void {
  const s = w.node.querySelector<HTMLInputElement>(`input[data-threshold="${which}"]`)!;
  s.value = String(v);
  s.dispatchEvent(new Event("input", { bubbles: true }));
}

const keptScores = (w: DetectionsWidget) => [...w.node.querySelectorAll("tr.convlab-det-row")].map((r) => Number(r.children[1]!.textContent));

describe("detections renderer", () => {
  it("draws the image, ground truth, the kept boxes with labels, the grid and the centre cell's anchors", () => {
    const p = scene();
    const w = widget();
    w.renderData(p);
    expect(w.node.querySelector("img.convlab-det-image")!.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    expect(w.node.querySelectorAll("rect.convlab-det-truth").length).toBe(3);
    expect(w.node.querySelectorAll("g.convlab-det-box").length).toBe(3);
    expect([...w.node.querySelectorAll("text.convlab-det-label")].map((t) => t.textContent)).toEqual(["cup 0.92", "spoon 0.88", "saucer 0.79"]);
    expect(w.node.querySelector(".convlab-det-count")!.textContent).toBe("3 of 9 boxes kept (score > 0.6, IoU < 0.5, per class)");
    expect(w.node.querySelectorAll("line.convlab-det-gridline").length).toBe(4);
    const anchors = [...w.node.querySelectorAll<SVGRectElement>("rect.convlab-det-anchor")];
    expect(anchors.map((a) => [a.getAttribute("x"), a.getAttribute("y"), a.getAttribute("width")])).toEqual([["180.0", "70.0", "240.0"], ["250.0", "75.0", "100.0"]]);
  });

  it("every slider move re-runs cl.detection.nms: the kept boxes are exactly its result", () => {
    const p = scene();
    const w = widget();
    w.renderData(p);
    for (const [score, iou] of [[0.6, 0.9], [0.2, 0.9], [0.2, 0.5], [0.85, 0.5], [0.5, 0.7], [0.95, 0.5]] as const) {
      move(w, "score", score);
      move(w, "iou", iou);
      const want = detection.nms(p.predictions, { scoreThreshold: score, iouThreshold: iou, perClass: true });
      expect(keptScores(w)).toEqual(want.map((d) => d.score));
      expect(w.node.querySelector(".convlab-det-count")!.textContent).toMatch(new RegExp(`^${want.length} of 9 boxes kept`));
    }
    move(w, "score", 0.6);
    move(w, "iou", 0.9);
    expect(keptScores(w)).toEqual([0.92, 0.88, 0.81, 0.79, 0.71, 0.66, 0.64]);
  });

  it("per-class off lets boxes of different classes suppress each other", () => {
    const p = scene();
    const w = widget();
    w.renderData(p);
    move(w, "iou", 0.3);
    expect(keptScores(w)).toEqual([0.92, 0.88, 0.79]);
    const pc = w.node.querySelector<HTMLInputElement>("input.convlab-det-perclass")!;
    pc.checked = false;
    pc.dispatchEvent(new Event("change"));
    const want = keptBoxes(p, { scoreThreshold: 0.6, iouThreshold: 0.3, perClass: false });
    expect(keptScores(w)).toEqual(want.map((d) => d.score));
    expect(want.map((d) => d.score)).toEqual([0.92, 0.88]); // the saucer (IoU 0.38 with the cup) is suppressed
  });

  it("keeps the slider positions when the output is updated, and hides layers on request", () => {
    const w = widget();
    w.renderData(scene());
    move(w, "iou", 0.9);
    w.renderData(scene());
    expect(w.node.querySelector<HTMLInputElement>('input[data-threshold="iou"]')!.value).toBe("0.9");
    expect(w.node.querySelectorAll("g.convlab-det-box").length).toBe(7);
    for (const cls of ["convlab-det-truth", "convlab-det-grid"]) {
      const c = w.node.querySelector<HTMLInputElement>(`input.${cls}`)!;
      c.checked = false;
      c.dispatchEvent(new Event("change"));
    }
    expect(w.node.querySelectorAll("rect.convlab-det-truth, line.convlab-det-gridline, rect.convlab-det-anchor").length).toBe(0);
  });

  it("boxes given as fractions of the image land on the picture; sizes on screen", () => {
    const p = inspect.detections({ image: zeros([200, 300, 3]), width: 1, height: 1, classes: ["cat"], predictions: [{ box: box(0.5, 0.5, 1, 1), score: 0.9, classId: 0 }] }).payload;
    expect(displaySize(p)).toEqual({ w: 320, h: 213 }); // small pictures are shown larger
    const w = widget();
    w.renderData(p);
    const r = w.node.querySelector("g.convlab-det-box rect")!;
    expect(["x", "y", "width", "height"].map((a) => r.getAttribute(a))).toEqual(["160.0", "106.5", "160.0", "106.5"]);
    expect(w.node.querySelector("svg.convlab-det-overlay")!.getAttribute("viewBox")).toBe("0 0 320 213");
    expect(displaySize({ ...p, image: { ...p.image!, width: 1280, height: 960 } })).toEqual({ w: 640, h: 480 });
    expect(displaySize({ ...p, image: undefined, width: 416, height: 416 })).toEqual({ w: 416, h: 416 });
  });

  it("draws landmark points: predicted as filled dots, the truth as rings, at their screen positions", () => {
    const p = inspect.detections({ image: zeros([32, 32, 3]), landmarks: [{ x: 8, y: 16 }, { x: 24, y: 4 }], landmarkTruth: [{ x: 9, y: 15 }] }).payload;
    const w = widget();
    w.renderData(p);
    const dots = [...w.node.querySelectorAll("circle.convlab-det-landmark")].map((c) => [c.getAttribute("cx"), c.getAttribute("cy")]);
    expect(dots).toEqual([["80.0", "160.0"], ["240.0", "40.0"]]); // 32 px shown as 320
    const rings = [...w.node.querySelectorAll("circle.convlab-det-landmark-truth")];
    expect(rings.map((c) => [c.getAttribute("cx"), c.getAttribute("fill")])).toEqual([["90.0", "none"]]);
  });

  it("cells by position, count wording", () => {
    const p = scene();
    expect(cellAt(p, 0, 0)).toEqual({ row: 0, col: 0 });
    expect(cellAt(p, 599, 399)).toEqual({ row: 2, col: 2 });
    expect(cellAt(p, 250, 150)).toEqual({ row: 1, col: 1 });
    expect(countText(1, 1)).toBe("1 of 1 box kept");
  });

  it("shows an error box for a bad payload and class names only as text", () => {
    const w = widget();
    const p = scene();
    w.renderData({ ...p, predictions: [{ box: box(0, 0, 1, 1), score: "high", classId: 0 }] });
    expect(w.node.querySelector(".convlab-error")!.textContent).toMatch(/score/);
    w.renderData({ ...p, classes: ["<img src=x onerror=alert(1)>", "spoon", "saucer"] });
    expect(w.node.querySelector(".convlab-error")).toBeNull();
    expect(w.node.querySelector("img:not(.convlab-det-image)")).toBeNull();
    expect(w.node.querySelector("text.convlab-det-label")!.textContent).toBe("<img src=x onerror=alert(1)> 0.92");
  });
});
