import * as cl from "../../../src/index.js";
for (const name of ["faceRecognition", "mobilenetV1"] as const) {
const mb = await (cl.models.pretrained[name] as (o?: object) => Promise<cl.nn.Model & { preprocess(i: cl.Tensor): cl.Tensor }>)(name === "mobilenetV1" ? { inputSize: 224 } : {});
const x = mb.preprocess(cl.rand([150, 150, 3], { seed: 1 }));
mb.predict(x);
const byType: Record<string, number> = {};
const layers = (mb as unknown as { graph(): { layers: cl.nn.Layer[] } }).graph().layers;
const acts = new Map<string, cl.Tensor>();
for (const f of mb.activations(x) as { name: string; output: cl.Tensor }[]) acts.set(f.name, f.output);
acts.set("input", x);
for (let rep = 0; rep < 3; rep++)
for (const l of layers) {
  if (l.type === "Input") continue;
  const ins = (l as unknown as { nodes: { node: { inputs: { node: { layer: cl.nn.Layer } }[] } }[] }).nodes[0]!.node.inputs.map((i) => acts.get(i.node.layer.name)!);
  const arg = ins.length === 1 ? ins[0]! : ins;
  const t = performance.now();
  cl.noGrad(() => l.call(arg));
  const dt = (performance.now() - t);
  const k = l.type + " " + (l as unknown as { describe(): string }).describe().split(" ")[0];
  byType[k] = (byType[k] ?? 0) + dt / 3;
}
const tot = Object.values(byType).reduce((a, b) => a + b, 0);
console.log(name, tot.toFixed(0), "ms:", Object.entries(byType).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${(100 * v / tot).toFixed(0)}%`).join("; "));
}
cl.shutdownThreads();
