import { MARAK_FORM_CODE, RISK_FORM_LANGUAGES, type RiskFormDefinition, defaultRiskForms } from './index.js';

/**
 * The stable question ids of MARAK v1, in the order of DOMAIN.md step 1. Answers of stored
 * referrals are keyed by these: renaming, reordering or removing one must fail this test.
 */
const MARAK_V1_QUESTION_IDS = [
  'latest-incident-injury',
  'victim-very-frightened',
  'victim-fears-further-harm',
  'victim-isolated',
  'victim-depressed-or-suicidal',
  'separation-within-year',
  'child-contact-conflict',
  'stalking-or-harassment',
  'pregnancy-or-recent-birth',
  'abuse-more-frequent',
  'abuse-getting-worse',
  'controlling-or-jealous',
  'weapon-or-object-used',
  'threats-to-kill',
  'strangulation-or-suffocation',
  'sexual-violence',
  'threats-from-others',
  'perpetrator-hurt-others',
  'cruelty-to-animals',
  'financial-dependence',
  'perpetrator-substance-or-mental-health',
  'perpetrator-suicide-threats',
  'perpetrator-breached-conditions',
  'perpetrator-criminal-history',
];

const MARAK_V1_CATEGORIES: Record<string, string> = {
  'latest-incident-injury': 'incident',
  'victim-very-frightened': 'victim',
  'victim-fears-further-harm': 'victim',
  'victim-isolated': 'victim',
  'victim-depressed-or-suicidal': 'victim',
  'separation-within-year': 'relationship',
  'child-contact-conflict': 'children',
  'stalking-or-harassment': 'abuse',
  'pregnancy-or-recent-birth': 'children',
  'abuse-more-frequent': 'abuse',
  'abuse-getting-worse': 'abuse',
  'controlling-or-jealous': 'abuse',
  'weapon-or-object-used': 'abuse',
  'threats-to-kill': 'abuse',
  'strangulation-or-suffocation': 'abuse',
  'sexual-violence': 'abuse',
  'threats-from-others': 'abuse',
  'perpetrator-hurt-others': 'perpetrator',
  'cruelty-to-animals': 'perpetrator',
  'financial-dependence': 'relationship',
  'perpetrator-substance-or-mental-health': 'perpetrator',
  'perpetrator-suicide-threats': 'perpetrator',
  'perpetrator-breached-conditions': 'perpetrator',
  'perpetrator-criminal-history': 'perpetrator',
};

/** One keyword (stem) per DOMAIN.md topic, per language, that the question must mention. */
const TOPIC_WORDS: Record<string, { fi: RegExp; sv: RegExp; en: RegExp }> = {
  'latest-incident-injury': { fi: /vamm/, sv: /skador/, en: /injured/ },
  'victim-very-frightened': { fi: /pelkää/i, sv: /rädd/, en: /frightened/ },
  'victim-fears-further-harm': { fi: /tappaa/, sv: /döda/, en: /kill/ },
  'victim-isolated': { fi: /eristetty/, sv: /isolerad/, en: /cut off/ },
  'victim-depressed-or-suicidal': { fi: /itsemurha/, sv: /ta ditt liv/, en: /own life/ },
  'separation-within-year': { fi: /ero/, sv: /separera/, en: /separated/ },
  'child-contact-conflict': { fi: /lasten tapaami/, sv: /umgänget med barnen/, en: /contact with the children/ },
  'stalking-or-harassment': { fi: /ahdistel/, sv: /trakasserar/, en: /harass/ },
  'pregnancy-or-recent-birth': { fi: /raskaana/, sv: /gravid/, en: /pregnant/ },
  'abuse-more-frequent': { fi: /useammin/, sv: /oftare/, en: /more often/ },
  'abuse-getting-worse': { fi: /vakavammaksi/, sv: /grövre/, en: /more serious/ },
  'controlling-or-jealous': { fi: /mustasukkainen/, sv: /svartsjuk/, en: /jealous/ },
  'weapon-or-object-used': { fi: /asetta/, sv: /vapen/, en: /weapon/ },
  'threats-to-kill': { fi: /uhannut tappaa/, sv: /hotat att döda/, en: /threatened to kill/ },
  'strangulation-or-suffocation': { fi: /kuristanut/, sv: /strypt/, en: /strangled/ },
  'sexual-violence': { fi: /seksuaalista väkivaltaa/, sv: /sexuellt våld/, en: /sexual violence/ },
  'threats-from-others': { fi: /joku muu/, sv: /någon annan/, en: /anyone else/ },
  'perpetrator-hurt-others': { fi: /satuttanut muita/, sv: /skadat andra/, en: /hurt anyone else/ },
  'cruelty-to-animals': { fi: /eläimiä/, sv: /djur/, en: /animals/ },
  'financial-dependence': { fi: /taloudellisesti riippuvainen/, sv: /ekonomiskt beroende/, en: /financially/ },
  'perpetrator-substance-or-mental-health': { fi: /alkoholin/, sv: /alkohol/, en: /alcohol/ },
  'perpetrator-suicide-threats': { fi: /itsemurhan/, sv: /ta sitt liv/, en: /their own life/ },
  'perpetrator-breached-conditions': { fi: /lähestymiskieltoa/, sv: /besöksförbud/, en: /restraining order/ },
  'perpetrator-criminal-history': { fi: /poliisin/, sv: /polisen/, en: /police/ },
};

