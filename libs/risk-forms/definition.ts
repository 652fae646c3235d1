/**
 * Run-time validation of risk form definitions. Form definitions are data (JSON files), so
 * nothing trusts their shape: `parseRiskFormDefinition` checks everything a scorer, a registry
 * or a screen relies on and returns a deep-frozen copy.
 *
 * Problems are reported as `path: message` strings, all at once, so a broken data file can be
 * fixed in one go. Form definitions hold no personal data, so values may appear in messages.
 */
import {
  type LocalizedText,
  RISK_FORM_LANGUAGES,
  RISK_LEVELS,
  type RiskFormDefinition,
  type RiskFormSummary,
} from './types.js';

/** Codes, category ids and question ids: lowercase ASCII words joined by single hyphens. */
const SLUG = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

const DEFINITION_KEYS = ['code', 'version', 'title', 'threshold', 'bands', 'categories', 'questions'];
const CATEGORY_KEYS = ['id', 'title'];
const QUESTION_KEYS = ['id', 'category', 'text'];
const BAND_KEYS = ['from', 'to', 'level'];

/** Thrown when one or more form definitions are invalid; `problems` lists every one found. */
export class RiskFormDefinitionError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid risk form definition: ${problems.join('; ')}`);
    this.name = 'RiskFormDefinitionError';
    this.problems = Object.freeze([...problems]);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Realm-independent (JSON modules and structuredClone may come from another realm, as in
  // jest's VM contexts): the prototype is null or some realm's Object.prototype.
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

class Problems {
  readonly list: string[] = [];

  add(path: string, message: string): void {
    this.list.push(`${path}: ${message}`);
  }

  /** Reports keys not in `allowed`, which catches typos such as `treshold`. */
  unknownKeys(path: string, value: Record<string, unknown>, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.add(path === '' ? key : `${path}.${key}`, 'unknown property');
    }
  }

  slug(path: string, value: unknown): value is string {
    if (typeof value !== 'string' || !SLUG.test(value)) {
      this.add(path, `must be a lowercase slug such as "latest-incident-injury", got ${describe(value)}`);
      return false;
    }
    return true;
  }

  integer(path: string, value: unknown, min: number, max: number): value is number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `${min}..${max}`;
      this.add(path, `must be an integer ${range}, got ${describe(value)}`);
      return false;
    }
    return true;
  }

  localized(path: string, value: unknown): value is LocalizedText {
    if (!isPlainObject(value)) {
      this.add(path, `must be an object with texts in ${RISK_FORM_LANGUAGES.join(', ')}, got ${describe(value)}`);
      return false;
    }
    const before = this.list.length;
    this.unknownKeys(path, value, RISK_FORM_LANGUAGES);
    for (const language of RISK_FORM_LANGUAGES) {
      const text = value[language];
      if (!Object.hasOwn(value, language)) {
        this.add(`${path}.${language}`, 'is required');
      } else if (typeof text !== 'string' || text.trim() === '') {
        this.add(`${path}.${language}`, 'must be a non-empty string');
      }
    }
    return this.list.length === before;
  }
}

function checkCategories(problems: Problems, value: unknown): Set<string> {
  const ids = new Set<string>();
  if (!Array.isArray(value) || value.length === 0) {
    problems.add('categories', 'must be a non-empty array');
    return ids;
  }
  value.forEach((category: unknown, i) => {
    const path = `categories[${i}]`;
    if (!isPlainObject(category)) {
      problems.add(path, `must be an object, got ${describe(category)}`);
      return;
    }
    problems.unknownKeys(path, category, CATEGORY_KEYS);
    if (problems.slug(`${path}.id`, category.id)) {
      if (ids.has(category.id)) problems.add(`${path}.id`, `duplicate category id "${category.id}"`);
      ids.add(category.id);
    }
    problems.localized(`${path}.title`, category.title);
  });
  return ids;
}

/** Returns the question count, or undefined when `questions` is not an array. */
function checkQuestions(problems: Problems, value: unknown, categories: ReadonlySet<string>): number | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add('questions', 'must be a non-empty array');
    return Array.isArray(value) ? 0 : undefined;
  }
  const ids = new Set<string>();
  const used = new Set<string>();
  const texts = new Map(RISK_FORM_LANGUAGES.map((language) => [language, new Map<string, number>()]));
  value.forEach((question: unknown, i) => {
    const path = `questions[${i}]`;
    if (!isPlainObject(question)) {
      problems.add(path, `must be an object, got ${describe(question)}`);
      return;
    }
    problems.unknownKeys(path, question, QUESTION_KEYS);
    if (problems.slug(`${path}.id`, question.id)) {
      if (ids.has(question.id)) problems.add(`${path}.id`, `duplicate question id "${question.id}"`);
      ids.add(question.id);
    }
    if (typeof question.category !== 'string' || !categories.has(question.category)) {
      if (categories.size > 0) {
        const allowed = [...categories].join(', ');
        problems.add(`${path}.category`, `must be one of the form's categories (${allowed}), got ${describe(question.category)}`);
      }
    } else {
      used.add(question.category);
    }
    if (problems.localized(`${path}.text`, question.text)) {
      for (const language of RISK_FORM_LANGUAGES) {
        const seen = texts.get(language)!;
        const key = question.text[language].trim().toLowerCase();
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          problems.add(`${path}.text.${language}`, `same text as questions[${earlier}]`);
        } else {
          seen.set(key, i);
        }
      }
    }
  });
  for (const category of categories) {
    if (!used.has(category)) problems.add('categories', `category "${category}" has no questions`);
  }
  return value.length;
}

