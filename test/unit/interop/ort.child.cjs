// Runs an ONNX model in onnxruntime-node, in its own process (its threads would starve convlab's
// worker pool in the test's process). argv: model.onnx input.json output.json, where input.json is
// { name: { dims, data } } and output.json receives { name: { dims, data } }.
const ort = require("onnxruntime-node");
const { readFileSync, writeFileSync } = require("node:fs");
(async () => {
  const [model, inputPath, outputPath] = process.argv.slice(2);
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds = {};
  for (const [name, v] of Object.entries(JSON.parse(readFileSync(inputPath, "utf8")))) feeds[name] = new ort.Tensor("float32", Float32Array.from(v.data), v.dims);
  const results = await session.run(feeds);
  const out = {};
  for (const [name, t] of Object.entries(results)) out[name] = { dims: [...t.dims], data: Array.from(t.data) };
  writeFileSync(outputPath, JSON.stringify({ inputs: session.inputNames, outputs: session.outputNames, results: out }));
})().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e));
  process.exit(1);
});
