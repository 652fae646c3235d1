import {
  DEFAULT_ESCALATION_THRESHOLD,
  ELIGIBILITY_GROUNDS,
  type EligibilityInput,
  PROFESSIONAL_JUDGEMENT_MIN_LENGTH,
  PROFESSIONAL_JUDGEMENT_MIN_WORDS,
  eligibility,
  normaliseProfessionalJudgement,
} from './index.js';

const REASONED = 'Uhannut tappaa puukolla, uhri pelkää henkensä puolesta.';

describe('eligibility: each ground on its own', () => {
  const none: EligibilityInput = { assessment: { score: 0, threshold: 14 } };

  it('refuses when no ground holds, and says why for each', () => {
    expect(eligibility(none)).toEqual({
      eligible: false,
      grounds: [],
      checked: [
        { ground: 'score', held: false, reason: 'below-threshold' },
        { ground: 'professional_judgement', held: false, reason: 'absent' },
        { ground: 'escalation', held: false, reason: 'not-given' },
        { ground: 'repeat', held: false, reason: 'no-earlier-referral' },
      ],
    });
  });

  it('score: eligible at the threshold (14), not one below (13)', () => {
    expect(eligibility({ assessment: { score: 13, threshold: 14 } })).toMatchObject({ eligible: false, grounds: [] });
    expect(eligibility({ assessment: { score: 14, threshold: 14 } })).toMatchObject({
      eligible: true,
      grounds: ['score'],
      checked: [{ ground: 'score', held: true, reason: 'at-or-above-threshold' }, {}, {}, {}],
    });
    expect(eligibility({ assessment: { score: 24, threshold: 14 } }).grounds).toEqual(['score']);
  });

  it('score: uses the threshold of the form version it is given', () => {
    expect(eligibility({ assessment: { score: 14, threshold: 15 } }).eligible).toBe(false);
    expect(eligibility({ assessment: { score: 1, threshold: 1 } }).eligible).toBe(true);
  });

  it('professional judgement alone makes a low score eligible', () => {
    expect(eligibility({ ...none, professionalJudgement: REASONED })).toMatchObject({
      eligible: true,
      grounds: ['professional_judgement'],
      checked: [{}, { ground: 'professional_judgement', held: true, reason: 'reasoned' }, {}, {}],
    });
  });

  it('escalation alone: 3 incidents in 12 months by default, not 2', () => {
    expect(DEFAULT_ESCALATION_THRESHOLD).toBe(3);
    expect(eligibility({ ...none, incidents12Months: 2 })).toMatchObject({
      eligible: false,
      checked: [{}, {}, { ground: 'escalation', held: false, reason: 'below-threshold' }, {}],
    });
    expect(eligibility({ ...none, incidents12Months: 3 })).toMatchObject({
      eligible: true,
      grounds: ['escalation'],
      checked: [{}, {}, { ground: 'escalation', held: true, reason: 'at-or-above-threshold' }, {}],
    });
  });

  it("escalation follows the group's threshold (some areas use 5)", () => {
    expect(eligibility({ ...none, incidents12Months: 4, escalationThreshold: 5 }).eligible).toBe(false);
    expect(eligibility({ ...none, incidents12Months: 5, escalationThreshold: 5 }).grounds).toEqual(['escalation']);
    expect(eligibility({ ...none, incidents12Months: 1, escalationThreshold: 1 }).grounds).toEqual(['escalation']);
    expect(eligibility({ ...none, incidents12Months: 0, escalationThreshold: 1 }).eligible).toBe(false);
  });

  it('repeat alone: within the window is heard even below the threshold; after it is not a repeat', () => {
    expect(eligibility({ ...none, repeat: { withinWindow: true } })).toMatchObject({
      eligible: true,
      grounds: ['repeat'],
      checked: [{}, {}, {}, { ground: 'repeat', held: true, reason: 'within-window' }],
    });
    expect(eligibility({ ...none, repeat: { withinWindow: false } })).toMatchObject({
      eligible: false,
      checked: [{}, {}, {}, { ground: 'repeat', held: false, reason: 'outside-window' }],
    });
  });

  it('reports every ground that holds, in the fixed order', () => {
    expect(
      eligibility({
        assessment: { score: 20, threshold: 14 },
        professionalJudgement: REASONED,
        incidents12Months: 7,
        repeat: { withinWindow: true },
      }).grounds,
    ).toEqual(['score', 'professional_judgement', 'escalation', 'repeat']);
    expect(ELIGIBILITY_GROUNDS).toEqual(['score', 'professional_judgement', 'escalation', 'repeat']);
  });

  it('judgement may raise a case above the score, never lower one', () => {
    for (const professionalJudgement of [undefined, '', 'low risk', 'Arvioin riskin matalaksi, ei tarvetta MARAKiin.']) {
      expect(eligibility({ assessment: { score: 14, threshold: 14 }, professionalJudgement }).eligible).toBe(true);
    }
  });
});

