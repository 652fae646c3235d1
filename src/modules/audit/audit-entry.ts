/**
 * What a caller hands to the audit log, and the rules that turn it into the content of a row.
 * Pure: no Nest, no I/O. Errors name the field at fault but never echo a value (a value that
 * fails these rules may be exactly the personal data that must not be written anywhere).
 */
import type { AuthUser, RequestContext } from '../../common/request-context.js';

/**
 * The only keys `details` may carry: ids, codes, counts and flags. Adding a key is a review
 * point: it must never be able to hold a name, an identity code, an address, a phone number
 * or free text about a person.
 */
export const AUDIT_DETAIL_KEYS = [
  'result', // 'success' | 'failure' | 'refused'
  'reasonCode', // a problem slug such as 'not-eligible' or 'invalid-credentials'
  'fromState',
  'toState',
  'state',
  'kind', // a timer, notification or document kind
  'method', // 'password' | 'totp' | 'refresh'
  'permission',
  'role',
  'roles',
  'fields', // names of changed fields, never their values
  'count',
  'version',
  'format', // 'csv' | 'pdf' | 'json'
  'restricted',
  'dueDate', // of an action: a date about work, not about a person
  'periodFrom',
  'periodTo',
  'agencyId',
  'userId',
  'caseId',
  'caseRef', // 'MRK-2026-0042'
  'referralId',
  'conferenceId',
  'hearingId',
  'actionId',
  'timerId',
  'notificationId',
  'sessionId',
  'jobId',
  'valid',
  'checked',
] as const;

export type AuditDetailKey = (typeof AUDIT_DETAIL_KEYS)[number];
export type AuditDetailScalar = string | number | boolean | null;
export type AuditDetailValue = AuditDetailScalar | readonly (string | number | boolean)[];
export type AuditDetails = Partial<Record<AuditDetailKey, AuditDetailValue>>;

/** Who acted, when it is not the request's signed-in user (a job acting for the system, a login). */
export interface AuditActor {
  id: string | null;
  agencyId: string | null;
  /** Role codes: `admin`, `coordinator@<groupId>`. */
  roles: readonly string[];
}

export interface AuditEntry {
  /** `<object>.<verb>`: `case.read`, `referral.submit`, `user.create`, `auth.login`. */
  action: string;
  /** `case`, `referral`, `person`, `user`, … */
  objectType: string;
  /** An id or a code (uuid, `MRK-2026-0042`); never a name. */
  objectId?: string | null;
  /** The people (data subjects) whose data this concerns: what their access report finds. */
  subjectIds?: readonly string[];
  groupId?: string | null;
  details?: AuditDetails;
  /** Defaults to the request's user; `null` records the system (or nobody signed in). */
  actor?: AuditActor | AuthUser | null;
  /** Defaults to the request's stated purpose (`X-Purpose`). */
  purpose?: string | null;
  /** Defaults to the request id; a job passes its own (`job:<queue>:<id>`). */
  requestId?: string | null;
}

/** The content of a row the chain covers, apart from its position (seq, id, time). */
export interface AuditContent {
  actorId: string | null;
  actorAgencyId: string | null;
  actorRoles: string[];
  action: string;
  objectType: string;
  objectId: string | null;
  subjectIds: string[];
  purpose: string | null;
  requestId: string | null;
  groupId: string | null;
  details: Record<string, AuditDetailValue>;
}

