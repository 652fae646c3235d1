/**
 * Finnish personal identity code (henkilötunnus, HETU).
 *
 * Format: `DDMMYYCZZZQ`
 * - `DDMMYY` birth date (day, month, two-digit year)
 * - `C` century sign: `+` 1800s; `-` `Y` `X` `W` `V` `U` 1900s;
 *   `A` `B` `C` `D` `E` `F` 2000s (the extra signs exist since 2023)
 * - `ZZZ` individual number: 002–899 ordinary, 900–999 temporary
 * - `Q` check character: the nine-digit number `DDMMYYZZZ` mod 31, indexed
 *   into {@link HETU_CHECK_CHARS}.
 *
 * Pure: no I/O, no logging. A HETU is personal data, so nothing in this module
 * ever puts an input value into an error message; failures are reported as
 * fixed reason codes (parse) or fixed messages (builders).
 */

/** Check-character alphabet; the index is `DDMMYYZZZ mod 31`. */
export const HETU_CHECK_CHARS = '0123456789ABCDEFHJKLMNPRSTUVWXY';

/** All century signs, uppercase. */
export const HETU_CENTURY_SIGNS = [
  '+',
  '-',
  'Y',
  'X',
  'W',
  'V',
  'U',
  'A',
  'B',
  'C',
  'D',
  'E',
  'F',
] as const;

export type HetuCenturySign = (typeof HETU_CENTURY_SIGNS)[number];

/** Century (first year) each sign denotes. */
const CENTURY_BY_SIGN: Readonly<Record<HetuCenturySign, number>> = {
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

/** Sign used by {@link makeHetu} when none is requested. */
const DEFAULT_SIGN_BY_CENTURY: Readonly<Record<number, HetuCenturySign>> = {
  1800: '+',
  1900: '-',
  2000: 'A',
};

export const HETU_MIN_YEAR = 1800;
export const HETU_MAX_YEAR = 2099;

/** Lowest individual number in use (000 and 001 are never issued). */
export const HETU_MIN_INDIVIDUAL_NUMBER = 2;
/** Individual numbers 900–999 are temporary codes. */
export const HETU_MIN_TEMPORARY_INDIVIDUAL_NUMBER = 900;
export const HETU_MAX_INDIVIDUAL_NUMBER = 999;

export type HetuSex = 'female' | 'male';

export type HetuErrorReason = 'format' | 'date' | 'individual-number' | 'checksum';

export interface ParsedHetu {
  /** Normalised code: trimmed, uppercase. */
  readonly code: string;
  /** ISO calendar date `YYYY-MM-DD`. */
  readonly birthDate: string;
  /** Even individual number = female, odd = male. */
  readonly sex: HetuSex;
  readonly individualNumber: number;
  /** True for individual numbers 900–999. */
  readonly temporary: boolean;
  readonly centurySign: HetuCenturySign;
}

export type HetuResult =
  | { readonly ok: true; readonly value: ParsedHetu }
  | { readonly ok: false; readonly reason: HetuErrorReason };

/**
 * Strict shape after normalisation. `[0-9]` rather than `\d` to make the ASCII
 * restriction explicit.
 */
const HETU_PATTERN =
  /^([0-9]{2})([0-9]{2})([0-9]{2})([-+A-FU-Y])([0-9]{3})([0-9A-FHJ-NPR-Y])$/;

/** Printable ASCII only; checked before `toUpperCase()` (see parseHetu). */
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

function isCenturySign(value: string): value is HetuCenturySign {
  return Object.prototype.hasOwnProperty.call(CENTURY_BY_SIGN, value);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  switch (month) {
    case 2:
      return isLeapYear(year) ? 29 : 28;
    case 4:
    case 6:
    case 9:
    case 11:
      return 30;
    default:
      return 31;
  }
}

function isValidCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function checkCharFor(ddmmyy: string, individual: string): string {
  // At most 999_999_999 < 2^53, so Number arithmetic is exact.
  return HETU_CHECK_CHARS.charAt(Number(ddmmyy + individual) % 31);
}

const failure = (reason: HetuErrorReason): HetuResult => ({ ok: false, reason });

/**
 * Parse and validate a HETU.
 *
 * Surrounding whitespace is trimmed and lowercase letters are accepted
 * (normalised to uppercase). Anything else that does not match
 * `DDMMYYCZZZQ` exactly is `'format'`.
 *
 * When several things are wrong, the first failing check wins, in this order:
 * `format` → `date` → `individual-number` → `checksum`.
 *
 * Never throws; a non-string argument (from untyped callers) is `'format'`.
 */
export function parseHetu(input: string): HetuResult {
  if (typeof input !== 'string') {
    return failure('format');
  }
  const trimmed = input.trim();
  // Reject non-ASCII before upper-casing: toUpperCase maps some non-ASCII
  // characters onto ASCII letters (e.g. U+017F 'ſ' -> 'S', U+0131 'ı' -> 'I'),
  // which would otherwise let look-alike characters through.
  if (trimmed.length !== 11 || !PRINTABLE_ASCII.test(trimmed)) {
    return failure('format');
  }
  const code = trimmed.toUpperCase();
  const match = HETU_PATTERN.exec(code);
  if (match === null) {
    return failure('format');
  }
  const [, dd, mm, yy, sign, zzz, check] = match as unknown as [
    string,
    string,
    string,
    string,
    HetuCenturySign,
    string,
    string,
  ];

  const day = Number(dd);
  const month = Number(mm);
  const year = CENTURY_BY_SIGN[sign] + Number(yy);
  if (!isValidCalendarDate(year, month, day)) {
    return failure('date');
  }

  const individualNumber = Number(zzz);
  if (individualNumber < HETU_MIN_INDIVIDUAL_NUMBER) {
    return failure('individual-number');
  }

  if (checkCharFor(dd + mm + yy, zzz) !== check) {
    return failure('checksum');
  }

  return {
    ok: true,
    value: {
      code,
      birthDate: `${pad(year, 4)}-${mm}-${dd}`,
      sex: individualNumber % 2 === 0 ? 'female' : 'male',
      individualNumber,
      temporary: individualNumber >= HETU_MIN_TEMPORARY_INDIVIDUAL_NUMBER,
      centurySign: sign,
    },
  };
}

/** `true` iff {@link parseHetu} succeeds. */
export function isValidHetu(input: string): boolean {
  return parseHetu(input).ok;
}

/**
 * Check character for a birth-date part `DDMMYY` and a three-digit individual
 * number `ZZZ` (both as digit strings). Only the digits are checked, not
 * whether they form a real date / an allowed individual number.
 *
 * @throws RangeError if the arguments are not 6 and 3 ASCII digits.
 */
export function hetuChecksumChar(ddmmyy: string, individual: string): string {
  if (typeof ddmmyy !== 'string' || !/^[0-9]{6}$/.test(ddmmyy)) {
    throw new RangeError('hetuChecksumChar: ddmmyy must be exactly 6 digits');
  }
  if (typeof individual !== 'string' || !/^[0-9]{3}$/.test(individual)) {
    throw new RangeError('hetuChecksumChar: individual must be exactly 3 digits');
  }
  return checkCharFor(ddmmyy, individual);
}

export interface MakeHetuInput {
  /** ISO calendar date `YYYY-MM-DD`, year 1800–2099. */
  readonly birthDate: string;
  /** Integer 2–999 (900–999 = temporary). */
  readonly individualNumber: number;
  /**
   * Century sign; must belong to the birth year's century. Lowercase is
   * accepted. Default: `+` (1800s), `-` (1900s), `A` (2000s).
   */
  readonly centurySign?: string;
}

interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function parseIsoBirthDate(birthDate: string, caller: string): CalendarDate {
  const match =
    typeof birthDate === 'string' ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(birthDate) : null;
  if (match === null) {
    throw new RangeError(`${caller}: birthDate must be an ISO date YYYY-MM-DD`);
  }
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < HETU_MIN_YEAR || year > HETU_MAX_YEAR) {
    throw new RangeError(
      `${caller}: birthDate year must be between ${HETU_MIN_YEAR} and ${HETU_MAX_YEAR}`,
    );
  }
  if (!isValidCalendarDate(year, month, day)) {
    throw new RangeError(`${caller}: birthDate is not a valid calendar date`);
  }
  return { year, month, day };
}

