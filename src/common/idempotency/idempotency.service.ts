import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock.js';
import { FieldCryptoService } from '../../platform/crypto/field-crypto.service.js';
import { Problem } from '../problems/problem.js';

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a first attempt may run before a retry may take it over (it crashed or hung). */
export const IDEMPOTENCY_LOCK_MS = 5 * 60 * 1000;

export type IdempotencyStart = { kind: 'new' } | { kind: 'replay'; status: number; body: unknown };

interface Row {
  request_hash: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_enc: Buffer | null;
  locked_until: Date;
}

/**
 * `Idempotency-Key` for POSTs, kept in PostgreSQL: the first request runs, a retry with the
 * same key and body gets the first response again (stored encrypted: it may hold personal
 * data), the same key with another body is refused 422, and a retry while the first is still
 * running gets 409.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly crypto: FieldCryptoService,
  ) {}

  private ctx(scope: string, key: string) {
    return { table: 'idempotency_keys', column: 'response', rowId: `${scope}/${key}` };
  }

  async begin(scope: string, key: string, requestHash: string): Promise<IdempotencyStart> {
    const now = this.clock.now();
    const lockedUntil = new Date(now.getTime() + IDEMPOTENCY_LOCK_MS);
    const expiresAt = new Date(now.getTime() + IDEMPOTENCY_TTL_MS);
    // Claim the key: a fresh insert, or the take-over of an expired row or of a stale attempt
    // with the same body. One statement, so two racing requests cannot both win.
    const claimed: unknown[] = await this.db.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, locked_until, expires_at)
       VALUES ($1, $2, $3, 'in_progress', $4, $5)
       ON CONFLICT (scope, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, state = 'in_progress', response_status = NULL,
             response_enc = NULL, locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at,
             created_at = $6
         WHERE idempotency_keys.expires_at <= $6
            OR (idempotency_keys.state = 'in_progress' AND idempotency_keys.locked_until <= $6
                AND idempotency_keys.request_hash = EXCLUDED.request_hash)
       RETURNING 1`,
      [scope, key, requestHash, lockedUntil, expiresAt, now],
    );
    if (claimed.length) return { kind: 'new' };

    const rows: Row[] = await this.db.query(
      `SELECT request_hash, state, response_status, response_enc, locked_until FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    const row = rows[0];
    if (!row) return this.begin(scope, key, requestHash); // purged between the two statements
    if (row.request_hash !== requestHash) {
      throw Problem.unprocessable(
        'idempotency-key-reused',
        'Idempotency key reused',
        'This Idempotency-Key was already used for a different request. Use a new key for a new request.',
      );
    }
    if (row.state === 'in_progress') {
      throw Problem.conflict('idempotency-request-in-progress', 'A request with this Idempotency-Key is still being processed; retry shortly.');
    }
    const body = row.response_enc ? JSON.parse(this.crypto.decrypt(row.response_enc, this.ctx(scope, key))) : null;
    return { kind: 'replay', status: row.response_status ?? 200, body };
  }

  async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    const enc = this.crypto.encrypt(JSON.stringify(body ?? null), this.ctx(scope, key));
    await this.db.query(
      `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_enc = $4 WHERE scope = $1 AND key = $2`,
      [scope, key, status, enc],
    );
  }

  /** The first attempt failed: forget the key so a retry runs again. */
  async release(scope: string, key: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'in_progress'`, [scope, key]);
  }

  async purgeExpired(): Promise<number> {
    const res: [unknown[], number] = await this.db.query(`DELETE FROM idempotency_keys WHERE expires_at <= $1`, [this.clock.now()]);
    return res[1];
  }
}
