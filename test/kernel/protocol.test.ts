// The convlab kernel driven over ZeroMQ as Jupyter drives it: one real kernel process for the
// file, started from the kernelspec in a folder outside the repository.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KernelClient, sleep } from "../../kernel/src/client.js";
import { one, ofType, resultText, startKernel, streamText, stripAnsi, tempEnv } from "./helpers.js";

let k: KernelClient;
const env = tempEnv();

beforeAll(async () => {
  k = await startKernel(env.dir, env.env);
}, 60_000);

afterAll(async () => {
  await k?.shutdown();
  env.cleanup();
});

describe("kernel_info", () => {
  it("names the convlab implementation and TypeScript", async () => {
    const { reply } = await k.request("kernel_info_request", {});
    expect(reply.header.msg_type).toBe("kernel_info_reply");
    const c = reply.content as { status: string; implementation: string; protocol_version: string; language_info: { name: string; file_extension: string; version: string } };
    expect(c.status).toBe("ok");
    expect(c.implementation).toBe("convlab");
    expect(c.protocol_version).toMatch(/^5\./);
    expect(c.language_info.name).toBe("typescript");
    expect(c.language_info.file_extension).toBe(".ts");
    expect(c.language_info.version).toMatch(/^5\.\d+/);
  });
});

describe("execute", () => {
  it("sends the last expression as execute_result with the execution count", async () => {
    const { reply, iopub } = await k.execute("const a = 1 + 2;\na * 2");
    expect(reply.content.status).toBe("ok");
    const result = one(iopub, "execute_result");
    expect(result.content.execution_count).toBe(reply.content.execution_count);
    expect(typeof reply.content.execution_count).toBe("number");
    expect(result.content.data).toEqual({ "text/plain": "6" });
    // nothing printed to stdout for the value (plain tslab prints it)
    expect(ofType(iopub, "stream")).toHaveLength(0);
  });

  it("counts executions and keeps top-level bindings between cells", async () => {
    const first = await k.execute("let counter = 10");
    const second = await k.execute("counter + 1");
    expect(second.reply.content.execution_count).toBe((first.reply.content.execution_count as number) + 1);
    expect(resultText(second.iopub)).toBe("11");
  });

  it("awaits a Promise left as the last expression and shows its value", async () => {
    const { iopub } = await k.execute("new Promise<string>((r) => setTimeout(() => r('later'), 20))");
    expect(resultText(iopub)).toBe("'later'");
  });

  it("has cl preloaded and typed in every cell, and import from 'convlab' gives the same core", async () => {
    expect(resultText((await k.execute("cl.zeros([2, 3]).shape")).iopub)).toBe("[ 2, 3 ]");
    // cl is a namespace for the type checker too: its types can annotate code
    const typed = await k.execute("function double(t: cl.Tensor): cl.Tensor {\n  return t.mul(2);\n}\ndouble(cl.ones([2])).toArray()");
    expect(resultText(typed.iopub)).toBe("[ 2, 2 ]");
    const { iopub } = await k.execute('import * as convlab from "convlab";\nconvlab.runtime === cl.runtime && convlab.tensor === cl.tensor');
    expect(resultText(iopub)).toBe("true");
    // the converter knows cl's type: a wrong argument is a type error
    const bad = await k.execute("cl.conv2d(cl.zeros([1, 4, 4, 1]), 3)");
    expect(bad.reply.content.ename).toBe("TSError");
    expect(bad.reply.content.evalue).toMatch(/TS2345.*number.*Tensor/);
  });

  it("shows a value's whole toMimeBundle() with its metadata", async () => {
    const { iopub } = await k.execute(
      'const shown = { toMimeBundle: () => ({ data: { "text/html": "<b>hi</b>", "application/vnd.test+json": { a: [1, 2] }, "text/plain": "hi" }, metadata: { "text/html": { isolated: true } } }) };\nshown',
    );
    const r = one(iopub, "execute_result").content as { data: Record<string, unknown>; metadata: Record<string, unknown> };
    expect(r.data).toEqual({ "text/html": "<b>hi</b>", "application/vnd.test+json": { a: [1, 2] }, "text/plain": "hi" });
    expect(r.metadata).toEqual({ "text/html": { isolated: true } });
  });

  it("shows tensors as text plus a PNG heatmap for 2-D maps and images", async () => {
    const map = one((await k.execute("cl.randn([6, 6], { seed: 1 })")).iopub, "execute_result").content as { data: Record<string, string>; metadata: Record<string, { width: number; height: number }> };
    expect(map.data["text/plain"]).toMatch(/^tensor\(\[\[/);
    const png = Buffer.from(map.data["image/png"]!, "base64");
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    expect(png.readUInt32BE(16)).toBe(252); // 6 px magnified 42×
    expect(map.metadata["image/png"]).toEqual({ width: 252, height: 252, alt: "heatmap of a 6×6 map (float32 tensor of shape [6,6])" });
    const image = one((await k.execute("cl.rand([1, 28, 28, 1], { seed: 2 })")).iopub, "execute_result").content as { data: Record<string, string> };
    expect(Object.keys(image.data).sort()).toEqual(["image/png", "text/plain"]);
    const vector = one((await k.execute("cl.arange(5)")).iopub, "execute_result").content as { data: Record<string, string> };
    expect(Object.keys(vector.data)).toEqual(["text/plain"]);
  });

  it("cl.show displays anything displayable, and replaces an output with the same id", async () => {
    const { iopub } = await k.execute('cl.show(cl.filters.sobel);\ncl.show("plain text");\ncl.show(cl.zeros([4, 4]), { id: "frame" });\ncl.show(cl.ones([4, 4]), { id: "frame" });');
    const shown = ofType(iopub, "display_data");
    expect(shown).toHaveLength(3);
    expect(Object.keys(shown[0]!.content.data as object).sort()).toEqual(["image/png", "text/plain"]);
    expect((shown[1]!.content.data as Record<string, string>)["text/plain"]).toBe("'plain text'");
    expect(shown[2]!.content.transient).toEqual({ display_id: "frame" });
    const update = one(iopub, "update_display_data");
    expect(update.content.transient).toEqual({ display_id: "frame" });
    expect((update.content.data as Record<string, string>)["text/plain"]).toMatch(/1/);
    expect(ofType(iopub, "execute_result")).toHaveLength(0); // cl.show returns nothing to display
  });

  it("silent requests publish nothing and do not count", async () => {
    const before = (await k.execute("1")).reply.content.execution_count as number;
    const silent = await k.execute("console.log('quiet'); 5", { silent: true });
    expect(silent.reply.content.status).toBe("ok");
    expect(silent.iopub).toHaveLength(0);
    expect((await k.execute("2")).reply.content.execution_count).toBe(before + 1);
  });
});

describe("errors", () => {
  it("turns an exception into an error message whose traceback points at the cell's TypeScript lines", async () => {
    const code = ["function area(side: number): number {", "  const box: { w?: { h: number } } = {};", "  return box.w!.h * side;", "}", "", "area(3);"].join("\n");
    const { reply, iopub } = await k.execute(code);
    expect(reply.content.status).toBe("error");
    const err = one(iopub, "error").content as { ename: string; evalue: string; traceback: string[] };
    expect(err.ename).toBe("TypeError");
    expect(err.evalue).toMatch(/Cannot read properties of undefined \(reading 'h'\)/);
    expect(reply.content.ename).toBe(err.ename);
    const tb = stripAnsi(err.traceback.join("\n"));
    const label = `Cell In [${String(reply.content.execution_count)}]`;
    expect(tb).toContain(`${label}, line 3 in area`);
    expect(tb).toMatch(/---> 3 {3}return box\.w!\.h \* side;/);
    expect(tb).toContain(`${label}, line 6`);
  });

  it("maps frames in functions defined by an earlier cell to that cell", async () => {
    const def = await k.execute("// helper\nfunction boom(): never {\n  throw new RangeError('boom!');\n}");
    const use = await k.execute("boom()");
    const err = one(use.iopub, "error").content as { ename: string; evalue: string; traceback: string[] };
    expect([err.ename, err.evalue]).toEqual(["RangeError", "boom!"]);
    const tb = stripAnsi(err.traceback.join("\n"));
    expect(tb).toContain(`Cell In [${String(def.reply.content.execution_count)}], line 3 in boom`);
    expect(tb).toContain(`Cell In [${String(use.reply.content.execution_count)}], line 1`);
  });

  it("reports convlab's own errors with their name and message", async () => {
    const { reply } = await k.execute("cl.conv2d(cl.zeros([1, 6, 6, 3]), cl.zeros([3, 3, 1, 2]))");
    expect(reply.content.ename).toBe("ShapeError");
    expect(reply.content.evalue).toMatch(/conv2d: input has 3 channels but filter expects 1/);
  });

  it("reports type errors before anything in the cell runs", async () => {
    const { reply, iopub } = await k.execute('console.log("this must not run");\nconst n: number = "seven";');
    expect(streamText(iopub)).toBe("");
    const err = one(iopub, "error").content as { ename: string; evalue: string; traceback: string[] };
    expect(err.ename).toBe("TSError");
    expect(err.evalue).toMatch(/line 2, column 7: TS2322: Type 'string' is not assignable to type 'number'/);
    expect(stripAnsi(err.traceback.join("\n"))).toMatch(/---> 2 const n: number = "seven";\n\s+\^{1}/);
    expect(reply.content.status).toBe("error");
  });

  it("reports a thrown non-Error value", async () => {
    const { reply } = await k.execute('throw "plain string"');
    expect([reply.content.ename, reply.content.evalue]).toEqual(["Uncaught", "'plain string'"]);
  });

  it("stop_on_error aborts the cells queued behind a failing one; the kernel goes on afterwards", async () => {
    const failing = k.submit("await new Promise((r) => setTimeout(r, 200));\nthrow new Error('first fails')");
    const second = k.submit("console.log('second ran')");
    const third = k.submit("console.log('third ran')");
    const r1 = await k.wait(failing), r2 = await k.wait(second), r3 = await k.wait(third);
    expect(r1.reply.content.status).toBe("error");
    expect(r2.reply.content.status).toBe("aborted");
    expect(r3.reply.content.status).toBe("aborted");
    expect(streamText(r2.iopub) + streamText(r3.iopub)).toBe("");
    expect(resultText((await k.execute("'alive'")).iopub)).toBe("'alive'");
  });

  it("without stop_on_error the queued cells still run", async () => {
    const failing = k.submit("await new Promise((r) => setTimeout(r, 100));\nthrow new Error('fails')", { stopOnError: false });
    const next = k.submit("console.log('next ran')");
    expect((await k.wait(failing)).reply.content.status).toBe("error");
    const r = await k.wait(next);
    expect(r.reply.content.status).toBe("ok");
    expect(streamText(r.iopub)).toBe("next ran\n");
  });

  it("an error thrown later outside any cell does not kill the kernel", async () => {
    await k.execute("setTimeout(() => { throw new Error('late failure') }, 10); Promise.reject(new Error('unhandled'));");
    await sleep(100);
    expect(k.alive).toBe(true);
    expect(resultText((await k.execute("40 + 2")).iopub)).toBe("42");
  });
});

describe("interrupt", () => {
  it("stops a synchronous loop; the kernel stays usable", async () => {
    const id = k.submit("let spins = 0;\nwhile (true) spins++;");
    await sleep(500);
    k.interrupt();
    const r = await k.wait(id, 10_000);
    expect(r.reply.content.ename).toBe("KeyboardInterrupt");
    expect(resultText((await k.execute("'still here'")).iopub)).toBe("'still here'");
  });

  it("aborts the cell's cl.runtime signal: cooperative async work stops within a second, queued cells are aborted", async () => {
    await k.execute("let steps = 0");
    const id = k.submit("const signal = cl.runtime.currentRuntime().signal!;\nwhile (!signal.aborted) { steps++; await new Promise((r) => setTimeout(r, 20)); }\nconsole.log('stopped by the signal');");
    const queued = k.submit("console.log('queued ran')");
    await sleep(600);
    k.interrupt();
    const r = await k.wait(id, 10_000);
    expect(r.reply.content.ename).toBe("KeyboardInterrupt");
    // the loop ended by itself, before the kernel's 1 s grace period (else the line would come later)
    expect(streamText(r.iopub)).toBe("stopped by the signal\n");
    expect((await k.wait(queued)).reply.content.status).toBe("aborted");
    const steps = Number(resultText((await k.execute("steps")).iopub));
    expect(steps).toBeGreaterThan(5);
    // a new cell gets a fresh, unaborted signal
    expect(resultText((await k.execute("cl.runtime.currentRuntime().signal!.aborted")).iopub)).toBe("false");
  });

  it("stops waiting for a cell that ignores the signal after a grace period", async () => {
    const id = k.submit("await new Promise(() => {})");
    await sleep(300);
    k.interrupt();
    const r = await k.wait(id, 10_000);
    expect(r.reply.content.ename).toBe("KeyboardInterrupt");
    expect(resultText((await k.execute("'usable'")).iopub)).toBe("'usable'");
  });
});

describe("comms", () => {
  it("opens a convlab comm, answers requests through handlers registered in cells, and closes it", async () => {
    expect((await k.request("comm_info_request", { target_name: "convlab" })).reply.content).toEqual({ status: "ok", comms: {} });
    await k.request("comm_open", { comm_id: "c1", target_name: "convlab", data: {} }, { noReply: true });
    const info = await k.request("comm_info_request", {});
    expect(info.reply.header.msg_type).toBe("comm_info_reply");
    expect(info.reply.content.comms).toEqual({ c1: { target_name: "convlab" } });

    const call = async (data: Record<string, unknown>) => {
      const { iopub } = await k.request("comm_msg", { comm_id: "c1", data }, { noReply: true });
      const msg = one(iopub, "comm_msg");
      expect(msg.content.comm_id).toBe("c1");
      return msg.content.data as Record<string, unknown>;
    };
    expect(await call({ id: 1, method: "ping" })).toEqual({ id: 1, result: { pong: true, version: expect.any(String) } });
    await k.execute('cl.runtime.registerCommHandler("double", (p) => (p as { x: number }).x * 2);\ncl.runtime.registerCommHandler("fails", () => { throw new RangeError("no such unit"); });');
    expect(await call({ id: 2, method: "double", params: { x: 21 } })).toEqual({ id: 2, result: 42 });
    expect(await call({ id: 3, method: "fails" })).toEqual({ id: 3, error: { name: "RangeError", message: "no such unit" } });
    const unknown = await call({ id: 4, method: "nope" });
    expect(unknown.error).toMatchObject({ name: "UnknownMethod" });
    expect(String((unknown.error as { message: string }).message)).toMatch(/double.*fails.*methods.*ping/);
    expect((await call({ id: 5, method: "methods" })).result).toEqual(expect.arrayContaining(["double", "fails", "methods", "ping"]));
    expect((await call({ nothing: true })).error).toMatchObject({ name: "BadRequest" });

    await k.request("comm_close", { comm_id: "c1", data: {} }, { noReply: true });
    expect((await k.request("comm_info_request", {})).reply.content.comms).toEqual({});
  });

  it("closes a comm opened with an unknown target and reports messages on unknown comms", async () => {
    const { iopub } = await k.request("comm_open", { comm_id: "c2", target_name: "jupyter.widget", data: {} }, { noReply: true });
    const closed = one(iopub, "comm_close");
    expect(closed.content.comm_id).toBe("c2");
    expect((closed.content.data as { error: { message: string } }).error.message).toMatch(/no comm target "jupyter.widget"/);
    const stray = await k.request("comm_msg", { comm_id: "never-opened", data: { id: 1, method: "ping" } }, { noReply: true });
    expect(one(stray.iopub, "comm_close").content.comm_id).toBe("never-opened");
    expect(k.alive).toBe(true);
  });
});

describe("completion and inspection", () => {
  it("completes members of cl and of top-level variables", async () => {
    const { reply } = await k.request("complete_request", { code: "cl.conv", cursor_pos: 7 });
    expect(reply.content).toMatchObject({ status: "ok", cursor_start: 3, cursor_end: 7 });
    expect(reply.content.matches).toEqual(expect.arrayContaining(["conv2d", "conv1d", "convolve2d"]));
    await k.execute("const imageBatch = cl.zeros([1, 2, 2, 1])");
    const v = await k.request("complete_request", { code: "imageBatch.res", cursor_pos: 14 });
    expect(v.reply.content.matches).toContain("reshape");
  });

  it("inspects convlab functions with their documentation", async () => {
    const { reply } = await k.request("inspect_request", { code: "cl.conv2d(x, w)", cursor_pos: 5, detail_level: 0 });
    expect(reply.content.status).toBe("ok");
    expect(reply.content.found).toBe(true);
    const text = (reply.content.data as Record<string, string>)["text/plain"];
    expect(text).toMatch(/conv2d\(x: (convlab\.)?Tensor, w: (convlab\.)?Tensor/);
    expect(text).toContain("2-D convolution");
  });

  it("shows the documentation of TypeScript's lib and of Node too (loaded on the first inspection)", async () => {
    const text = async (code: string, cursor_pos: number) => {
      const { reply } = await k.request("inspect_request", { code, cursor_pos, detail_level: 0 });
      expect(reply.content).toMatchObject({ status: "ok", found: true });
      return (reply.content.data as Record<string, string>)["text/plain"];
    };
    expect(await text("Math.max(1, 2)", 6)).toContain("Returns the larger of a set of supplied numeric expressions");
    expect(await text("process.cwd()", 10)).toContain("current working directory");
    // and type checking is unchanged after the switch
    const bad = await k.execute("const wrong: number = 'a'");
    expect(bad.reply.content).toMatchObject({ status: "error" });
    expect(resultText((await k.execute("Math.max(2, 5)")).iopub)).toBe("5");
  });
});

describe("malformed requests get a reply, not a crash", () => {
  it("answers an unknown request type with an error reply", async () => {
    const { reply } = await k.request("frobnicate_request", {});
    expect(reply.header.msg_type).toBe("frobnicate_reply");
    expect(reply.content).toMatchObject({ status: "error", ename: "UnknownMessageType" });
  });

  it("answers a completion with an impossible cursor with an error reply", async () => {
    const { reply } = await k.request("complete_request", { code: "cl.", cursor_pos: 99 });
    expect(reply.content).toMatchObject({ status: "error", ename: "RangeError" });
    const bad = await k.request("inspect_request", { code: 42, cursor_pos: 0 });
    expect(bad.reply.content.status).toBe("error");
  });

  it("drops messages with a bad signature or no delimiter and keeps serving", async () => {
    await k.sendFrames("shell", ["<IDS|MSG>", "0000", '{"msg_type":"kernel_info_request","msg_id":"x"}', "{}", "{}", "{}"]);
    await k.sendFrames("shell", ["garbage"]);
    await k.sendFrames("shell", ["<IDS|MSG>", k.sign(["not json", "{}", "{}", "{}"]), "not json", "{}", "{}", "{}"]);
    await sleep(100);
    expect(k.alive).toBe(true);
    expect((await k.request("kernel_info_request", {})).reply.content.status).toBe("ok");
    expect(k.log).toMatch(/dropped a malformed message/);
  });

  it("sends huge outputs (a 20 MB print, a 20 MB value) and stays usable", async () => {
    const { reply, iopub } = await k.execute('const big = "x".repeat(20_000_000);\nconsole.log(big);\nbig', { timeoutMs: 120_000 });
    expect(reply.content.status).toBe("ok");
    expect(streamText(iopub).length).toBe(20_000_001);
    const text = resultText(iopub);
    expect(text.length).toBeLessThan(1_100_000);
    expect(text).toMatch(/more characters not shown/);
    expect(resultText((await k.execute("'ok'")).iopub)).toBe("'ok'");
  });

  it("survives a value that cannot be serialized and a toMimeBundle that throws", async () => {
    const cyc = await k.execute('const loop: { self?: unknown; toMimeBundle(): unknown } = { toMimeBundle: () => ({ data: { "application/json": loop } }) };\nloop.self = loop;\nloop');
    expect(cyc.reply.content.status).toBe("ok");
    expect(streamText(cyc.iopub, "stderr")).toMatch(/cannot be sent as JSON/);
    const thrower = await k.execute("({ toMimeBundle() { throw new Error('bad bundle'); } })");
    expect(thrower.reply.content.status).toBe("ok");
    expect(streamText(thrower.iopub, "stderr")).toMatch(/bad bundle/);
    expect(resultText(thrower.iopub)).toMatch(/toMimeBundle/);
  });
});

describe("modules", () => {
  it("imports local .ts files, which can import convlab themselves", async () => {
    writeFileSync(join(env.dir, "helpers.ts"), 'import * as convlab from "convlab";\nexport function twice(x: number): number { return 2 * x; }\nexport const ones = convlab.ones([2, 2]);\n');
    const { reply, iopub } = await k.execute('import { twice, ones } from "./helpers";\n[twice(21), ones.sum().item()]');
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("[ 42, 4 ]");
    const typed = await k.execute('import { twice as t2 } from "./helpers";\nt2("x")');
    expect(typed.reply.content.ename).toBe("TSError");
  });
});

describe("packages installed while the kernel runs", () => {
  it("do not break later cells (tslab's converter throws once a folder watcher fires); they are found after a restart", async () => {
    const before = await k.execute('import { answer } from "late-package";\nanswer');
    expect(before.reply.content.ename).toBe("TSError");
    const dir = join(env.dir, "node_modules", "late-package");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "late-package", version: "1.0.0", main: "index.js", types: "index.d.ts" }));
    writeFileSync(join(dir, "index.d.ts"), "export declare const answer: number;\n");
    writeFileSync(join(dir, "index.js"), "exports.answer = 42;\n");
    // Cells while the file-system events come in: the import still fails as a type error, never
    // with tslab's "Unexpected pending rebuildTimer".
    for (let i = 0; i < 8; i++) {
      await sleep(200);
      const again = await k.execute('import { answer } from "late-package";\nanswer');
      expect(`${again.reply.content.ename}: ${again.reply.content.evalue}`).toMatch(/^TSError: /);
    }
    for (let i = 0; i < 3; i++) {
      const { reply, iopub } = await k.execute(`${i} + 1`);
      expect(reply.content.status, JSON.stringify(reply.content).slice(0, 300)).toBe("ok");
      expect(resultText(iopub)).toBe(String(i + 1));
    }
    // A fresh kernel in the same folder finds the package.
    const fresh = await startKernel(env.dir, env.env);
    try {
      const { reply, iopub } = await fresh.execute('import { answer } from "late-package";\nanswer');
      expect(reply.content.status).toBe("ok");
      expect(resultText(iopub)).toBe("42");
    } finally {
      await fresh.shutdown();
    }
  });
});

describe("live training output", () => {
  it("turns the cell's onTraining events into one display, updated in place at most 10 times a second", async () => {
    // The events fit sends (cl.train's fit calls the runtime's onTraining the same way).
    const code = [
      "const rt = cl.runtime.currentRuntime();",
      "const history: { epoch: number; loss: number; metrics: Record<string, number> }[] = [];",
      "const base = { epoch: 0, epochs: 1, batch: 0, batches: 40, metrics: {}, history, elapsedMs: 0 };",
      "const t0 = Date.now();",
      'rt.onTraining!({ ...base, kind: "start", step: 0, loss: NaN });',
      "for (let b = 0; b < 40; b++) {",
      "  await new Promise((r) => setTimeout(r, 10));",
      '  rt.onTraining!({ ...base, kind: "batch", batch: b, step: b + 1, loss: 1 / (b + 1), elapsedMs: Date.now() - t0 });',
      "}",
      "history.push({ epoch: 0, loss: 0.1, metrics: {} });",
      'rt.onTraining!({ ...base, kind: "end", batch: 39, step: 40, loss: 0.1, elapsedMs: Date.now() - t0 });',
      "Date.now() - t0",
    ].join("\n");
    const { reply, iopub } = await k.execute(code);
    expect(reply.content.status).toBe("ok");
    const elapsed = Number(resultText(iopub));
    const shown = one(iopub, "display_data");
    const updates = ofType(iopub, "update_display_data");
    const id = (shown.content.transient as { display_id: string }).display_id;
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(updates.every((u) => (u.content.transient as { display_id: string }).display_id === id)).toBe(true);
    expect(updates.length).toBeGreaterThan(0);
    expect(1 + updates.length).toBeLessThanOrEqual(Math.floor(elapsed / 100) + 2);
    const final = updates[updates.length - 1]!.content.data as Record<string, unknown>;
    expect(final["text/plain"]).toMatch(/^trained 1 epoch \(40 batches\)/);
    const payload = final["application/vnd.convlab.training+json"] as { version: number; status: string; steps: number[] };
    expect(payload.version).toBe(1);
    expect(payload.status).toBe("done");
    expect(payload.steps).toHaveLength(40);
    expect(Buffer.from(final["image/png"] as string, "base64").subarray(1, 4).toString()).toBe("PNG");
  });
});

describe("model.fit in a cell", () => {
  const setup = [
    "const fitX = cl.randn([512, 8, 8, 1], { seed: 1 });",
    "const fitY = cl.tensor(Array.from({ length: 512 }, (_, i) => i % 2));",
    "const net = cl.nn.sequential([cl.nn.conv2d({ filters: 4, size: 3, activation: \"relu\" }), cl.nn.flatten(), cl.nn.dense({ units: 2 })], { inputShape: [8, 8, 1], seed: 0 });",
    "const fitOpts = { optimizer: cl.train.adam({ lr: 1e-3 }), loss: \"softmaxCrossEntropy\" as const, batchSize: 8, seed: 0 };",
  ].join("\n");

  it("shows the live progress display and ends with the final state", async () => {
    expect((await k.execute(setup)).reply.content.status).toBe("ok");
    const { reply, iopub } = await k.execute("await net.fit({ x: fitX, y: fitY }, { ...fitOpts, epochs: 2 })");
    expect(reply.content.status).toBe("ok");
    const shown = one(iopub, "display_data");
    const id = (shown.content.transient as { display_id: string }).display_id;
    const updates = ofType(iopub, "update_display_data");
    expect(updates.every((u) => (u.content.transient as { display_id: string }).display_id === id)).toBe(true);
    const final = (updates.at(-1) ?? shown).content.data as Record<string, unknown>;
    const payload = final["application/vnd.convlab.training+json"] as { status: string; history: unknown[]; steps: number[] };
    expect(payload.status).toBe("done");
    expect(payload.history).toHaveLength(2);
    expect(payload.steps.at(-1)).toBe(128);
    expect(final["text/plain"]).toMatch(/^trained 2 epochs \(128 batches\)/);
    expect(resultText(iopub)).toMatch(/epochs/); // the history is the cell's value
  });

  it("an interrupt stops fit between batches within a second; the model keeps its weights and trains on", async () => {
    await k.execute("const before = net.trainableParameters().map((p) => Float32Array.from(p.data));");
    const id = k.submit("await net.fit({ x: fitX, y: fitY }, { ...fitOpts, epochs: 1000 })");
    const queued = k.submit("console.log('queued ran')");
    await sleep(1500);
    k.interrupt();
    const r = await k.wait(id, 20_000);
    expect(r.reply.content.ename).toBe("KeyboardInterrupt");
    // fit's own "end" event is among the cell's outputs: it stopped within the kernel's 1 s grace
    // period (otherwise the kernel stops waiting and the end would arrive after the reply)
    const updates = ofType(r.iopub, "update_display_data");
    const final = updates.at(-1)!.content.data as Record<string, unknown>;
    expect((final["application/vnd.convlab.training+json"] as { status: string }).status).toBe("interrupted");
    expect(final["text/plain"]).toMatch(/^interrupted at epoch \d+\/1000/);
    expect((await k.wait(queued)).reply.content.status).toBe("aborted");
    // the weights moved during the interrupted fit and are still there
    const changed = await k.execute("net.trainableParameters().some((p, i) => p.data.some((v, j) => v !== before[i]![j]))");
    expect(resultText(changed.iopub)).toBe("true");
    const again = await k.execute("(await net.fit({ x: fitX, y: fitY }, { ...fitOpts, epochs: 1 })).epochs.length");
    expect(resultText(again.iopub)).toBe("1");
  });
});
