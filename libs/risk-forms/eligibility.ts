/**
 * The four eligibility grounds of a MARAK referral (DOMAIN.md, "A case's life", step 2). A
 * referral is eligible when any ground holds; every ground is checked and reported, held or
 * not, with a fixed reason code, so that a refusal can say why and a screen can show all four.
 *
 * Professional judgement may raise a case above the score, never lower one: judgement is only
 * ever an additional ground, so a score at or above the threshold is eligible whatever the
 * judgement says.
 */

export const ELIGIBILITY_GROUNDS = ['score', 'professional_judgement', 'escalation', 'repeat'] as const;
export type EligibilityGround = (typeof ELIGIBILITY_GROUNDS)[number];

/** Incidents in the last 12 months that make the `escalation` ground hold, unless the group sets its own. */
export const DEFAULT_ESCALATION_THRESHOLD = 3;

/**
 * A professional judgement is "reasoned" when, trimmed and with runs of whitespace collapsed
 * to one space, it is at least this many characters (Unicode code points) long and holds at
 * least {@link PROFESSIONAL_JUDGEMENT_MIN_WORDS} words. Twenty characters is one short clause
 * ("uhannut tappaa puukolla", "threatened with a knife"): enough to rule out a placeholder
 * ("x", "high risk", "see notes", a date) without asking for an essay when time matters.
 */
export const PROFESSIONAL_JUDGEMENT_MIN_LENGTH = 20;
/** Words are runs of at least two letters; see {@link PROFESSIONAL_JUDGEMENT_MIN_LENGTH}. */
export const PROFESSIONAL_JUDGEMENT_MIN_WORDS = 2;

export type ScoreReason = 'at-or-above-threshold' | 'below-threshold';
export type ProfessionalJudgementReason = 'reasoned' | 'absent' | 'too-short' | 'no-words';
export type EscalationReason = 'at-or-above-threshold' | 'below-threshold' | 'not-given';
export type RepeatReason = 'within-window' | 'outside-window' | 'no-earlier-referral';

export type GroundCheck =
  | { readonly ground: 'score'; readonly held: boolean; readonly reason: ScoreReason }
  | { readonly ground: 'professional_judgement'; readonly held: boolean; readonly reason: ProfessionalJudgementReason }
  | { readonly ground: 'escalation'; readonly held: boolean; readonly reason: EscalationReason }
  | { readonly ground: 'repeat'; readonly held: boolean; readonly reason: RepeatReason };

export interface EligibilityInput {
  /** From `scoreAssessment`: the count of `yes` answers and the form version's threshold. */
  readonly assessment: { readonly score: number; readonly threshold: number };
  /** The referrer's reasoning why the risk is high. */
  readonly professionalJudgement?: string | null;
  /** Domestic violence incidents known to any agency in the last 12 months. */
  readonly incidents12Months?: number | null;
  /** The group's setting; default {@link DEFAULT_ESCALATION_THRESHOLD}. */
  readonly escalationThreshold?: number;
  /**
   * Absent when the victim has no earlier MARAK referral in this group; otherwise whether this
   * referral falls within the group's repeat window after the last one.
   */
  readonly repeat?: { readonly withinWindow: boolean } | null;
}

export interface EligibilityResult {
  readonly eligible: boolean;
  /** The grounds that hold, in {@link ELIGIBILITY_GROUNDS} order. */
  readonly grounds: readonly EligibilityGround[];
  /** All four grounds, in {@link ELIGIBILITY_GROUNDS} order. */
  readonly checked: readonly GroundCheck[];
}

function assertInteger(value: unknown, what: string, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`Invalid ${what} ${String(value)}: expected an integer of at least ${min}`);
  }
}

/** Trims, collapses whitespace and composes (NFC) a judgement text. */
export function normaliseProfessionalJudgement(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

function judgementReason(text: string | null | undefined): ProfessionalJudgementReason {
  if (text === undefined || text === null) return 'absent';
  if (typeof text !== 'string') throw new TypeError('Invalid professional judgement: expected a string');
  const normalised = normaliseProfessionalJudgement(text);
  if (normalised === '') return 'absent';
  if ([...normalised].length < PROFESSIONAL_JUDGEMENT_MIN_LENGTH) return 'too-short';
  const words = normalised.match(/\p{L}{2,}/gu)?.length ?? 0;
  return words < PROFESSIONAL_JUDGEMENT_MIN_WORDS ? 'no-words' : 'reasoned';
}

/** Checks all four grounds. Throws a `RangeError` on a negative or fractional count. */
export function eligibility(input: EligibilityInput): EligibilityResult {
  const { score, threshold } = input.assessment;
  assertInteger(score, 'score', 0);
  assertInteger(threshold, 'threshold', 1);
  const escalationThreshold = input.escalationThreshold ?? DEFAULT_ESCALATION_THRESHOLD;
  assertInteger(escalationThreshold, 'escalation threshold', 1);
  const incidents = input.incidents12Months ?? undefined;
  if (incidents !== undefined) assertInteger(incidents, 'incident count', 0);
  const repeat = input.repeat ?? undefined;
  if (repeat !== undefined && typeof repeat.withinWindow !== 'boolean') {
    throw new TypeError('Invalid repeat: withinWindow must be a boolean');
  }

  const scoreHeld = score >= threshold;
  const judgement = judgementReason(input.professionalJudgement);
  const escalationReason: EscalationReason =
    incidents === undefined ? 'not-given' : incidents >= escalationThreshold ? 'at-or-above-threshold' : 'below-threshold';
  const repeatReason: RepeatReason =
    repeat === undefined ? 'no-earlier-referral' : repeat.withinWindow ? 'within-window' : 'outside-window';

  const checked: GroundCheck[] = [
    { ground: 'score', held: scoreHeld, reason: scoreHeld ? 'at-or-above-threshold' : 'below-threshold' },
    { ground: 'professional_judgement', held: judgement === 'reasoned', reason: judgement },
    { ground: 'escalation', held: escalationReason === 'at-or-above-threshold', reason: escalationReason },
    { ground: 'repeat', held: repeatReason === 'within-window', reason: repeatReason },
  ];
  const grounds = checked.filter((check) => check.held).map((check) => check.ground);
  return { eligible: grounds.length > 0, grounds, checked };
}
