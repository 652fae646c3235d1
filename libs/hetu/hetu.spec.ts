import {
  HETU_CENTURY_SIGNS,
  HETU_CHECK_CHARS,
  hetuChecksumChar,
  isValidHetu,
  makeHetu,
  makeTemporaryHetu,
  parseHetu,
  type HetuResult,
} from './index.js';

/**
 * Independent reference for the check character, written out from the
 * published rule rather than imported: DDMMYYZZZ as a 9-digit integer mod 31,
 * indexed into the 31-character alphabet (no G, I, O, Q, Z).
 */
const REFERENCE_ALPHABET = '0123456789ABCDEFHJKLMNPRSTUVWXY';
function referenceCheck(ddmmyy: string, zzz: string): string {
  return REFERENCE_ALPHABET[parseInt(ddmmyy + zzz, 10) % 31]!;
}
function withCheck(ddmmyy: string, sign: string, zzz: string): string {
  return ddmmyy + sign + zzz + referenceCheck(ddmmyy, zzz);
}

function expectOk(result: HetuResult) {
  if (!result.ok) {
    throw new Error(`expected ok, got reason ${result.reason}`);
  }
  return result.value;
}

function reasonOf(input: string): string | undefined {
  const result = parseHetu(input);
  return result.ok ? undefined : result.reason;
}

describe('check character alphabet', () => {
  it('is the 31-character published alphabet without G, I, O, Q, Z', () => {
    expect(HETU_CHECK_CHARS).toBe(REFERENCE_ALPHABET);
    expect(HETU_CHECK_CHARS).toHaveLength(31);
    expect(new Set(HETU_CHECK_CHARS).size).toBe(31);
    for (const excluded of ['G', 'I', 'O', 'Q', 'Z']) {
      expect(HETU_CHECK_CHARS).not.toContain(excluded);
    }
  });
});

describe('hetuChecksumChar', () => {
  it('computes 131052-308T by hand: 131052308 = 31 * 4227493 + 25, index 25 = T', () => {
    expect(31 * 4227493 + 25).toBe(131052308);
    expect(REFERENCE_ALPHABET[25]).toBe('T');
    expect(hetuChecksumChar('131052', '308')).toBe('T');
  });

  it.each([
    // Literals precomputed outside the code under test.
    ['010100', '002', 'H'],
    ['290200', '900', 'B'],
    ['290204', '901', 'D'],
    ['311299', '999', 'E'],
    ['010199', '002', '2'],
    ['290296', '123', '2'],
    ['010101', '003', 'T'],
    ['150623', '904', 'L'],
    ['010123', '002', 'E'],
  ])('%s + %s -> %s', (ddmmyy, zzz, expected) => {
    expect(hetuChecksumChar(ddmmyy, zzz)).toBe(expected);
    expect(referenceCheck(ddmmyy, zzz)).toBe(expected);
  });

  it('does not validate the date or individual number, only the digits', () => {
    expect(hetuChecksumChar('000000', '000')).toBe('0');
    expect(hetuChecksumChar('999999', '999')).toBe(referenceCheck('999999', '999'));
  });

  it.each([
    ['13105', '308'],
    ['1310522', '308'],
    ['13105a', '308'],
    ['131052', '30'],
    ['131052', '3080'],
    ['131052', '30x'],
    ['１３１０５２', '308'],
  ])('throws RangeError for malformed arguments (%j, %j) without echoing them', (a, b) => {
    expect(() => hetuChecksumChar(a, b)).toThrow(RangeError);
    try {
      hetuChecksumChar(a, b);
    } catch (error) {
      const message = (error as Error).message;
      expect(message).not.toContain(a);
      expect(message).not.toContain(b);
    }
  });
});

describe('parseHetu: the published fictional example 131052-308T', () => {
  it('parses to 13 Oct 1952, female, individual number 308', () => {
    expect(parseHetu('131052-308T')).toEqual({
      ok: true,
      value: {
        code: '131052-308T',
        birthDate: '1952-10-13',
        sex: 'female',
        individualNumber: 308,
        temporary: false,
        centurySign: '-',
      },
    });
    expect(isValidHetu('131052-308T')).toBe(true);
  });
});

