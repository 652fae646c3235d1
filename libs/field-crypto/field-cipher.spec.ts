import { Buffer } from 'node:buffer';
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { inspect } from 'node:util';
import * as fc from 'fast-check';
import {
  BLOB_FORMAT_V1,
  FieldCryptoInputError,
  FieldDecryptError,
  MIN_BLOB_BYTES,
  decryptField,
  encryptField,
  generateDataKey,
  keyVersionOf,
  needsReencryption,
  parseDataKeys,
  reencryptField,
  type FieldContext,
  type FieldDecryptFailure,
  type Keyring,
} from './index.js';

const K1 = generateDataKey();
const K2 = generateDataKey();
const K3 = generateDataKey();
const ring1 = parseDataKeys(`v1:${K1}`);
const ring12 = parseDataKeys(`v1:${K1},v2:${K2}`);
const ring2 = parseDataKeys(`v2:${K2}`);
const ctx: FieldContext = { table: 'persons', column: 'identity_code', rowId: '3f1c2a9e-5b7d-4c1e-9a0f-1d2e3f4a5b6c' };
const SECRET = 'Salainen osoite: Hämeenkatu 12 B 34, 33100 Tampere';

/** Runs `fn`, asserts it throws a FieldDecryptError (with `reason` if given) and returns it. */
function decryptError(fn: () => unknown, reason?: FieldDecryptFailure): FieldDecryptError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(FieldDecryptError);
  const error = thrown as FieldDecryptError;
  if (reason !== undefined) expect(error.reason).toBe(reason);
  return error;
}

/** Independent reader of the documented layout, so the tests pin the on-disk format. */
function lp(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}
function aad(header: Buffer, purpose: 'wrap' | 'data', c: FieldContext): Buffer {
  return Buffer.concat([header, lp(`marak.field-crypto.v1/${purpose}`), lp(c.table), lp(c.column), lp(c.rowId)]);
}
function referenceDecrypt(masterKeyB64: string, blob: Buffer, c: FieldContext): string {
  const header = blob.subarray(0, 3);
  const unwrap = createDecipheriv('aes-256-gcm', Buffer.from(masterKeyB64, 'base64'), blob.subarray(3, 15));
  unwrap.setAAD(aad(header, 'wrap', c));
  unwrap.setAuthTag(blob.subarray(15, 31));
  const dataKey = Buffer.concat([unwrap.update(blob.subarray(31, 63)), unwrap.final()]);
  const open = createDecipheriv('aes-256-gcm', dataKey, blob.subarray(63, 75));
  open.setAAD(aad(header, 'data', c));
  open.setAuthTag(blob.subarray(75, 91));
  return Buffer.concat([open.update(blob.subarray(91)), open.final()]).toString('utf8');
}
function referenceEncrypt(masterKeyB64: string, version: number, plaintext: string, c: FieldContext): Buffer {
  const header = Buffer.from([0x01, version >> 8, version & 0xff]);
  const dataKey = Buffer.alloc(32, 0x5a).map((b, i) => b ^ i);
  const wrapIv = Buffer.alloc(12, 1);
  const iv = Buffer.alloc(12, 2);
  const wrap = createCipheriv('aes-256-gcm', Buffer.from(masterKeyB64, 'base64'), wrapIv);
  wrap.setAAD(aad(header, 'wrap', c));
  const wrapped = Buffer.concat([wrap.update(dataKey), wrap.final()]);
  const seal = createCipheriv('aes-256-gcm', dataKey, iv);
  seal.setAAD(aad(header, 'data', c));
  const ciphertext = Buffer.concat([seal.update(plaintext, 'utf8'), seal.final()]);
  return Buffer.concat([header, wrapIv, wrap.getAuthTag(), wrapped, iv, seal.getAuthTag(), ciphertext]);
}

