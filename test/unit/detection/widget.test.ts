import { describe, expect, it } from "vitest";
import * as cl from "../../../src/index.js";

describe("cl.inspect.detections with landmarks", () => {
  it("carries predicted and true landmark points in the payload (validated), the PNG and the text", () => {
    const w = cl.inspect.detections({
      image: cl.rand([16, 16, 3], { seed: 1 }),
      landmarks: [{ x: 3, y: 4 }, { x: 10, y: 12 }],
      landmarkTruth: [{ x: 3.5, y: 4 }],
    });
    expect(w.payload.landmarks).toEqual([{ x: 3, y: 4, truth: false }, { x: 10, y: 12, truth: false }, { x: 3.5, y: 4, truth: true }]);
    const b = w.toMimeBundle();
    const r = cl.inspect.parsePayload("application/vnd.convlab.detections+json", b.data["application/vnd.convlab.detections+json"]);
    expect(r.ok).toBe(true);
    expect(String(b.data["text/plain"])).toContain("landmarks: (3, 4) (10, 12); truth (3.5, 4)");
    expect(typeof b.data["image/png"]).toBe("string");
    expect(() => cl.inspect.detections({ landmarks: [{ x: NaN, y: 1 }] })).toThrow(/detections: opts\.landmarks\[0\]\.x/);
    const bad = cl.inspect.parsePayload("application/vnd.convlab.detections+json", { ...w.payload, landmarks: [{ x: 1, y: 2 }] });
    expect(bad.ok).toBe(false);
  });
});
