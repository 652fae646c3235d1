import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { asBufferView, decodeStrictBase64, isDegenerateKey } from './base64.js';
import { FieldCryptoConfigError, FieldCryptoInputError } from './errors.js';

/**
 * Blind indexes: keyed, deterministic digests of normalised values, stored
 * next to the encrypted value so that exact-match lookups (is this person
 * already known to the conference?) work without decrypting.
 *
 * Security notes for users of this module:
 *  - Anyone holding the blind-index key can confirm guesses (a henkilötunnus
 *    has a small space), so the key must be as well protected as the data
 *    keys and must be a different key from them.
 *  - Equal indexes reveal equal values within a kind; that is the point,
 *    but it does mean the index leaks frequency within a column.
 *  - Changing a normaliser, the domain string or the key changes every index;
 *    that requires recomputing all indexes (from decrypted values).
 */

/** Kinds of blind index. The kind is MACed, so equal values of different kinds never collide. */
export const BLIND_INDEX_KINDS = ['identity-code', 'name-birth-date', 'text'] as const;
export type BlindIndexKind = (typeof BLIND_INDEX_KINDS)[number];

/** Minimum blind-index key length in bytes (HMAC-SHA256 block-size keys up to 64 are used as-is). */
export const MIN_BLIND_INDEX_KEY_BYTES = 32;
/** Separator in {@link nameAndBirthDateKey}; a control character, so it never survives {@link normaliseText}. */
export const NAME_KEY_SEPARATOR = '\u001f';

const DOMAIN = 'marak.blind-index.v1';
const LONE_SURROGATE = /\p{Cs}/u;
/** Format characters: soft hyphen, zero-width (non-)joiners and spaces, bidi marks, BOM, ... */
const FORMAT_CHARS = /\p{Cf}/gu;
/** Whitespace of every kind plus control characters (tab, newline, U+001F, ...). */
const SPACE_OR_CONTROL_RUN = /[\p{White_Space}\p{Z}\p{Cc}]+/gu;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Normalises free text for blind indexing (names, other text):
 * Unicode NFKC (so precomposed and decomposed "ä", full-width letters and
 * ligatures compare equal), format characters removed, every run of
 * whitespace/control characters collapsed to one space, trimmed, lowercased
 * with the locale-independent `String.prototype.toLowerCase`, then NFKC
 * again (lowercasing can un-normalise, e.g. "İ"). Diacritics are kept:
 * å, ä and ö are distinct letters in Finnish ("Mäki" ≠ "Maki").
 * Idempotent. Throws {@link FieldCryptoInputError} for non-strings and lone surrogates.
 */
export function normaliseText(value: string): string {
  checkString(value, 'Text');
  return value
    .normalize('NFKC')
    .replace(FORMAT_CHARS, '')
    .replace(SPACE_OR_CONTROL_RUN, ' ')
    .trim()
    .toLowerCase()
    .normalize('NFKC');
}

/**
 * Normalises a personal identity code (e.g. henkilötunnus "131052-308T"):
 * NFKC (full-width digits), all whitespace, control and format characters
 * removed, uppercased (locale-independent). Deliberately does not validate
 * the Finnish format or checksum: foreign identity codes are indexed too.
 * Idempotent.
 */
export function normaliseIdentityCode(value: string): string {
  checkString(value, 'Identity code');
  return value
    .normalize('NFKC')
    .replace(FORMAT_CHARS, '')
    .replace(SPACE_OR_CONTROL_RUN, '')
    .toUpperCase()
    .normalize('NFKC');
}

/**
 * Canonical string for the name + birth-date index:
 * `normaliseText(firstName) + U+001F + normaliseText(lastName) + U+001F + birthDate`.
 * Names are kept in the given roles (not sorted), so swapped first/last
 * names do not match. `birthDate` must be exactly `YYYY-MM-DD` and a real
 * calendar date. At least one of the names must be non-empty after
 * normalisation (a date alone would match far too many people).
 */
export function nameAndBirthDateKey(firstName: string, lastName: string, birthDate: string): string {
  const first = normaliseText(firstName);
  const last = normaliseText(lastName);
  if (first === '' && last === '') {
    throw new FieldCryptoInputError('Name and birth-date key needs a non-empty first or last name');
  }
  checkString(birthDate, 'Birth date');
  const m = ISO_DATE.exec(birthDate);
  if (m === null || !isCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new FieldCryptoInputError('Birth date must be a valid calendar date in the form YYYY-MM-DD');
  }
  return [first, last, birthDate].join(NAME_KEY_SEPARATOR);
}

