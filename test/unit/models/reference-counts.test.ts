// The classic networks' parameter counts against a reference: the same networks written out in
// torch.nn as torchvision builds them (peers/torch_counts.py, on torch's meta device: nothing is
// allocated), run as a subprocess with .venv's Python. Skipped, with a message, where torch is
// not installed there (`npm run bench -- models --install-torch` installs it from the local wheels).
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as cl from "../../../src/index.js";

const root = join(import.meta.dirname, "..", "..", "..");
const python = join(root, ".venv", "bin", "python");
const hasTorch = existsSync(python) && spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
if (!hasTorch) console.warn("reference-counts: torch is not importable from .venv; the torch.nn reference counts are skipped");

describe.skipIf(!hasTorch)("parameter counts equal torch.nn references of torchvision's networks", () => {
  it("alexnet, vgg16/19, resnet18/34/50, googlenet with and without its side branches and with 5×5 kernels", () => {
    const r = spawnSync(python, ["-B", join(import.meta.dirname, "peers", "torch_counts.py")], { encoding: "utf8", timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const ref = JSON.parse(r.stdout) as Record<string, number>;
    const ours: Record<string, number> = {
      alexnet: cl.models.alexnet().summary().totalParams,
      vgg16: cl.models.vgg16().summary().totalParams,
      vgg19: cl.models.vgg19().summary().totalParams,
      resnet18: cl.models.resnet18().summary().totalParams,
      resnet34: cl.models.resnet34().summary().totalParams,
      resnet50: cl.models.resnet50().summary().totalParams,
      googlenet: cl.models.googlenet().summary().totalParams,
      googlenet_noaux: cl.models.googlenet({ auxClassifiers: false }).summary().totalParams,
      googlenet_5x5: cl.models.googlenet({ auxClassifiers: false, size5x5: 5 }).summary().totalParams,
    };
    expect(ours).toEqual(ref);
    // and the figures the issue and COURSE.md state (VGG-16's 138,357,544 is the course's)
    expect(ref.vgg16).toBe(138_357_544);
    expect(ref.googlenet).toBe(13_004_888);
  }, 180_000);
});
