// The kernel under Jupyter's own client library (jupyter_client in .venv): found through its
// kernelspec, interrupted with SIGINT (interrupt_mode "signal") and restarted by KernelManager.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeKernelSpec } from "../../kernel/src/kernelspec.js";
import { tempEnv } from "./helpers.js";

const python = join(import.meta.dirname, "..", "..", ".venv", "bin", "python");
const env = tempEnv("convlab-jupyter-client-");
afterAll(() => env.cleanup());

const SCRIPT = String.raw`
import json, sys, time
from jupyter_client.manager import KernelManager
cwd = sys.argv[1]
out = {}
km = KernelManager(kernel_name="convlab")
km.start_kernel(cwd=cwd)
kc = km.client()
kc.start_channels()
try:
    kc.wait_for_ready(timeout=60)
    out["spec"] = km.kernel_spec.display_name
    def run(code, timeout=60):
        outputs = []
        reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda m: outputs.append({"type": m["msg_type"], "content": m["content"]}))
        return {"reply": reply["content"], "outputs": outputs}
    out["define"] = run("let kept = 41")
    msg_id = kc.execute("let spins = 0;\nwhile (true) spins++;")
    time.sleep(1.0)
    km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=15)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    out["interrupted"] = reply["content"]
    out["after_interrupt"] = run("kept + 1")
    km.restart_kernel(now=False)
    kc.wait_for_ready(timeout=60)
    out["after_restart"] = run("cl.zeros([3]).shape.length")
    out["forgotten"] = run("kept")
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=False)
print(json.dumps(out))
`;

describe("jupyter_client", () => {
  it("starts the convlab kernelspec, interrupts a busy cell with SIGINT and restarts the kernel", () => {
    expect(existsSync(python), `${python} is missing: run node scripts/setup.mjs`).toBe(true);
    const kernels = join(env.dir, "share", "jupyter", "kernels");
    writeKernelSpec(kernels);
    const r = spawnSync(python, ["-c", SCRIPT, env.dir], {
      env: { ...env.env, JUPYTER_PATH: join(env.dir, "share", "jupyter") },
      encoding: "utf8",
      timeout: 180_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, { reply: Record<string, unknown>; outputs: { type: string; content: Record<string, unknown> }[] } & Record<string, unknown>>;
    expect(out.spec).toBe("convlab (TypeScript)");
    expect(out.define!.reply.status).toBe("ok");
    expect(out.interrupted).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    const after = out.after_interrupt!;
    expect(after.reply.status).toBe("ok");
    expect(after.outputs.find((o) => o.type === "execute_result")?.content.data).toEqual({ "text/plain": "42" });
    const restarted = out.after_restart!;
    expect(restarted.reply.status).toBe("ok");
    expect(restarted.reply.execution_count).toBe(1);
    expect(restarted.outputs.find((o) => o.type === "execute_result")?.content.data).toEqual({ "text/plain": "1" });
    expect(out.forgotten!.reply).toMatchObject({ status: "error", ename: "TSError" });
  }, 200_000);
});
