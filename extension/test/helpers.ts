// What JupyterLab hands a mime renderer, for constructing renderers in tests.
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";

export function rendererOptions(mimeType: string): IRenderMime.IRendererOptions {
  return { mimeType, sanitizer: { sanitize: (s: string) => s }, resolver: null, linkHandler: null, latexTypesetter: null };
}
