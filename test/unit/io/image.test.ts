import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

const DATA = join(__dirname, "..", "..", "..", "notebooks", "data");
const tmp = mkdtempSync(join(tmpdir(), "convlab-image-"));
afterAll(() => rmSync(tmp, { recursive: true }));

function channelMeans(t: cl.Tensor): number[] {
  const c = t.shape[2]!;
  const s = new Array<number>(c).fill(0);
  for (let i = 0; i < t.size; i++) s[i % c]! += t.data[i]!;
  return s.map((v) => (v * c) / t.size);
}
function range(t: cl.Tensor): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const v of t.data) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return [lo, hi];
}

describe("readImage / decodeImage", () => {
  it("JPEG grace_hopper.jpg: [600,512,3] in [0,1]; means and pixels equal libjpeg-turbo's decode (djpeg -nosmooth) within 3/255", () => {
    const img = cl.io.readImage(join(DATA, "grace_hopper.jpg"));
    expect(img.shape).toEqual([600, 512, 3]);
    expect(img.dtype).toBe("float32");
    const [lo, hi] = range(img);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    // reference numbers from `djpeg -dct int -nosmooth grace_hopper.jpg` (libjpeg-turbo 2.1)
    expectClose(channelMeans(img), [0.32346, 0.28404, 0.33892], { atol: 0.004, rtol: 0 });
    const px = (y: number, x: number): number[] => Array.from(img.data.subarray((y * 512 + x) * 3, (y * 512 + x) * 3 + 3), (v) => v * 255);
    expectClose([...px(0, 0), ...px(100, 200), ...px(300, 256), ...px(599, 511)], [21, 24, 77, 14, 12, 15, 215, 136, 103, 14, 13, 19], { atol: 3.001, rtol: 0 });
  });

  it("grayscale JPEG (cjpeg -grayscale fixture) decodes to one channel; djpeg's values within 3/255", () => {
    const img = cl.io.readImage(join(__dirname, "fixtures", "camera-gray-64.jpg"));
    expect(img.shape).toEqual([64, 64, 1]);
    expectClose(channelMeans(img), [0.50629], { atol: 0.004, rtol: 0 });
    expectClose(Array.from(img.data.subarray(0, 8), (v) => v * 255), [198, 198, 198, 198, 197, 197, 197, 197], { atol: 3.001, rtol: 0 });
    expect(cl.io.readImage(join(__dirname, "fixtures", "camera-gray-64.jpg"), { channels: 3 }).shape).toEqual([64, 64, 3]);
  });

  it("PNG: astronaut RGB [512,512,3], camera grayscale [512,512,1], values equal pngjs's bytes / 255", () => {
    const astro = cl.io.readImage(join(DATA, "astronaut.png"));
    expect(astro.shape).toEqual([512, 512, 3]);
    const ref = PNG.sync.read(readFileSync(join(DATA, "astronaut.png")));
    for (const p of [0, 1000, 123456, 512 * 512 - 1])
      for (let c = 0; c < 3; c++) expect(astro.data[p * 3 + c]).toBe(Math.fround(ref.data[p * 4 + c]! / 255));
    const cam = cl.io.readImage(join(DATA, "camera.png"));
    expect(cam.shape).toEqual([512, 512, 1]);
    const [lo, hi] = range(cam);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
  });

  it("channels: 1 converts RGB to luma (0.299 R + 0.587 G + 0.114 B); alpha is dropped or kept", () => {
    const rgba = new Uint8Array([255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 30, 100, 100, 100, 255]);
    const png = cl.inspect.encodePng({ width: 2, height: 2, channels: 4, data: rgba });
    expect(cl.io.decodeImage(png).shape).toEqual([2, 2, 3]);
    const keep = cl.io.decodeImage(png, { alpha: "keep" });
    expect(keep.shape).toEqual([2, 2, 4]);
    expectClose(keep.data.subarray(0, 4), [1, 0, 0, 10 / 255], { atol: 1e-7, rtol: 0 });
    const gray = cl.io.decodeImage(png, { channels: 1 });
    expect(gray.shape).toEqual([2, 2, 1]);
    expectClose(gray, [0.299, 0.587, 0.114, 100 / 255], { atol: 1e-6, rtol: 0 });
  });

  it("throws for bytes that are neither PNG nor JPEG, and for a corrupt PNG", () => {
    expect(() => cl.io.decodeImage(new Uint8Array([0x47, 0x49, 0x46, 0x38]), {}, "a.gif")).toThrow(/decodeImage: a\.gif is neither PNG nor JPEG \(first bytes 47 49 46 38\)/);
    const png = cl.inspect.encodePng({ width: 4, height: 4, channels: 3, data: new Uint8Array(48) });
    expect(() => cl.io.decodeImage(png.subarray(0, 40), {}, "cut.png")).toThrow(/decodeImage: cannot decode PNG cut\.png/);
  });
});

describe("writeImage / encodeImage", () => {
  for (const c of [1, 3, 4]) {
    it(`PNG round trip [5,7,${c}]: values k/255 come back exactly`, () => {
      const t = cl.tensor(Array.from({ length: 5 * 7 * c }, (_, i) => ((i * 37) % 256) / 255), [5, 7, c]);
      const path = join(tmp, `rt${c}.png`);
      cl.io.writeImage(path, t);
      const back = cl.io.readImage(path, { alpha: "keep" });
      expect(back.shape).toEqual([5, 7, c]);
      expect(Array.from(back.data)).toEqual(Array.from(t.data));
    });
  }

  it("[h,w] writes grayscale and clips to [0,1]", () => {
    const path = join(tmp, "clip.png");
    cl.io.writeImage(path, cl.tensor([[-0.5, 0.5, 1.5]]));
    const back = cl.io.readImage(path);
    expect(back.shape).toEqual([1, 3, 1]);
    expectClose(back, [0, 128 / 255, 1], { atol: 1e-7, rtol: 0 });
  });

  it("JPEG round trip of a smooth image stays within 2% on average; no temp files are left", () => {
    const img = cl.data.resize(cl.io.readImage(join(DATA, "chelsea.png")), [96, 144]);
    const path = join(tmp, "cat.jpg");
    cl.io.writeImage(path, img, { quality: 95 });
    const back = cl.io.readImage(path);
    expect(back.shape).toEqual([96, 144, 3]);
    let err = 0;
    for (let i = 0; i < img.size; i++) err += Math.abs(back.data[i]! - img.data[i]!);
    expect(err / img.size).toBeLessThan(0.02);
    expect(readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("encodeImage gives PNG or JPEG bytes; unknown extensions and shapes throw", () => {
    const t = cl.rand([4, 4, 3], { seed: 0 });
    expect(Array.from(cl.io.encodeImage(t).subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(Array.from(cl.io.encodeImage(t, { format: "jpeg" }).subarray(0, 3))).toEqual([0xff, 0xd8, 0xff]);
    expect(() => cl.io.writeImage(join(tmp, "x.bmp"), t)).toThrow(/writeImage: .*x\.bmp: unknown image extension "\.bmp" \(use \.png, \.jpg or \.jpeg\)/);
    expect(() => cl.io.encodePng(cl.zeros([4, 4, 2]))).toThrow(/encodePng: expected an image \[h,w\], \[h,w,c\] or \[1,h,w,c\] with c = 1, 3 or 4, got \[4,4,2\]/);
    writeFileSync(join(tmp, "junk.png"), "not an image");
    expect(() => cl.io.readImage(join(tmp, "junk.png"))).toThrow(/neither PNG nor JPEG/);
  });
});
