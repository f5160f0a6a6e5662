// conv2d / conv3d on the WASM kernels: forward, input gradient and filter gradient. Everything is
// the 3-D case (conv2d is d = fd = 1); see assembly/segconv.ts and assembly/filtergrad.ts.
import type { TypedArray } from "../../tensor/tensor.js";
import type { Conv2dGeom, Conv3dGeom, Epilogue } from "../types.js";
import * as L from "./layout.js";
import type { WasmEngine, Publish } from "./engine.js";

/** Conv2dGeom as the 3-D geometry with depth 1. */
export function as3d(g: Conv2dGeom): Conv3dGeom {
  return {
    m: g.m, d: 1, h: g.h, w: g.w, c: g.c, k: g.k, fd: 1, fh: g.fh, fw: g.fw, sd: 1, sh: g.sh, sw: g.sw,
    dd: 1, dh: g.dh, dw: g.dw, padFront: 0, padTop: g.padTop, padLeft: g.padLeft, od: 1, oh: g.oh, ow: g.ow,
  };
}

/** A source copied into the arena with zero padding: [m, Dp, Hp, Wp, C] at `at` (bytes). */
export interface Padded {
  at: number;
  Dp: number;
  Hp: number;
  Wp: number;
}

/** Where and how a source [m, D, H, W, C] sits zero-padded in the arena (see padded()). */
export interface PaddedCopy extends Padded {
  src: TypedArray;
  m: number;
  D: number;
  H: number;
  W: number;
  C: number;
  pf: number;
  pt: number;
  pl: number;
}

/**
 * Reserves a zero-padded [m, Dp, Hp, Wp, C] copy of src [m, D, H, W, C], with (pf, pt, pl) before
 * and at least enough after to hold `need*` rows counted from the padded start. The copy itself is
 * made by copyImage (image by image, so streamed jobs can start on the first ones).
 */
function padded(
  eng: WasmEngine, src: TypedArray, m: number, D: number, H: number, W: number, C: number,
  pf: number, pt: number, pl: number, needD: number, needH: number, needW: number,
): PaddedCopy {
  const Dp = Math.max(pf + D, needD), Hp = Math.max(pt + H, needH), Wp = Math.max(pl + W, needW);
  const at = eng.alloc(m * Dp * Hp * Wp * C * 4);
  return { at, Dp, Hp, Wp, src, m, D, H, W, C, pf, pt, pl };
}

/** Copies image b of a padded() source into place, zeroing its padding. */
function copyImage(eng: WasmEngine, p: PaddedCopy, b: number): void {
  const { src, D, H, W, C, Dp, Hp, Wp, pf, pt, pl } = p;
  const f = eng.f32;
  const img = Dp * Hp * Wp * C;
  const o = (p.at >> 2) + b * img;
  if (Dp === D && Hp === H && Wp === W) {
    f.set(src.subarray(b * img, (b + 1) * img), o);
    return;
  }
  const row = W * C;
  const plane = Hp * Wp * C;
  for (let z = 0; z < Dp; z++) {
    const q = o + z * plane;
    const zi = z - pf;
    if (zi < 0 || zi >= D) {
      f.fill(0, q, q + plane);
      continue;
    }
    f.fill(0, q, q + pt * Wp * C);
    for (let y = 0; y < H; y++) {
      const r = q + (pt + y) * Wp * C;
      if (pl > 0) f.fill(0, r, r + pl * C);
      const s = ((b * D + zi) * H + y) * row;
      f.set(src.subarray(s, s + row), r + pl * C);
      if (Wp > pl + W) f.fill(0, r + (pl + W) * C, r + Wp * C);
    }
    f.fill(0, q + (pt + H) * Wp * C, q + plane);
  }
}

/** Copies every image of padded() sources in order, publishing after each. */
function copyAll(eng: WasmEngine, sources: PaddedCopy[], publish: Publish): void {
  const m = sources[0]!.m;
  for (let b = 0; b < m; b++) {
    for (const p of sources) copyImage(eng, p, b);
    publish(b + 1);
  }
}

