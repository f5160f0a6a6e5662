// The Python side of the interoperability tests: .venv's python (made by scripts/setup.mjs, which
// installs torch, onnx, onnxruntime, safetensors and tensorboard from the local wheels) and a
// runner for short scripts. Where .venv or a module is missing, `python(mods)` says which and why,
// and the tests that need it are skipped with that message.
import { spawnSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..", "..");
const PY = join(ROOT, ".venv", "bin", "python");

const cache = new Map<string, string | null>();

/** null when .venv's python imports every module; else the reason it cannot. */
export function pythonMissing(mods: readonly string[]): string | null {
  const key = mods.join(",");
  if (cache.has(key)) return cache.get(key)!;
  let why: string | null = null;
  if (!existsSync(PY)) why = `no ${PY} (run node scripts/setup.mjs)`;
  else {
    const r = spawnSync(PY, ["-c", mods.map((m) => `import ${m}`).join("; ")], { encoding: "utf8", timeout: 120_000 });
    if (r.status !== 0) why = `.venv lacks Python module(s) ${key}: ${(r.stderr || "").trim().split("\n").pop()} (node scripts/setup.mjs installs them from the local wheels)`;
  }
  if (why) console.warn(`[interop tests] skipped: ${why}`);
  cache.set(key, why);
  return why;
}

/** Runs a Python script (text) with .venv's python; resolves with stdout, rejects with stderr on failure. */
export function runPython(script: string, args: string[] = [], opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<string> {
  return runCommand(PY, ["-c", script, ...args], opts);
}

export function runCommand(cmd: string, args: string[], opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, OMP_NUM_THREADS: "1", ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args[0] === "-c" ? "-c <script>" : args.join(" ")} failed (${signal ?? code}):\n${err.slice(-4000)}\n${out.slice(-2000)}`));
    });
  });
}

export const VENV_BIN = join(ROOT, ".venv", "bin");

/** `|a − b| ≤ atol + rtol·|b|` everywhere; returns the worst excess (≤ 0 when all pass) and max |a − b|. */
export function closeness(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): { ok: boolean; maxAbs: number } {
  if (a.length !== b.length) return { ok: false, maxAbs: Infinity };
  let ok = true, maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    maxAbs = Math.max(maxAbs, d);
    if (!(d <= atol + rtol * Math.abs(b[i]!))) ok = false;
  }
  return { ok, maxAbs };
}
