"""PyTorch CPU timings of whole networks for convlab's bench (bench/models.mjs).

torchvision is not usable here, so VGG-16, ResNet-18 and ResNet-50 are written out in torch.nn
(the same architectures as torchvision's; the parameter counts are printed to check). Reads
{"threads", "reps", "quick"} as JSON on stdin and prints one JSON object on stdout:
{"vgg16": {"forwardMs", "params"}, "resnet50": {...}, "resnet18": {"trainImagesPerSecond", "params"}}.
Forward latency is the best of `reps` at batch 1, 224×224, in NCHW and channels_last (the
faster counts); training is SGD steps at batch 32, 64×64, images per second over timed steps.
"""
import json
import sys
import time

import torch
from torch import nn

from torch_conv import best_time  # same folder: the script's directory is on sys.path


def vgg16(classes=1000):
    layers, c = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
            c = v
    return nn.Sequential(
        *layers, nn.Flatten(),
        nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(0.5),
        nn.Linear(4096, classes),
    )


class Basic(nn.Module):
    expansion = 1

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes)
        self.c2, self.b2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False), nn.BatchNorm2d(planes)
        self.short = None
        if stride != 1 or cin != planes:
            self.short = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        z = self.b2(self.c2(torch.relu(self.b1(self.c1(x)))))
        return torch.relu(z + (x if self.short is None else self.short(x)))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, cin, planes, stride):
        super().__init__()
        out = planes * 4
        self.c1, self.b1 = nn.Conv2d(cin, planes, 1, bias=False), nn.BatchNorm2d(planes)
        self.c2, self.b2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False), nn.BatchNorm2d(planes)
        self.c3, self.b3 = nn.Conv2d(planes, out, 1, bias=False), nn.BatchNorm2d(out)
        self.short = None
        if stride != 1 or cin != out:
            self.short = nn.Sequential(nn.Conv2d(cin, out, 1, stride, bias=False), nn.BatchNorm2d(out))

    def forward(self, x):
        z = torch.relu(self.b1(self.c1(x)))
        z = torch.relu(self.b2(self.c2(z)))
        z = self.b3(self.c3(z))
        return torch.relu(z + (x if self.short is None else self.short(x)))


def resnet(block, blocks, classes=1000):
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    c = 64
    for stage, (n, planes) in enumerate(zip(blocks, [64, 128, 256, 512])):
        for b in range(n):
            layers.append(block(c, planes, 2 if stage > 0 and b == 0 else 1))
            c = planes * block.expansion
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, classes))


def params(m):
    return sum(p.numel() for p in m.parameters())


def forward_ms(model, reps):
    model.eval()
    best = float("inf")
    for fmt in (torch.contiguous_format, torch.channels_last):
        m = model.to(memory_format=fmt)
        x = torch.randn(1, 3, 224, 224).contiguous(memory_format=fmt)
        with torch.no_grad():
            best = min(best, best_time(lambda: m(x), reps))
    return best * 1e3


def train_images_per_second(model, steps, batch=32, size=64):
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x = torch.randn(batch, 3, size, size)
    y = torch.randint(0, 1000, (batch,))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        opt.step()

    best = float("inf")
    for fmt in (torch.contiguous_format, torch.channels_last):
        model = model.to(memory_format=fmt)
        x = x.contiguous(memory_format=fmt)
        step()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - t0) / steps)
    return batch / best


def main():
    req = json.load(sys.stdin)
    torch.set_num_threads(req["threads"])
    torch.manual_seed(0)
    reps = req["reps"]
    out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    v = vgg16()
    out["vgg16"] = {"params": params(v), "forwardMs": forward_ms(v, reps)}
    del v
    r50 = resnet(Bottleneck, [3, 4, 6, 3])
    out["resnet50"] = {"params": params(r50), "forwardMs": forward_ms(r50, reps)}
    del r50
    r18 = resnet(Basic, [2, 2, 2, 2])
    out["resnet18"] = {"params": params(r18), "trainImagesPerSecond": train_images_per_second(r18, 2 if req.get("quick") else 4)}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
