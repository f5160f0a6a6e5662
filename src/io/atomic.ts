/**
 * Atomic file replacement (Node only), and the sweeping of what interrupted writes leave behind.
 *
 * `writeFileAtomic(path)` writes into a temporary file beside `path`, named
 * `.<name>.<pid>.<12 hex digits>.tmp`, fsyncs it and renames it over `path`. A process killed
 * before the rename leaves that temporary file; the next save or load of the same `path`
 * (`writeFileAtomic`, `saveTensors`/`loadTensors`, `writeImage`/`readImage`) removes every
 * such file of `path` whose writer is gone: its process no longer runs (or it is this process and
 * the write is not in progress), or the file is more than a day old. Only files of exactly that
 * naming in the same folder are touched.
 */
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { typeFail } from "../util/check.js";
import { ioError, pathArg } from "./files.js";

/** Temporary files this process is writing now. */
const inFlight = new Set<string>();

/** A temporary file older than this is stale whoever wrote it (e.g. another host on a shared disk). */
const STALE_MS = 24 * 3600 * 1000;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The temporary-file name pattern of `path`: `.<name>.<pid>.<12 hex>.tmp`, capturing the pid. */
function tempPattern(path: string): RegExp {
  return new RegExp(`^\\.${escapeRe(basename(path))}\\.(\\d+)\\.[0-9a-f]{12}\\.tmp$`);
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/**
 * Removes the stale temporary files of `path` left by interrupted `writeFileAtomic` calls (see
 * above); returns their names. Never throws: a folder that cannot be listed is left alone.
 */
export function sweepStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const re = tempPattern(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = re.exec(name);
    if (!m) continue;
    const file = join(dir, name);
    if (inFlight.has(file)) continue;
    const pid = Number(m[1]);
    let stale = pid === process.pid || !alive(pid);
    if (!stale) {
      try {
        stale = Date.now() - statSync(file).mtimeMs > STALE_MS;
      } catch {
        continue;
      }
    }
    if (!stale) continue;
    try {
      unlinkSync(file);
      removed.push(name);
    } catch { /* already gone, or not ours to remove */ }
  }
  return removed;
}

/**
 * Writes `parts` (concatenated) to `path` atomically: into a temporary file in the same folder,
 * flushed to disk (fsync), then renamed over `path`. Readers see the old file or the complete
 * new one, never a partial write; on any error the temporary file is removed and an existing
 * `path` is left untouched. Stale temporary files of earlier interrupted writes of `path` are
 * removed first. Errors are `IoError`s naming the path: `io.writeFileAtomic: cannot write
 * out/x.bin: no such file or directory (ENOENT)`.
 */
export function writeFileAtomic(path: string, parts: Uint8Array | readonly Uint8Array[]): void {
  writeAtomic("io.writeFileAtomic", path, parts);
}

/** `writeFileAtomic` for the function `fn` (named in errors). */
export function writeAtomic(fn: string, path: string, parts: Uint8Array | readonly Uint8Array[]): void {
  pathArg(fn, path);
  const list = parts instanceof Uint8Array ? [parts] : parts;
  if (!Array.isArray(list)) typeFail(fn, "parts", "a Uint8Array or an array of them", parts);
  list.forEach((p, i) => {
    if (!(p instanceof Uint8Array)) typeFail(fn, `parts[${i}]`, "a Uint8Array", p);
  });
  sweepStaleTemps(path);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  inFlight.add(tmp);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, "wx", 0o644);
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
    throw ioError(fn, "write", path, e);
  } finally {
    inFlight.delete(tmp);
  }
  // Persist the rename itself (best effort: not every platform can fsync a directory).
  try {
    const dfd = openSync(dir, "r");
    try { fsyncSync(dfd); } finally { closeSync(dfd); }
  } catch { /* ignore */ }
}
