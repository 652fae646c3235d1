/**
 * Field-level encryption and blind indexing for MARAK personal data.
 *
 * - {@link parseDataKeys} / {@link Keyring}: versioned master keys from MARAK_DATA_KEYS.
 * - {@link encryptField} / {@link decryptField}: AES-256-GCM envelope encryption bound
 *   to table/column/row (blob layout documented in ./field-cipher.ts).
 * - {@link keyVersionOf} / {@link needsReencryption} / {@link reencryptField}: key rotation.
 * - {@link blindIndex} and normalisers: HMAC-SHA256 equality-search indexes.
 *
 * Pure: no I/O beyond node:crypto, no logging. Errors never contain plaintext,
 * keys or blob bytes.
 */
export {
  FieldCryptoError,
  FieldCryptoConfigError,
  FieldCryptoInputError,
  FieldDecryptError,
  type FieldDecryptFailure,
} from './errors.js';
export { Keyring, parseDataKeys, generateDataKey, MASTER_KEY_BYTES, MAX_KEY_VERSION } from './keyring.js';
export {
  encryptField,
  decryptField,
  keyVersionOf,
  needsReencryption,
  reencryptField,
  BLOB_FORMAT_V1,
  MIN_BLOB_BYTES,
  type FieldContext,
} from './field-cipher.js';
export {
  blindIndex,
  parseBlindIndexKey,
  normaliseText,
  normaliseIdentityCode,
  nameAndBirthDateKey,
  BLIND_INDEX_KINDS,
  MIN_BLIND_INDEX_KEY_BYTES,
  NAME_KEY_SEPARATOR,
  type BlindIndexKind,
} from './blind-index.js';
