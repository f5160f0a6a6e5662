/**
 * Base64 (RFC 4648, standard alphabet) without Node's Buffer or the DOM's atob/btoa, so the same
 * code runs in the kernel and in the browser. The one codec of the core: PNG fallbacks, packed
 * payload arrays and the embedded WebAssembly module all use it.
 */
import { ArgumentTypeError, ValueError } from "./errors.js";
import { describeValue } from "./check.js";

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Standard base64 (with `=` padding) of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array)) throw new ArgumentTypeError(`toBase64: bytes must be a Uint8Array, got ${describeValue(bytes)}`);
  const parts: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, bytes.length);
    let s = "";
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
    }
    if (end - i === 1) {
      const n = bytes[i]! << 16;
      s += B64[n >> 18]! + B64[(n >> 12) & 63]! + "==";
    } else if (end - i === 2) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
      s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + "=";
    }
    parts.push(s);
  }
  return parts.join("");
}

/** Bytes of a base64 string (`=` padding optional); a `ValueError` for a character outside the alphabet. */
export function fromBase64(s: string): Uint8Array {
  if (typeof s !== "string") throw new ArgumentTypeError(`fromBase64: s must be a base64 string, got ${describeValue(s)}`);
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61 /* = */) end--;
  if (end % 4 === 1) throw new ValueError(`fromBase64: ${s.length} characters cannot be base64`);
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let o = 0, acc = 0, bits = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new ValueError(`fromBase64: invalid character at ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** Number of bytes a base64 string of this length (padding included) decodes to. */
export function base64ByteLength(s: string): number {
  let pad = 0;
  if (s.endsWith("==")) pad = 2;
  else if (s.endsWith("=")) pad = 1;
  return Math.floor(((s.length - pad) * 3) / 4);
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

/** Whether `s` is well-formed padded base64 (length a multiple of 4, alphabet only). */
export function isBase64(s: string): boolean {
  return s.length % 4 === 0 && BASE64_RE.test(s);
}
