// Shared set-up of the kernel tests: the real kernel process started from its kernelspec argv,
// in a temporary folder outside the repository, with Jupyter's folders isolated.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KernelClient, type Message } from "../../kernel/src/client.js";
import { kernelSpec } from "../../kernel/src/kernelspec.js";

export const ANSI = /\x1b\[[0-9;]*m/g;
export const stripAnsi = (s: string) => s.replace(ANSI, "");

/** A temporary folder with isolated JUPYTER_* variables (removed by `cleanup`). */
export function tempEnv(prefix = "convlab-kernel-test-"): { dir: string; env: NodeJS.ProcessEnv; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: join(dir, ".jupyter-config"),
    JUPYTER_DATA_DIR: join(dir, ".jupyter-data"),
    JUPYTER_RUNTIME_DIR: join(dir, ".jupyter-runtime"),
  };
  return { dir, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts the kernel the way Jupyter does (the kernelspec's argv) with `cwd` as the notebook folder. */
export function startKernel(cwd: string, env?: NodeJS.ProcessEnv): Promise<KernelClient> {
  return KernelClient.start({ argv: kernelSpec().argv, cwd, env });
}

export function ofType(iopub: Message[], type: string): Message[] {
  return iopub.filter((m) => m.header.msg_type === type);
}

export function one(iopub: Message[], type: string): Message {
  const found = ofType(iopub, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, got ${found.length}: ${JSON.stringify(iopub.map((m) => [m.header.msg_type, m.content])).slice(0, 2000)}`);
  return found[0]!;
}

/** The `text/plain` of the execute_result among `iopub`. */
export function resultText(iopub: Message[]): string {
  return (one(iopub, "execute_result").content as { data: Record<string, string> }).data["text/plain"]!;
}

export function streamText(iopub: Message[], name = "stdout"): string {
  return ofType(iopub, "stream")
    .filter((m) => m.content.name === name)
    .map((m) => m.content.text as string)
    .join("");
}
