import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The mail outbox: a row per message, written in the caller's transaction, sent by a job with
 * retries; a message that keeps failing is marked failed, never dropped. Rows carry template
 * parameters without personal data (references, agency names, dates, links).
 */
export class Notifications1763910001000 implements MigrationInterface {
  name = 'Notifications1763910001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE notifications (
        id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
        kind             text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9-]*(\\.[a-z0-9-]+)*$'),
        recipient        text        NOT NULL CHECK (length(recipient) BETWEEN 3 AND 320),
        locale           text        NOT NULL CHECK (locale IN ('fi', 'sv', 'en')),
        params           jsonb       NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(params) = 'object'),
        idempotency_key  text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
        message_id       text        NOT NULL,
        group_id         uuid,
        state            text        NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
        attempts         integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error       text,
        next_attempt_at  timestamptz NOT NULL,
        sent_at          timestamptz,
        failed_at        timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        version          integer     NOT NULL DEFAULT 1,
        CONSTRAINT notifications_idempotency_key_uq UNIQUE (idempotency_key),
        CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
        CHECK ((state = 'failed') = (failed_at IS NOT NULL))
      )`);
    // The relay: pending messages by when they are due.
    await q.query(`CREATE INDEX notifications_pending_due_idx ON notifications (next_attempt_at) WHERE state = 'pending'`);
    // GET /notifications?status&kind, newest first, keyset-paginated by (created_at, id).
    await q.query(`CREATE INDEX notifications_state_created_idx ON notifications (state, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX notifications_created_idx ON notifications (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX notifications_group_created_idx ON notifications (group_id, created_at DESC, id DESC) WHERE group_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notifications`);
  }
}
