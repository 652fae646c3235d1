import {
  RISK_ANSWERS,
  RiskAnswersError,
  type RiskAnswer,
  type RiskFormDefinition,
  defaultRiskForms,
  parseRiskFormDefinition,
  riskBandFor,
  riskLevelFor,
  scoreAssessment,
  validateAnswers,
} from './index.js';

const marak = defaultRiskForms().latest('marak')!;
const ids = marak.questions.map((question) => question.id);

/** A small form for exhaustive enumeration: 3 questions, threshold 2, bands 0–1 standard, 2 medium, 3 high. */
const mini: RiskFormDefinition = parseRiskFormDefinition({
  code: 'mini',
  version: 1,
  title: { fi: 'Mini', sv: 'Mini', en: 'Mini' },
  threshold: 2,
  bands: [
    { from: 0, to: 1, level: 'standard' },
    { from: 2, to: 2, level: 'medium' },
    { from: 3, to: 3, level: 'high' },
  ],
  categories: [{ id: 'all', title: { fi: 'Kaikki', sv: 'Alla', en: 'All' } }],
  questions: [
    { id: 'a', category: 'all', text: { fi: 'A?', sv: 'A?', en: 'A?' } },
    { id: 'b', category: 'all', text: { fi: 'B?', sv: 'B?', en: 'B?' } },
    { id: 'c', category: 'all', text: { fi: 'C?', sv: 'C?', en: 'C?' } },
  ],
});

/** MARAK answers with the first `yes` questions yes, the next `no` no, the rest as given. */
function answersWith(yes: number, no = 0, rest: RiskAnswer | 'missing' = 'unknown'): Record<string, RiskAnswer> {
  const answers: Record<string, RiskAnswer> = {};
  ids.forEach((id, i) => {
    if (i < yes) answers[id] = 'yes';
    else if (i < yes + no) answers[id] = 'no';
    else if (rest !== 'missing') answers[id] = rest;
  });
  return answers;
}

