// The course's 3×3 edge filters. Each access returns a fresh float32 tensor, so changing one in a
// notebook cannot change the constant for the next cell.
import type { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/creation.js";

const VERTICAL = [[1, 0, -1], [1, 0, -1], [1, 0, -1]];
const SOBEL = [[1, 0, -1], [2, 0, -2], [1, 0, -1]];
const SCHARR = [[3, 0, -3], [10, 0, -10], [3, 0, -3]];

/**
 * 3×3 edge filters (shape [3, 3]; reshape to [3, 3, 1, 1] for `cl.conv2d`):
 * - `vertical` [[1,0,-1],[1,0,-1],[1,0,-1]] (bright-to-dark from left to right gives positive output),
 * - `horizontal`, its transpose [[1,1,1],[0,0,0],[-1,-1,-1]],
 * - `sobel` [[1,0,-1],[2,0,-2],[1,0,-1]], `scharr` [[3,0,-3],[10,0,-10],[3,0,-3]] (vertical edges).
 *
 *   cl.conv2d(img.reshape([1, 6, 6, 1]), cl.filters.vertical.reshape([3, 3, 1, 1]))
 */
export const filters: { readonly vertical: Tensor; readonly horizontal: Tensor; readonly sobel: Tensor; readonly scharr: Tensor } = Object.freeze({
  get vertical(): Tensor {
    return tensor(VERTICAL);
  },
  get horizontal(): Tensor {
    return tensor(VERTICAL.map((_, i) => VERTICAL.map((row) => row[i]!)));
  },
  get sobel(): Tensor {
    return tensor(SOBEL);
  },
  get scharr(): Tensor {
    return tensor(SCHARR);
  },
});
