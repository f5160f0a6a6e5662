import { describe, it, expect } from "vitest";
import { PNG } from "pngjs";
import * as cl from "../../../src/index.js";

const { encodePng, toBase64, crc32, heatmapRgb, heatmapRange, colorAt, tensorToPng, tensorToImage } = cl.inspect;

/** Decodes with pngjs (the reference) into RGBA plus the header's colour type. */
function decode(png: Uint8Array): { width: number; height: number; colorType: number; rgba: Uint8Array } {
  const r = PNG.sync.read(Buffer.from(png));
  return { width: r.width, height: r.height, colorType: r.colorType, rgba: new Uint8Array(r.data) };
}

/** Deterministic bytes with smooth and noisy rows (so every filter type gets used). */
function pixels(n: number, seed: number): Uint8Array {
  const rng = new cl.Rng(seed);
  return Uint8Array.from({ length: n }, (_, i) => (i % 97 < 40 ? (i * 3) & 255 : rng.int(256)));
}

describe("encodePng", () => {
  for (const channels of [1, 2, 3, 4] as const) {
    it(`round trip through pngjs: 37×23, ${channels} channel(s)`, () => {
      const width = 37, height = 23;
      const data = pixels(width * height * channels, channels);
      const d = decode(encodePng({ width, height, channels, data }));
      expect([d.width, d.height]).toEqual([width, height]);
      expect(d.colorType).toBe({ 1: 0, 2: 4, 3: 2, 4: 6 }[channels]);
      const expected = new Uint8Array(width * height * 4);
      for (let p = 0; p < width * height; p++) {
        const s = data.subarray(p * channels, (p + 1) * channels);
        const rgba = channels === 1 ? [s[0], s[0], s[0], 255] : channels === 2 ? [s[0], s[0], s[0], s[1]] : channels === 3 ? [s[0], s[1], s[2], 255] : [...s];
        expected.set(rgba as number[], 4 * p);
      }
      expect(Buffer.from(d.rgba).equals(Buffer.from(expected))).toBe(true);
    });
  }

  it("writes the PNG signature and valid chunk CRCs", () => {
    const png = encodePng({ width: 2, height: 1, channels: 3, data: new Uint8Array([255, 0, 0, 0, 0, 255]) });
    expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const v = new DataView(png.buffer, png.byteOffset);
    const types: string[] = [];
    for (let o = 8; o < png.length; ) {
      const len = v.getUint32(o);
      types.push(String.fromCharCode(...png.subarray(o + 4, o + 8)));
      expect(v.getUint32(o + 8 + len)).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
      o += 12 + len;
    }
    expect(types).toEqual(["IHDR", "IDAT", "IEND"]);
  });

  it("crc32 of '123456789' is the standard check value 0xCBF43926", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("throws when data does not fill width·height·channels or channels is invalid", () => {
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(11) })).toThrow(
      /encodePng: data must be a Uint8Array of width·height·channels = 2·2·3 = 12 bytes, got 11/,
    );
    expect(() => encodePng({ width: 0, height: 2, channels: 1, data: new Uint8Array(0) })).toThrow(/width and height must be positive integers, got 0×2/);
    expect(() => encodePng({ width: 1, height: 1, channels: 5 as 4, data: new Uint8Array(5) })).toThrow(/channels must be 1, 2, 3 or 4, got 5/);
  });
});

describe("toBase64", () => {
  it("equals Node's Buffer base64 for lengths 0..20 and a 100 kB buffer", () => {
    for (let n = 0; n <= 20; n++) {
      const b = pixels(n, n);
      expect(toBase64(b)).toBe(Buffer.from(b).toString("base64"));
    }
    const big = pixels(100_003, 9);
    expect(toBase64(big)).toBe(Buffer.from(big).toString("base64"));
  });
});

