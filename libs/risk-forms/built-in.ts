/**
 * The risk forms this deployment ships. A new form version is a new data file in `forms/`
 * plus one line in {@link BUILT_IN_RISK_FORMS}; no other code changes. Never edit or remove a
 * published version: referrals keep the version they were screened with.
 */
import marakV1 from './forms/marak-v1.json' with { type: 'json' };
import { RiskFormRegistry } from './registry.js';

/** Raw definitions, validated when a registry is built from them. */
export const BUILT_IN_RISK_FORMS: readonly unknown[] = Object.freeze([marakV1]);

/** The code of the MARAK screening form. */
export const MARAK_FORM_CODE = 'marak';

/** A registry of {@link BUILT_IN_RISK_FORMS}. */
export function defaultRiskForms(): RiskFormRegistry {
  return new RiskFormRegistry(BUILT_IN_RISK_FORMS);
}