describe('validateAnswers', () => {
  it('normalises a complete answer map into form order', () => {
    const input = Object.fromEntries([...ids].reverse().map((id, i) => [id, RISK_ANSWERS[i % 3]!]));
    const result = validateAnswers(marak, input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.answers)).toEqual(ids);
    expect(result.answers).toEqual(input);
    expect(result.missing).toEqual([]);
    expect(result.answered).toBe(Object.values(input).filter((a) => a !== 'unknown').length);
    expect(Object.isFrozen(result.answers)).toBe(true);
  });

  it('treats missing answers as unknown and reports which are missing', () => {
    const result = validateAnswers(marak, { 'threats-to-kill': 'yes', 'victim-isolated': 'no', 'cruelty-to-animals': 'unknown' });
    expect(result).toEqual({
      ok: true,
      answers: Object.fromEntries(
        ids.map((id) => [id, id === 'threats-to-kill' ? 'yes' : id === 'victim-isolated' ? 'no' : 'unknown']),
      ),
      answered: 2,
      missing: ids.filter((id) => !['threats-to-kill', 'victim-isolated', 'cruelty-to-animals'].includes(id)),
    });
  });

  it('accepts an empty map: everything unknown, nothing answered', () => {
    const result = validateAnswers(marak, {});
    expect(result).toMatchObject({ ok: true, answered: 0, missing: ids });
  });

  it('accepts a map with a null prototype', () => {
    const answers = Object.assign(Object.create(null) as Record<string, string>, { 'threats-to-kill': 'yes' });
    expect(validateAnswers(marak, answers)).toMatchObject({ ok: true, answered: 1 });
  });

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['an array', ['yes', 'no']],
    ['a string', 'yes'],
    ['a number', 14],
    ['a Map', new Map([['threats-to-kill', 'yes']])],
  ])('rejects %s as the answer map', (_name, value) => {
    expect(validateAnswers(marak, value)).toEqual({ ok: false, errors: [{ field: 'answers', code: 'not-an-object' }] });
  });

  it.each<[string, unknown]>([
    ['Yes', 'Yes'],
    ['YES', 'YES'],
    [' yes', ' yes'],
    ['y', 'y'],
    ['kyllä', 'kyllä'],
    ['true', true],
    ['1', 1],
    ['null', null],
    ['an empty string', ''],
    ['an object', { value: 'yes' }],
  ])('rejects the answer %s', (_name, value) => {
    expect(validateAnswers(marak, { 'threats-to-kill': value })).toEqual({
      ok: false,
      errors: [{ field: 'answers.threats-to-kill', code: 'invalid-answer' }],
    });
  });

  it('reports every bad entry, in input order, without echoing any answer value', () => {
    const result = validateAnswers(marak, {
      'threats-to-kill': 'he said he would kill me',
      'no-such-question': 'yes',
      'victim-isolated': 'no',
      'latest-incident-injury': 'maybe',
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'answers.threats-to-kill', code: 'invalid-answer' },
        { field: 'answers.no-such-question', code: 'unknown-question' },
        { field: 'answers.latest-incident-injury', code: 'invalid-answer' },
      ],
    });
    expect(JSON.stringify(result)).not.toContain('kill me');
  });

  it('does not echo a key that is not shaped like a question id', () => {
    const result = validateAnswers(marak, {
      'Name Of The Victim': 'yes',
      ['x'.repeat(65)]: 'yes',
      ['x'.repeat(64)]: 'yes',
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        { field: 'answers', code: 'unknown-question' },
        { field: 'answers', code: 'unknown-question' },
        { field: `answers.${'x'.repeat(64)}`, code: 'unknown-question' },
      ],
    });
  });

  it('rejects an own "__proto__" key from JSON.parse as an unknown question', () => {
    const result = validateAnswers(marak, JSON.parse('{"__proto__": "yes", "threats-to-kill": "yes"}'));
    expect(result).toEqual({ ok: false, errors: [{ field: 'answers', code: 'unknown-question' }] });
  });

  it('ignores inherited properties', () => {
    const inherited = Object.create({ 'threats-to-kill': 'yes' }) as Record<string, string>;
    // Not a plain object either: rejected as a whole rather than read through its prototype.
    expect(validateAnswers(marak, inherited)).toEqual({ ok: false, errors: [{ field: 'answers', code: 'not-an-object' }] });
  });
});

describe('riskBandFor / riskLevelFor (MARAK v1 bands 0–9 standard, 10–13 medium, 14–24 high)', () => {
  const expected = (score: number) => (score <= 9 ? 'standard' : score <= 13 ? 'medium' : 'high');

  it.each(Array.from({ length: 25 }, (_, score) => [score, expected(score)] as const))('score %i is %s', (score, level) => {
    expect(riskLevelFor(marak, score)).toBe(level);
    const band = riskBandFor(marak, score);
    expect(band.level).toBe(level);
    expect(score).toBeGreaterThanOrEqual(band.from);
    expect(score).toBeLessThanOrEqual(band.to);
  });

  it.each([-1, 25, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 1e20])('rejects score %p', (score) => {
    expect(() => riskLevelFor(marak, score)).toThrow(RangeError);
    expect(() => riskLevelFor(marak, score)).toThrow(/expected an integer 0\.\.24/);
  });

  it('follows the bands of the form it is given', () => {
    expect([0, 1, 2, 3].map((score) => riskLevelFor(mini, score))).toEqual(['standard', 'standard', 'medium', 'high']);
    expect(() => riskLevelFor(mini, 4)).toThrow('Invalid score 4 for mini v1: expected an integer 0..3');
  });
});