describe('parseHetu: century signs', () => {
  const expectedCentury: Record<string, number> = {
    '+': 1800,
    '-': 1900,
    Y: 1900,
    X: 1900,
    W: 1900,
    V: 1900,
    U: 1900,
    A: 2000,
    B: 2000,
    C: 2000,
    D: 2000,
    E: 2000,
    F: 2000,
  };

  it('exports exactly the 13 signs', () => {
    expect([...HETU_CENTURY_SIGNS].sort()).toEqual(Object.keys(expectedCentury).sort());
  });

  it.each(Object.entries(expectedCentury))('sign %s is century %i', (sign, century) => {
    const code = withCheck('130752', sign, '309');
    const value = expectOk(parseHetu(code));
    expect(value.birthDate).toBe(`${century + 52}-07-13`);
    expect(value.centurySign).toBe(sign);
    expect(value.code).toBe(code);
  });

  it.each([['-'], ['Y'], ['X'], ['W'], ['V'], ['U']])(
    '1900s sign %s denotes the same person as "-" (2023 signs)',
    (sign) => {
      const classic = expectOk(parseHetu('131052-308T'));
      const alt = expectOk(parseHetu(`131052${sign}308T`));
      expect(alt.birthDate).toBe(classic.birthDate);
      expect(alt.sex).toBe(classic.sex);
      expect(alt.individualNumber).toBe(classic.individualNumber);
      expect(alt.temporary).toBe(classic.temporary);
      expect(alt.centurySign).toBe(sign);
    },
  );

  it.each([['A'], ['B'], ['C'], ['D'], ['E'], ['F']])(
    '2000s sign %s denotes the same person as "A" (2023 signs)',
    (sign) => {
      const classic = expectOk(parseHetu('150623A904L'));
      const alt = expectOk(parseHetu(`150623${sign}904L`));
      expect(classic.birthDate).toBe('2023-06-15');
      expect(alt.birthDate).toBe(classic.birthDate);
      expect(alt.individualNumber).toBe(904);
      expect(alt.centurySign).toBe(sign);
    },
  );

  it('the check character does not depend on the century sign', () => {
    // Same digits in three centuries: all valid, different birth dates.
    expect(expectOk(parseHetu('010101+003T')).birthDate).toBe('1801-01-01');
    expect(expectOk(parseHetu('010101-003T')).birthDate).toBe('1901-01-01');
    expect(expectOk(parseHetu('010101A003T')).birthDate).toBe('2001-01-01');
  });

  it.each([['G'], ['T'], ['Z'], ['*'], ['/'], ['.'], ['_'], ['0'], ['–'], ['−']])(
    'rejects unknown sign %j as format',
    (sign) => {
      expect(reasonOf(`131052${sign}308T`)).toBe('format');
    },
  );

  it('extreme years of the supported range', () => {
    expect(expectOk(parseHetu('010100+002H')).birthDate).toBe('1800-01-01');
    expect(expectOk(parseHetu('311299F999E')).birthDate).toBe('2099-12-31');
  });
});

describe('parseHetu: dates and leap years', () => {
  it.each([
    ['290200', 'A', '900', '2000-02-29'], // 2000 divisible by 400: leap
    ['290204', 'A', '901', '2004-02-29'],
    ['290224', 'B', '902', '2024-02-29'],
    ['290296', '-', '123', '1996-02-29'],
    ['290296', '+', '123', '1896-02-29'],
    ['290204', '+', '123', '1804-02-29'],
    ['280223', 'A', '002', '2023-02-28'],
    ['311223', 'A', '002', '2023-12-31'],
    ['300423', 'A', '002', '2023-04-30'],
  ])('accepts %s%s%s as %s', (ddmmyy, sign, zzz, birthDate) => {
    expect(expectOk(parseHetu(withCheck(ddmmyy, sign, zzz))).birthDate).toBe(birthDate);
  });

  it.each([
    ['290200', '-', '1900 is not a leap year (divisible by 100, not 400)'],
    ['290200', 'Y', '1900 is not a leap year, new sign'],
    ['290200', '+', '1800 is not a leap year'],
    ['290223', 'A', '2023 is not a leap year'],
    ['290297', '-', '1997 is not a leap year'],
    ['300224', 'A', '30 Feb'],
    ['310223', 'A', '31 Feb'],
    ['310423', 'A', '31 Apr'],
    ['310623', 'A', '31 Jun'],
    ['310923', 'A', '31 Sep'],
    ['311123', 'A', '31 Nov'],
    ['320123', 'A', 'day 32'],
    ['000123', 'A', 'day 0'],
    ['010023', 'A', 'month 0'],
    ['011323', 'A', 'month 13'],
    ['999999', '-', 'nonsense'],
  ])('rejects %s%s (%s) as date even with a correct checksum', (ddmmyy, sign) => {
    expect(reasonOf(withCheck(ddmmyy, sign, '123'))).toBe('date');
  });

  it('the same digits are valid in 2000 but not in 1900', () => {
    expect(isValidHetu('290200A900B')).toBe(true);
    expect(reasonOf('290200-900B')).toBe('date');
    expect(reasonOf('290200U900B')).toBe('date');
  });
});

