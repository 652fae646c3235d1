import { Buffer } from 'node:buffer';
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import * as fc from 'fast-check';
import {
  BLIND_INDEX_KINDS,
  FieldCryptoConfigError,
  FieldCryptoInputError,
  NAME_KEY_SEPARATOR,
  blindIndex,
  generateDataKey,
  nameAndBirthDateKey,
  normaliseIdentityCode,
  normaliseText,
  parseBlindIndexKey,
  type BlindIndexKind,
} from './index.js';

const KEY_B64 = generateDataKey();
const KEY = Buffer.from(KEY_B64, 'base64');
const OTHER_KEY = Buffer.from(generateDataKey(), 'base64');

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('normaliseText', () => {
  it.each<[string, string, string]>([
    ['collapses and trims whitespace, lowercases', '  Matti  MEIKÄLÄINEN', 'matti meikäläinen'],
    ['folds decomposed ä (a + U+0308) into precomposed', 'Meika\u0308la\u0308inen', 'meikäläinen'],
    ['folds decomposed Å', 'A\u030Asa', 'åsa'],
    ['maps the Ångström sign to å', '\u212Bsa', 'åsa'],
    ['treats tabs, newlines, NBSP and ideographic space as whitespace', 'Anna\t\n\u00A0\u3000Liisa', 'anna liisa'],
    ['treats control characters as whitespace', 'Anna\u0000\u001fLiisa', 'anna liisa'],
    ['removes zero-width and bidi format characters', '\u200BMat\u200Dti\u00AD\u200E', 'matti'],
    ['folds full-width letters (NFKC)', 'ＭＡＴＴＩ', 'matti'],
    ['folds ligatures (NFKC)', 'ﬁnlay', 'finlay'],
    ['keeps hyphens and apostrophes', "Anna-Liisa O'Brien", "anna-liisa o'brien"],
    ['leaves an all-whitespace string empty', ' \t\u00A0 ', ''],
  ])('%s', (_name, input, expected) => {
    expect(normaliseText(input)).toBe(expected);
  });

  it('keeps Finnish å, ä, ö distinct from a and o (no diacritic stripping)', () => {
    expect(normaliseText('Mäki')).not.toBe(normaliseText('Maki'));
    expect(normaliseText('Östman')).not.toBe(normaliseText('Ostman'));
    expect(normaliseText('Åberg')).not.toBe(normaliseText('Aberg'));
    expect(normaliseText('ÅÄÖ')).toBe('åäö');
  });

  it('produces NFC output', () => {
    expect(normaliseText('Ma\u0308ki')).toBe('m\u00E4ki');
    // Lowercasing can un-normalise: "T̈" has no precomposed capital, but "ẗ" (U+1E97) exists.
    expect(normaliseText('T\u0308')).toBe('\u1E97');
    expect(normaliseText('T\u0308')).toBe(normaliseText('\u1E97'));
  });

  it('is idempotent and yields no edge/double spaces or control characters (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (input) => {
        const once = normaliseText(input);
        expect(normaliseText(once)).toBe(once);
        expect(once).toBe(once.trim());
        expect(once).not.toMatch(/ {2}|[\p{Cc}\p{Cf}]|[^\S ]/u);
        expect(once.includes(NAME_KEY_SEPARATOR)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects non-strings and lone surrogates without echoing input', () => {
    expect(() => normaliseText(undefined as unknown as string)).toThrow(FieldCryptoInputError);
    const error = thrown(() => normaliseText('Virtanen\uDC00'));
    expect(error).toBeInstanceOf(FieldCryptoInputError);
    expect(error.message).not.toContain('Virtanen');
  });
});

describe('normaliseIdentityCode', () => {
  it.each<[string, string]>([
    ['131052-308T', '131052-308T'],
    [' 131052-308t ', '131052-308T'],
    ['131052 - 308 t', '131052-308T'],
    ['131052-308T\n', '131052-308T'],
    ['\u00A0131052\u200B-308t', '131052-308T'],
    ['１３１０５２－３０８ｔ', '131052-308T'], // full-width, incl. U+FF0D hyphen
    ['010594y9021', '010594Y9021'], // 2023 century marker
  ])('%j → %j', (input, expected) => {
    expect(normaliseIdentityCode(input)).toBe(expected);
  });

  it('does not validate or rewrite the code otherwise', () => {
    expect(normaliseIdentityCode('abc+123')).toBe('ABC+123');
  });

  it('is idempotent and whitespace-free (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (input) => {
        const once = normaliseIdentityCode(input);
        expect(normaliseIdentityCode(once)).toBe(once);
        expect(once).not.toMatch(/[\s\p{Cc}\p{Cf}]/u);
      }),
      { numRuns: 300 },
    );
  });
});

