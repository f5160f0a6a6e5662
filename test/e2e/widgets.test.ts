// The extension end to end: JupyterLab from .venv in Debian Chromium. Runs notebooks/02-widgets,
// checks that every kind of convlab widget is drawn (not its PNG fallback, no error box), moves
// the NMS slider and sees the kept boxes change, saves, reloads and sees the widgets again
// without running anything. Screenshots and two figures (bundle size, time to draw 64 feature
// maps of 56×56) go to test-results/e2e/; no wall-clock time is asserted.
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artefacts, command, labextensionList, launchBrowser, openNotebook, startLab, venv, waitForKernelIdle, type Lab } from "./jupyter.js";

/** Each widget kind of notebooks/02-widgets.ipynb and the class its renderer gives its node. */
const WIDGETS = {
  training: ".convlab-Training",
  model: ".convlab-Model",
  featureMaps: ".convlab-FeatureMaps",
  activations: ".convlab-Activations",
  detections: ".convlab-Detections",
  embeddings: ".convlab-Embeddings",
} as const;

/** A notebook with one cell: 64 feature maps of 56×56, for the drawing-time figure. */
const PERF_NOTEBOOK = JSON.stringify({
  cells: [{ cell_type: "code", id: "perf", metadata: {}, execution_count: null, outputs: [], source: ['cl.inspect.featureMaps(cl.randn([1, 56, 56, 64], { seed: 0 }), { name: "perf" })'] }],
  metadata: { kernelspec: { name: "convlab", display_name: "convlab (TypeScript)", language: "typescript" } },
  nbformat: 4,
  nbformat_minor: 5,
});

let lab: Lab;
let browser: Browser;
let page: Page;
const figures: Record<string, unknown> = {};

/** Runs every cell of the open notebook and waits until each code cell has its execution count. */
async function runAll(p: Page): Promise<void> {
  await command(p, "notebook:run-all-cells");
  await p.waitForFunction(
    () => {
      const prompts = [...document.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")].map((e) => e.textContent ?? "");
      return prompts.length > 0 && prompts.every((t) => /\[\d+\]/.test(t));
    },
    undefined,
    { timeout: 120_000 },
  );
  await waitForKernelIdle(p);
}

/** Counts of each widget kind, error boxes and JavaScript errors in the page. */
async function census(p: Page): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [k, sel] of Object.entries(WIDGETS)) counts[k] = await p.locator(sel).count();
  counts.errorBoxes = await p.locator(".convlab-error").count();
  counts.jsErrors = await p.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", { hasText: "Javascript Error" }).count();
  return counts;
}

beforeAll(async () => {
  mkdirSync(artefacts, { recursive: true });
  lab = await startLab({ "perf-featuremaps.ipynb": PERF_NOTEBOOK });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await lab?.stop();
  writeFileSync(join(artefacts, "figures.json"), JSON.stringify(figures, null, 2) + "\n");
});