describe('encryptField / decryptField round trip', () => {
  const cases: Array<[string, string]> = [
    ['empty string', ''],
    ['ASCII', 'Matti Meikalainen, 131052-308T'],
    ['Finnish letters', 'Åsa Öhman-Äijälä, Ähtäri; ÅÄÖ åäö'],
    ['decomposed ä kept as given', 'Ma\u0308ki'],
    ['emoji incl. ZWJ sequences and astral chars', '👩‍👧‍👦 🏳️‍🌈 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀'],
    ['leading BOM', '\uFEFFalku'],
    ['NUL and control characters', 'a\u0000b\u001fc\r\n\t'],
    ['long text (200 000 UTF-8 bytes)', 'Väkivalta-arvio. '.repeat(10_000)],
  ];

  it.each(cases)('%s', (_name, plaintext) => {
    const blob = encryptField(ring1, plaintext, ctx);
    expect(decryptField(ring1, blob, ctx)).toBe(plaintext);
    expect(blob.length).toBe(MIN_BLOB_BYTES + Buffer.byteLength(plaintext, 'utf8'));
  });

  it('holds for arbitrary well-formed strings and contexts (property)', () => {
    const part = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.record({ table: part, column: part, rowId: part }),
        (plaintext, context) => decryptField(ring12, encryptField(ring12, plaintext, context), context) === plaintext,
      ),
      { numRuns: 200 },
    );
  });

  it('accepts a plain Uint8Array as the blob', () => {
    const blob = encryptField(ring1, SECRET, ctx);
    expect(decryptField(ring1, new Uint8Array(blob) as Buffer, ctx)).toBe(SECRET);
  });

  it('decrypts with a keyring that merely lists other keys too', () => {
    const blob = encryptField(ring1, SECRET, ctx);
    expect(decryptField(parseDataKeys(`v1:${K1},v2:${K2},v3:${K3}`), blob, ctx)).toBe(SECRET);
  });
});

describe('blob format', () => {
  it('starts with format 0x01 and the current key version as uint16 big-endian', () => {
    const ring = parseDataKeys(`v1:${K1},v258:${K2}`);
    const blob = encryptField(ring, 'x', ctx);
    expect(blob[0]).toBe(BLOB_FORMAT_V1);
    expect(blob[0]).toBe(0x01);
    expect(blob.readUInt16BE(1)).toBe(258);
    expect([blob[1], blob[2]]).toEqual([0x01, 0x02]);
    expect(keyVersionOf(blob)).toBe(258);
    expect(MIN_BLOB_BYTES).toBe(1 + 2 + 12 + 16 + 32 + 12 + 16);
  });

  it('follows the documented envelope layout (independent reader)', () => {
    const blob = encryptField(ring12, SECRET, ctx);
    expect(referenceDecrypt(K2, blob, ctx)).toBe(SECRET);
  });

  it('decrypts blobs built independently from the documented layout (format stability)', () => {
    const blob = referenceEncrypt(K1, 1, SECRET, ctx);
    expect(decryptField(ring12, blob, ctx)).toBe(SECRET);
    expect(() => decryptField(ring12, blob, { ...ctx, rowId: 'other' })).toThrow(FieldDecryptError);
  });

  it('never contains the plaintext bytes', () => {
    const blob = encryptField(ring1, SECRET, ctx);
    expect(blob.includes(Buffer.from(SECRET))).toBe(false);
    expect(blob.includes(Buffer.from('Hämeenkatu'))).toBe(false);
  });

  it('differs on every encryption of the same plaintext (random IVs and data keys)', () => {
    const a = encryptField(ring1, SECRET, ctx);
    const b = encryptField(ring1, SECRET, ctx);
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(3, 15).equals(b.subarray(3, 15))).toBe(false); // wrap IV
    expect(a.subarray(31, 63).equals(b.subarray(31, 63))).toBe(false); // wrapped data key
    expect(a.subarray(63, 75).equals(b.subarray(63, 75))).toBe(false); // value IV
    expect(a.subarray(91).equals(b.subarray(91))).toBe(false); // ciphertext
    const many = new Set(Array.from({ length: 100 }, () => encryptField(ring1, '', ctx).toString('hex')));
    expect(many.size).toBe(100);
  });
});

