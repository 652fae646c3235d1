/**
 * Answers and scores. The score is the count of `yes` answers; `unknown` is never `yes`.
 * A question the referrer left unanswered counts as `unknown` (the form is completed with the
 * victim when it is safe to talk, and not every question can always be asked), and the counts
 * of answered and missing questions are reported so that a screen can show them.
 *
 * Answers may hold free text from a client, so no answer value is ever put into an error:
 * errors carry the field (`answers.<questionId>`) and a fixed code only. A key that is not even
 * shaped like a question id (a lowercase slug of at most 64 characters) is reported against
 * `answers` itself, so that no client text reaches an error, a log or a message.
 */
import {
  RISK_ANSWERS,
  type RiskAnswer,
  type RiskBand,
  type RiskFormDefinition,
  type RiskLevel,
} from './types.js';

/** A complete answer map: every question of the form, in form order. */
export type RiskAnswers = Readonly<Record<string, RiskAnswer>>;

export type RiskAnswerErrorCode = 'not-an-object' | 'unknown-question' | 'invalid-answer';

export interface RiskAnswerError {
  /** `answers` for the map itself, `answers.<questionId>` for one entry. */
  readonly field: string;
  readonly code: RiskAnswerErrorCode;
}

export type RiskAnswersValidation =
  | {
      readonly ok: true;
      /** Every question of the form, in form order; a missing answer is `unknown`. */
      readonly answers: RiskAnswers;
      /** Questions answered `yes` or `no`. */
      readonly answered: number;
      /** Ids of questions with no answer at all (counted as `unknown`), in form order. */
      readonly missing: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly RiskAnswerError[] };

/** Thrown by {@link scoreAssessment} on answers {@link validateAnswers} rejects. */
export class RiskAnswersError extends Error {
  readonly errors: readonly RiskAnswerError[];

  constructor(errors: readonly RiskAnswerError[]) {
    super(`Invalid risk form answers: ${errors.map((e) => `${e.field} ${e.code}`).join(', ')}`);
    this.name = 'RiskAnswersError';
    this.errors = Object.freeze([...errors]);
  }
}

export interface RiskAssessment {
  readonly formCode: string;
  readonly formVersion: number;
  readonly questionCount: number;
  /** Count of `yes` answers. */
  readonly score: number;
  /** Count of `unknown` answers, including questions left unanswered. */
  readonly unknown: number;
  /** Count of `yes` and `no` answers. */
  readonly answered: number;
  /** Count of questions left unanswered (already included in {@link unknown}). */
  readonly missing: number;
  readonly threshold: number;
  /** `score >= threshold`: the `score` eligibility ground. */
  readonly atOrAboveThreshold: boolean;
  readonly level: RiskLevel;
  readonly band: RiskBand;
}

const ID_SHAPED = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const ID_SHAPED_MAX_LENGTH = 64;

function fieldOf(key: string): string {
  return key.length <= ID_SHAPED_MAX_LENGTH && ID_SHAPED.test(key) ? `answers.${key}` : 'answers';
}

function isRiskAnswer(value: unknown): value is RiskAnswer {
  return typeof value === 'string' && (RISK_ANSWERS as readonly string[]).includes(value);
}

function isAnswerObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Realm-independent (JSON modules and structuredClone may come from another realm, as in
  // jest's VM contexts): the prototype is null or some realm's Object.prototype.
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * Checks `answers` (`{ [questionId]: 'yes' | 'no' | 'unknown' }`, as sent by a client) against
 * `form`. Every entry must name a question of the form and hold exactly `yes`, `no` or
 * `unknown`; questions may be left out. Never throws.
 */
export function validateAnswers(form: RiskFormDefinition, answers: unknown): RiskAnswersValidation {
  if (!isAnswerObject(answers)) {
    return { ok: false, errors: [{ field: 'answers', code: 'not-an-object' }] };
  }
  const ids = new Set(form.questions.map((question) => question.id));
  const errors: RiskAnswerError[] = [];
  for (const key of Object.keys(answers)) {
    if (!ids.has(key)) {
      errors.push({ field: fieldOf(key), code: 'unknown-question' });
    } else if (!isRiskAnswer(answers[key])) {
      errors.push({ field: `answers.${key}`, code: 'invalid-answer' });
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const normalised: Record<string, RiskAnswer> = {};
  const missing: string[] = [];
  let answered = 0;
  for (const { id } of form.questions) {
    const answer = Object.hasOwn(answers, id) ? (answers[id] as RiskAnswer) : undefined;
    if (answer === undefined) missing.push(id);
    if (answer === 'yes' || answer === 'no') answered += 1;
    normalised[id] = answer ?? 'unknown';
  }
  return { ok: true, answers: Object.freeze(normalised), answered, missing: Object.freeze(missing) };
}

/** The band holding `score`. Throws a `RangeError` unless `score` is an integer 0..questionCount. */
export function riskBandFor(form: RiskFormDefinition, score: number): RiskBand {
  if (!Number.isSafeInteger(score) || score < 0 || score > form.questions.length) {
    throw new RangeError(
      `Invalid score ${String(score)} for ${form.code} v${form.version}: expected an integer 0..${form.questions.length}`,
    );
  }
  // Validated definitions cover 0..questionCount without gaps, so a band always exists.
  return form.bands.find((band) => score >= band.from && score <= band.to)!;
}

/** The risk level shown for `score` (for MARAK v1: 0–9 standard, 10–13 medium, 14+ high). */
export function riskLevelFor(form: RiskFormDefinition, score: number): RiskLevel {
  return riskBandFor(form, score).level;
}

/**
 * Scores `answers` with `form`, the exact version the referral was screened with. Throws
 * {@link RiskAnswersError} on answers {@link validateAnswers} rejects.
 */
export function scoreAssessment(form: RiskFormDefinition, answers: unknown): RiskAssessment {
  const validation = validateAnswers(form, answers);
  if (!validation.ok) throw new RiskAnswersError(validation.errors);
  const values = Object.values(validation.answers);
  const score = values.filter((answer) => answer === 'yes').length;
  const band = riskBandFor(form, score);
  return {
    formCode: form.code,
    formVersion: form.version,
    questionCount: form.questions.length,
    score,
    unknown: values.length - validation.answered,
    answered: validation.answered,
    missing: validation.missing.length,
    threshold: form.threshold,
    atOrAboveThreshold: score >= form.threshold,
    level: band.level,
    band,
  };
}
