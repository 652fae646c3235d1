import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { asBufferView } from './base64.js';
import { FieldCryptoInputError, FieldDecryptError, type FieldDecryptFailure } from './errors.js';
import { masterKeyFor, requireKeyring, type Keyring } from './keyring.js';

/**
 * Where an encrypted value lives. All three parts are bound into the GCM
 * associated data, so a ciphertext copied to another row, column or table
 * (or presented with any other context) fails to decrypt.
 *
 * `rowId` must therefore be known before the value is encrypted (use
 * application-generated ids such as UUIDs, not database sequences) and must
 * never change for the lifetime of the row.
 */
export type FieldContext = { table: string; column: string; rowId: string };

/*
 * Blob layout, format 0x01 (envelope encryption). All offsets in bytes.
 *
 *   offset  length  field
 *   ------  ------  -----------------------------------------------------------
 *        0       1  format            0x01
 *        1       2  keyVersion        uint16 big-endian, 1..65535: master key
 *                                     that wrapped the data key
 *        3      12  wrapIv            random IV for wrapping the data key
 *       15      16  wrapTag           GCM tag of the wrap
 *       31      32  wrappedDataKey    per-value AES-256 data key, AES-256-GCM
 *                                     encrypted under master key `keyVersion`
 *       63      12  iv                random IV for the value
 *       75      16  tag               GCM tag of the value
 *       91       n  ciphertext        AES-256-GCM(dataKey, UTF-8 plaintext),
 *                                     n = UTF-8 byte length of the plaintext
 *
 * Total: 91 + n bytes. The blob is stored as-is (e.g. a `bytea` column).
 *
 * Associated data (identical structure for both GCM operations, differing
 * only in the purpose label, so neither layer's AAD can stand in for the
 * other's):
 *
 *   blob[0..3) || lp("marak.field-crypto.v1/wrap" | "marak.field-crypto.v1/data")
 *              || lp(table) || lp(column) || lp(rowId)
 *
 * where lp(s) = uint32 big-endian byte length of UTF-8(s) followed by those
 * bytes (length prefixes make the encoding injective: ("ab","c") and
 * ("a","bc") differ). Including the 3 header bytes authenticates the format
 * and key version. Every byte of the blob is thus covered by a GCM tag:
 * header by both AADs, wrapIv/wrappedDataKey by wrapTag, iv/ciphertext by tag.
 *
 * Why envelope encryption (a fresh random data key per value, wrapped by the
 * master key) rather than encrypting directly under the master key:
 *  - each data key encrypts exactly one message, so the value layer has no
 *    IV-reuse or per-key usage limit at all, and the master key only ever
 *    encrypts 32-byte random strings, never attacker-influenced plaintext;
 *  - the format is ready for the master key to move into a KMS/HSM (only the
 *    32-byte wrap would then leave the process) without a data migration.
 * Honest caveat: with the master key held in process memory as here, the
 * master key still performs one random-IV GCM encryption per value, so the
 * 2^32-messages-per-key bound for random 96-bit IVs applies to it exactly as
 * it would with direct encryption; the cost is 60 bytes and a second AES-GCM
 * call per value. We accept that for the properties above.
 */

export const BLOB_FORMAT_V1 = 0x01;
const HEADER_BYTES = 3;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;
const WRAP_IV_OFFSET = HEADER_BYTES;
const WRAP_TAG_OFFSET = WRAP_IV_OFFSET + IV_BYTES;
const WRAPPED_KEY_OFFSET = WRAP_TAG_OFFSET + TAG_BYTES;
const IV_OFFSET = WRAPPED_KEY_OFFSET + DATA_KEY_BYTES;
const TAG_OFFSET = IV_OFFSET + IV_BYTES;
const CIPHERTEXT_OFFSET = TAG_OFFSET + TAG_BYTES;
/** Length of a blob holding the empty string; every valid blob is at least this long. */
export const MIN_BLOB_BYTES = CIPHERTEXT_OFFSET;

const ALGORITHM = 'aes-256-gcm';
const WRAP_LABEL = 'marak.field-crypto.v1/wrap';
const DATA_LABEL = 'marak.field-crypto.v1/data';
const LONE_SURROGATE = /\p{Cs}/u;
// ignoreBOM: keep a leading U+FEFF so that it round-trips; fatal: reject invalid UTF-8.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// The labels' encodings, made once (every decrypt of a page of rows needs both).
const WRAP_LABEL_BYTES = lengthPrefixed(WRAP_LABEL);
const DATA_LABEL_BYTES = lengthPrefixed(DATA_LABEL);
/**
 * lp(table) || lp(column) of the pairs already seen and validated: a handful of constants in
 * practice (the callers name their own tables and columns), so bounded and never evicted.
 */