/** Merges (offsetBytes, length) segments that are contiguous in memory. */
function pushSeg(segs: number[], off: number, len: number): void {
  const n = segs.length;
  if (n > 0 && segs[n - 2]! + segs[n - 1]! * 4 === off) segs[n - 1]! += len;
  else segs.push(off, len);
}

/** The segments of one receptive field in a padded [Dp, Hp, Wp, c] source, in filter order. */
function forwardSegs(g: Conv3dGeom, p: Padded): number[] {
  const segs: number[] = [];
  const c = g.c;
  for (let i = 0; i < g.fd; i++)
    for (let j = 0; j < g.fh; j++) {
      const rowOff = ((i * g.dd * p.Hp + j * g.dh) * p.Wp) * c * 4;
      if (g.dw === 1) pushSeg(segs, rowOff, g.fw * c);
      else for (let l = 0; l < g.fw; l++) pushSeg(segs, rowOff + l * g.dw * c * 4, c);
    }
  return segs;
}

/** Reserves x with the padding the geometry needs (copied by copyAll or putInput). */
function inputCopy(eng: WasmEngine, x: TypedArray, g: Conv3dGeom): PaddedCopy {
  return padded(
    eng, x, g.m, g.d, g.h, g.w, g.c, g.padFront, g.padTop, g.padLeft,
    (g.od - 1) * g.sd + (g.fd - 1) * g.dd + 1, (g.oh - 1) * g.sh + (g.fh - 1) * g.dh + 1, (g.ow - 1) * g.sw + (g.fw - 1) * g.dw + 1,
  );
}

/** x copied in at once with the padding the geometry needs (jobs that do not stream it). */
export function putInput(eng: WasmEngine, x: TypedArray, g: Conv3dGeom): Padded {
  const p = inputCopy(eng, x, g);
  copyAll(eng, [p], () => {});
  return p;
}

/** Rows per task: a multiple of 4, small enough for ~8 tasks per thread, at most 64. */
function rowsPerTask(rows: number, threads: number): number {
  const want = Math.ceil(rows / (threads * 8) / 4) * 4;
  return Math.max(4, Math.min(64, want));
}

/** A JOB_SEGGEMM phase (see layout.ts), as the SG_WORDS i32 words. */
export interface Phase {
  m: number;
  D: number;
  R: number;
  U: number;
  src: number;
  srcStrides: [number, number, number, number];
  dst: number;
  dstStrides: [number, number, number, number];
  segs: number[];
  b: number;
  kd: number;
  n: number;
  flags: number;
}

/**
 * Writes the phases' parameter block and runs the job; `work` is its flop count. With `produce`
 * (which copies the source in, publishing images as they land) the job is streamed.
 */
export function runSegGemm(eng: WasmEngine, phases: Phase[], work: number, produce?: (publish: Publish) => void): void {
  const threads = eng.executor.threads;
  const dump = eng.alloc(64);
  const words: number[] = [phases.length];
  let task = 0;
  const segPtrs = phases.map((ph) => eng.ints(ph.segs));
  phases.forEach((ph, i) => {
    const rows = ph.m * ph.D * ph.R * ph.U;
    const per = rowsPerTask(rows, threads);
    const nt = Math.ceil(rows / per);
    words.push(
      task, nt, per, ph.m, ph.D, ph.R, ph.U,
      ph.src, ...ph.srcStrides, ph.dst, ...ph.dstStrides,
      segPtrs[i]!, ph.segs.length / 2, ph.b, ph.kd, ph.n, ph.flags | (produce ? L.SG_STREAMED : 0), dump,
    );
    task += nt;
  });
  const params = eng.ints(words);
  eng.dispatch(L.JOB_SEGGEMM, task, params, work, produce);
}

