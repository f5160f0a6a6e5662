// Bad arguments to tensors, creation, ops and autograd: each is an error of convlab's own class
// (a ConvlabError) naming the function, the argument, what was expected and what was received —
// never V8's TypeError/RangeError and never a tensor of NaN.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

const { ConvlabError, ArgumentTypeError, ShapeError, ValueError, AllocationError } = cl;

/** The error `f` throws (fails when it returns). */
function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a throw");
}

describe("error classes", () => {
  it("ShapeError, ValueError, ArgumentTypeError, AllocationError and IoError are ConvlabErrors with their own names", () => {
    for (const [C, name] of [[ShapeError, "ShapeError"], [ValueError, "ValueError"], [ArgumentTypeError, "ArgumentTypeError"], [AllocationError, "AllocationError"]] as const) {
      const e = new C("x");
      expect(e).toBeInstanceOf(ConvlabError);
      expect(e).toBeInstanceOf(Error);
      expect(e.name).toBe(name);
    }
    expect(new AllocationError("x")).toBeInstanceOf(ValueError);
    const io = new cl.IoError("f: cannot read p", "p", { code: "ENOENT" });
    expect(io).toBeInstanceOf(ConvlabError);
    expect([io.name, io.code, io.path]).toEqual(["IoError", "ENOENT", "p"]);
  });
});

describe("creation", () => {
  it("cl.tensor('abc') and cl.full([2,2], 'x') throw instead of giving NaN", () => {
    const a = thrown(() => cl.tensor("abc" as never));
    expect(a).toBeInstanceOf(ArgumentTypeError);
    expect(a.message).toBe('tensor: values must be a number, nested arrays of numbers or a typed array, got the string "abc"');
    const b = thrown(() => cl.full([2, 2], "x" as never));
    expect(b).toBeInstanceOf(ArgumentTypeError);
    expect(b.message).toBe('full: value must be a number, got the string "x"');
  });
  it("a string, boolean or null inside nested values names its position", () => {
    expect(() => cl.tensor([[1, 2], [3, "4"]] as never)).toThrow(/^tensor: values\[1\]\[1\] must be a number, got the string "4"$/);
    expect(() => cl.tensor([true, false] as never)).toThrow(/values\[0\] must be a number, got true/);
    expect(() => cl.tensor([1, null] as never)).toThrow(ArgumentTypeError);
    expect(() => cl.tensor([[1], [2, 3]])).toThrow(ShapeError); // ragged stays a shape error
  });
  it("self-containing or absurdly deep nested arrays are refused instead of looping", () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => cl.tensor(a as never)).toThrow(/nested more than 64 deep/);
  });
  it("shapes must be arrays of non-negative integers", () => {
    expect(() => cl.zeros(5 as never)).toThrow(/^zeros: shape must be an array of dimensions, e.g. \[2, 3\], got the number 5$/);
    expect(() => cl.zeros(null as never)).toThrow(ArgumentTypeError);
    expect(() => cl.ones([2, -1])).toThrow(/ones: invalid shape \[2,-1\]/);
    expect(() => cl.ones([2, 1.5])).toThrow(ShapeError);
    expect(() => cl.ones(["2"] as never)).toThrow(/invalid shape \[the string "2"\]/);
  });
  it("impossible sizes are refused before allocating, naming the function and the shape", () => {
    const e = thrown(() => cl.zeros([1e6, 1e6, 1e6]));
    expect(e).toBeInstanceOf(AllocationError);
    expect(e.message).toMatch(/^zeros: shape \[1000000,1000000,1000000\] has 1000000000000000000 elements, which is more than one tensor can hold \(at most 4294967295 elements\)$/);
    expect(() => cl.randn([1e5, 1e5])).toThrow(/^randn: shape \[100000,100000\]/);
    expect(() => cl.arange(0, 1e12)).toThrow(AllocationError);
    expect(() => cl.eye(1e6)).toThrow(/^eye: /);
    expect(() => cl.linspace(0, 1, 2 ** 40)).toThrow(AllocationError);
  });
  it("options: wrong kinds and unknown dtypes", () => {
    expect(() => cl.zeros([2], null as never)).toThrow(/^zeros: opts must be an options object, got null$/);
    expect(() => cl.zeros([2], { dtype: "int8" as never })).toThrow(/^zeros: opts.dtype must be "float32" or "float64", got the string "int8"$/);
    expect(() => cl.zeros([2], { requiresGrad: "yes" as never })).toThrow(/opts.requiresGrad must be true or false/);
    expect(() => cl.randn([2], { seed: "1" as never })).toThrow(/^randn: opts.seed must be a number, got the string "1"$/);
    expect(() => cl.rand([2], { low: "0" as never })).toThrow(ArgumentTypeError);
    expect(() => cl.linspace(0, 1, -1)).toThrow(/^linspace: n must be an integer ≥ 0, got -1$/);
    expect(() => cl.arange(0, "5" as never)).toThrow(/^arange: stop must be a number/);
  });
  it("NaN and Infinity stay legal fill values (they are numbers)", () => {
    expect(Number.isNaN(cl.full([1], NaN).item())).toBe(true);
    expect(cl.full([1], Infinity).item()).toBe(Infinity);
  });
  it("the Tensor constructor checks its data and shape", () => {
    expect(() => new cl.Tensor(null as never, [1])).toThrow(/^Tensor: data must be a Float32Array or Float64Array, got null$/);
    expect(() => new cl.Tensor(new Float32Array(2), "ab" as never)).toThrow(ArgumentTypeError);
    expect(() => new cl.Tensor(new Float32Array(1), [NaN])).toThrow(ShapeError);
  });
});

