// jsdom has no DragEvent, which @lumino/dragdrop subclasses when it loads; the renderers never
// drag, so a MouseEvent with a dataTransfer slot is all it needs.
if (typeof globalThis.DragEvent === "undefined") {
  class DragEventShim extends MouseEvent {
    readonly dataTransfer: DataTransfer | null = null;
  }
  (globalThis as { DragEvent?: unknown }).DragEvent = DragEventShim;
}