describe('context binding', () => {
  const blob = encryptField(ring1, SECRET, ctx);

  it.each<[string, FieldContext]>([
    ['table', { ...ctx, table: 'persons_archive' }],
    ['column', { ...ctx, column: 'address' }],
    ['rowId', { ...ctx, rowId: '3f1c2a9e-5b7d-4c1e-9a0f-1d2e3f4a5b6d' }],
    ['table case', { ...ctx, table: 'Persons' }],
    ['rowId with trailing space', { ...ctx, rowId: `${ctx.rowId} ` }],
    ['table and column swapped', { table: ctx.column, column: ctx.table, rowId: ctx.rowId }],
  ])('fails when %s differs', (_name, other) => {
    const error = decryptError(() => decryptField(ring1, blob, other), 'authentication-failed');
    expect(error.message).toMatch(/authentication failed/);
  });

  it('does not confuse field boundaries ("ab"+"c" vs "a"+"bc")', () => {
    const a = encryptField(ring1, SECRET, { table: 'ab', column: 'c', rowId: '1' });
    decryptError(() => decryptField(ring1, a, { table: 'a', column: 'bc', rowId: '1' }), 'authentication-failed');
    const b = encryptField(ring1, SECRET, { table: 't', column: 'c1', rowId: '2' });
    decryptError(() => decryptField(ring1, b, { table: 't', column: 'c', rowId: '12' }), 'authentication-failed');
  });

  it('fails for any different context (property)', () => {
    const part = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 });
    const context = fc.record({ table: part, column: part, rowId: part });
    fc.assert(
      fc.property(context, context, (a, b) => {
        fc.pre(a.table !== b.table || a.column !== b.column || a.rowId !== b.rowId);
        const sealed = encryptField(ring1, 'x', a);
        decryptError(() => decryptField(ring1, sealed, b), 'authentication-failed');
      }),
      { numRuns: 100 },
    );
  });

  it('cannot be defeated by moving a whole blob to another row of the same column', () => {
    const rowA = { ...ctx, rowId: 'a' };
    const rowB = { ...ctx, rowId: 'b' };
    const fromA = encryptField(ring1, 'victim A address', rowA);
    decryptError(() => decryptField(ring1, fromA, rowB), 'authentication-failed');
  });
});

