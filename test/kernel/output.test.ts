// The kernel's output path under load and its error reporting (issue 11, kernel half): every
// printed byte arrives, in order, within its cell (before the cell's idle status); displays,
// updates, errors and prints keep their order; memory stays bounded (a per-cell limit with a
// notice); whatever a cell throws becomes an `error` output; errors that escape a cell (timers,
// unhandled rejections) are reported and never kill the kernel.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KernelClient, type Message, sleep } from "../../kernel/src/client.js";
import { ofType, one, resultText, startKernel, streamText, stripAnsi, tempEnv } from "./helpers.js";

let k: KernelClient;
const env = tempEnv();

beforeAll(async () => {
  k = await startKernel(env.dir, env.env);
}, 60_000);

afterAll(async () => {
  await k?.shutdown();
  env.cleanup();
});

/** The kernel process's peak resident memory (VmHWM), in MB (Linux). */
function peakRssMb(kernel: KernelClient): number {
  const status = readFileSync(`/proc/${kernel.proc.pid}/status`, "utf8");
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  if (!m) throw new Error(`no VmHWM in /proc/${kernel.proc.pid}/status`);
  return Number(m[1]) / 1024;
}

/** Messages that reached the client after their request's idle status (or with no request of ours). */
function strays(kernel: KernelClient, parentIds: string[]): Message[] {
  return kernel.stray.filter((m) => m.header.msg_type !== "status" && parentIds.includes(m.parent_header.msg_id ?? ""));
}

/** The outputs as [kind, text] with adjacent stream messages of the same name merged. */
function sequence(iopub: Message[]): [string, string][] {
  const out: [string, string][] = [];
  for (const m of iopub) {
    const c = m.content as { name?: string; text?: string; data?: Record<string, unknown>; ename?: string; evalue?: string };
    const type = m.header.msg_type;
    if (type === "stream") {
      const kind = `stream:${c.name}`;
      const last = out[out.length - 1];
      if (last && last[0] === kind) last[1] += c.text ?? "";
      else out.push([kind, c.text ?? ""]);
    } else if (type === "error") out.push([type, `${c.ename}: ${c.evalue}`]);
    else out.push([type, String(c.data?.["text/plain"] ?? "")]);
  }
  return out;
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `${i}\n`).join("");

describe("a flood of output", () => {
  it("delivers 200,000 short prints of one cell, all of them, in order, before the cell's idle", async () => {
    const id = k.submit("for (let i = 0; i < 200_000; i++) console.log(i)");
    const { reply, iopub } = await k.wait(id, 60_000);
    expect(reply.content.status).toBe("ok");
    const text = streamText(iopub);
    expect(text.length).toBe(lines(200_000).length);
    expect(text === lines(200_000)).toBe(true);
    // coalesced: far fewer messages than prints
    expect(ofType(iopub, "stream").length).toBeLessThan(2_000);
    expect(strays(k, [id])).toEqual([]);
  });

  it("delivers 50 MB printed by one cell in order, with the kernel's memory bounded, and the next cell runs", async () => {
    const before = peakRssMb(k);
    // 5,000 numbered lines of 10 kB (a synchronous loop: nothing can leave while it runs but what
    // ZeroMQ's own thread takes)
    const code = 'const pad = "z".repeat(9_993);\nfor (let i = 0; i < 5_000; i++) process.stdout.write(String(i).padStart(6, "0") + pad + "\\n");';
    const id = k.submit(code);
    const { reply, iopub } = await k.wait(id, 120_000);
    expect(reply.content.status).toBe("ok");
    const text = streamText(iopub);
    expect(text.length).toBe(50_000_000);
    const got = text.split("\n");
    expect(got.length).toBe(5_001);
    for (let i = 0; i < 5_000; i++) if (got[i] !== String(i).padStart(6, "0") + "z".repeat(9_993)) throw new Error(`line ${i} is wrong: ${got[i]!.slice(0, 20)}…`);
    expect(streamText(iopub, "stderr")).toBe("");
    expect(strays(k, [id])).toEqual([]);
    // The output is held at most once (in ZeroMQ's queue) plus the cell's chunk being built:
    // peak memory grows by well under three copies of it.
    const growth = peakRssMb(k) - before;
    expect(growth).toBeLessThan(150);
    expect(resultText((await k.execute("21 * 2")).iopub)).toBe("42");
    // no send failed or had to be dropped on the way (tslab logged "Socket is busy writing")
    expect(k.log).not.toMatch(/busy writing|could not send|could not publish/);
  }, 120_000);

  it("keeps stdout and stderr in the order they were written", async () => {
    const { iopub } = await k.execute('for (let i = 0; i < 300; i++) { if (i % 7 === 0) console.error("e" + i); else console.log("o" + i); }');
    const expected: [string, string][] = [];
    for (let i = 0; i < 300; i++) {
      const kind = i % 7 === 0 ? "stream:stderr" : "stream:stdout";
      const last = expected[expected.length - 1];
      const text = `${i % 7 === 0 ? "e" : "o"}${i}\n`;
      if (last && last[0] === kind) last[1] += text;
      else expected.push([kind, text]);
    }
    expect(sequence(iopub)).toEqual(expected);
  });
});

