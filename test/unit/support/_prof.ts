import * as cl from "../../../src/index.js";
for (const name of ["faceLandmark68Tiny", "tinyFaceDetector"] as const) {
const mb = await cl.models.pretrained[name]();
const x = mb.preprocess(cl.rand([112, 112, 3], { seed: 1 }));
mb.predict(x);
const byType: Record<string, number> = {};
const layers = (mb as unknown as { graph(): { layers: cl.nn.Layer[] } }).graph().layers;
const acts = new Map<string, cl.Tensor>();
const feats = mb.activations(x) as { name: string; output: cl.Tensor }[];
for (const f of feats) acts.set(f.name, f.output);
acts.set("input", x);
for (const l of layers) {
  if (l.type === "Input") continue;
  const ins = (l as unknown as { nodes: { node: { inputs: { node: { layer: cl.nn.Layer } }[] } }[] }).nodes[0]!.node.inputs.map((i) => acts.get(i.node.layer.name)!);
  const arg = ins.length === 1 ? ins[0]! : ins;
  const t = performance.now();
  for (let i = 0; i < 5; i++) cl.noGrad(() => l.call(arg));
  const dt = (performance.now() - t) / 5;
  const k = l.type + " " + (l as unknown as { describe(): string }).describe().split(" ")[0];
  byType[k] = (byType[k] ?? 0) + dt;
}
console.log(name, Object.entries(byType).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v.toFixed(1)} ms`).join("; "));
const t = performance.now(); for (let i = 0; i < 5; i++) mb.predict(x); console.log("predict", ((performance.now() - t) / 5).toFixed(0), "ms", cl.kernelBackend());
}
cl.shutdownThreads();
