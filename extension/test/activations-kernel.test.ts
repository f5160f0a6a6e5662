// The activations widget in jsdom talking to a real convlab kernel: JupyterLab's server from
// .venv starts the kernel from its kernelspec, @jupyterlab/services connects to it over a
// WebSocket (the same KernelConnection JupyterLab hands the widget), a cell makes the display,
// and a click on a unit's tile sends `inspect.topPatches` over the `convlab` comm; the patches
// drawn are the ones `cl.inspect.topPatches` computes in that kernel over the display's dataset.
// Errors come back as text in the widget: a unit the layer does not have, a dataset the kernel no
// longer holds (restart), no kernel. Skipped with a message when .venv is missing (node
// scripts/setup.mjs makes it).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { KernelManager, ServerConnection, type Kernel, type KernelMessage } from "@jupyterlab/services";
import { inspect } from "convlab/browser";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, venv, type Lab } from "../../test/e2e/jupyter.js";
import { ActivationsWidget, FOCUS_K } from "../src/activations.js";
import { fmt } from "../src/common.js";
import { setKernelFinder } from "../src/kernel.js";
import { rendererOptions } from "./helpers.js";

const haveVenv = existsSync(join(venv, "bin", "jupyter"));
if (!haveVenv) console.warn("[extension] activations-kernel.test.ts skipped: no .venv (run node scripts/setup.mjs)");

let lab: Lab;
let manager: KernelManager;
let kernel: Kernel.IKernelConnection;

/** Runs a cell; its stdout and the execute_result's bundle. */
async function run(code: string): Promise<{ stdout: string; data: Record<string, unknown> | null; error: string }> {
  const future = kernel.requestExecute({ code, stop_on_error: true });
  let stdout = "", error = "";
  let data: Record<string, unknown> | null = null;
  future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
    const t = msg.header.msg_type, c = msg.content as Record<string, unknown>;
    if (t === "stream" && c.name === "stdout") stdout += String(c.text);
    if (t === "stream" && c.name === "stderr") error += String(c.text);
    if (t === "error") error += `${String(c.ename)}: ${String(c.evalue)}`;
    if (t === "execute_result") data = c.data as Record<string, unknown>;
  };
  await future.done;
  return { stdout, data, error };
}

/** A widget on the page, fed the payload of the bundle. */
function widget(payload: unknown): ActivationsWidget {
  const w = new ActivationsWidget(rendererOptions(inspect.ACTIVATIONS_MIME));
  document.body.appendChild(w.node);
  w.renderData(payload);
  return w;
}

