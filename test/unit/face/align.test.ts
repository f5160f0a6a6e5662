// Issue 16 item 5: alignment maths on hand cases, and the real pipeline — the pretrained tiny face
// detector, 68-point landmarks and 128-D encoder (face-api's weights, rebuilt in convlab) on the
// committed public-domain portraits: the same person (mirror, colour shift) within τ = 0.6, another
// person beyond it.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

describe("similarity transform and warp", () => {
  it("recovers a known similarity (scale 2, 90°, shift (3, −1)) from 3 points exactly", () => {
    const T = { a: 0, b: 2, tx: 3, ty: -1 };
    const src = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0.5, y: 2 }];
    const dst = src.map((p) => cl.face.applySimilarity(T, p));
    expect(dst[1]).toEqual({ x: 3, y: 1 }); // (1,0) → 2·(0,1) + (3,−1)
    const t = cl.face.similarityTransform(src, dst);
    expectClose([t.a, t.b, t.tx, t.ty], [0, 2, 3, -1], { atol: 1e-12, rtol: 0 });
  });
  it("least squares: the best similarity onto points that no similarity fits (centroids match)", () => {
    const t = cl.face.similarityTransform([{ x: -1, y: 0 }, { x: 1, y: 0 }], [{ x: -2, y: 5 }, { x: 2, y: 5 }]);
    expectClose([t.a, t.b, t.tx, t.ty], [2, 0, 0, 5], { atol: 1e-12, rtol: 0 });
    expect(() => cl.face.similarityTransform([{ x: 0, y: 0 }], [{ x: 1, y: 1 }])).toThrow(/similarityTransform: needs at least 2 point pairs/);
    expect(() => cl.face.similarityTransform([{ x: 0, y: 0 }, { x: 0, y: 0 }], [{ x: 0, y: 0 }, { x: 1, y: 1 }])).toThrow(/all coincide/);
  });
  it("warpSimilarity with the identity copies the image; a 2× scale reads every pixel twice", () => {
    const img = cl.tensor(Array.from({ length: 12 }, (_, i) => i), [2, 2, 3]);
    expectClose(cl.face.warpSimilarity(img, { a: 1, b: 0, tx: 0, ty: 0 }, 2), img, { atol: 1e-6, rtol: 0 });
    const big = cl.face.warpSimilarity(cl.tensor([[[1], [2]], [[3], [4]]]), { a: 2, b: 0, tx: 0, ty: 0 }, 4);
    // chip centres 0.5, 1.5, 2.5, 3.5 map to image coordinates 0.25, 0.75, 1.25, 1.75, i.e. −0.25, 0.25, 0.75,
    // 1.25 from the first pixel centre. Row 1 (y 0.25 between rows [1,2] and [3,4]: [1.5, 2.5]); outside reads 0.
    expectClose(big.slice([1, 0, 0], [1, 4, 1]), [0.75 * 1.5, 0.75 * 1.5 + 0.25 * 2.5, 0.25 * 1.5 + 0.75 * 2.5, 0.75 * 2.5], { atol: 1e-6, rtol: 0 });
    expect(() => cl.face.alignFace(cl.zeros([8, 8, 3]), [{ x: 1, y: 1 }])).toThrow(/landmarkAnchors: expected the 68 points/);
  });
});

describe("the pretrained encoder with detection and alignment on the portraits", () => {
  it("astronaut vs its mirror and a colour shift: d < 0.6; vs Grace Hopper: d > 0.6", async () => {
    const nets = {
      detector: await cl.models.pretrained.tinyFaceDetector(),
      landmarks: await cl.models.pretrained.faceLandmark68(),
      encoder: await cl.models.pretrained.faceRecognition(),
    };
    const data = join(__dirname, "..", "..", "..", "notebooks", "data");
    const astronaut = cl.io.readImage(join(data, "astronaut.png"));
    const hopper = cl.io.readImage(join(data, "grace_hopper.jpg"));
    const [a] = cl.face.describeFaces(astronaut, nets);
    expect(a!.descriptor.shape).toEqual([128]);
    expect(a!.chip.shape).toEqual([150, 150, 3]);
    // the eyes land level on the template (least squares over eyes and mouth)
    const k = cl.face.landmarkAnchors(a!.landmarks);
    const T = cl.face.alignFace(astronaut, a!.landmarks).transform;
    const le = cl.face.applySimilarity(T, k.leftEye), re = cl.face.applySimilarity(T, k.rightEye);
    expect(Math.abs(le.y - re.y)).toBeLessThan(1);
    expect(Math.abs(re.x - le.x - 0.4 * 150)).toBeLessThan(3);
    const [m] = cl.face.describeFaces(cl.flip(astronaut, [1]), nets);
    const [c] = cl.face.describeFaces(cl.clip(cl.add(astronaut, cl.tensor([0.08, -0.08, 0.08])), 0, 1), nets);
    const [h] = cl.face.describeFaces(hopper, nets);
    const d = (x: cl.Tensor): number => cl.face.faceDistance(a!.descriptor, x, { metric: "euclidean" });
    console.log(`aligned descriptors: mirror ${d(m!.descriptor).toFixed(3)}, colour shift ${d(c!.descriptor).toFixed(3)}, Grace Hopper ${d(h!.descriptor).toFixed(3)}`);
    expect(d(m!.descriptor)).toBeLessThan(0.4);
    expect(d(c!.descriptor)).toBeLessThan(0.4);
    expect(d(h!.descriptor)).toBeGreaterThan(0.6);
    const db = cl.face.database({ astronaut: a!.descriptor, "Grace Hopper": h!.descriptor });
    expect(cl.face.recognize(m!.descriptor, db, { threshold: 0.6, metric: "euclidean" }).identity).toBe("astronaut");
    expect(cl.face.verify(a!.descriptor, h!.descriptor, { threshold: 0.6, metric: "euclidean" }).same).toBe(false);
  }, 120_000);
});
