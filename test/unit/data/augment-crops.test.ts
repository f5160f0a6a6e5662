import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

describe("cl.data.tenCrop / fiveCrop / centerCrop: test-time views", () => {
  const x = cl.arange(0, 6 * 7 * 2).reshape([6, 7, 2]); // every value distinct
  const hand = (top: number, left: number): cl.Tensor => cl.slice(x, [top, left, 0], [4, 5, 2]);
  // top-left, top-right, bottom-left, bottom-right, centre (floor((6−4)/2), floor((7−5)/2)) = (1, 1)
  const five = [hand(0, 0), hand(0, 2), hand(2, 0), hand(2, 2), hand(1, 1)];

  it("[6,7,2] → [10,4,5,2]: the four corners and the centre, then the left–right mirror of each, equal to hand crops", () => {
    const v = cl.data.tenCrop(x, [4, 5]);
    expect(v.shape).toEqual([10, 4, 5, 2]);
    const want = cl.stack([...five, ...five.map((c) => cl.flip(c, 1))], 0);
    expectClose(v, want, { atol: 0, rtol: 0 });
  });

  it("a batch [2,6,6,3] → [20,4,4,3], example 0's ten views first; fiveCrop and centerCrop", () => {
    const b = cl.rand([2, 6, 6, 3], { seed: 1 });
    const v = cl.data.tenCrop(b, 4);
    expect(v.shape).toEqual([20, 4, 4, 3]);
    const second = cl.slice(b, [1, 0, 0, 0], [1, 6, 6, 3]).reshape([6, 6, 3]);
    expectClose(cl.slice(v, [10, 0, 0, 0], [10, 4, 4, 3]), cl.data.tenCrop(second, 4), { atol: 0, rtol: 0 });
    expectClose(cl.data.fiveCrop(x, [4, 5]), cl.stack(five, 0), { atol: 0, rtol: 0 });
    expectClose(cl.data.centerCrop(x, [4, 5]), five[4]!, { atol: 0, rtol: 0 });
    expect(cl.data.centerCrop(b, 4).shape).toEqual([2, 4, 4, 3]);
  });

  it("256×256 → ten 224×224 views (AlexNet's evaluation)", () => {
    expect(cl.data.tenCrop(cl.zeros([256, 256, 3]), 224).shape).toEqual([10, 224, 224, 3]);
  });

  it("bad sizes and images are errors naming the function", () => {
    expect(() => cl.data.tenCrop(x, 7)).toThrow(/tenCrop: a 7×7 crop does not fit in a 6×7 image \(\[6,7,2\]\)/);
    expect(() => cl.data.fiveCrop(x, 0)).toThrow(/fiveCrop: size must be a positive integer or \[h, w\] of them, got 0/);
    expect(() => cl.data.centerCrop(cl.zeros([4, 4]), 2)).toThrow(/centerCrop: image must be \[nH,nW,nC\] or \[m,nH,nW,nC\] \(NHWC\), got \[4,4\]/);
  });
});
