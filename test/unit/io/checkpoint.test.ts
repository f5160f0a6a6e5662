import { describe, it, expect, afterAll } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cl from "../../../src/index.js";

const tmp = mkdtempSync(join(tmpdir(), "convlab-ckpt-"));
afterAll(() => rmSync(tmp, { recursive: true }));

function sample(): Record<string, cl.Tensor> {
  return {
    "conv1/kernel": cl.randn([5, 5, 1, 6], { seed: 1 }),
    "conv1/bias": cl.tensor([0.1, -0.2, 0.3, 1e-30, -0, 3.4e38]),
    "dense/kernel64": cl.randn([3, 7], { seed: 2, dtype: "float64" }),
    step: cl.scalar(42),
    empty: cl.zeros([0, 4]),
  };
}

const bitsEqual = (a: cl.Tensor, b: cl.Tensor): boolean =>
  a.dtype === b.dtype && Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength));

describe("saveTensors / loadTensors", () => {
  it("round trip: float32 and float64 bit-identical, shapes (incl. scalar and empty), names in order, meta", () => {
    const path = join(tmp, "model.ckpt");
    const src = sample();
    cl.io.saveTensors(path, src, { epoch: 3, arch: { name: "lenet5", sizes: [6, 16] }, note: null });
    const { tensors, meta } = cl.io.loadTensors(path);
    expect(Object.keys(tensors)).toEqual(Object.keys(src));
    for (const [k, t] of Object.entries(src)) {
      expect(tensors[k]!.shape, k).toEqual(t.shape);
      expect(bitsEqual(tensors[k]!, t), k).toBe(true);
    }
    expect(tensors["dense/kernel64"]!.dtype).toBe("float64");
    expect(meta).toEqual({ epoch: 3, arch: { name: "lenet5", sizes: [6, 16] }, note: null });
  });

  it("file layout: magic CLCKPT01, header length, SHA-256 of header+payload, 8-byte aligned little-endian payload", () => {
    const bytes = cl.io.encodeTensors({ a: cl.tensor([1.5, -2]), b: cl.tensor([3], undefined, { dtype: "float64" }) });
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe("CLCKPT01");
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    const H = v.getUint32(8, true);
    expect((44 + H) % 8).toBe(0);
    expect(Buffer.from(bytes.subarray(12, 44)).equals(createHash("sha256").update(bytes.subarray(44)).digest())).toBe(true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(44, 44 + H)));
    expect(header.tensors).toEqual([
      { name: "a", dtype: "float32", shape: [2], offset: 0, byteLength: 8 },
      { name: "b", dtype: "float64", shape: [1], offset: 8, byteLength: 8 },
    ]);
    const p = 44 + H;
    expect([v.getFloat32(p, true), v.getFloat32(p + 4, true), v.getFloat64(p + 8, true)]).toEqual([1.5, -2, 3]);
    expect(bytes.length).toBe(p + header.payloadBytes);
  });

  it("atomic write: replaces an existing file, leaves no temporary file; a failed save leaves the old file intact", () => {
    const path = join(tmp, "atomic.ckpt");
    cl.io.saveTensors(path, { w: cl.ones([2]) });
    const first = readFileSync(path);
    cl.io.saveTensors(path, { w: cl.full([3], 7) });
    expect(Array.from(cl.io.loadTensors(path).tensors.w!.data)).toEqual([7, 7, 7]);
    const second = readFileSync(path);
    expect(second.equals(first)).toBe(false);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => cl.io.saveTensors(path, { w: cl.ones([1]) }, cyclic as cl.io.JsonObject)).toThrow(/saveTensors: meta is not JSON-serializable/);
    expect(() => cl.io.saveTensors(path, { w: [1, 2] as unknown as cl.Tensor })).toThrow(/saveTensors: "w" is not a Tensor/);
    expect(readFileSync(path).equals(second)).toBe(true);
    expect(readdirSync(tmp).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("a flipped byte in the payload → checksum mismatch", () => {
    const path = join(tmp, "flip.ckpt");
    cl.io.saveTensors(path, sample());
    const b = readFileSync(path);
    b[b.length - 5]! ^= 0x01;
    writeFileSync(path, b);
    expect(() => cl.io.loadTensors(path)).toThrow(/^loadTensors: checksum mismatch in .*flip\.ckpt \(file corrupted or truncated\)$/);
  });

  it("a flipped byte in the header or in the stored checksum → checksum mismatch", () => {
    const good = cl.io.encodeTensors(sample(), { epoch: 1 });
    const inHeader = good.slice();
    inHeader[60]! ^= 0x04;
    expect(() => cl.io.decodeTensors(inHeader, "h.ckpt")).toThrow(/checksum mismatch in h\.ckpt/);
    const inSum = good.slice();
    inSum[20]! ^= 0x80;
    expect(() => cl.io.decodeTensors(inSum, "s.ckpt")).toThrow(/checksum mismatch in s\.ckpt/);
  });

  it("truncation → 'is truncated' with the expected and actual sizes", () => {
    const path = join(tmp, "cut.ckpt");
    cl.io.saveTensors(path, sample());
    const b = readFileSync(path);
    writeFileSync(path, b.subarray(0, b.length - 100));
    expect(() => cl.io.loadTensors(path)).toThrow(
      new RegExp(`loadTensors: .*cut\\.ckpt: file is truncated: the header promises ${b.length} bytes, the file has ${b.length - 100}`),
    );
    writeFileSync(path, b.subarray(0, 50));
    expect(() => cl.io.loadTensors(path)).toThrow(/cut\.ckpt: file is truncated: its \d+-byte header runs past the end of the 50-byte file/);
    writeFileSync(path, b.subarray(0, 10));
    expect(() => cl.io.loadTensors(path)).toThrow(/cut\.ckpt: file is truncated \(10 bytes; a checkpoint has at least 44\)/);
  });

  it("wrong magic → not a convlab checkpoint; trailing bytes are rejected", () => {
    const good = cl.io.encodeTensors({ a: cl.ones([2]) });
    const bad = good.slice();
    bad.set(new TextEncoder().encode("PK\u0003\u0004"), 0);
    expect(() => cl.io.decodeTensors(bad, "zip.ckpt")).toThrow(/loadTensors: zip\.ckpt is not a convlab checkpoint \(magic "PK\\u0003\\u0004PT01", expected "CLCKPT01"\)/);
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    expect(() => cl.io.decodeTensors(longer, "long.ckpt")).toThrow(/checksum mismatch in long\.ckpt/);
  });

  it("a well-checksummed file whose header lies about a shape is rejected (dtype/shape/extent checks)", () => {
    // Rebuild a file with a consistent checksum but a shape that does not match byteLength.
    const good = cl.io.encodeTensors({ a: cl.ones([2]) });
    const H = new DataView(good.buffer).getUint32(8, true);
    const header = JSON.parse(new TextDecoder().decode(good.subarray(44, 44 + H)));
    header.tensors[0].shape = [3];
    const json = new TextEncoder().encode(JSON.stringify(header).padEnd(H, " "));
    expect(json.length).toBe(H);
    const forged = good.slice();
    forged.set(json, 44);
    forged.set(createHash("sha256").update(forged.subarray(44)).digest(), 12);
    expect(() => cl.io.decodeTensors(forged, "f.ckpt")).toThrow(/f\.ckpt: bad header entry 0: "a" has byteLength 8 but shape \[3\] float32 needs 12/);
  });
});
