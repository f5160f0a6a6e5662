/**
 * Neural style transfer costs (course week 4), on activations `a[l]` of one image: `[nH,nW,nC]`
 * or a batch of one `[1,nH,nW,nC]` (NHWC). All are built from differentiable ops, so the costs
 * backpropagate to the generated image's pixels.
 *
 *   J_content(C,G)   = ½ ‖a[l](C) − a[l](G)‖²                       (the course)
 *   G[l]_kk'         = Σ_i Σ_j a_ijk a_ijk'                           (nC × nC Gram matrix)
 *   J_style[l](S,G)  = 1/(2 nH nW nC)² Σ_k Σ_k' (G[l](S)_kk' − G[l](G)_kk')²
 *   J_style(S,G)     = Σ_l λ[l] J_style[l](S,G)
 *   J(G)             = α J_content(C,G) + β J_style(S,G)
 */
import { Tensor, allocate, resultType } from "../tensor/tensor.js";
import { noGrad, record } from "../autograd/tape.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { numberArg, optNumberArg, optOneOfArg, optionsArg, typeFail } from "../util/check.js";
import { tensorArg } from "../tensor/args.js";
import { matmul } from "../ops/matmul.js";
import { reshape } from "../ops/layout.js";
import { mul, add } from "../ops/binary.js";

/** `[nH, nW, nC]` of one image's activations `[nH,nW,nC]` or `[1,nH,nW,nC]`. */
export function activationDims(fn: string, name: string, a: Tensor): [number, number, number] {
  tensorArg(fn, name, a);
  const s = a.shape;
  if (s.length === 3) return [s[0]!, s[1]!, s[2]!];
  if (s.length === 4 && s[0] === 1) return [s[1]!, s[2]!, s[3]!];
  throw new ShapeError(`${fn}: ${name} must be one image's activations [nH,nW,nC] or [1,nH,nW,nC], got ${fmtShape(s)}`);
}

function sameDims(fn: string, a: Tensor, b: Tensor, an: string, bn: string): [number, number, number] {
  const da = activationDims(fn, an, a), db = activationDims(fn, bn, b);
  if (da.some((v, i) => v !== db[i])) throw new ShapeError(`${fn}: ${an} ${fmtShape(a.shape)} and ${bn} ${fmtShape(b.shape)} must have the same [nH,nW,nC]`);
  return da;
}

/**
 * The Gram (style) matrix of one layer's activations: `G_kk' = Σ_i Σ_j a_ijk a_ijk'`, i.e.
 * `Aᵀ A` for A the `(nH·nW) × nC` unrolled activations. Returns `[nC, nC]`.
 *
 * @example
 * cl.style.gram(cl.tensor([1, 2, 3, 4], [1, 2, 1, 2]))   // [[10, 14], [14, 20]]
 */
export function gram(a: Tensor): Tensor {
  const [nH, nW, nC] = activationDims("style.gram", "a", a);
  const A = new Tensor(a.data, [nH * nW, nC]);
  const G = noGrad(() => matmul(A, A, { transA: true }));
  // one op with one GEMM backward: dA = A·(dG + dGᵀ) (matmul's own backward would run two GEMMs,
  // one per operand, and add them)
  return record("gram", G, [a], (dG) => {
    const d = dG.data, sym = allocate(dG.dtype, nC * nC);
    for (let i = 0; i < nC; i++) for (let j = 0; j < nC; j++) sym[i * nC + j] = d[i * nC + j]! + d[j * nC + i]!;
    return [reshape(matmul(A, new Tensor(sym, [nC, nC])), a.shape)];
  });
}

/**
 * `Σ (a − b)²` over all entries of two same-shaped tensors, a scalar, as one op: one pass forward
 * (accumulated in float64), one pass backward (`±2 (a − b)·dy`). @internal
 */
export function squaredDistance(a: Tensor, b: Tensor): Tensor {
  const ad = a.data, bd = b.data, n = ad.length;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const v = ad[i]! - bd[i]!;
    acc += v * v;
  }
  const dtype = resultType(a, b);
  const out = allocate(dtype, 1);
  out[0] = acc;
  return record("squaredDistance", new Tensor(out, []), [a, b], (dy) => {
    const g = 2 * dy.data[0]!;
    const da = a.requiresGrad ? allocate(a.dtype, n) : null, db = b.requiresGrad ? allocate(b.dtype, n) : null;
    for (let i = 0; i < n; i++) {
      const v = g * (ad[i]! - bd[i]!);
      if (da) da[i] = v;
      if (db) db[i] = -v;
    }
    return [da ? new Tensor(da, a.shape) : null, db ? new Tensor(db, b.shape) : null];
  });
}