/** Clicks a unit's tile and waits until the panel beside the grid is no longer asking. */
async function clickUnit(w: ActivationsWidget, layer: string, unit: number): Promise<HTMLElement> {
  const tile = w.node.querySelector<HTMLButtonElement>(`.convlab-act-tile[data-layer='${layer}'][data-unit='${unit}']`);
  if (!tile) throw new Error(`no tile for ${layer} unit ${unit}`);
  tile.click();
  expect(w.node.querySelector(".convlab-act-focus")!.getAttribute("data-state")).toBe("asking");
  const deadline = Date.now() + 60_000;
  for (;;) {
    const f = w.node.querySelector<HTMLElement>(".convlab-act-focus");
    if (f && f.dataset.state !== "asking") return f;
    if (Date.now() > deadline) throw new Error("the widget did not get an answer within 60 s");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const CELL = `
const net = cl.nn.sequential([
  cl.nn.conv2d({ name: "CONV1", filters: 6, size: 5, activation: "relu" }), cl.nn.maxPool2d({ name: "POOL1", size: 2 }),
  cl.nn.conv2d({ name: "CONV2", filters: 16, size: 5, activation: "relu" }),
], { inputShape: [32, 32, 1], seed: 0 });
const stats = cl.rand([8, 32, 32, 1], { seed: 1 });
const data = [0, 1, 2].map((s) => ({ x: cl.rand([10, 32, 32, 1], { seed: 10 + s }) }));
cl.inspect.activations(net, stats, { units: [{ layer: "CONV2", units: [3], k: 4 }], dataset: data })`;

let payload: inspect.ActivationsPayload;

describe.skipIf(!haveVenv)("activations widget ↔ a real convlab kernel (comm 'convlab')", () => {
  beforeAll(async () => {
    lab = await startLab();
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: lab.url,
      wsUrl: lab.url.replace(/^http/, "ws"),
      token: lab.token,
      appendToken: true,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      fetch: globalThis.fetch,
      Request: globalThis.Request,
      Headers: globalThis.Headers,
    });
    manager = new KernelManager({ serverSettings });
    await manager.ready;
    kernel = await manager.startNew({ name: "convlab" });
    await kernel.info;
    setKernelFinder(() => kernel);
    const r = await run(CELL);
    expect(r.error).toBe("");
    payload = r.data![inspect.ACTIVATIONS_MIME] as inspect.ActivationsPayload;
    expect(payload.source).toMatch(/^activations-\d+$/);
  }, 180_000);

  afterAll(async () => {
    setKernelFinder(null);
    await kernel?.shutdown().catch(() => undefined);
    manager?.dispose();
    await lab?.stop();
  });

  it(
    "a click on a unit asks the kernel and draws its top-9 patches over the registered dataset, each in its example with the receptive field",
    async () => {
      const w = widget(payload);
      // The grid of the first 2-D layer; select CONV2 in the table and its 16 units appear.
      w.node.querySelector<HTMLElement>("tr.convlab-act-row[data-layer='CONV2']")!.click();
      expect(w.node.querySelectorAll(".convlab-act-tile[data-layer='CONV2']").length).toBe(16);
      const focus = await clickUnit(w, "CONV2", 5);
      expect(focus.dataset.state).toBe("done");
      expect(focus.querySelector(".convlab-act-focus-title")!.textContent).toBe("CONV2 unit 5");
      // What the kernel computes with the public function over the same 30 examples.
      const want = JSON.parse((await run('console.log(JSON.stringify(cl.inspect.topPatches(net, "CONV2", 5, data, { k: 9 }).patches.map((p) => [p.example, p.activation, p.box])))')).stdout) as [number, number, inspect.BoxCorners][];
      const field = JSON.parse((await run('console.log(JSON.stringify(cl.inspect.receptiveFieldOf(net, "CONV2")))')).stdout) as { size: number[]; stride: number[] };
      expect(want).toHaveLength(FOCUS_K);
      expect(focus.querySelector(".convlab-act-focus-info")!.textContent).toBe(`receptive field ${field.size.join("×")} px, stride ${field.stride.join("×")} · top 9 of 30 examples`);
      const figs = [...focus.querySelectorAll<HTMLElement>("figure.convlab-act-focus-patch")];
      expect(figs.map((f) => Number(f.dataset.example))).toEqual(want.map((q) => q[0]));
      figs.forEach((f, i) => {
        const [example, activation, box] = want[i]!;
        expect(f.querySelector("figcaption")!.textContent).toBe(`${fmt(activation, 3)} · #${example}`);
        // The whole 32×32 example under an SVG in its pixels, the box outlined where topPatches says.
        const svgEl = f.querySelector("svg.convlab-act-rf")!;
        expect(svgEl.getAttribute("viewBox")).toBe("0 0 32 32");
        const rect = svgEl.querySelector("rect")!;
        expect([rect.getAttribute("x"), rect.getAttribute("y"), rect.getAttribute("width"), rect.getAttribute("height")].map(Number)).toEqual([box.x1, box.y1, box.x2 - box.x1 + 1, box.y2 - box.y1 + 1]);
        expect(f.querySelector("img.convlab-act-context-img")!.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
        expect(f.querySelector("img.convlab-act-patch-img")!.getAttribute("width")).not.toBeNull();
      });
      // The tile is marked; a live update of the output keeps the panel.
      expect(w.node.querySelector(".convlab-act-tile.convlab-selected")!.getAttribute("data-unit")).toBe("5");
      w.renderData({ ...payload, step: 1 });
      expect(w.node.querySelector(".convlab-act-focus")!.getAttribute("data-state")).toBe("done");
      expect(w.node.querySelectorAll(".convlab-act-focus figure").length).toBe(9);
      // A click on a unit of the payload's own grid asks too (CONV2 unit 3 is there with k = 4).
      w.node.querySelector<HTMLButtonElement>(".convlab-act-unit[data-unit='3'] .convlab-act-unit-title")!.click();
      const deadline = Date.now() + 60_000;
      while (w.node.querySelector(".convlab-act-focus")!.getAttribute("data-state") === "asking" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(w.node.querySelector(".convlab-act-focus-title")!.textContent).toBe("CONV2 unit 3");
      expect(w.node.querySelectorAll(".convlab-act-focus figure").length).toBe(9);
      w.node.remove();
    },
    120_000,
  );

  it(
    "a unit the kernel's layer does not have and a dataset the kernel does not hold come back as errors in the widget",
    async () => {
      // A payload claiming 20 units where the kernel's CONV2 has 16.
      const wider = { ...payload, layers: payload.layers.map((l) => (l.name === "CONV2" ? { ...l, shape: [l.shape[0]!, l.shape[1]!, 20], unitMeans: [...l.unitMeans!, 0, 0, 0, 0] } : l)) };
      const w = widget(wider);
      w.node.querySelector<HTMLElement>("tr.convlab-act-row[data-layer='CONV2']")!.click();
      const f = await clickUnit(w, "CONV2", 18);
      expect(f.dataset.state).toBe("error");
      expect(f.querySelector(".convlab-act-focus-error")!.textContent).toBe("ValueError: topPatches: layer 'CONV2' has 16 units (channels), got unit 18");
      w.node.remove();
      const gone = widget({ ...payload, source: "activations-99999" });
      const g = await clickUnit(gone, "CONV1", 0);
      expect(g.querySelector(".convlab-act-focus-error")!.textContent).toMatch(/^ValueError: inspect\.topPatches: the kernel no longer holds the dataset of 'activations-99999'/);
      gone.node.remove();
    },
    120_000,
  );

  it(
    "after a kernel restart the widget says the dataset is gone; with the kernel shut down, that there is none",
    async () => {
      await kernel.restart();
      await kernel.info;
      const w = widget(payload);
      const f = await clickUnit(w, "CONV1", 2);
      expect(f.dataset.state).toBe("error");
      expect(f.querySelector(".convlab-act-focus-error")!.textContent).toMatch(/no longer holds the dataset of 'activations-\d+'.*re-run the cell/);
      await kernel.shutdown();
      const after = await clickUnit(w, "CONV1", 3);
      expect(after.querySelector(".convlab-act-focus-error")!.textContent).toMatch(/no running kernel/);
      w.node.remove();
    },
    120_000,
  );
});