describe('parseHetu: individual numbers', () => {
  it.each([['000'], ['001']])('rejects %s as individual-number with a correct checksum', (zzz) => {
    expect(reasonOf(withCheck('131052', '-', zzz))).toBe('individual-number');
    expect(reasonOf(withCheck('010123', 'A', zzz))).toBe('individual-number');
  });

  it.each([
    [2, false],
    [3, false],
    [308, false],
    [899, false],
    [900, true],
    [901, true],
    [950, true],
    [999, true],
  ])('accepts %i (temporary: %s)', (n, temporary) => {
    const value = expectOk(parseHetu(withCheck('131052', '-', String(n).padStart(3, '0'))));
    expect(value.individualNumber).toBe(n);
    expect(value.temporary).toBe(temporary);
  });

  it.each([
    [2, 'female'],
    [3, 'male'],
    [308, 'female'],
    [309, 'male'],
    [898, 'female'],
    [899, 'male'],
    [900, 'female'],
    [901, 'male'],
    [998, 'female'],
    [999, 'male'],
  ])('individual number %i -> %s', (n, sex) => {
    const value = expectOk(parseHetu(withCheck('010199', '-', String(n).padStart(3, '0'))));
    expect(value.sex).toBe(sex);
  });
});

describe('parseHetu: checksum', () => {
  it('rejects every other check character for 131052-308', () => {
    const wrong = [...REFERENCE_ALPHABET].filter((c) => c !== 'T');
    expect(wrong).toHaveLength(30);
    for (const c of wrong) {
      expect(reasonOf(`131052-308${c}`)).toBe('checksum');
    }
  });

  it.each([['G'], ['I'], ['O'], ['Q'], ['Z'], ['-'], ['*']])(
    'a check character outside the alphabet (%j) is format, not checksum',
    (c) => {
      expect(reasonOf(`131052-308${c}`)).toBe('format');
    },
  );

  it('reports in precedence order: date before individual-number before checksum', () => {
    // Impossible date, individual number 000 and a wrong check character.
    expect(reasonOf('310223A0000')).toBe('date');
    // Valid date, individual number 001 and a wrong check character.
    const wrongCheck = referenceCheck('131052', '001') === '0' ? '1' : '0';
    expect(reasonOf(`131052-001${wrongCheck}`)).toBe('individual-number');
  });

  it('catches a swapped pair of digits in the known example', () => {
    expect(reasonOf('310152-308T')).toBe('checksum'); // DD <-> MM swapped digits
    expect(reasonOf('131052-380T')).toBe('checksum');
  });
});

