import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { MAILBOX } from '../../common/mailbox.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { Clock } from '../../platform/clock/clock.js';
import { afterCommit } from '../../platform/database/after-commit.js';
import type { NotificationRow, NotificationStatus } from './notification.js';
import { NotificationDelivery } from './notification-delivery.js';
import { messageIdFor } from './notification-jobs.js';
import { compileAllTemplates, NotificationParamsError, templateOf, validateParams, type NotificationParams } from './templates/template-catalog.js';
import { LOCALES, type Locale } from './templates/template-types.js';

export interface EnqueueNotification {
  /** A kind with a template (src/modules/notifications/templates). */
  kind: string;
  /** The recipient's address: an agency's functional mailbox or a user's work address. */
  recipient: string;
  locale: Locale;
  /** Exactly the template's declared parameters: references, organisation names, dates, a path. */
  params: NotificationParams;
  /** Unique per message (`action.due-reminder-<actionId>-<dueDate>`): enqueueing it again does nothing. */
  idempotencyKey: string;
  /** Lets the group's coordinator see the message in GET /notifications. */
  groupId?: string;
}

export interface NotificationView {
  id: string;
  kind: string;
  recipient: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  groupId: string | null;
  createdAt: string;
  sentAt: string | null;
  failedAt: string | null;
}

export interface NotificationQuery {
  status?: NotificationStatus;
  kind?: string;
  /** Only these groups' messages (a coordinator); undefined = all (an admin). */
  groupIds?: string[];
  limit: number;
  cursor?: string;
}

const EMAIL = MAILBOX;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The door of the notifications module: `enqueue` writes an outbox row in the caller's
 * transaction; its send job is enqueued after that transaction commits.
 */
@Injectable()
export class NotificationsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly delivery: NotificationDelivery,
  ) {}

  onModuleInit(): void {
    compileAllTemplates();
  }

  /** Writes the message (or finds the one with the same idempotency key). Returns its id. */
  async enqueue(manager: EntityManager, n: EnqueueNotification): Promise<{ id: string; created: boolean }> {
    const template = templateOf(n.kind, { includeTestOnly: this.config.testClock });
    if (!template) throw new NotificationParamsError(`Unknown notification kind ${n.kind}`);
    if (!LOCALES.includes(n.locale)) throw new NotificationParamsError(`${n.kind}: locale must be fi, sv or en`);
    if (typeof n.recipient !== 'string' || n.recipient.length > 320 || !EMAIL.test(n.recipient)) throw new NotificationParamsError(`${n.kind}: recipient must be an e-mail address`);
    if (typeof n.idempotencyKey !== 'string' || !n.idempotencyKey.length || n.idempotencyKey.length > 255) throw new NotificationParamsError(`${n.kind}: idempotencyKey must be 1–255 characters`);
    if (n.groupId !== undefined && !UUID.test(n.groupId)) throw new NotificationParamsError(`${n.kind}: groupId must be a uuid`);
    const params = validateParams(template, n.params);
    const now = this.clock.now();
    const messageId = messageIdFor(createHash('sha256').update(n.idempotencyKey).digest('hex'), this.config.publicUrl);
    const inserted: Array<{ id: string; attempts: number; next_attempt_at: Date }> = await manager.query(
      `INSERT INTO notifications (kind, recipient, locale, params, idempotency_key, message_id, group_id, next_attempt_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id, attempts, next_attempt_at`,
      [n.kind, n.recipient, n.locale, JSON.stringify(params), n.idempotencyKey, messageId, n.groupId ?? null, now],
    );
    if (!inserted.length) {
      const [existing]: Array<{ id: string }> = await manager.query(`SELECT id FROM notifications WHERE idempotency_key = $1`, [n.idempotencyKey]);
      return { id: existing.id, created: false };
    }
    await afterCommit(manager, () => this.delivery.enqueueSends(inserted));
    return { id: inserted[0].id, created: true };
  }

  /** GET /notifications: newest first, keyset-paginated. */
  async list(q: NotificationQuery): Promise<{ items: NotificationView[]; nextCursor: string | null }> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status) where.push(`state = $${args.push(q.status)}`);
    if (q.kind) where.push(`kind = $${args.push(q.kind)}`);
    if (q.groupIds) where.push(`group_id = ANY($${args.push(q.groupIds)}::uuid[])`);
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      where.push(`(created_at, id) < ($${args.push(c.createdAt)}::timestamptz, $${args.push(c.id)}::uuid)`);
    }
    const rows: NotificationRow[] = await this.db.query(
      `SELECT id, kind, recipient, state, attempts, last_error, group_id, created_at, sent_at, failed_at FROM notifications
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT ${q.limit + 1}`,
      args,
    );
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        id: r.id,
        kind: r.kind,
        recipient: r.recipient,
        status: r.state,
        attempts: r.attempts,
        lastError: r.last_error,
        groupId: r.group_id,
        createdAt: new Date(r.created_at).toISOString(),
        sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
        failedAt: r.failed_at ? new Date(r.failed_at).toISOString() : null,
      })),
      nextCursor: rows.length > q.limit && last ? encodeCursor(new Date(last.created_at), last.id) : null,
    };
  }
}

export class InvalidCursorError extends Error {}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  const [createdAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || Number.isNaN(Date.parse(createdAt)) || !UUID.test(id)) throw new InvalidCursorError('invalid cursor');
  return { createdAt, id };
}
