import { Buffer } from 'node:buffer';
import { createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { decodeStrictBase64, isDegenerateKey } from './base64.js';
import { FieldCryptoConfigError } from './errors.js';

/** Length in bytes of every master (data-encryption) key. */
export const MASTER_KEY_BYTES = 32;
/** Key versions are stored as uint16 in each blob header; 0 is not a valid version. */
export const MAX_KEY_VERSION = 0xffff;

const VERSION_LABEL = /^v([1-9][0-9]{0,4})$/;

/** Master keys live here, not on the Keyring object, so nothing that walks the object can reach them. */
const MASTER_KEYS = new WeakMap<Keyring, ReadonlyMap<number, KeyObject>>();
const CONSTRUCT = Symbol('Keyring.construct');

/**
 * The versioned master keys from `MARAK_DATA_KEYS`.
 *
 * Only the version numbers are observable. Key material is held as
 * `KeyObject`s in a module-private WeakMap: `JSON.stringify`, `util.inspect`,
 * console logging, pino, `structuredClone` and `Object.keys` all see only the
 * versions. Create instances with {@link parseDataKeys}.
 */
export class Keyring {
  /** Version used to encrypt new values (the last one listed). */
  readonly currentVersion: number;
  /** All versions able to decrypt, in the order listed in the configuration. */
  readonly versions: readonly number[];

  /** @internal Use {@link parseDataKeys}. */
  constructor(token: symbol, keys: ReadonlyMap<number, KeyObject>, currentVersion: number) {
    if (token !== CONSTRUCT) {
      throw new TypeError('Keyring cannot be constructed directly; use parseDataKeys()');
    }
    this.currentVersion = currentVersion;
    this.versions = Object.freeze([...keys.keys()]);
    MASTER_KEYS.set(this, keys);
    Object.freeze(this);
  }

  /** Whether this keyring can decrypt values written under `version`. */
  has(version: number): boolean {
    return this.versions.includes(version);
  }

  toJSON(): { currentVersion: number; versions: number[]; keys: '[REDACTED]' } {
    return { currentVersion: this.currentVersion, versions: [...this.versions], keys: '[REDACTED]' };
  }

  toString(): string {
    return `Keyring(versions=${this.versions.map((v) => `v${v}`).join(',')}, current=v${this.currentVersion}, keys=[REDACTED])`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** @internal Master key for `version`, or undefined if the keyring does not hold it. */
export function masterKeyFor(keyring: Keyring, version: number): KeyObject | undefined {
  return requireKeyring(keyring).get(version);
}

/** @internal */
export function requireKeyring(keyring: Keyring): ReadonlyMap<number, KeyObject> {
  const keys = keyring instanceof Keyring ? MASTER_KEYS.get(keyring) : undefined;
  if (keys === undefined) {
    throw new TypeError('Expected a Keyring created by parseDataKeys()');
  }
  return keys;
}

/**
 * Parses `MARAK_DATA_KEYS`: a comma-separated list of `v<N>:<base64>` where
 * `N` is 1..65535 without leading zeros and the base64 (standard alphabet,
 * padded, canonical) decodes to exactly 32 bytes. Whitespace around entries
 * is ignored. Versions must be unique, and so must key material. The LAST
 * entry is the current (encrypting) key; all entries decrypt.
 *
 * Error messages identify entries by position (and by version once the label
 * has validated) and never echo any part of the input.
 */
export function parseDataKeys(spec: string): Keyring {
  if (typeof spec !== 'string') {
    throw new FieldCryptoConfigError('MARAK_DATA_KEYS must be a string');
  }
  if (spec.trim() === '') {
    throw new FieldCryptoConfigError('MARAK_DATA_KEYS is empty; expected "v1:<base64 of 32 bytes>[,v2:...]"');
  }

  const raw = new Map<number, Buffer>();
  let current = 0;
  try {
    const entries = spec.split(',');
    entries.forEach((entryText, index) => {
      const where = `MARAK_DATA_KEYS entry #${index + 1}`;
      const entry = entryText.trim();
      if (entry === '') {
        throw new FieldCryptoConfigError(`${where} is empty (stray comma?)`);
      }
      const colon = entry.indexOf(':');
      if (colon < 0) {
        throw new FieldCryptoConfigError(`${where} is not of the form v<N>:<base64>`);
      }
      const match = VERSION_LABEL.exec(entry.slice(0, colon).trim());
      const version = match ? Number(match[1]) : NaN;
      if (!match || version > MAX_KEY_VERSION) {
        throw new FieldCryptoConfigError(
          `${where} has an invalid version label; expected v<N> with N an integer from 1 to ${MAX_KEY_VERSION} without leading zeros`,
        );
      }
      const label = `${where} (v${version})`;
      if (raw.has(version)) {
        throw new FieldCryptoConfigError(`${label} duplicates an earlier entry's version`);
      }
      const key = decodeStrictBase64(entry.slice(colon + 1).trim());
      if (key === undefined) {
        throw new FieldCryptoConfigError(`${label} is not valid standard padded base64`);
      }
      if (key.length !== MASTER_KEY_BYTES) {
        const got = key.length;
        key.fill(0);
        throw new FieldCryptoConfigError(`${label} must decode to exactly ${MASTER_KEY_BYTES} bytes, got ${got}`);
      }
      if (isDegenerateKey(key)) {
        key.fill(0);
        throw new FieldCryptoConfigError(`${label} consists of one repeated byte; it looks like a placeholder, not a random key`);
      }
      for (const [otherVersion, other] of raw) {
        if (timingSafeEqual(other, key)) {
          key.fill(0);
          throw new FieldCryptoConfigError(`${label} has the same key material as v${otherVersion}; each version needs its own key`);
        }
      }
      raw.set(version, key);
      current = version;
    });

    const keys = new Map<number, KeyObject>();
    for (const [version, key] of raw) {
      keys.set(version, createSecretKey(key));
    }
    return new Keyring(CONSTRUCT, keys, current);
  } finally {
    for (const key of raw.values()) key.fill(0);
  }
}

/**
 * A fresh random master key, base64-encoded, for operators building
 * `MARAK_DATA_KEYS` (e.g. `MARAK_DATA_KEYS="$OLD,v3:<this>"`).
 * Also suitable as a blind-index key.
 */
export function generateDataKey(): string {
  const key = randomBytes(MASTER_KEY_BYTES);
  const text = key.toString('base64');
  key.fill(0);
  return text;
}