/** A programming error: the entry is refused, and with it the caller's read or write. */
export class AuditEntryError extends Error {
  override name = 'AuditEntryError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTION = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;
const OBJECT_TYPE = /^[a-z][a-z0-9_-]*$/;
const OBJECT_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const PURPOSE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const ROLE_CODE = /^[a-z_]{1,32}(@[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$/;
/** Codes and ids: no spaces, so no sentences, no "first last" names. */
const DETAIL_STRING = /^[A-Za-z0-9._:@/+-]{0,128}$/;
const MAX_ARRAY = 100;
const MAX_SUBJECTS = 100;
const MAX_DETAILS_BYTES = 4096;
const SAFE_KEY_NAME = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

function uuid(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new AuditEntryError(`audit ${field} must be a uuid`);
  return value.toLowerCase();
}

function optional<T>(value: T | null | undefined, check: (v: T) => string): string | null {
  return value === undefined || value === null ? null : check(value);
}

function matching(pattern: RegExp, field: string, max = 128) {
  return (value: unknown): string => {
    if (typeof value !== 'string' || value.length > max || !pattern.test(value)) {
      throw new AuditEntryError(`audit ${field} is not an accepted code`);
    }
    return value;
  };
}

/** `admin`, `coordinator@<groupId>`: how a role grant is written in the log. */
export function roleCode(grant: { role: string; groupId: string | null }): string {
  return grant.groupId ? `${grant.role}@${grant.groupId.toLowerCase()}` : grant.role;
}

function isAuthUser(actor: AuditActor | AuthUser): actor is AuthUser {
  return Array.isArray(actor.roles) && actor.roles.some((r) => typeof r === 'object' && r !== null);
}

function normaliseActor(actor: AuditActor | AuthUser | null | undefined): { id: string | null; agencyId: string | null; roles: string[] } {
  if (!actor) return { id: null, agencyId: null, roles: [] };
  const roles = isAuthUser(actor) ? actor.roles.map(roleCode) : [...(actor as AuditActor).roles];
  const codes = [...new Set(roles.map((r) => matching(ROLE_CODE, 'actor role', 80)(typeof r === 'string' ? r.toLowerCase() : r)))].sort();
  return { id: optional(actor.id, (v) => uuid(v, 'actor id')), agencyId: optional(actor.agencyId, (v) => uuid(v, 'actor agency id')), roles: codes };
}

function detailScalar(key: string, value: unknown): AuditDetailScalar {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new AuditEntryError(`audit detail ${key} must be a safe integer`);
    return value;
  }
  if (typeof value === 'string') return matching(DETAIL_STRING, `detail ${key}`)(value);
  throw new AuditEntryError(`audit detail ${key} must be a code, an integer, a boolean or null`);
}

/**
 * Keeps `details` to codes: only allow-listed keys; strings without spaces (128 characters at
 * most); safe integers; booleans; null; flat arrays of those (100 items at most); 4 KiB in all.
 * Values survive a trip through jsonb unchanged, so the hash recomputes.
 */
export function validateDetails(details: unknown): Record<string, AuditDetailValue> {
  if (details === undefined || details === null) return {};
  if (typeof details !== 'object' || Array.isArray(details)) throw new AuditEntryError('audit details must be an object');
  const out: Record<string, AuditDetailValue> = {};
  for (const [key, value] of Object.entries(details as Record<string, unknown>)) {
    if (!(AUDIT_DETAIL_KEYS as readonly string[]).includes(key)) {
      // Key names come from code, but never echo one that could be something else.
      throw new AuditEntryError(`audit detail key ${SAFE_KEY_NAME.test(key) ? `"${key}" ` : ''}is not on the allow-list`);
    }
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > MAX_ARRAY) throw new AuditEntryError(`audit detail ${key} has more than ${MAX_ARRAY} items`);
      out[key] = value.map((v) => {
        const s = detailScalar(key, v);
        if (s === null) throw new AuditEntryError(`audit detail ${key} may not contain null`);
        return s;
      });
    } else {
      out[key] = detailScalar(key, value);
    }
  }
  if (Buffer.byteLength(JSON.stringify(out), 'utf8') > MAX_DETAILS_BYTES) throw new AuditEntryError(`audit details exceed ${MAX_DETAILS_BYTES} bytes`);
  return out;
}

/**
 * The row content for an entry: fields validated, uuids lowercased, roles and subjects sorted
 * and de-duplicated (so the canonical form is stable), actor, purpose and request id taken from
 * the request's context unless the entry says otherwise.
 */
export function normaliseAuditEntry(entry: AuditEntry, ctx?: RequestContext): AuditContent {
  if (!entry || typeof entry !== 'object') throw new AuditEntryError('audit entry missing');
  const actor = normaliseActor(entry.actor === undefined ? ctx?.user : entry.actor);
  const subjects = entry.subjectIds ?? [];
  if (!Array.isArray(subjects)) throw new AuditEntryError('audit subject ids must be an array');
  if (subjects.length > MAX_SUBJECTS) throw new AuditEntryError(`audit entry names more than ${MAX_SUBJECTS} subjects`);
  return {
    actorId: actor.id,
    actorAgencyId: actor.agencyId,
    actorRoles: actor.roles,
    action: matching(ACTION, 'action', 64)(entry.action),
    objectType: matching(OBJECT_TYPE, 'object type', 64)(entry.objectType),
    objectId: optional(entry.objectId, matching(OBJECT_ID, 'object id')),
    subjectIds: [...new Set(subjects.map((s) => uuid(s, 'subject id')))].sort(),
    purpose: optional(entry.purpose === undefined ? ctx?.purpose : entry.purpose, matching(PURPOSE, 'purpose', 64)),
    requestId: optional(entry.requestId === undefined ? ctx?.requestId : entry.requestId, matching(REQUEST_ID, 'request id')),
    groupId: optional(entry.groupId, (v) => uuid(v, 'group id')),
    details: validateDetails(entry.details),
  };
}