/** Packs B from (srcByte, count, sK, sN) ranges; returns the packed address and kd. */
export function packB(eng: WasmEngine, n: number, ranges: number[]): { at: number; kd: number } {
  let kd = 0;
  for (let i = 1; i < ranges.length; i += 4) kd += ranges[i]!;
  const at = eng.alloc(Math.ceil(n / 8) * kd * 32);
  const r = eng.ints(ranges);
  eng.exports.packB(at, n, r, ranges.length / 4);
  return { at, kd };
}

function copyOut(eng: WasmEngine, at: number, out: TypedArray, n: number): void {
  out.set(eng.f32.subarray(at >> 2, (at >> 2) + n));
}

const ACT_CODES = { linear: 0, relu: 1, relu6: 2, leakyRelu: 3 } as const;

/** Applies a forward kernel's epilogue to its output y [n/k, k] in the arena (see assembly/epilogue.ts). */
export function epilogue(eng: WasmEngine, yAt: number, n: number, k: number, ep: Epilogue | undefined): void {
  if (!ep || (ep.bias === null && ep.act === "linear" && !ep.scale) || n === 0) return;
  const b = ep.bias === null ? 0 : eng.put(ep.bias, 0, k);
  const s = ep.scale ? eng.put(ep.scale, 0, k) : 0;
  eng.exports.biasAct(yAt, n / k, k, b, ACT_CODES[ep.act], s, ep.alpha ?? 0.01);
}

/** y [m, od, oh, ow, k] = x ⋆ filter, then the epilogue. */
export function conv3dForward(eng: WasmEngine, x: TypedArray, filter: TypedArray, y: TypedArray, g: Conv3dGeom, ep?: Epilogue): void {
  eng.reset();
  const p = inputCopy(eng, x, g);
  const kd = g.fd * g.fh * g.fw * g.c;
  const f = eng.put(filter, 0, kd * g.k);
  const b = packB(eng, g.k, [f, kd, g.k, 1]);
  const ny = g.m * g.od * g.oh * g.ow * g.k;
  const yAt = eng.alloc(ny * 4);
  const c4 = g.c * 4, k4 = g.k * 4;
  runSegGemm(eng, [{
    m: g.m, D: g.od, R: g.oh, U: g.ow,
    src: p.at, srcStrides: [p.Dp * p.Hp * p.Wp * c4, g.sd * p.Hp * p.Wp * c4, g.sh * p.Wp * c4, g.sw * c4],
    dst: yAt, dstStrides: [g.od * g.oh * g.ow * k4, g.oh * g.ow * k4, g.ow * k4, k4],
    segs: forwardSegs(g, p), b: b.at, kd, n: g.k, flags: 0,
  }], 2 * (ny / g.k) * kd * g.k, (publish) => copyAll(eng, [p], publish));
  epilogue(eng, yAt, ny, g.k, ep);
  copyOut(eng, yAt, y, ny);
}

/** Lanes of 8-wide panels that n columns use. */
const laneUse = (n: number): number => n / (Math.ceil(n / 8) * 8);

/**
 * Whether GEMM + col2im beats the phase form for the input gradient: the phase form has only c
 * output columns (few channels waste lanes) and reads every tap of the padded dy (valid padding
 * wastes taps), col2im multiplies only real (pixel, tap) pairs into kd columns but has a short
 * reduction (k) and a scatter.
 */
export function preferCol2im(g: Conv3dGeom): boolean {
  if (g.k < 4) return false;
  const taps = g.fd * g.fh * g.fw;
  const phaseWork = g.m * g.d * g.h * g.w * g.c * taps * g.k / (g.sd * g.sh * g.sw) / laneUse(g.c);
  const col2imWork = g.m * g.od * g.oh * g.ow * taps * g.c * g.k / laneUse(taps * g.c);
  return phaseWork > 1.5 * col2imWork;
}