describe('parseHetu: normalisation and format', () => {
  it('accepts lowercase and normalises to uppercase', () => {
    expect(expectOk(parseHetu('131052-308t')).code).toBe('131052-308T');
    const value = expectOk(parseHetu('150623a904l'));
    expect(value.code).toBe('150623A904L');
    expect(value.centurySign).toBe('A');
    expect(expectOk(parseHetu('131052y308t')).centurySign).toBe('Y');
  });

  it.each([
    ['  131052-308T'],
    ['131052-308T  '],
    ['\t131052-308T\n'],
    ['\r\n 131052-308T \r\n'],
    ['\u00a0131052-308T\u00a0'], // no-break space, as pasted from web pages
  ])('trims surrounding whitespace: %j', (input) => {
    expect(expectOk(parseHetu(input)).code).toBe('131052-308T');
  });

  it.each([
    [''],
    ['   '],
    ['131052-308'],
    ['131052-308TT'],
    ['131052-308T0'],
    ['0131052-308T'],
    ['13105-308T'],
    ['131052308T'],
    ['131052 308T'],
    ['131052- 308T'],
    ['131052-308 T'],
    ['13 1052-308T'],
    ['131052\t308T'],
    ['131052-3O8T'], // letter O instead of zero
    ['I31052-308T'], // letter I instead of one
    ['131052--308T'],
    ['131052-308\u200bT'], // zero-width space
    ['\u200b131052-308T'], // zero-width space is not trimmed
    ['１３１０５２-３０８T'], // full-width digits
    ['١٣١٠٥٢-٣٠٨T'], // Arabic-Indic digits
    ['131052–308T'], // en dash
    ['131052−308T'], // minus sign
    ['131052-308T\u0000'],
  ])('rejects %j as format', (input) => {
    expect(reasonOf(input)).toBe('format');
  });

  it('rejects non-ASCII characters that upper-case to a valid ASCII letter', () => {
    // Find a valid code whose check character is S; U+017F LATIN SMALL LETTER
    // LONG S upper-cases to "S", so a naive toUpperCase() would accept it.
    let code: string | undefined;
    for (let n = 2; n <= 999 && code === undefined; n++) {
      const candidate = withCheck('131052', '-', String(n).padStart(3, '0'));
      if (candidate.endsWith('S')) code = candidate;
    }
    expect(code).toBeDefined();
    expect(isValidHetu(code!)).toBe(true);
    expect('\u017f'.toUpperCase()).toBe('S');
    expect(reasonOf(code!.slice(0, 10) + '\u017f')).toBe('format');
  });

  it.each([[null], [undefined], [131052], [{}], [['131052-308T']]])(
    'returns format (does not throw) for non-string input %j',
    (input) => {
      expect(parseHetu(input as unknown as string)).toEqual({ ok: false, reason: 'format' });
      expect(isValidHetu(input as unknown as string)).toBe(false);
    },
  );
});

describe('no personal data in failures', () => {
  it.each([['131052-308U'], ['290200-900B'], [withCheck('131052', '-', '000')], ['131052 308T']])(
    'failure result for %j carries only the reason',
    (input) => {
      const result = parseHetu(input);
      expect(result.ok).toBe(false);
      expect(Object.keys(result).sort()).toEqual(['ok', 'reason']);
      expect(JSON.stringify(result)).not.toContain(input.slice(0, 6));
    },
  );
});

