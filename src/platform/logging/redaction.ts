/**
 * Field names that may carry personal data or secrets. Logs redact them wherever they appear
 * (up to four levels deep), so a careless `logger.info({ body })` still leaks nothing.
 */
export const REDACTED_FIELDS = [
  'firstName', 'lastName', 'name', 'fullName', 'birthDate', 'identityCode', 'hetu', 'ssn',
  'address', 'phone', 'email', 'safeContactNote', 'specialCircumstances', 'summary',
  'immediateSafetyMeasures', 'professionalJudgement', 'views', 'wishes', 'riskSummary',
  'reason', 'note', 'outcome', 'description', 'victim', 'perpetrators', 'children',
  'password', 'newPassword', 'secret', 'code', 'mfaToken', 'accessToken', 'refreshToken',
  'token', 'authorization', 'cookie', 'set-cookie', 'to', 'recipient', 'subject', 'text', 'html',
] as const;

export function redactPaths(depth = 4): string[] {
  const paths: string[] = [];
  for (const field of REDACTED_FIELDS) {
    const plain = /^[A-Za-z_$][\w$]*$/.test(field);
    const at = (prefix: string) => (plain ? `${prefix}${prefix ? '.' : ''}${field}` : `${prefix}["${field}"]`);
    let prefix = '';
    for (let d = 0; d < depth; d++) {
      paths.push(at(prefix));
      prefix = prefix ? `${prefix}.*` : '*';
    }
  }
  return paths;
}
