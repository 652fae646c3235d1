/**
 * The shape of a risk form definition. A definition is plain, JSON-compatible data (see
 * `forms/*.json`); it is checked at run time by `parseRiskFormDefinition` before anything uses
 * it, so these types describe data that has already passed validation.
 */

/** Languages every text of a form must be given in. */
export const RISK_FORM_LANGUAGES = ['fi', 'sv', 'en'] as const;
export type RiskFormLanguage = (typeof RISK_FORM_LANGUAGES)[number];

/** A text in every language of {@link RISK_FORM_LANGUAGES}. */
export type LocalizedText = Readonly<Record<RiskFormLanguage, string>>;

/** The answers a question accepts. `unknown` is never counted as `yes`. */
export const RISK_ANSWERS = ['yes', 'no', 'unknown'] as const;
export type RiskAnswer = (typeof RISK_ANSWERS)[number];

/** Risk levels, lowest first (the same vocabulary as a conference outcome's `riskLevel`). */
export const RISK_LEVELS = ['standard', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** A group of questions, shown as a heading. Defined by the form, not by code. */
export interface RiskFormCategory {
  /** Stable slug, for example `perpetrator`. */
  readonly id: string;
  readonly title: LocalizedText;
}

export interface RiskFormQuestion {
  /** Stable slug, for example `latest-incident-injury`. Answers are keyed by it. */
  readonly id: string;
  /** Id of one of the form's {@link RiskFormDefinition.categories}. */
  readonly category: string;
  /** The question, phrased so that it can be answered yes, no or unknown. */
  readonly text: LocalizedText;
}

/** Scores `from`..`to` (inclusive) are shown as `level`. */
export interface RiskBand {
  readonly from: number;
  readonly to: number;
  readonly level: RiskLevel;
}

export interface RiskFormDefinition {
  /** Form family, for example `marak`. A referral stores it with {@link version}. */
  readonly code: string;
  /** Positive integer; the highest registered version of a code is its latest. */
  readonly version: number;
  readonly title: LocalizedText;
  /** The `score` ground holds when the count of `yes` answers is at or above this. */
  readonly threshold: number;
  /** Contiguous bands covering every score 0..questions.length, levels never decreasing. */
  readonly bands: readonly RiskBand[];
  readonly categories: readonly RiskFormCategory[];
  /** In the order they are asked. */
  readonly questions: readonly RiskFormQuestion[];
}

/** One line of `GET /risk-forms`. */
export interface RiskFormSummary {
  readonly code: string;
  readonly version: number;
  readonly title: LocalizedText;
  readonly threshold: number;
  readonly questionCount: number;
}
