/**
 * PyTorch export (Node only): `exportPytorch(model, dir)` writes a readable `model.py` (a
 * `class Model(torch.nn.Module)` taking NCHW input like every PyTorch model, `load(dir)` that
 * fills it from `model.safetensors`, and `save_convlab(model, path)` that writes the weights back
 * in convlab's names and layouts), `model.safetensors` (convlab's stateDict), and `train_ddp.py`,
 * a DistributedDataParallel training script for `torchrun` (gloo on CPU, NCCL where GPUs exist)
 * that continues training on a dataset saved with `saveDataset` and writes weights convlab loads
 * back: `model.loadWeights(cl.io.readSafetensors("out/model.safetensors").tensors)`.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { optionsArg, optOneOfArg, typeFail } from "../util/check.js";
import type { Model } from "../nn/model.js";
import type { Outputs } from "../train/types.js";
import { convGeometry, describeModelAs, modelArg, poolGeometry, transposeGeometry, type LayerSpec } from "./architecture.js";
import { writeAtomic } from "./atomic.js";
import { ioError, pathArg } from "./files.js";
import { writeSafetensors } from "./safetensors.js";
import { convlabVersion } from "./version.js";

export interface ExportPytorchOptions {
  /** The loss `train_ddp.py` trains with (default "softmaxCrossEntropy"; "mse" for regression). */
  loss?: "softmaxCrossEntropy" | "mse";
}

/** What `exportPytorch` wrote. */
export interface PytorchExport {
  dir: string;
  files: string[];
  /** The generated module code (model.py). */
  code: string;
}

const RESERVED = new Set(["training", "forward", "train", "eval", "state_dict", "parameters", "modules", "children", "cuda", "cpu", "float", "double", "half", "to", "type", "apply", "zero_grad", "register_buffer", "load_state_dict", "named_parameters", "buffers", "requires_grad_", "extra_repr", "dump_patches", "call_super_init", "and", "or", "not", "in", "is", "if", "else", "for", "while", "def", "class", "return", "lambda", "pass", "from", "import", "as", "with", "try", "except", "finally", "raise", "global", "nonlocal", "del", "yield", "assert", "break", "continue", "True", "False", "None", "async", "await", "elif", "x", "F", "nn", "torch"]);
const ident = (name: string): string => {
  let s = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (/^[0-9]/.test(s) || RESERVED.has(s)) s = `l_${s}`;
  return s;
};
const tuple = (v: readonly number[]): string => (v.length === 1 ? `(${v[0]},)` : `(${v.join(", ")})`);
const toLast = (r: number): number[] => [0, ...Array.from({ length: r - 2 }, (_, i) => i + 2), 1];
const ACT: Record<string, (x: string, r: number) => string> = {
  relu: (x) => `F.relu(${x})`,
  relu6: (x) => `F.relu6(${x})`,
  sigmoid: (x) => `torch.sigmoid(${x})`,
  tanh: (x) => `torch.tanh(${x})`,
  leakyRelu: (x) => `F.leaky_relu(${x}, 0.01)`,
  softmax: (x, r) => `F.softmax(${x}, dim=${r > 2 ? 1 : -1})`,
  linear: (x) => x,
};

/** torch's F.pad order: last axis first, (before, after) per axis. */
const torchPads = (before: number[], after: number[]): number[] => before.map((_, i) => i).reverse().flatMap((i) => [before[i]!, after[i]!]);

/** The generated model.py for `model` (also used by `exportPytorch`). */
export function pytorchCode(model: Model<Outputs>): string {
  return pytorchCodeAs(model, "io.pytorchCode");
}

