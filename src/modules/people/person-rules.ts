/**
 * Rules about a person's identifying data that need no I/O: identity code and birth date
 * checks, and the coarse statistics codes kept in clear. Errors are Problems that never
 * contain the value at fault (it is personal data).
 */
import { normaliseIdentityCode, normaliseText } from '../../../libs/field-crypto/index.js';
import { parseHetu, type HetuErrorReason } from '../../../libs/hetu/index.js';
import { Problem } from '../../common/problems/problem.js';
import type { AgeBand, Gender, StatGender } from './person.types.js';

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

const HETU_REASON_TEXT: Record<HetuErrorReason, string> = {
  format: 'is not of the form DDMMYYCZZZQ',
  date: 'does not contain a real birth date',
  'individual-number': 'has an individual number that is never issued',
  checksum: 'has a check character that does not match',
};

/** Joins a field path: `at('victim', 'identityCode')` → `victim.identityCode`. */
export function at(prefix: string | undefined, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

/** 400 `invalid-identity-code`; the detail says what is wrong, never what was given. */
export function invalidIdentityCode(reason: HetuErrorReason, field: string): Problem {
  const message = `the identity code ${HETU_REASON_TEXT[reason]}`;
  return new Problem(400, 'invalid-identity-code', 'Invalid identity code', `The Finnish personal identity code (henkilötunnus) ${HETU_REASON_TEXT[reason]}.`, {
    errors: [{ field, message }],
  });
}

export function invalidBirthDate(field: string, message: string): Problem {
  return new Problem(400, 'invalid-birth-date', 'Invalid birth date', `The birth date ${message}.`, { errors: [{ field, message: `the birth date ${message}` }] });
}

/** 400 `birth-date-mismatch`: the request contradicts itself, so it is invalid input (not a domain refusal). */
export function birthDateMismatch(field: string): Problem {
  return new Problem(400, 'birth-date-mismatch', 'Birth date and identity code disagree', 'The birth date differs from the birth date in the identity code.', {
    errors: [{ field, message: 'the birth date differs from the birth date in the identity code' }],
  });
}

/** Whether `value` is a real calendar date written `YYYY-MM-DD` (years 1800–9999). */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1800 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

export interface ResolvedIdentity {
  /** Normalised (no whitespace, upper case) and checksum-valid. */
  identityCode?: string;
  /** Given, or taken from the identity code when not given. */
  birthDate?: string;
}

/**
 * Checks an identity code (with `libs/hetu`) and a birth date together:
 * - the code is normalised first (spaces and lower case are accepted), then must parse: else
 *   400 `invalid-identity-code`;
 * - the birth date must be a real `YYYY-MM-DD` date not after `today` (Helsinki): else 400
 *   `invalid-birth-date`;
 * - both given: they must agree, else 400 `birth-date-mismatch`;
 * - only the code given: its birth date is the person's birth date.
 */
export function resolveIdentity(input: { identityCode?: string | null; birthDate?: string | null }, today: string, prefix?: string): ResolvedIdentity {
  let identityCode: string | undefined;
  let codeBirthDate: string | undefined;
  if (input.identityCode !== undefined && input.identityCode !== null) {
    const field = at(prefix, 'identityCode');
    if (typeof input.identityCode !== 'string') throw invalidIdentityCode('format', field);
    const parsed = parseHetu(normaliseIdentityCode(input.identityCode));
    if (!parsed.ok) throw invalidIdentityCode(parsed.reason, field);
    identityCode = parsed.value.code;
    codeBirthDate = parsed.value.birthDate;
  }
  let birthDate: string | undefined;
  if (input.birthDate !== undefined && input.birthDate !== null) {
    const field = at(prefix, 'birthDate');
    if (typeof input.birthDate !== 'string' || !isIsoDate(input.birthDate)) throw invalidBirthDate(field, 'must be a real date written YYYY-MM-DD');
    if (input.birthDate > today) throw invalidBirthDate(field, 'is in the future');
    if (codeBirthDate !== undefined && codeBirthDate !== input.birthDate) throw birthDateMismatch(field);
    birthDate = input.birthDate;
  }
  // A code whose birth date is still to come is wrong, whatever its checksum says.
  if (codeBirthDate !== undefined && codeBirthDate > today) throw invalidIdentityCode('date', at(prefix, 'identityCode'));
  return { identityCode, birthDate: birthDate ?? codeBirthDate };
}

/** Age in whole years on `today` (both `YYYY-MM-DD`). */
export function ageOn(birthDate: string, today: string): number {
  const years = Number(today.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return today.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

/** The statistics age band; `unknown` without a birth date. Coarse on purpose: never the date itself. */
export function ageBand(birthDate: string | undefined, today: string): AgeBand {
  if (birthDate === undefined) return 'unknown';
  const age = ageOn(birthDate, today);
  if (age < 16) return '0-15';
  if (age < 18) return '16-17';
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 45) return '35-44';
  if (age < 55) return '45-54';
  if (age < 65) return '55-64';
  return '65+';
}

/** The statistics gender: `other` and `unknown` share one cell, so a rare answer is not a marker in clear. */
export function statGender(gender: Gender | undefined): StatGender {
  return gender === 'female' || gender === 'male' ? gender : 'other_or_unknown';
}

/** Whether a first and last name leave anything to index once normalised. */
export function hasIndexableName(firstName: string | undefined, lastName: string | undefined): boolean {
  return normaliseText(firstName ?? '') !== '' || normaliseText(lastName ?? '') !== '';
}
