/**
 * Every migration, in order. Migrations are listed here rather than found by a glob so the
 * same list works compiled (dist/) and under jest. Never edit a landed migration: add one.
 */
import { IdempotencyKeys1763900000000 } from './1763900000000-idempotency-keys.js';
import { Timers1763910000000 } from './1763910000000-timers.js';
import { Notifications1763910001000 } from './1763910001000-notifications.js';
import { AuditLog1763920000000 } from './1763920000000-audit-log.js';
import { IdentityAndGroups1763930000000 } from './1763930000000-identity-and-groups.js';
import { People1763940000000 } from './1763940000000-people.js';
import { ReferralsAndCases1763950000000 } from './1763950000000-referrals-and-cases.js';
import { Conferences1763960000000 } from './1763960000000-conferences.js';
import { CaseViews1763970000000 } from './1763970000000-case-views.js';
import { ConferenceMeeting1763980000000 } from './1763980000000-conference-meeting.js';
import { Actions1763990000000 } from './1763990000000-actions.js';
import { Statistics1764000000000 } from './1764000000000-statistics.js';
import { Retention1764000001000 } from './1764000001000-retention.js';
import { ReferralRepeatIndex1764000002000 } from './1764000002000-referral-repeat-index.js';
import { ActionInboxIndex1764000004000 } from './1764000004000-action-inbox-index.js';
import { ActionEventsSeq1764000005000 } from './1764000005000-action-events-seq.js';
import { AuditChains1764000006000 } from './1764000006000-audit-chains.js';

export const MIGRATIONS = [
  IdempotencyKeys1763900000000,
  Timers1763910000000,
  Notifications1763910001000,
  AuditLog1763920000000,
  IdentityAndGroups1763930000000,
  People1763940000000,
  ReferralsAndCases1763950000000,
  Conferences1763960000000,
  CaseViews1763970000000,
  ConferenceMeeting1763980000000,
  Actions1763990000000,
  Statistics1764000000000,
  Retention1764000001000,
  ReferralRepeatIndex1764000002000,
  ActionInboxIndex1764000004000,
  ActionEventsSeq1764000005000,
  AuditChains1764000006000,
];
