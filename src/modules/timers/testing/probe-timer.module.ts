import { randomUUID } from 'node:crypto';
import { Module, type OnModuleInit } from '@nestjs/common';
import { NotificationsModule } from '../../notifications/notifications.module.js';
import { NotificationsService } from '../../notifications/notifications.service.js';
import { TimerHandlerRegistry } from '../timer-handler.registry.js';
import type { Timer } from '../timer.js';
import { TimersModule } from '../timers.module.js';

export const PROBE_TIMER_KIND = 'test.probe';
export const PROBE_RECIPIENT = 'probe@marak.test';
/** Subject type whose probes no longer stand (their timers are skipped). */
export const PROBE_OBSOLETE = 'test-obsolete';
/** Subject type whose probes wait, inside the effect, for the advisory lock `hashtextextended(subjectId, 0)`. */
export const PROBE_GATED = 'test-gated';

/** The reference a probe's mail carries, derived from its subject. */
export function probeReference(subjectId: string): string {
  return `TEST-${subjectId.replace(/-/g, '').slice(0, 12).toUpperCase()}`;
}

/**
 * A timer kind that exists only with MARAK_TEST_CLOCK=true, for the timer engine's own tests
 * (the product's kinds come with the modules that own them). Firing it writes a mail to
 * probe@marak.test. Its effect is deliberately NOT idempotent (a fresh idempotency key each time
 * it runs), so "exactly one mail" proves that the engine ran it exactly once.
 */
@Module({ imports: [TimersModule, NotificationsModule] })
export class ProbeTimerModule implements OnModuleInit {
  constructor(
    private readonly registry: TimerHandlerRegistry,
    private readonly notifications: NotificationsService,
  ) {}

  onModuleInit(): void {
    this.registry.register(PROBE_TIMER_KIND, {
      stillStands: async (_manager, timer: Timer) => timer.subjectType !== PROBE_OBSOLETE,
      fire: async (manager, timer: Timer) => {
        if (timer.subjectType === PROBE_GATED) await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [timer.subjectId]);
        await this.notifications.enqueue(manager, {
          kind: 'test.probe',
          recipient: PROBE_RECIPIENT,
          locale: 'en',
          params: { reference: probeReference(timer.subjectId), firesAt: timer.fireAt.toISOString(), path: `/test/timers/${timer.id}` },
          idempotencyKey: `test.probe-${timer.id}-${randomUUID()}`,
        });
      },
    });
  }
}