/**
 * Parses a blind-index key from configuration: standard padded base64 of at
 * least 32 bytes (e.g. from `generateDataKey()`). Throws
 * {@link FieldCryptoConfigError}, never echoing the input.
 */
export function parseBlindIndexKey(spec: string): Buffer {
  if (typeof spec !== 'string') {
    throw new FieldCryptoConfigError('Blind-index key must be a base64 string');
  }
  const key = decodeStrictBase64(spec.trim());
  if (key === undefined) {
    throw new FieldCryptoConfigError('Blind-index key is not valid standard padded base64');
  }
  try {
    checkKeyBytes(key);
  } catch (error) {
    key.fill(0);
    throw error;
  }
  return key;
}

/**
 * HMAC-SHA256 blind index (32 bytes) of `value` as a `kind`.
 *
 * The value is normalised according to its kind before MACing
 * (`identity-code` → {@link normaliseIdentityCode}; `text` →
 * {@link normaliseText}; `name-birth-date` expects the output of
 * {@link nameAndBirthDateKey} and re-canonicalises it), so passing raw or
 * already-normalised input gives the same index.
 *
 * MAC input: lp(domain) || lp(kind) || lp(normalised value), where lp is a
 * uint32 big-endian UTF-8 byte length followed by the bytes.
 *
 * Throws {@link FieldCryptoConfigError} for a bad key and
 * {@link FieldCryptoInputError} for an unknown kind or a value that
 * normalises to the empty string (indexing "" would make every empty
 * record match every other).
 */
export function blindIndex(key: Buffer | string, value: string, kind: BlindIndexKind): Buffer {
  let keyBytes: Buffer;
  if (typeof key === 'string') {
    keyBytes = parseBlindIndexKey(key);
  } else if ((key as unknown) instanceof Uint8Array) {
    checkKeyBytes(key);
    keyBytes = asBufferView(key);
  } else {
    throw new FieldCryptoConfigError('Blind-index key must be a Buffer or a base64 string');
  }
  if (!(BLIND_INDEX_KINDS as readonly string[]).includes(kind)) {
    throw new FieldCryptoInputError(`Unknown blind index kind; expected one of ${BLIND_INDEX_KINDS.join(', ')}`);
  }
  const normalised = NORMALISERS[kind](value);
  if (normalised === '') {
    throw new FieldCryptoInputError(`Value for blind index kind ${kind} is empty after normalisation`);
  }
  try {
    return createHmac('sha256', keyBytes)
      .update(lengthPrefixed(DOMAIN))
      .update(lengthPrefixed(kind))
      .update(lengthPrefixed(normalised))
      .digest();
  } finally {
    if (typeof key === 'string') keyBytes.fill(0);
  }
}

const NORMALISERS: Record<BlindIndexKind, (value: string) => string> = {
  'identity-code': normaliseIdentityCode,
  text: normaliseText,
  'name-birth-date': (value) => {
    checkString(value, 'Name and birth-date key');
    const parts = value.split(NAME_KEY_SEPARATOR);
    if (parts.length !== 3) {
      throw new FieldCryptoInputError('Value for blind index kind name-birth-date must come from nameAndBirthDateKey()');
    }
    return nameAndBirthDateKey(parts[0]!, parts[1]!, parts[2]!);
  },
};

function checkKeyBytes(key: Uint8Array): void {
  if (key.length < MIN_BLIND_INDEX_KEY_BYTES) {
    throw new FieldCryptoConfigError(
      `Blind-index key must be at least ${MIN_BLIND_INDEX_KEY_BYTES} bytes, got ${key.length}`,
    );
  }
  if (isDegenerateKey(key)) {
    throw new FieldCryptoConfigError('Blind-index key consists of one repeated byte; it looks like a placeholder, not a random key');
  }
}

function checkString(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new FieldCryptoInputError(`${what} must be a string`);
  }
  if (LONE_SURROGATE.test(value)) {
    throw new FieldCryptoInputError(`${what} is not well-formed Unicode (lone surrogate)`);
  }
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}
