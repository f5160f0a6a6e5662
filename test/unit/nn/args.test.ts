// Argument checks across cl.nn, cl.train and cl.data pipelines: wrong types, null/undefined and
// bad configs give convlab's errors (ValueError / ShapeError) naming the layer, model or
// function, the argument, what was expected and what was received.
import { describe, it, expect } from "vitest";
import * as cl from "../../../src/index.js";

const model = () => cl.nn.sequential([cl.nn.dense({ name: "fc", units: 2 })], { inputShape: [3], name: "m", seed: 0 });
const opt = () => cl.train.sgd({ lr: 0.1 });

type Case = [string, () => unknown, RegExp, typeof cl.ValueError | typeof cl.ShapeError];
const V = cl.ValueError, S = cl.ShapeError;

const cases: Case[] = [
  // layers
  ["layer options null", () => cl.nn.flatten(null as never), /^layer: options must be an object such as \{ name: "conv1" \}, got null$/, V],
  ["conv2d without options", () => cl.nn.conv2d(undefined as never), /^conv2d layer: filters must be a positive integer, got undefined$/, V],
  ["conv2d filters as a string", () => cl.nn.conv2d({ filters: "8" as never, size: 3 }), /^conv2d layer: filters must be a positive integer, got "8"$/, V],
  ["conv2d unknown padding", () => cl.nn.conv2d({ name: "c", filters: 2, size: 3, padding: "full" as never }), /^conv2d layer 'c': unknown padding "full" \(expected "valid", "same"/, V],
  ["conv2d useBias not boolean", () => cl.nn.conv2d({ filters: 2, size: 3, useBias: 1 as never }), /^conv2d layer: useBias must be true or false, got 1$/, V],
  ["conv2d unknown initializer", () => cl.nn.conv2d({ filters: 2, size: 3, kernelInitializer: "xavier" as never }), /^conv2d layer: kernelInitializer must be one of glorotUniform, .* or a function \(shape, rng\) => tensor, got "xavier"$/, V],
  ["dense units null", () => cl.nn.dense({ units: null as never }), /^dense layer: units must be a positive integer, got null$/, V],
  ["maxPool2d padding -1", () => cl.nn.maxPool2d({ size: 2, padding: -1 }), /^maxPool2d layer: unknown padding -1/, V],
  ["batchNorm momentum as a string", () => cl.nn.batchNorm({ momentum: "0.1" as never }), /^batchNorm layer: momentum must be in \[0, 1\], got "0\.1"$/, V],
  ["batchNorm eps 0", () => cl.nn.batchNorm({ eps: 0 }), /^batchNorm layer: eps must be a positive number, got 0$/, V],
  ["dropout seed NaN", () => cl.nn.dropout({ rate: 0.5, seed: NaN }), /^dropout layer: seed must be a finite number, got NaN$/, V],
  ["layer trainable not boolean", () => cl.nn.dense({ units: 2, trainable: "yes" as never }), /^layer: trainable must be true or false, got "yes"$/, V],
  ["layer.call(null)", () => cl.nn.dense({ name: "d", units: 2 }).call(null as never), /^dense layer 'd': call\(\) takes a tensor \(or a list of tensors\), got null$/, V],
  ["layer.weight of an unknown name", () => model().getLayer("fc").weight("kernal"), /^dense layer 'fc': no weight named 'kernal' \(has kernel, bias\)$/, V],
  ["input shape undefined", () => cl.nn.input(undefined as never), /^input layer: shape must be a non-empty list of positive integers/, V],
  // models
  ["sequential layers not a list", () => cl.nn.sequential(cl.nn.dense({ units: 2 }) as never), /^sequential: expected a non-empty list of layers, got a Dense/, V],
  ["sequential inputShape with the batch", () => cl.nn.sequential([cl.nn.dense({ units: 2 })], { inputShape: [0, 3] }), /^sequential layer: inputShape must be a non-empty list of positive integers .* got \[0,3\]$/, V],
  ["sequential options a number", () => cl.nn.sequential([cl.nn.dense({ units: 2 })], 3 as never), /^sequential: expected options \{ inputShape\?, name\?, seed\? \}, got 3$/, V],
  ["model seed a string", () => cl.nn.sequential([cl.nn.dense({ units: 2 })], { seed: "1" as never }), /^sequential layer: seed must be a finite number, got "1"$/, V],
  ["predict(null)", () => model().predict(null as never), /^sequential layer 'm': expected x as a tensor, a list of tensors or a record by input name, got null$/, V],
  ["predict of a list with a non-tensor", () => model().predict([3] as never), /^sequential layer 'm': input 0 must be a tensor, got 3$/, V],
  ["predict of the wrong rank", () => model().predict(cl.zeros([3])), /^sequential layer 'm': expected input \[m,3\], got \[3\]$/, S],
  ["activations with layers not a list", () => model().activations(cl.zeros([1, 3]), { layers: "fc" as never }), /^sequential layer 'm': activations: layers must be a list of layer names, got "fc"$/, V],
  ["getLayer(3)", () => model().getLayer(3 as never), /^sequential layer 'm': getLayer: name must be a string, got 3$/, V],
  ["setDtype float16", () => model().setDtype("float16" as never), /setDtype: dtype must be "float32" or "float64", got "float16"$/, V],
  ["save without a path", () => model().save(undefined as never), /^model\.save: path must be a non-empty string, got undefined$/, V],
  ["loadStateDict(null)", () => model().loadStateDict(null as never), /^sequential layer 'm': loadStateDict: expected weights as a record \(or Map\) name → tensor, got null$/, V],
  ["freeze(null)", () => model().freeze(null as never), /^sequential layer 'm': freeze: upTo must be a layer name, got null$/, V],
  // optimizers and training
  ["adam without options", () => cl.train.adam(undefined as never), /^adam: expected options \{ lr, \.\.\. \}, got undefined$/, V],
  ["sgd lr as a string", () => cl.train.sgd({ lr: "0.1" as never }), /^sgd: lr must be a positive number, got "0\.1"$/, V],
  ["sgd nesterov not boolean", () => cl.train.sgd({ lr: 0.1, momentum: 0.9, nesterov: 1 as never }), /^sgd: nesterov must be true or false, got 1$/, V],
  ["adam params not tensors", () => cl.train.adam({ lr: 0.1, params: [1, 2] as never }), /^adam: params must be a list of tensors .* got \[1,2\]$/, V],
  ["optimizer.step of a tensor", () => opt().step(cl.ones([2]) as never), /^sgd\.step: expected a list of parameter tensors, got a tensor \[2\]$/, V],
  ["optimizer.zeroGrad of numbers", () => opt().zeroGrad([1] as never), /^sgd\.zeroGrad: expected a list of parameter tensors, got \[1\]$/, V],
  ["initialize with a bad shape", () => cl.nn.initialize("zeros", [2, -1], new cl.Rng(0), "init"), /^init: initialize: shape must be a list of non-negative integers, got \[2,-1\]$/, V],
  ["initialize without a generator", () => cl.nn.initialize("zeros", [2], null as never, "init"), /^init: initialize: rng must be a generator such as new cl\.Rng\(0\), got null$/, V],
  ["accuracy of non-tensors", () => cl.train.accuracy([1] as never, [1] as never), /^accuracy: expected tensors \(output, y\)$/, V],
  // data pipelines
  ["dataset.shuffle seed NaN", () => cl.data.dataset([1]).shuffle({ seed: NaN }), /^dataset\.shuffle: seed must be a finite number, got NaN$/, V],
  ["dataset.shuffle bufferSize 0", () => cl.data.dataset([1]).shuffle({ bufferSize: 0 }), /^dataset\.shuffle: bufferSize must be a positive integer, got 0$/, V],
  ["dataset.take(-1)", () => cl.data.dataset([1]).take(-1), /^dataset\.take: n must be a non-negative integer, got -1$/, V],
  ["dataset.skip(1.5)", () => cl.data.dataset([1]).skip(1.5), /^dataset\.skip: n must be a non-negative integer, got 1\.5$/, V],
  ["dataset.concat of an array", () => cl.data.dataset([1]).concat([2] as never), /^dataset\.concat: expected another cl\.data\.dataset\(\.\.\.\), got \[2\]$/, V],
  ["dataset.batch dropLast a string", () => cl.data.dataset([1]).batch(1, { dropLast: "yes" as never }), /^dataset\.batch: dropLast must be true or false, got "yes"$/, V],
  ["dataset length -1", () => cl.data.dataset(() => [1], { length: -1 }), /^dataset: length must be a non-negative integer, got -1$/, V],
  ["dataset record with a number field", () => cl.data.dataset({ x: cl.zeros([2]), y: 3 } as never), /^dataset: field 'y' must be a tensor, an array or a record of them, got 3$/, V],
  ["zip of a non-pipeline", () => cl.data.zip({ a: [1] } as never), /^zip: 'a' must be a cl\.data\.dataset\(\.\.\.\), got \[1\]$/, V],
  ["iterate(-1)", () => cl.data.dataset([1]).iterate(-1), /^dataset\.iterate: epoch must be a non-negative integer, got -1$/, V],
];

describe("bad arguments give convlab's errors naming the function, the argument and what was received", () => {
  for (const [name, fn, re, cls] of cases)
    it(name, () => {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(err, "no error was thrown").toBeInstanceOf(cls);
      expect((err as Error).message).toMatch(re);
    });
});

describe("async training calls reject bad arguments the same way", () => {
  const data = { x: cl.zeros([4, 3]), y: cl.tensor([0, 1, 0, 1]) };
  const rejects: [string, () => Promise<unknown>, RegExp][] = [
    ["fit without options", () => model().fit(data, undefined as never), /^fit: expected options \{ optimizer, loss, epochs, batchSize, \.\.\. \}, got undefined$/],
    ["fit data null", () => model().fit(null as never, { optimizer: opt() }), /^fit: data must be \{ x, y \} tensors, a cl\.data\.dataset\(\.\.\.\) or an iterable of \{ x, y \} batches, got null$/],
    ["fit batchSize a string", () => model().fit(data, { optimizer: opt(), batchSize: "32" as never }), /^fit: batchSize must be a positive integer, got "32"$/],
    ["fit seed a string", () => model().fit(data, { optimizer: opt(), seed: "0" as never }), /^fit: seed must be a finite number, got "0"$/],
    ["fit shuffle a number", () => model().fit(data, { optimizer: opt(), shuffle: 1 as never }), /^fit: shuffle must be true or false, got 1$/],
    ["fit signal not a signal", () => model().fit(data, { optimizer: opt(), signal: true as never }), /^fit: signal must be an AbortSignal/],
    ["fit callbacks.onBatchEnd not a function", () => model().fit(data, { optimizer: opt(), callbacks: { onBatchEnd: 3 as never } }), /^fit: callbacks\.onBatchEnd must be a function, got 3$/],
    ["fit x a number", () => model().fit({ x: 3 as never, y: data.y }, { optimizer: opt() }), /^fit: x must be a tensor, a list or a record of tensors, got 3$/],
    ["fit validationData wrong", () => model().fit(data, { optimizer: opt(), validationData: 5 as never }), /^fit \(validationData\): data must be/],
    ["evaluate batchSize 0", () => model().evaluate(data, { batchSize: 0 }), /^evaluate: batchSize must be a positive integer, got 0$/],
    ["predictBatched of a string", () => model().predictBatched("x" as never), /^predictBatched: x must be a tensor, a list or a record of tensors, got "x"$/],
  ];
  for (const [name, fn, re] of rejects)
    it(name, async () => {
      const e = await fn().then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(cl.ValueError);
      expect((e as Error).message).toMatch(re);
    });
});
