import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { IdempotencyService } from '../../common/idempotency/idempotency.service.js';
import { JobProcessor, type JobHandler } from './job-processor.js';

/** Housekeeping: expired idempotency keys are purged hourly. */
@Processor('maintenance')
export class MaintenanceProcessor extends JobProcessor implements OnApplicationBootstrap {
  readonly queue = 'maintenance' as const;
  private readonly logger = new Logger(MaintenanceProcessor.name);

  constructor(private readonly idempotency: IdempotencyService, @InjectQueue('maintenance') private readonly maintenance: Queue) {
    super();
  }

  handlers(): Record<string, JobHandler> {
    return {
      'idempotency.purge': async () => {
        const purged = await this.idempotency.purgeExpired();
        if (purged) this.logger.log(`purged ${purged} expired idempotency keys`);
        return { purged };
      },
    };
  }

  /** Job schedulers are re-declared at every worker start: wiping Redis loses nothing. */
  async onApplicationBootstrap(): Promise<void> {
    await this.maintenance.upsertJobScheduler(
      'idempotency-purge',
      { every: 60 * 60 * 1000 },
      { name: 'idempotency.purge', opts: { removeOnComplete: 100, removeOnFail: 1000 } },
    );
  }
}