describe('nameAndBirthDateKey', () => {
  it('joins normalised first name, last name and date with U+001F', () => {
    expect(nameAndBirthDateKey('  Anna-Liisa ', 'MEIKÄLÄINEN', '1980-02-29')).toBe(
      'anna-liisa\u001fmeikäläinen\u001f1980-02-29',
    );
  });

  it('matches equivalent spellings', () => {
    expect(nameAndBirthDateKey('Matti', 'Meika\u0308la\u0308inen', '1975-06-01')).toBe(
      nameAndBirthDateKey(' MATTI', 'meikäläinen  ', '1975-06-01'),
    );
  });

  it('keeps names in their roles (not order-insensitive)', () => {
    expect(nameAndBirthDateKey('Matti', 'Juhani', '1975-06-01')).not.toBe(
      nameAndBirthDateKey('Juhani', 'Matti', '1975-06-01'),
    );
  });

  it('is unambiguous about where one name ends and the next begins', () => {
    expect(nameAndBirthDateKey('Anna Liisa', 'Virtanen', '1990-01-01')).not.toBe(
      nameAndBirthDateKey('Anna', 'Liisa Virtanen', '1990-01-01'),
    );
    const injected = nameAndBirthDateKey(`Anna${NAME_KEY_SEPARATOR}Liisa`, 'Virtanen', '1990-01-01');
    expect(injected.split(NAME_KEY_SEPARATOR)).toHaveLength(3);
  });

  it('allows one empty name but not both', () => {
    expect(nameAndBirthDateKey('', 'Virtanen', '1990-01-01')).toBe('\u001fvirtanen\u001f1990-01-01');
    expect(nameAndBirthDateKey('Anna', ' ', '1990-01-01')).toBe('anna\u001f\u001f1990-01-01');
    expect(() => nameAndBirthDateKey(' ', '', '1990-01-01')).toThrow(FieldCryptoInputError);
  });

  it.each([
    '1980-02-30',
    '1900-02-29',
    '1980-13-01',
    '1980-00-10',
    '1980-01-00',
    '1980-01-32',
    '0000-01-01',
    '80-01-01',
    '1980-1-1',
    ' 1980-01-01',
    '1980-01-01 ',
    '1980/01/01',
    '01.01.1980',
    '1980-01-01T00:00:00Z',
    '１９８０-01-01',
    '',
  ])('rejects birth date %j without echoing it or the names', (date) => {
    const error = thrown(() => nameAndBirthDateKey('Salla', 'Salainen', date));
    expect(error).toBeInstanceOf(FieldCryptoInputError);
    expect(error.message).not.toContain('Salainen');
    if (date.trim() !== '') expect(error.message).not.toContain(date.trim());
  });

  it('accepts real leap days', () => {
    expect(nameAndBirthDateKey('a', 'b', '2000-02-29')).toMatch(/2000-02-29$/);
  });
});

describe('parseBlindIndexKey', () => {
  it('accepts base64 of 32 or more bytes and returns the bytes', () => {
    expect(parseBlindIndexKey(KEY_B64).equals(KEY)).toBe(true);
    const long = Buffer.from(Array.from({ length: 64 }, (_, i) => i + 1));
    expect(parseBlindIndexKey(long.toString('base64')).equals(long)).toBe(true);
    expect(parseBlindIndexKey(` ${KEY_B64}\n`).equals(KEY)).toBe(true);
  });

  const short = Buffer.from(Array.from({ length: 31 }, (_, i) => i * 7 + 3)).toString('base64');
  it.each<[string, string, RegExp]>([
    ['31 bytes', short, /at least 32 bytes, got 31/],
    ['empty', '', /base64/],
    ['garbage', 'not a key at all!', /base64/],
    ['base64url', Buffer.alloc(33, 0xfb).toString('base64url'), /base64/],
    ['unpadded', KEY_B64.replace(/=+$/, ''), /base64/],
    ['versioned data-key syntax', `v1:${KEY_B64}`, /base64/],
    ['all-zero placeholder', Buffer.alloc(32).toString('base64'), /placeholder/],
  ])('rejects %s without echoing it', (_name, spec, message) => {
    const error = thrown(() => parseBlindIndexKey(spec));
    expect(error).toBeInstanceOf(FieldCryptoConfigError);
    expect(error.message).toMatch(message);
    for (const text of [error.message, inspect(error)]) {
      if (spec.length >= 8) expect(text).not.toContain(spec.slice(0, 8));
      expect(text).not.toContain(KEY_B64.slice(0, 8));
    }
  });

  it('rejects a non-string', () => {
    expect(() => parseBlindIndexKey(KEY as unknown as string)).toThrow(FieldCryptoConfigError);
  });
});

