// Shape-only parameters and lazy weights: summaries and counts from shapes alone, weights made on
// first use (seeded per weight, so the order of use does not matter) or filled straight from
// loaded values without a random initialisation.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

/** VGG-16 (configuration D): 13 convolutions in 5 blocks, 3 dense layers, 138,357,544 parameters. */
function vgg16(): cl.nn.Sequential {
  const layers: cl.nn.Layer[] = [];
  const blocks: [number, number][] = [[64, 2], [128, 2], [256, 3], [512, 3], [512, 3]];
  blocks.forEach(([filters, n], b) => {
    for (let i = 0; i < n; i++) layers.push(cl.nn.conv2d({ name: `block${b + 1}_conv${i + 1}`, filters, size: 3, padding: "same", activation: "relu" }));
    layers.push(cl.nn.maxPool2d({ name: `block${b + 1}_pool`, size: 2, stride: 2 }));
  });
  layers.push(cl.nn.flatten({ name: "flatten" }), cl.nn.dense({ name: "fc1", units: 4096, activation: "relu" }), cl.nn.dense({ name: "fc2", units: 4096, activation: "relu" }), cl.nn.dense({ name: "predictions", units: 1000 }));
  return cl.nn.sequential(layers, { inputShape: [224, 224, 3], name: "vgg16", seed: 0 });
}

describe("lazy weights", () => {
  it("a model's summary, counts and state shapes allocate nothing; predict allocates", () => {
    const m = cl.models.lenet5({ seed: 1 });
    expect(m.summary().totalParams).toBe(62958);
    expect(m.countParams()).toBe(62958);
    expect(m.stateDictShapes()).toMatchObject({ "CONV1/kernel": [5, 5, 3, 8], "softmax/bias": [10] });
    expect(m.materialized).toBe(false);
    expect(m.getLayer("FC3").weightSpecs()).toEqual([
      { name: "kernel", shape: [400, 120], buffer: false, allocated: false },
      { name: "bias", shape: [120], buffer: false, allocated: false },
    ]);
    m.predict(cl.zeros([1, 32, 32, 3]));
    expect(m.materialized).toBe(true);
  });

  it("the same seed gives the same weights whatever order they are first used in", () => {
    const a = cl.models.lenet5({ seed: 7 }), b = cl.models.lenet5({ seed: 7 });
    const fcA = Array.from(a.getLayer("FC3").weight("kernel").data); // FC3 first in a
    const convB = Array.from(b.getLayer("CONV1").weight("kernel").data); // CONV1 first in b
    expect(Array.from(b.getLayer("FC3").weight("kernel").data)).toEqual(fcA);
    expect(Array.from(a.getLayer("CONV1").weight("kernel").data)).toEqual(convB);
    expect(Array.from(cl.models.lenet5({ seed: 8 }).getLayer("FC3").weight("kernel").data)).not.toEqual(fcA);
  });

  it("loading a state dict fills the weights without a random initialisation first", () => {
    let draws = 0;
    const counted: cl.nn.Initializer = (shape, rng) => {
      draws++;
      return cl.nn.initialize("glorotUniform", shape, rng, "test");
    };
    const make = () => cl.nn.sequential([cl.nn.dense({ name: "fc", units: 3, kernelInitializer: counted })], { inputShape: [4], seed: 0 });
    const source = make();
    const state = source.stateDict(); // allocates source's weights: one draw
    expect(draws).toBe(1);
    const fresh = make();
    fresh.loadStateDict(state);
    expect(draws).toBe(1); // no draw for the loaded model
    expect(Array.from(fresh.getLayer("fc").weight("kernel").data)).toEqual(Array.from(state["fc/kernel"]!.data));
    expect(fresh.getLayer("fc").weight("kernel")).not.toBe(state["fc/kernel"]); // its own copy
  });

  it("model.build() allocates every weight; setDtype before first use makes float64 weights", () => {
    const m = cl.models.lenet5({ seed: 0 });
    m.setDtype("float64");
    expect(m.materialized).toBe(false);
    m.build();
    expect(m.materialized).toBe(true);
    expect(m.parameters().every((p) => p.dtype === "float64")).toBe(true);
    const lazy = cl.nn.sequential([cl.nn.dense({ units: 2 })], { seed: 0 });
    lazy.build([5]);
    expect(lazy.summary().totalParams).toBe(12);
    expect(lazy.materialized).toBe(true);
  });

  it("summary() of VGG-16 (138,357,544 parameters) raises the process's RSS by less than 50 MB", () => {
    // warm up the code paths (module loading, JIT) on a small model first
    cl.models.lenet5().summary().toMimeBundle();
    const before = process.memoryUsage().rss;
    const m = vgg16();
    const s = m.summary();
    const text = s.toString();
    const bundle = s.toMimeBundle();
    const after = process.memoryUsage().rss;
    expect(s.totalParams).toBe(138_357_544);
    expect(s.rows.find((r) => r.name === "fc1")!.params).toBe(7 * 7 * 512 * 4096 + 4096);
    expect(text).toMatch(/Total params: 138,357,544/);
    expect(Object.keys(bundle.data)).toContain("application/vnd.convlab.model+json");
    expect(m.materialized).toBe(false);
    const grownMb = (after - before) / 2 ** 20;
    console.log(`VGG-16 summary: RSS +${grownMb.toFixed(1)} MB (its weights would take ${((138_357_544 * 4) / 2 ** 20).toFixed(0)} MB)`);
    expect(grownMb).toBeLessThan(50);
  });
});
