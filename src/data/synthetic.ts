/**
 * Synthetic data for the 1-D and 3-D convolution lessons (course week 4), seeded and pure:
 *
 * - `ecgBeats`: ECG-like traces `[n, length, 1]`, class 0 "normal" (regular P-QRS-T beats) or
 *   class 1 "arrhythmic" (either an irregular rhythm without P waves, as in atrial fibrillation,
 *   or a premature ventricular beat: early, wide, tall QRS without a P wave, inverted T), with
 *   baseline wander and noise. A teaching stand-in, not physiology.
 * - `shapeVolumes`: volumes `[n, d, d, d, 1]` holding one solid sphere, cube or torus (class 0, 1,
 *   2) of random size, position and (torus) orientation, soft-edged, with noise: a stand-in for
 *   CT scans.
 */
import { Tensor } from "../tensor/tensor.js";
import { Rng } from "../util/rng.js";
import { intArg, optIntArg, optNumberArg, optionsArg, seedArg } from "../util/check.js";

export interface EcgOptions {
  /** Examples (default 512); the classes alternate, so they are balanced. */
  n?: number;
  /** Samples per trace (default 128; at least 48). */
  length?: number;
  /** Gaussian noise σ (default 0.05). */
  noise?: number;
  seed?: number;
}

export interface LabelledSet {
  /** The inputs. */
  x: Tensor;
  /** Class ids `[n]`. */
  y: Tensor;
  classes: string[];
}

const bump = (t: number, c: number, w: number): number => Math.exp(-((t - c) ** 2) / (2 * w * w));

/** ECG-like traces, normal vs arrhythmic beats. */
export function ecgBeats(opts: EcgOptions = {}): LabelledSet {
  const fn = "data.ecgBeats";
  const o = optionsArg(fn, opts);
  const n = optIntArg(fn, "opts.n", o.n, { min: 1, max: 1_000_000 }) ?? 512;
  const L = optIntArg(fn, "opts.length", o.length, { min: 48, max: 100_000 }) ?? 128;
  const noise = optNumberArg(fn, "opts.noise", o.noise, { min: 0, max: 10 }) ?? 0.05;
  const rng = new Rng(seedArg(fn, o.seed) ?? 0);
  if (n * L > 2 ** 28) intArg(fn, "opts.n × opts.length", n * L, { max: 2 ** 28 });
  const x = new Float32Array(n * L), y = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    const label = e % 2;
    y[e] = label;
    const rr = 26 + rng.uniform() * 10; // samples between beats
    const kind = label === 1 ? (rng.uniform() < 0.5 ? "af" : "pvc") : "normal";
    const beats: { t: number; ventricular: boolean }[] = [];
    let t = -rng.uniform() * rr;
    const pvcAt = 1 + Math.floor(rng.uniform() * Math.max(1, Math.floor(L / rr) - 1));
    for (let b = 0; t < L + rr; b++) {
      const v = kind === "pvc" && b === pvcAt;
      beats.push({ t, ventricular: v });
      const next = kind === "af" ? rr * (0.55 + rng.uniform() * 0.9) : rr * (1 + (rng.uniform() - 0.5) * 0.06);
      t += v ? next * 1.35 : kind === "pvc" && b + 1 === pvcAt ? next * 0.6 : next;
    }
    const wander = 0.1 * rng.uniform(), wf = (2 * Math.PI) / (L * (0.8 + rng.uniform())), wp = rng.uniform() * 6.28;
    const amp = 0.8 + 0.4 * rng.uniform();
    for (let s = 0; s < L; s++) {
      let v = wander * Math.sin(wf * s + wp) + noise * rng.normal();
      for (const b of beats) {
        if (Math.abs(s - b.t) > 14) continue;
        if (b.ventricular) v += amp * (1.4 * bump(s, b.t, 2.4) - 0.5 * bump(s, b.t + 4, 2.5) - 0.35 * bump(s, b.t + 9, 3.5));
        else {
          if (kind !== "af") v += amp * 0.15 * bump(s, b.t - 6, 1.6);
          v += amp * (-0.12 * bump(s, b.t - 1.5, 0.7) + bump(s, b.t, 0.9) - 0.25 * bump(s, b.t + 1.6, 0.8) + 0.3 * bump(s, b.t + 8, 2.6));
        }
      }
      x[e * L + s] = v;
    }
  }
  return { x: new Tensor(x, [n, L, 1]), y: new Tensor(y, [n]), classes: ["normal", "arrhythmic"] };
}

export interface VolumeOptions {
  /** Examples (default 300); the classes cycle, so they are balanced. */
  n?: number;
  /** Voxels per axis (default 14, as in the course's 14×14×14×1 example; at least 8). */
  size?: number;
  /** Gaussian noise σ (default 0.1). */
  noise?: number;
  seed?: number;
}

/** Volumes holding a sphere (0), a cube (1) or a torus (2). */
export function shapeVolumes(opts: VolumeOptions = {}): LabelledSet {
  const fn = "data.shapeVolumes";
  const o = optionsArg(fn, opts);
  const n = optIntArg(fn, "opts.n", o.n, { min: 1, max: 1_000_000 }) ?? 300;
  const d = optIntArg(fn, "opts.size", o.size, { min: 8, max: 256 }) ?? 14;
  const noise = optNumberArg(fn, "opts.noise", o.noise, { min: 0, max: 10 }) ?? 0.1;
  const rng = new Rng(seedArg(fn, o.seed) ?? 0);
  const per = d * d * d;
  if (n * per > 2 ** 28) intArg(fn, "opts.n × opts.size³", n * per, { max: 2 ** 28 });
  const x = new Float32Array(n * per), y = new Float32Array(n);
  const soft = (u: number): number => 1 / (1 + Math.exp(-3 * u)); // inside when u > 0 (u in voxels)
  for (let e = 0; e < n; e++) {
    const label = e % 3;
    y[e] = label;
    const r = d * (0.22 + 0.1 * rng.uniform());
    const m = d / 2 - 0.5;
    const cx = m + (rng.uniform() - 0.5) * 0.2 * d, cy = m + (rng.uniform() - 0.5) * 0.2 * d, cz = m + (rng.uniform() - 0.5) * 0.2 * d;
    const axis = rng.int(3);
    const tubeR = r * 0.38;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++)
        for (let k = 0; k < d; k++) {
          const p = [i - cz, j - cy, k - cx];
          let u: number;
          if (label === 0) u = r - Math.hypot(p[0]!, p[1]!, p[2]!);
          else if (label === 1) u = r * 0.85 - Math.max(Math.abs(p[0]!), Math.abs(p[1]!), Math.abs(p[2]!));
          else {
            const a = p[axis]!, b = p[(axis + 1) % 3]!, c = p[(axis + 2) % 3]!;
            u = tubeR - Math.hypot(Math.hypot(b, c) - (r - tubeR * 0.3), a);
          }
          x[e * per + (i * d + j) * d + k] = soft(u) + noise * rng.normal();
        }
  }
  return { x: new Tensor(x, [n, d, d, d, 1]), y: new Tensor(y, [n]), classes: ["sphere", "cube", "torus"] };
}
