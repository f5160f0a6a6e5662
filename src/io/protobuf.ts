/**
 * A minimal protocol-buffers wire format writer and reader (what ONNX models and TensorBoard
 * event files need): varints, 64-bit and 32-bit fixed fields, length-delimited fields (bytes,
 * strings, embedded messages, packed arrays). No schema: callers write field numbers and wire
 * types themselves, as in the ONNX (onnx.proto3) and TensorBoard (event.proto, summary.proto)
 * schemas.
 */
import { ValueError } from "../util/errors.js";

const enc = new TextEncoder();

/** Builds one message: `new ProtoWriter().varint(1, 7).string(2, "x").finish()`. */
export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private buf: number[] = [];

  private flush(): void {
    if (this.buf.length) {
      this.chunks.push(Uint8Array.from(this.buf));
      this.buf = [];
    }
  }

  private rawVarint(v: bigint | number): void {
    let n = typeof v === "bigint" ? BigInt.asUintN(64, v) : BigInt.asUintN(64, BigInt(Math.trunc(v)));
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n !== 0n) b |= 0x80;
      this.buf.push(b);
    } while (n !== 0n);
  }

  private tag(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }

  /** An int32/int64/uint/bool/enum field (negative numbers as 10-byte two's complement, as protobuf does). */
  varint(field: number, v: number | bigint | boolean): this {
    this.tag(field, 0);
    this.rawVarint(typeof v === "boolean" ? (v ? 1 : 0) : v);
    return this;
  }

  /** A length-delimited field (bytes, an embedded message, a packed array). */
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.rawVarint(b.length);
    this.flush();
    this.chunks.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, enc.encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** A `float` field (wire type 5). */
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.buf.push(...b);
    return this;
  }

  /** A `double` field (wire type 1). */
  double(field: number, v: number): this {
    this.tag(field, 1);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v, true);
    this.buf.push(...b);
    return this;
  }

  /** A packed repeated int64/int32 field. */
  packedVarints(field: number, vs: readonly number[]): this {
    const w = new ProtoWriter();
    for (const v of vs) w.rawVarint(v);
    return this.bytes(field, w.finish());
  }

  /** A packed repeated double field. */
  packedDoubles(field: number, vs: ArrayLike<number>): this {
    const b = new Uint8Array(8 * vs.length);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < vs.length; i++) dv.setFloat64(8 * i, vs[i]!, true);
    return this.bytes(field, b);
  }

  finish(): Uint8Array {
    this.flush();
    let n = 0;
    for (const c of this.chunks) n += c.length;
    const out = new Uint8Array(n);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** One decoded field: its number, wire type and value (a bigint for varints and fixed64, bytes for length-delimited). */
export interface ProtoField {
  field: number;
  wire: number;
  /** Varint value (wire 0). */
  int?: bigint;
  /** Length-delimited payload (wire 2). */
  bytes?: Uint8Array;
  /** Fixed 32/64-bit payload (wire 5/1), little-endian. */
  fixed?: Uint8Array;
}

/** Decodes one message into its fields, in order; `what` names the message in errors. */
export function readProto(b: Uint8Array, what: string): ProtoField[] {
  const out: ProtoField[] = [];
  let i = 0;
  const varint = (): bigint => {
    let r = 0n, shift = 0n;
    for (;;) {
      if (i >= b.length) throw new ValueError(`${what}: truncated protobuf (varint runs past the end at byte ${i})`);
      const x = b[i++]!;
      r |= BigInt(x & 0x7f) << shift;
      if (!(x & 0x80)) return r;
      shift += 7n;
      if (shift > 70n) throw new ValueError(`${what}: malformed protobuf (varint longer than 10 bytes at byte ${i})`);
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    const field = key >>> 3, wire = key & 7;
    if (field === 0) throw new ValueError(`${what}: malformed protobuf (field number 0 at byte ${i})`);
    if (wire === 0) out.push({ field, wire, int: varint() });
    else if (wire === 2) {
      const n = Number(varint());
      if (i + n > b.length) throw new ValueError(`${what}: truncated protobuf (field ${field} needs ${n} bytes, ${b.length - i} left)`);
      out.push({ field, wire, bytes: b.subarray(i, i + n) });
      i += n;
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (i + n > b.length) throw new ValueError(`${what}: truncated protobuf (fixed field ${field} at byte ${i})`);
      out.push({ field, wire, fixed: b.subarray(i, i + n) });
      i += n;
    } else throw new ValueError(`${what}: malformed protobuf (unsupported wire type ${wire} for field ${field} at byte ${i})`);
  }
  return out;
}

/** Helpers over decoded fields. */
export const proto = {
  str(f: ProtoField): string {
    return new TextDecoder().decode(f.bytes ?? new Uint8Array());
  },
  /** A varint as a signed 64-bit number. */
  int(f: ProtoField): number {
    return Number(BigInt.asIntN(64, f.int ?? 0n));
  },
  float(f: ProtoField): number {
    const b = f.fixed!;
    return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, true);
  },
  /** A repeated int64 field, packed or not. */
  ints(fields: ProtoField[], n: number): number[] {
    const out: number[] = [];
    for (const f of fields) {
      if (f.field !== n) continue;
      if (f.wire === 0) out.push(Number(BigInt.asIntN(64, f.int!)));
      else if (f.wire === 2) {
        const b = f.bytes!;
        let i = 0;
        while (i < b.length) {
          let r = 0n, shift = 0n;
          for (;;) {
            const x = b[i++]!;
            r |= BigInt(x & 0x7f) << shift;
            if (!(x & 0x80)) break;
            shift += 7n;
          }
          out.push(Number(BigInt.asIntN(64, r)));
        }
      }
    }
    return out;
  },
  /** A repeated float field, packed or not. */
  floats(fields: ProtoField[], n: number): number[] {
    const out: number[] = [];
    for (const f of fields) {
      if (f.field !== n) continue;
      if (f.wire === 5) out.push(proto.float(f));
      else if (f.wire === 2) {
        const b = f.bytes!;
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        for (let i = 0; i + 4 <= b.length; i += 4) out.push(dv.getFloat32(i, true));
      }
    }
    return out;
  },
};