const TABLE_COLUMN_BYTES = new Map<string, Buffer>();
const TABLE_COLUMN_CACHE_MAX = 1024;

/** Encrypts `plaintext` under the keyring's current version, bound to `ctx`. */
export function encryptField(keyring: Keyring, plaintext: string, ctx: FieldContext): Buffer {
  return encryptWith(keyring, keyring.currentVersion, plaintext, ctx);
}

/** Decrypts a blob produced by {@link encryptField} for the same `ctx`. Throws {@link FieldDecryptError}. */
export function decryptField(keyring: Keyring, blob: Buffer, ctx: FieldContext): string {
  requireKeyring(keyring);
  const contextParts = encodeContext(ctx);
  const bytes = checkBlob(blob);
  const version = bytes.readUInt16BE(1);
  const masterKey = masterKeyFor(keyring, version);
  if (masterKey === undefined) {
    throw new FieldDecryptError('unknown-key-version', `Cannot decrypt field: key version ${version} is not in the keyring`);
  }
  const header = bytes.subarray(0, HEADER_BYTES);

  const dataKey = gcmOpen(
    masterKey,
    bytes.subarray(WRAP_IV_OFFSET, WRAP_TAG_OFFSET),
    bytes.subarray(WRAP_TAG_OFFSET, WRAPPED_KEY_OFFSET),
    bytes.subarray(WRAPPED_KEY_OFFSET, IV_OFFSET),
    associatedData(header, WRAP_LABEL_BYTES, contextParts),
  );
  let plain: Buffer;
  try {
    plain = gcmOpen(
      dataKey,
      bytes.subarray(IV_OFFSET, TAG_OFFSET),
      bytes.subarray(TAG_OFFSET, CIPHERTEXT_OFFSET),
      bytes.subarray(CIPHERTEXT_OFFSET),
      associatedData(header, DATA_LABEL_BYTES, contextParts),
    );
  } finally {
    dataKey.fill(0);
  }
  try {
    return UTF8.decode(plain);
  } catch {
    // Unreachable unless someone encrypted non-UTF-8 bytes with the right keys.
    throw new FieldDecryptError('invalid-utf8', 'Cannot decrypt field: plaintext is not valid UTF-8');
  } finally {
    plain.fill(0);
  }
}

/** Master key version a blob was written under. Throws {@link FieldDecryptError} if it is not a well-formed blob. */
export function keyVersionOf(blob: Buffer): number {
  return checkBlob(blob).readUInt16BE(1);
}

/** Whether `blob` was written under a key other than the keyring's current one. */
export function needsReencryption(keyring: Keyring, blob: Buffer): boolean {
  requireKeyring(keyring);
  return keyVersionOf(blob) !== keyring.currentVersion;
}

/**
 * Decrypts `blob` (with whichever version it names) and encrypts the value
 * afresh under the current version: new data key, new IVs. Always produces
 * a new blob, even if the blob is already current; use
 * {@link needsReencryption} to skip those.
 */
export function reencryptField(keyring: Keyring, blob: Buffer, ctx: FieldContext): Buffer {
  return encryptField(keyring, decryptField(keyring, blob, ctx), ctx);
}

function encryptWith(keyring: Keyring, version: number, plaintext: string, ctx: FieldContext): Buffer {
  requireKeyring(keyring);
  if (typeof plaintext !== 'string') {
    throw new FieldCryptoInputError('Plaintext must be a string');
  }
  if (LONE_SURROGATE.test(plaintext)) {
    // Would be silently replaced by U+FFFD in UTF-8 and not round-trip.
    throw new FieldCryptoInputError('Plaintext is not well-formed Unicode (lone surrogate)');
  }
  const contextParts = encodeContext(ctx);
  const masterKey = masterKeyFor(keyring, version);
  if (masterKey === undefined) {
    throw new TypeError('Keyring does not hold its current key version'); // cannot happen
  }

  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(BLOB_FORMAT_V1, 0);
  header.writeUInt16BE(version, 1);

  // The data key and both IVs from one call to the CSPRNG, not three (the calls were 2 % of the
  // API's CPU per referral, which encrypts a dozen fields): independent random bytes either way.
  const random = randomBytes(DATA_KEY_BYTES + 2 * IV_BYTES);
  const dataKey = random.subarray(0, DATA_KEY_BYTES);
  const plain = Buffer.from(plaintext, 'utf8');
  try {
    const wrapIv = random.subarray(DATA_KEY_BYTES, DATA_KEY_BYTES + IV_BYTES);
    const wrap = gcmSeal(masterKey, wrapIv, dataKey, associatedData(header, WRAP_LABEL_BYTES, contextParts));
    const iv = random.subarray(DATA_KEY_BYTES + IV_BYTES);
    const data = gcmSeal(dataKey, iv, plain, associatedData(header, DATA_LABEL_BYTES, contextParts));
    return Buffer.concat([header, wrapIv, wrap.tag, wrap.ciphertext, iv, data.tag, data.ciphertext]);
  } finally {
    random.fill(0);
    plain.fill(0);
  }
}

