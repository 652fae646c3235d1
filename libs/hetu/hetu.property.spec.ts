import fc from 'fast-check';
import { HETU_CENTURY_SIGNS, makeHetu, parseHetu } from './index.js';

const ALPHABET = '0123456789ABCDEFHJKLMNPRSTUVWXY';
const referenceCheck = (digits9: string): string => ALPHABET[parseInt(digits9, 10) % 31]!;

const SIGNS_BY_CENTURY: Record<number, readonly string[]> = {
  1800: ['+'],
  1900: ['-', 'Y', 'X', 'W', 'V', 'U'],
  2000: ['A', 'B', 'C', 'D', 'E', 'F'],
};
const CENTURY_OF_SIGN: Record<string, number> = Object.fromEntries(
  Object.entries(SIGNS_BY_CENTURY).flatMap(([century, signs]) =>
    signs.map((sign) => [sign, Number(century)]),
  ),
);

const MS_PER_DAY = 86_400_000;
const FIRST_DAY = Date.UTC(1800, 0, 1) / MS_PER_DAY;
const LAST_DAY = Date.UTC(2099, 11, 31) / MS_PER_DAY;
const isoOfDay = (day: number): string => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);

/** Any calendar day 1800-01-01 .. 2099-12-31 as `YYYY-MM-DD`. */
const birthDateArb = fc.integer({ min: FIRST_DAY, max: LAST_DAY }).map(isoOfDay);
const individualArb = fc.integer({ min: 2, max: 999 });

/** birthDate, individual number and a century sign valid for that date. */
const hetuPartsArb = fc
  .tuple(birthDateArb, individualArb, fc.nat())
  .map(([birthDate, individualNumber, pick]) => {
    const signs = SIGNS_BY_CENTURY[Math.floor(Number(birthDate.slice(0, 4)) / 100) * 100]!;
    return { birthDate, individualNumber, centurySign: signs[pick % signs.length]! };
  });

const validCodeArb = hetuPartsArb.map((parts) => makeHetu(parts));

/** Oracle for "is this a real calendar date", independent of the library. */
function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

