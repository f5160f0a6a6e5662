/**
 * `cl.style.gallery([{ title, image }])`: a row of pictures (images `[h,w,3|1]` or `[1,h,w,c]` in
 * [0, 1], or 2-D maps such as Gram matrices drawn as heatmaps), shown as one PNG with an HTML
 * caption line and a text fallback. The style-transfer preview is one, redrawn in place.
 */
import { Tensor } from "../tensor/tensor.js";
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { arrayArg, optIntArg, optionsArg, stringArg, typeFail } from "../util/check.js";
import { tensorToImage } from "../inspect/colormap.js";
import { Raster } from "../inspect/raster.js";
import type { MimeBundle } from "../inspect/display.js";

export interface GalleryItem {
  title: string;
  /** A picture `[h,w,c]` / `[1,h,w,c]` (c = 1 or 3, values in [0, 1]) or a map `[h,w]` (heatmap). */
  image: Tensor;
}

export interface GalleryOptions {
  /** Height each picture is drawn at, pixels (default 160). */
  height?: number;
  /** A line under the pictures (e.g. the step and costs). */
  caption?: string;
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A row of titled pictures (displayable). */
export class Gallery {
  readonly items: readonly GalleryItem[];
  readonly height: number;
  readonly caption: string;

  constructor(items: readonly GalleryItem[], opts: GalleryOptions = {}) {
    const fn = "style.gallery";
    const list = arrayArg(fn, "items", items);
    if (list.length === 0) throw new ValueError(`${fn}: items must hold at least one picture`);
    this.items = list.map((it, i) => {
      if (typeof it !== "object" || it === null) typeFail(fn, `items[${i}]`, "{ title, image }", it);
      const q = it as GalleryItem;
      stringArg(fn, `items[${i}].title`, q.title);
      if (!(q.image instanceof Tensor)) typeFail(fn, `items[${i}].image`, "a Tensor", q.image);
      const s = q.image.shape;
      const ok = s.length === 2 || (s.length === 3 && (s[2] === 1 || s[2] === 3)) || (s.length === 4 && s[0] === 1 && (s[3] === 1 || s[3] === 3));
      if (!ok || q.image.size === 0) throw new ShapeError(`${fn}: items[${i}].image must be [h,w], [h,w,1|3] or [1,h,w,1|3], got ${fmtShape(s)}`);
      return { title: q.title, image: q.image };
    });
    const o = optionsArg(fn, opts);
    this.height = optIntArg(fn, "opts.height", o.height, { min: 8, max: 1024 }) ?? 160;
    this.caption = o.caption === undefined ? "" : stringArg(fn, "opts.caption", o.caption);
  }

  /** The row as one RGB picture. */
  png(): { base64: string; width: number; height: number } {
    const H = this.height, GAP = 6;
    const imgs = this.items.map((it) => {
      const t = it.image.rank === 4 ? new Tensor(it.image.data, it.image.shape.slice(1)) : it.image;
      const heat = t.rank === 2;
      const raw = tensorToImage(t, heat ? { mode: "heatmap", colormap: "viridis" } : { mode: "image", min: 0, max: 1 });
      return { raw, w: Math.max(1, Math.round((raw.width * H) / raw.height)) };
    });
    const W = imgs.reduce((s, q) => s + q.w, 0) + GAP * (imgs.length - 1);
    const r = new Raster(W, H, [255, 255, 255]);
    let x = 0;
    for (const q of imgs) {
      r.paste(q.raw, x, 0, q.w, H);
      x += q.w + GAP;
    }
    return { base64: r.toPngBase64(), width: r.width, height: r.height };
  }

  toMimeBundle(): MimeBundle {
    const p = this.png();
    const titles = this.items.map((it) => `${it.title} ${fmtShape(it.image.shape)}`).join(" | ");
    const html = `<figure style="margin:0"><img src="data:image/png;base64,${p.base64}" width="${p.width}" height="${p.height}" alt="${escape(this.items.map((i) => i.title).join(", "))}"/>` +
      `<figcaption>${escape(this.items.map((i) => i.title).join(" · "))}${this.caption ? `<br/>${escape(this.caption)}` : ""}</figcaption></figure>`;
    return {
      data: { "image/png": p.base64, "text/html": html, "text/plain": `${titles}${this.caption ? `\n${this.caption}` : ""}` },
      metadata: { "image/png": { width: p.width, height: p.height } },
    };
  }

  toString(): string {
    return String(this.toMimeBundle().data["text/plain"]);
  }
}

/** `cl.style.gallery([{ title: "content", image: c }, { title: "G", image: g }])`. */
export function gallery(items: readonly GalleryItem[], opts: GalleryOptions = {}): Gallery {
  return new Gallery(items, opts);
}