/** The input gradient as dcol = dy · filterᵀ scattered into dx (JOB_COL2IM, see assembly/col2im.ts). */
export function gradInputCol2im(eng: WasmEngine, dy: TypedArray, filter: TypedArray, dx: TypedArray, g: Conv3dGeom): void {
  eng.reset();
  const pixels = g.od * g.oh * g.ow;
  const kd = g.fd * g.fh * g.fw * g.c;
  const q = padded(eng, dy, g.m, g.od, g.oh, g.ow, g.k, 0, 0, 0, 0, 0, 0);
  const f = eng.put(filter, 0, kd * g.k);
  const packed = packB(eng, kd, [f, g.k, 1, g.k]);
  const nx = g.m * g.d * g.h * g.w * g.c;
  const dxAt = eng.alloc(nx * 4);
  const dcol = eng.alloc(eng.executor.threads * 4 * Math.ceil(kd / 8) * 8 * 4);
  const w = new Array<number>(L.CG_WORDS).fill(0);
  w[L.CG_OD] = g.od; w[L.CG_OH] = g.oh; w[L.CG_OW] = g.ow;
  w[L.CG_D] = g.d; w[L.CG_H] = g.h; w[L.CG_W] = g.w; w[L.CG_C] = g.c; w[L.CG_K] = g.k;
  w[L.CG_FD] = g.fd; w[L.CG_FH] = g.fh; w[L.CG_FW] = g.fw;
  w[L.CG_SD] = g.sd; w[L.CG_SH] = g.sh; w[L.CG_SW] = g.sw;
  w[L.CG_DD] = g.dd; w[L.CG_DH] = g.dh; w[L.CG_DW] = g.dw;
  w[L.CG_PF] = g.padFront; w[L.CG_PT] = g.padTop; w[L.CG_PL] = g.padLeft;
  w[L.CG_DY] = q.at; w[L.CG_B] = packed.at; w[L.CG_DX] = dxAt; w[L.CG_DCOL] = dcol;
  w[L.CG_SEGS] = eng.ints([0, g.k]);
  w[L.CG_STREAMED] = 1;
  eng.dispatch(L.JOB_COL2IM, g.m, eng.ints(w), 2 * g.m * pixels * kd * g.k, (publish) => copyAll(eng, [q], publish));
  copyOut(eng, dxAt, dx, nx);
}

/** Valid taps of one phase along one axis: (tap index, output offset q) with (ph + pad − i·dil) = q·s. */
function axisTaps(ph: number, pad: number, f: number, dil: number, s: number): { i: number; q: number }[] {
  const taps: { i: number; q: number }[] = [];
  for (let i = f - 1; i >= 0; i--) {
    const v = ph + pad - i * dil;
    if (((v % s) + s) % s === 0) taps.push({ i, q: v / s });
  }
  return taps; // q ascending
}

/**
 * dx [m, d, h, w, c] from dy [m, od, oh, ow, k], in one of two forms (preferCol2im chooses):
 * - phases: the input pixels are split by phase (position modulo the stride); within a phase every
 *   pixel sees the same taps, so each phase is a stride-1 correlation of a padded dy with the
 *   matching filter taps, transposed;
 * - col2im: dcol = dy · filterᵀ over the output pixels, scattered into dx image by image.
 */
export function conv3dGradInput(eng: WasmEngine, dy: TypedArray, filter: TypedArray, dx: TypedArray, g: Conv3dGeom): void {
  if (preferCol2im(g)) gradInputCol2im(eng, dy, filter, dx, g);
  else gradInputPhases(eng, dy, filter, dx, g);
}

