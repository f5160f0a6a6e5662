/**
 * Documentation comments of library declarations, loaded when first needed.
 *
 * The TypeScript 5.0 that tslab uses parses every JSDoc comment of every declaration file it
 * reads (later versions can skip them), and the declarations a kernel needs at start-up
 * (`lib.es2022`, `@types/node`, convlab's own) are two-thirds comments: parsing them as JSDoc
 * took ≈ 0.25 s of a 1.6 s start. Only inspection shows that documentation, so until the
 * first `inspect_request` the kernel shows the type checker library declarations whose `/**`
 * comments are plain `/*` comments (same length, same positions, same types). On the first
 * inspection the original files are announced as changed to the converters' file watchers, and
 * the next program (built by that inspection) has the documentation.
 */

// Tokens that matter for finding comments: line comments, the start of a block comment, string
// literals (possibly unterminated) and backticks; inside a template's `${ … }` braces as well.
const CODE = /\/\/[^\n]*|\/\*|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?|`/g;
const CODE_IN_TEMPLATE = /\/\/[^\n]*|\/\*|"(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?|`|\{|\}/g;
// The rest of a template literal's text, up to its closing backtick or its next `${`.
const TEMPLATE_TEXT = /(?:[^`\\$]|\\[\s\S]|\$(?!\{))*(`|\$\{)?/y;

/**
 * `text` (the source of a declaration file) with the opening `/**` of each JSDoc comment
 * replaced by `/* `: string literals, template literal types and other comments are left as
 * they are, and the length does not change. `/**\/` (an empty comment) is not JSDoc and stays.
 */
export function hideJSDoc(text: string): string {
  const n = text.length;
  const stars: number[] = []; // positions of the second `*` of each JSDoc opening
  const templates: number[] = []; // brace depth outside each template whose `${ … }` we are in
  let depth = 0;
  let i = 0;
  // Skips template text from i; true when it stopped after a `${`.
  const templateText = (): boolean => {
    TEMPLATE_TEXT.lastIndex = i;
    const m = TEMPLATE_TEXT.exec(text) as RegExpExecArray;
    i += m[0].length;
    return m[1] === "${";
  };
  const enterTemplate = (): void => {
    if (templateText()) {
      templates.push(depth);
      depth = 0;
    }
  };
  while (i < n) {
    const re = templates.length > 0 ? CODE_IN_TEMPLATE : CODE;
    re.lastIndex = i;
    const m = re.exec(text);
    if (m === null) break;
    i = re.lastIndex;
    const token = m[0];
    if (token === "/*") {
      if (text[i] === "*" && text[i + 1] !== "/") stars.push(i);
      const end = text.indexOf("*/", i);
      i = end < 0 ? n : end + 2;
    } else if (token === "`") enterTemplate();
    else if (token === "{") depth++;
    else if (token === "}") {
      if (depth > 0) depth--;
      else {
        depth = templates.pop() as number;
        enterTemplate();
      }
    }
  }
  if (stars.length === 0) return text;
  const parts: string[] = [];
  let last = 0;
  for (const s of stars) {
    parts.push(text.slice(last, s), " ");
    last = s + 1;
  }
  parts.push(text.slice(last));
  return parts.join("");
}

/**
 * A declaration file TypeScript may show without its documentation until it is needed: one in
 * a package (`node_modules`, which holds TypeScript's own `lib` files too) or below one of
 * `roots` (convlab's `dist/`, wherever the package is). A notebook's own files are always read
 * as they are.
 */
export function isLibraryDeclaration(path: string, roots: readonly string[] = []): boolean {
  return /\.d\.[cm]?ts$/.test(path) && (path.includes("/node_modules/") || roots.some((r) => path.startsWith(r)));
}

type FileWatcherCallback = (fileName: string, eventKind: number) => void;

/**
 * Which files were shown without documentation, who watches them, and the switch to the
 * originals.
 */
export class LazyDocs {
  private shown = false;
  private readonly hidden = new Set<string>();
  private readonly watchers = new Map<string, Set<FileWatcherCallback>>();

  /**
   * `changedKind`: TypeScript's `FileWatcherEventKind.Changed`; `roots`: folders (ending in "/")
   * whose declaration files count as a library's besides those in `node_modules`; `hide: false`
   * shows the documentation from the start.
   */
  constructor(
    private readonly changedKind: number,
    private readonly roots: readonly string[] = [],
    hide = true,
  ) {
    this.shown = !hide;
  }

  /** Whether `path` is a library's declaration file (see `isLibraryDeclaration`). */
  isLibrary(path: string): boolean {
    return isLibraryDeclaration(path, this.roots);
  }

  /** Whether the documentation has been loaded (after the first `show()`). */
  get loaded(): boolean {
    return this.shown;
  }

  /** The text TypeScript gets for `path` (as TypeScript names it), given the file's real text. */
  read(path: string, text: string | undefined): string | undefined {
    if (this.shown || text === undefined || !this.isLibrary(path)) return text;
    this.hidden.add(path);
    return hideJSDoc(text);
  }

  /** Records a converter's watcher of `path`; the returned function forgets it. */
  watch(path: string, callback: FileWatcherCallback): () => void {
    const set = this.watchers.get(path) ?? new Set<FileWatcherCallback>();
    this.watchers.set(path, set);
    set.add(callback);
    return () => set.delete(callback);
  }

  /**
   * From now on TypeScript reads the original files; each watcher of a file it was shown
   * without documentation is told the file changed, so the next program re-reads it.
   * Returns how many files were announced.
   */
  show(): number {
    if (this.shown) return 0;
    this.shown = true;
    let count = 0;
    for (const path of this.hidden) {
      const set = this.watchers.get(path);
      if (!set || set.size === 0) continue;
      count++;
      for (const cb of [...set]) cb(path, this.changedKind);
    }
    this.hidden.clear();
    return count;
  }
}
