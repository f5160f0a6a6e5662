// model.loadWeights(weights, { mapping, strict, layout }): named tensors from another source
// (tfjs manifests, PyTorch state dicts) assigned by name through a mapping, every shape checked,
// layouts converted (OIHW, depthwise), unused and missing tensors reported, lazy weights filled
// without a random initialisation.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

const small = (seed: number, init?: cl.nn.Initializer) =>
  cl.nn.sequential(
    [
      cl.nn.conv2d({ name: "conv0", filters: 4, size: 3, activation: "relu", ...(init ? { kernelInitializer: init } : {}) }),
      cl.nn.depthwiseConv2d({ name: "dw1", size: 3, depthMultiplier: 2, padding: "same" }),
      cl.nn.flatten({ name: "flat" }),
      cl.nn.dense({ name: "fc", units: 3 }),
    ],
    { inputShape: [7, 7, 2], seed, name: "small" },
  );

/** convlab's depthwise kernel [f,f,C,M] in PyTorch's grouped layout [C·M,1,f,f] (output channel c·M + m). */
function torchDepthwise(k: cl.Tensor): cl.Tensor {
  const [f1, f2, c, m] = k.shape as [number, number, number, number];
  const out = new Float32Array(k.size);
  for (let i = 0; i < f1; i++) for (let j = 0; j < f2; j++) for (let ci = 0; ci < c; ci++) for (let mi = 0; mi < m; mi++)
    out[((ci * m + mi) * f1 + i) * f2 + j] = k.data[((i * f2 + j) * c + ci) * m + mi]!;
  return new cl.Tensor(out, [c * m, 1, f1, f2]);
}

const x = cl.randn([2, 7, 7, 2], { seed: 100 });

