import { Problem } from './problems/problem.js';

/**
 * The version a write expects, from `If-Match: <version>` (quotes and W/ tolerated) or
 * `version` in the body; undefined when the client sent neither.
 */
export function expectedVersion(ifMatch: string | undefined, bodyVersion?: number): number | undefined {
  if (ifMatch !== undefined && ifMatch !== '') {
    const v = Number(ifMatch.replace(/^W\//, '').replace(/"/g, '').trim());
    if (!Number.isInteger(v) || v < 1) throw new Problem(400, 'invalid-if-match', 'Bad Request', 'If-Match must carry the resource version, a positive integer.');
    if (bodyVersion !== undefined && bodyVersion !== v) throw new Problem(400, 'invalid-if-match', 'Bad Request', 'If-Match and version disagree.');
    return v;
  }
  return bodyVersion;
}
