import fc from 'fast-check';
import { makeTemporaryHetu } from '../../../libs/hetu/index.js';
import { Problem } from '../../common/problems/problem.js';
import { ageBand, ageOn, isIsoDate, resolveIdentity, statGender } from './person-rules.js';

const TODAY = '2026-01-15';

function refusal(f: () => unknown): Problem {
  try {
    f();
  } catch (e) {
    if (e instanceof Problem) return e;
    throw e;
  }
  throw new Error('expected a Problem');
}

describe('person rules', () => {
  const code = makeTemporaryHetu('1985-03-14', 42); // 140385-942S

  it('accepts an identity code with spaces and lower case and normalises it', () => {
    expect(resolveIdentity({ identityCode: ` ${code.slice(0, 6)} ${code.slice(6).toLowerCase()} ` }, TODAY)).toEqual({ identityCode: code, birthDate: '1985-03-14' });
  });

  it('takes the birth date from the code when none is given, and keeps an agreeing one', () => {
    expect(resolveIdentity({ identityCode: code }, TODAY).birthDate).toBe('1985-03-14');
    expect(resolveIdentity({ identityCode: code, birthDate: '1985-03-14' }, TODAY).birthDate).toBe('1985-03-14');
  });

  it('refuses a bad check character with 400 invalid-identity-code naming the field but not the code', () => {
    const bad = code.slice(0, 10) + (code.endsWith('S') ? 'T' : 'S');
    const p = refusal(() => resolveIdentity({ identityCode: bad }, TODAY, 'victim'));
    expect(p.status).toBe(400);
    expect(p.slug).toBe('invalid-identity-code');
    expect(p.extensions.errors).toEqual([{ field: 'victim.identityCode', message: expect.stringContaining('check character') }]);
    const text = JSON.stringify(p.toBody()) + p.message;
    expect(text).not.toContain(bad);
    expect(text).not.toContain(bad.slice(0, 6));
  });

  it('refuses a birth date that differs from the code with 400 birth-date-mismatch', () => {
    const p = refusal(() => resolveIdentity({ identityCode: code, birthDate: '1985-03-15' }, TODAY, 'children.1'));
    expect([p.status, p.slug]).toEqual([400, 'birth-date-mismatch']);
    expect(p.extensions.errors).toEqual([{ field: 'children.1.birthDate', message: expect.any(String) }]);
    expect(JSON.stringify(p.toBody())).not.toContain('1985');
  });

  it('refuses a birth date in the future (today is allowed) and an impossible one', () => {
    expect(resolveIdentity({ birthDate: TODAY }, TODAY).birthDate).toBe(TODAY);
    expect(refusal(() => resolveIdentity({ birthDate: '2026-01-16' }, TODAY)).slug).toBe('invalid-birth-date');
    expect(refusal(() => resolveIdentity({ birthDate: '2025-02-29' }, TODAY)).slug).toBe('invalid-birth-date');
    expect(refusal(() => resolveIdentity({ identityCode: makeTemporaryHetu('2030-01-01', 1) }, TODAY)).slug).toBe('invalid-identity-code');
  });

  it('knows real dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-13-01')).toBe(false);
    expect(isIsoDate('2024-1-01')).toBe(false);
  });

  it('counts age in whole years and bands it coarsely', () => {
    expect(ageOn('2010-01-15', TODAY)).toBe(16);
    expect(ageOn('2010-01-16', TODAY)).toBe(15);
    expect(ageBand('2010-01-16', TODAY)).toBe('0-15');
    expect(ageBand('2010-01-15', TODAY)).toBe('16-17');
    expect(ageBand('2008-01-15', TODAY)).toBe('18-24');
    expect(ageBand('1961-01-15', TODAY)).toBe('65+');
    expect(ageBand(undefined, TODAY)).toBe('unknown');
  });

  it('gives every age an ordered band', () => {
    const order = ['0-15', '16-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+'];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40_000 }), fc.integer({ min: 0, max: 400 }), (daysBack, gap) => {
        const day = (n: number) => new Date(Date.UTC(2026, 0, 15) - n * 86_400_000).toISOString().slice(0, 10);
        const older = day(daysBack + gap);
        const younger = day(daysBack);
        return order.indexOf(ageBand(older, TODAY)) >= order.indexOf(ageBand(younger, TODAY));
      }),
    );
  });

  it('keeps only female, male and one shared cell for the rest', () => {
    expect([statGender('female'), statGender('male'), statGender('other'), statGender('unknown'), statGender(undefined)]).toEqual([
      'female',
      'male',
      'other_or_unknown',
      'other_or_unknown',
      'other_or_unknown',
    ]);
  });
});
