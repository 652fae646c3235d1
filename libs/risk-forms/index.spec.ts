import * as riskForms from './index.js';

describe('risk-forms public API', () => {
  it('exports the whole contract from index.ts', () => {
    expect(Object.keys(riskForms).sort()).toEqual(
      [
        'BUILT_IN_RISK_FORMS',
        'DEFAULT_ESCALATION_THRESHOLD',
        'ELIGIBILITY_GROUNDS',
        'MARAK_FORM_CODE',
        'PROFESSIONAL_JUDGEMENT_MIN_LENGTH',
        'PROFESSIONAL_JUDGEMENT_MIN_WORDS',
        'RISK_ANSWERS',
        'RISK_FORM_LANGUAGES',
        'RISK_LEVELS',
        'RiskAnswersError',
        'RiskFormDefinitionError',
        'RiskFormRegistry',
        'defaultRiskForms',
        'eligibility',
        'normaliseProfessionalJudgement',
        'parseRiskFormDefinition',
        'riskBandFor',
        'riskFormDefinitionProblems',
        'riskFormSummary',
        'riskLevelFor',
        'scoreAssessment',
        'validateAnswers',
      ].sort(),
    );
  });

  it('works end to end: screen, score, decide', () => {
    const registry = riskForms.defaultRiskForms();
    const form = registry.latest(riskForms.MARAK_FORM_CODE)!;
    const answers = {
      'latest-incident-injury': 'yes',
      'victim-very-frightened': 'yes',
      'threats-to-kill': 'yes',
      'strangulation-or-suffocation': 'yes',
      'perpetrator-criminal-history': 'unknown',
      'financial-dependence': 'no',
    };
    const assessment = riskForms.scoreAssessment(form, answers);
    expect(assessment).toMatchObject({ formCode: 'marak', formVersion: 1, score: 4, answered: 5, unknown: 19, level: 'standard' });
    expect(riskForms.eligibility({ assessment }).eligible).toBe(false);
    const decision = riskForms.eligibility({
      assessment,
      professionalJudgement: 'Kuristanut ja uhannut tappaa; uhri pelkää henkensä puolesta.',
      incidents12Months: 4,
    });
    expect(decision).toMatchObject({ eligible: true, grounds: ['professional_judgement', 'escalation'] });
    // The stored referral keeps code and version; re-scoring uses exactly that version.
    expect(riskForms.scoreAssessment(registry.get(assessment.formCode, assessment.formVersion)!, answers)).toEqual(assessment);
  });
});