describe('tamper detection', () => {
  const plaintext = 'Äiti ja 2 lasta, turvakoti';
  const blob = encryptField(ring12, plaintext, ctx);

  it('rejects every single-byte change at every position (exhaustive, masks 0x01, 0x80, 0xff)', () => {
    for (let position = 0; position < blob.length; position++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const tampered = Buffer.from(blob);
        tampered[position]! ^= mask;
        expect(() => decryptField(ring12, tampered, ctx)).toThrow(FieldDecryptError);
      }
    }
  });

  it('rejects any byte flipped with any mask (property)', () => {
    fc.assert(
      fc.property(fc.nat({ max: blob.length - 1 }), fc.integer({ min: 1, max: 255 }), (position, mask) => {
        const tampered = Buffer.from(blob);
        tampered[position]! ^= mask;
        const error = decryptError(() => decryptField(ring12, tampered, ctx));
        expect(error.message).not.toContain(plaintext);
      }),
      { numRuns: 500 },
    );
  });

  it('reports which kind of damage was found by region', () => {
    const flip = (position: number): Buffer => {
      const tampered = Buffer.from(blob);
      tampered[position]! ^= 0x01;
      return tampered;
    };
    decryptError(() => decryptField(ring12, flip(0), ctx), 'unsupported-format');
    decryptError(() => decryptField(ring12, flip(1), ctx), 'unknown-key-version'); // v2 → v258
    decryptError(() => decryptField(ring12, flip(2), ctx), 'unknown-key-version'); // v2 → v3
    for (const position of [3, 15, 31, 62, 63, 75, 90, 91, blob.length - 1]) {
      decryptError(() => decryptField(ring12, flip(position), ctx), 'authentication-failed');
    }
  });

  it('rejects a header rewritten to another key version present in the keyring', () => {
    const tampered = Buffer.from(blob);
    tampered.writeUInt16BE(1, 1); // written under v2, relabelled v1
    decryptError(() => decryptField(ring12, tampered, ctx), 'authentication-failed');
  });

  it('rejects every truncation', () => {
    for (let length = 0; length < blob.length; length++) {
      expect(() => decryptField(ring12, blob.subarray(0, length), ctx)).toThrow(FieldDecryptError);
    }
    decryptError(() => decryptField(ring12, Buffer.alloc(0), ctx), 'truncated');
    decryptError(() => decryptField(ring12, blob.subarray(0, MIN_BLOB_BYTES - 1), ctx), 'truncated');
    decryptError(() => decryptField(ring12, blob.subarray(0, MIN_BLOB_BYTES), ctx), 'authentication-failed');
  });

  it('rejects appended bytes', () => {
    decryptError(() => decryptField(ring12, Buffer.concat([blob, Buffer.from([0])]), ctx), 'authentication-failed');
  });

  it('rejects splicing the wrapped key of one blob onto the ciphertext of another', () => {
    const other = encryptField(ring12, plaintext, ctx);
    const spliced = Buffer.concat([other.subarray(0, 63), blob.subarray(63)]);
    decryptError(() => decryptField(ring12, spliced, ctx), 'authentication-failed');
  });

  it('rejects a blob encrypted under a different key with the same version label', () => {
    const impostor = parseDataKeys(`v1:${K3}`);
    decryptError(() => decryptField(impostor, encryptField(ring1, plaintext, ctx), ctx), 'authentication-failed');
  });

  it('rejects unknown formats and key version 0', () => {
    const v2format = Buffer.from(blob);
    v2format[0] = 0x02;
    decryptError(() => decryptField(ring12, v2format, ctx), 'unsupported-format');
    const version0 = Buffer.from(blob);
    version0.writeUInt16BE(0, 1);
    decryptError(() => decryptField(ring12, version0, ctx), 'unknown-key-version');
  });

  it('rejects non-buffers', () => {
    decryptError(() => decryptField(ring12, blob.toString('base64') as unknown as Buffer, ctx), 'not-a-buffer');
    decryptError(() => decryptField(ring12, null as unknown as Buffer, ctx), 'not-a-buffer');
  });

  it('never puts plaintext, key or blob bytes into error messages', () => {
    const failures: FieldDecryptError[] = [
      decryptError(() => decryptField(ring12, blob, { ...ctx, column: 'x' })),
      decryptError(() => decryptField(ring1, blob, ctx)),
      decryptError(() => decryptField(ring12, blob.subarray(0, 50), ctx)),
      decryptError(() => decryptField(parseDataKeys(`v2:${K3}`), blob, ctx)),
    ];
    const forbidden = [
      plaintext,
      'turvakoti',
      ctx.rowId,
      K1,
      K2,
      blob.toString('hex').slice(0, 16),
      blob.toString('hex').slice(-16),
      blob.toString('base64').slice(0, 12),
      blob.subarray(91).toString('latin1'),
    ];
    for (const error of failures) {
      expect(error).not.toHaveProperty('cause');
      for (const text of [error.message, String(error), inspect(error), JSON.stringify(error)]) {
        for (const secret of forbidden) expect(text).not.toContain(secret);
      }
    }
  });
});