describe('MARAK screening form v1 (shipped data)', () => {
  const form = defaultRiskForms().get(MARAK_FORM_CODE, 1) as RiskFormDefinition;

  it('is registered as marak v1 with threshold 14 and the local bands 0–9, 10–13, 14–24', () => {
    expect(form).toBeDefined();
    expect(form.code).toBe('marak');
    expect(form.version).toBe(1);
    expect(form.threshold).toBe(14);
    expect(form.bands).toEqual([
      { from: 0, to: 9, level: 'standard' },
      { from: 10, to: 13, level: 'medium' },
      { from: 14, to: 24, level: 'high' },
    ]);
    expect(form.title).toEqual({
      fi: 'MARAK-riskinarviointilomake',
      sv: 'MARAK-blankett för riskbedömning',
      en: 'MARAK risk assessment form',
    });
  });

  it('has exactly the 24 stable question ids, in the DOMAIN.md order', () => {
    expect(form.questions.map((question) => question.id)).toEqual(MARAK_V1_QUESTION_IDS);
    expect(form.questions).toHaveLength(24);
    expect(new Set(MARAK_V1_QUESTION_IDS).size).toBe(24);
  });

  it('puts every question in its stable category', () => {
    expect(Object.fromEntries(form.questions.map((q) => [q.id, q.category]))).toEqual(MARAK_V1_CATEGORIES);
    expect(form.categories.map((category) => category.id)).toEqual([
      'incident',
      'victim',
      'relationship',
      'children',
      'abuse',
      'perpetrator',
    ]);
  });

  it.each(RISK_FORM_LANGUAGES)('has every text in %s, non-empty, trimmed, distinct, and asked as a question', (language) => {
    const texts = form.questions.map((question) => question.text[language]);
    expect(texts).toHaveLength(24);
    for (const text of texts) {
      expect(text.trim()).toBe(text);
      expect(text.length).toBeGreaterThan(15);
      expect(text.endsWith('?')).toBe(true);
      expect(text).not.toMatch(/\s{2}/);
    }
    expect(new Set(texts.map((text) => text.toLowerCase())).size).toBe(24);
    const titles = form.categories.map((category) => category.title[language]);
    expect(titles.every((title) => title.trim() !== '')).toBe(true);
    expect(new Set(titles).size).toBe(titles.length);
    expect(form.title[language].trim()).not.toBe('');
  });

  it.each(MARAK_V1_QUESTION_IDS)('asks about the DOMAIN.md topic of %s in all three languages', (id) => {
    const question = form.questions.find((q) => q.id === id)!;
    for (const language of RISK_FORM_LANGUAGES) {
      expect(question.text[language]).toMatch(TOPIC_WORDS[id]![language]);
    }
  });

  it('uses each language in its own words (no text is the same in two languages)', () => {
    for (const question of form.questions) {
      const { fi, sv, en } = question.text;
      expect(new Set([fi, sv, en]).size).toBe(3);
    }
  });
});
