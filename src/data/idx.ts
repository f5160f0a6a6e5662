/**
 * The IDX file format of MNIST and Fashion-MNIST (LeCun et al.), parsed from bytes.
 *
 * Layout (all integers big-endian):
 * ```
 * offset 0   2 bytes   0x00 0x00
 * offset 2   1 byte    element type: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64
 * offset 3   1 byte    number of dimensions r
 * offset 4   4·r bytes the size of each dimension (uint32)
 * then       the values, row-major, big-endian
 * ```
 * Pure TypeScript (no Node built-ins): the same parser works in the browser.
 */
import { ShapeError, ValueError, fmtShape } from "../util/errors.js";
import { bytesArg, oneOfArg, requiredOptionsArg, stringArg, typeFail } from "../util/check.js";
import { checkShape } from "../tensor/shape.js";
import { checkAllocation } from "../util/limits.js";

export type IdxDType = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";
export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: its dims, element type and values (row-major, native byte order). */
export interface IdxFile {
  shape: number[];
  dtype: IdxDType;
  data: IdxArray;
}

type Codec = {
  dtype: IdxDType;
  bytes: number;
  make: (n: number) => IdxArray;
  get: (v: DataView, o: number) => number;
  set: (v: DataView, o: number, x: number) => void;
};
const CODES: Record<number, Codec> = {
  0x08: { dtype: "uint8", bytes: 1, make: (n) => new Uint8Array(n), get: (v, o) => v.getUint8(o), set: (v, o, x) => v.setUint8(o, x) },
  0x09: { dtype: "int8", bytes: 1, make: (n) => new Int8Array(n), get: (v, o) => v.getInt8(o), set: (v, o, x) => v.setInt8(o, x) },
  0x0b: { dtype: "int16", bytes: 2, make: (n) => new Int16Array(n), get: (v, o) => v.getInt16(o), set: (v, o, x) => v.setInt16(o, x) },
  0x0c: { dtype: "int32", bytes: 4, make: (n) => new Int32Array(n), get: (v, o) => v.getInt32(o), set: (v, o, x) => v.setInt32(o, x) },
  0x0d: { dtype: "float32", bytes: 4, make: (n) => new Float32Array(n), get: (v, o) => v.getFloat32(o), set: (v, o, x) => v.setFloat32(o, x) },
  0x0e: { dtype: "float64", bytes: 8, make: (n) => new Float64Array(n), get: (v, o) => v.getFloat64(o), set: (v, o, x) => v.setFloat64(o, x) },
};
const CODE_OF: Record<IdxDType, number> = { uint8: 0x08, int8: 0x09, int16: 0x0b, int32: 0x0c, float32: 0x0d, float64: 0x0e };

const hex = (b: number): string => `0x${b.toString(16).padStart(2, "0")}`;

/**
 * Parses an IDX file from its bytes into `{ shape, dtype, data }`.
 * A uint8 or int8 file's `data` is a view into `bytes` (no copy); other types are decoded into a new array.
 *
 * Throws a `ValueError` naming `name` for a bad magic number (a gzipped file gets a hint),
 * an unknown element type, a truncated file or trailing bytes.
 *
 * @example
 * const f = parseIdx(bytes, "train-labels-idx1-ubyte"); // f.shape = [60000], f.dtype = "uint8"
 */
export function parseIdx(bytes: Uint8Array, name = "IDX data"): IdxFile {
  bytesArg("data.parseIdx", "bytes", bytes);
  stringArg("data.parseIdx", "name", name);
  const where = `parseIdx: ${name}`;
  if (bytes.length < 4) throw new ValueError(`${where} is truncated: ${bytes.length} bytes, an IDX header needs at least 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gz = bytes[0] === 0x1f && bytes[1] === 0x8b ? " (this is gzip data: gunzip it first)" : "";
    throw new ValueError(`${where} is not an IDX file: the first two bytes must be 0x00 0x00, got ${hex(bytes[0]!)} ${hex(bytes[1]!)}${gz}`);
  }
  const code = CODES[bytes[2]!];
  if (code === undefined)
    throw new ValueError(`${where}: unknown element type ${hex(bytes[2]!)} (expected one of 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64)`);
  const rank = bytes[3]!;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes)
    throw new ValueError(`${where} is truncated: the header of a rank-${rank} file needs ${headerBytes} bytes, the file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const need = count * code.bytes;
  const have = bytes.length - headerBytes;
  if (have < need)
    throw new ValueError(
      `${where} is truncated: the header says ${fmtShape(shape)} ${code.dtype} = ${need} bytes of data after the ${headerBytes}-byte header, but only ${have} follow`,
    );
  if (have > need)
    throw new ValueError(`${where} has ${have - need} trailing bytes after the ${need} bytes of data for ${fmtShape(shape)} ${code.dtype}`);

  let data: IdxArray;
  if (code.bytes === 1) {
    // one-byte types: a view, no copy
    data = code.dtype === "uint8" ? bytes.subarray(headerBytes, headerBytes + need) : new Int8Array(bytes.buffer, bytes.byteOffset + headerBytes, need);
  } else {
    data = code.make(count);
    for (let i = 0; i < count; i++) data[i] = code.get(view, headerBytes + code.bytes * i); // DataView reads big-endian
  }
  return { shape, dtype: code.dtype, data };
}

/**
 * Writes `{ shape, dtype, data }` as IDX bytes (the inverse of `parseIdx`), e.g. to build small
 * test files or to export a dataset in MNIST's format.
 */
export function encodeIdx(file: IdxFile): Uint8Array {
  const { shape, dtype, data } = requiredOptionsArg("data.encodeIdx", file, "file", "{ shape, dtype, data }");
  const code = CODE_OF[oneOfArg("data.encodeIdx", "file.dtype", dtype, Object.keys(CODE_OF) as IdxDType[])];
  checkShape(shape, "data.encodeIdx", "file.shape");
  if (!ArrayBuffer.isView(data) || data instanceof DataView || data instanceof BigInt64Array || data instanceof BigUint64Array)
    typeFail("data.encodeIdx", "file.data", "a typed array of numbers", data);
  if (shape.length > 255) throw new ShapeError(`encodeIdx: rank ${shape.length} exceeds 255`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count) throw new ValueError(`encodeIdx: ${data.length} values do not fill shape ${fmtShape(shape)} (${count} needed)`);
  const codec = CODES[code]!;
  const size = codec.bytes;
  const headerBytes = 4 + 4 * shape.length;
  checkAllocation("data.encodeIdx", headerBytes + count * size, 1, `${fmtShape(shape)} ${dtype} (${headerBytes + count * size} bytes)`);
  const out = new Uint8Array(headerBytes + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) codec.set(view, headerBytes + size * i, data[i]!); // big-endian
  return out;
}