/** The input gradient in the phase form (see conv3dGradInput). */
export function gradInputPhases(eng: WasmEngine, dy: TypedArray, filter: TypedArray, dx: TypedArray, g: Conv3dGeom): void {
  eng.reset();
  const axes = [
    { n: g.d, on: g.od, f: g.fd, s: g.sd, dil: g.dd, pad: g.padFront },
    { n: g.h, on: g.oh, f: g.fh, s: g.sh, dil: g.dh, pad: g.padTop },
    { n: g.w, on: g.ow, f: g.fw, s: g.sw, dil: g.dw, pad: g.padLeft },
  ];
  // per axis and phase: the taps and the count of pixels; the padding dy needs on each side
  const per = axes.map((a) => {
    const phases = [];
    let before = 0, after = 0;
    for (let ph = 0; ph < a.s; ph++) {
      const taps = axisTaps(ph, a.pad, a.f, a.dil, a.s);
      const count = ph < a.n ? Math.ceil((a.n - ph) / a.s) : 0;
      if (count > 0)
        for (const t of taps) {
          before = Math.max(before, -t.q);
          after = Math.max(after, count - 1 + t.q - (a.on - 1));
        }
      phases.push({ taps, count });
    }
    return { phases, before, after };
  });
  const [pz, py, px] = per as [typeof per[0], typeof per[0], typeof per[0]];
  const q = padded(
    eng, dy, g.m, g.od, g.oh, g.ow, g.k, pz.before, py.before, px.before,
    pz.before + g.od + pz.after, py.before + g.oh + py.after, px.before + g.ow + px.after,
  );
  const f = eng.put(filter, 0, g.fd * g.fh * g.fw * g.c * g.k);
  const nx = g.m * g.d * g.h * g.w * g.c;
  const dxAt = eng.alloc(nx * 4);
  const k4 = g.k * 4, c4 = g.c * 4;
  const base = q.at + ((pz.before * q.Hp + py.before) * q.Wp + px.before) * k4;
  const phases: Phase[] = [];
  let work = 0;
  for (let a = 0; a < g.sd; a++)
    for (let b = 0; b < g.sh; b++)
      for (let c = 0; c < g.sw; c++) {
        const A = pz.phases[a]!, B = py.phases[b]!, C = px.phases[c]!;
        if (A.count === 0 || B.count === 0 || C.count === 0) continue;
        const segs: number[] = [];
        const ranges: number[] = [];
        for (const ti of A.taps)
          for (const tj of B.taps)
            for (const tl of C.taps) {
              pushSeg(segs, ((ti.q * q.Hp + tj.q) * q.Wp + tl.q) * k4, g.k);
              ranges.push(f + (((ti.i * g.fh + tj.i) * g.fw + tl.i) * g.c) * k4, g.k, 1, g.k);
            }
        const packed = ranges.length ? packB(eng, g.c, ranges) : { at: 0, kd: 0 };
        phases.push({
          m: g.m, D: A.count, R: B.count, U: C.count,
          src: base, srcStrides: [q.Dp * q.Hp * q.Wp * k4, q.Hp * q.Wp * k4, q.Wp * k4, k4],
          dst: dxAt + ((a * g.h + b) * g.w + c) * c4,
          dstStrides: [g.d * g.h * g.w * c4, g.sd * g.h * g.w * c4, g.sh * g.w * c4, g.sw * c4],
          segs, b: packed.at, kd: packed.kd, n: g.c, flags: ranges.length ? 0 : L.SG_ZERO,
        });
        work += 2 * g.m * A.count * B.count * C.count * packed.kd * g.c;
      }
  runSegGemm(eng, phases, work, (publish) => copyAll(eng, [q], publish));
  copyOut(eng, dxAt, dx, nx);
}

/**
 * The filter gradient's row blocks: 4 consecutive kd each, as (off0..off3, firstKd, rows) with the
 * byte offsets of the 4 kd in a receptive field (a short last block repeats its last offset).
 * Blocks stay inside one segment (4 adjacent floats, the fast case) unless that wastes more than
 * a tenth of the rows, as with 1–3 channels.
 */