describe("process.stdout.write", () => {
  it("keeps a UTF-8 character split across two byte writes whole and calls write callbacks", async () => {
    const { reply, iopub } = await k.execute('const bytes = Buffer.from("h\u00e9llo w\u00f6rld \u2713\\n");\nprocess.stdout.write(bytes.subarray(0, 2));\nprocess.stdout.write(bytes.subarray(2));\nawait new Promise((r) => process.stdout.write("callback\\n", () => r(undefined)));\nawait new Promise((r) => process.stderr.write("err\\n", "utf8", () => r(undefined)));');
    expect(reply.content.status).toBe("ok");
    expect(streamText(iopub)).toBe("h\u00e9llo w\u00f6rld \u2713\ncallback\n");
    expect(streamText(iopub, "stderr")).toBe("err\n");
  });
});

describe("a per-cell output limit (CONVLAB_KERNEL_OUTPUT_LIMIT_MB)", () => {
  let small: KernelClient;
  beforeAll(async () => {
    small = await startKernel(env.dir, { ...env.env, CONVLAB_KERNEL_OUTPUT_LIMIT_MB: "4" });
  }, 60_000);
  afterAll(async () => {
    await small?.shutdown();
  });

  it("shows the first N MB of a 200 MB flood, says so, keeps memory bounded, and the next cell prints in full", async () => {
    const before = peakRssMb(small);
    const { reply, iopub } = await small.execute('const chunk = "w".repeat(99_999) + "\\n";\nfor (let i = 0; i < 2_000; i++) process.stdout.write(chunk);\n"done"', { timeoutMs: 120_000 });
    expect(reply.content.status).toBe("ok");
    expect(streamText(iopub).length).toBe(4_000_000);
    const notes = streamText(iopub, "stderr");
    expect(notes).toMatch(/output truncated after 4\.0 MB/);
    expect(notes).toMatch(/CONVLAB_KERNEL_OUTPUT_LIMIT_MB/);
    expect(notes).toMatch(/196 MB \(196000000 characters\) of this cell's output were not shown/);
    // the truncation notice comes right where the output stops, the summary before the result
    const seq = sequence(iopub);
    expect(seq.map(([kind]) => kind)).toEqual(["stream:stdout", "stream:stderr", "execute_result"]);
    expect(resultText(iopub)).toBe("'done'");
    // 200 MB printed; what was kept is bounded by the limit
    expect(peakRssMb(small) - before).toBeLessThan(100);
    const next = await small.execute('for (let i = 0; i < 1_000; i++) console.log(i)');
    expect(streamText(next.iopub)).toBe(lines(1_000));
    expect(streamText(next.iopub, "stderr")).toBe("");
  }, 120_000);
});

describe("mixed output keeps its order", () => {
  it("prints, displays, display updates, stderr and the error arrive in the order the cell made them", async () => {
    const code = [
      'console.log("a1"); console.log("a2");',
      'console.error("b");',
      'cl.show("first", { id: "mixed" });',
      'console.log("c");',
      "await new Promise((r) => setTimeout(r, 120));", // the interval flush runs meanwhile
      'console.log("d");',
      'cl.show("second", { id: "mixed" });',
      'cl.show("other");',
      'process.stdout.write("e");',
      'process.stdout.write("f\\n");',
      'throw new Error("the end")',
    ].join("\n");
    const id = k.submit(code);
    const { reply, iopub } = await k.wait(id);
    expect(reply.content.status).toBe("error");
    expect(sequence(iopub)).toEqual([
      ["stream:stdout", "a1\na2\n"],
      ["stream:stderr", "b\n"],
      ["display_data", "'first'"],
      ["stream:stdout", "c\nd\n"],
      ["update_display_data", "'second'"],
      ["display_data", "'other'"],
      ["stream:stdout", "ef\n"],
      ["error", "Error: the end"],
    ]);
    expect(strays(k, [id])).toEqual([]);
  });

  it("interleaves 2,000 prints with 40 display updates in order", async () => {
    const { iopub } = await k.execute('for (let i = 0; i < 2_000; i++) { console.log(i); if (i % 50 === 49) cl.show("upto " + i, { id: "progress" }); }\n"end"');
    const expected: [string, string][] = [];
    for (let i = 0; i < 2_000; i += 50) {
      expected.push(["stream:stdout", lines(i + 50).slice(lines(i).length)]);
      expected.push([i === 0 ? "display_data" : "update_display_data", `'upto ${i + 49}'`]);
    }
    expected.push(["execute_result", "'end'"]);
    expect(sequence(iopub)).toEqual(expected);
  });
});

describe("every failure is an error output", () => {
  async function fails(code: string): Promise<{ ename: string; evalue: string; traceback: string[] }> {
    const { reply, iopub } = await k.execute(code);
    expect(reply.content.status).toBe("error");
    const err = one(iopub, "error").content as { ename: unknown; evalue: unknown; traceback: unknown };
    expect(typeof err.ename).toBe("string");
    expect(typeof err.evalue).toBe("string");
    expect(Array.isArray(err.traceback) && err.traceback.every((l) => typeof l === "string")).toBe(true);
    expect([reply.content.ename, reply.content.evalue]).toEqual([err.ename, err.evalue]);
    return err as { ename: string; evalue: string; traceback: string[] };
  }

  it("an Error whose stack is not a string", async () => {
    const e = await fails('const e: any = new Error("x");\ne.stack = 42;\nthrow e');
    expect([e.ename, e.evalue]).toEqual(["Error", "x"]);
  });

  it("a Proxy whose every trap throws", async () => {
    const traps = ["get", "getPrototypeOf", "has", "ownKeys", "getOwnPropertyDescriptor", "apply", "set"].map((t) => `${t}() { throw new Error("trap ${t}"); }`).join(", ");
    const e = await fails(`throw new Proxy({}, { ${traps} })`);
    expect(e.ename).toBe("Uncaught");
    expect(e.evalue).toMatch(/^Proxy/);
  });

  it("an Error whose name, message and stack getters throw", async () => {
    // V8 itself reads name and message when the error is thrown (a getter that throws then is
    // what the cell throws, below); these getters throw only once the error has left the cell.
    const e = await fails('let armed = false;\nconst g = new Error("g");\nfor (const p of ["name", "message", "stack", "cause"]) Object.defineProperty(g, p, { get() { if (armed) throw new Error("getter " + p); return p === "name" ? "Error" : p === "message" ? "g" : undefined; } });\ntry { throw g; } finally { armed = true; }');
    expect(e.ename).toBe("Error");
    expect(e.evalue).toMatch(/message could not be read: getter message/);
    // thrown with getters that throw at once: still an error output (whatever V8 made of it)
    await fails('const h = new Error("h");\nfor (const p of ["name", "message", "stack"]) Object.defineProperty(h, p, { get() { throw new Error("getter " + p); } });\nthrow h');
  });

  it("errors whose causes form a cycle", async () => {
    const e = await fails('const outer: any = new Error("outer");\nconst inner = new Error("inner", { cause: outer });\nouter.cause = inner;\nthrow outer');
    expect([e.ename, e.evalue]).toEqual(["Error", "outer"]);
    const tb = stripAnsi(e.traceback.join("\n"));
    expect(tb).toMatch(/Caused by: Error: inner/);
    expect(tb).toMatch(/causes form a cycle/);
  });

  it("an AggregateError lists its errors", async () => {
    const e = await fails('throw new AggregateError([new TypeError("one"), new RangeError("two")], "both failed")');
    expect([e.ename, e.evalue]).toEqual(["AggregateError", "both failed"]);
    const tb = stripAnsi(e.traceback.join("\n"));
    expect(tb).toMatch(/TypeError: one/);
    expect(tb).toMatch(/RangeError: two/);
  });

  it("non-Error values: undefined, null, numbers, symbols, bigints, objects whose toString throws", async () => {
    expect((await fails("throw undefined")).evalue).toBe("undefined");
    expect((await fails("throw null")).evalue).toBe("null");
    expect((await fails("throw 42")).evalue).toBe("42");
    expect((await fails('throw Symbol("s")')).evalue).toBe("Symbol(s)");
    expect((await fails("throw 10n")).evalue).toBe("10n");
    const odd = await fails("throw { toString() { throw new Error('no'); }, [Symbol.toPrimitive]() { throw new Error('no'); } }");
    expect(odd.ename).toBe("Uncaught");
    expect(odd.evalue).toMatch(/toString/);
    expect((await fails("await Promise.reject(7)")).evalue).toBe("7");
  });

  it("a last value whose `then` getter throws", async () => {
    const e = await fails('({ get then() { throw new Error("then getter"); } })');
    expect(e.evalue).toBe("then getter");
  });
});

describe("errors that escape a cell", () => {
  it("an unhandled rejection made by a cell shows in that cell's stderr; the cell itself succeeds", async () => {
    const { reply, iopub } = await k.execute('Promise.reject(new Error("nobody handles this"));\n"after"');
    expect(reply.content.status).toBe("ok");
    expect(resultText(iopub)).toBe("'after'");
    const err = stripAnsi(streamText(iopub, "stderr"));
    expect(err).toMatch(/a promise was rejected and nothing handled the rejection/);
    expect(err).toMatch(/Error: nobody handles this/);
    expect(err).toMatch(/Cell In \[\d+\], line 1/);
  });

  it("a timer's exception while a later cell runs shows in that cell; after all cells, in the next one; the kernel lives", async () => {
    const first = await k.execute('setTimeout(() => { throw new Error("thrown by a timer") }, 150);\nsetTimeout(() => { Promise.reject("rejected in a timer") }, 500);');
    expect(first.reply.content.status).toBe("ok");
    const during = await k.execute("await new Promise((r) => setTimeout(r, 170));\n1");
    expect(stripAnsi(streamText(during.iopub, "stderr"))).toMatch(/outside the cell's own code[^]*Error: thrown by a timer/);
    await sleep(600);
    expect(k.alive).toBe(true);
    const next = await k.execute("2 + 2");
    expect(next.reply.content.status).toBe("ok");
    expect(resultText(next.iopub)).toBe("4");
    const notes = stripAnsi(streamText(next.iopub, "stderr"));
    expect(notes).toMatch(/after the previous cell: a promise was rejected[^]*rejected in a timer/);
    expect(notes).not.toMatch(/thrown by a timer/);
    expect(k.log).toMatch(/rejected in a timer/);
  });

  it("an exception thrown by an event handler with a Proxy as its error does not kill the kernel", async () => {
    await k.execute('setTimeout(() => { throw new Proxy({}, { getPrototypeOf() { throw new Error("x"); }, get() { throw new Error("x"); } }) }, 10);');
    await sleep(100);
    expect(k.alive).toBe(true);
    const next = await k.execute("'still here'");
    expect(resultText(next.iopub)).toBe("'still here'");
    expect(streamText(next.iopub, "stderr")).toMatch(/Proxy/);
  });
});
