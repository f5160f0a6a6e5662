import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

describe("cl.filters", () => {
  it("the course's 3×3 filters, float32", () => {
    expect(cl.filters.vertical.toArray()).toEqual([[1, 0, -1], [1, 0, -1], [1, 0, -1]]);
    expect(cl.filters.horizontal.toArray()).toEqual([[1, 1, 1], [0, 0, 0], [-1, -1, -1]]);
    expect(cl.filters.sobel.toArray()).toEqual([[1, 0, -1], [2, 0, -2], [1, 0, -1]]);
    expect(cl.filters.scharr.toArray()).toEqual([[3, 0, -3], [10, 0, -10], [3, 0, -3]]);
    for (const f of [cl.filters.vertical, cl.filters.horizontal, cl.filters.sobel, cl.filters.scharr]) {
      expect(f.shape).toEqual([3, 3]);
      expect(f.dtype).toBe("float32");
    }
  });
  it("cannot be changed from a notebook", () => {
    const v = cl.filters.vertical;
    v.data[0] = 99;
    expect(cl.filters.vertical.data[0]).toBe(1);
    expect(() => {
      (cl.filters as { vertical: cl.Tensor }).vertical = cl.zeros([3, 3]);
    }).toThrow(TypeError);
    expect(cl.filters.vertical.data[0]).toBe(1);
  });
});
