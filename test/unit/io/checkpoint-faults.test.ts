// Fault injection: the disk fails in the middle of writing a checkpoint (ENOSPC from the real
// node:fs writeSync after some bytes went out). The old file must survive untouched and the
// temporary file must be removed.
import { describe, it, expect, vi, afterAll } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const fault = vi.hoisted(() => ({ failAfterBytes: -1, written: 0 }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const writeSync = (fd: number, buf: Uint8Array, off?: number, len?: number): number => {
    if (fault.failAfterBytes >= 0) {
      const room = fault.failAfterBytes - fault.written;
      if (room <= 0) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      len = Math.min(len ?? buf.length - (off ?? 0), room);
    }
    const n = fs.writeSync(fd, buf, off, len);
    fault.written += n;
    return n;
  };
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

const cl = await import("../../../src/index.js");
const tmp = mkdtempSync(join(tmpdir(), "convlab-ckpt-fault-"));
afterAll(() => rmSync(tmp, { recursive: true }));

describe("saveTensors when the disk fails mid-write", () => {
  it("keeps the previous checkpoint and removes the partial temporary file", () => {
    const path = join(tmp, "model.ckpt");
    cl.io.saveTensors(path, { w: cl.ones([1000]) }, { version: "old" });
    const before = readFileSync(path);
    fault.written = 0;
    fault.failAfterBytes = 1500; // the header and part of the payload get written
    expect(() => cl.io.saveTensors(path, { w: cl.full([1000], 2) }, { version: "new" })).toThrow(/ENOSPC/);
    fault.failAfterBytes = -1;
    expect(fault.written).toBe(1500);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(cl.io.loadTensors(path).meta).toEqual({ version: "old" });
    expect(readdirSync(tmp)).toEqual(["model.ckpt"]);
  });
});
