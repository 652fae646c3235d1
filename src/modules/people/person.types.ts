/**
 * The shapes other modules exchange with PeopleService. Plain types: the HTTP shapes with
 * validation and OpenAPI metadata are in ./dto/person.dto.ts.
 */

export const PERSON_ROLES = ['victim', 'perpetrator', 'child'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];

/** Coarse gender kept in clear for statistics: 'other' and 'unknown' are one cell (see people.service.ts). */
export const STAT_GENDERS = ['female', 'male', 'other_or_unknown'] as const;
export type StatGender = (typeof STAT_GENDERS)[number];

/** Age bands kept in clear for statistics (age when the person was recorded or last changed). */
export const AGE_BANDS = ['0-15', '16-17', '18-24', '25-34', '35-44', '45-54', '55-64', '65+', 'unknown'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/**
 * A victim, a perpetrator (API.md `Person`) or a child (API.md `Child`; a child has no gender,
 * contact details or special circumstances in the API, and `livesWithVictim` is stored only for
 * children). `birthDate` is `YYYY-MM-DD`; when it is missing and a valid identity code is given,
 * the code's birth date is stored.
 */
export interface PersonInput {
  firstName: string;
  lastName?: string;
  birthDate?: string;
  identityCode?: string;
  gender?: Gender;
  language?: string;
  interpreterNeeded?: boolean;
  address?: string;
  phone?: string;
  safeContactNote?: string;
  specialCircumstances?: string[];
  livesWithVictim?: boolean;
}

/** A change: a field left out stays as it is; `null` clears it (the first name cannot be cleared). */
export type PersonPatch = { [K in keyof PersonInput]?: PersonInput[K] | null };

/** A decrypted person. Fields that are not stored (or were destroyed by anonymisation) are absent. */
export interface PersonView extends Partial<PersonInput> {
  id: string;
  groupId: string;
  role: PersonRole;
  statGender: StatGender;
  statAgeBand: AgeBand;
  /** Set once retention has destroyed the personal fields; the view then carries none. */
  anonymisedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What a repeat or cross-group lookup is made of. */
export interface MatchQuery {
  identityCode?: string;
  firstName: string;
  lastName?: string;
  birthDate?: string;
}

export interface MatchOptions {
  /** Only this group; omitted: the whole deployment (never show the caller another group's data). */
  groupId?: string;
  role: PersonRole;
  /** People to leave out (the person the caller has just stored in the same transaction). */
  excludeIds?: readonly string[];
}

export interface PersonMatch {
  personId: string;
  groupId: string;
  /** Which blind index found the person. */
  matchedBy: 'identity-code' | 'name-birth-date';
  createdAt: string;
}

export interface ReencryptionReport {
  /** Rows looked at (each had at least one blob under an older key version). */
  rows: number;
  /** Rows written back under the current key. */
  reencryptedRows: number;
  /** Blobs re-encrypted. */
  reencryptedFields: number;
  /** Rows whose blobs could not be decrypted (unknown key version, tampering); left as they were. */
  failedIds: string[];
  currentKeyVersion: number;
}
