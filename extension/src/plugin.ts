// The front-end plugin: gives convlab widgets their notebook's kernel (mime renderers get none),
// by finding the notebook panel whose DOM holds the widget.
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from "@jupyterlab/application";
import { INotebookTracker } from "@jupyterlab/notebook";
import { setKernelFinder } from "./kernel.js";

const plugin: JupyterFrontEndPlugin<void> = {
  id: "convlab-jupyterlab:kernel-bridge",
  description: "Connects convlab widgets to their notebook's kernel (comm target 'convlab').",
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, tracker: INotebookTracker) => {
    setKernelFinder((node) => {
      const panel = tracker.find((p) => p.node.contains(node));
      return panel?.sessionContext.session?.kernel ?? null;
    });
  },
};

export default plugin;
