"""PyTorch CPU timing of LeNet-5 (the course variant) training for convlab's bench (bench/step.mjs).

Reads {n, batch, threads, lr} on stdin; trains one epoch over n random 32×32×3 images (Adam,
softmax cross-entropy, batch `batch`, shuffled) after a warm-up of 5 steps, and prints one JSON
object {"epochSeconds", "stepMs", "version"}: the same work as convlab's `model.fit` epoch.
"""
import json
import sys
import time

import torch
import torch.nn as nn


def lenet5():
    return nn.Sequential(
        nn.Conv2d(3, 8, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def main():
    req = json.load(sys.stdin)
    torch.set_num_threads(req["threads"])
    torch.manual_seed(0)
    n, batch = req["n"], req["batch"]
    x = torch.randn(n, 3, 32, 32)
    y = torch.randint(0, 10, (n,))
    model = lenet5()
    opt = torch.optim.Adam(model.parameters(), lr=req["lr"])
    loss_fn = nn.CrossEntropyLoss()

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.item()

    for i in range(5):
        step(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch])
    t0 = time.perf_counter()
    perm = torch.randperm(n)
    steps = 0
    for s in range(0, n, batch):
        idx = perm[s:s + batch]
        step(x[idx], y[idx])
        steps += 1
    dt = time.perf_counter() - t0
    print(json.dumps({"epochSeconds": dt, "stepMs": dt / steps * 1e3, "version": torch.__version__}))


main()