function pytorchCodeAs(model: Model<Outputs>, fn: string): string {
  const m = modelArg(fn, model);
  const spec = describeModelAs(m, fn);
  const sd = m.stateDict();
  const init: string[] = [];
  const fwd: string[] = [];
  const weights: string[] = [];
  const shapes = new Map<string, number[]>();
  const v = (l: string): string => `t_${ident(l)}`;
  const attr = (l: string): string => `self.${ident(l)}`;
  const map = (l: string, local: string, key: string, perm: number[] | null, mid: number[] | null, shape: number[] | null): void => {
    weights.push(`    ("${l}/${local}", "${ident(l)}.${key}", ${perm ? tuple(perm) : "None"}, ${mid ? tuple(mid) : "None"}, ${shape ? tuple(shape) : "None"}),`);
  };
  for (const l of spec.layers as LayerSpec[]) {
    shapes.set(l.name, l.shape);
    const c = l.config as Record<string, unknown>;
    const r = l.shape.length + 1;
    if (l.type === "Input") continue;
    const xin = v(l.inputs[0]!);
    const inShape = shapes.get(l.inputs[0]!)!;
    const inR = inShape.length + 1;
    const out = v(l.name);
    const actOf = (e: string): string => ACT[(c.activation as string | null) ?? "linear"]!(e, r);
    switch (l.type) {
      case "Conv1D": case "Conv2D": case "Conv3D": case "DepthwiseConv2D": {
        const k = sd[`${l.name}/kernel`]!;
        const nd = k.rank - 2;
        const dw = l.type === "DepthwiseConv2D";
        const f = k.shape.slice(0, nd);
        const { s, dil, axes } = convGeometry(fn, c, inShape, f);
        const before = axes.map((a) => a.before), after = axes.map((a) => a.after);
        const sym = before.every((b, i) => b === after[i]);
        const cin = k.shape[nd]!;
        const cout = dw ? cin * k.shape[3]! : k.shape[nd + 1]!;
        const bias = c.useBias !== false;
        init.push(`        ${attr(l.name)} = nn.Conv${nd}d(${cin}, ${cout}, kernel_size=${tuple(f)}, stride=${tuple(s)}, padding=${tuple(sym ? before : new Array<number>(nd).fill(0))}, dilation=${tuple(dil)}${dw ? `, groups=${cin}` : ""}, bias=${bias ? "True" : "False"})`);
        const x = sym ? xin : `F.pad(${xin}, ${tuple(torchPads(before, after))})`;
        fwd.push(`        ${out} = ${actOf(`${attr(l.name)}(${x})`)}  # ${l.name}: ${l.type} → [${l.shape.join(", ")}] (NHWC in convlab)`);
        if (dw) map(l.name, "kernel", "weight", [2, 3, 0, 1], [cin, k.shape[3]!, ...f], [cout, 1, ...f]);
        else map(l.name, "kernel", "weight", [nd + 1, nd, ...Array.from({ length: nd }, (_, i) => i)], null, null);
        if (bias) map(l.name, "bias", "bias", null, null, null);
        break;
      }
      case "Conv2DTranspose": {
        const k = sd[`${l.name}/kernel`]!;
        const f = k.shape.slice(0, 2);
        const { s, dil, axes } = transposeGeometry(fn, c, inShape, f);
        const before = axes.map((a) => a.before);
        const sym = axes.every((a) => a.before === a.after);
        const cin = k.shape[3]!, cout = k.shape[2]!;
        const bias = c.useBias !== false;
        // PyTorch crops `padding` from both sides; convlab's "same" with an odd crop takes one more
        // row/column after: crop `before` from both sides, then slice the rest off the end
        init.push(`        ${attr(l.name)} = nn.ConvTranspose2d(${cin}, ${cout}, kernel_size=${tuple(f)}, stride=${tuple(s)}, padding=${tuple(before)}, output_padding=${tuple(axes.map((a) => a.outputPadding))}, dilation=${tuple(dil)}, bias=${bias ? "True" : "False"})`);
        const y = sym ? `${attr(l.name)}(${xin})` : `${attr(l.name)}(${xin})[:, :, :${axes[0]!.out}, :${axes[1]!.out}]`;
        fwd.push(`        ${out} = ${actOf(y)}  # ${l.name}: Conv2DTranspose → [${l.shape.join(", ")}] (NHWC in convlab)`);
        // convlab [f, f, nC, nC_prev] → PyTorch [nC_prev, nC, f, f]
        map(l.name, "kernel", "weight", [3, 2, 0, 1], null, null);
        if (bias) map(l.name, "bias", "bias", null, null, null);
        break;
      }
      case "MaxPool1D": case "AvgPool1D": case "MaxPool2D": case "AvgPool2D": case "MaxPool3D": case "AvgPool3D": {
        const nd = r - 2;
        const { f, s, axes } = poolGeometry(fn, c, inShape, nd);
        const before = axes.map((a) => a.before), after = axes.map((a) => a.after);
        const sym = before.every((b, i) => b === after[i]) && before.every((b, i) => 2 * b <= f[i]!);
        const max = l.type.startsWith("Max");
        if (!max && !sym) throw new ValueError(`${fn}: layer '${l.name}' (${l.type}) has asymmetric padding, which PyTorch's average pooling cannot express`);
        init.push(`        ${attr(l.name)} = nn.${max ? "Max" : "Avg"}Pool${nd}d(kernel_size=${tuple(f)}, stride=${tuple(s)}, padding=${tuple(sym ? before : new Array<number>(nd).fill(0))}${max ? "" : ", count_include_pad=False"})`);
        const x = sym ? xin : `F.pad(${xin}, ${tuple(torchPads(before, after))}, value=float("-inf"))`;
        fwd.push(`        ${out} = ${attr(l.name)}(${x})  # ${l.name}: ${l.type} → [${l.shape.join(", ")}]`);
        break;
      }
      case "GlobalAvgPool2D":
        fwd.push(`        ${out} = ${xin}.mean(dim=(2, 3))  # ${l.name}: GlobalAvgPool2D → [${l.shape.join(", ")}]`);
        break;
      case "GlobalMaxPool2D":
        fwd.push(`        ${out} = ${xin}.amax(dim=(2, 3))  # ${l.name}: GlobalMaxPool2D → [${l.shape.join(", ")}]`);
        break;
      case "Flatten":
        fwd.push(`        ${out} = ${inR > 2 ? `${xin}.permute${tuple(toLast(inR))}.flatten(1)` : `${xin}.flatten(1)`}  # ${l.name}: flatten in convlab's channels-last order`);
        break;
      case "Dense": {
        const k = sd[`${l.name}/kernel`]!;
        const bias = c.useBias !== false;
        init.push(`        ${attr(l.name)} = nn.Linear(${k.shape[0]}, ${k.shape[1]}, bias=${bias ? "True" : "False"})`);
        const x = inR > 2 ? `${xin}.permute${tuple(toLast(inR))}.flatten(1)` : inR > 2 || inShape.length > 1 ? `${xin}.flatten(1)` : xin;
        fwd.push(`        ${out} = ${actOf(`${attr(l.name)}(${x})`)}  # ${l.name}: Dense → [${l.shape.join(", ")}]`);
        map(l.name, "kernel", "weight", [1, 0], null, null);
        if (bias) map(l.name, "bias", "bias", null, null, null);
        break;
      }
      case "Activation":
        fwd.push(`        ${out} = ${actOf(xin)}  # ${l.name}`);
        break;
      case "Dropout":
        init.push(`        ${attr(l.name)} = nn.Dropout(${c.rate as number})`);
        fwd.push(`        ${out} = ${attr(l.name)}(${xin})  # ${l.name}`);
        break;
      case "BatchNorm": {
        const ch = inShape[inShape.length - 1]!;
        const kind = r <= 3 ? "1d" : r === 4 ? "2d" : "3d";
        init.push(`        ${attr(l.name)} = nn.BatchNorm${kind}(${ch}, eps=${c.eps as number}, momentum=${c.momentum as number})`);
        fwd.push(`        ${out} = ${attr(l.name)}(${xin})  # ${l.name}`);
        map(l.name, "gamma", "weight", null, null, null);
        map(l.name, "beta", "bias", null, null, null);
        map(l.name, "runningMean", "running_mean", null, null, null);
        map(l.name, "runningVar", "running_var", null, null, null);
        break;
      }
      case "ZeroPad2D": {
        const [[t, b], [le, ri]] = c.padding as [[number, number], [number, number]];
        fwd.push(`        ${out} = F.pad(${xin}, (${le}, ${ri}, ${t}, ${b}))  # ${l.name}`);
        break;
      }
      case "Add":
        fwd.push(`        ${out} = ${l.inputs.map(v).join(" + ")}  # ${l.name}`);
        break;
      case "Concat": {
        let a = c.axis as number;
        if (a < 0) a += r;
        const axis = r > 2 ? (a === r - 1 ? 1 : a + 1) : a;
        fwd.push(`        ${out} = torch.cat([${l.inputs.map(v).join(", ")}], dim=${axis})  # ${l.name}`);
        break;
      }
      default:
        throw new ValueError(`${fn}: layer '${l.name}' (${l.type}) has no PyTorch export`);
    }
  }
  const ins = spec.inputs.map(v);
  const outs = spec.outputs.layers.map(v);
  const ret = spec.outputs.kind === "single" ? outs[0]! : spec.outputs.kind === "list" ? `(${outs.join(", ")}${outs.length === 1 ? "," : ""})` : `{${spec.outputs.names.map((k, i) => `"${k}": ${outs[i]}`).join(", ")}}`;
  const inputDoc = spec.layers.filter((l) => l.type === "Input").map((l) => {
    const r = l.shape.length + 1;
    const nchw = r > 2 ? [l.shape[l.shape.length - 1]!, ...l.shape.slice(0, -1)] : l.shape;
    return `${v(l.name)}: [N, ${nchw.join(", ")}]`;
  }).join(", ");
  return `# Generated by convlab ${convlabVersion()} from model '${spec.name}' (${spec.type}).
# Model takes NCHW input like every PyTorch model (convlab's own layout is NHWC); the weights in
# model.safetensors keep convlab's names and layouts, and load() converts them.
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file


class Model(nn.Module):
    """${spec.name}: input ${inputDoc}."""

    def __init__(self):
        super().__init__()
${init.length ? init.join("\n") : "        pass"}

    def forward(self, ${ins.join(", ")}):
${fwd.join("\n")}
        return ${ret}


# convlab weight name, PyTorch state_dict key, permutation from convlab's layout, shape after it
# (depthwise kernels only), PyTorch's shape (depthwise kernels only).
WEIGHTS = [
${weights.join("\n")}
]


def from_convlab(tensors):
    """A PyTorch state_dict from convlab's named tensors."""
    out = {}
    for name, key, perm, _mid, shape in WEIGHTS:
        t = tensors[name].float()
        if perm is not None:
            t = t.permute(*perm)
        if shape is not None:
            t = t.reshape(shape)
        out[key] = t.contiguous()
    return out


def to_convlab(model):
    """convlab's named tensors (names and layouts) from a Model's weights."""
    sd = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    out = {}
    for name, key, perm, mid, _shape in WEIGHTS:
        t = sd[key].float()
        if mid is not None:
            t = t.reshape(mid)
        if perm is not None:
            inverse = [0] * len(perm)
            for i, p in enumerate(perm):
                inverse[p] = i
            t = t.permute(*inverse)
        out[name] = t.contiguous()
    return out


def load(dir=os.path.dirname(os.path.abspath(__file__))):
    """A Model filled from dir/model.safetensors (written by convlab)."""
    model = Model()
    missing, unexpected = model.load_state_dict(from_convlab(load_file(os.path.join(dir, "model.safetensors"))), strict=False)
    missing = [k for k in missing if not k.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise ValueError(f"model.safetensors does not fit Model: missing {missing}, unexpected {unexpected}")
    return model


def save_convlab(model, path):
    """Writes the weights in convlab's names and layouts (model.loadWeights(cl.io.readSafetensors(path).tensors))."""
    save_file(to_convlab(model), path, metadata={"format": "pt", "producer": "convlab model.py"})
`;
}

