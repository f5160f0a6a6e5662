// Notebook 08 (what deep layers learn) in JupyterLab from .venv in Debian Chromium: runs it, then
// in the activations widget of the trained Fashion-MNIST net and in MobileNet's, clicks a unit of
// a deep layer and sees its top 9 patches come from the kernel over the `convlab` comm, each
// picture with the receptive field outlined where the kernel's box says (checked in the browser's
// layout). Screenshots go to test-results/e2e/; no wall-clock time is asserted.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artefacts, command, launchBrowser, openNotebook, startLab, waitForKernelIdle, type Lab } from "./jupyter.js";

let lab: Lab;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(artefacts, { recursive: true });
  lab = await startLab();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await lab?.stop();
});

/** Clicks `layer`'s row and then unit `unit`'s tile; the panel beside the grid once answered. */
async function clickUnit(widget: Locator, layer: string, unit: number): Promise<Locator> {
  await widget.locator(`tr.convlab-act-row[data-layer='${layer}']`).click();
  await widget.locator(`.convlab-act-tile[data-layer='${layer}'][data-unit='${unit}']`).click();
  const focus = widget.locator(`.convlab-act-focus[data-layer='${layer}'][data-unit='${unit}']`);
  await focus.and(widget.locator(".convlab-act-focus:not([data-state='asking'])")).waitFor({ timeout: 90_000 });
  return focus;
}

/** For each patch: the kernel's box (from the alt text) and the outline's box, both in screen pixels from the picture's corner. */
async function outlines(focus: Locator): Promise<{ want: number[]; drawn: number[] }[]> {
  return focus.locator("figure.convlab-act-focus-patch").evaluateAll((figs) =>
    figs.map((f) => {
      const img = f.querySelector<HTMLImageElement>("img.convlab-act-context-img")!;
      const rect = f.querySelector("svg.convlab-act-rf rect")!;
      const m = /rows (\d+)–(\d+), columns (\d+)–(\d+)/.exec(img.alt)!;
      const [y1, y2, x1, x2] = m.slice(1).map(Number) as [number, number, number, number];
      const a = img.getBoundingClientRect(), b = rect.getBoundingClientRect();
      const border = (a.width - img.clientWidth) / 2;
      const scale = img.clientWidth / img.naturalWidth; // screen pixels per input pixel
      const left = a.left + border, top = a.top + border;
      return { want: [x1, y1, x2 + 1, y2 + 1].map((v) => v * scale), drawn: [b.left - left, b.top - top, b.right - left, b.bottom - top] };
    }),
  );
}

describe("notebook 08 in JupyterLab: click a unit, see its top 9 patches", () => {
  it("runs 08-visualizing; a click on c3 unit 2 of the trained net and on a MobileNet conv5 unit draws 9 patches with their receptive fields", async () => {
    await openNotebook(page, lab, "08-visualizing.ipynb");
    await command(page, "notebook:run-all-cells");
    await page.waitForFunction(
      () => {
        const prompts = [...document.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")].map((e) => e.textContent ?? "");
        return prompts.length > 0 && prompts.every((t) => /\[\d+\]/.test(t));
      },
      undefined,
      { timeout: 280_000 },
    );
    await waitForKernelIdle(page);
    const widgets = page.locator(".convlab-Activations");
    expect(await widgets.count()).toBe(2);
    expect(await page.locator(".convlab-error").count()).toBe(0);

    const fashion = widgets.nth(0);
    await fashion.scrollIntoViewIfNeeded();
    expect(await fashion.locator(".convlab-act-tile[data-layer='c3']").count()).toBe(0); // c1 is selected first
    const focus = await clickUnit(fashion, "c3", 2);
    expect(await fashion.locator(".convlab-act-tile[data-layer='c3']").count()).toBe(16);
    expect(await focus.locator(".convlab-act-focus-error").allTextContents()).toEqual([]);
    // c3 sees 12×12 pixels, 2 apart (the notebook's receptive-field cell); searched over the 600 test pictures.
    expect(await focus.locator(".convlab-act-focus-info").textContent()).toBe("receptive field 12×12 px, stride 2×2 · top 9 of 600 examples");
    expect(await focus.locator("figure.convlab-act-focus-patch").count()).toBe(9);
    for (const o of await outlines(focus)) o.drawn.forEach((v, i) => expect(Math.abs(v - o.want[i]!)).toBeLessThanOrEqual(1));
    await fashion.screenshot({ path: join(artefacts, "08-fashion-c3-unit2.png") });

    const mobile = widgets.nth(1);
    await mobile.scrollIntoViewIfNeeded();
    const m = await clickUnit(mobile, "conv5_pw_relu", 7);
    expect(await m.locator(".convlab-act-focus-error").allTextContents()).toEqual([]);
    expect(await m.locator(".convlab-act-focus-info").textContent()).toMatch(/^receptive field \d+×\d+ px, stride \d+×\d+ · top 9 of 64 examples$/);
    expect(await m.locator("figure.convlab-act-focus-patch").count()).toBe(9);
    for (const o of await outlines(m)) o.drawn.forEach((v, i) => expect(Math.abs(v - o.want[i]!)).toBeLessThanOrEqual(1));
    await mobile.screenshot({ path: join(artefacts, "08-mobilenet-conv5-unit7.png") });
  });
});
