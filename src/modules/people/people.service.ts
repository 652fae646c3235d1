import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { toHelsinkiDate } from '../../../libs/business-calendar/index.js';
import { FieldDecryptError, keyVersionOf, nameAndBirthDateKey } from '../../../libs/field-crypto/index.js';
import { Problem } from '../../common/problems/problem.js';
import { Clock } from '../../platform/clock/clock.js';
import { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { BLIND_INDEX_COLUMNS, ENCRYPTED_COLUMNS, ENCRYPTED_FIELDS, PEOPLE_TABLE, type EncryptedKey } from './person-fields.js';
import { ageBand, at, hasIndexableName, resolveIdentity, statGender } from './person-rules.js';
import {
  GENDERS,
  PERSON_ROLES,
  type AgeBand,
  type MatchOptions,
  type MatchQuery,
  type PersonInput,
  type PersonMatch,
  type PersonPatch,
  type PersonRole,
  type PersonView,
  type ReencryptionReport,
  type StatGender,
} from './person.types.js';

/** A manager for reads: a transaction's, or the DataSource itself. */
type Queryable = EntityManager | DataSource;

/** The columns of a person that are not personal data. */
interface PersonMeta {
  id: string;
  group_id: string;
  role: PersonRole;
  stat_gender: StatGender;
  stat_age_band: AgeBand;
  lives_with_victim: boolean | null;
  anonymised_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

interface PersonRow extends PersonMeta {
  identity_code_bidx: Buffer | null;
  name_birth_bidx: Buffer | null;
  [encryptedColumn: string]: unknown;
}

/** A person checked and normalised, ready to encrypt. */
interface Prepared {
  values: Partial<Record<EncryptedKey, unknown>>;
  livesWithVictim: boolean | null;
  statGender: StatGender;
  statAgeBand: AgeBand;
  identityCodeBidx: Buffer | null;
  nameBirthBidx: Buffer | null;
}

const INSERT_COLUMNS = ['id', 'group_id', 'role', ...ENCRYPTED_COLUMNS, 'identity_code_bidx', 'name_birth_bidx', 'stat_gender', 'stat_age_band', 'lives_with_victim'];

const SELECT_PERSON = `SELECT id, group_id, role, ${ENCRYPTED_COLUMNS.join(', ')}, identity_code_bidx, name_birth_bidx,
                              stat_gender, stat_age_band, lives_with_victim, anonymised_at, version, created_at, updated_at
                         FROM people`;

/**
 * Victims, perpetrators and children: the module's only door (no other module reads the
 * `people` table).
 *
 * Storage. Every personal field is encrypted in the application (`libs/field-crypto`,
 * AES-256-GCM envelope, bound to table, column and row id) into its own `<field>_enc bytea`
 * column: first and last name, birth date, identity code, gender, language, the interpreter
 * flag (with the language it hints at origin), address, phone, the safe-contact note and the
 * special circumstances (one JSON blob). The row id is generated here before encrypting.
 * Lookups use only HMAC blind indexes: `identity_code_bidx` (normalised code) and
 * `name_birth_bidx` (normalised first + last name + birth date; null without a birth date or
 * names). When only an identity code is given, the code's birth date is stored as the birth
 * date, so a later referral with name and birth date alone finds the person too.
 *
 * In clear, on purpose, for statistics (DOMAIN.md: victims by gender and age band, children in
 * households) and kept after anonymisation: `stat_gender` (female | male | other_or_unknown:
 * a rare answer shares a cell with "unknown"), `stat_age_band` (0-15, 16-17, 18-24, … 65+,
 * unknown: the age when the person was recorded or last changed, never the date or the year),
 * `lives_with_victim` (children only), plus `group_id`, `role` and the timestamps any row has.
 * None of them names anyone; together with the group they describe a cell, and the reporting
 * module suppresses cells under 5.
 *
 * Auditing. This service writes no audit rows: its callers do, one row per use case in the
 * same transaction, with `subjectIds` naming every person whose data was read or written
 * (`referral.submit` with victim, perpetrators and children; `case.read` with the people
 * shown). Every call of `read`/`readMany` must be audited by the caller with the person ids
 * as `subjectIds`, or the data subject's access report misses it. Writes demand the manager of
 * an open transaction so that the audit row commits or rolls back with them.
 *
 * Errors never contain personal data: identity-code and birth-date refusals are 400 problems
 * that say what is wrong and in which field, never the value.
 */
@Injectable()
export class PeopleService {
  /** The key version new blobs are written under (the last of MARAK_DATA_KEYS). */
  readonly currentKeyVersion: number;

  constructor(
    private readonly crypto: FieldCryptoService,
    private readonly clock: Clock,
  ) {
    this.currentKeyVersion = keyVersionOf(crypto.encrypt('', { table: PEOPLE_TABLE, column: 'key-version-probe', rowId: 'probe' }));
  }

  /**
   * Stores a person. `field` is where the person sits in the caller's request (`victim`,
   * `children.0`), used in the paths of validation errors. 400 `invalid-identity-code` for a
   * code that fails `libs/hetu` (format, date or check character); 400 `invalid-birth-date`
   * for a malformed or future date; 400 `birth-date-mismatch` when the birth date and the
   * code's birth date differ; 404 when the group does not exist.
   */
  async create(manager: EntityManager, input: { groupId: string; role: PersonRole; person: PersonInput; field?: string }): Promise<{ id: string }> {
    requireTransaction(manager, 'create');
    const [view] = await this.createMany(manager, input.groupId, [input]);
    return { id: view!.id };
  }

  /**
   * `create` for several people of one group in one statement, checked in the order given (the
   * first refusal is the one `create` one at a time would make first). Returns each person's
   * view, as `readMany` would show them right after, built from the values written (nothing is
   * read back or decrypted). The caller audits the write with the ids as `subjectIds`.
   */
  async createMany(
    manager: EntityManager,
    groupId: string,
    inputs: readonly { role: PersonRole; person: PersonInput; field?: string }[],
  ): Promise<PersonView[]> {
    requireTransaction(manager, 'createMany');
    if (inputs.length === 0) return [];
    for (const input of inputs) if (!PERSON_ROLES.includes(input.role)) throw new TypeError('PeopleService.createMany: unknown role');
    const today = this.today();
    const people = inputs.map((input) => ({ id: randomUUID(), role: input.role, prepared: this.prepare(input.role, input.person, input.field, today) }));
    const params: unknown[] = [];
    const tuples = people.map(({ id, role, prepared }) => {
      const first = params.length + 1;
      params.push(
        id, groupId, role, ...this.encryptAll(id, prepared.values),
        prepared.identityCodeBidx, prepared.nameBirthBidx, prepared.statGender, prepared.statAgeBand, prepared.livesWithVictim,
      );
      return `(${Array.from({ length: params.length - first + 1 }, (_, i) => `$${first + i}`).join(', ')})`;
    });
    const rows: Array<{ id: string; version: number; created_at: Date; updated_at: Date }> = await manager
      .query(`INSERT INTO people (${INSERT_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} RETURNING id, version, created_at, updated_at`, params)
      .catch((e: { driverError?: { code?: string; constraint?: string } }) => {
        if (e.driverError?.code === '23503') throw Problem.notFound('The group');
        throw e;
      });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return people.map(({ id, role, prepared }) => {
      const row = byId.get(id)!;
      return this.toView({
        id,
        group_id: groupId,
        role,
        lives_with_victim: prepared.livesWithVictim,
        stat_gender: prepared.statGender,
        stat_age_band: prepared.statAgeBand,
        anonymised_at: null,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
      }, decoded(prepared.values));
    });
  }

  /** The decrypted person, or 404. The caller audits the read (`subjectIds: [id]`). */
  async read(manager: Queryable, id: string): Promise<PersonView> {
    const [view] = await this.readMany(manager, [id]);
    if (!view) throw Problem.notFound('The person');
    return view;
  }

  /** Decrypted people in the order of `ids`; unknown ids are left out. The caller audits the read. */
  async readMany(manager: Queryable, ids: readonly string[]): Promise<PersonView[]> {
    if (ids.length === 0) return [];
    const rows: PersonRow[] = await manager.query(`${SELECT_PERSON} WHERE id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [this.toView(row, this.decryptAll(row))] : [];
    });
  }

  /**
   * Changes a person: a field left out stays, `null` clears it. A new identity code without a
   * birth date brings its own birth date. Blind indexes and statistics codes follow. 404
   * unknown; 409 `person-anonymised`; 409 `version-conflict` when `expectedVersion` is stale;
   * the 400s of `create`. Returns the new version and the names (never values) of the fields
   * that changed, for the caller's audit row.
   */
  async update(
    manager: EntityManager,
    id: string,
    patch: PersonPatch,
    opts: { expectedVersion?: number; field?: string } = {},
  ): Promise<{ id: string; version: number; fields: string[] }> {
    requireTransaction(manager, 'update');
    const [row]: PersonRow[] = await manager.query(`${SELECT_PERSON} WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) throw Problem.notFound('The person');
    if (row.anonymised_at) throw Problem.conflict('person-anonymised', 'The person’s data has been destroyed under the retention rules and cannot be changed.');
    if (opts.expectedVersion !== undefined && opts.expectedVersion !== row.version) {
      throw Problem.conflict('version-conflict', 'The person was changed by someone else; reload and try again.');
    }
    if (patch.firstName === null) {
      throw new Problem(400, 'validation', 'Bad Request', 'The request is invalid.', { errors: [{ field: at(opts.field, 'firstName'), message: 'firstName cannot be removed' }] });
    }
    const current = this.decryptAll(row);
    const merged: Record<string, unknown> = { ...current, livesWithVictim: row.lives_with_victim ?? undefined };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    // The code is the stronger statement: a new code without a birth date replaces the birth date.
    if (typeof patch.identityCode === 'string' && patch.birthDate === undefined) delete merged.birthDate;
    const prepared = this.prepare(row.role, merged as unknown as PersonInput, opts.field);

    const fields = ENCRYPTED_FIELDS.filter((f) => !sameValue(current[f.key], prepared.values[f.key])).map((f) => f.key as string);
    if ((row.lives_with_victim ?? null) !== prepared.livesWithVictim) fields.push('livesWithVictim');
    if (fields.length === 0) return { id, version: row.version, fields };

    // Every blob is written afresh (new data keys, current key version), not only the changed ones.
    const blobs = this.encryptAll(id, prepared.values);
    const sets = [
      ...ENCRYPTED_COLUMNS.map((c, i) => `${c} = $${i + 2}`),
      ...['identity_code_bidx', 'name_birth_bidx', 'stat_gender', 'stat_age_band', 'lives_with_victim'].map((c, i) => `${c} = $${ENCRYPTED_COLUMNS.length + i + 2}`),
    ];
    // TypeORM answers UPDATE … RETURNING with [rows, rowCount].
    const [[updated]] = await manager.query(
      `UPDATE people SET ${sets.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1 RETURNING version`,
      [id, ...blobs, prepared.identityCodeBidx, prepared.nameBirthBidx, prepared.statGender, prepared.statAgeBand, prepared.livesWithVictim],
    );
    return { id, version: updated.version as number, fields };
  }

  /**
   * People who may be the same person, found with the blind indexes only (nothing is
   * decrypted): first by identity code, then by normalised name + birth date. A name + birth
   * date match is not taken when both sides carry an identity code and the codes differ (two
   * people who share a name and a birthday). Identity-code matches come first, then newest
   * first. With `groupId` only that group is searched; without it the whole deployment is,
   * and the caller must not show another group's ids or data to anyone (see
   * `knownInOtherGroups`). Anonymised people have no indexes left and are never found.
   * The same 400s as `create` for a malformed identity code or birth date.
   */
  async findMatches(manager: Queryable, person: MatchQuery, opts: MatchOptions = { role: 'victim' }): Promise<PersonMatch[]> {
    const keys = this.matchKeys(person);
    if (!keys) return [];
    const rows: { id: string; group_id: string; created_at: Date; by_code: boolean }[] = await manager.query(
      `SELECT id, group_id, created_at, coalesce(identity_code_bidx = $1, false) AS by_code
         FROM people
        WHERE role = $3 AND ($4::uuid IS NULL OR group_id = $4::uuid) AND NOT (id = ANY($5::uuid[]))
          AND (identity_code_bidx = $1
               OR (name_birth_bidx = $2 AND ($1::bytea IS NULL OR identity_code_bidx IS NULL)))
        ORDER BY by_code DESC, created_at DESC, id`,
      [keys.identityCodeBidx, keys.nameBirthBidx, opts.role, opts.groupId ?? null, opts.excludeIds ?? []],
    );
    return rows.map((r) => ({
      personId: r.id,
      groupId: r.group_id,
      matchedBy: r.by_code ? 'identity-code' : 'name-birth-date',
      createdAt: r.created_at.toISOString(),
    }));
  }

  /**
   * Whether the person is known as a victim in any other group of the deployment: a yes or
   * no for the coordinator, never which group, which case or what that group knows. Same
   * matching rules as `findMatches`.
   */
  async knownInOtherGroups(manager: Queryable, person: MatchQuery, groupId: string): Promise<boolean> {
    const keys = this.matchKeys(person);
    if (!keys) return false;
    const [row] = await manager.query(
      `SELECT EXISTS (
         SELECT 1 FROM people
          WHERE role = 'victim' AND group_id <> $3::uuid
            AND (identity_code_bidx = $1
                 OR (name_birth_bidx = $2 AND ($1::bytea IS NULL OR identity_code_bidx IS NULL)))) AS known`,
      [keys.identityCodeBidx, keys.nameBirthBidx, groupId],
    );
    return row.known === true;
  }

  /**
   * Destroys a person's personal data (retention): every `*_enc` column and both blind
   * indexes become NULL and `anonymised_at` is set; the row, its id (which the audit log's
   * subject ids refer to) and the coarse statistics codes stay. Idempotent. 404 unknown.
   * Note: PostgreSQL keeps the old row version until VACUUM, and WAL and backups keep what they
   * kept; the ciphertexts there are unreadable only once the data keys they name are retired.
   */
  async anonymise(manager: EntityManager, id: string): Promise<{ id: string; anonymisedAt: string }> {
    const [done] = await this.anonymiseMany(manager, [id]);
    if (!done) throw Problem.notFound('The person');
    return done;
  }

  /** `anonymise` for many people in one statement (retention: every person of a case); unknown ids are left out. */
  async anonymiseMany(manager: EntityManager, ids: readonly string[]): Promise<Array<{ id: string; anonymisedAt: string }>> {
    requireTransaction(manager, 'anonymiseMany');
    if (ids.length === 0) return [];
    const cleared = [...ENCRYPTED_COLUMNS, ...BLIND_INDEX_COLUMNS].map((c) => `${c} = NULL`).join(', ');
    // TypeORM answers UPDATE … RETURNING with [rows, rowCount].
    const [rows]: [Array<{ id: string; anonymised_at: Date }>, number] = await manager.query(
      `UPDATE people
          SET ${cleared},
              version = CASE WHEN anonymised_at IS NULL THEN version + 1 ELSE version END,
              updated_at = CASE WHEN anonymised_at IS NULL THEN now() ELSE updated_at END,
              anonymised_at = coalesce(anonymised_at, $2)
        WHERE id = ANY($1::uuid[])
      RETURNING id, anonymised_at`,
      [ids, this.clock.now()],
    );
    return rows.map((r) => ({ id: r.id, anonymisedAt: r.anonymised_at.toISOString() }));
  }

  /**
   * Key rotation: re-encrypts, under the current key version, every blob written under an
   * older one. Walks the table in id order, `batchSize` rows at a time, each batch locked
   * `FOR UPDATE SKIP LOCKED` (a row being changed right now is skipped: `update` rewrites all
   * its blobs under the current key anyway). Given the manager of an open transaction, all
   * batches run in it; given a DataSource (or a manager outside a transaction), each batch
   * commits on its own, so a large table is never held in one long transaction. Rows that
   * cannot be decrypted are left as they are and reported by id. Does not touch versions or
   * updated_at: the data did not change. Run it again until `rows` is 0, then retire the old key.
   */
  async reencryptAll(manager: Queryable, batchSize = 200): Promise<ReencryptionReport> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    const current = Buffer.alloc(2);
    current.writeUInt16BE(this.currentKeyVersion, 0);
    const stale = ENCRYPTED_COLUMNS.map((c) => `(${c} IS NOT NULL AND substring(${c} FROM 2 FOR 2) <> $1)`).join(' OR ');
    const report: ReencryptionReport = { rows: 0, reencryptedRows: 0, reencryptedFields: 0, failedIds: [], currentKeyVersion: this.currentKeyVersion };
    let after = '00000000-0000-0000-0000-000000000000';

    const batch = async (tx: EntityManager): Promise<number> => {
      const rows: PersonRow[] = await tx.query(
        `SELECT id, ${ENCRYPTED_COLUMNS.join(', ')} FROM people
          WHERE id > $2::uuid AND (${stale})
          ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [current, after, batchSize],
      );
      for (const row of rows) {
        after = row.id;
        report.rows++;
        const changes: { column: string; blob: Buffer }[] = [];
        try {
          for (const column of ENCRYPTED_COLUMNS) {
            const blob = row[column] as Buffer | null;
            if (blob && this.crypto.needsReencryption(blob)) {
              changes.push({ column, blob: this.crypto.reencrypt(blob, { table: PEOPLE_TABLE, column, rowId: row.id }) });
            }
          }
        } catch (e) {
          if (!(e instanceof FieldDecryptError)) throw e;
          report.failedIds.push(row.id);
          continue;
        }
        if (changes.length === 0) continue;
        await tx.query(`UPDATE people SET ${changes.map((c, i) => `${c.column} = $${i + 2}`).join(', ')} WHERE id = $1`, [
          row.id,
          ...changes.map((c) => c.blob),
        ]);
        report.reencryptedRows++;
        report.reencryptedFields += changes.length;
      }
      return rows.length;
    };

    const inTransaction = 'queryRunner' in manager && manager.queryRunner?.isTransactionActive === true;
    for (;;) {
      const n = inTransaction ? await batch(manager as EntityManager) : await manager.transaction(batch);
      if (n < batchSize) return report;
    }
  }

  // --- inside the module -------------------------------------------------------------------

  private today(): string {
    return toHelsinkiDate(this.clock.now());
  }

  /** Checks and normalises a person, and computes its blind indexes and statistics codes. */
  private prepare(role: PersonRole, person: PersonInput, prefix?: string, today = this.today()): Prepared {
    const firstName = clean(person.firstName);
    if (firstName === undefined) {
      throw new Problem(400, 'validation', 'Bad Request', 'The request is invalid.', { errors: [{ field: at(prefix, 'firstName'), message: 'firstName should not be empty' }] });
    }
    if (person.gender !== undefined && !GENDERS.includes(person.gender)) {
      throw new Problem(400, 'validation', 'Bad Request', 'The request is invalid.', { errors: [{ field: at(prefix, 'gender'), message: `gender must be one of ${GENDERS.join(', ')}` }] });
    }
    const lastName = clean(person.lastName);
    const { identityCode, birthDate } = resolveIdentity(person, today, prefix);
    const circumstances = person.specialCircumstances?.map((s) => s.trim()).filter((s) => s !== '');
    const values: Partial<Record<EncryptedKey, unknown>> = {
      firstName,
      lastName,
      birthDate,
      identityCode,
      gender: person.gender,
      language: clean(person.language),
      interpreterNeeded: person.interpreterNeeded,
      address: clean(person.address),
      phone: clean(person.phone),
      safeContactNote: clean(person.safeContactNote),
      specialCircumstances: circumstances && circumstances.length > 0 ? circumstances : undefined,
    };
    return {
      values,
      livesWithVictim: role === 'child' ? (person.livesWithVictim ?? null) : null,
      statGender: statGender(person.gender),
      statAgeBand: ageBand(birthDate, today),
      identityCodeBidx: identityCode ? this.crypto.blindIndex(identityCode, 'identity-code') : null,
      nameBirthBidx: this.nameBirthIndex(firstName, lastName, birthDate),
    };
  }

  private nameBirthIndex(firstName: string | undefined, lastName: string | undefined, birthDate: string | undefined): Buffer | null {
    if (birthDate === undefined || !hasIndexableName(firstName, lastName)) return null;
    return this.crypto.blindIndex(nameAndBirthDateKey(firstName ?? '', lastName ?? '', birthDate), 'name-birth-date');
  }

  /** Blind indexes of a lookup, normalised exactly as `create` stores them; undefined when there is nothing to look for. */
  private matchKeys(person: MatchQuery): { identityCodeBidx: Buffer | null; nameBirthBidx: Buffer | null } | undefined {
    const { identityCode, birthDate } = resolveIdentity(person, this.today());
    const identityCodeBidx = identityCode ? this.crypto.blindIndex(identityCode, 'identity-code') : null;
    const nameBirthBidx = this.nameBirthIndex(person.firstName, person.lastName, birthDate);
    return identityCodeBidx || nameBirthBidx ? { identityCodeBidx, nameBirthBidx } : undefined;
  }

  private encryptAll(id: string, values: Partial<Record<EncryptedKey, unknown>>): (Buffer | null)[] {
    return ENCRYPTED_FIELDS.map((f) => {
      const value = values[f.key];
      return value === undefined ? null : this.crypto.encrypt(f.encode(value), { table: PEOPLE_TABLE, column: f.column, rowId: id });
    });
  }

  private decryptAll(row: PersonRow): Partial<Record<EncryptedKey, unknown>> {
    const out: Partial<Record<EncryptedKey, unknown>> = {};
    for (const f of ENCRYPTED_FIELDS) {
      const blob = row[f.column] as Buffer | null;
      if (blob) out[f.key] = f.decode(this.crypto.decrypt(blob, { table: PEOPLE_TABLE, column: f.column, rowId: row.id }));
    }
    return out;
  }

  /** `fields`: the row's blobs decrypted (`decryptAll`), or, for a row just written, what was encrypted (`decoded`). */
  private toView(row: PersonMeta, fields: Partial<Record<EncryptedKey, unknown>>): PersonView {
    return {
      id: row.id,
      groupId: row.group_id,
      role: row.role,
      ...(fields as Partial<PersonInput>),
      ...(row.lives_with_victim !== null ? { livesWithVictim: row.lives_with_victim } : {}),
      statGender: row.stat_gender,
      statAgeBand: row.stat_age_band,
      anonymisedAt: row.anonymised_at ? row.anonymised_at.toISOString() : null,
      version: row.version,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    };
  }
}

function requireTransaction(manager: EntityManager, what: string): void {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error(`PeopleService.${what} needs the entity manager of an open transaction (the caller's audit row commits with it)`);
  }
}

/** What `decryptAll` gives for blobs `encryptAll` wrote from `values`: the fields it wrote, in the same order, through encode and decode. */
function decoded(values: Partial<Record<EncryptedKey, unknown>>): Partial<Record<EncryptedKey, unknown>> {
  const out: Partial<Record<EncryptedKey, unknown>> = {};
  for (const f of ENCRYPTED_FIELDS) {
    const value = values[f.key];
    if (value !== undefined) out[f.key] = f.decode(f.encode(value));
  }
  return out;
}

function clean(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