const TRAIN_DDP = (loss: string): string => `# Generated by convlab ${convlabVersion()}: continues training the exported Model with
# DistributedDataParallel. Run it with torchrun, e.g. on CPU (gloo):
#   torchrun --standalone --nproc_per_node=2 train_ddp.py --data DATASET_DIR --out OUT_DIR --epochs 2
# (NCCL is used where GPUs exist.) The dataset is one written by cl.io.saveDataset; the weights
# at the end go to OUT_DIR/model.safetensors in convlab's names and layouts.
import argparse
import hashlib
import json
import os

import torch
import torch.distributed as dist
import torch.nn.functional as F
from safetensors.torch import load_file
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler

from model import load, save_convlab, to_convlab

LOSS = "${loss}"


def loss_fn(out, y):
    return F.cross_entropy(out, y.long()) if LOSS == "softmaxCrossEntropy" else F.mse_loss(out, y)


def to_nchw(x):
    return x.permute(0, x.dim() - 1, *range(1, x.dim() - 1)) if x.dim() > 2 else x


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="folder written by cl.io.saveDataset")
    p.add_argument("--weights", default=os.path.dirname(os.path.abspath(__file__)), help="folder with model.safetensors")
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=32, help="per process")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    cuda = torch.cuda.is_available()
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}") if cuda else torch.device("cpu")
    torch.manual_seed(args.seed)

    data = load_file(os.path.join(args.data, "data.safetensors"))
    x, y = to_nchw(data["x"].float()), data["y"]
    model = load(args.weights).to(device)
    ddp = DDP(model, device_ids=[device.index] if cuda else None)

    def full_loss():
        model.eval()
        with torch.no_grad():
            return loss_fn(model(x.to(device)), y.to(device)).item()

    start = full_loss()
    ds = TensorDataset(x, y)
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(ds, batch_size=args.batch_size, sampler=sampler)
    opt = torch.optim.SGD(ddp.parameters(), lr=args.lr)
    log = {"rank": rank, "world": world, "backend": dist.get_backend(), "start_loss": start, "epochs": []}
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)
        model.train()
        total, n = 0.0, 0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            opt.zero_grad()
            loss = loss_fn(ddp(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
            n += len(xb)
        # Batch-norm running statistics are per process (each saw its own batches): average them,
        # so that every rank holds the same model.
        with torch.no_grad():
            for b in model.buffers():
                if b.is_floating_point():
                    dist.all_reduce(b)
                    b /= world
        t = torch.tensor([total, n], dtype=torch.float64, device=device)
        dist.all_reduce(t)
        log["epochs"].append({"epoch": epoch, "train_loss": (t[0] / t[1]).item(), "loss": full_loss()})
    h = hashlib.sha256()
    for k, v in sorted(to_convlab(model).items()):
        h.update(k.encode())
        h.update(v.numpy().tobytes())
    log["weights_sha256"] = h.hexdigest()
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"rank{rank}.json"), "w") as f:
        json.dump(log, f)
    if rank == 0:
        save_convlab(model, os.path.join(args.out, "model.safetensors"))
        print(json.dumps(log), flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;

/**
 * Exports `model` for PyTorch into `dir`: `model.py` (the module, `load`, `save_convlab`),
 * `model.safetensors` and `train_ddp.py` (DistributedDataParallel under torchrun).
 *
 * @example
 * cl.io.exportPytorch(model, "export/lenet");   // python -c "import model; m = model.load()"
 */
export function exportPytorch(model: Model<Outputs>, dir: string, opts: ExportPytorchOptions = {}): PytorchExport {
  const fn = "io.exportPytorch";
  const m = modelArg(fn, model);
  pathArg(fn, dir, "dir");
  const o = optionsArg(fn, opts);
  const loss = optOneOfArg(fn, "opts.loss", o.loss, ["softmaxCrossEntropy", "mse"] as const) ?? "softmaxCrossEntropy";
  const code = pytorchCodeAs(m, fn);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioError(fn, "create", dir, e);
  }
  const enc = new TextEncoder();
  writeSafetensors(join(dir, "model.safetensors"), m.stateDict(), { format: "pt", "convlab.model": m.name });
  writeAtomic(fn, join(dir, "model.py"), enc.encode(code));
  writeAtomic(fn, join(dir, "train_ddp.py"), enc.encode(TRAIN_DDP(loss)));
  return { dir, files: ["model.py", "model.safetensors", "train_ddp.py"].map((f) => join(dir, f)), code };
}

/** What `saveDataset` wrote. */
export interface SavedDataset {
  dir: string;
  count: number;
  /** SHA-256 of the data file's bytes. */
  sha256: string;
}

/**
 * Saves a dataset `{ x, y }` (tensors with examples along axis 0; or an iterable of such batches)
 * into `dir/data.safetensors` (+ `dataset.json`), for `train_ddp.py` and other Python tools.
 */
export function saveDataset(dataset: { x: Tensor; y: Tensor } | Iterable<{ x: Tensor; y: Tensor }>, dir: string): SavedDataset {
  const fn = "io.saveDataset";
  pathArg(fn, dir, "dir");
  let x: Tensor, y: Tensor;
  const isBatch = (d: unknown): d is { x: Tensor; y: Tensor } => d !== null && typeof d === "object" && (d as { x?: unknown }).x instanceof Tensor && (d as { y?: unknown }).y instanceof Tensor;
  if (isBatch(dataset)) ({ x, y } = dataset);
  else if (dataset !== null && typeof dataset === "object" && typeof (dataset as Iterable<unknown>)[Symbol.iterator] === "function") {
    const xs: Tensor[] = [], ys: Tensor[] = [];
    let i = 0;
    for (const b of dataset as Iterable<unknown>) {
      if (!isBatch(b)) typeFail(fn, `dataset batch ${i}`, "{ x: Tensor, y: Tensor }", b);
      xs.push(b.x);
      ys.push(b.y);
      if (++i > 1e6) throw new ValueError(`${fn}: the dataset has more than a million batches (endless?)`);
    }
    if (!xs.length) throw new ValueError(`${fn}: the dataset is empty`);
    const cat = (ts: Tensor[], what: string): Tensor => {
      const rest = ts[0]!.shape.slice(1).join();
      if (ts.some((t) => t.shape.slice(1).join() !== rest)) throw new ValueError(`${fn}: the batches' ${what} shapes differ after the batch axis`);
      const n = ts.reduce((a, t) => a + t.shape[0]!, 0);
      const data = new Float32Array(ts.reduce((a, t) => a + t.size, 0));
      let o = 0;
      for (const t of ts) {
        data.set(t.data, o);
        o += t.size;
      }
      return new Tensor(data, [n, ...ts[0]!.shape.slice(1)]);
    };
    x = cat(xs, "x");
    y = cat(ys, "y");
  } else typeFail(fn, "dataset", "{ x: Tensor, y: Tensor } or an iterable of such batches", dataset);
  if (x.rank < 1 || y.rank < 1 || x.shape[0] !== y.shape[0]) throw new ValueError(`${fn}: x [${x.shape.join(",")}] and y [${y.shape.join(",")}] must have the same number of examples along axis 0`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw ioError(fn, "create", dir, e);
  }
  const path = join(dir, "data.safetensors");
  writeSafetensors(path, { x, y }, { layout: "NHWC" });
  const sha256 = createHash("sha256").update(readFileSync(path)).digest("hex");
  const count = x.shape[0]!;
  writeAtomic(fn, join(dir, "dataset.json"), new TextEncoder().encode(JSON.stringify({ count, x: x.shape, y: y.shape, layout: "NHWC", sha256 }, null, 1) + "\n"));
  return { dir, count, sha256 };
}
