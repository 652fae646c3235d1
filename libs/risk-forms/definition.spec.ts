import {
  BUILT_IN_RISK_FORMS,
  RiskFormDefinitionError,
  parseRiskFormDefinition,
  riskFormDefinitionProblems,
  riskFormSummary,
} from './index.js';

type Mutable = Record<string, any>;

/** A fresh, mutable copy of the shipped MARAK v1 data. */
const marak = (): Mutable => structuredClone(BUILT_IN_RISK_FORMS[0]) as Mutable;

/** A small valid form: 3 questions, 2 categories, threshold 2. */
const small = (): Mutable => ({
  code: 'mini',
  version: 1,
  title: { fi: 'Mini', sv: 'Mini', en: 'Mini' },
  threshold: 2,
  bands: [
    { from: 0, to: 1, level: 'standard' },
    { from: 2, to: 3, level: 'high' },
  ],
  categories: [
    { id: 'a', title: { fi: 'A', sv: 'A', en: 'A' } },
    { id: 'b', title: { fi: 'B', sv: 'B', en: 'B' } },
  ],
  questions: [
    { id: 'q-one', category: 'a', text: { fi: 'Yksi?', sv: 'Ett?', en: 'One?' } },
    { id: 'q-two', category: 'a', text: { fi: 'Kaksi?', sv: 'Två?', en: 'Two?' } },
    { id: 'q-three', category: 'b', text: { fi: 'Kolme?', sv: 'Tre?', en: 'Three?' } },
  ],
});

function mutated(base: () => Mutable, change: (form: Mutable) => void): Mutable {
  const form = base();
  change(form);
  return form;
}

