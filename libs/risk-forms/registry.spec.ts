import {
  BUILT_IN_RISK_FORMS,
  MARAK_FORM_CODE,
  RiskFormDefinitionError,
  RiskFormRegistry,
  defaultRiskForms,
  scoreAssessment,
} from './index.js';

type Mutable = Record<string, any>;

const marakV1 = (): Mutable => structuredClone(BUILT_IN_RISK_FORMS[0]) as Mutable;

/**
 * A hypothetical MARAK v2 (test fixture only, never shipped): one question reworded, one new
 * question added, threshold 15 and bands moved accordingly.
 */
function marakV2(): Mutable {
  const form = marakV1();
  form.version = 2;
  form.threshold = 15;
  form.questions[1].text.en = 'Are you very frightened right now?';
  form.questions.push({
    id: 'online-abuse',
    category: 'abuse',
    text: {
      fi: 'Onko väkivallan tekijä vahingoittanut sinua verkossa tai puhelimen kautta?',
      sv: 'Har våldsutövaren skadat dig på nätet eller via telefonen?',
      en: 'Has the person harming you harmed you online or through your phone?',
    },
  });
  form.bands = [
    { from: 0, to: 10, level: 'standard' },
    { from: 11, to: 14, level: 'medium' },
    { from: 15, to: 25, level: 'high' },
  ];
  return form;
}

function otherForm(): Mutable {
  return {
    code: 'child-safety',
    version: 3,
    title: { fi: 'Lapsen turvallisuus', sv: 'Barnets säkerhet', en: 'Child safety' },
    threshold: 1,
    bands: [{ from: 0, to: 1, level: 'medium' }],
    categories: [{ id: 'children', title: { fi: 'Lapset', sv: 'Barn', en: 'Children' } }],
    questions: [{ id: 'child-harmed', category: 'children', text: { fi: 'Onko lasta satutettu?', sv: 'Har barnet skadats?', en: 'Has a child been hurt?' } }],
  };
}

function thrown(fn: () => unknown): RiskFormDefinitionError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RiskFormDefinitionError) return error;
    throw error;
  }
  throw new Error('expected a RiskFormDefinitionError');
}

describe('defaultRiskForms', () => {
  it('holds MARAK v1 as the latest MARAK form', () => {
    const registry = defaultRiskForms();
    expect(registry.codes()).toEqual([MARAK_FORM_CODE]);
    expect(registry.versions('marak')).toEqual([1]);
    expect(registry.latest('marak')?.version).toBe(1);
    expect(registry.get('marak', 1)).toBe(registry.latest('marak'));
  });

  it('lists the shipped forms as GET /risk-forms does', () => {
    expect(defaultRiskForms().list()).toEqual([
      {
        code: 'marak',
        version: 1,
        title: { fi: 'MARAK-riskinarviointilomake', sv: 'MARAK-blankett för riskbedömning', en: 'MARAK risk assessment form' },
        threshold: 14,
        questionCount: 24,
      },
    ]);
  });

  it('returns deep-frozen definitions that callers cannot change', () => {
    const form = defaultRiskForms().latest('marak')!;
    expect(Object.isFrozen(form)).toBe(true);
    expect(() => {
      (form as Mutable).threshold = 1;
    }).toThrow(TypeError);
    expect(() => {
      (form.questions[0]!.text as Mutable).en = 'x';
    }).toThrow(TypeError);
    expect(defaultRiskForms().latest('marak')!.threshold).toBe(14);
  });

  it('does not freeze or change the shipped raw data', () => {
    defaultRiskForms();
    expect(Object.isFrozen(BUILT_IN_RISK_FORMS[0])).toBe(false);
    expect(Object.isFrozen(BUILT_IN_RISK_FORMS)).toBe(true);
  });
});

