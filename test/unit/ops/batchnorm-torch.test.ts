// cl.batchNorm in float32 (the WASM kernels) against torch.nn.functional.batch_norm run in float64
// on the same float32 values (.venv's torch; skipped with the reason where it is missing): y, the
// updated running statistics (momentum 0.1, unbiased variance), and the gradients of Σ y·w in x,
// γ and β, training and inference. Tolerance |a − b| ≤ atol + rtol·|b| with atol scaled by the
// size of each quantity's terms (float32 resolves ~1e-7 of them).
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import * as cl from "../../../src/index.js";
import { closeness, pythonMissing, runPython } from "../interop/python.js";

const dir = mkdtempSync(join(tmpdir(), "convlab-bn-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCRIPT = `
import json, sys, torch
import torch.nn.functional as F
d = json.load(open(sys.argv[1]))
n, c = d["n"], d["c"]
t = lambda k, *shape: torch.tensor(d[k], dtype=torch.float64).reshape(*shape)
x = t("x", n, c).requires_grad_(); g = t("gamma", c).requires_grad_(); b = t("beta", c).requires_grad_()
rm, rv = t("rm", c), t("rv", c)
y = F.batch_norm(x, rm, rv, g, b, training=d["training"], momentum=0.1, eps=1e-5)
(y * t("w", n, c)).sum().backward()
out = {"y": y.detach().flatten().tolist(), "rm": rm.tolist(), "rv": rv.tolist(), "dx": x.grad.flatten().tolist(), "dg": g.grad.tolist(), "db": b.grad.tolist()}
json.dump(out, open(sys.argv[2], "w"))
`;

const missing = pythonMissing(["torch"]);
describe.skipIf(missing !== null)(`batchNorm float32 vs PyTorch float64${missing ? ` (skipped: ${missing})` : ""}`, () => {
  const cases: [number[], boolean, number, number][] = [
    [[16, 8, 8, 6], true, 0, 1], [[8, 16, 16, 16], true, 100, 0.1], [[3, 7, 7, 5], false, -3, 2], [[1000, 1], true, 500, 0.01],
  ];
  for (const [shape, training, mean, std] of cases)
    it(`x=[${shape}] training=${training}, x ~ ${mean} ± ${std}`, async () => {
      const c = shape.at(-1)!, n = shape.reduce((a, v) => a * v, 1) / c;
      const x = cl.randn(shape, { seed: 21, mean, std, requiresGrad: true });
      const gamma = cl.rand([c], { seed: 22, low: 0.5, high: 2, requiresGrad: true }), beta = cl.randn([c], { seed: 23, requiresGrad: true });
      const runningMean = cl.full([c], mean), runningVar = cl.full([c], std * std * 1.5);
      const w = cl.randn(shape, { seed: 24 });
      const input = { n: n, c: c, training: training, x: Array.from(x.data), gamma: Array.from(gamma.data), beta: Array.from(beta.data), rm: Array.from(runningMean.data), rv: Array.from(runningVar.data), w: Array.from(w.data) };
      writeFileSync(join(dir, "in.json"), JSON.stringify(input));
      await runPython(SCRIPT, [join(dir, "in.json"), join(dir, "out.json")]);
      const ref = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as Record<string, number[]>;
      const y = cl.batchNorm(x, gamma, beta, { training: training, runningMean: runningMean, runningVar: runningVar });
      y.mul(w).sum().backward();
      const gMax = Math.max(...Array.from(gamma.data, Math.abs));
      const invStd = 1 / std;
      const within = (name: string, a: ArrayLike<number>, b: number[], atol: number, rtol: number): void => {
        const r = closeness(a, b, atol, rtol);
        expect(r.ok, `${name}: max |a − b| = ${r.maxAbs} (atol ${atol}, rtol ${rtol})`).toBe(true);
      };
      within("y", y.data, ref.y!, 2e-6 * (gMax * 4 + 3), 1e-6);
      within("running mean", runningMean.data, ref.rm!, 2e-5 * std, 1e-6);
      within("running variance", runningVar.data, ref.rv!, 0, 2e-5);
      // sums of n terms of size ≲ 1 (float32 chunks of ≤ 64, then float64)
      within("dβ", beta.grad!.data, ref.db!, 1e-6 * n, 0);
      within("dγ", gamma.grad!.data, ref.dg!, 1e-6 * n, 0);
      // dx ≈ γ·invStd·w, |w| ≲ 4
      within("dx", x.grad!.data, ref.dx!, 1e-6 * gMax * invStd * 4, 1e-6);
    });
});
