"""Reference parameter counts for test/unit/models/reference-counts.test.ts: the classic
networks written out in torch.nn as torchvision builds them (torchvision itself is not usable
here), constructed on the meta device (shapes only, nothing allocated). Prints one JSON object
{ name: trainable parameter count } on stdout. Batch-norm counts its weight and bias (its running
statistics are buffers, not parameters), as torchvision's counts do.
"""
import json
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "bench", "peers"))
from torch_models import Basic, Bottleneck, resnet, vgg16  # noqa: E402  (the bench's torch.nn nets)


def vgg(cfg, classes=1000):
    layers, c = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
            c = v
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, classes))


VGG19 = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]


def alexnet(classes=1000):
    # torchvision's single-tower AlexNet
    return nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.AdaptiveAvgPool2d(6), nn.Flatten(),
        nn.Dropout(), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
        nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, classes),
    )


def conv_bn(cin, cout, k, stride=1, padding=0):
    # torchvision's BasicConv2d: conv without bias, batch-norm (eps 1e-3), ReLU
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, padding, bias=False), nn.BatchNorm2d(cout, eps=0.001), nn.ReLU())


class Inception(nn.Module):
    def __init__(self, cin, c1, r3, c3, r5, c5, pp, k5):
        super().__init__()
        self.b1 = conv_bn(cin, c1, 1)
        self.b2 = nn.Sequential(conv_bn(cin, r3, 1), conv_bn(r3, c3, 3, padding=1))
        self.b3 = nn.Sequential(conv_bn(cin, r5, 1), conv_bn(r5, c5, k5, padding=k5 // 2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), conv_bn(cin, pp, 1))


class InceptionAux(nn.Module):
    def __init__(self, cin, classes):
        super().__init__()
        self.conv = conv_bn(cin, 128, 1)
        self.fc1 = nn.Linear(2048, 1024)
        self.fc2 = nn.Linear(1024, classes)


MODULES = [  # torchvision's googlenet.py: (in, 1x1, 3x3red, 3x3, 5x5red, 5x5, pool proj)
    (192, 64, 96, 128, 16, 32, 32), (256, 128, 128, 192, 32, 96, 64),
    (480, 192, 96, 208, 16, 48, 64), (512, 160, 112, 224, 24, 64, 64), (512, 128, 128, 256, 24, 64, 64),
    (512, 112, 144, 288, 32, 64, 64), (528, 256, 160, 320, 32, 128, 128),
    (832, 256, 160, 320, 32, 128, 128), (832, 384, 192, 384, 48, 128, 128),
]


def googlenet(aux=True, k5=3, classes=1000):
    m = nn.Module()
    m.conv1, m.conv2, m.conv3 = conv_bn(3, 64, 7, 2, 3), conv_bn(64, 64, 1), conv_bn(64, 192, 3, padding=1)
    m.inception = nn.ModuleList([Inception(*spec, k5) for spec in MODULES])
    if aux:
        m.aux1, m.aux2 = InceptionAux(512, classes), InceptionAux(528, classes)
    m.fc = nn.Linear(1024, classes)
    return m


def count(m):
    return sum(p.numel() for p in m.parameters() if p.requires_grad)


with torch.device("meta"):
    nets = {
        "alexnet": alexnet(),
        "vgg16": vgg16(),
        "vgg19": vgg(VGG19),
        "resnet18": resnet(Basic, [2, 2, 2, 2]),
        "resnet34": resnet(Basic, [3, 4, 6, 3]),
        "resnet50": resnet(Bottleneck, [3, 4, 6, 3]),
        "googlenet": googlenet(),
        "googlenet_noaux": googlenet(aux=False),
        "googlenet_5x5": googlenet(aux=False, k5=5),
    }
    print(json.dumps({k: count(v) for k, v in nets.items()}))