function gcmSeal(key: KeyObject | Buffer, iv: Buffer, plaintext: Buffer, aad: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

function gcmOpen(key: KeyObject | Buffer, iv: Buffer, tag: Buffer, ciphertext: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const unverified = decipher.update(ciphertext);
  try {
    decipher.final();
  } catch {
    unverified.fill(0);
    throw new FieldDecryptError(
      'authentication-failed',
      'Cannot decrypt field: authentication failed (data tampered with, wrong key, or wrong table/column/row)',
    );
  }
  return unverified;
}

/** Validates the blob's type, format byte and minimum length; returns it as a Buffer view. */
function checkBlob(blob: Buffer): Buffer {
  if (!((blob as unknown) instanceof Uint8Array)) {
    throw new FieldDecryptError('not-a-buffer', 'Cannot decrypt field: blob must be a Buffer');
  }
  const bytes = asBufferView(blob);
  if (bytes.length === 0) {
    fail('truncated', `blob is empty`);
  }
  if (bytes[0] !== BLOB_FORMAT_V1) {
    fail('unsupported-format', 'unsupported blob format');
  }
  if (bytes.length < MIN_BLOB_BYTES) {
    fail('truncated', `blob is truncated (${bytes.length} bytes, at least ${MIN_BLOB_BYTES} required)`);
  }
  const version = bytes.readUInt16BE(1);
  if (version === 0) {
    fail('unknown-key-version', 'blob names key version 0, which is never valid');
  }
  return bytes;
}

function fail(reason: FieldDecryptFailure, detail: string): never {
  throw new FieldDecryptError(reason, `Cannot decrypt field: ${detail}`);
}

/** Validates `ctx` and returns its length-prefixed encoding (table, column, rowId). */
function encodeContext(ctx: FieldContext): Buffer {
  if (typeof ctx !== 'object' || ctx === null) {
    throw new FieldCryptoInputError('Field context must be an object { table, column, rowId }');
  }
  const { table, column } = ctx;
  // Two strings can hold any character but NUL-joined they only collide when equal (a table name
  // with a NUL in it is checked like any other on its first use and cached under its own key).
  const key = typeof table === 'string' && typeof column === 'string' ? `${table}\u0000${column}` : undefined;
  let tableColumn = key === undefined ? undefined : TABLE_COLUMN_BYTES.get(key);
  if (tableColumn === undefined) {
    tableColumn = Buffer.concat([lengthPrefixed(checkContextPart('table', table)), lengthPrefixed(checkContextPart('column', column))]);
    if (key !== undefined && TABLE_COLUMN_BYTES.size < TABLE_COLUMN_CACHE_MAX) TABLE_COLUMN_BYTES.set(key, tableColumn);
  }
  return Buffer.concat([tableColumn, lengthPrefixed(checkContextPart('rowId', ctx.rowId))]);
}

function checkContextPart(name: 'table' | 'column' | 'rowId', value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new FieldCryptoInputError(`Field context ${name} must be a non-empty string`);
  }
  if (LONE_SURROGATE.test(value)) {
    throw new FieldCryptoInputError(`Field context ${name} is not well-formed Unicode`);
  }
  return value;
}

function associatedData(header: Buffer, labelBytes: Buffer, contextParts: Buffer): Buffer {
  return Buffer.concat([header, labelBytes, contextParts]);
}

function lengthPrefixed(text: string): Buffer {
  const size = Buffer.byteLength(text, 'utf8');
  const out = Buffer.allocUnsafe(4 + size);
  out.writeUInt32BE(size, 0);
  out.write(text, 4, 'utf8');
  return out;
}