describe("loadWeights from a record", () => {
  it("by name: another model's state dict loads and gives the same outputs; the report lists what was loaded", () => {
    const a = small(1), b = small(2);
    const r = b.loadWeights(a.stateDict());
    expect(r).toEqual({ loaded: ["conv0/kernel", "conv0/bias", "dw1/kernel", "dw1/bias", "fc/kernel", "fc/bias"], unused: [], ignored: [], missing: [] });
    expect(Array.from(b.predict(x).data)).toEqual(Array.from(a.predict(x).data));
    // a Map works as well
    expect(small(3).loadWeights(new Map(Object.entries(a.stateDict()))).loaded.length).toBe(6);
  });

  it("PyTorch layouts: OIHW conv kernels, [C·M,1,f,f] depthwise kernels and [out,in] dense kernels", () => {
    const a = small(4);
    const s = a.stateDict();
    const torch = {
      "features.0.weight": cl.transpose(s["conv0/kernel"]!, [3, 2, 0, 1]),
      "features.0.bias": s["conv0/bias"]!,
      "features.1.weight": torchDepthwise(s["dw1/kernel"]!),
      "features.1.bias": s["dw1/bias"]!,
      "classifier.weight": cl.transpose(s["fc/kernel"]!, [1, 0]),
      "classifier.bias": s["fc/bias"]!,
    };
    const mapping = {
      "features.0.weight": "conv0/kernel", "features.0.bias": "conv0/bias",
      "features.1.weight": "dw1/kernel", "features.1.bias": "dw1/bias",
      "classifier.weight": "fc/kernel", "classifier.bias": "fc/bias",
    };
    const b = small(5);
    b.loadWeights(torch, { mapping, layout: "torch" });
    expect(Array.from(b.predict(x).data)).toEqual(Array.from(a.predict(x).data));
    // the same with an explicit layout per tensor
    const c = small(6);
    c.loadWeights(torch, {
      mapping: {
        ...mapping,
        "features.0.weight": { target: "conv0/kernel", layout: "OIHW" },
        "features.1.weight": { target: "dw1/kernel", layout: "torchDepthwise" },
        "classifier.weight": { target: "fc/kernel", layout: "OI" },
      },
    });
    expect(Array.from(c.predict(x).data)).toEqual(Array.from(a.predict(x).data));
  });

  it("a mapping function renames (tfjs names → convlab's); a transform hook converts values", () => {
    const a = small(7);
    const s = a.stateDict();
    const tfjs: Record<string, cl.Tensor> = {
      "conv0/filters": s["conv0/kernel"]!, "conv0/bias": s["conv0/bias"]!,
      "dw1/depthwise_filter": s["dw1/kernel"]!, "dw1/bias": s["dw1/bias"]!,
      "fc/weights": s["fc/kernel"]!.mul(2), "fc/bias": s["fc/bias"]!,
      "meta/version": cl.tensor([1]),
    };
    const b = small(8);
    const r = b.loadWeights(tfjs, {
      mapping: (name) => {
        if (name.startsWith("meta/")) return null; // ignored on purpose
        if (name === "fc/weights") return { target: "fc/kernel", transform: (t) => t.mul(0.5) };
        return name.replace(/\/(filters|depthwise_filter)$/, "/kernel");
      },
    });
    expect(r.ignored).toEqual(["meta/version"]);
    expect(r.unused).toEqual([]);
    expectClose(b.predict(x), a.predict(x), { atol: 1e-6, rtol: 0 });
  });

  it("strict (the default): unused and missing tensors are one error, and nothing is assigned", () => {
    const a = small(9), b = small(10);
    const { "fc/bias": _dropped, ...partial } = a.stateDict();
    const before = Array.from(b.getLayer("conv0").weight("kernel").data);
    expect(() => b.loadWeights({ ...partial, "extra/w": cl.ones([2]) })).toThrow(
      /^sequential layer 'small': loadWeights: the weights do not fit \(strict\); unused: extra\/w; missing: fc\/bias — map them with \{ mapping \}, ignore sources with a null entry, or pass strict: false$/,
    );
    expect(Array.from(b.getLayer("conv0").weight("kernel").data)).toEqual(before);
    const r = b.loadWeights({ ...partial, "extra/w": cl.ones([2]) }, { strict: false });
    expect([r.unused, r.missing, r.loaded.length]).toEqual([["extra/w"], ["fc/bias"], 5]);
    expect(Array.from(b.getLayer("conv0").weight("kernel").data)).toEqual(Array.from(a.getLayer("conv0").weight("kernel").data));
  });

  it("every shape is checked; a transposed kernel gets a hint about layouts", () => {
    const b = small(11);
    expect(() => b.loadWeights({ "conv0/kernel": cl.zeros([4, 2, 3, 3]) }, { strict: false })).toThrow(
      /loadWeights: 'conv0\/kernel' → 'conv0\/kernel': the model's weight has shape \[3,3,2,4\] but the source has \[4,2,3,3\] \(the same sizes in another order: give the source's layout/,
    );
    expect(() => b.loadWeights({ w: cl.zeros([5]) }, { mapping: { w: "fc/bias" }, strict: false })).toThrow(/'w' → 'fc\/bias': the model's weight has shape \[3\] but the source has \[5\]$/);
    expect(() => b.loadWeights({ w: cl.zeros([3]) }, { mapping: { w: "fc/bais" }, strict: false })).toThrow(/'w' → 'fc\/bais': the model has no weight 'fc\/bais' \(weights: conv0\/kernel/);
    expect(() => b.loadWeights({ w: cl.zeros([3]), v: cl.zeros([3]) }, { mapping: { w: "fc/bias", v: "fc/bias" }, strict: false })).toThrow(/'v' → 'fc\/bias': 'fc\/bias' is already filled from 'w'/);
    expect(() => b.loadWeights({ w: cl.zeros([3, 3, 2, 4]) }, { mapping: { w: { target: "conv0/kernel", layout: "OIXY" } }, strict: false })).toThrow(
      /layout "OIXY" must order the letters of convlab's layout HWIO \(e\.g\. "OIHW"\)/,
    );
    expect(() => b.loadWeights({ w: cl.zeros([3]) }, { mapping: { w: { target: "fc/bias", layout: "OI" } }, strict: false })).toThrow(/a layout is only known for kernels/);
  });

  it("lazy weights are filled straight from the source, without a random initialisation first", () => {
    let draws = 0;
    const counted: cl.nn.Initializer = (shape, rng) => (draws++, cl.nn.initialize("heNormal", shape, rng, "test"));
    const src = small(12).stateDict();
    const m = small(13, counted);
    m.loadWeights(src);
    expect(draws).toBe(0);
    expect(m.materialized).toBe(true);
    expect(Array.from(m.getLayer("conv0").weight("kernel").data)).toEqual(Array.from(src["conv0/kernel"]!.data));
  });

  it("bad arguments", () => {
    const m = small(0);
    expect(() => m.loadWeights(42 as never)).toThrow(/loadWeights: expected weights as a record \(or Map\) name → tensor, got 42/);
    expect(() => m.loadWeights({ a: [1, 2] } as never)).toThrow(/loadWeights: weight 'a' must be a tensor, got \[1,2\]/);
    expect(() => m.loadWeights({}, { mapping: 3 as never })).toThrow(/mapping must be a record source → target or a function, got 3/);
    expect(() => m.loadWeights({}, { strict: "no" as never })).toThrow(/loadWeights: strict must be true or false, got "no"/);
    expect(() => m.loadWeights({}, { layout: "caffe" as never })).toThrow(/loadWeights: layout must be "convlab" or "torch", got "caffe"/);
  });
});
