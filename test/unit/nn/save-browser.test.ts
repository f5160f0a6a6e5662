// Under convlab/browser (no file system) model.save and model.loadWeights say what to use instead.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/browser.js";

describe("model.save in the browser entry", () => {
  it("throws naming the call and the alternative", () => {
    const m = cl.nn.sequential([cl.nn.dense({ units: 2 })], { inputShape: [3], seed: 0 });
    expect(() => m.save("m.ckpt")).toThrow(/^model\.save: files need Node \(import "convlab", not "convlab\/browser"\); in the browser use model\.stateDict\(\)/);
    expect(() => m.loadWeights("m.ckpt")).toThrow(/^model\.loadWeights: files need Node/);
  });
});
