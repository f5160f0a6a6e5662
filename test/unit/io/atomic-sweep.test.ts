// Atomic writes sweep their own stale temporary files (issue 11 item 5): on the next save or load
// of a path, `.<name>.<pid>.<12 hex>.tmp` files of that path whose writer is gone are removed;
// a live writer's file, other paths' files and anything of another naming are left alone.
import { describe, it, expect, afterAll } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { sweepStaleTemps } from "../../../src/io/atomic.js";

const root = mkdtempSync(join(tmpdir(), "convlab-sweep-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

function folder(name: string): string {
  const d = join(root, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
  return d;
}

describe("sweeping stale temporary files", () => {
  it("the next save removes dead writers' and this process's idle temporaries of that path only", async () => {
    const dir = folder("save");
    const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      const dead = deadPid();
      const files = {
        dead: `.model.ckpt.${dead}.0123456789ab.tmp`,
        mine: `.model.ckpt.${process.pid}.abcdefabcdef.tmp`,
        live: `.model.ckpt.${live.pid}.00000000ffff.tmp`,
        oldLive: `.model.ckpt.${live.pid}.111111111111.tmp`,
        otherPath: `.other.ckpt.${dead}.0123456789ab.tmp`,
        otherNaming: `.model.ckpt.${dead}.xyz.tmp`,
        backup: "model.ckpt.bak",
      };
      for (const f of Object.values(files)) writeFileSync(join(dir, f), "partial");
      const twoDaysAgo = (Date.now() - 2 * 24 * 3600 * 1000) / 1000;
      utimesSync(join(dir, files.oldLive), twoDaysAgo, twoDaysAgo);
      cl.io.saveTensors(join(dir, "model.ckpt"), { w: cl.ones([3]) });
      expect(readdirSync(dir).sort()).toEqual([files.backup, files.live, files.otherNaming, files.otherPath, "model.ckpt"].sort());
    } finally {
      live.kill();
    }
  });
  it("loading a checkpoint (and reading an image) sweeps too; a folder that cannot be listed is left alone", () => {
    const dir = folder("load");
    const path = join(dir, "w.ckpt");
    cl.io.saveTensors(path, { w: cl.ones([2]) });
    const stale = `.w.ckpt.${deadPid()}.0123456789ab.tmp`;
    writeFileSync(join(dir, stale), "partial");
    cl.io.loadTensors(path);
    expect(readdirSync(dir)).toEqual(["w.ckpt"]);
    const png = join(dir, "p.png");
    cl.io.writeImage(png, cl.zeros([2, 2]));
    writeFileSync(join(dir, `.p.png.${deadPid()}.0123456789ab.tmp`), "partial");
    cl.io.readImage(png);
    expect(readdirSync(dir).sort()).toEqual(["p.png", "w.ckpt"]);
    expect(sweepStaleTemps(join(root, "missing", "x.ckpt"))).toEqual([]);
  });
});

describe("io errors name the function and the path", () => {
  it("a missing checkpoint, a directory, a missing folder", () => {
    const dir = folder("errors");
    const missing = join(dir, "nope.ckpt");
    let e = (() => { try { cl.io.loadTensors(missing); } catch (x) { return x as cl.IoError; } })()!;
    expect(e).toBeInstanceOf(cl.IoError);
    expect(e.message).toBe(`loadTensors: cannot read ${missing}: no such file or directory (ENOENT)`);
    expect([e.code, e.path]).toEqual(["ENOENT", missing]);
    expect((e.cause as Error).message).toMatch(/ENOENT/);
    expect(() => cl.io.loadTensors(dir)).toThrow(new RegExp(`^loadTensors: cannot read ${dir}: it is a directory \\(EISDIR\\)$`));
    expect(() => cl.io.saveTensors(join(dir, "no", "such", "x.ckpt"), { w: cl.ones([1]) })).toThrow(/^saveTensors: cannot write .*x\.ckpt: no such file or directory \(ENOENT\)$/);
    expect(() => cl.io.readImage(join(dir, "x.png"))).toThrow(/^readImage: cannot read .*x\.png: no such file or directory \(ENOENT\)$/);
    e = (() => { try { cl.io.writeFileAtomic(dir, new Uint8Array(1)); } catch (x) { return x as cl.IoError; } })()!;
    expect(e).toBeInstanceOf(cl.IoError);
    expect(e.message).toMatch(/^io\.writeFileAtomic: cannot write /);
  });
  it("paths of the wrong kind", () => {
    expect(() => cl.io.loadTensors(42 as never)).toThrow(/^loadTensors: path must be a file path \(a string\), got the number 42$/);
    expect(() => cl.io.saveTensors("", {})).toThrow(/^saveTensors: path must be a file path, got the empty string$/);
    expect(() => cl.io.readImage("a\0b")).toThrow(/must not contain NUL characters/);
    expect(() => cl.io.writeImage(null as never, cl.zeros([2, 2]))).toThrow(cl.ArgumentTypeError);
  });
});
