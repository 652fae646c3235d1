import { makeTemporaryHetu } from '../../libs/hetu/index.js';
import { defaultRiskForms } from '../../libs/risk-forms/index.js';

const FORM = defaultRiskForms().latest('marak')!;

/** Answers with `yes` for the first `yes` questions and `no` for the rest. */
export function answers(yes: number): Record<string, string> {
  return Object.fromEntries(FORM.questions.map((q, i) => [q.id, i < yes ? 'yes' : 'no']));
}

let seed = 0;

/** An invented victim with a temporary identity code (individual number 900–999). */
export function aVictim(overrides: Record<string, unknown> = {}) {
  const birthDate = `19${70 + (seed % 25)}-0${1 + (seed % 9)}-1${seed % 9}`;
  const identityCode = makeTemporaryHetu(birthDate, seed++ % 100);
  return { firstName: 'Testi', lastName: `Uhri${seed}`, birthDate, identityCode, gender: 'female', phone: '+358 40 000 0000', ...overrides };
}

/** A valid referral body (eligible on score unless told otherwise). */
export function aReferralBody(groupId: string, overrides: Record<string, unknown> = {}) {
  return {
    groupId,
    victim: aVictim(),
    perpetrators: [{ firstName: 'Keksitty', lastName: 'Tekijä', gender: 'male' }],
    children: [],
    relationship: 'partner',
    riskAssessment: { formCode: 'marak', answers: answers(15) },
    grounds: {},
    consent: { status: 'given', givenAt: '2026-11-20', method: 'written' },
    summary: 'Keksitty tapaus testiä varten: uhkailua ja kuristamista.',
    ...overrides,
  };
}
