// Test-time multi-crop views (AlexNet, VGG): the centre, the four corners, and their mirrors.
import { Tensor, allocate } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { cropFrame, flipInto } from "./augment/geometric.js";
import type { Frame } from "./augment/example.js";

/** Which windows: "center" or the five views top-left, top-right, bottom-left, bottom-right, centre. */
type Layout = "center" | "five";

function views(op: string, image: Tensor, size: number | readonly [number, number], layout: Layout, mirrored: boolean): Tensor {
  const [ch, cw] = typeof size === "number" ? [size, size] : Array.isArray(size) && size.length === 2 ? size : [NaN, NaN];
  if (!Number.isInteger(ch) || !Number.isInteger(cw) || ch! < 1 || cw! < 1)
    throw new ValueError(`${op}: size must be a positive integer or [h, w] of them, got ${JSON.stringify(size)}`);
  if (!(image instanceof Tensor) || (image.rank !== 3 && image.rank !== 4))
    throw new ShapeError(`${op}: image must be [nH,nW,nC] or [m,nH,nW,nC] (NHWC), got ${image instanceof Tensor ? fmtShape(image.shape) : typeof image}`);
  const s = image.shape;
  const [m, h, w, c] = image.rank === 3 ? [1, s[0]!, s[1]!, s[2]!] : (s as [number, number, number, number]);
  if (ch! > h || cw! > w) throw new ShapeError(`${op}: a ${ch}×${cw} crop does not fit in a ${h}×${w} image (${fmtShape(s)})`);
  const top = Math.floor((h - ch!) / 2), left = Math.floor((w - cw!) / 2);
  const offsets: [number, number][] = layout === "center" ? [[top, left]] : [[0, 0], [0, w - cw!], [h - ch!, 0], [h - ch!, w - cw!], [top, left]];
  const per = offsets.length * (mirrored ? 2 : 1);
  const n = ch! * cw! * c;
  const out = allocate(image.dtype, m * per * n);
  for (let e = 0; e < m; e++) {
    const frame: Frame = { data: image.data.subarray(e * h * w * c, (e + 1) * h * w * c), h, w, c, boxes: undefined, landmarks: undefined };
    offsets.forEach(([t, l], v) => {
      const crop = cropFrame(frame, t, l, ch!, cw!).data;
      out.set(crop, (e * per + v) * n);
      if (mirrored) flipInto(crop, ch!, cw!, c, true, out.subarray((e * per + offsets.length + v) * n, (e * per + offsets.length + v + 1) * n));
    });
  }
  return new Tensor(out, image.rank === 3 && per === 1 ? [ch!, cw!, c] : [m * per, ch!, cw!, c]);
}

/**
 * The ten test-time views of AlexNet/VGG evaluation: the four corner crops and the centre crop
 * (top-left, top-right, bottom-left, bottom-right, centre), then the left–right mirror of each
 * in the same order (view 5 + i mirrors view i; as a set the same as torchvision's `TenCrop`).
 * `[nH,nW,nC]` → `[10, h, w, nC]`; a batch `[m,nH,nW,nC]` → `[m·10, h, w, nC]`, the ten views of
 * example 0 first. The centre crop starts at floor((nH − h)/2), floor((nW − w)/2).
 *
 *   const v = cl.data.tenCrop(img, 224);          // img [256,256,3] → [10,224,224,3]
 */
export function tenCrop(image: Tensor, size: number | readonly [number, number]): Tensor {
  return views("tenCrop", image, size, "five", true);
}

/** The four corner crops and the centre crop (in that order): `[nH,nW,nC]` → `[5, h, w, nC]`, a batch → `[m·5, h, w, nC]`. */
export function fiveCrop(image: Tensor, size: number | readonly [number, number]): Tensor {
  return views("fiveCrop", image, size, "five", false);
}

/** The centre crop: `[nH,nW,nC]` → `[h, w, nC]`, `[m,nH,nW,nC]` → `[m, h, w, nC]`. */
export function centerCrop(image: Tensor, size: number | readonly [number, number]): Tensor {
  return views("centerCrop", image, size, "center", false);
}
