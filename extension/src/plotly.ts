// Plotly as a partial bundle, loaded lazily: only the traces convlab draws (2-D scatter and lines,
// 3-D scatter, bars), in a chunk of its own that the browser fetches the first time a widget
// plots. The rest of the extension stays small (the bundle-size figure excludes this chunk).
//
// plotly.js ships no types; the few calls the widgets make are typed here.

/** A trace or layout object as plotly reads it. */
export type PlotlyObject = Record<string, unknown>;

export interface PlotlyApi {
  react(root: HTMLElement, data: PlotlyObject[], layout?: PlotlyObject, config?: PlotlyObject): Promise<HTMLElement>;
  purge(root: HTMLElement): void;
  Plots: { resize(root: HTMLElement): void };
}

let loading: Promise<PlotlyApi> | null = null;

/** Loads (once) and returns plotly with the scatter, scatter3d and bar traces registered. */
export function loadPlotly(): Promise<PlotlyApi> {
  loading ??= (async () => {
    const [core, scatter, scatter3d, bar] = await Promise.all([
      import(/* webpackChunkName: "plotly" */ "plotly.js/lib/core"),
      import(/* webpackChunkName: "plotly" */ "plotly.js/lib/scatter"),
      import(/* webpackChunkName: "plotly" */ "plotly.js/lib/scatter3d"),
      import(/* webpackChunkName: "plotly" */ "plotly.js/lib/bar"),
    ]);
    const Plotly = (core.default ?? core) as unknown as PlotlyApi & { register(m: unknown[]): void };
    Plotly.register([scatter.default ?? scatter, scatter3d.default ?? scatter3d, bar.default ?? bar]);
    return Plotly;
  })();
  loading.catch(() => (loading = null));
  return loading;
}

/** Plots into `root` once plotly is loaded; a failure to load shows as text in `root`. */
export async function plot(root: HTMLElement, data: PlotlyObject[], layout: PlotlyObject = {}, config: PlotlyObject = {}): Promise<void> {
  let Plotly: PlotlyApi;
  try {
    Plotly = await loadPlotly();
  } catch (e) {
    root.textContent = `convlab: plotly could not be loaded (${e instanceof Error ? e.message : String(e)})`;
    return;
  }
  await Plotly.react(root, data, { margin: { l: 48, r: 12, t: 24, b: 40 }, ...layout }, { displaylogo: false, responsive: true, ...config });
}
