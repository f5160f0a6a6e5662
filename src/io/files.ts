/**
 * File access for `cl.io` (Node only): path arguments checked, and system errors wrapped in an
 * `IoError` that names the function and the path:
 * `io.loadTensors: cannot read model.ckpt: no such file or directory (ENOENT)`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { IoError, ValueError } from "../util/errors.js";
import { typeFail } from "../util/check.js";

/** What a system error code means, in words. */
const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EISDIR: "it is a directory",
  ENOTDIR: "a part of the path is not a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EEXIST: "it already exists",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EMFILE: "too many open files",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many symbolic links",
  EIO: "input/output error",
  EBUSY: "resource busy",
};

/** A file path: a non-empty string without NUL characters. */
export function pathArg(fn: string, path: unknown, name = "path"): string {
  if (typeof path !== "string") typeFail(fn, name, "a file path (a string)", path);
  if (path.length === 0) throw new ValueError(`${fn}: ${name} must be a file path, got the empty string`);
  if (path.includes("\0")) throw new ValueError(`${fn}: ${name} must not contain NUL characters, got ${JSON.stringify(path)}`);
  return path;
}

/** The system error `e` of `fn` doing `what` ("read", "write") to `path`, as an `IoError` (other errors pass through). */
export function ioError(fn: string, what: string, path: string, e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof IoError || !("code" in e)) return e;
  const code = typeof e.code === "string" ? e.code : undefined;
  const reason = (code !== undefined ? REASONS[code] : undefined) ?? e.message;
  return new IoError(`${fn}: cannot ${what} ${path}: ${reason}${code ? ` (${code})` : ""}`, path, { code, cause: e });
}

/** The bytes of the file at `path`; an `IoError` naming `fn` when it cannot be read. */
export function readFileBytes(fn: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw ioError(fn, "read", path, e);
  }
}

/** The folder `sub` of the installed npm package `pkg` (one of convlab's dependencies); `fn` names the caller when it is missing. */
export function packageDir(fn: string, pkg: string, sub: string): string {
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${pkg}/package.json`);
  } catch {
    throw new ValueError(`${fn}: the npm package ${pkg} is not installed (it is a dependency of convlab: run npm install)`);
  }
  return join(dirname(manifest), sub);
}