describe("ops", () => {
  const x = cl.ones([2, 2]);
  it("null, undefined and non-tensors name the op and the argument", () => {
    expect(() => cl.add(null as never, x)).toThrow(/^add: a must be a Tensor or a number, got null$/);
    expect(() => x.mul("2" as never)).toThrow(/^mul: b must be a Tensor or a number, got the string "2"$/);
    expect(() => cl.exp(undefined as never)).toThrow(/^exp: x must be a Tensor, got undefined$/);
    expect(() => cl.sum({} as never)).toThrow(/^sum: x must be a Tensor, got an object$/);
    expect(() => cl.matmul(x, [[1]] as never)).toThrow(/^matmul: b must be a Tensor, got an array of 1$/);
    expect(() => cl.conv2d(x, null as never)).toThrow(/^conv2d: w must be a Tensor, got null$/);
    expect(() => cl.maxPool2d(cl.ones([1, 2, 2, 1]), null as never)).toThrow(/^maxPool2d: opts must be an options object/);
    expect(() => cl.softmaxCrossEntropy(x, null as never)).toThrow(/^softmaxCrossEntropy: labels must be/);
    expect(() => cl.concat([x, 3] as never)).toThrow(/^concat: xs\[1\] must be a Tensor, got the number 3$/);
  });
  it("axes, shapes and option values of the wrong kind", () => {
    expect(() => cl.sum(x, {} as never)).toThrow(/^sum: axis must be an integer or an array of integers, got an object$/);
    expect(() => cl.softmax(x, "a" as never)).toThrow(/^softmax: axis must be an integer, got the string "a"$/);
    expect(() => cl.reshape(x, 4 as never)).toThrow(/^reshape: shape must be an array/);
    expect(() => cl.pad(x, [[1]] as never)).toThrow(/^pad: paddings\[0\] must be a pair \[before, after\]/);
    expect(() => cl.clip(x, "0" as never, 1)).toThrow(/^clip: lo must be a number/);
    expect(() => cl.matmul(x, x, { transA: 1 as never })).toThrow(/opts.transA must be true or false/);
  });
  it("huge padding, broadcasts and strides are refused before allocating", () => {
    const img = cl.ones([1, 4, 4, 1]), w = cl.ones([3, 3, 1, 1]);
    expect(() => cl.conv2d(img, w, { padding: 1e9 })).toThrow(AllocationError);
    expect(() => cl.conv2d(img, w, { padding: 1e300 })).toThrow(ValueError);
    expect(() => cl.pad(x, [[0, 1e10]])).toThrow(/^pad: /);
    expect(() => cl.broadcastTo(cl.ones([1]), [1e6, 1e6])).toThrow(/^broadcastTo: /);
    expect(() => cl.conv2dTranspose(img, w, { stride: 1e8 })).toThrow(AllocationError);
  });
  it("autograd: noGrad needs a function, backward a tensor gradient", () => {
    expect(() => cl.noGrad(null as never)).toThrow(/^noGrad: fn must be a function, got null$/);
    const y = cl.ones([1], { requiresGrad: true }).mul(2).sum();
    expect(() => y.backward("1" as never)).toThrow(/^backward: grad must be a Tensor/);
    expect(() => cl.gradcheck((t) => t, [null] as never)).toThrow(/^gradcheck: inputs\[0\] must be a Tensor/);
  });
  it("Rng and manualSeed take numbers", () => {
    expect(() => new cl.Rng("a" as never)).toThrow(/^Rng: seed must be a number/);
    expect(() => new cl.Rng(0).permutation(-1)).toThrow(/^Rng.permutation: n must be an integer in \[0, 2147483647\], got -1$/);
    expect(() => cl.manualSeed(NaN)).toThrow(ValueError);
  });
});

describe("allocation limit", () => {
  it("the Node entry limits one allocation to the machine's memory; a larger request names the function", async () => {
    const { totalmem } = await import("node:os");
    const limits = await import("../../../src/util/limits.js");
    expect(limits.maxAllocationBytes()).toBe(totalmem());
    const before = limits.maxAllocationBytes();
    limits.setMaxAllocationBytes(1 << 20);
    try {
      expect(() => cl.zeros([1 << 19])).toThrow(/^zeros: shape \[524288\] has 524288 elements, which need 2\.00 MiB, more than this machine's memory \(1\.00 MiB\)$/);
      expect(cl.zeros([1 << 17]).size).toBe(1 << 17);
    } finally {
      limits.setMaxAllocationBytes(before);
    }
  });
});
