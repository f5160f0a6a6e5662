// A one-node ONNX model (Conv, NCHW) written with a minimal protobuf encoder, for timing
// onnxruntime-node's convolution next to convlab's. Only the fields the model needs are encoded
// (onnx.proto: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto).

function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, n) => [...key(field, 0), ...varint(n)];
const bytes = (field, data) => [...key(field, 2), ...varint(data.length), ...data];
const str = (field, s) => bytes(field, [...new TextEncoder().encode(s)]);
const msg = (field, parts) => bytes(field, parts.flat());

const FLOAT = 1;
const ATTR_INTS = 7;

function valueInfo(field, name, dims) {
  const shape = dims.map((d) => msg(1, [int(1, d)]));
  return msg(field, [str(1, name), msg(2, [msg(1, [int(1, FLOAT), msg(2, shape)])])]);
}
const intsAttr = (name, values) => msg(5, [str(1, name), int(20, ATTR_INTS), ...values.map((v) => int(8, v))]);

/**
 * Bytes of an ONNX model computing Y = Conv(X, W) with X [m, c, h, w] (NCHW) and the weights
 * [k, c, fh, fw] stored as an initializer. `pads` are [top, left, bottom, right].
 */
export function convModel({ m, c, h, w, k, fh, fw, sh, sw, dh, dw, pads, oh, ow }, weights) {
  const raw = new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength);
  const node = msg(1, [
    str(1, "X"), str(1, "W"), str(2, "Y"), str(3, "conv"), str(4, "Conv"),
    intsAttr("kernel_shape", [fh, fw]), intsAttr("strides", [sh, sw]), intsAttr("dilations", [dh, dw]), intsAttr("pads", pads),
  ]);
  const init = msg(5, [int(1, k), int(1, c), int(1, fh), int(1, fw), int(2, FLOAT), str(8, "W"), bytes(9, [...raw])]);
  const graph = msg(7, [node, str(2, "conv"), init, valueInfo(11, "X", [m, c, h, w]), valueInfo(12, "Y", [m, k, oh, ow])]);
  return new Uint8Array([...int(1, 8), msg(8, [str(1, ""), int(2, 13)]), graph].flat());
}
