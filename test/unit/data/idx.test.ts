import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

const { parseIdx, encodeIdx } = cl.data;

/** A hand-written IDX file: 2×3 uint8 values 1..6. */
const HAND = new Uint8Array([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6]);

describe("parseIdx", () => {
  it("reads magic, dtype byte, big-endian dims and uint8 data (hand-written [2,3] file)", () => {
    const f = parseIdx(HAND);
    expect(f.shape).toEqual([2, 3]);
    expect(f.dtype).toBe("uint8");
    expect(Array.from(f.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("decodes big-endian int16/int32/float32/float64 values (hand-written bytes)", () => {
    // int16 [2]: 0x0102 = 258, 0xFFFE = -2
    expect(Array.from(parseIdx(new Uint8Array([0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe])).data)).toEqual([258, -2]);
    // int32 [1]: 0x00010000 = 65536
    expect(Array.from(parseIdx(new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 1, 0, 1, 0, 0])).data)).toEqual([65536]);
    // float32 [1]: 0x3FC00000 = 1.5
    expect(Array.from(parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0])).data)).toEqual([1.5]);
    // float64 [1]: 0xC004000000000000 = -2.5
    expect(Array.from(parseIdx(new Uint8Array([0, 0, 0x0e, 1, 0, 0, 0, 1, 0xc0, 0x04, 0, 0, 0, 0, 0, 0])).data)).toEqual([-2.5]);
    // int8 [2]: 0xFF = -1, 0x7F = 127
    expect(Array.from(parseIdx(new Uint8Array([0, 0, 0x09, 1, 0, 0, 0, 2, 0xff, 0x7f])).data)).toEqual([-1, 127]);
  });

  it("round-trips every dtype through encodeIdx", () => {
    const cases = [
      { dtype: "uint8", data: new Uint8Array([0, 7, 255]) },
      { dtype: "int8", data: new Int8Array([-128, 0, 127]) },
      { dtype: "int16", data: new Int16Array([-32768, 1, 32767]) },
      { dtype: "int32", data: new Int32Array([-2147483648, 5, 2147483647]) },
      { dtype: "float32", data: new Float32Array([-1.25, 0, 3.5e10]) },
      { dtype: "float64", data: new Float64Array([Math.PI, -0, 1e-300]) },
    ] as const;
    for (const c of cases) {
      const f = parseIdx(encodeIdx({ shape: [3, 1], dtype: c.dtype, data: c.data }));
      expect(f.dtype).toBe(c.dtype);
      expect(f.shape).toEqual([3, 1]);
      expect(Array.from(f.data)).toEqual(Array.from(c.data));
    }
  });

  it("reads a file that sits at an odd offset inside a larger buffer", () => {
    const big = new Uint8Array(HAND.length + 3);
    big.set(HAND, 3);
    expect(Array.from(parseIdx(big.subarray(3)).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("throws for a truncated file: data cut short, header cut short, under 4 bytes", () => {
    expect(() => parseIdx(HAND.subarray(0, 15), "t.idx")).toThrow(
      /parseIdx: t\.idx is truncated: the header says \[2,3\] uint8 = 6 bytes of data after the 12-byte header, but only 3 follow/,
    );
    expect(() => parseIdx(HAND.subarray(0, 9), "t.idx")).toThrow(/t\.idx is truncated: the header of a rank-2 file needs 12 bytes, the file has 9/);
    expect(() => parseIdx(HAND.subarray(0, 2), "t.idx")).toThrow(/t\.idx is truncated: 2 bytes/);
  });

  it("throws for a bad magic number (with a hint for gzip data), an unknown dtype, and trailing bytes", () => {
    expect(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]), "x")).toThrow(/x is not an IDX file: the first two bytes must be 0x00 0x00, got 0x01 0x00/);
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), "x.gz")).toThrow(/gunzip it first/);
    expect(() => parseIdx(new Uint8Array([0, 0, 0x07, 1, 0, 0, 0, 0]), "x")).toThrow(/unknown element type 0x07/);
    const extra = new Uint8Array([...HAND, 9, 9]);
    expect(() => parseIdx(extra, "x")).toThrow(/x has 2 trailing bytes after the 6 bytes of data for \[2,3\] uint8/);
  });
});