function buildHetu(
  date: CalendarDate,
  individualNumber: number,
  centurySign: string | undefined,
  caller: string,
): string {
  if (
    !Number.isInteger(individualNumber) ||
    individualNumber < HETU_MIN_INDIVIDUAL_NUMBER ||
    individualNumber > HETU_MAX_INDIVIDUAL_NUMBER
  ) {
    throw new RangeError(
      `${caller}: individualNumber must be an integer between ${HETU_MIN_INDIVIDUAL_NUMBER} and ${HETU_MAX_INDIVIDUAL_NUMBER}`,
    );
  }
  const century = date.year - (date.year % 100);
  let sign: HetuCenturySign;
  if (centurySign === undefined) {
    sign = DEFAULT_SIGN_BY_CENTURY[century]!;
  } else {
    const upper = typeof centurySign === 'string' ? centurySign.toUpperCase() : '';
    if (!isCenturySign(upper)) {
      throw new RangeError(`${caller}: centurySign is not a valid century sign`);
    }
    if (CENTURY_BY_SIGN[upper] !== century) {
      throw new RangeError(`${caller}: centurySign does not match the birth year's century`);
    }
    sign = upper;
  }
  const ddmmyy = pad(date.day, 2) + pad(date.month, 2) + pad(date.year % 100, 2);
  const zzz = pad(individualNumber, 3);
  return ddmmyy + sign + zzz + checkCharFor(ddmmyy, zzz);
}

/**
 * Build a valid HETU.
 *
 * @throws RangeError (with a fixed message that never contains the inputs) if
 *   the birth date is malformed / impossible / outside 1800–2099, the
 *   individual number is not an integer 2–999, or the century sign is unknown
 *   or belongs to a different century.
 */
export function makeHetu(input: MakeHetuInput): string {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError('makeHetu: input must be an object');
  }
  const date = parseIsoBirthDate(input.birthDate, 'makeHetu');
  return buildHetu(date, input.individualNumber, input.centurySign, 'makeHetu');
}

/**
 * Build a valid *temporary* HETU (individual number 900–999) for tests and
 * seed data, with the default century sign.
 *
 * With a `seed` (any safe integer, negative allowed) the result is
 * deterministic: individual number `900 + (seed mod 100)`, so seeds 0–99 give
 * the 100 distinct temporary codes for a date. Without a seed the number is
 * drawn with `Math.random()` (not cryptographically random, not unique).
 *
 * @throws RangeError on an invalid birth date (as {@link makeHetu}) or a seed
 *   that is not a safe integer.
 */
export function makeTemporaryHetu(birthDate: string, seed?: number): string {
  const date = parseIsoBirthDate(birthDate, 'makeTemporaryHetu');
  let offset: number;
  if (seed === undefined) {
    offset = Math.floor(Math.random() * 100);
  } else {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError('makeTemporaryHetu: seed must be a safe integer');
    }
    offset = ((seed % 100) + 100) % 100;
  }
  return buildHetu(
    date,
    HETU_MIN_TEMPORARY_INDIVIDUAL_NUMBER + offset,
    undefined,
    'makeTemporaryHetu',
  );
}
