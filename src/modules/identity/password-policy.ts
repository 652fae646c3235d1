import { createRequire } from 'node:module';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** Finnish and Swedish favourites the English-language lists miss. */
const LOCAL_COMMON = ['salasana', 'salakala', 'lösenord', 'losenord', 'suomi', 'finland', 'kissa', 'koira', 'perkele', 'hyvinvointi', 'poliisi', 'marak', 'tervetuloa', 'kesä', 'talvi', 'syksy', 'kevät'];

/**
 * zxcvbn-ts's word lists, loaded on the first password checked rather than at start-up: they
 * are about 2.4 MB of live heap, which every full GC of every API process would otherwise mark
 * again, for the few requests that set a password (bench/RESULTS.md, 2026-12-05 session from 07:56
 * UTC). The first check of a process pays for loading them and building the set: 89–105 ms,
 * once (23–26 ms when only the set was built then); later checks take 0.2 ms. Its CommonJS
 * build, so that the check stays synchronous.
 */
type ZxcvbnCommon = typeof import('@zxcvbn-ts/language-common');

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  if (common) return common;
  const zxcvbnCommon = createRequire(import.meta.url)('@zxcvbn-ts/language-common') as ZxcvbnCommon;
  common = new Set([...zxcvbnCommon.dictionary['passwords-common'], ...LOCAL_COMMON].map((p) => p.toLowerCase()));
  return common;
}

export type PasswordRefusal = 'too-short' | 'too-long' | 'common';

/**
 * At least 12 characters and not a common password. "Common" also catches the usual dressing
 * of one: case, digits or symbols added at the end or start (`Salasana2026!`), and repetition
 * (`qwertyqwerty`).
 */
export function checkPassword(password: string, context: string[] = []): PasswordRefusal | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'too-short';
  if (password.length > MAX_PASSWORD_LENGTH) return 'too-long';
  const list = commonPasswords();
  const lower = password.toLowerCase();
  const core = lower.replace(/^[\d\W_]+/u, '').replace(/[\d\W_]+$/u, '');
  const candidates = [lower, core];
  const repeated = /^(.+?)\1+$/u.exec(lower);
  if (repeated) candidates.push(repeated[1]);
  if (candidates.some((c) => c.length > 0 && list.has(c))) return 'common';
  if (core.length < 4) return 'common'; // mostly digits and symbols: 1234567890!!
  const personal = context.map((c) => c.toLowerCase()).filter((c) => c.length >= 4);
  if (personal.some((c) => core === c || core.includes(c) && core.length - c.length < 4)) return 'common';
  return undefined;
}

export const PASSWORD_REFUSAL_TEXT: Record<PasswordRefusal, string> = {
  'too-short': `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`,
  'too-long': `The password may be at most ${MAX_PASSWORD_LENGTH} characters long.`,
  common: 'The password is too common or too easy to guess; choose a longer passphrase of unrelated words.',
};