describe('makeHetu', () => {
  it('rebuilds the known example', () => {
    expect(makeHetu({ birthDate: '1952-10-13', individualNumber: 308 })).toBe('131052-308T');
  });

  it.each([
    ['1800-01-01', 2, '010100+002H'],
    ['1899-12-31', 999, `311299+999E`],
    ['1900-01-01', 2, withCheck('010100', '-', '002')],
    ['1999-01-01', 2, '010199-0022'],
    ['2000-02-29', 900, '290200A900B'],
    ['2099-12-31', 999, '311299A999E'],
  ])('default century sign: %s #%i -> %s', (birthDate, individualNumber, expected) => {
    expect(makeHetu({ birthDate, individualNumber })).toBe(expected);
  });

  it.each([['-'], ['Y'], ['X'], ['W'], ['V'], ['U'], ['y'], ['u']])(
    'accepts 1900s sign %j for a 1900s date',
    (centurySign) => {
      const code = makeHetu({ birthDate: '1952-10-13', individualNumber: 308, centurySign });
      expect(code).toBe(`131052${centurySign.toUpperCase()}308T`);
      expect(expectOk(parseHetu(code)).birthDate).toBe('1952-10-13');
    },
  );

  it.each([['A'], ['B'], ['C'], ['D'], ['E'], ['F'], ['f']])(
    'accepts 2000s sign %j for a 2000s date',
    (centurySign) => {
      const code = makeHetu({ birthDate: '2023-06-15', individualNumber: 904, centurySign });
      expect(code).toBe(`150623${centurySign.toUpperCase()}904L`);
    },
  );

  it('accepts + for an 1800s date', () => {
    expect(makeHetu({ birthDate: '1801-01-01', individualNumber: 3, centurySign: '+' })).toBe(
      '010101+003T',
    );
  });

  const throwsWithoutEcho = (input: Parameters<typeof makeHetu>[0], secrets: string[]) => {
    let caught: unknown;
    try {
      makeHetu(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RangeError);
    for (const secret of secrets) {
      expect((caught as Error).message).not.toContain(secret);
    }
  };

  it.each([
    ['1952-10-13', 'A'],
    ['1952-10-13', '+'],
    ['2023-06-15', '-'],
    ['2023-06-15', 'Y'],
    ['1852-10-13', '-'],
  ])('rejects a century sign from the wrong century (%s, %s)', (birthDate, centurySign) => {
    throwsWithoutEcho({ birthDate, individualNumber: 308, centurySign }, [birthDate]);
  });

  it.each([['G'], [''], ['--'], ['AA'], ['ſ']])('rejects unknown century sign %j', (centurySign) => {
    throwsWithoutEcho({ birthDate: '1952-10-13', individualNumber: 308, centurySign }, [
      '1952-10-13',
    ]);
  });

  it.each([
    ['1952-02-30'],
    ['1900-02-29'],
    ['2023-02-29'],
    ['1952-13-01'],
    ['1952-00-10'],
    ['1952-10-00'],
    ['1799-12-31'],
    ['2100-01-01'],
    ['52-10-13'],
    ['1952-1-13'],
    ['13.10.1952'],
    ['1952-10-13T00:00:00Z'],
    [' 1952-10-13'],
    [''],
  ])('rejects birth date %j without echoing it', (birthDate) => {
    throwsWithoutEcho({ birthDate, individualNumber: 308 }, birthDate ? [birthDate] : []);
  });

  it.each([[0], [1], [1000], [-5], [2.5], [Number.NaN], [Number.POSITIVE_INFINITY]])(
    'rejects individual number %d',
    (individualNumber) => {
      throwsWithoutEcho({ birthDate: '1952-10-13', individualNumber }, ['1952-10-13', '131052']);
    },
  );

  it('throws TypeError for a non-object argument', () => {
    expect(() => makeHetu(null as unknown as Parameters<typeof makeHetu>[0])).toThrow(TypeError);
  });
});

describe('makeTemporaryHetu', () => {
  it('seed n gives individual number 900 + (n mod 100), deterministically', () => {
    expect(makeTemporaryHetu('2000-02-29', 0)).toBe('290200A900B');
    expect(makeTemporaryHetu('2000-02-29', 0)).toBe(makeTemporaryHetu('2000-02-29', 100));
    const at = (seed: number) => expectOk(parseHetu(makeTemporaryHetu('1985-05-17', seed)));
    expect(at(0).individualNumber).toBe(900);
    expect(at(42).individualNumber).toBe(942);
    expect(at(99).individualNumber).toBe(999);
    expect(at(142).individualNumber).toBe(942);
    expect(at(-1).individualNumber).toBe(999);
    expect(at(-100).individualNumber).toBe(900);
    expect(at(Number.MAX_SAFE_INTEGER).individualNumber).toBe(991);
  });

  it('seeds 0..99 give 100 distinct valid temporary codes for one date', () => {
    const codes = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      const code = makeTemporaryHetu('1970-01-01', seed);
      const value = expectOk(parseHetu(code));
      expect(value.temporary).toBe(true);
      expect(value.birthDate).toBe('1970-01-01');
      codes.add(code);
    }
    expect(codes.size).toBe(100);
  });

  it('uses the default century sign', () => {
    expect(makeTemporaryHetu('1850-03-01', 1)[6]).toBe('+');
    expect(makeTemporaryHetu('1950-03-01', 1)[6]).toBe('-');
    expect(makeTemporaryHetu('2050-03-01', 1)[6]).toBe('A');
  });

  it('without a seed draws from Math.random over the whole 900–999 range', () => {
    // Manual stub: jest.spyOn needs the `jest` object, which ESM tests only
    // get via @jest/globals (not a direct dependency of this project).
    const originalRandom = Math.random;
    try {
      Math.random = () => 0;
      expect(expectOk(parseHetu(makeTemporaryHetu('2001-01-01'))).individualNumber).toBe(900);
      Math.random = () => 0.999999999;
      expect(expectOk(parseHetu(makeTemporaryHetu('2001-01-01'))).individualNumber).toBe(999);
    } finally {
      Math.random = originalRandom;
    }
    for (let i = 0; i < 50; i++) {
      const value = expectOk(parseHetu(makeTemporaryHetu('2001-01-01')));
      expect(value.temporary).toBe(true);
    }
  });

  it.each([[1.5], [Number.NaN], [Number.POSITIVE_INFINITY], [2 ** 53]])(
    'rejects seed %d',
    (seed) => {
      expect(() => makeTemporaryHetu('2001-01-01', seed)).toThrow(RangeError);
    },
  );

  it('rejects an invalid birth date without echoing it', () => {
    expect(() => makeTemporaryHetu('2023-02-29', 1)).toThrow(RangeError);
    try {
      makeTemporaryHetu('2023-02-29', 1);
    } catch (error) {
      expect((error as Error).message).not.toContain('2023-02-29');
    }
  });
});