describe('RiskFormRegistry', () => {
  it('answers undefined / empty for unknown codes and versions', () => {
    const registry = defaultRiskForms();
    expect(registry.latest('dash')).toBeUndefined();
    expect(registry.get('dash', 1)).toBeUndefined();
    expect(registry.get('marak', 2)).toBeUndefined();
    expect(registry.get('marak', 0)).toBeUndefined();
    expect(registry.versions('dash')).toEqual([]);
  });

  it('is empty when built from nothing', () => {
    const registry = new RiskFormRegistry([]);
    expect(registry.codes()).toEqual([]);
    expect(registry.list()).toEqual([]);
  });

  describe('after a new version is registered', () => {
    // Registered out of order on purpose: order in the list does not matter.
    const registry = new RiskFormRegistry([marakV2(), ...BUILT_IN_RISK_FORMS, otherForm()]);

    it('serves v2 as the latest and keeps v1 retrievable, unchanged', () => {
      expect(registry.versions('marak')).toEqual([1, 2]);
      expect(registry.latest('marak')?.version).toBe(2);
      expect(registry.latest('marak')?.questions).toHaveLength(25);
      const v1 = registry.get('marak', 1)!;
      expect(v1).toEqual(defaultRiskForms().get('marak', 1));
      expect(v1.questions[1]!.text.en).toBe('Are you very frightened at the moment?');
      expect(v1.threshold).toBe(14);
    });

    it('scores an old referral with the version it used', () => {
      const answers = Object.fromEntries(registry.get('marak', 1)!.questions.slice(0, 14).map((q) => [q.id, 'yes']));
      const old = scoreAssessment(registry.get('marak', 1)!, answers);
      expect(old).toMatchObject({ formCode: 'marak', formVersion: 1, score: 14, threshold: 14, atOrAboveThreshold: true, level: 'high' });
      const now = scoreAssessment(registry.latest('marak')!, answers);
      expect(now).toMatchObject({ formCode: 'marak', formVersion: 2, score: 14, threshold: 15, atOrAboveThreshold: false, level: 'medium' });
    });

    it('rejects an answer to a question that only a newer version asks', () => {
      expect(() => scoreAssessment(registry.get('marak', 1)!, { 'online-abuse': 'yes' })).toThrow(
        'Invalid risk form answers: answers.online-abuse unknown-question',
      );
    });

    it('lists the latest version of each code by default, and every version on request', () => {
      expect(registry.list().map(({ code, version, threshold, questionCount }) => ({ code, version, threshold, questionCount }))).toEqual([
        { code: 'child-safety', version: 3, threshold: 1, questionCount: 1 },
        { code: 'marak', version: 2, threshold: 15, questionCount: 25 },
      ]);
      expect(registry.list({ allVersions: true }).map(({ code, version }) => `${code} v${version}`)).toEqual([
        'child-safety v3',
        'marak v1',
        'marak v2',
      ]);
      expect(registry.codes()).toEqual(['child-safety', 'marak']);
    });
  });

  it('rejects a code and version registered twice', () => {
    const error = thrown(() => new RiskFormRegistry([marakV1(), otherForm(), marakV1()]));
    expect(error.problems).toEqual(['marak v1: registered twice; a code and version pair must be unique']);
  });

  it('accepts the same version number under different codes', () => {
    const other = otherForm();
    other.version = 1;
    expect(() => new RiskFormRegistry([marakV1(), other])).not.toThrow();
  });

  it('reports the problems of every bad definition, labelled, in one error', () => {
    const badV2 = marakV2();
    badV2.threshold = 26;
    const unnamed = otherForm();
    delete unnamed.code;
    const error = thrown(() => new RiskFormRegistry([marakV1(), badV2, unnamed, 'nonsense']));
    expect(error.problems).toEqual([
      'marak v2: threshold: must be an integer 1..25, got 26',
      'definitions[2]: code: must be a lowercase slug such as "latest-incident-injury", got nothing',
      'definitions[3]: definition: must be an object, got "nonsense"',
    ]);
    expect(error.message).toContain('marak v2: threshold');
  });

  it.each<[string, (form: Mutable) => void, string]>([
    ['duplicate question ids', (f) => { f.questions[24].id = 'threats-to-kill'; }, 'marak v2: questions[24].id: duplicate question id "threats-to-kill"'],
    ['a missing language', (f) => { delete f.questions[24].text.sv; }, 'marak v2: questions[24].text.sv: is required'],
    ['a threshold of 0', (f) => { f.threshold = 0; }, 'marak v2: threshold: must be an integer 1..25, got 0'],
    ['bands that do not reach the new question', (f) => { f.bands[2].to = 24; }, 'marak v2: bands: bands leave scores 25..25 uncovered'],
    ['a gap in the bands', (f) => { f.bands[2].from = 16; }, 'marak v2: bands[2].from: bands leave scores 15..15 uncovered'],
  ])('refuses to start with a v2 that has %s', (_name, change, problem) => {
    const v2 = marakV2();
    change(v2);
    expect(thrown(() => new RiskFormRegistry([...BUILT_IN_RISK_FORMS, v2])).problems).toEqual([problem]);
  });

  it('accepts any iterable of definitions', () => {
    function* forms(): Generator<unknown> {
      yield marakV1();
      yield marakV2();
    }
    expect(new RiskFormRegistry(forms()).versions('marak')).toEqual([1, 2]);
  });
});
