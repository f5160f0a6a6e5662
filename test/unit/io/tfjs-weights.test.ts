// cl.io.readTfjsWeights on manifests written here (every dtype and quantisation, several shards)
// and on corrupt ones, and on face-api's real tiny face detector manifest.
import { describe, it, expect, afterAll } from "vitest";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";
import { expectClose } from "../helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "convlab-tfjs-"));
afterAll(() => rmSync(tmp, { recursive: true }));

/** Writes a manifest + shards under a fresh folder; returns the manifest path. */
function write(name: string, manifest: unknown, shards: Record<string, Uint8Array>): string {
  const dir = join(tmp, name);
  mkdirp(dir);
  for (const [f, b] of Object.entries(shards)) writeFileSync(join(dir, f), b);
  const p = join(dir, "model-weights_manifest.json");
  writeFileSync(p, typeof manifest === "string" ? manifest : JSON.stringify(manifest));
  return p;
}
function mkdirp(d: string): void {
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
}
const bytes = (...parts: ArrayBufferView[]): Uint8Array => {
  const n = parts.reduce((a, p) => a + p.byteLength, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), o);
    o += p.byteLength;
  }
  return out;
};
/** float16 bits of a few exactly representable values. */
const HALF: [number, number][] = [[1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff], [2 ** -24, 0x0001], [0, 0]];

