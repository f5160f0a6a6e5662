// plotly.js has no type declarations; the partial-bundle entry points convlab imports.
declare module "plotly.js/lib/core" { const m: unknown; export default m; }
declare module "plotly.js/lib/scatter" { const m: unknown; export default m; }
declare module "plotly.js/lib/scatter3d" { const m: unknown; export default m; }
declare module "plotly.js/lib/bar" { const m: unknown; export default m; }
