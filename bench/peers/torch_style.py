# The PyTorch peer of bench/style.mjs: style transfer on the MobileNetV1 stack (TensorFlow "same"
# padding, ReLU6, inference batch-norm) with random weights, Adam on the pixels, the exercise's
# costs (α 10, β 40, J_content / (4 nH nW nC), style 1/(2 nH nW nC)², λ = 1/L). Reads
# { threads, steps, size, strides, widths } on stdin, prints { msPerStep, torch, threads }.
import json, sys, time
import torch
import torch.nn.functional as F

cfg = json.load(sys.stdin)
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
S = cfg["size"]

def same_pad(x, k, s):
    n = x.shape[-1]
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    b = total // 2
    return F.pad(x, (b, total - b, b, total - b))

layers = []
w0 = torch.randn(32, 3, 3, 3) * 0.1
layers.append(("conv", w0, torch.zeros(32), 2, "conv0_relu"))
c = 32
for i, (f, s) in enumerate(zip(cfg["widths"], cfg["strides"])):
    layers.append(("dw", torch.randn(c, 1, 3, 3) * 0.3, s, torch.rand(c) + 0.5, torch.randn(c) * 0.1))
    layers.append(("pw", torch.randn(f, c, 1, 1) * (2 / c) ** 0.5, torch.zeros(f), f"conv{i + 1}_pw_relu"))
    c = f

STYLE = ["conv0_relu", "conv1_pw_relu", "conv3_pw_relu", "conv5_pw_relu"]
CONTENT = "conv5_pw_relu"
WANT = set(STYLE + [CONTENT])

def feats(x):
    out = {}
    h = x * 2 - 1
    for l in layers:
        if l[0] == "conv":
            h = F.relu6(F.conv2d(same_pad(h, 3, l[3]), l[1], l[2], stride=l[3])); out[l[4]] = h
        elif l[0] == "dw":
            _, w, s, g, b = l
            h = F.relu6(F.conv2d(same_pad(h, 3, s), w, stride=s, groups=h.shape[1]) * g.view(1, -1, 1, 1) + b.view(1, -1, 1, 1))
        else:
            h = F.relu6(F.conv2d(h, l[1], l[2])); out[l[3]] = h
        if WANT.issubset(out.keys()):
            break
    return out

def gram(a):
    _, k, hh, ww = a.shape
    A = a.reshape(k, hh * ww)
    return A @ A.t()

C = torch.rand(1, 3, S, S)
St = torch.rand(1, 3, S, S)
with torch.no_grad():
    fC = feats(C)[CONTENT]
    gS = {n: gram(v) for n, v in feats(St).items() if n in STYLE}

G = C.clone().requires_grad_(True)
opt = torch.optim.Adam([G], lr=0.02)

def step():
    opt.zero_grad()
    f = feats(G)
    _, k, hh, ww = f[CONTENT].shape
    j = 10 * ((f[CONTENT] - fC) ** 2).sum() / (4 * hh * ww * k)
    for n in STYLE:
        _, k, hh, ww = f[n].shape
        j = j + 40 / len(STYLE) * ((gram(f[n]) - gS[n]) ** 2).sum() / (2 * hh * ww * k) ** 2
    j.backward()
    opt.step()
    with torch.no_grad():
        G.clamp_(0, 1)

step(); step()
t = time.perf_counter()
for _ in range(cfg["steps"]):
    step()
ms = (time.perf_counter() - t) / cfg["steps"] * 1e3
print(json.dumps({"msPerStep": ms, "torch": torch.__version__, "threads": torch.get_num_threads()}))
