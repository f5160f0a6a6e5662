"""PyTorch CPU timings of conv2d forward and backward for convlab's bench (bench/conv.mjs).

Reads a JSON list of shapes on stdin ({name, m, h, w, c, k, f, s, p}), prints one JSON object
{name: {"fwd": GFLOP/s, "bwd": GFLOP/s}} on stdout. Each timing is the best of `reps` after a
warm-up, in both NCHW and channels_last memory formats (the faster one counts).
"""
import json
import sys
import time

import torch


def best_time(fn, reps, warmup=3):
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    req = json.load(sys.stdin)
    torch.set_num_threads(req["threads"])
    reps = req["reps"]
    out = {}
    for s in req["shapes"]:
        m, h, w, c, k, f, st, p = (s[key] for key in ("m", "h", "w", "c", "k", "f", "s", "p"))
        oh = (h + 2 * p - f) // st + 1
        ow = (w + 2 * p - f) // st + 1
        flops = 2.0 * m * oh * ow * k * f * f * c
        res = {"fwd": 0.0, "bwd": 0.0}
        for fmt in (torch.contiguous_format, torch.channels_last):
            x = torch.randn(m, c, h, w).contiguous(memory_format=fmt)
            wt = torch.randn(k, c, f, f).contiguous(memory_format=fmt)
            with torch.no_grad():
                t = best_time(lambda: torch.nn.functional.conv2d(x, wt, stride=st, padding=p), reps)
            res["fwd"] = max(res["fwd"], flops / t / 1e9)
            xg = x.clone().requires_grad_(True)
            wg = wt.clone().requires_grad_(True)
            y = torch.nn.functional.conv2d(xg, wg, stride=st, padding=p)
            dy = torch.randn_like(y)

            def bwd():
                xg.grad = None
                wg.grad = None
                yy = torch.nn.functional.conv2d(xg, wg, stride=st, padding=p)
                yy.backward(dy)

            def fwd_only():
                with torch.no_grad():
                    torch.nn.functional.conv2d(xg, wg, stride=st, padding=p)

            # backward time = (forward + backward) − forward, both best-of
            t_all = best_time(bwd, reps)
            t_fwd = best_time(fwd_only, reps)
            res["bwd"] = max(res["bwd"], 2 * flops / max(t_all - t_fwd, 1e-9) / 1e9)
        out[s["name"]] = res
    json.dump({"version": torch.__version__, "threads": torch.get_num_threads(), "results": out}, sys.stdout)


if __name__ == "__main__":
    main()
