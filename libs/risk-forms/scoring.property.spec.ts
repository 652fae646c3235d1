import fc from 'fast-check';
import { RISK_ANSWERS, type RiskAnswer, defaultRiskForms, riskLevelFor, RISK_LEVELS, scoreAssessment, validateAnswers } from './index.js';

const marak = defaultRiskForms().latest('marak')!;
const ids = marak.questions.map((question) => question.id);

/** Any MARAK answer map: each question yes, no, unknown or left out. */
const answersArb = fc
  .array(fc.constantFrom<RiskAnswer | undefined>(...RISK_ANSWERS, undefined), { minLength: 24, maxLength: 24 })
  .map((values) => {
    const answers: Record<string, RiskAnswer> = {};
    values.forEach((value, i) => {
      if (value !== undefined) answers[ids[i]!] = value;
    });
    return answers;
  });

const count = (answers: Record<string, RiskAnswer>, value: RiskAnswer) =>
  Object.values(answers).filter((answer) => answer === value).length;

describe('scoring properties (MARAK v1)', () => {
  it('score is the number of yes answers; unknown + answered = 24; missing counts as unknown', () => {
    fc.assert(
      fc.property(answersArb, (answers) => {
        const result = scoreAssessment(marak, answers);
        const given = Object.keys(answers).length;
        expect(result.score).toBe(count(answers, 'yes'));
        expect(result.answered).toBe(count(answers, 'yes') + count(answers, 'no'));
        expect(result.unknown).toBe(count(answers, 'unknown') + (24 - given));
        expect(result.missing).toBe(24 - given);
        expect(result.unknown + result.answered).toBe(24);
        expect(result.atOrAboveThreshold).toBe(result.score >= 14);
        expect(result.level).toBe(riskLevelFor(marak, result.score));
      }),
    );
  });

  it('does not depend on the order of the keys', () => {
    fc.assert(
      fc.property(answersArb, fc.nat(), (answers, seed) => {
        const entries = Object.entries(answers);
        const rotated = Object.fromEntries(entries.map((_, i) => entries[(i + seed) % entries.length]!));
        expect(scoreAssessment(marak, rotated)).toEqual(scoreAssessment(marak, answers));
      }),
    );
  });

  it('turning any non-yes answer into yes raises the score by exactly one', () => {
    fc.assert(
      fc.property(answersArb, fc.nat(23), (answers, index) => {
        const id = ids[index]!;
        fc.pre(answers[id] !== 'yes');
        const before = scoreAssessment(marak, answers);
        const after = scoreAssessment(marak, { ...answers, [id]: 'yes' });
        expect(after.score).toBe(before.score + 1);
        expect(RISK_LEVELS.indexOf(after.level)).toBeGreaterThanOrEqual(RISK_LEVELS.indexOf(before.level));
        if (before.atOrAboveThreshold) expect(after.atOrAboveThreshold).toBe(true);
      }),
    );
  });

  it('unknown is not yes: turning unknown into no or leaving it out never changes the score', () => {
    fc.assert(
      fc.property(answersArb, fc.nat(23), (answers, index) => {
        const id = ids[index]!;
        fc.pre(answers[id] === 'unknown');
        const { [id]: _removed, ...without } = answers;
        const score = scoreAssessment(marak, answers).score;
        expect(scoreAssessment(marak, { ...answers, [id]: 'no' }).score).toBe(score);
        expect(scoreAssessment(marak, without).score).toBe(score);
      }),
    );
  });

  it('the risk level never decreases as the score grows', () => {
    for (let score = 1; score <= 24; score += 1) {
      expect(RISK_LEVELS.indexOf(riskLevelFor(marak, score))).toBeGreaterThanOrEqual(
        RISK_LEVELS.indexOf(riskLevelFor(marak, score - 1)),
      );
    }
  });

  it('validateAnswers accepts exactly the maps whose keys are question ids and values yes/no/unknown', () => {
    const keyArb = fc.oneof(fc.constantFrom(...ids), fc.string({ maxLength: 30 }));
    const valueArb = fc.oneof(fc.constantFrom<unknown>(...RISK_ANSWERS), fc.anything());
    fc.assert(
      fc.property(fc.dictionary(keyArb, valueArb), (answers) => {
        const valid = Object.entries(answers).every(
          ([key, value]) => ids.includes(key) && (RISK_ANSWERS as readonly unknown[]).includes(value),
        );
        const result = validateAnswers(marak, answers);
        expect(result.ok).toBe(valid);
        if (!result.ok) {
          for (const error of result.errors) {
            expect(['unknown-question', 'invalid-answer']).toContain(error.code);
            expect(error.field === 'answers' || error.field.startsWith('answers.')).toBe(true);
          }
        }
      }),
    );
  });
});