describe("heatmapRgb / colour maps", () => {
  it("gray: min → black, max → white, linear between", () => {
    expect(Array.from(heatmapRgb([0, 0.5, 1], { colormap: "gray" }))).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255]);
    expect(Array.from(heatmapRgb([10, 20], { colormap: "gray", min: 0, max: 40 }))).toEqual([64, 64, 64, 128, 128, 128]);
  });

  it("viridis matches matplotlib's table at 0, 0.5 and 1 (within 2/255)", () => {
    // matplotlib: viridis(0) = (0.267, 0.005, 0.329), viridis(0.5) = (0.128, 0.567, 0.551), viridis(1) = (0.993, 0.906, 0.144)
    const ref = [[68, 1, 84], [33, 145, 140], [253, 231, 37]];
    [0, 0.5, 1].forEach((t, i) => colorAt(t, "viridis").forEach((v, c) => expect(Math.abs(v - ref[i]![c]!)).toBeLessThanOrEqual(2)));
  });

  it("diverging: symmetric auto range, white at 0, blue for negative, red for positive", () => {
    expect(heatmapRange([-1, 3], { colormap: "diverging" })).toEqual({ min: -3, max: 3 });
    const rgb = heatmapRgb([-3, 0, 3], { colormap: "diverging" });
    expect(Array.from(rgb.subarray(3, 6))).toEqual([247, 247, 247]);
    expect(rgb[2]!).toBeGreaterThan(rgb[0]!); // blue end
    expect(rgb[6]!).toBeGreaterThan(rgb[8]!); // red end
  });

  it("NaN/Infinity are magenta and ignored by the auto range; a constant map is drawn at the low end", () => {
    const rgb = heatmapRgb([NaN, 0, 1, Infinity], { colormap: "gray" });
    expect(Array.from(rgb)).toEqual([255, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 255]);
    expect(Array.from(heatmapRgb([5, 5], { colormap: "gray" }))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => heatmapRgb([1], { colormap: "jet" as "gray" })).toThrow(/colormap must be "viridis", "gray" or "diverging", got jet/);
  });
});

describe("tensorToPng", () => {
  it("2-D map → RGB heatmap, upscaled ×4 by nearest neighbour (2×3 → 8×12)", () => {
    const t = cl.tensor([[0, 1, 2], [3, 4, 5]]);
    const d = decode(tensorToPng(t, { colormap: "gray", upscale: 4 }));
    expect([d.width, d.height, d.colorType]).toEqual([12, 8, 2]);
    const at = (x: number, y: number): number => d.rgba[4 * (y * 12 + x)]!;
    expect([at(0, 0), at(3, 3), at(4, 0), at(11, 7), at(8, 4)]).toEqual([0, 0, 51, 255, 255]);
  });

  it("image tensors: [h,w,3] → RGB, [h,w,1] in [0,1] → gray, values clipped", () => {
    const rgb = cl.tensor([[[1, 0, 0], [0, 1, 0]], [[0, 0, 1], [2, -1, 0.5]]]);
    const d = decode(tensorToPng(rgb));
    expect([d.width, d.height, d.colorType]).toEqual([2, 2, 2]);
    expect(Array.from(d.rgba.subarray(12, 16))).toEqual([255, 0, 128, 255]);
    const gray = decode(tensorToPng(cl.tensor([[[0], [0.2]]])));
    expect(gray.colorType).toBe(0);
    expect(Array.from(gray.rgba.subarray(4, 8))).toEqual([51, 51, 51, 255]);
  });

  it("auto mode: [h,w,1] outside [0,1] becomes a heatmap; [1,h,w,c] drops the batch axis; upscale 'auto'", () => {
    expect(tensorToImage(cl.tensor([[[-1], [2]]])).channels).toBe(3);
    expect(tensorToImage(cl.zeros([1, 4, 5, 3])).width).toBe(5);
    const img = tensorToImage(cl.zeros([6, 6]), { upscale: "auto" });
    expect([img.width, img.height]).toEqual([252, 252]);
  });

  it("throws for shapes it cannot draw", () => {
    expect(() => tensorToPng(cl.zeros([2, 2, 5]))).toThrow(/an image needs 1, 3 or 4 channels, got 5 \(shape \[2,2,5\]\)/);
    expect(() => tensorToPng(cl.zeros([2, 2, 2, 2]))).toThrow(/expected a 2-D map \[h,w\] or an image \[h,w,c\] \/ \[1,h,w,c\], got \[2,2,2,2\]/);
    expect(() => tensorToPng(cl.zeros([2, 2, 3]), { mode: "heatmap" })).toThrow(/a heatmap needs a 2-D map \[h,w\] or \[h,w,1\], got \[2,2,3\]/);
  });
});