function filterGradBlocks(segs: number[], kd: number): number[] {
  const offs: number[] = [];
  let perSeg = 0;
  for (let s = 0; s < segs.length; s += 2) {
    for (let e = 0; e < segs[s + 1]!; e++) offs.push(segs[s]! + e * 4);
    perSeg += Math.ceil(segs[s + 1]! / 4);
  }
  const blocks: number[] = [];
  const push = (first: number, rows: number): void => {
    for (let r = 0; r < 4; r++) blocks.push(offs[first + Math.min(r, rows - 1)]!);
    blocks.push(first, rows);
  };
  if (perSeg <= Math.ceil(kd / 4) * 1.1) {
    for (let s = 0, first = 0; s < segs.length; s += 2) {
      const len = segs[s + 1]!;
      for (let r = 0; r < len; r += 4) push(first + r, Math.min(4, len - r));
      first += len;
    }
  } else for (let first = 0; first < kd; first += 4) push(first, Math.min(4, kd - first));
  return blocks;
}

/** dFilter [fd, fh, fw, c, k] = Σ over output pixels of x patches ⊗ dy. */
export function conv3dGradFilter(eng: WasmEngine, x: TypedArray, dy: TypedArray, dFilter: TypedArray, g: Conv3dGeom): void {
  eng.reset();
  const p = inputCopy(eng, x, g);
  const pixels = g.m * g.od * g.oh * g.ow;
  const q = padded(eng, dy, g.m, g.od, g.oh, g.ow, g.k, 0, 0, 0, 0, 0, 0);
  const d = q.at;
  const kd = g.fd * g.fh * g.fw * g.c;
  const blocks = filterGradBlocks(forwardSegs(g, p), kd);
  const nblocks = blocks.length / 6;
  const npanels = Math.ceil(g.k / 8);
  const npairs = nblocks * npanels;
  // fixed pixel groups (a function of the problem only, so the sums' order is too)
  const group = Math.max(1024, Math.ceil(pixels / 16 / L.FG_CHUNK) * L.FG_CHUNK);
  const groups = Math.ceil(pixels / group);
  const ranges = Math.min(npairs, Math.max(1, Math.ceil((eng.executor.threads * 4) / groups)));
  const out = eng.alloc(kd * g.k * 4);
  const partial = groups === 1 ? out : eng.alloc(groups * kd * g.k * 4);
  const c4 = g.c * 4;
  const words = new Array<number>(L.FG_WORDS).fill(0);
  words[L.FG_PIXELS] = pixels;
  words[L.FG_M] = g.m;
  words[L.FG_D] = g.od;
  words[L.FG_R] = g.oh;
  words[L.FG_U] = g.ow;
  words[L.FG_SRC] = p.at;
  words[L.FG_SRC_IMG] = p.Dp * p.Hp * p.Wp * c4;
  words[L.FG_SRC_D] = g.sd * p.Hp * p.Wp * c4;
  words[L.FG_SRC_R] = g.sh * p.Wp * c4;
  words[L.FG_SRC_U] = g.sw * c4;
  words[L.FG_DY] = d;
  words[L.FG_K] = g.k;
  words[L.FG_KD] = kd;
  words[L.FG_PARTIAL] = partial;
  words[L.FG_BLOCKS] = eng.ints(blocks);
  words[L.FG_NBLOCKS] = nblocks;
  words[L.FG_NPANELS] = npanels;
  words[L.FG_RANGES] = ranges;
  words[L.FG_GROUP] = group;
  words[L.FG_STREAMED] = 1;
  const packBytes = L.FG_CHUNK * npanels * 32 + L.FG_CHUNK * 16;
  words[L.FG_PACK] = eng.alloc(eng.executor.threads * packBytes);
  words[L.FG_PACK_BYTES] = packBytes;
  // rows ≥ 512 bytes apart fall into few L1 sets: those operands are copied side by side first
  words[L.FG_FLAGS] = (g.k >= 128 ? L.FG_PACK_DY : 0) | (g.sw * c4 >= 512 ? L.FG_PACK_X : 0);
  const params = eng.ints(words);
  eng.dispatch(L.JOB_FILTERGRAD, groups * ranges, params, 2 * pixels * kd * g.k, (publish) => copyAll(eng, [p, q], publish));
  if (groups > 1) eng.exports.sumSlices(out, partial, groups, kd * g.k);
  copyOut(eng, out, dFilter, kd * g.k);
}