describe('eligibility: professional judgement needs reasoning', () => {
  it(`needs at least ${PROFESSIONAL_JUDGEMENT_MIN_LENGTH} characters and ${PROFESSIONAL_JUDGEMENT_MIN_WORDS} words`, () => {
    expect(PROFESSIONAL_JUDGEMENT_MIN_LENGTH).toBe(20);
    expect(PROFESSIONAL_JUDGEMENT_MIN_WORDS).toBe(2);
  });

  it.each<[string, string | null | undefined, string]>([
    ['undefined', undefined, 'absent'],
    ['null', null, 'absent'],
    ['empty', '', 'absent'],
    ['only whitespace', ' \n\t  ', 'absent'],
    ['a placeholder', 'x', 'too-short'],
    ['"high risk"', 'high risk', 'too-short'],
    ['19 characters', 'uhannut tappaa kyll', 'too-short'],
    ['19 characters padded with whitespace', `   ${'uhannut tappaa kyll'}    \n`, 'too-short'],
    ['19 characters whose spaces are runs', 'uhannut      tappaa   kyll', 'too-short'],
    ['19 characters in decomposed (NFD) form', 'pelkää henkensä puo'.normalize('NFD'), 'too-short'],
    ['20 characters', 'uhannut tappaa kyllä', 'reasoned'],
    ['20 characters in decomposed (NFD) form', 'pelkää henkensä puol'.normalize('NFD'), 'reasoned'],
    ['a date and time', '12.12.2025 klo 14.30', 'no-words'],
    ['punctuation only', '!!!!!!!!!!!!!!!!!!!!!!!!', 'no-words'],
    ['one long word', 'Hengenvaarallinentilanne', 'no-words'],
    ['two words', 'Hengenvaarallinen tilanne', 'reasoned'],
    ['a Swedish sentence', 'Hotat att döda henne med kniv.', 'reasoned'],
    ['an English sentence', 'Threatened to kill her with a knife.', 'reasoned'],
  ])('%s → %s', (_name, professionalJudgement, reason) => {
    const check = eligibility({ assessment: { score: 0, threshold: 14 }, professionalJudgement }).checked[1];
    expect(check).toEqual({ ground: 'professional_judgement', held: reason === 'reasoned', reason });
  });

  it('normalises whitespace and composition', () => {
    expect(normaliseProfessionalJudgement('  a \n\t b  ')).toBe('a b');
    expect(normaliseProfessionalJudgement('pelkää'.normalize('NFD'))).toBe('pelkää'.normalize('NFC'));
  });
});

describe('eligibility: exhaustive table over every combination of ground states', () => {
  const scores = [
    { score: 0, held: false },
    { score: 13, held: false },
    { score: 14, held: true },
    { score: 24, held: true },
  ];
  const judgements = [
    { value: undefined, held: false },
    { value: null, held: false },
    { value: '   ', held: false },
    { value: 'lyhyt', held: false },
    { value: '!!!!!!!!!!!!!!!!!!!!!!', held: false },
    { value: REASONED, held: true },
  ];
  const incidents = [
    { value: undefined, held: false },
    { value: null, held: false },
    { value: 0, held: false },
    { value: 2, held: false },
    { value: 3, held: true },
    { value: 12, held: true },
  ];
  const repeats = [
    { value: undefined, held: false },
    { value: null, held: false },
    { value: { withinWindow: false }, held: false },
    { value: { withinWindow: true }, held: true },
  ];

  const rows = scores.flatMap((s) =>
    judgements.flatMap((j) => incidents.flatMap((i) => repeats.map((r) => ({ s, j, i, r })))),
  );

  it(`covers ${4 * 6 * 6 * 4} combinations`, () => {
    expect(rows).toHaveLength(576);
    for (const { s, j, i, r } of rows) {
      const result = eligibility({
        assessment: { score: s.score, threshold: 14 },
        professionalJudgement: j.value,
        incidents12Months: i.value,
        repeat: r.value,
      });
      const expected = ELIGIBILITY_GROUNDS.filter((_, index) => [s.held, j.held, i.held, r.held][index]);
      expect(result.grounds).toEqual(expected);
      expect(result.eligible).toBe(expected.length > 0);
      expect(result.checked.map((check) => check.held)).toEqual([s.held, j.held, i.held, r.held]);
      expect(result.checked.map((check) => check.ground)).toEqual(ELIGIBILITY_GROUNDS);
    }
  });
});

describe('eligibility: invalid input', () => {
  const base: EligibilityInput = { assessment: { score: 0, threshold: 14 } };

  it.each<[string, EligibilityInput, string]>([
    ['a negative score', { assessment: { score: -1, threshold: 14 } }, 'Invalid score -1: expected an integer of at least 0'],
    ['a fractional score', { assessment: { score: 13.5, threshold: 14 } }, 'Invalid score 13.5'],
    ['a NaN score', { assessment: { score: Number.NaN, threshold: 14 } }, 'Invalid score NaN'],
    ['threshold 0', { assessment: { score: 0, threshold: 0 } }, 'Invalid threshold 0: expected an integer of at least 1'],
    ['a negative incident count', { ...base, incidents12Months: -1 }, 'Invalid incident count -1: expected an integer of at least 0'],
    ['a fractional incident count', { ...base, incidents12Months: 2.5 }, 'Invalid incident count 2.5'],
    ['an infinite incident count', { ...base, incidents12Months: Number.POSITIVE_INFINITY }, 'Invalid incident count Infinity'],
    ['escalation threshold 0', { ...base, escalationThreshold: 0 }, 'Invalid escalation threshold 0: expected an integer of at least 1'],
  ])('throws a RangeError on %s', (_name, input, message) => {
    expect(() => eligibility(input)).toThrow(RangeError);
    expect(() => eligibility(input)).toThrow(message);
  });

  it('throws a TypeError on a judgement that is not a string or a repeat without a boolean', () => {
    expect(() => eligibility({ ...base, professionalJudgement: 42 as unknown as string })).toThrow(TypeError);
    expect(() => eligibility({ ...base, repeat: {} as { withinWindow: boolean } })).toThrow(
      'Invalid repeat: withinWindow must be a boolean',
    );
  });

  it('never puts the judgement text into an error', () => {
    expect(() => eligibility({ ...base, professionalJudgement: 'Victim Name', incidents12Months: -1 })).toThrow(
      /^Invalid incident count -1/,
    );
  });
});