describe("io.readTfjsWeights", () => {
  const f32 = new Float32Array([1.5, -2.25, 3, 0.125, 7, -8]);
  const i32 = new Int32Array([-3, 0, 123456]);
  const f16 = new Uint16Array(HALF.map((h) => h[1]));
  const u8 = new Uint8Array([0, 1, 255, 128]);
  const u16 = new Uint16Array([0, 65535, 1000]);
  const q16 = new Uint16Array([0x3c00, 0xc000]);
  const iq = new Uint8Array([0, 3, 10]);
  const all = bytes(f32, i32, f16, u8, u16, q16, iq);
  const manifest = [
    {
      paths: ["group1-shard1of2.bin", "group1-shard2of2.bin"],
      weights: [
        { name: "a/f32", shape: [2, 3], dtype: "float32" },
        { name: "a/i32", shape: [3], dtype: "int32" },
        { name: "a/f16", shape: [6], dtype: "float16" },
        { name: "q/u8", shape: [2, 2], dtype: "float32", quantization: { dtype: "uint8", scale: 0.5, min: -1 } },
        { name: "q/u16", shape: [3], dtype: "float32", quantization: { dtype: "uint16", scale: 0.001, min: 2 } },
        { name: "q/f16", shape: [2], dtype: "float32", quantization: { dtype: "float16" } },
        { name: "q/int", shape: [3], dtype: "int32", quantization: { dtype: "uint8", scale: 0.3, min: 1 } },
      ],
    },
    { paths: ["group2.bin"], weights: [{ name: "s", shape: [], dtype: "float32" }, { name: "b", shape: [3], dtype: "bool" }] },
  ];
  const split = 17; // a tensor straddles the two shards
  const shards = { "group1-shard1of2.bin": all.slice(0, split), "group1-shard2of2.bin": all.slice(split), "group2.bin": bytes(new Float32Array([42]), new Uint8Array([1, 0, 7])) };

  it("decodes float32, int32, float16, bool and uint8/uint16/float16-quantised weights across shards and groups", () => {
    const w = cl.io.readTfjsWeights(write("ok", manifest, shards));
    expect(Object.keys(w)).toEqual(["a/f32", "a/i32", "a/f16", "q/u8", "q/u16", "q/f16", "q/int", "s", "b"]);
    expect(w["a/f32"]!.shape).toEqual([2, 3]);
    expect(Array.from(w["a/f32"]!.data)).toEqual(Array.from(f32));
    expect(Array.from(w["a/i32"]!.data)).toEqual([-3, 0, 123456]);
    expect(Array.from(w["a/f16"]!.data)).toEqual(HALF.map((h) => h[0]));
    expectClose(w["q/u8"]!, [-1, -0.5, 126.5, 63], { atol: 0, rtol: 1e-7 });
    expectClose(w["q/u16"]!, [2, 2 + 65.535, 3], { atol: 0, rtol: 1e-7 });
    expect(Array.from(w["q/f16"]!.data)).toEqual([1, -2]);
    expect(Array.from(w["q/int"]!.data)).toEqual([1, 2, 4]); // round(q·0.3 + 1), as tfjs
    expect(w["s"]!.shape).toEqual([]);
    expect(w["s"]!.item()).toBe(42);
    expect(Array.from(w["b"]!.data)).toEqual([1, 0, 1]);
  });

  it("takes the shard folder from opts.dir", () => {
    const p = write("dir-src", manifest, shards);
    const m = join(tmp, "elsewhere.json");
    writeFileSync(m, readFileSync(p));
    expect(Object.keys(cl.io.readTfjsWeights(m, { dir: join(tmp, "dir-src") }))).toHaveLength(9);
    expect(() => cl.io.readTfjsWeights(m)).toThrow(/io\.readTfjsWeights: cannot read .*group1-shard1of2\.bin: no such file/);
  });

  it("refuses a truncated shard, naming the tensor and the file", () => {
    const p = write("trunc", manifest, { ...shards, "group1-shard2of2.bin": all.slice(split, all.length - 2) });
    expect(() => cl.io.readTfjsWeights(p)).toThrow(/tensor 'q\/int' .*runs past the end of the shards .*2 bytes missing.*group1-shard2of2\.bin truncated/);
  });

  it("refuses shards longer than the manifest's entries (wrong shape)", () => {
    const wrong = structuredClone(manifest);
    wrong[0]!.weights[0]!.shape = [2, 2];
    expect(() => cl.io.readTfjsWeights(write("long", wrong, shards))).toThrow(/hold 65 bytes but the manifest's entries need 57 \(8 bytes too many\)/);
    const big = structuredClone(manifest);
    big[0]!.weights[0]!.shape = [3, 3];
    expect(() => cl.io.readTfjsWeights(write("big", big, shards))).toThrow(/tensor 'q\/u16' .*6 bytes at offset 64\) runs past the end .*65 bytes; 5 bytes missing/);
  });

  it("refuses bad manifests: unknown dtype, duplicate name, bad shape, bad quantization, not JSON", () => {
    const edit = (f: (m: typeof manifest) => void): string => {
      const m = structuredClone(manifest);
      f(m);
      return write("bad", m, shards);
    };
    expect(() => cl.io.readTfjsWeights(edit((m) => ((m[0]!.weights[1] as { dtype: string }).dtype = "complex64")))).toThrow(/tensor 'a\/i32': unknown dtype "complex64"/);
    expect(() => cl.io.readTfjsWeights(edit((m) => (m[1]!.weights[0]!.name = "a/f32")))).toThrow(/model-weights_manifest\.json: tensor 'a\/f32' appears twice/);
    expect(() => cl.io.readTfjsWeights(edit((m) => (m[0]!.weights[0]!.shape = [2, -3])))).toThrow(/tensor 'a\/f32': shape must be an array of non-negative integers, got \[2,-3\]/);
    expect(() => cl.io.readTfjsWeights(edit((m) => ((m[0]!.weights[3]!.quantization as { dtype: string }).dtype = "int4")))).toThrow(/tensor 'q\/u8': unknown quantization dtype "int4"/);
    expect(() => cl.io.readTfjsWeights(edit((m) => ((m[0]!.weights[3]!.quantization as { scale: unknown }).scale = "x")))).toThrow(/tensor 'q\/u8': quantization\.scale must be a finite number/);
    expect(() => cl.io.readTfjsWeights(edit((m) => delete (m[0] as { paths?: unknown }).paths))).toThrow(/weight group 0: paths must be an array/);
    expect(() => cl.io.readTfjsWeights(write("notjson", "{ nope", {}))).toThrow(/is not valid JSON/);
    expect(() => cl.io.readTfjsWeights(write("obj", { weights: [] }, {}))).toThrow(/must be a JSON array of weight groups/);
    expect(() => cl.io.readTfjsWeights(join(tmp, "missing.json"))).toThrow(/cannot read .*missing\.json: no such file/);
    expect(() => cl.io.readTfjsWeights(3 as unknown as string)).toThrow(cl.ConvlabError);
  });

  it("reads face-api's tiny face detector: 19 uint8 tensors filling the .bin exactly", () => {
    const dir = join(__dirname, "../../../node_modules/@vladmandic/face-api/model");
    const manifestPath = join(dir, "tiny_face_detector_model-weights_manifest.json");
    const w = cl.io.readTfjsWeights(manifestPath);
    expect(Object.keys(w)).toHaveLength(19);
    expect(w["conv0/filters"]!.shape).toEqual([3, 3, 3, 16]);
    expect(w["conv8/filters"]!.shape).toEqual([1, 1, 512, 25]);
    const n = Object.values(w).reduce((a, t) => a + t.size, 0);
    expect(n).toBe(statSync(join(dir, "tiny_face_detector_model.bin")).size);
    // first value: min + scale·q of the first byte
    const m = JSON.parse(readFileSync(manifestPath, "utf8"))[0].weights[0].quantization;
    const q0 = readFileSync(join(dir, "tiny_face_detector_model.bin"))[0]!;
    expect(w["conv0/filters"]!.data[0]).toBeCloseTo(m.min + m.scale * q0, 6);
  });
});
