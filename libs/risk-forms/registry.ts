/**
 * An immutable set of risk form definitions, keyed by code and version. Every definition is
 * validated when the registry is built, so a broken data file fails at start-up, not when a
 * referral is scored. Old versions stay retrievable: a referral stores the `code` and `version`
 * it was screened with and is always re-scored with exactly that version.
 */
import {
  parseRiskFormDefinition,
  RiskFormDefinitionError,
  riskFormSummary,
} from './definition.js';
import type { RiskFormDefinition, RiskFormSummary } from './types.js';

export interface RiskFormListOptions {
  /** Also list versions older than the latest of each code. Default false. */
  readonly allVersions?: boolean;
}

export class RiskFormRegistry {
  /** code → definitions, ascending by version. */
  readonly #byCode = new Map<string, readonly RiskFormDefinition[]>();

  /**
   * Validates every definition and builds the registry. Throws {@link RiskFormDefinitionError}
   * listing every problem of every definition, including a code and version registered twice.
   */
  constructor(definitions: Iterable<unknown>) {
    const problems: string[] = [];
    const byCode = new Map<string, RiskFormDefinition[]>();
    for (const [index, value] of [...definitions].entries()) {
      let form: RiskFormDefinition;
      try {
        form = parseRiskFormDefinition(value, `definitions[${index}]`);
      } catch (error) {
        if (!(error instanceof RiskFormDefinitionError)) throw error;
        problems.push(...error.problems);
        continue;
      }
      const versions = byCode.get(form.code) ?? [];
      if (versions.some((other) => other.version === form.version)) {
        problems.push(`${form.code} v${form.version}: registered twice; a code and version pair must be unique`);
        continue;
      }
      versions.push(form);
      byCode.set(form.code, versions);
    }
    if (problems.length > 0) throw new RiskFormDefinitionError(problems);
    for (const code of [...byCode.keys()].sort()) {
      const versions = byCode.get(code)!.sort((a, b) => a.version - b.version);
      this.#byCode.set(code, Object.freeze(versions));
    }
  }

  /** Exactly `version` of `code`, or undefined when it is not registered. */
  get(code: string, version: number): RiskFormDefinition | undefined {
    return this.#byCode.get(code)?.find((form) => form.version === version);
  }

  /** The highest version of `code`, or undefined when no version is registered. */
  latest(code: string): RiskFormDefinition | undefined {
    return this.#byCode.get(code)?.at(-1);
  }

  /** Registered versions of `code`, ascending; empty when none. */
  versions(code: string): number[] {
    return (this.#byCode.get(code) ?? []).map((form) => form.version);
  }

  /** Registered codes, sorted. */
  codes(): string[] {
    return [...this.#byCode.keys()];
  }

  /**
   * `GET /risk-forms`: the latest version of each code (or every version), sorted by code,
   * then version.
   */
  list(options: RiskFormListOptions = {}): RiskFormSummary[] {
    const forms = [...this.#byCode.values()].flatMap((versions) =>
      options.allVersions === true ? versions : versions.slice(-1),
    );
    return forms.map(riskFormSummary);
  }
}