describe('scoreAssessment', () => {
  it('counts yes answers, unknowns and answered questions (MARAK table)', () => {
    const table: Array<[Record<string, RiskAnswer>, { score: number; unknown: number; answered: number; missing: number }]> = [
      [answersWith(0, 0, 'missing'), { score: 0, unknown: 24, answered: 0, missing: 24 }],
      [answersWith(0, 24), { score: 0, unknown: 0, answered: 24, missing: 0 }],
      [answersWith(24), { score: 24, unknown: 0, answered: 24, missing: 0 }],
      [answersWith(0, 0, 'unknown'), { score: 0, unknown: 24, answered: 0, missing: 0 }],
      [answersWith(13, 11), { score: 13, unknown: 0, answered: 24, missing: 0 }],
      [answersWith(14, 10), { score: 14, unknown: 0, answered: 24, missing: 0 }],
      [answersWith(13, 0, 'unknown'), { score: 13, unknown: 11, answered: 13, missing: 0 }],
      [answersWith(10, 5, 'missing'), { score: 10, unknown: 9, answered: 15, missing: 9 }],
    ];
    for (const [answers, counts] of table) {
      expect(scoreAssessment(marak, answers)).toMatchObject(counts);
    }
  });

  it('is eligible-by-score at 14, not at 13 (threshold boundary)', () => {
    expect(scoreAssessment(marak, answersWith(13, 11))).toEqual({
      formCode: 'marak',
      formVersion: 1,
      questionCount: 24,
      score: 13,
      unknown: 0,
      answered: 24,
      missing: 0,
      threshold: 14,
      atOrAboveThreshold: false,
      level: 'medium',
      band: { from: 10, to: 13, level: 'medium' },
    });
    expect(scoreAssessment(marak, answersWith(14, 10))).toMatchObject({
      score: 14,
      atOrAboveThreshold: true,
      level: 'high',
      band: { from: 14, to: 24, level: 'high' },
    });
  });

  it('never counts unknown as yes: 13 yes and 11 unknown is below the threshold', () => {
    const result = scoreAssessment(marak, answersWith(13, 0, 'unknown'));
    expect(result.score).toBe(13);
    expect(result.unknown).toBe(11);
    expect(result.atOrAboveThreshold).toBe(false);
  });

  it('throws RiskAnswersError with the field errors on invalid answers', () => {
    let error: unknown;
    try {
      scoreAssessment(marak, { 'threats-to-kill': 'kyllä', bogus: 'yes' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RiskAnswersError);
    expect((error as RiskAnswersError).errors).toEqual([
      { field: 'answers.threats-to-kill', code: 'invalid-answer' },
      { field: 'answers.bogus', code: 'unknown-question' },
    ]);
    expect((error as Error).message).toBe(
      'Invalid risk form answers: answers.threats-to-kill invalid-answer, answers.bogus unknown-question',
    );
    expect((error as Error).message).not.toContain('kyllä');
  });

  describe('exhaustively on a 3-question form (all 4^3 = 64 answer maps, missing included)', () => {
    const choices = [...RISK_ANSWERS, undefined] as const;
    const all: Array<Partial<Record<'a' | 'b' | 'c', RiskAnswer>>> = [];
    for (const a of choices) {
      for (const b of choices) {
        for (const c of choices) {
          const answers: Partial<Record<'a' | 'b' | 'c', RiskAnswer>> = {};
          if (a) answers.a = a;
          if (b) answers.b = b;
          if (c) answers.c = c;
          all.push(answers);
        }
      }
    }

    it.each(all.map((answers) => [JSON.stringify(answers), answers] as const))('%s', (_name, answers) => {
      const values = [answers.a, answers.b, answers.c];
      const yes = values.filter((v) => v === 'yes').length;
      const no = values.filter((v) => v === 'no').length;
      const missing = values.filter((v) => v === undefined).length;
      const result = scoreAssessment(mini, answers);
      expect(result).toEqual({
        formCode: 'mini',
        formVersion: 1,
        questionCount: 3,
        score: yes,
        unknown: 3 - yes - no,
        answered: yes + no,
        missing,
        threshold: 2,
        atOrAboveThreshold: yes >= 2,
        level: ['standard', 'standard', 'medium', 'high'][yes],
        band: mini.bands.find((band) => yes >= band.from && yes <= band.to),
      });
    });
  });
});