describe("convlab widgets in JupyterLab (Chromium)", () => {
  it("the extension is installed in .venv, enabled and OK", () => {
    const out = labextensionList();
    expect(out).toMatch(/convlab-jupyterlab v\S+ .*enabled.*OK/);
  });

  it("JupyterLab does not ask about Jupyter news: the set-up's overrides answer it (no fetching)", async () => {
    const r = await fetch(`${lab.url}/lab/api/settings/@jupyterlab/apputils-extension:notification?token=${lab.token}`);
    expect(r.ok).toBe(true);
    // The server applies overrides as the schema's defaults (the user has set nothing).
    const s = (await r.json()) as { raw: string; schema: { properties: Record<string, { default?: unknown }> } };
    expect(s.schema.properties.fetchNews?.default).toBe("false");
    expect(s.schema.properties.checkForUpdates?.default).toBe(false);
    expect(s.raw).not.toMatch(/fetchNews/);
  });

  it("runs 02-widgets and draws every kind of widget, with no error box", async () => {
    await openNotebook(page, lab, "02-widgets.ipynb");
    await runAll(page);
    const counts = await census(page);
    await page.screenshot({ path: join(artefacts, "02-widgets-run.png"), fullPage: true });
    for (const [k, sel] of Object.entries(WIDGETS)) {
      const el = page.locator(sel).first();
      if ((await el.count()) > 0) {
        await el.scrollIntoViewIfNeeded();
        await el.screenshot({ path: join(artefacts, `widget-${k}.png`) });
      }
    }
    expect(counts).toMatchObject({ training: 3, model: 1, featureMaps: 1, activations: 2, detections: 1, embeddings: 1, errorBoxes: 0, jsErrors: 0 });
  });

  it("moving the NMS IoU slider re-runs NMS in the browser: the number of kept boxes changes", async () => {
    const det = page.locator(WIDGETS.detections).first();
    const count = det.locator(".convlab-det-count");
    const before = await count.textContent();
    expect(before).toMatch(/^3 /);
    const iou = det.locator("input[type=range][data-threshold='iou']");
    await iou.evaluate((e: HTMLInputElement) => {
      e.value = "0.9";
      e.dispatchEvent(new Event("input", { bubbles: true }));
    });
    // At IoU 0.9 no candidate above 0.6 overlaps another that much: all 7 are kept.
    await expect.poll(() => count.textContent()).toMatch(/^7 /);
    await det.screenshot({ path: join(artefacts, "widget-detections-iou-0.9.png") });
  });

  it("widgets ask the live kernel over the convlab comm: a clicked unit's top patches, t-SNE", async () => {
    const act = page.locator(WIDGETS.activations).first();
    await act.locator("tr.convlab-act-row[data-layer='CONV1']").click();
    await act.locator(".convlab-act-tile[data-layer='CONV1'][data-unit='5']").click();
    const focus = act.locator(".convlab-act-focus[data-layer='CONV1'][data-unit='5']");
    await focus.and(act.locator(".convlab-act-focus:not([data-state='asking'])")).waitFor({ timeout: 60_000 });
    expect(await focus.locator(".convlab-act-focus-error").allTextContents()).toEqual([]);
    expect(await focus.locator("figure.convlab-act-focus-patch").count()).toBe(9);
    expect(await focus.locator("svg.convlab-act-rf rect").count()).toBe(9);
    await act.screenshot({ path: join(artefacts, "widget-activations-asked.png") });
    const emb = page.locator(WIDGETS.embeddings).first();
    await emb.locator("button.convlab-emb-tsne").click();
    // The projection switches to t-SNE once the kernel answers (the note says why if it does not).
    const state = async () => `${await emb.locator("select.convlab-emb-projection").inputValue()} | ${await emb.locator(".convlab-emb-note").textContent()}`;
    await expect.poll(state, { timeout: 120_000 }).toMatch(/^tsne \| /);
    await emb.locator(".convlab-emb-plot[data-plotted='true'] .scatterlayer .point").first().waitFor({ timeout: 30_000 });
    expect(await emb.locator(".convlab-emb-plot .scatterlayer .point").count()).toBe(200);
    await emb.screenshot({ path: join(artefacts, "widget-embeddings-tsne.png") });
    // 3-D: PCA's first three components in a WebGL scatter.
    await emb.locator("select.convlab-emb-projection").selectOption("pca3");
    await emb.locator(".convlab-emb-plot[data-projection='pca3'][data-plotted='true'] .gl-container canvas").first().waitFor({ timeout: 30_000 });
    await emb.screenshot({ path: join(artefacts, "widget-embeddings-pca3.png") });
  });

  it("after saving, shutting the kernel down and reloading, the widgets are drawn again from the notebook without running", async () => {
    await command(page, "docmanager:save");
    await page.waitForFunction(() => !document.querySelector(".jp-mod-dirty"), undefined, { timeout: 30_000 });
    // The kernel that made the outputs goes away: what is drawn next comes from the saved file.
    const sessions = (await (await fetch(`${lab.url}/api/sessions?token=${lab.token}`)).json()) as { id: string }[];
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions) expect((await fetch(`${lab.url}/api/sessions/${s.id}?token=${lab.token}`, { method: "DELETE" })).status).toBe(204);
    await page.reload();
    await page.waitForSelector(".jp-Notebook", { timeout: 90_000 });
    await page.waitForSelector(WIDGETS.embeddings, { timeout: 60_000 });
    const prompts = await page.locator(".jp-CodeCell .jp-InputArea-prompt").allTextContents();
    expect(prompts.every((t) => /\[\d+\]/.test(t))).toBe(true); // counts from the saved run, none running
    const counts = await census(page);
    await page.screenshot({ path: join(artefacts, "02-widgets-reloaded.png"), fullPage: true });
    expect(counts).toMatchObject({ training: 3, model: 1, featureMaps: 1, activations: 2, detections: 1, embeddings: 1, errorBoxes: 0, jsErrors: 0 });
  });

  it("draws 64 feature maps of 56×56 (figure: drawing time); the bundle without plotly (figure: size)", async () => {
    // A fresh page, so the extension's scripts it fetches are counted: plotly's chunks come only
    // with an embeddings widget, and this notebook has none.
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } }); // its own cache
    const fresh = await ctx.newPage();
    const loaded = new Map<string, number>();
    fresh.on("response", (r) => {
      const m = /\/extensions\/convlab-jupyterlab\/static\/([^?]+\.js)/.exec(r.url());
      if (m) loaded.set(m[1]!, 0);
    });
    try {
      await openNotebook(fresh, lab, "perf-featuremaps.ipynb");
      await runAll(fresh);
      const fm = fresh.locator(WIDGETS.featureMaps).first();
      await fm.waitFor();
      const drawMs = Number(await fm.getAttribute("data-draw-ms"));
      expect(Number.isFinite(drawMs)).toBe(true);
      expect(await fm.locator("canvas.convlab-fm-map").count()).toBe(64);
      await fm.screenshot({ path: join(artefacts, "widget-featuremaps-64x56x56.png") });
      figures.featureMaps64x56x56DrawMs = drawMs;
    } finally {
      await ctx.close();
    }
    const staticDir = join(venv, "share", "jupyter", "labextensions", "convlab-jupyterlab", "static");
    const size = (f: string) => statSync(join(staticDir, f)).size;
    const all = readdirSync(staticDir).filter((f) => f.endsWith(".js"));
    const initial = [...loaded.keys()];
    const lazy = all.filter((f) => !loaded.has(f));
    expect(initial.some((f) => f.startsWith("remoteEntry."))).toBe(true);
    expect(lazy.some((f) => f.startsWith("plotly."))).toBe(true); // plotly is not fetched until an embeddings widget draws
    figures.bundleBytesWithoutPlotly = initial.reduce((a, f) => a + size(f), 0);
    figures.lazyPlotlyBytes = lazy.reduce((a, f) => a + size(f), 0);
    figures.files = Object.fromEntries(all.map((f) => [f, { bytes: size(f), loadedWithoutEmbeddings: loaded.has(f) }]));
    console.log(
      `[e2e] 64 feature maps of 56×56 drawn in ${(figures.featureMaps64x56x56DrawMs as number).toFixed(1)} ms; ` +
        `extension scripts ${((figures.bundleBytesWithoutPlotly as number) / 1024).toFixed(0)} kB without the lazy plotly chunks (${((figures.lazyPlotlyBytes as number) / 1024).toFixed(0)} kB)`,
    );
  });
});
