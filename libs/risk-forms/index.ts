/**
 * Risk forms as versioned data: form definitions (`forms/*.json`), a validating registry,
 * answer validation, scoring, risk levels and the four eligibility grounds of a MARAK
 * referral. Pure: no Nest, no I/O.
 */
export {
  type LocalizedText,
  type RiskAnswer,
  type RiskBand,
  type RiskFormCategory,
  type RiskFormDefinition,
  type RiskFormLanguage,
  type RiskFormQuestion,
  type RiskFormSummary,
  type RiskLevel,
  RISK_ANSWERS,
  RISK_FORM_LANGUAGES,
  RISK_LEVELS,
} from './types.js';
export {
  RiskFormDefinitionError,
  parseRiskFormDefinition,
  riskFormDefinitionProblems,
  riskFormSummary,
} from './definition.js';
export { type RiskFormListOptions, RiskFormRegistry } from './registry.js';
export { BUILT_IN_RISK_FORMS, MARAK_FORM_CODE, defaultRiskForms } from './built-in.js';
export {
  type RiskAnswerError,
  type RiskAnswerErrorCode,
  type RiskAnswers,
  type RiskAnswersValidation,
  type RiskAssessment,
  RiskAnswersError,
  riskBandFor,
  riskLevelFor,
  scoreAssessment,
  validateAnswers,
} from './scoring.js';
export {
  type EligibilityGround,
  type EligibilityInput,
  type EligibilityResult,
  type EscalationReason,
  type GroundCheck,
  type ProfessionalJudgementReason,
  type RepeatReason,
  type ScoreReason,
  DEFAULT_ESCALATION_THRESHOLD,
  ELIGIBILITY_GROUNDS,
  PROFESSIONAL_JUDGEMENT_MIN_LENGTH,
  PROFESSIONAL_JUDGEMENT_MIN_WORDS,
  eligibility,
  normaliseProfessionalJudgement,
} from './eligibility.js';
