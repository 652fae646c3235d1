import { Buffer } from 'node:buffer';
import { inspect } from 'node:util';
import { FieldCryptoConfigError, Keyring, MASTER_KEY_BYTES, generateDataKey, parseDataKeys } from './index.js';

/** Asserts that `text` contains neither `secret` nor any 8-character window of it. */
function expectNoSecret(text: string, secret: string): void {
  expect(text).not.toContain(secret);
  for (let i = 0; i + 8 <= secret.length; i++) {
    expect(text).not.toContain(secret.slice(i, i + 8));
  }
}

function b64(length: number, fill?: number): string {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = fill ?? (i * 37 + 11) & 0xff;
  return bytes.toString('base64');
}

function configError(spec: unknown): FieldCryptoConfigError {
  try {
    parseDataKeys(spec as string);
  } catch (error) {
    expect(error).toBeInstanceOf(FieldCryptoConfigError);
    return error as FieldCryptoConfigError;
  }
  throw new Error('expected parseDataKeys to throw');
}

describe('generateDataKey', () => {
  it('returns canonical base64 of 32 random bytes', () => {
    const key = generateDataKey();
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(key, 'base64')).toHaveLength(MASTER_KEY_BYTES);
  });

  it('returns a different key each time', () => {
    const keys = new Set(Array.from({ length: 50 }, () => generateDataKey()));
    expect(keys.size).toBe(50);
  });

  it('is accepted by parseDataKeys', () => {
    expect(parseDataKeys(`v1:${generateDataKey()}`).currentVersion).toBe(1);
  });
});