describe('input validation', () => {
  it.each<[string, unknown]>([
    ['missing context', undefined],
    ['null context', null],
    ['empty table', { ...ctx, table: '' }],
    ['empty column', { ...ctx, column: '' }],
    ['empty rowId', { ...ctx, rowId: '' }],
    ['numeric rowId', { ...ctx, rowId: 42 }],
    ['missing rowId', { table: ctx.table, column: ctx.column }],
    ['lone surrogate in rowId', { ...ctx, rowId: 'a\uD800' }],
  ])('rejects %s on encrypt and decrypt', (_name, badCtx) => {
    expect(() => encryptField(ring1, 'x', badCtx as FieldContext)).toThrow(FieldCryptoInputError);
    const blob = encryptField(ring1, 'x', ctx);
    expect(() => decryptField(ring1, blob, badCtx as FieldContext)).toThrow(FieldCryptoInputError);
  });

  it('rejects non-string plaintext', () => {
    expect(() => encryptField(ring1, 12 as unknown as string, ctx)).toThrow(FieldCryptoInputError);
    expect(() => encryptField(ring1, Buffer.from('x') as unknown as string, ctx)).toThrow(FieldCryptoInputError);
  });

  it('rejects lone surrogates instead of silently corrupting them, without echoing the plaintext', () => {
    const plaintext = 'henkilö \uD83D tunnus';
    expect(() => encryptField(ring1, plaintext, ctx)).toThrow(FieldCryptoInputError);
    try {
      encryptField(ring1, plaintext, ctx);
    } catch (error) {
      expect((error as Error).message).not.toContain('henkilö');
    }
  });

  it('rejects objects that merely look like a keyring', () => {
    const fake = { currentVersion: 1, versions: [1] } as unknown as Keyring;
    expect(() => encryptField(fake, 'x', ctx)).toThrow(TypeError);
    expect(() => decryptField(fake, encryptField(ring1, 'x', ctx), ctx)).toThrow(TypeError);
  });
});

describe('key rotation', () => {
  const plaintext = 'Uhka-arvio: korkea. Tekijä tietää osoitteen.';
  const oldBlob = encryptField(ring1, plaintext, ctx);

  it('writes new data under the last listed key', () => {
    expect(keyVersionOf(encryptField(ring12, plaintext, ctx))).toBe(2);
    expect(keyVersionOf(encryptField(parseDataKeys(`v2:${K2},v1:${K1}`), plaintext, ctx))).toBe(1);
  });

  it('v1 data is readable with keyring v1,v2 and flagged for re-encryption', () => {
    expect(keyVersionOf(oldBlob)).toBe(1);
    expect(decryptField(ring12, oldBlob, ctx)).toBe(plaintext);
    expect(needsReencryption(ring12, oldBlob)).toBe(true);
    expect(needsReencryption(ring1, oldBlob)).toBe(false);
  });

  it('reencryptField produces a v2 blob readable without v1, while the old blob is then unreadable', () => {
    const newBlob = reencryptField(ring12, oldBlob, ctx);
    expect(keyVersionOf(newBlob)).toBe(2);
    expect(needsReencryption(ring12, newBlob)).toBe(false);
    expect(decryptField(ring12, newBlob, ctx)).toBe(plaintext);
    expect(decryptField(ring2, newBlob, ctx)).toBe(plaintext);
    const error = decryptError(() => decryptField(ring2, oldBlob, ctx), 'unknown-key-version');
    expect(error.message).toMatch(/key version 1 is not in the keyring/);
    expect(() => needsReencryption(ring2, oldBlob)).not.toThrow();
    expect(needsReencryption(ring2, oldBlob)).toBe(true);
  });

  it('reencryptField uses a fresh data key and IVs, even for an already-current blob', () => {
    const current = encryptField(ring12, plaintext, ctx);
    const again = reencryptField(ring12, current, ctx);
    expect(again.subarray(3).equals(current.subarray(3))).toBe(false);
    expect(again.subarray(31, 63).equals(current.subarray(31, 63))).toBe(false);
    expect(decryptField(ring12, again, ctx)).toBe(plaintext);
  });

  it('reencryptField refuses a tampered blob or a wrong context', () => {
    const tampered = Buffer.from(oldBlob);
    tampered[tampered.length - 1]! ^= 1;
    decryptError(() => reencryptField(ring12, tampered, ctx), 'authentication-failed');
    decryptError(() => reencryptField(ring12, oldBlob, { ...ctx, rowId: 'elsewhere' }), 'authentication-failed');
  });

  it('keyVersionOf and needsReencryption reject things that are not blobs', () => {
    decryptError(() => keyVersionOf(Buffer.from([0x01, 0x00])), 'truncated');
    decryptError(() => keyVersionOf(Buffer.alloc(MIN_BLOB_BYTES, 0x02)), 'unsupported-format');
    decryptError(() => needsReencryption(ring12, Buffer.alloc(0)), 'truncated');
    decryptError(() => keyVersionOf('AQAB' as unknown as Buffer), 'not-a-buffer');
  });
});