describe('riskFormDefinitionProblems', () => {
  it('accepts the shipped MARAK v1 and a small valid form', () => {
    expect(riskFormDefinitionProblems(marak())).toEqual([]);
    expect(riskFormDefinitionProblems(small())).toEqual([]);
  });

  it.each([
    ['null', null, 'definition: must be an object, got null'],
    ['an array', [], 'definition: must be an object, got an array'],
    ['a string', 'marak', 'definition: must be an object, got "marak"'],
    ['a class instance', new Date(0), 'definition: must be an object, got an object'],
  ])('rejects %s as a definition', (_name, value, problem) => {
    expect(riskFormDefinitionProblems(value)).toEqual([problem]);
  });

  const cases: Array<[string, (form: Mutable) => void, string]> = [
    // root
    ['an unknown property (typo)', (f) => { f.treshold = 14; }, 'treshold: unknown property'],
    ['a missing code', (f) => { delete f.code; }, 'code: must be a lowercase slug such as "latest-incident-injury", got nothing'],
    ['an uppercase code', (f) => { f.code = 'MARAK'; }, 'code: must be a lowercase slug such as "latest-incident-injury", got "MARAK"'],
    ['a code with a space', (f) => { f.code = 'ma rak'; }, 'code: must be a lowercase slug'],
    ['version 0', (f) => { f.version = 0; }, 'version: must be an integer at least 1, got 0'],
    ['a fractional version', (f) => { f.version = 1.5; }, 'version: must be an integer at least 1, got 1.5'],
    ['a string version', (f) => { f.version = '1'; }, 'version: must be an integer at least 1, got "1"'],
    ['a missing version', (f) => { delete f.version; }, 'version: must be an integer at least 1, got nothing'],
    // title
    ['a missing title', (f) => { delete f.title; }, 'title: must be an object with texts in fi, sv, en, got nothing'],
    ['a title without Swedish', (f) => { delete f.title.sv; }, 'title.sv: is required'],
    ['a blank English title', (f) => { f.title.en = '   '; }, 'title.en: must be a non-empty string'],
    ['a title in an extra language', (f) => { f.title.de = 'Formular'; }, 'title.de: unknown property'],
    // threshold
    ['threshold 0', (f) => { f.threshold = 0; }, 'threshold: must be an integer 1..24, got 0'],
    ['threshold above the question count', (f) => { f.threshold = 25; }, 'threshold: must be an integer 1..24, got 25'],
    ['a fractional threshold', (f) => { f.threshold = 13.5; }, 'threshold: must be an integer 1..24, got 13.5'],
    ['a missing threshold', (f) => { delete f.threshold; }, 'threshold: must be an integer 1..24, got nothing'],
    // categories
    ['no categories', (f) => { f.categories = []; }, 'categories: must be a non-empty array'],
    ['a duplicate category', (f) => { f.categories.push(structuredClone(f.categories[0])); }, 'categories[6].id: duplicate category id "incident"'],
    ['an unused category', (f) => { f.categories.push({ id: 'unused', title: { fi: 'x', sv: 'x', en: 'x' } }); }, 'categories: category "unused" has no questions'],
    ['a category without a title', (f) => { delete f.categories[0].title; }, 'categories[0].title: must be an object with texts in fi, sv, en, got nothing'],
    ['a category that is a string', (f) => { f.categories[0] = 'incident'; }, 'categories[0]: must be an object, got "incident"'],
    // questions
    ['no questions', (f) => { f.questions = []; }, 'questions: must be a non-empty array'],
    ['questions that are not an array', (f) => { f.questions = {}; }, 'questions: must be a non-empty array'],
    ['a duplicate question id', (f) => { f.questions[5].id = 'victim-isolated'; }, 'questions[5].id: duplicate question id "victim-isolated"'],
    ['a question id with an underscore', (f) => { f.questions[0].id = 'latest_incident'; }, 'questions[0].id: must be a lowercase slug such as "latest-incident-injury", got "latest_incident"'],
    ['a question id "__proto__"', (f) => { f.questions[0].id = '__proto__'; }, 'questions[0].id: must be a lowercase slug'],
    ['a question in an undeclared category', (f) => { f.questions[0].category = 'weather'; }, 'questions[0].category: must be one of the form\'s categories (incident, victim, relationship, children, abuse, perpetrator), got "weather"'],
    ['a question without Finnish', (f) => { delete f.questions[3].text.fi; }, 'questions[3].text.fi: is required'],
    ['a question with an empty Swedish text', (f) => { f.questions[3].text.sv = ''; }, 'questions[3].text.sv: must be a non-empty string'],
    ['a question text that is a number', (f) => { f.questions[3].text.en = 7; }, 'questions[3].text.en: must be a non-empty string'],
    ['two questions with the same English text', (f) => { f.questions[7].text.en = f.questions[2].text.en.toUpperCase(); }, 'questions[7].text.en: same text as questions[2]'],
    ['a question with an extra property', (f) => { f.questions[1].weight = 2; }, 'questions[1].weight: unknown property'],
    ['a question that is null', (f) => { f.questions[1] = null; }, 'questions[1]: must be an object, got null'],
    // bands
    ['no bands', (f) => { f.bands = []; }, 'bands: must be a non-empty array'],
    ['bands starting above 0', (f) => { f.bands[0].from = 1; }, 'bands[0].from: bands leave scores 0..0 uncovered'],
    ['a gap between bands', (f) => { f.bands[1].from = 11; }, 'bands[1].from: bands leave scores 10..10 uncovered'],
    ['overlapping bands', (f) => { f.bands[1].from = 9; }, 'bands[1].from: bands overlap: 9 is already covered'],
    ['bands ending below the question count', (f) => { f.bands[2].to = 23; }, 'bands: bands leave scores 24..24 uncovered'],
    ['bands ending above the question count', (f) => { f.bands[2].to = 25; }, 'bands[2].to: must be an integer 0..24, got 25'],
    ['a band with from > to', (f) => { f.bands[1] = { from: 13, to: 10, level: 'medium' }; f.bands[2].from = 11; }, 'bands[1]: from 13 is greater than to 10'],
    ['an unknown level', (f) => { f.bands[2].level = 'critical'; }, 'bands[2].level: must be one of standard, medium, high, got "critical"'],
    ['levels that decrease', (f) => { f.bands[1].level = 'high'; f.bands[2].level = 'medium'; }, 'bands[2].level: "medium" is lower than the band before it; levels must never decrease'],
    ['a band with an extra property', (f) => { f.bands[0].colour = 'green'; }, 'bands[0].colour: unknown property'],
    ['a negative band start', (f) => { f.bands[0].from = -1; }, 'bands[0].from: must be an integer 0..24, got -1'],
  ];

  it.each(cases)('rejects %s', (_name, change, problem) => {
    const problems = riskFormDefinitionProblems(mutated(marak, change));
    expect(problems.some((p) => p.startsWith(problem))).toBe(true);
  });

  it('reports every problem at once', () => {
    const problems = riskFormDefinitionProblems(
      mutated(marak, (f) => {
        f.threshold = 0;
        delete f.title.fi;
        f.questions[1].id = 'latest-incident-injury';
        f.bands[2].to = 20;
      }),
    );
    expect(problems).toEqual([
      'title.fi: is required',
      'questions[1].id: duplicate question id "latest-incident-injury"',
      'threshold: must be an integer 1..24, got 0',
      'bands: bands leave scores 21..24 uncovered',
    ]);
  });

  it('checks the threshold and bands against the actual question count', () => {
    expect(riskFormDefinitionProblems(small())).toEqual([]);
    expect(riskFormDefinitionProblems(mutated(small, (f) => { f.threshold = 4; }))).toEqual([
      'threshold: must be an integer 1..3, got 4',
    ]);
    expect(riskFormDefinitionProblems(mutated(small, (f) => { f.threshold = 3; }))).toEqual([]);
    expect(riskFormDefinitionProblems(mutated(small, (f) => { f.threshold = 1; }))).toEqual([]);
  });

  it('accepts a single band and repeated levels', () => {
    expect(riskFormDefinitionProblems(mutated(small, (f) => { f.bands = [{ from: 0, to: 3, level: 'high' }]; }))).toEqual([]);
    expect(
      riskFormDefinitionProblems(
        mutated(small, (f) => {
          f.bands = [
            { from: 0, to: 0, level: 'standard' },
            { from: 1, to: 1, level: 'standard' },
            { from: 2, to: 3, level: 'high' },
          ];
        }),
      ),
    ).toEqual([]);
  });
});