function checkBands(problems: Problems, value: unknown, questionCount: number | undefined): void {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add('bands', 'must be a non-empty array');
    return;
  }
  const max = questionCount ?? Number.MAX_SAFE_INTEGER;
  let expectedFrom = 0;
  let previousLevel = -1;
  let contiguous = true;
  value.forEach((band: unknown, i) => {
    const path = `bands[${i}]`;
    if (!isPlainObject(band)) {
      problems.add(path, `must be an object, got ${describe(band)}`);
      contiguous = false;
      return;
    }
    problems.unknownKeys(path, band, BAND_KEYS);
    const fromOk = problems.integer(`${path}.from`, band.from, 0, max);
    const toOk = problems.integer(`${path}.to`, band.to, 0, max);
    const levelIndex = RISK_LEVELS.indexOf(band.level as (typeof RISK_LEVELS)[number]);
    if (levelIndex < 0) {
      problems.add(`${path}.level`, `must be one of ${RISK_LEVELS.join(', ')}, got ${describe(band.level)}`);
    } else {
      if (levelIndex < previousLevel) {
        const level = String(band.level);
        problems.add(`${path}.level`, `"${level}" is lower than the band before it; levels must never decrease`);
      }
      previousLevel = levelIndex;
    }
    if (!fromOk || !toOk) {
      contiguous = false;
      return;
    }
    const from = band.from as number;
    const to = band.to as number;
    if (from > to) problems.add(path, `from ${from} is greater than to ${to}`);
    if (contiguous && from !== expectedFrom) {
      const message =
        from > expectedFrom
          ? `bands leave scores ${expectedFrom}..${from - 1} uncovered`
          : `bands overlap: ${from} is already covered`;
      problems.add(`${path}.from`, message);
    }
    expectedFrom = to + 1;
  });
  if (contiguous && questionCount !== undefined && expectedFrom <= questionCount) {
    problems.add('bands', `bands leave scores ${expectedFrom}..${questionCount} uncovered`);
  }
}

/** Every problem in `value` as a risk form definition; empty when it is valid. Never throws. */
export function riskFormDefinitionProblems(value: unknown): string[] {
  const problems = new Problems();
  if (!isPlainObject(value)) {
    problems.add('definition', `must be an object, got ${describe(value)}`);
    return problems.list;
  }
  problems.unknownKeys('', value, DEFINITION_KEYS);
  problems.slug('code', value.code);
  problems.integer('version', value.version, 1, Number.MAX_SAFE_INTEGER);
  problems.localized('title', value.title);
  const categories = checkCategories(problems, value.categories);
  const questionCount = checkQuestions(problems, value.questions, categories);
  if (questionCount === undefined || questionCount > 0) {
    problems.integer('threshold', value.threshold, 1, questionCount ?? Number.MAX_SAFE_INTEGER);
  }
  checkBands(problems, value.bands, questionCount);
  return problems.list;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A short name for a definition in messages: `marak v1`, or `fallback` when unnamed. */
function riskFormLabel(value: unknown, fallback: string): string {
  if (isPlainObject(value) && typeof value.code === 'string' && typeof value.version === 'number') {
    return `${value.code} v${value.version}`;
  }
  return fallback;
}

/**
 * Validates `value` and returns a deep-frozen copy typed as a definition. Throws
 * {@link RiskFormDefinitionError} listing every problem found, each prefixed with the form's
 * `code vN`, or with `fallbackLabel` when the definition has no readable code and version.
 */
export function parseRiskFormDefinition(value: unknown, fallbackLabel = 'definition'): RiskFormDefinition {
  const problems = riskFormDefinitionProblems(value);
  if (problems.length > 0) {
    const label = riskFormLabel(value, fallbackLabel);
    throw new RiskFormDefinitionError(problems.map((problem) => `${label}: ${problem}`));
  }
  return deepFreeze(structuredClone(value) as RiskFormDefinition);
}

/** The `GET /risk-forms` line of a definition. */
export function riskFormSummary(form: RiskFormDefinition): RiskFormSummary {
  return {
    code: form.code,
    version: form.version,
    title: form.title,
    threshold: form.threshold,
    questionCount: form.questions.length,
  };
}