export interface ContentCostOptions {
  /**
   * "course" (default): `½ ‖a(C) − a(G)‖²`, as in the lecture. "assignment": the programming
   * exercise's `1/(4 nH nW nC) ‖a(C) − a(G)‖²`, which makes the cost independent of the layer's size.
   */
  normalization?: "course" | "assignment";
}

/** `J_content(C,G) = ½ ‖a[l](C) − a[l](G)‖²` (or `1/(4 nH nW nC)·…` with `normalization: "assignment"`), a scalar. */
export function contentCost(aC: Tensor, aG: Tensor, opts: ContentCostOptions = {}): Tensor {
  const fn = "style.contentCost";
  const [nH, nW, nC] = sameDims(fn, aC, aG, "aC", "aG");
  const o = optionsArg(fn, opts);
  const norm = optOneOfArg(fn, "opts.normalization", o.normalization, ["course", "assignment"] as const) ?? "course";
  const k = norm === "course" ? 0.5 : 1 / (4 * nH * nW * nC);
  return mul(squaredDistance(aC, aG), k);
}

/** One layer's style cost `1/(2 nH nW nC)² Σ_k Σ_k' (G(S)_kk' − G(G)_kk')²`, a scalar. */
export function styleCost(aS: Tensor, aG: Tensor): Tensor {
  const fn = "style.styleCost";
  const [nH, nW, nC] = sameDims(fn, aS, aG, "aS", "aG");
  return mul(squaredDistance(gram(aS), gram(aG)), 1 / (2 * nH * nW * nC) ** 2);
}

/**
 * `J_style(S,G) = Σ_l λ[l] J_style[l](S,G)` over the layers named in `weights` (λ per layer;
 * default: every layer of `aS`, each λ = 1/L). `aS` and `aG` map layer names to activations.
 */
export function styleCostLayers(aS: Readonly<Record<string, Tensor>>, aG: Readonly<Record<string, Tensor>>, weights?: Readonly<Record<string, number>>): Tensor {
  const fn = "style.styleCostLayers";
  if (typeof aS !== "object" || aS === null || aS instanceof Tensor) typeFail(fn, "aS", "a record layer name → activations", aS);
  if (typeof aG !== "object" || aG === null || aG instanceof Tensor) typeFail(fn, "aG", "a record layer name → activations", aG);
  if (weights !== undefined && (typeof weights !== "object" || weights === null)) typeFail(fn, "weights", "a record layer name → λ", weights);
  const names = Object.keys(weights ?? aS);
  if (names.length === 0) throw new ValueError(`${fn}: no style layers (aS and weights are empty)`);
  let total: Tensor | null = null;
  for (const n of names) {
    const lambda = weights ? numberArg(fn, `weights.${n}`, weights[n]) : 1 / names.length;
    const s = aS[n], g = aG[n];
    if (!(s instanceof Tensor)) typeFail(fn, `aS.${n}`, "a Tensor of activations", s);
    if (!(g instanceof Tensor)) typeFail(fn, `aG.${n}`, "a Tensor of activations", g);
    const j = mul(styleCost(s, g), lambda);
    total = total === null ? j : add(total, j);
  }
  return total!;
}

export interface TotalCostOptions {
  /** α, the content weight (default 10, as in the programming exercise). */
  alpha?: number;
  /** β, the style weight (default 40). */
  beta?: number;
}

/** `J(G) = α J_content + β J_style` (scalars as tensors or numbers). */
export function totalCost(jContent: Tensor | number, jStyle: Tensor | number, opts: TotalCostOptions = {}): Tensor {
  const fn = "style.totalCost";
  const o = optionsArg(fn, opts);
  const alpha = optNumberArg(fn, "opts.alpha", o.alpha, { min: 0 }) ?? 10;
  const beta = optNumberArg(fn, "opts.beta", o.beta, { min: 0 }) ?? 40;
  const scalar = (name: string, v: Tensor | number): Tensor | number => {
    if (typeof v === "number") return numberArg(fn, name, v);
    tensorArg(fn, name, v);
    if (v.size !== 1) throw new ShapeError(`${fn}: ${name} must be a scalar, got ${fmtShape(v.shape)}`);
    return v;
  };
  const c = scalar("jContent", jContent), s = scalar("jStyle", jStyle);
  const t = add(mul(c, alpha), mul(s, beta));
  return t instanceof Tensor ? t : new Tensor(new Float32Array([t as number]), []);
}