describe('parseRiskFormDefinition', () => {
  it('returns an equal, deep-frozen copy that does not share the input', () => {
    const input = marak();
    const form = parseRiskFormDefinition(input);
    expect(form).toEqual(input);
    expect(form).not.toBe(input);
    expect(Object.isFrozen(form)).toBe(true);
    expect(Object.isFrozen(form.questions)).toBe(true);
    expect(Object.isFrozen(form.questions[0])).toBe(true);
    expect(Object.isFrozen(form.questions[0]!.text)).toBe(true);
    expect(Object.isFrozen(form.bands[0])).toBe(true);
    input.questions[0].text.en = 'changed later?';
    expect(form.questions[0]!.text.en).not.toBe('changed later?');
  });

  it('throws RiskFormDefinitionError naming the form and listing every problem', () => {
    const bad = mutated(marak, (f) => {
      f.version = 2;
      f.threshold = 30;
      f.title.sv = '';
    });
    let error: unknown;
    try {
      parseRiskFormDefinition(bad);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RiskFormDefinitionError);
    expect((error as RiskFormDefinitionError).problems).toEqual([
      'marak v2: title.sv: must be a non-empty string',
      'marak v2: threshold: must be an integer 1..24, got 30',
    ]);
    expect((error as Error).message).toBe(
      'Invalid risk form definition: marak v2: title.sv: must be a non-empty string; marak v2: threshold: must be an integer 1..24, got 30',
    );
    expect((error as Error).name).toBe('RiskFormDefinitionError');
  });

  it('labels a definition without a readable code and version with the fallback', () => {
    expect(() => parseRiskFormDefinition(mutated(small, (f) => { delete f.code; }), 'definitions[3]')).toThrow(
      'definitions[3]: code: must be a lowercase slug',
    );
    expect(() => parseRiskFormDefinition(42)).toThrow('definition: definition: must be an object, got 42');
  });
});

describe('riskFormSummary', () => {
  it('is the GET /risk-forms line', () => {
    expect(riskFormSummary(parseRiskFormDefinition(small()))).toEqual({
      code: 'mini',
      version: 1,
      title: { fi: 'Mini', sv: 'Mini', en: 'Mini' },
      threshold: 2,
      questionCount: 3,
    });
  });
});
