import fc from 'fast-check';
import {
  ELIGIBILITY_GROUNDS,
  type EligibilityInput,
  RISK_ANSWERS,
  type RiskAnswer,
  defaultRiskForms,
  eligibility,
  scoreAssessment,
} from './index.js';

const marak = defaultRiskForms().latest('marak')!;
const ids = marak.questions.map((question) => question.id);

const answersArb = fc
  .array(fc.constantFrom<RiskAnswer | undefined>(...RISK_ANSWERS, undefined), { minLength: 24, maxLength: 24 })
  .map((values) => Object.fromEntries(values.flatMap((value, i) => (value === undefined ? [] : [[ids[i]!, value]]))));

const judgementArb = fc.option(
  fc.oneof(fc.string(), fc.constant('Uhannut tappaa puukolla, uhri pelkää henkensä puolesta.')),
  { nil: undefined },
);
const groundsArb = fc.record({
  professionalJudgement: judgementArb,
  incidents12Months: fc.option(fc.nat(20), { nil: undefined }),
  escalationThreshold: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
  repeat: fc.option(fc.record({ withinWindow: fc.boolean() }), { nil: undefined }),
});
const inputArb: fc.Arbitrary<EligibilityInput> = fc
  .tuple(fc.nat(30), fc.integer({ min: 1, max: 30 }), groundsArb)
  .map(([score, threshold, grounds]) => ({ assessment: { score, threshold }, ...grounds }));

describe('eligibility properties', () => {
  it('eligible exactly when some ground holds; grounds are the held checks in fixed order', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = eligibility(input);
        expect(result.checked.map((check) => check.ground)).toEqual(ELIGIBILITY_GROUNDS);
        expect(result.grounds).toEqual(result.checked.filter((check) => check.held).map((check) => check.ground));
        expect(result.eligible).toBe(result.grounds.length > 0);
      }),
    );
  });

  it('the score ground holds exactly when score >= threshold, whatever the other inputs', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const result = eligibility(input);
        expect(result.grounds.includes('score')).toBe(input.assessment.score >= input.assessment.threshold);
        if (input.assessment.score >= input.assessment.threshold) expect(result.eligible).toBe(true);
      }),
    );
  });

  it('every ground is independently sufficient', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const withScore = { ...input, assessment: { ...input.assessment, score: input.assessment.threshold } };
        const withJudgement = { ...input, professionalJudgement: 'Uhannut tappaa puukolla, uhri pelkää.' };
        const withEscalation = { ...input, incidents12Months: input.escalationThreshold ?? 3 };
        const withRepeat = { ...input, repeat: { withinWindow: true } };
        expect(eligibility(withScore).eligible).toBe(true);
        expect(eligibility(withJudgement).eligible).toBe(true);
        expect(eligibility(withEscalation).eligible).toBe(true);
        expect(eligibility(withRepeat).eligible).toBe(true);
      }),
    );
  });

  it('monotone: a higher score, more incidents or a lower escalation threshold never make an eligible referral ineligible', () => {
    fc.assert(
      fc.property(inputArb, fc.nat(10), fc.nat(10), (input, more, lower) => {
        fc.pre(eligibility(input).eligible);
        const threshold = input.escalationThreshold ?? 3;
        expect(eligibility({ ...input, assessment: { ...input.assessment, score: input.assessment.score + more } }).eligible).toBe(true);
        if (input.incidents12Months !== undefined && input.incidents12Months !== null) {
          expect(eligibility({ ...input, incidents12Months: input.incidents12Months + more }).eligible).toBe(true);
        }
        expect(eligibility({ ...input, escalationThreshold: Math.max(1, threshold - lower) }).eligible).toBe(true);
      }),
    );
  });

  it('monotone end to end: adding a yes answer never makes an eligible MARAK referral ineligible', () => {
    fc.assert(
      fc.property(answersArb, groundsArb, fc.nat(23), (answers, grounds, index) => {
        const before = scoreAssessment(marak, answers);
        const id = ids[index]!;
        fc.pre(answers[id] !== 'yes');
        const after = scoreAssessment(marak, { ...answers, [id]: 'yes' });
        const was = eligibility({ assessment: before, ...grounds });
        const now = eligibility({ assessment: after, ...grounds });
        if (was.eligible) expect(now.eligible).toBe(true);
        for (const ground of was.grounds) expect(now.grounds).toContain(ground);
      }),
    );
  });

  it('a ground never depends on the inputs of another ground', () => {
    fc.assert(
      fc.property(inputArb, groundsArb, (input, other) => {
        const a = eligibility(input).checked;
        const b = eligibility({ ...other, assessment: input.assessment }).checked;
        expect(b[0]).toEqual(a[0]);
        const c = eligibility({ ...input, repeat: other.repeat }).checked;
        expect(c.slice(0, 3)).toEqual(a.slice(0, 3));
      }),
    );
  });

  it('a judgement is never needed when the score reaches the threshold, and never lowers it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 14, max: 24 }), judgementArb, (score, professionalJudgement) => {
        expect(eligibility({ assessment: { score, threshold: 14 }, professionalJudgement }).eligible).toBe(true);
      }),
    );
  });
});
