import { CTL_PROGRESS } from "../layout";

// Small helpers shared by the kernels.

/** Stores (or adds, when `acc`) the first nc ≤ 8 lanes of v0‖v1 at o; tmp is 32 bytes of scratch. */
@inline export function storeRow(o: usize, v0: v128, v1: v128, nc: i32, acc: bool, tmp: usize): void {
  if (nc == 8) {
    if (acc) {
      v0 = f32x4.add(v0, v128.load(o));
      v1 = f32x4.add(v1, v128.load(o, 16));
    }
    v128.store(o, v0);
    v128.store(o, v1, 16);
  } else {
    v128.store(tmp, v0);
    v128.store(tmp, v1, 16);
    for (let j = 0; j < nc; j++) {
      const q = o + (<usize>j << 2);
      const v = load<f32>(tmp + (<usize>j << 2));
      store<f32>(q, acc ? load<f32>(q) + v : v);
    }
  }
}

/** Streamed jobs: spins until the caller has published more than `img` images of the input. */
@inline export function waitForImage(img: i32): void {
  while (atomic.load<i32>(CTL_PROGRESS << 2) <= img) {}
}

@inline export function word(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
