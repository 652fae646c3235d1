import { InjectQueue, Processor } from '@nestjs/bullmq';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { JobProcessor, type JobHandler } from '../../platform/queues/job-processor.js';
import { RetentionService } from './retention.service.js';

/** Daily at 03:30 Helsinki time, when nobody is at a conference. */
export const RETENTION_SCHEDULE = { pattern: '0 30 3 * * *', tz: 'Europe/Helsinki' } as const;

/** The daily retention run. The job carries nothing: the worker finds the due cases in PostgreSQL. */
@Processor('retention')
export class RetentionProcessor extends JobProcessor implements OnApplicationBootstrap {
  readonly queue = 'retention' as const;

  constructor(private readonly retention: RetentionService, @InjectQueue('retention') private readonly retentionQueue: Queue) {
    super();
  }

  handlers(): Record<string, JobHandler> {
    return { 'retention.run': async () => this.retention.runDue() };
  }

  /** Re-declared at every worker start: wiping Redis loses nothing. */
  async onApplicationBootstrap(): Promise<void> {
    await this.retentionQueue.upsertJobScheduler('retention-daily', RETENTION_SCHEDULE, {
      name: 'retention.run',
      opts: { removeOnComplete: 100, removeOnFail: 1000 },
    });
  }
}
