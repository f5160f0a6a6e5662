/** Atomic file replacement (Node only). */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";

/**
 * Writes `parts` (concatenated) to `path` atomically: into a temporary file in the same folder,
 * flushed to disk (fsync), then renamed over `path`. Readers see the old file or the complete
 * new one, never a partial write; on any error the temporary file is removed and an existing
 * `path` is left untouched.
 */
export function writeFileAtomic(path: string, parts: Uint8Array | readonly Uint8Array[]): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const list = parts instanceof Uint8Array ? [parts] : parts;
  let fd: number | null = openSync(tmp, "wx", 0o644);
  try {
    for (const p of list) {
      let off = 0;
      while (off < p.length) off += writeSync(fd, p, off, p.length - off);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) {
      try { closeSync(fd); } catch { /* already failing */ }
    }
    try { unlinkSync(tmp); } catch { /* not created or already gone */ }
    throw e;
  }
  // Persist the rename itself (best effort: not every platform can fsync a directory).
  try {
    const dfd = openSync(dir, "r");
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* ignore */ }
}