describe('properties', () => {
  it('makeHetu -> parseHetu round-trips for any date 1800–2099 and individual number 2–999', () => {
    fc.assert(
      fc.property(hetuPartsArb, ({ birthDate, individualNumber, centurySign }) => {
        const code = makeHetu({ birthDate, individualNumber, centurySign });
        const result = parseHetu(code);
        expect(result).toEqual({
          ok: true,
          value: {
            code,
            birthDate,
            sex: individualNumber % 2 === 0 ? 'female' : 'male',
            individualNumber,
            temporary: individualNumber >= 900,
            centurySign,
          },
        });
        // Structure checked against the reference algorithm, not the library.
        const digits9 = code.slice(0, 6) + code.slice(7, 10);
        expect(code[10]).toBe(referenceCheck(digits9));
        expect(code.slice(0, 6)).toBe(
          birthDate.slice(8, 10) + birthDate.slice(5, 7) + birthDate.slice(2, 4),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('the default century sign round-trips too', () => {
    fc.assert(
      fc.property(birthDateArb, individualArb, (birthDate, individualNumber) => {
        const result = parseHetu(makeHetu({ birthDate, individualNumber }));
        expect(result.ok && result.value.birthDate).toBe(birthDate);
        expect(result.ok && ['+', '-', 'A'].includes(result.value.centurySign)).toBe(true);
      }),
    );
  });

  it('every single day 1800-01-01..2099-12-31 round-trips (exhaustive)', () => {
    const failures: string[] = [];
    let count = 0;
    for (let day = FIRST_DAY; day <= LAST_DAY; day++) {
      const birthDate = isoOfDay(day);
      const individualNumber = 2 + (((day % 998) + 998) % 998); // days before 1970 are negative
      const result = parseHetu(makeHetu({ birthDate, individualNumber }));
      if (!result.ok || result.value.birthDate !== birthDate) failures.push(birthDate);
      count++;
    }
    expect(count).toBe(109_573); // 300 * 365 + 73 leap days (1800, 1900 are not; 2000 is)
    expect(failures).toEqual([]);
  });

  it('changing any single digit of a valid code makes it invalid', () => {
    // Changing one of the nine digits DDMMYYZZZ by d (1..9) at weight 10^k
    // changes the number by d * 10^k, which 31 (prime, > 9, coprime to 10)
    // never divides, so the check character always changes. Changing a digit
    // check character to another digit is a checksum mismatch by definition.
    // So the stronger "always invalid" holds, not merely "result changes".
    const mutationArb = fc.tuple(
      validCodeArb,
      fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 8, 9, 10),
      fc.integer({ min: 1, max: 9 }),
    );
    fc.assert(
      fc.property(mutationArb, ([code, position, delta]) => {
        const original = code[position]!;
        fc.pre(/[0-9]/.test(original));
        const replacement = String((Number(original) + delta) % 10);
        const mutated = code.slice(0, position) + replacement + code.slice(position + 1);
        const result = parseHetu(mutated);
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(['date', 'individual-number', 'checksum']).toContain(result.reason);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('changing the check character to any other alphabet character is a checksum error', () => {
    fc.assert(
      fc.property(validCodeArb, fc.integer({ min: 1, max: 30 }), (code, shift) => {
        const other = ALPHABET[(ALPHABET.indexOf(code[10]!) + shift) % 31]!;
        expect(parseHetu(code.slice(0, 10) + other)).toEqual({ ok: false, reason: 'checksum' });
      }),
    );
  });

  it('changing the century sign is not caught by the checksum but changes the parsed result', () => {
    fc.assert(
      fc.property(validCodeArb, fc.constantFrom(...HETU_CENTURY_SIGNS), (code, sign) => {
        fc.pre(sign !== code[6]);
        const original = parseHetu(code);
        const result = parseHetu(code.slice(0, 6) + sign + code.slice(7));
        if (!original.ok) throw new Error('generated code must be valid');
        if (CENTURY_OF_SIGN[sign] === CENTURY_OF_SIGN[code[6]!]) {
          // Same century (e.g. "-" vs "Y"): same person, different code/sign.
          expect(result.ok).toBe(true);
          if (result.ok) {
            expect(result.value.birthDate).toBe(original.value.birthDate);
            expect(result.value.centurySign).toBe(sign);
            expect(result.value.code).not.toBe(original.value.code);
          }
        } else if (result.ok) {
          expect(result.value.birthDate).not.toBe(original.value.birthDate);
        } else {
          // Only 29 Feb can become impossible in another century.
          expect(result.reason).toBe('date');
          expect(original.value.birthDate.slice(5)).toBe('02-29');
        }
      }),
    );
  });

  it('date validation agrees with the JavaScript Date oracle for arbitrary DDMMYY', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 39 }),
        fc.integer({ min: 0, max: 19 }),
        fc.integer({ min: 0, max: 99 }),
        fc.constantFrom(...HETU_CENTURY_SIGNS),
        fc.integer({ min: 2, max: 999 }),
        (day, month, yy, sign, individual) => {
          const p2 = (n: number) => String(n).padStart(2, '0');
          const ddmmyy = p2(day) + p2(month) + p2(yy);
          const zzz = String(individual).padStart(3, '0');
          const code = ddmmyy + sign + zzz + referenceCheck(ddmmyy + zzz);
          const year = CENTURY_OF_SIGN[sign]! + yy;
          const result = parseHetu(code);
          if (isRealDate(year, month, day)) {
            expect(result.ok && result.value.birthDate).toBe(
              `${year}-${p2(month)}-${p2(day)}`,
            );
          } else {
            expect(result).toEqual({ ok: false, reason: 'date' });
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('is insensitive to case and surrounding whitespace', () => {
    const ws = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0'), maxLength: 4 });
    fc.assert(
      fc.property(validCodeArb, ws, ws, fc.boolean(), (code, before, after, lower) => {
        const input = before + (lower ? code.toLowerCase() : code) + after;
        expect(parseHetu(input)).toEqual(parseHetu(code));
      }),
    );
  });

  it('never throws, and any accepted string normalises to a code makeHetu rebuilds', () => {
    // Strings biased towards the HETU character set so some are accepted.
    const hetuish = fc.string({
      unit: fc.constantFrom(...'0123456789+-ABCDEFHJKLMNPRSTUVWXYabcfy GIOQZ '),
      minLength: 9,
      maxLength: 13,
    });
    fc.assert(
      fc.property(fc.oneof(hetuish, fc.string(), validCodeArb), (input) => {
        const result = parseHetu(input);
        if (result.ok) {
          const { birthDate, individualNumber, centurySign, code } = result.value;
          expect(makeHetu({ birthDate, individualNumber, centurySign })).toBe(code);
          expect(code).toBe(input.trim().toUpperCase());
        } else {
          expect(Object.keys(result).sort()).toEqual(['ok', 'reason']);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
