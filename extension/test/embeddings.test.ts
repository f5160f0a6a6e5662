// The embeddings renderer in jsdom, fed a real cl.inspect.embeddings payload (three identities
// in 8-D, with pictures and triplets): plotly draws one trace per identity (2-D scatter works
// in jsdom), hover shows the point's picture, triplets with their losses and violations, the τ
// slider gives verification's accuracy, t-SNE without a kernel says so, bad payload → error box.
import { describe, expect, it } from "vitest";
import { Rng, Tensor, inspect, rand } from "convlab/browser";
import { EmbeddingsWidget, accuracyText, plotlyText, rocPoint, scatterTraces } from "../src/embeddings.js";
import { setKernelFinder } from "../src/kernel.js";
import { rendererOptions } from "./helpers.js";

function widget(): EmbeddingsWidget {
  const w = new EmbeddingsWidget(rendererOptions(inspect.EMBEDDINGS_MIME));
  document.body.appendChild(w.node); // plotly measures the page
  return w;
}

/** 3 identities × 10 points around well-separated centres in 8-D; triplets (0, 1, 10) and a violating (0, 25, 1). */
function make(): inspect.EmbeddingsPayload {
  const rng = new Rng(3), m = 30, d = 8;
  const v = new Float32Array(m * d);
  const labels: number[] = [];
  for (let i = 0; i < m; i++) {
    const id = Math.floor(i / 10);
    labels.push(id);
    for (let k = 0; k < d; k++) v[i * d + k] = (k === id ? 1 : 0) + 0.1 * rng.normal();
  }
  return inspect.embeddings(new Tensor(v, [m, d]), {
    labels,
    identities: ["ada", "<b>bob</b>", "cy"],
    images: rand([m, 8, 8, 1], { seed: 1 }),
    triplets: [{ anchor: 0, positive: 1, negative: 10 }, { anchor: 0, positive: 25, negative: 1 }],
    alpha: 0.2,
  }).payload;
}

