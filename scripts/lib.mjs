// Small helpers shared by the set-up, build, start and test scripts. Node built-ins only: these
// scripts run on a fresh clone before `npm ci` has installed anything.
import { spawnSync, execFileSync } from "node:child_process";
import { existsSync, statSync, readdirSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const venv = join(root, ".venv");
export const venvBin = (name) => join(venv, "bin", name);
export const isCI = !!process.env.CI && process.env.CI !== "false";

export function log(msg) {
  process.stderr.write(`[convlab] ${msg}\n`);
}

/** Runs a command, inheriting stdio; throws with the command line when it fails. */
export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root, ...opts, env: { ...process.env, ...opts.env } });
  if (r.error) throw new Error(`${cmd} ${args.join(" ")}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited with ${r.status ?? r.signal}`);
  return r;
}

/** Runs a command and returns its stdout ("" when it fails). */
export function output(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], ...opts });
  } catch {
    return "";
  }
}

/** Newest modification time (ms) under the given files/folders, skipping build outputs. */
export function newestMtime(paths, skip = /(^|\/)(node_modules|dist|lib|labextension|\.venv|\.git)(\/|$)/) {
  let newest = 0;
  const visit = (p) => {
    if (skip.test(p.slice(root.length))) return;
    let st;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const e of readdirSync(p)) visit(join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) visit(resolve(root, p));
  return newest;
}

/** A stamp file records that a step finished; the step is stale when any input is newer. */
export function isFresh(stampName, inputs, skip) {
  const stamp = join(root, ".cache", "stamps", stampName);
  if (!existsSync(stamp)) return false;
  return statSync(stamp).mtimeMs >= newestMtime(inputs, skip);
}

export function touchStamp(stampName) {
  const dir = join(root, ".cache", "stamps");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, stampName), new Date().toISOString() + "\n");
}

export function readJson(p) {
  return JSON.parse(readFileSync(resolve(root, p), "utf8"));
}

/** Environment for npm installs: onnxruntime-node's postinstall download fails here. */
export const npmEnv = { ONNXRUNTIME_NODE_INSTALL: "skip" };