describe('blindIndex', () => {
  it('is a 32-byte HMAC-SHA256 over lp(domain) || lp(kind) || lp(normalised value) (known answer)', () => {
    const lp = (s: string): Buffer => {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return Buffer.concat([len, b]);
    };
    const expected = createHmac('sha256', KEY)
      .update(Buffer.concat([lp('marak.blind-index.v1'), lp('text'), lp('matti meikäläinen')]))
      .digest();
    const actual = blindIndex(KEY, '  Matti  MEIKÄLÄINEN', 'text');
    expect(actual).toHaveLength(32);
    expect(actual.equals(expected)).toBe(true);
  });

  it('is deterministic and accepts the key as Buffer, Uint8Array or base64', () => {
    const a = blindIndex(KEY, '131052-308T', 'identity-code');
    expect(blindIndex(KEY, '131052-308T', 'identity-code').equals(a)).toBe(true);
    expect(blindIndex(KEY_B64, '131052-308T', 'identity-code').equals(a)).toBe(true);
    expect(blindIndex(new Uint8Array(KEY) as Buffer, '131052-308T', 'identity-code').equals(a)).toBe(true);
  });

  it.each<[BlindIndexKind, string, string]>([
    ['text', '  Matti  MEIKÄLÄINEN', 'matti meikäläinen'],
    ['text', 'Meika\u0308la\u0308inen', 'Meikäläinen'],
    ['identity-code', ' 131052-308t', '131052-308T'],
    ['identity-code', '１３１０５２－３０８Ｔ', '131052 -308T'],
    [
      'name-birth-date',
      nameAndBirthDateKey('  Matti ', 'MEIKA\u0308LA\u0308INEN', '1975-06-01'),
      nameAndBirthDateKey('matti', 'meikäläinen', '1975-06-01'),
    ],
  ])('is equal for equivalent %s inputs %j and %j', (kind, a, b) => {
    expect(blindIndex(KEY, a, kind).equals(blindIndex(KEY, b, kind))).toBe(true);
  });

  it('applies the normaliser itself, so raw and pre-normalised input agree', () => {
    expect(blindIndex(KEY, 'ÅSA  Öhman', 'text').equals(blindIndex(KEY, normaliseText('ÅSA  Öhman'), 'text'))).toBe(true);
  });

  it('keeps å/ä/ö distinct', () => {
    expect(blindIndex(KEY, 'Mäki', 'text').equals(blindIndex(KEY, 'Maki', 'text'))).toBe(false);
  });

  it('differs across kinds for the same normalised value', () => {
    // "123456-7890" normalises identically under both text and identity-code.
    const value = '123456-7890';
    expect(normaliseText(value)).toBe(normaliseIdentityCode(value));
    expect(blindIndex(KEY, value, 'text').equals(blindIndex(KEY, value, 'identity-code'))).toBe(false);
  });

  it('differs across kinds (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9+-]{1,12}$/), (value) => {
        expect(blindIndex(KEY, value, 'text').equals(blindIndex(KEY, value, 'identity-code'))).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('differs across keys', () => {
    expect(blindIndex(KEY, 'Matti', 'text').equals(blindIndex(OTHER_KEY, 'Matti', 'text'))).toBe(false);
  });

  it('differs for different normalised values (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ minLength: 1, maxLength: 12 }), (a, b) => {
        fc.pre(normaliseText(a) !== '' && normaliseText(b) !== '' && normaliseText(a) !== normaliseText(b));
        expect(blindIndex(KEY, a, 'text').equals(blindIndex(KEY, b, 'text'))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('does not contain the value or the key', () => {
    const index = blindIndex(KEY, '131052-308T', 'identity-code');
    expect(index.includes(Buffer.from('131052'))).toBe(false);
    expect(index.equals(KEY)).toBe(false);
  });

  it('rejects values that normalise to the empty string', () => {
    for (const kind of BLIND_INDEX_KINDS) {
      expect(() => blindIndex(KEY, ' \t ', kind)).toThrow(FieldCryptoInputError);
    }
  });

  it('rejects name-birth-date values not built by nameAndBirthDateKey', () => {
    expect(() => blindIndex(KEY, 'Matti Meikäläinen 1975-06-01', 'name-birth-date')).toThrow(FieldCryptoInputError);
    expect(() => blindIndex(KEY, `a${NAME_KEY_SEPARATOR}b${NAME_KEY_SEPARATOR}1975-02-30`, 'name-birth-date')).toThrow(
      FieldCryptoInputError,
    );
  });

  it('rejects unknown kinds', () => {
    expect(() => blindIndex(KEY, 'x', 'email' as BlindIndexKind)).toThrow(FieldCryptoInputError);
  });

  it('rejects short, placeholder or non-key keys without echoing them', () => {
    const short = KEY.subarray(0, 31);
    const error = thrown(() => blindIndex(short, 'x', 'text'));
    expect(error).toBeInstanceOf(FieldCryptoConfigError);
    expect(error.message).not.toContain(short.toString('base64').slice(0, 8));
    expect(() => blindIndex(short.toString('base64'), 'x', 'text')).toThrow(FieldCryptoConfigError);
    expect(() => blindIndex(Buffer.alloc(32), 'x', 'text')).toThrow(FieldCryptoConfigError);
    expect(() => blindIndex(42 as unknown as Buffer, 'x', 'text')).toThrow(FieldCryptoConfigError);
  });

  it('never puts the value into error messages', () => {
    const error = thrown(() => blindIndex(KEY, 'Salainen\uD800', 'text'));
    expect(error).toBeInstanceOf(FieldCryptoInputError);
    expect(error.message).not.toContain('Salainen');
  });

  it('does not modify a caller-supplied key buffer', () => {
    const copy = Buffer.from(KEY);
    blindIndex(copy, 'x', 'text');
    expect(copy.equals(KEY)).toBe(true);
  });
});