describe('parseDataKeys', () => {
  const k1 = generateDataKey();
  const k2 = generateDataKey();
  const k3 = generateDataKey();

  it('parses a single key', () => {
    const ring = parseDataKeys(`v1:${k1}`);
    expect(ring).toBeInstanceOf(Keyring);
    expect(ring.currentVersion).toBe(1);
    expect(ring.versions).toEqual([1]);
    expect(ring.has(1)).toBe(true);
    expect(ring.has(2)).toBe(false);
  });

  it('uses the LAST listed key as the current one and keeps listed order', () => {
    const ring = parseDataKeys(`v1:${k1},v7:${k2},v3:${k3}`);
    expect(ring.currentVersion).toBe(3);
    expect(ring.versions).toEqual([1, 7, 3]);
  });

  it('tolerates whitespace around entries, labels and keys', () => {
    const ring = parseDataKeys(`  v1 : ${k1} ,\n\tv2:${k2}\n`);
    expect(ring.versions).toEqual([1, 2]);
    expect(ring.currentVersion).toBe(2);
  });

  it('accepts the largest uint16 version', () => {
    expect(parseDataKeys(`v65535:${k1}`).currentVersion).toBe(65535);
  });

  const badSpecs: Array<[string, string, RegExp]> = [
    ['empty', '', /empty/],
    ['blank', '   ', /empty/],
    ['garbage', 'this is not a key list', /entry #1 is not of the form/],
    ['bare key without label', k1, /entry #1 is not of the form/],
    ['label without key', 'v1:', /entry #1 \(v1\) is not valid .*base64/],
    ['stray trailing comma', `v1:${k1},`, /entry #2 is empty/],
    ['stray leading comma', `,v1:${k1}`, /entry #1 is empty/],
    ['version 0', `v0:${k1}`, /invalid version label/],
    ['leading zero', `v01:${k1}`, /invalid version label/],
    ['no v prefix', `1:${k1}`, /invalid version label/],
    ['upper-case V', `V1:${k1}`, /invalid version label/],
    ['negative', `v-1:${k1}`, /invalid version label/],
    ['fraction', `v1.5:${k1}`, /invalid version label/],
    ['beyond uint16', `v65536:${k1}`, /invalid version label/],
    ['huge version', `v99999999999:${k1}`, /invalid version label/],
    ['key as label', `${k1}:${k2}`, /invalid version label/],
    ['duplicate version', `v1:${k1},v2:${k2},v1:${k3}`, /entry #3 \(v1\) duplicates/],
    ['31-byte key', `v1:${b64(31)}`, /exactly 32 bytes, got 31/],
    ['33-byte key', `v1:${b64(33)}`, /exactly 32 bytes, got 33/],
    ['64-byte key', `v1:${b64(64)}`, /exactly 32 bytes, got 64/],
    ['16-byte key', `v1:${k1},v2:${b64(16)}`, /entry #2 \(v2\) must decode to exactly 32 bytes, got 16/],
    ['non-base64 characters', `v1:${'!'.repeat(44)}`, /not valid standard padded base64/],
    ['base64url alphabet', `v1:${Buffer.alloc(32, 0xfb).toString('base64url')}=`, /base64/],
    ['missing padding', `v1:${k1.replace(/=+$/, '')}`, /base64/],
    ['non-canonical trailing bits', `v1:${k1.slice(0, 42)}${k1[42] === 'B' ? 'C' : 'B'}=`, /base64/],
    ['space inside the key', `v1:${k1.slice(0, 20)} ${k1.slice(20)}`, /base64/],
    ['all-zero placeholder key', `v1:${b64(32, 0)}`, /placeholder/],
    ['same key material under two versions', `v1:${k1},v2:${k1}`, /same key material as v1/],
  ];

  it.each(badSpecs)('rejects %s', (_name, spec, message) => {
    expect(configError(spec).message).toMatch(message);
  });

  it('rejects a non-string', () => {
    expect(configError(undefined).message).toMatch(/must be a string/);
  });

  it.each(badSpecs)('does not put key material into the message for %s', (_name, spec) => {
    const error = configError(spec);
    for (const text of [error.message, String(error), inspect(error), JSON.stringify(error)]) {
      for (const secret of [k1, k2, k3]) expectNoSecret(text, secret);
      // Nor any base64-looking run taken from the spec itself.
      for (const run of spec.match(/[A-Za-z0-9+/=!_-]{12,}/g) ?? []) expectNoSecret(text, run);
    }
  });
});

describe('Keyring redaction', () => {
  const k1 = generateDataKey();
  const k2 = generateDataKey();
  const ring = parseDataKeys(`v1:${k1},v2:${k2}`);
  const rawKeys = [k1, k2, Buffer.from(k1, 'base64').toString('hex'), Buffer.from(k2, 'base64').toString('hex')];

  const renderings: Array<[string, () => string]> = [
    ['JSON.stringify', () => JSON.stringify(ring)],
    ['JSON.stringify nested', () => JSON.stringify({ config: { ring } })],
    ['util.inspect', () => inspect(ring)],
    ['util.inspect showHidden', () => inspect(ring, { showHidden: true, depth: Infinity, getters: true })],
    ['util.inspect without custom inspect', () => inspect(ring, { customInspect: false, showHidden: true, depth: Infinity })],
    ['String()', () => String(ring)],
    ['template literal', () => `${ring}`],
    ['structuredClone', () => JSON.stringify(structuredClone(ring))],
    ['Object.entries', () => JSON.stringify(Object.entries(ring))],
    ['own property names', () => Reflect.ownKeys(ring).map(String).join(',')],
  ];

  it.each(renderings)('%s shows versions but no key material', (_name, render) => {
    const text = render();
    for (const secret of rawKeys) expectNoSecret(text, secret);
  });

  it('serialises to versions and a redaction marker', () => {
    expect(JSON.parse(JSON.stringify(ring))).toEqual({ currentVersion: 2, versions: [1, 2], keys: '[REDACTED]' });
    expect(inspect(ring)).toBe('Keyring(versions=v1,v2, current=v2, keys=[REDACTED])');
  });

  it('is immutable', () => {
    expect(Object.isFrozen(ring)).toBe(true);
    expect(Object.isFrozen(ring.versions)).toBe(true);
    expect(() => {
      (ring as { currentVersion: number }).currentVersion = 1;
    }).toThrow(TypeError);
  });

  it('cannot be constructed directly', () => {
    const Ctor = Keyring as unknown as new (...args: unknown[]) => Keyring;
    expect(() => new Ctor(Symbol('fake'), new Map(), 1)).toThrow(/parseDataKeys/);
  });
});
