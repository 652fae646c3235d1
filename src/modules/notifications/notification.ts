import type { Locale } from './templates/template-types.js';

export type NotificationStatus = 'pending' | 'sent' | 'failed';

export interface NotificationRow {
  id: string;
  kind: string;
  recipient: string;
  locale: Locale;
  params: Record<string, string | number>;
  idempotency_key: string;
  message_id: string;
  group_id: string | null;
  state: NotificationStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date;
  sent_at: Date | null;
  failed_at: Date | null;
  created_at: Date;
}