describe("embeddings renderer", () => {
  it("plots one trace per identity with PCA from the browser; hover shows the point's picture", async () => {
    const p = make();
    const traces = scatterTraces(p, { name: "x", dims: 2, coords: inspect.pca(inspect.unpackArray(p.vectors, 240), 30, 8, { dims: 2 }).coords });
    expect(traces.map((t) => [t.name, (t.x as number[]).length, t.type])).toEqual([["ada", 10, "scatter"], ["&lt;b&gt;bob&lt;/b&gt;", 10, "scatter"], ["cy", 10, "scatter"]]);
    expect((traces[1]!.customdata as number[])[0]).toBe(10);
    const w = widget();
    w.renderData(p);
    await w.plotted;
    const plotBox = w.node.querySelector<HTMLElement>(".convlab-emb-plot")!;
    expect(plotBox.dataset.plotted).toBe("true");
    expect(plotBox.querySelectorAll(".scatterlayer .trace").length).toBe(3);
    expect(plotBox.querySelectorAll(".scatterlayer .point").length).toBe(30);
    // plotly reads <b> in names as markup; the escaped name shows the identity's characters as they are
    expect([...plotBox.querySelectorAll(".legendtext")].map((t) => t.textContent)).toEqual(["ada", "<b>bob</b>", "cy"]);
    expect(plotBox.querySelector(".legendtext b, .legendtext [style*='bold']")).toBeNull();
    // plotly's own hover event (customdata = the point's index) fills the side panel
    (plotBox as unknown as { emit(ev: string, data: unknown): void }).emit("plotly_hover", { points: [{ customdata: 17, pointNumber: 7, curveNumber: 1 }] });
    expect(w.node.querySelector(".convlab-emb-hover-label")!.textContent).toBe("<b>bob</b> · #17");
    expect(w.node.querySelector<HTMLImageElement>(".convlab-emb-thumb")!.src).toBe(`data:image/png;base64,${p.thumbnails![17]!.png}`);
    expect([...w.node.querySelectorAll("select.convlab-emb-projection option")].map((o) => o.getAttribute("value"))).toEqual(["pca2", "pca3"]);
    w.showPoint(p, 12);
    expect(w.node.querySelector(".convlab-emb-hover-label")!.textContent).toBe("<b>bob</b> · #12");
    expect(w.node.querySelector<HTMLImageElement>(".convlab-emb-thumb")!.src).toBe(`data:image/png;base64,${p.thumbnails![12]!.png}`);
    expect(w.node.querySelector("b")).toBeNull();
    w.dispose();
  });

  it("lists the triplets with d(A,P), d(A,N) and L, marking the violation", () => {
    const p = make();
    const w = widget();
    w.renderData(p);
    const rows = [...w.node.querySelectorAll("tr.convlab-emb-triplet")];
    const stats = inspect.tripletStats(inspect.unpackArray(p.vectors, 240), 8, p.triplets!, 0.2);
    expect(rows.map((r) => r.classList.contains("convlab-emb-violated"))).toEqual(stats.map((s) => s.violated));
    expect(stats.map((s) => s.violated)).toEqual([false, true]);
    expect(Number(rows[1]!.querySelector(".convlab-emb-loss")!.textContent)).toBeCloseTo(stats[1]!.loss, 3);
    expect(w.node.querySelector(".convlab-emb-triplet-summary")!.textContent).toMatch(/^1 of 2 triplets violate the margin α = 0.2/);
    w.dispose();
  });

  it("the τ slider gives verification's accuracy and moves the ROC point; an update keeps τ", () => {
    const p = make();
    const w = widget();
    w.renderData(p);
    const pairs = inspect.verificationPairs(inspect.unpackArray(p.vectors, 240), 30, 8, p.labels);
    expect(w.node.querySelector(".convlab-emb-accuracy")!.textContent).toBe(accuracyText(pairs, p.tau));
    expect(accuracyText(pairs, p.tau)).toMatch(/accuracy 100\.0 % over 435 pairs/); // separated clusters
    const tau = w.node.querySelector<HTMLInputElement>("input.convlab-emb-tau")!;
    tau.value = "0.01";
    tau.dispatchEvent(new Event("input"));
    const v = inspect.verificationAccuracy(pairs, 0.01);
    expect(w.node.querySelector(".convlab-emb-accuracy")!.textContent).toBe(accuracyText(pairs, 0.01));
    expect(v.accuracy).toBeCloseTo(300 / 435, 12); // nothing is "same": only the 300 different pairs are right
    const pt = rocPoint(pairs, 0.01);
    expect([pt.fpr, pt.tpr]).toEqual([0, 0]);
    expect(w.node.querySelector("circle.convlab-emb-roc-point")!.getAttribute("cx")).toBe("24.0");
    w.renderData(p);
    expect(w.node.querySelector<HTMLInputElement>("input.convlab-emb-tau")!.value).toBe("0.01");
    w.dispose();
  });

  it("t-SNE is disabled with a note while no kernel is reachable (also when the finder fails)", () => {
    const w = widget();
    w.renderData(make());
    const b = w.node.querySelector<HTMLButtonElement>("button.convlab-emb-tsne")!;
    expect(b.disabled).toBe(true);
    expect(w.node.querySelector(".convlab-emb-note")!.textContent).toBe("t-SNE needs a running kernel (run the notebook)");
    setKernelFinder(() => {
      throw new Error("no tracker");
    });
    try {
      w.node.dispatchEvent(new Event("pointerenter"));
      expect(b.disabled).toBe(true);
      expect(w.node.querySelector(".convlab-emb-note")!.textContent).toMatch(/needs a running kernel/);
    } finally {
      setKernelFinder(null);
    }
    w.dispose();
  });

  it("keeps the chosen projection and τ across an update", async () => {
    const p = { ...make(), projection: { method: "pca" as const, dims: 2 as const, coords: Array.from({ length: 60 }, (_, i) => i % 7) } };
    const w = widget();
    w.renderData(p);
    await w.plotted;
    const sel = w.node.querySelector<HTMLSelectElement>("select.convlab-emb-projection")!;
    expect(sel.value).toBe("pca");
    sel.value = "pca2";
    sel.dispatchEvent(new Event("change"));
    await w.plotted;
    expect(w.node.querySelector<HTMLElement>(".convlab-emb-plot")!.dataset.projection).toBe("pca2");
    const tau0 = w.node.querySelector<HTMLInputElement>("input.convlab-emb-tau")!;
    tau0.value = "0.3";
    tau0.dispatchEvent(new Event("input"));
    w.renderData(p);
    await w.plotted;
    expect(w.node.querySelector<HTMLSelectElement>("select.convlab-emb-projection")!.value).toBe("pca2");
    expect(w.node.querySelector<HTMLInputElement>("input.convlab-emb-tau")!.value).toBe("0.3");
    expect(w.node.querySelector(".convlab-error")).toBeNull();
    const tau = w.node.querySelector<HTMLInputElement>("input.convlab-emb-tau")!;
    tau.value = "0.5";
    tau.dispatchEvent(new Event("input"));
    const pairs = inspect.verificationPairs(inspect.unpackArray(p.vectors, 240), 30, 8, p.labels);
    expect(w.node.querySelector(".convlab-emb-accuracy")!.textContent).toBe(accuracyText(pairs, 0.5));
    w.dispose();
  });

  it("draws degenerate outputs (one point; one identity in 1-D) without an error box", async () => {
    for (const [m, d] of [[1, 4], [3, 1]] as const) {
      const w = widget();
      const labels = Array.from({ length: m }, () => 0);
      const p = inspect.embeddings(rand([m, d], { seed: 2 }), { labels, identities: ["solo"] }).payload;
      w.renderData(p);
      await w.plotted;
      expect(w.node.querySelector(".convlab-error")).toBeNull();
      const pairs = inspect.verificationPairs(inspect.unpackArray(p.vectors, m * d), m, d, labels);
      expect(w.node.querySelector(".convlab-emb-accuracy")!.textContent).toBe(accuracyText(pairs, p.tau));
      expect(accuracyText(pairs, p.tau)).toMatch(m === 1 ? /no pairs to verify/ : /over 3 pairs/);
      expect(w.node.querySelector(".convlab-emb-accuracy")!.textContent).not.toMatch(/NaN/);
      w.dispose();
    }
  });

  it("plotlyText escapes what plotly would read as markup", () => {
    expect(plotlyText(`<a href="javascript:x">A&B</a>`)).toBe(`&lt;a href="javascript:x"&gt;A&amp;B&lt;/a&gt;`);
  });

  it("a payload with the kernel's t-SNE shows it first; bad payloads give an error box", () => {
    const p = make();
    const w = widget();
    const withTsne = { ...p, projection: { method: "tsne" as const, dims: 2 as const, coords: Array.from({ length: 60 }, (_, i) => i), seed: 0 } };
    w.renderData(withTsne);
    expect(w.node.querySelector<HTMLSelectElement>("select.convlab-emb-projection")!.value).toBe("tsne");
    expect(w.node.querySelector<HTMLButtonElement>("button.convlab-emb-tsne")!.disabled).toBe(true);
    w.renderData({ ...p, labels: p.labels.slice(1) });
    expect(w.node.querySelector(".convlab-error")!.textContent).toMatch(/labels/);
    w.dispose();
  });
});
