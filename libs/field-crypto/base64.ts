import { Buffer } from 'node:buffer';

/** Standard (RFC 4648 §4) alphabet, padding required. */
const BASE64_SHAPE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict base64 decoding. `Buffer.from(s, 'base64')` silently skips invalid
 * characters and accepts base64url, which would let a mangled key decode to
 * *some* bytes; here anything but canonical, padded, standard base64 yields
 * `undefined`. The returned buffer is never taken from Node's shared
 * allocation pool, so wiping it does not touch unrelated memory and key
 * bytes are not left in a shared slab.
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64_SHAPE.test(text)) {
    return undefined;
  }
  const pooled = Buffer.from(text, 'base64');
  // Reject non-canonical encodings (non-zero unused bits in the last quantum).
  const canonical = pooled.toString('base64') === text;
  const out = Buffer.alloc(pooled.length);
  pooled.copy(out);
  pooled.fill(0);
  return canonical ? out : (out.fill(0), undefined);
}

/** True when every byte is equal (all-zero and similar placeholder keys). */
export function isDegenerateKey(key: Uint8Array): boolean {
  return key.every((b) => b === key[0]);
}

/** A Buffer view (no copy) of any Uint8Array. */
export function asBufferView(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
